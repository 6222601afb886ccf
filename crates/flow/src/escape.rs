//! Escaping control characters in text that reaches a terminal or a log line.
//!
//! Everything a flow file, `globals.json` or a server supplies (block ids, field names,
//! flow names, values, messages) is shown through [`Escaped`] or [`escape_controls`], so
//! a newline cannot forge a line of output, a NUL cannot hide a character, and an
//! `ESC ]` sequence cannot retitle or recolour the terminal. The CLI, the app's console
//! and every error message of the flow and vault crates use this one function.
//!
//! Escaped: the C0 controls, DEL and the C1 controls (`char::is_control`), the line and
//! paragraph separators U+2028/U+2029, and the bidirectional overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069), which can reorder what a reader sees. They print as
//! `\n`, `\r`, `\t`, `\0` or `\u{1b}`. Everything else, backslashes included, is kept
//! as it is, so ordinary text reads unchanged.

use std::borrow::Cow;
use std::fmt;

/// Whether `c` is shown escaped.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character escaped (`\n`, `\u{1b}`); borrowed when there
/// is none. Linear in the length of `text`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if text.chars().any(needs_escape) { Cow::Owned(Escaped(text).to_string()) } else { Cow::Borrowed(text) }
}

/// Shows a `&str` with control characters escaped, without allocating:
/// `format!("block `{}`", Escaped(id))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Most text is printable ASCII: one pass over its bytes, then written whole.
        if self.0.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return f.write_str(self.0);
        }
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            f.write_str(rest.get(..at).unwrap_or_default())?;
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\0' => f.write_str("\\0")?,
                other => write!(f, "\\u{{{:x}}}", u32::from(other))?,
            }
            rest = rest.get(at + c.len_utf8()..).unwrap_or_default();
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_is_kept() {
        assert_eq!(escape_controls("a\nb\r\tc\0d"), "a\\nb\\r\\tc\\0d");
        assert_eq!(escape_controls("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(escape_controls("x\u{7f}\u{9b}\u{202e}\u{2028}y"), "x\\u{7f}\\u{9b}\\u{202e}\\u{2028}y");
        assert_eq!(escape_controls("C:\\dir é — ✓"), "C:\\dir é — ✓");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn an_escaped_newline_cannot_forge_a_line() {
        let id = "a\nfile.json:1:1: looks fine";
        let line = format!("no block `{}`", Escaped(id));
        assert_eq!(line.lines().count(), 1, "{line}");
    }
}
