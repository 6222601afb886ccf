//! Calendar dates (`YYYY-MM-DD`) for secret expiry.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date in the proleptic Gregorian calendar, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month).contains(&day).then_some(Self { year, month, day })
    }

    /// Today's date in UTC.
    pub fn today() -> Self {
        let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Self::from_days_since_epoch(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days).
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// Days since 1970-01-01 (the inverse of [`Date::from_days_since_epoch`]).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

/// How many days before its expiry date a secret is flagged `expires soon`.
pub const EXPIRES_SOON_DAYS: i64 = 14;

/// Where an expiry date stands, seen from a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The date lies before today.
    Expired,
    /// The date is today or within [`EXPIRES_SOON_DAYS`] days; `days` left (0 = today).
    Soon {
        /// Days from today to the expiry date.
        days: i64,
    },
    /// The date is further away.
    Later,
}

impl Date {
    /// Where this expiry date stands on `today`: expired the day after it.
    pub fn expiry(self, today: Date) -> Expiry {
        let days = self.days_since_epoch() - today.days_since_epoch();
        match days {
            ..0 => Expiry::Expired,
            0..=EXPIRES_SOON_DAYS => Expiry::Soon { days },
            _ => Expiry::Later,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a date did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: use YYYY-MM-DD, for example 2027-01-31")]
pub struct DateError(pub String);

impl FromStr for Date {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Self, DateError> {
        let error = || DateError(text.to_owned());
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(error());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(error());
        }
        let year = y.parse().map_err(|_| error())?;
        let month = m.parse().map_err(|_| error())?;
        let day = d.parse().map_err(|_| error())?;
        Date::new(year, month, day).ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_iso_dates() {
        let date: Date = "2026-02-28".parse().unwrap();
        assert_eq!(date.to_string(), "2026-02-28");
        for bad in ["2026-02-29", "2026-13-01", "26-01-01", "2026-1-01", "2026-01-01-01", "soon", ""] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert!("2024-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn day_numbers_round_trip_and_order() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(20_414).to_string(), "2025-11-22");
        for days in [-1000, 0, 59, 60, 11_016, 20_000, 30_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert!("2026-01-01".parse::<Date>().unwrap() > "2025-12-31".parse().unwrap());
    }

    #[test]
    fn expiry_is_soon_within_fourteen_days_and_expired_after_the_date() {
        let today: Date = "2026-02-20".parse().unwrap();
        let at = |text: &str| text.parse::<Date>().unwrap().expiry(today);
        assert_eq!(at("2026-02-19"), Expiry::Expired);
        assert_eq!(at("2025-12-31"), Expiry::Expired);
        assert_eq!(at("2026-02-20"), Expiry::Soon { days: 0 });
        assert_eq!(at("2026-03-06"), Expiry::Soon { days: 14 });
        assert_eq!(at("2026-03-07"), Expiry::Later);
    }
}
