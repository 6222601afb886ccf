//! Errors from reading and writing flow files: where, what, and a suggestion.
//!
//! Everything in a message that comes from the file (ids, field names, values) is shown
//! with control characters escaped ([`Escaped`]): one problem is always one line.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::escape::Escaped;

/// Where in a flow file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A JSON syntax position, 1-based.
    LineColumn {
        /// Line number.
        line: usize,
        /// Column number.
        column: usize,
    },
    /// A path into the document: `blocks.list-models.url`, `wires[2]`.
    Path(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::LineColumn { line, column } => write!(f, "{line}:{column}"),
            Place::Path(path) if path.is_empty() => f.write_str("(top level)"),
            Place::Path(path) => write!(f, "{}", Escaped(path)),
        }
    }
}

/// One thing wrong with a flow document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub place: Place,
    /// What is wrong.
    pub message: String,
    /// A near miss the user probably meant (`log` for `lgo`).
    pub suggestion: Option<String>,
}

impl Problem {
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { place: Place::Path(path.into()), message: message.into(), suggestion: None }
    }

    pub(crate) fn with_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, Escaped(&self.message))?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{}`?)", Escaped(suggestion))?;
        }
        Ok(())
    }
}

/// Why a flow file could not be read or written.
#[derive(Debug, Error)]
pub enum FlowError {
    /// The file could not be read or written. The cause is part of the message and
    /// deliberately not a `source()`, so an error chain prints it once.
    #[error("{}: {action}: {cause}", Escaped(&path.display().to_string()))]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`cannot read`, `cannot write`).
        action: &'static str,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// The document is not a valid v1 flow.
    #[error("{}", render_invalid(file, problems))]
    Invalid {
        /// The file name (or `<input>`).
        file: String,
        /// Everything found wrong, in document order.
        problems: Vec<Problem>,
    },
}

fn render_invalid(file: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("{}:{p}", Escaped(file))).collect();
    lines.join("\n")
}

/// Work a [`Suggester`] may do while one document is read, in units of one candidate
/// looked at or one cell of an edit-distance table: enough for every suggestion in a
/// hand-written flow, and a bound on a generated one with thousands of misspellings
/// (the problems are all still reported; only the later ones go without a hint).
pub(crate) const SUGGESTION_BUDGET: u64 = 4_000_000;

/// Words longer than this many characters get no suggestion: no name of the format is
/// that long, and a longer block id is not a near miss one would type.
pub(crate) const MAX_SUGGESTED_CHARS: usize = 128;

/// Did-you-mean suggestions under a work budget.
///
/// Each call costs one unit per candidate, plus one per cell of the edit-distance
/// table for candidates whose length is close enough to matter; a candidate is read
/// only up to the longest length that could still be a near miss, so a 10 MB name costs
/// no more than a short one. Memory is three table rows, O(candidate length).
#[derive(Debug)]
pub(crate) struct Suggester {
    remaining: u64,
    spent: u64,
    word: Vec<char>,
    candidate: Vec<char>,
    rows: [Vec<usize>; 3],
}

impl Suggester {
    /// A suggester that may do `budget` units of work in all.
    pub(crate) fn new(budget: u64) -> Self {
        Self { remaining: budget, spent: 0, word: Vec::new(), candidate: Vec::new(), rows: Default::default() }
    }

    /// The work done so far, in the units of [`SUGGESTION_BUDGET`].
    pub(crate) fn spent(&self) -> u64 {
        self.spent
    }

    /// The largest number of table cells held at once (three rows), for tests of memory.
    #[cfg(test)]
    pub(crate) fn cells_held(&self) -> usize {
        self.rows.iter().map(Vec::capacity).sum()
    }

    fn charge(&mut self, units: u64) -> bool {
        if self.remaining < units {
            self.remaining = 0;
            return false;
        }
        self.remaining -= units;
        self.spent += units;
        true
    }

    /// A near miss from `candidates` for `word`: the closest by edit distance (case
    /// ignored, an adjacent swap counting as one edit), if close; `None` once the
    /// budget is spent.
    pub(crate) fn suggest<'a>(&mut self, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
        self.word.clear();
        self.word.extend(word.chars().flat_map(char::to_lowercase).take(MAX_SUGGESTED_CHARS + 1));
        let word_len = self.word.len();
        if word_len > MAX_SUGGESTED_CHARS || !self.charge(1) {
            return None;
        }
        let limit = (word.chars().count().min(MAX_SUGGESTED_CHARS) / 3).max(1) + usize::from(word.len() > 6);
        let mut best: Option<(usize, &'a str)> = None;
        for candidate in candidates {
            if !self.charge(1) {
                break;
            }
            self.candidate.clear();
            self.candidate.extend(candidate.chars().flat_map(char::to_lowercase).take(word_len + limit + 1));
            // The distance is at least the difference in length.
            if self.candidate.len().abs_diff(word_len) > limit {
                continue;
            }
            let cells = ((word_len + 1) * (self.candidate.len() + 1)) as u64;
            if !self.charge(cells) {
                break;
            }
            let bound = best.map_or(limit, |(distance, _)| distance.saturating_sub(1));
            if let Some(distance) = self.distance_within(bound) {
                best = Some((distance, candidate));
                if distance == 0 {
                    break;
                }
            }
        }
        best.map(|(_, candidate)| candidate.to_owned())
    }

    /// The edit distance between `self.word` and `self.candidate` if it is at most
    /// `bound`, with three rows of the table (the third for adjacent swaps).
    fn distance_within(&mut self, bound: usize) -> Option<usize> {
        let (a, b) = (&self.word, &self.candidate);
        let width = b.len() + 1;
        let [before, previous, current] = &mut self.rows;
        for row in [&mut *before, &mut *previous, &mut *current] {
            row.clear();
            row.resize(width, 0);
        }
        for (j, cell) in previous.iter_mut().enumerate() {
            *cell = j;
        }
        for (i, ca) in a.iter().enumerate() {
            if let Some(first) = current.first_mut() {
                *first = i + 1;
            }
            let mut row_min = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != cb);
                let mut best = (cell(previous, j + 1) + 1).min(cell(current, j) + 1).min(cell(previous, j) + cost);
                if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                    best = best.min(cell(before, j - 1) + 1);
                }
                if let Some(cell) = current.get_mut(j + 1) {
                    *cell = best;
                }
                row_min = row_min.min(best);
            }
            if row_min > bound {
                return None;
            }
            std::mem::swap(before, previous);
            std::mem::swap(previous, current);
        }
        previous.last().copied().filter(|&distance| distance <= bound)
    }
}

/// A cell of a table row; out of range reads as "far".
fn cell(row: &[usize], j: usize) -> usize {
    row.get(j).copied().unwrap_or(usize::MAX / 2)
}

/// A near miss from `candidates` for `word`, with a budget of its own.
#[cfg(test)]
pub(crate) fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    Suggester::new(SUGGESTION_BUDGET).suggest(word, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_and_far_ones_are_not() {
        let types = ["start", "send_request", "log"];
        assert_eq!(suggest("lgo", types).as_deref(), Some("log"));
        assert_eq!(suggest("sendrequest", types).as_deref(), Some("send_request"));
        assert_eq!(suggest("Start", types).as_deref(), Some("start"));
        assert_eq!(suggest("webhook", types), None);
        assert_eq!(suggest("sned_request", types).as_deref(), Some("send_request"));
    }

    #[test]
    fn a_huge_word_costs_no_more_than_a_short_one() {
        let word = "x".repeat(10_000_000);
        let mut suggester = Suggester::new(SUGGESTION_BUDGET);
        assert_eq!(suggester.suggest(&word, ["method", "url", "headers"]), None);
        assert_eq!(suggester.spent(), 0, "a word longer than any name is skipped outright");
        assert_eq!(suggester.cells_held(), 0);
    }

    #[test]
    fn a_huge_candidate_is_read_only_as_far_as_it_could_match() {
        let huge = "a".repeat(10_000_000);
        let mut suggester = Suggester::new(SUGGESTION_BUDGET);
        assert_eq!(suggester.suggest("methdo", [huge.as_str(), "method"]).as_deref(), Some("method"));
        // 1 for the call, 1 per candidate, 7 × 7 cells for `method`; nothing for the huge one.
        assert_eq!(suggester.spent(), 1 + 2 + 49);
        assert!(suggester.cells_held() < 64, "three rows of the table: {}", suggester.cells_held());
    }

    #[test]
    fn suggestions_stop_when_the_budget_is_spent() {
        let names: Vec<String> = (0..1_000).map(|i| format!("block-{i:04}")).collect();
        let mut suggester = Suggester::new(50_000);
        let mut hinted = 0;
        for i in 0..1_000 {
            if suggester.suggest(&format!("blokc-{i:04}"), names.iter().map(String::as_str)).is_some() {
                hinted += 1;
            }
        }
        assert!(suggester.spent() <= 50_000, "{}", suggester.spent());
        assert!((1..1_000).contains(&hinted), "the first ones are hinted, the rest not: {hinted}");
    }

    #[test]
    fn problem_reads_place_message_and_suggestion() {
        let p = Problem::at("blocks.a.type", "unknown block type `lgo`").with_suggestion(Some("log".into()));
        assert_eq!(p.to_string(), "blocks.a.type: unknown block type `lgo` (did you mean `log`?)");
    }
}
