//! The values blocks fire, as types: what a Send Request fires (on `success` or `failure`) and its
//! error. Their JSON is exactly the format's; front ends read them with
//! [`ResponseValue::from_value`] instead of digging into JSON by hand.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a Send Request fires: the response, or what stopped it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseValue {
    /// HTTP status; `null` when there was no response.
    pub status: Option<u16>,
    /// Response headers (repeated ones joined with `, `).
    pub headers: Map<String, Value>,
    /// The body: parsed JSON when the response is JSON, else text; `null` without one.
    pub body: Value,
    /// Time from sending to the end of the body, in milliseconds.
    pub duration_ms: u64,
    /// The URL of the final response (or the URL that was to be requested).
    pub url: String,
    /// Why the request failed, when it did before or instead of a response, or a check failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorValue>,
}

impl ResponseValue {
    /// The value as the JSON that flows to the next block.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// [`ResponseValue::to_value`] without copying the headers and the body: what a
    /// request fires, once per response. The same JSON, field for field.
    pub fn into_value(self) -> Value {
        // The keys, hashed once: each response copies this map (its index is copied,
        // not rebuilt) and fills in the values in key order.
        static FIELDS: LazyLock<Map<String, Value>> = LazyLock::new(|| {
            let mut map = Map::with_capacity(6);
            for key in ["status", "headers", "body", "duration_ms", "url"] {
                map.insert(key.to_owned(), Value::Null);
            }
            map
        });
        let mut map = FIELDS.clone();
        let values = [
            self.status.map_or(Value::Null, Value::from),
            Value::Object(self.headers),
            self.body,
            Value::from(self.duration_ms),
            Value::String(self.url),
        ];
        for (slot, value) in map.values_mut().zip(values) {
            *slot = value;
        }
        if let Some(error) = self.error {
            map.insert("error".to_owned(), serde_json::to_value(error).unwrap_or(Value::Null));
        }
        Value::Object(map)
    }

    /// Reads a value fired by a Send Request (none for any other value).
    pub fn from_value(value: &Value) -> Option<Self> {
        Self::deserialize(value).ok()
    }
}

/// `error` in a failure value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorValue {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What happened, for a person.
    pub message: String,
    /// For `check_failed`: each check that did not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<FailedCheck>,
}

/// A check that did not hold, and what its condition gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedCheck {
    /// The check's name.
    pub name: String,
    /// Its jq condition.
    pub expression: String,
    /// What the condition evaluated to.
    pub result: Value,
}

/// Why a request failed before or instead of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A `{{name}}` had no value; nothing was sent.
    UnresolvedVariable,
    /// A secret was not allowed for the request's host; nothing was sent.
    HostNotAllowed,
    /// The URL did not parse or is not http(s).
    InvalidUrl,
    /// A header name or value, or the method, is not valid HTTP.
    InvalidRequest,
    /// The host name did not resolve.
    Dns,
    /// The connection could not be made (refused, unreachable).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// No full response within `timeout_ms`.
    Timeout,
    /// The response body was larger than the limit.
    BodyTooLarge,
    /// A redirect would have carried a secret to another origin.
    RedirectBlocked,
    /// More redirects than the limit.
    TooManyRedirects,
    /// The connection broke during the exchange.
    Network,
    /// The response came, but a check did not hold.
    CheckFailed,
    /// The rendered request would have taken more than `max_request_bytes`; nothing was sent.
    RequestTooLarge,
    /// The response came, but a capture's expression failed (or a secret capture gave
    /// no text).
    CaptureFailed,
}

impl ErrorKind {
    /// The `error.kind` text in a failure value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::UnresolvedVariable => "unresolved_variable",
            ErrorKind::HostNotAllowed => "host_not_allowed",
            ErrorKind::InvalidUrl => "invalid_url",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Dns => "dns",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Timeout => "timeout",
            ErrorKind::BodyTooLarge => "body_too_large",
            ErrorKind::RedirectBlocked => "redirect_blocked",
            ErrorKind::TooManyRedirects => "too_many_redirects",
            ErrorKind::Network => "network",
            ErrorKind::CheckFailed => "check_failed",
            ErrorKind::RequestTooLarge => "request_too_large",
            ErrorKind::CaptureFailed => "capture_failed",
        }
    }

    /// A few words for a block's result line (`timeout`, `connection failed`).
    pub fn short(self) -> &'static str {
        match self {
            ErrorKind::UnresolvedVariable => "unresolved variable",
            ErrorKind::HostNotAllowed => "host not allowed",
            ErrorKind::InvalidUrl => "invalid URL",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Dns => "DNS error",
            ErrorKind::Connect => "connection failed",
            ErrorKind::Tls => "TLS error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::BodyTooLarge => "body too large",
            ErrorKind::RedirectBlocked => "redirect blocked",
            ErrorKind::TooManyRedirects => "too many redirects",
            ErrorKind::Network => "network error",
            ErrorKind::CheckFailed => "check failed",
            ErrorKind::RequestTooLarge => "request too large",
            ErrorKind::CaptureFailed => "capture failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn into_value_is_to_value_field_for_field() {
        let error = ErrorValue {
            kind: ErrorKind::CheckFailed,
            message: "m".into(),
            checks: vec![FailedCheck { name: "n".into(), expression: ".x".into(), result: json!(false) }],
        };
        for error in [None, Some(error)] {
            let value = ResponseValue {
                status: Some(200),
                headers: json!({"content-type": "application/json"}).as_object().cloned().unwrap_or_default(),
                body: json!({"a": [1, 2]}),
                duration_ms: 5,
                url: "http://h/".into(),
                error,
            };
            let (by_ref, by_move) = (value.to_value(), value.clone().into_value());
            assert_eq!(by_ref, by_move);
            assert_eq!(serde_json::to_string(&by_ref).ok(), serde_json::to_string(&by_move).ok(), "same order");
        }
        let none = ResponseValue {
            status: None,
            headers: Map::new(),
            body: Value::Null,
            duration_ms: 0,
            url: String::new(),
            error: None,
        };
        assert_eq!(none.to_value(), none.clone().into_value());
    }
}
