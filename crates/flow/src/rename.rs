//! Renaming a variable in the texts of a request: each `{{old}}` (or `<<old>>`, spaces
//! inside allowed) becomes `{{new}}`; everything else stays as written. Imports use it
//! when a credential's name is taken by a global that holds another value.

use crate::blocks::SendRequest;
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
    request.texts_mut(&mut fix);
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
    use crate::blocks::{Auth, Body};

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
