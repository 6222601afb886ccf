//! Reading Postman's JSON shapes: scalars as text, switched-off entries, inherited auth,
//! and a raw URL's query and user information.

use serde_json::{Map, Value};

use crate::credentials::take_userinfo;
use crate::percent::decode_query_text;

/// A JSON scalar as text: strings as they are, numbers and booleans written out.
pub(super) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Whether a `{key, value, disabled}` entry is switched off.
pub(super) fn is_disabled(entry: &Map<String, Value>) -> bool {
    entry.get("disabled") == Some(&Value::Bool(true))
}

/// The auth object, or `None` when it is absent or `null` (inherit).
pub(super) fn auth_of(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value.and_then(Value::as_object).filter(|auth| auth.get("type").and_then(Value::as_str) != Some("inherit"))
}

/// Splits `base?a=1&b` into the base and its query pairs, each decoded once (Postman
/// keeps them as typed). A `#fragment` is dropped.
pub(super) fn split_raw_url(raw: &str) -> (String, Vec<(String, String)>) {
    let raw = raw.split('#').next().unwrap_or_default();
    match raw.split_once('?') {
        None => (raw.to_owned(), Vec::new()),
        Some((base, query)) => {
            let pairs = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((key, value)) => (decode_query_text(key), decode_query_text(value)),
                    None => (decode_query_text(pair), String::new()),
                })
                .collect();
            (base.to_owned(), pairs)
        }
    }
}

/// A URL's user and password taken out of it (`https://bob:pw@host` → `https://host`),
/// from the URL itself or from Postman's `url.auth` (`{"user", "password"}`).
pub(super) fn userinfo_of(url: &str, auth: Option<&Value>) -> (String, Option<(String, String)>) {
    let (url, userinfo) = match take_userinfo(url) {
        Some((url, user, password)) => (url, Some((user, password))),
        None => (url.to_owned(), None),
    };
    let from_object = auth.and_then(Value::as_object).and_then(|auth| {
        let user = auth.get("user").map(scalar_text).unwrap_or_default();
        let password = auth.get("password").map(scalar_text).unwrap_or_default();
        (!user.is_empty() || !password.is_empty()).then_some((user, password))
    });
    (url, from_object.or(userinfo))
}
