//! The template language: `{{name}}` and `<<name>>` references inside text.
//!
//! A reference is `{{`, optional spaces, a name of `[A-Za-z0-9_.-]+`, optional spaces,
//! `}}` (or the same between `<<` and `>>`). Anything else, such as an unclosed `{{`,
//! is plain text. `input` and `input.PATH` name the value that reached the block.

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

/// Tries to read a reference at the start of `text`; returns the name and its length.
fn reference_at(text: &str) -> Option<(&str, usize)> {
    let (close, rest) = if let Some(rest) = text.strip_prefix("{{") {
        ("}}", rest)
    } else if let Some(rest) = text.strip_prefix("<<") {
        (">>", rest)
    } else {
        return None;
    };
    let end = rest.find(close)?;
    let inner = rest.get(..end)?;
    let name = inner.trim_matches(' ');
    is_valid_name(name).then_some((name, 2 + end + 2))
}

/// Splits `text` into literal text and references.
pub fn parse(text: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut literal_start = 0;
    let mut index = 0;
    while index < text.len() {
        let rest = text.get(index..).unwrap_or_default();
        if let Some((name, len)) = reference_at(rest) {
            if literal_start < index {
                segments.push(Segment::Text(text.get(literal_start..index).unwrap_or_default()));
            }
            segments.push(Segment::Var { name, raw: rest.get(..len).unwrap_or_default() });
            index += len;
            literal_start = index;
        } else {
            index += rest.chars().next().map_or(1, char::len_utf8);
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
    use serde_json::json;

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
