//! The template language: `{{name}}` and `<<name>>` references inside text.
//!
//! A reference is `{{`, optional spaces, a name of `[A-Za-z0-9_.-]+`, optional spaces,
//! `}}` (or the same between `<<` and `>>`). Anything else, such as an unclosed `{{`,
//! is plain text. `input` and `input.PATH` name the value that reached the block.
//! Postman's dynamic variables (`{{$guid}}`, …, [`DYNAMIC_NAMES`]) are references too;
//! the engine resolves them with [`dynamic_value`].

use serde_json::Value;
use thiserror::Error;

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Literal text.
    Text(&'a str),
    /// A reference to a variable.
    Var {
        /// The variable name, without braces or spaces.
        name: &'a str,
        /// The reference as written, braces included.
        raw: &'a str,
    },
}

/// A reference that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unresolved variable `{{{{{name}}}}}`")]
pub struct Unresolved {
    /// The variable name.
    pub name: String,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Whether `name` is a valid variable name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_name_char)
}

/// What is wrong with `name` as the name of a variable a flow sets (a `set` block, a
/// capture), if anything: it must be a valid name and not `input`.
pub fn variable_name_problem(name: &str) -> Option<&'static str> {
    if !is_valid_name(name) {
        Some("a variable name is letters, digits, `_`, `.` and `-`")
    } else if name == "input" || name.starts_with("input.") {
        Some("`input` is reserved for the value a block receives")
    } else {
        None
    }
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-')
}

/// Tries to read a reference at the start of `text`; returns the name and its length.
///
/// Only what a reference can hold is read (spaces, name characters, spaces), so the
/// scan stops at the first other character. That makes [`parse`] linear: the bytes one
/// scan reads are name characters and spaces, which no other reference can start at.
/// `work` counts the bytes read.
fn reference_at<'t>(text: &'t str, work: &mut usize) -> Option<(&'t str, usize)> {
    let bytes = text.as_bytes();
    let close = match bytes.get(..2)? {
        b"{{" => b'}',
        b"<<" => b'>',
        _ => return None,
    };
    let spaces = |mut at: usize| {
        while bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        at
    };
    let name_start = spaces(2);
    // Postman's dynamic variables (`{{$guid}}`) are the one kind of name with a `$`.
    let mut name_end = name_start + usize::from(bytes.get(name_start) == Some(&b'$'));
    while bytes.get(name_end).copied().is_some_and(is_name_byte) {
        name_end += 1;
    }
    let end = spaces(name_end);
    *work += end;
    let closed = bytes.get(end) == Some(&close) && bytes.get(end + 1) == Some(&close);
    if !closed || name_end == name_start {
        return None;
    }
    let name = text.get(name_start..name_end)?;
    if name.starts_with('$') && !is_dynamic_name(name) {
        return None;
    }
    Some((name, end + 2))
}

/// Postman's dynamic variables that templates know (kept by imports): `{{$guid}}`,
/// `{{$timestamp}}`, `{{$isoTimestamp}}`, `{{$randomInt}}`. Any other `{{$…}}` is text.
pub const DYNAMIC_NAMES: &[&str] = &["$guid", "$timestamp", "$isoTimestamp", "$randomInt"];

/// Whether `name` is one of [`DYNAMIC_NAMES`].
pub fn is_dynamic_name(name: &str) -> bool {
    DYNAMIC_NAMES.contains(&name)
}

/// The value of a dynamic variable at `unix_millis`, drawing randomness from `random`;
/// `None` for any other name. `$guid` is a version 4 UUID, `$timestamp` whole seconds,
/// `$isoTimestamp` UTC with milliseconds (`2026-12-01T21:40:05.123Z`), `$randomInt` 0–1000.
pub fn dynamic_value(name: &str, unix_millis: u64, random: &mut dyn FnMut() -> u64) -> Option<String> {
    match name {
        "$guid" => {
            let (high, low) = (random(), random());
            // Version 4, variant 10xx.
            let high = (high & !0xf000_u64) | 0x4000_u64;
            let low = (low & !(0xc000_u64 << 48)) | (0x8000_u64 << 48);
            Some(format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                high >> 32,
                (high >> 16) & 0xffff,
                high & 0xffff,
                low >> 48,
                low & 0xffff_ffff_ffff
            ))
        }
        "$timestamp" => Some((unix_millis / 1000).to_string()),
        "$isoTimestamp" => {
            let seconds = unix_millis / 1000;
            let (year, month, day) = civil_from_days(i64::try_from(seconds / 86_400).unwrap_or(0));
            let of_day = seconds % 86_400;
            Some(format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
                of_day / 3600,
                of_day / 60 % 60,
                of_day % 60,
                unix_millis % 1000
            ))
        }
        "$randomInt" => Some((random() % 1001).to_string()),
        _ => None,
    }
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = u32::try_from(day_of_year - (153 * month_index + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if month_index < 10 { month_index + 3 } else { month_index - 9 }).unwrap_or(1);
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Splits `text` into literal text and references.
pub fn parse(text: &str) -> Vec<Segment<'_>> {
    parse_counting(text, &mut 0)
}

/// [`parse`], adding the bytes it read to `work`: at most four times the length of
/// `text` (each byte stepped over once, an opener's two bytes read at each position,
/// and the spaces and name characters after openers once, as those runs never overlap).
fn parse_counting<'t>(text: &'t str, work: &mut usize) -> Vec<Segment<'t>> {
    let mut segments = Vec::new();
    let mut literal_start = 0;
    let mut index = 0;
    while index < text.len() {
        let rest = text.get(index..).unwrap_or_default();
        // A reference starts with `{{` or `<<`: the text before the next `{` or `<` is
        // stepped over at once (a URL without references in one search).
        let skip = rest.bytes().position(|b| b == b'{' || b == b'<').unwrap_or(rest.len());
        if skip > 0 {
            *work += skip;
            index += skip;
            continue;
        }
        if let Some((name, len)) = reference_at(rest, work) {
            if literal_start < index {
                segments.push(Segment::Text(text.get(literal_start..index).unwrap_or_default()));
            }
            segments.push(Segment::Var { name, raw: rest.get(..len).unwrap_or_default() });
            index += len;
            literal_start = index;
        } else {
            let step = rest.chars().next().map_or(1, char::len_utf8);
            *work += step;
            index += step;
        }
    }
    if literal_start < text.len() {
        segments.push(Segment::Text(text.get(literal_start..).unwrap_or_default()));
    }
    segments
}

/// The names referenced in `text`, in order, with repeats.
pub fn references(text: &str) -> impl Iterator<Item = &str> {
    parse(text).into_iter().filter_map(|segment| match segment {
        Segment::Var { name, .. } => Some(name),
        Segment::Text(_) => None,
    })
}

/// Renders `text`, asking `lookup` for the value of each reference.
/// Fails on the first name `lookup` does not know.
pub fn render(text: &str, mut lookup: impl FnMut(&str) -> Option<String>) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(text.len());
    for segment in parse(text) {
        match segment {
            Segment::Text(literal) => out.push_str(literal),
            Segment::Var { name, .. } => match lookup(name) {
                Some(value) => out.push_str(&value),
                None => {
                    return Err(Unresolved { name: name.to_owned() });
                }
            },
        }
    }
    Ok(out)
}

/// Why a template could not be rendered within a size.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    /// A reference had no value.
    #[error(transparent)]
    Unresolved(#[from] Unresolved),
    /// The text would have been longer than the room given.
    #[error("the rendered text would take more than {room} bytes")]
    TooLarge {
        /// The room that was given, in bytes.
        room: usize,
    },
}

/// Renders `text` like [`render`], in at most `room` bytes: a piece that would take the
/// text past `room` is refused before it is copied, so the text never grows past it.
/// `lookup` may lend a value (a variable's text) instead of copying it.
pub fn render_within<'v>(
    text: &str,
    room: usize,
    mut lookup: impl FnMut(&str) -> Option<std::borrow::Cow<'v, str>>,
) -> Result<String, RenderError> {
    let mut out = String::new();
    for segment in parse(text) {
        let piece = match segment {
            Segment::Text(literal) => std::borrow::Cow::Borrowed(literal),
            Segment::Var { name, .. } => match lookup(name) {
                Some(value) => value,
                None => return Err(Unresolved { name: name.to_owned() }.into()),
            },
        };
        if piece.len() > room.saturating_sub(out.len()) {
            return Err(RenderError::TooLarge { room });
        }
        out.push_str(&piece);
    }
    Ok(out)
}

/// For `input` returns `Some("")`, for `input.PATH` returns `Some(PATH)`, else `None`.
pub fn input_path(name: &str) -> Option<&str> {
    match name.strip_prefix("input")? {
        "" => Some(""),
        rest => rest.strip_prefix('.'),
    }
}

/// Follows a dotted path (`body.items.0.id`) into a JSON value. Numbers index arrays.
pub fn lookup_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |current, key| match current {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// The text a value is inserted as: strings as they are, everything else as compact JSON.
pub fn value_to_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The bytes `parse` reads for `text`.
    fn work(text: &str) -> usize {
        let mut work = 0;
        parse_counting(text, &mut work);
        work
    }

    /// The reading of a reference before it was made linear: the first closing pair,
    /// then the name between, trimmed. The linear scan must agree with it.
    fn reference_by_search(text: &str) -> Option<(&str, usize)> {
        let (close, rest) = if let Some(rest) = text.strip_prefix("{{") {
            ("}}", rest)
        } else if let Some(rest) = text.strip_prefix("<<") {
            (">>", rest)
        } else {
            return None;
        };
        let end = rest.find(close)?;
        let name = rest.get(..end)?.trim_matches(' ');
        is_valid_name(name).then_some((name, 2 + end + 2))
    }

    fn parse_by_search(text: &str) -> Vec<Segment<'_>> {
        let (mut segments, mut literal_start, mut index) = (Vec::new(), 0, 0);
        while index < text.len() {
            let rest = &text[index..];
            if let Some((name, len)) = reference_by_search(rest) {
                if literal_start < index {
                    segments.push(Segment::Text(&text[literal_start..index]));
                }
                segments.push(Segment::Var { name, raw: &rest[..len] });
                index += len;
                literal_start = index;
            } else {
                index += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
        if literal_start < text.len() {
            segments.push(Segment::Text(&text[literal_start..]));
        }
        segments
    }

    #[test]
    fn three_hundred_kilobytes_of_openers_take_linear_work() {
        for opener in ["<<", "{{", "{{ a", "<< a.b >", "{{x}"] {
            let text = opener.repeat(300_000 / opener.len());
            let work = work(&text);
            assert!(work <= 4 * text.len(), "{opener:?}: {work} bytes read for {} bytes", text.len());
            assert_eq!(render(&text, |_| Some(String::new())).unwrap(), text, "{opener:?}: all literal");
        }
        // Many references next to each other are linear too, and all found.
        let text = "<<a>>".repeat(60_000);
        assert!(work(&text) <= 4 * text.len());
        assert_eq!(render(&text, |_| Some("1".into())).unwrap(), "1".repeat(60_000));
    }

    /// Pieces random templates are made of: openers, closers, names, spaces, text.
    fn template() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "{{", "}}", "<<", ">>", "{", "}", "<", ">", " ", "a", "input", ".", "-", "_", "x1", "é", "—", "\n",
            "\u{1b}",
        ]);
        prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn random_templates_render_in_linear_work_as_before(text in template(), value in "[a-z{}<> ]{0,8}") {
            let work = work(&text);
            prop_assert!(work <= 4 * text.len(), "{} bytes read for {:?}", work, text);
            prop_assert_eq!(parse(&text), parse_by_search(&text));
            let rendered = render(&text, |name| (name != "x1").then(|| value.clone()));
            let unresolved = references(&text).any(|name| name == "x1");
            prop_assert_eq!(rendered.is_err(), unresolved);
        }
    }

    fn vars(name: &str) -> Option<String> {
        match name {
            "auth" => Some("Bearer k".into()),
            "host" => Some("example.test".into()),
            _ => None,
        }
    }

    #[test]
    fn both_brace_styles_and_inner_spaces_are_references() {
        let out = render("https://<<host>>/x?a={{ auth }}&b={{auth}}", vars).unwrap();
        assert_eq!(out, "https://example.test/x?a=Bearer k&b=Bearer k");
    }

    #[test]
    fn malformed_references_stay_literal() {
        let text = "{{ not closed, {{}} , {{bad name}}, <<a>, {a}";
        assert_eq!(render(text, vars).unwrap(), text);
        assert!(references(text).next().is_none());
    }

    #[test]
    fn unknown_name_is_reported_by_name() {
        let err = render("x {{host}} {{missing.key}}", vars).unwrap_err();
        assert_eq!(err.name, "missing.key");
        assert_eq!(err.to_string(), "unresolved variable `{{missing.key}}`");
    }

    #[test]
    fn dynamic_variables_are_references_and_other_dollar_names_stay_text() {
        let text = "{{$guid}} {{ $timestamp }} {{$isoTimestamp}} {{$randomInt}} {{$randomColor}} {{$}}";
        let names: Vec<&str> = references(text).collect();
        assert_eq!(names, ["$guid", "$timestamp", "$isoTimestamp", "$randomInt"]);
        assert!(render("{{$randomColor}}", vars).unwrap() == "{{$randomColor}}");
    }

    #[test]
    fn dynamic_values_have_their_formats() {
        let mut n = 0u64;
        let mut random = || {
            n += 1;
            n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        };
        // 2026-12-01T21:40:05.123Z
        let at = 1_796_161_205_123;
        assert_eq!(dynamic_value("$timestamp", at, &mut random).unwrap(), "1796161205");
        assert_eq!(dynamic_value("$isoTimestamp", at, &mut random).unwrap(), "2026-12-01T21:40:05.123Z");
        assert_eq!(dynamic_value("$isoTimestamp", 0, &mut random).unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(dynamic_value("$isoTimestamp", 951_782_400_000, &mut random).unwrap(), "2000-02-29T00:00:00.000Z");
        let guid = dynamic_value("$guid", at, &mut random).unwrap();
        let groups: Vec<usize> = guid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{guid}");
        assert_eq!(guid.chars().nth(14), Some('4'), "{guid}");
        assert!(matches!(guid.chars().nth(19), Some('8' | '9' | 'a' | 'b')), "{guid}");
        let int: u64 = dynamic_value("$randomInt", at, &mut random).unwrap().parse().unwrap();
        assert!(int <= 1000);
        assert_eq!(dynamic_value("$other", at, &mut random), None);
    }

    #[test]
    fn rendering_within_a_room_refuses_what_would_pass_it() {
        let big = "x".repeat(1000);
        let lookup = |name: &str| (name == "big").then_some(std::borrow::Cow::Borrowed(big.as_str()));
        assert_eq!(render_within("a{{big}}b", 1002, lookup).unwrap().len(), 1002);
        assert_eq!(render_within("a{{big}}b", 1001, lookup), Err(RenderError::TooLarge { room: 1001 }));
        assert_eq!(render_within("{{big}}{{big}}{{big}}", 2500, lookup), Err(RenderError::TooLarge { room: 2500 }));
        let unresolved = render_within("{{nope}}", 10, lookup).unwrap_err();
        assert_eq!(unresolved, RenderError::Unresolved(Unresolved { name: "nope".into() }));
    }

    #[test]
    fn multibyte_text_around_references_is_kept() {
        assert_eq!(render("é{{host}}ü—", vars).unwrap(), "éexample.testü—");
    }

    #[test]
    fn input_paths_reach_into_objects_and_arrays() {
        let input = json!({"status": 200, "body": {"items": [{"id": "a1"}], "n": null}});
        assert_eq!(input_path("input"), Some(""));
        assert_eq!(input_path("input.body.items.0.id"), Some("body.items.0.id"));
        assert_eq!(input_path("inputs"), None);
        assert_eq!(lookup_path(&input, "body.items.0.id"), Some(&json!("a1")));
        assert_eq!(lookup_path(&input, "body.items.1.id"), None);
        assert_eq!(value_to_text(lookup_path(&input, "status").unwrap()), "200");
        assert_eq!(value_to_text(lookup_path(&input, "body.items").unwrap()), r#"[{"id":"a1"}]"#);
        assert_eq!(value_to_text(lookup_path(&input, "body.n").unwrap()), "null");
    }
}
