//! Errors from reading and writing flow files: where, what, and a suggestion.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

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
            Place::Path(path) => f.write_str(path),
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
        write!(f, "{}: {}", self.place, self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

/// Why a flow file could not be read or written.
#[derive(Debug, Error)]
pub enum FlowError {
    /// The file could not be read or written.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`cannot read`, `cannot write`).
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
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
    let lines: Vec<String> = problems.iter().map(|p| format!("{file}:{p}")).collect();
    lines.join("\n")
}

/// A near miss from `candidates` for `word`: the closest by edit distance, if close.
pub(crate) fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).max(1) + usize::from(word.len() > 6);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&word.to_lowercase(), &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.to_owned())
}

/// Levenshtein distance, counting an adjacent swap as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(cell) = table.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = table.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let get = |i, j| table.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let mut best = (get(i, j + 1) + 1).min(get(i + 1, j) + 1).min(get(i, j) + cost);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                best = best.min(get(i - 1, j - 1) + 1);
            }
            if let Some(cell) = table.get_mut(at(i + 1, j + 1)) {
                *cell = best;
            }
        }
    }
    table.last().copied().unwrap_or(0)
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
    }

    #[test]
    fn problem_reads_place_message_and_suggestion() {
        let p = Problem::at("blocks.a.type", "unknown block type `lgo`").with_suggestion(Some("log".into()));
        assert_eq!(p.to_string(), "blocks.a.type: unknown block type `lgo` (did you mean `log`?)");
    }
}
