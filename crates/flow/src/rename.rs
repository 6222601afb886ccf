//! Renaming a variable in the texts of a request: each `{{old}}` (or `<<old>>`, spaces
//! inside allowed) becomes `{{new}}`; everything else stays as written. Imports use it
//! when a credential's name is taken by a global that holds another value.

use serde_json::Value;

use crate::blocks::{Auth, Body, Part, SendRequest};
use crate::template::{self, Segment};

/// Renames the variable `old` to `new` in every templated text of `request` (URL,
/// headers, query, body, auth). Returns whether anything changed.
pub fn rename_variable(request: &mut SendRequest, old: &str, new: &str) -> bool {
    let mut changed = false;
    let mut fix = |text: &mut String| {
        if let Some(renamed) = renamed(text, old, new) {
            *text = renamed;
            changed = true;
        }
    };
    fix(&mut request.url);
    for (name, value) in request.headers.iter_mut().chain(request.query.iter_mut()) {
        fix(name);
        fix(value);
    }
    match &mut request.body {
        Some(Body::Json(value)) => {
            // Iterative: a body is as deep as its parser allowed.
            let mut stack = vec![value];
            while let Some(value) = stack.pop() {
                match value {
                    Value::String(text) => fix(text),
                    Value::Array(items) => stack.extend(items.iter_mut()),
                    Value::Object(map) => stack.extend(map.values_mut()),
                    Value::Null | Value::Bool(_) | Value::Number(_) => {}
                }
            }
        }
        Some(Body::Text { text, content_type }) => {
            fix(text);
            if let Some(content_type) = content_type {
                fix(content_type);
            }
        }
        Some(Body::Form(pairs)) => pairs.iter_mut().for_each(|(name, value)| {
            fix(name);
            fix(value);
        }),
        Some(Body::Multipart(parts)) => parts.iter_mut().for_each(|(name, part)| {
            fix(name);
            if let Part::Text(text) = part {
                fix(text);
            }
        }),
        None => {}
    }
    match &mut request.auth {
        Some(Auth::Bearer { token }) => fix(token),
        Some(Auth::ApiKey { name, value, .. }) => {
            fix(name);
            fix(value);
        }
        Some(Auth::Basic { username, password }) => {
            fix(username);
            fix(password);
        }
        None => {}
    }
    changed
}

/// `text` with its references to `old` renamed; `None` when it has none.
fn renamed(text: &str, old: &str, new: &str) -> Option<String> {
    let segments = template::parse(text);
    if !segments.iter().any(|segment| matches!(segment, Segment::Var { name, .. } if *name == old)) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + new.len());
    for segment in segments {
        match segment {
            Segment::Var { name, .. } if name == old => {
                out.push_str("{{");
                out.push_str(new);
                out.push_str("}}");
            }
            Segment::Var { raw, .. } => out.push_str(raw),
            Segment::Text(literal) => out.push_str(literal),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_references_to_the_old_name_change() {
        let mut request = SendRequest::new("https://x.test/token/{{token}}?t=<< token >>");
        request.headers.push(("Authorization".into(), "Bearer {{token}} {{tokens}}".into()));
        request.body = Some(Body::Json(serde_json::json!({"a": ["{{token}}", "token"]})));
        request.auth = Some(Auth::Basic { username: "u".into(), password: "{{token}}".into() });
        assert!(rename_variable(&mut request, "token", "token-2"));
        assert_eq!(request.url, "https://x.test/token/{{token-2}}?t={{token-2}}");
        assert_eq!(request.headers[0].1, "Bearer {{token-2}} {{tokens}}");
        assert_eq!(request.body, Some(Body::Json(serde_json::json!({"a": ["{{token-2}}", "token"]}))));
        assert_eq!(request.auth, Some(Auth::Basic { username: "u".into(), password: "{{token-2}}".into() }));
        assert!(!rename_variable(&mut request, "absent", "x"));
    }
}
