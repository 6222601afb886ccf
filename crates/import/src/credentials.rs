//! What looks like a credential, and turning a literal one into a `{{name}}`.

use std::collections::HashSet;

use serde_json::Value;
use switchyard_flow::{Auth, BlockKind, Body, Flow, Part, SendRequest, template};

use crate::{ImportedVariable, SecretText, VariableValue, escape};

/// Whether a variable, query parameter or form field named `name` looks like it holds
/// a credential (`api_key`, `accessToken`, `client_secret`, `password`, `sig`). The
/// name is read as words (`_`, `-`, `.` and camelCase split it), so `keyword` or
/// `monkey` do not count but `apiKey` and `x-api-key` do.
pub(crate) fn is_credential_name(name: &str) -> bool {
    // Whole last words: `api_key`, `x-auth`, `sig`; `key_id` and `auth_type` do not count.
    const LAST: [&str; 11] =
        ["key", "pass", "pwd", "auth", "sig", "signature", "credential", "credentials", "jwt", "sid", "otp"];
    // Inside any word (`accessToken`, `client_secret`, `password_confirmation`), unless
    // the name ends in a word that describes rather than holds one (`token_type`).
    const INSIDE: [&str; 4] = ["token", "secret", "password", "passwd"];
    const DESCRIBING: [&str; 14] = [
        "type", "hint", "url", "uri", "endpoint", "name", "id", "length", "expires", "expiry", "ttl", "count",
        "format", "method",
    ];
    // One word ending in `key`: `apikey`, `X-APIKEY`.
    const KEYS: [&str; 10] = [
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "authkey",
        "clientkey",
        "sessionkey",
        "subscriptionkey",
        "masterkey",
        "signingkey",
    ];
    let words = words(name);
    let Some(last) = words.last() else { return false };
    LAST.contains(&last.as_str())
        || KEYS.contains(&last.as_str())
        || (!DESCRIBING.contains(&last.as_str()) && words.iter().any(|w| INSIDE.iter().any(|i| w.contains(i))))
}

/// `x-apiKey_ID` → `["x", "api", "key", "id"]`: lower-case words split at anything
/// that is not a letter or digit and where lower case turns to upper case.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a header named `name` carries a credential (`Authorization`, `X-Api-Key`,
/// `Cookie`).
pub(crate) fn is_credential_header(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    lower == "authorization"
        || lower == "proxy-authorization"
        || lower == "cookie"
        || ["api-key", "apikey", "api_key", "token", "secret", "x-auth", "password"]
            .iter()
            .any(|word| lower.contains(word))
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

    /// A query parameter's or form field's value as it goes into the flow: replaced when
    /// `name` looks like a credential (`api_key`, `access_token`, `client_secret`).
    pub(crate) fn field(&mut self, name: &str, value: &str, origin: &str) -> String {
        if is_credential_name(name) { self.replace(value, name, origin) } else { value.to_owned() }
    }

    /// The credential-looking query parameters, form fields, multipart text parts and
    /// JSON fields of `request`, each replaced where it stands. `place` starts each
    /// origin (`request \`Login\`: `).
    pub(crate) fn fields(&mut self, request: &mut SendRequest, place: &str) {
        for (name, value) in &mut request.query {
            *value = self.field(name, value, &format!("{place}query parameter `{name}`"));
        }
        match &mut request.body {
            Some(Body::Form(pairs)) => {
                for (name, value) in pairs {
                    *value = self.field(name, value, &format!("{place}form field `{name}`"));
                }
            }
            Some(Body::Multipart(parts)) => {
                for (name, part) in parts {
                    if let Part::Text(text) = part {
                        *text = self.field(name, text, &format!("{place}form field `{name}`"));
                    }
                }
            }
            Some(Body::Json(value)) => self.json(value, place),
            Some(Body::Text { text, .. }) => self.json_text(text, place),
            None => {}
        }
    }

    /// A text body that is JSON (curl's `-d '{…}'` with no JSON content type): the
    /// string values of credential-looking keys replaced in the text itself, which is
    /// sent as written.
    fn json_text(&mut self, text: &mut String, place: &str) {
        let Ok(mut value) = serde_json::from_str::<Value>(text) else { return };
        let before = self.found.len();
        let mut original = value.clone();
        self.json(&mut value, place);
        if self.found.len() == before {
            return;
        }
        // Each credential's JSON string (`"sk-…"`) becomes its reference's (`"{{name}}"`).
        let mut pairs = Vec::new();
        collect_changed(&mut original, &value, &mut pairs);
        for (old, new) in pairs {
            let (Ok(old), Ok(new)) = (serde_json::to_string(&old), serde_json::to_string(&new)) else { continue };
            *text = text.replace(&old, &new);
        }
        // A value written with other escapes (`\u0041`) is not found that way: then the
        // text is written anew, compact, rather than keep the credential.
        if serde_json::from_str::<Value>(text).ok().as_ref() != Some(&value) {
            *text = serde_json::to_string(&value).unwrap_or_default();
        }
    }

    /// The string values of credential-looking keys anywhere in a JSON body
    /// (`{"password": "…"}`), in document order. Iterative: a body is as deep as its
    /// parser allowed.
    fn json(&mut self, value: &mut Value, place: &str) {
        let mut stack = vec![value];
        while let Some(value) = stack.pop() {
            match value {
                Value::Object(map) => {
                    let mut nested = Vec::new();
                    for (key, item) in map.iter_mut() {
                        if let Value::String(text) = item {
                            *text = self.field(key, text, &format!("{place}JSON field `{key}`"));
                        } else if item.is_object() || item.is_array() {
                            nested.push(item);
                        }
                    }
                    stack.extend(nested.into_iter().rev());
                }
                Value::Array(items) => stack.extend(items.iter_mut().rev()),
                Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
            }
        }
    }

    /// The Basic auth of a user and password (curl's `-u`, a URL's userinfo): the
    /// password is the credential, or the user when there is no password
    /// (`-u sk_test_…:`). `what` names where they were (`-u`, `the URL`).
    pub(crate) fn basic(&mut self, user: &str, password: &str, what: &str) -> Auth {
        if password.is_empty() {
            let username = self.replace(user, "api_key", &format!("the user of {what}"));
            Auth::Basic { username, password: String::new() }
        } else {
            let password = self.replace(password, "password", &format!("the password of {what}"));
            Auth::Basic { username: user.to_owned(), password }
        }
    }

    /// Credential-looking query values written in a URL (`?api_key=…`), each replaced
    /// in place by its `{{name}}`; the rest of the URL stays as written. The value is
    /// kept as it was typed (still percent-encoded), as it is put back into the URL.
    pub(crate) fn url_query(&mut self, url: &str, place: &str) -> String {
        let (head, fragment) = match url.find('#') {
            Some(at) => url.split_at(at),
            None => (url, ""),
        };
        let Some((base, query)) = head.split_once('?') else { return url.to_owned() };
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) => {
                    let decoded = crate::percent::decode_query_text(name);
                    let origin = format!("{place}query parameter `{decoded}`");
                    format!("{name}={}", self.field(&decoded, value, &origin))
                }
                None => pair.to_owned(),
            })
            .collect();
        format!("{base}?{}{fragment}", pairs.join("&"))
    }

    /// The credentials found, in the order found.
    pub(crate) fn into_variables(self) -> Vec<ImportedVariable> {
        self.found
    }
}

/// The (before, after) of each string that differs between two JSON values of one
/// shape. Iterative.
fn collect_changed(before: &mut Value, after: &Value, out: &mut Vec<(String, String)>) {
    let mut stack = vec![(before, after)];
    while let Some((before, after)) = stack.pop() {
        match (before, after) {
            (Value::String(old), Value::String(new)) if old != new => out.push((std::mem::take(old), new.clone())),
            (Value::Array(old), Value::Array(new)) => stack.extend(old.iter_mut().zip(new)),
            (Value::Object(old), Value::Object(new)) => {
                stack.extend(old.iter_mut().filter_map(|(key, item)| new.get(key).map(|other| (item, other))));
            }
            _ => {}
        }
    }
}

/// A URL's userinfo taken out: (the URL without it, the user, the password), both
/// percent-decoded; `None` when the URL has none (`https://bob:pw@host/x` →
/// `https://host/x`, `bob`, `pw`).
pub(crate) fn take_userinfo(url: &str) -> Option<(String, String, String)> {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end)?;
    let at = authority.rfind('@')?;
    let userinfo = authority.get(..at)?;
    let host_and_path = rest.get(at + 1..)?;
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    Some((format!("{scheme}{host_and_path}"), decode_userinfo(user), decode_userinfo(password)))
}

/// `%XX` undone (a `+` stays a `+` in a URL's userinfo); text that does not decode to
/// UTF-8 stays as written.
fn decode_userinfo(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|&h| (h as char).to_digit(16));
        if let (b'%', Some(high), Some(low)) = (b, hex(i + 1), hex(i + 2)) {
            out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Whether a credential is distinctive enough to be looked for beyond the place it
/// stood: 8 characters or more and not only letters. A word such as `bearer` or
/// `admin` is ordinary text too (`https://httpbin.org/bearer`).
fn is_distinctive(value: &str) -> bool {
    value.chars().count() >= 8 && !value.chars().all(char::is_alphabetic)
}

/// `text` with each occurrence of `value` that stands as a whole token (no letter or
/// digit right before or after it) replaced by `reference`; `None` when there is none.
fn replace_whole(text: &str, value: &str, reference: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find(value) {
        let before = rest.get(..at).and_then(|b| b.chars().next_back()).or_else(|| out.chars().next_back());
        let after_at = at + value.len();
        let after = rest.get(after_at..).and_then(|a| a.chars().next());
        let whole = !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(rest.get(..at).unwrap_or_default());
        if whole {
            out.push_str(reference);
            changed = true;
        } else {
            out.push_str(value);
        }
        rest = rest.get(after_at..).unwrap_or_default();
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Replaces a credential typed literally a second time elsewhere in a request (a
/// body, a URL) with its `{{name}}`, so that it does not reach the flow file either.
/// Only distinctive values ([`is_distinctive`]) standing as a whole token are replaced:
/// a credential is replaced where it stood, and elsewhere only where it cannot be
/// ordinary text.
pub(crate) fn scrub(flow: &mut Flow, variables: &[ImportedVariable]) {
    let secrets: Vec<(&str, String)> = variables
        .iter()
        .filter(|v| v.value.is_secret() && is_distinctive(v.value.expose()))
        .map(|v| (v.value.expose(), format!("{{{{{}}}}}", v.name)))
        .collect();
    if secrets.is_empty() {
        return;
    }
    let mut fix = |text: &mut String| {
        for (value, reference) in &secrets {
            if let Some(fixed) = replace_whole(text, value, reference) {
                *text = fixed;
            }
        }
    };
    for block in &mut flow.blocks {
        let BlockKind::SendRequest(request) = &mut block.kind else { continue };
        request.texts_mut(&mut fix);
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
