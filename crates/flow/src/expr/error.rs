//! What goes wrong with an expression: [`ExprError`] (its text, when it is compiled)
//! and [`EvalError`] (a run), jaq's compile errors put in words, and messages of
//! bounded length.

use std::fmt;

use jaq_core::load::{lex, parse};

/// Longest error text taken from jaq (its messages may quote whole values).
const MAX_MESSAGE: usize = 300;

/// A problem with an expression's text, found when it is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// Byte offset into the expression where the problem is.
    pub offset: usize,
}

impl ExprError {
    /// The 1-based column (in characters) of the problem within `text`.
    pub fn column(&self, text: &str) -> usize {
        text.get(..self.offset).map_or(1, |before| before.chars().count() + 1)
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, as a person reads it.
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl EvalError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

/// `shown` as text of at most [`MAX_MESSAGE`] bytes (and `…`): formatting stops there,
/// so a message quoting a huge value takes no more time or memory than a short one.
pub(super) fn bounded_text(shown: &impl fmt::Display) -> String {
    let mut out = Bounded(String::new());
    let cut = fmt::write(&mut out, format_args!("{shown}")).is_err();
    let mut message = out.0;
    if cut {
        message.push('…');
    }
    message
}

/// A `fmt::Write` that keeps the first [`MAX_MESSAGE`] bytes and then refuses more.
struct Bounded(String);

impl fmt::Write for Bounded {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = MAX_MESSAGE.saturating_sub(self.0.len());
        if text.len() <= room {
            self.0.push_str(text);
            return Ok(());
        }
        let mut end = room;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.0.push_str(text.get(..end).unwrap_or_default());
        Err(fmt::Error)
    }
}

// --- compile errors ------------------------------------------------------------------

/// Why `import` and `include` are refused.
pub(super) const NO_IMPORTS: &str =
    "`import` and `include` are not available: Switchyard expressions cannot read modules or data files";

pub(super) fn offset_in(text: &str, part: &str) -> usize {
    let start = text.as_ptr() as usize;
    (part.as_ptr() as usize).saturating_sub(start).min(text.len())
}

pub(super) fn load_error(text: &str, errors: jaq_core::load::Errors<&str, ()>) -> ExprError {
    use jaq_core::load::Error;
    let first = errors.into_iter().next().map(|(_, error)| error);
    match first {
        Some(Error::Lex(errors)) => match errors.into_iter().next() {
            Some((expect, at)) => {
                ExprError { message: format!("expected {}", lex_expect(&expect)), offset: offset_in(text, at) }
            }
            None => ExprError { message: "invalid expression".to_owned(), offset: 0 },
        },
        Some(Error::Parse(errors)) => match errors.into_iter().next() {
            Some((expect, at)) => {
                let found = if at.is_empty() { "the end".to_owned() } else { format!("`{}`", first_token(at)) };
                ExprError {
                    message: format!("expected {}, found {found}", parse_expect(&expect)),
                    offset: offset_in(text, at),
                }
            }
            None => ExprError { message: "invalid expression".to_owned(), offset: 0 },
        },
        Some(Error::Io(errors)) => {
            let offset = errors.first().map_or(0, |(path, _)| offset_in(text, path));
            ExprError { message: NO_IMPORTS.to_owned(), offset }
        }
        None => ExprError { message: "invalid expression".to_owned(), offset: 0 },
    }
}

fn first_token(at: &str) -> &str {
    let end = at.char_indices().nth(12).map_or(at.len(), |(i, _)| i);
    let token = at.get(..end).unwrap_or(at);
    token.split_whitespace().next().unwrap_or(token)
}

fn lex_expect(expect: &lex::Expect<&str>) -> &'static str {
    match expect {
        lex::Expect::Digit => "a digit",
        lex::Expect::Ident => "a name",
        lex::Expect::Delim("(") => "a closing parenthesis",
        lex::Expect::Delim("[") => "a closing bracket",
        lex::Expect::Delim("{") => "a closing brace",
        lex::Expect::Delim(_) => "a closing quote",
        lex::Expect::Escape => "a string escape sequence",
        lex::Expect::Unicode => "a 4-digit hexadecimal code point",
        _ => "a token",
    }
}

fn parse_expect(expect: &parse::Expect<&str>) -> String {
    match expect {
        parse::Expect::Just(token) => format!("`{token}`"),
        other => other.as_str().to_owned(),
    }
}
