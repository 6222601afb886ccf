//! What looks like a credential, and turning a literal one into a `{{name}}`.

use std::collections::HashSet;

use serde_json::Value;
use switchyard_flow::{Auth, BlockKind, Body, Flow, Part, template};

use crate::{ImportedVariable, SecretText, VariableValue, escape};

/// Whether a variable or parameter named `name` looks like it holds a credential
/// (`api_key`, `accessToken`, `client_secret`, `password`).
pub(crate) fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["key", "token", "secret", "password", "passwd"].iter().any(|word| lower.contains(word))
}

/// Whether a header named `name` carries a credential (`Authorization`, `X-Api-Key`).
pub(crate) fn is_credential_header(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    lower == "authorization"
        || lower == "proxy-authorization"
        || ["api-key", "apikey", "api_key", "token", "secret", "x-auth"].iter().any(|word| lower.contains(word))
}

/// Whether `text` refers to a variable anywhere.
pub(crate) fn has_reference(text: &str) -> bool {
    template::references(text).next().is_some()
}

/// Splits `Bearer abc` into (`Bearer `, `abc`) for an Authorization-style header; any
/// other value is all credential.
pub(crate) fn split_scheme<'a>(header: &str, value: &'a str) -> (&'a str, &'a str) {
    let lower = header.trim().to_ascii_lowercase();
    if lower == "authorization" || lower == "proxy-authorization" {
        let trimmed = value.trim_start();
        if let Some(space) = trimmed.find(' ') {
            let scheme = trimmed.get(..space).unwrap_or_default();
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                let lead = value.len() - trimmed.len();
                let rest = trimmed.get(space..).unwrap_or_default();
                let credential = rest.trim_start();
                let split = lead + space + (rest.len() - credential.len());
                return (value.get(..split).unwrap_or_default(), credential);
            }
        }
    }
    ("", value)
}

/// Literal credentials found so far: each distinct value gets one `{{name}}`.
#[derive(Default)]
pub(crate) struct Credentials {
    found: Vec<ImportedVariable>,
    names: HashSet<String>,
}

impl Credentials {
    /// Names that are already in use (collection variables), so none is reused.
    pub(crate) fn reserve(&mut self, name: &str) {
        self.names.insert(name.to_owned());
    }

    /// `value` as it goes into the flow: unchanged when it is empty or refers to a
    /// variable, else `{{name}}` (the same name for the same value), its value kept as
    /// a secret. `wanted` is the name to start from; `origin` says where it was found.
    pub(crate) fn replace(&mut self, value: &str, wanted: &str, origin: &str) -> String {
        if value.trim().is_empty() || has_reference(value) {
            return value.to_owned();
        }
        if let Some(known) = self.found.iter().find(|v| v.value.expose() == value) {
            return format!("{{{{{}}}}}", known.name);
        }
        let base = variable_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        self.found.push(ImportedVariable {
            name: name.clone(),
            value: VariableValue::Secret(SecretText::new(value)),
            origin: escape(origin),
        });
        format!("{{{{{name}}}}}")
    }

    /// A header's value with its credential part replaced (`Bearer {{token}}`).
    pub(crate) fn header(&mut self, header: &str, value: &str, origin: &str) -> String {
        let (scheme, credential) = split_scheme(header, value);
        let wanted = if scheme.is_empty() { header.to_owned() } else { "token".to_owned() };
        format!("{scheme}{}", self.replace(credential, &wanted, origin))
    }

    /// The credentials found, in the order found.
    pub(crate) fn into_variables(self) -> Vec<ImportedVariable> {
        self.found
    }
}

/// Replaces every occurrence of a secret's value in the flow's requests with its
/// `{{name}}`, so that a credential typed literally somewhere else (a body, a URL) does
/// not reach the flow file either. Values shorter than 4 characters are left alone:
/// they would match ordinary text.
pub(crate) fn scrub(flow: &mut Flow, variables: &[ImportedVariable]) {
    let secrets: Vec<(&str, String)> = variables
        .iter()
        .filter(|v| v.value.is_secret() && v.value.expose().chars().count() >= 4)
        .map(|v| (v.value.expose(), format!("{{{{{}}}}}", v.name)))
        .collect();
    if secrets.is_empty() {
        return;
    }
    let fix = |text: &mut String| {
        for (value, reference) in &secrets {
            if text.contains(value) {
                *text = text.replace(value, reference);
            }
        }
    };
    for block in &mut flow.blocks {
        let BlockKind::SendRequest(request) = &mut block.kind else { continue };
        fix(&mut request.url);
        for (name, value) in request.headers.iter_mut().chain(request.query.iter_mut()) {
            fix(name);
            fix(value);
        }
        match &mut request.body {
            Some(Body::Json(value)) => scrub_json(value, &fix),
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
    }
}

fn scrub_json(value: &mut Value, fix: &dyn Fn(&mut String)) {
    match value {
        Value::String(text) => fix(text),
        Value::Array(items) => items.iter_mut().for_each(|item| scrub_json(item, fix)),
        Value::Object(map) => map.values_mut().for_each(|item| scrub_json(item, fix)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `X-Api-Key` → `x_api_key`: a variable name that is also a shell variable name.
pub(crate) fn variable_name(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "secret_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_kept_and_only_the_credential_replaced() {
        let mut credentials = Credentials::default();
        assert_eq!(credentials.header("Authorization", "Bearer sk-abc", "h"), "Bearer {{token}}");
        assert_eq!(credentials.header("X-Api-Key", "k-123", "h"), "{{x_api_key}}");
        assert_eq!(credentials.header("Authorization", "Bearer sk-abc", "h"), "Bearer {{token}}");
        assert_eq!(credentials.header("Authorization", "Token other", "h"), "Token {{token_2}}");
        assert_eq!(credentials.header("Authorization", "Bearer {{mine}}", "h"), "Bearer {{mine}}");
        let names: Vec<String> = credentials.into_variables().into_iter().map(|v| v.name).collect();
        assert_eq!(names, ["token", "x_api_key", "token_2"]);
    }

    #[test]
    fn credential_names_and_headers_are_recognised() {
        assert!(is_credential_name("apiKey") && is_credential_name("client_secret") && is_credential_name("PASSWORD"));
        assert!(!is_credential_name("baseUrl"));
        assert!(is_credential_header("authorization") && is_credential_header("X-API-Key"));
        assert!(!is_credential_header("Accept"));
    }
}
