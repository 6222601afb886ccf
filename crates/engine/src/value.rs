//! The values blocks fire, as types: what a Send Request fires and its error (their
//! JSON: docs/flow-format.md).
//!
//! A response is built once as a [`ResponseValue`] and turned into the JSON that flows
//! to the next block ([`ResponseValue::into_value`]); from then on it stays JSON, shared
//! (`Arc<Value>`) with every block, event and front end that reads it. They read it
//! through [`ResponseView`], a borrowed typed view over that JSON (status, headers,
//! body, URL, duration, error), never by string keys of their own and never by copying
//! it back into a `ResponseValue`; a check or capture that fails sets `error` in place
//! ([`set_error`]).

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

    /// Reads a value fired by a Send Request back into a `ResponseValue`, copying it
    /// (none for any other value). Front ends read a fired value through
    /// [`ResponseView::of`] instead, which copies nothing.
    pub fn from_value(value: &Value) -> Option<Self> {
        Self::deserialize(value).ok()
    }
}

/// Sets `error` of a response value in place (a response value is always an object;
/// anything else is left as it is): how a failed check or capture turns a response
/// into a failure value without rebuilding it.
pub(crate) fn set_error(value: &mut Value, error: ErrorValue) {
    if let Value::Object(map) = value {
        map.insert("error".to_owned(), serde_json::to_value(error).unwrap_or(Value::Null));
    }
}

/// A Send Request's fired value, read in place: what [`ResponseValue`] holds, borrowed
/// from the JSON that flows (`{"status", "headers", "body", "duration_ms", "url",
/// "error"?}`). Each field is read as the format types it; one that does not have its
/// type (a value masked into `*****`, say) reads as absent rather than failing the view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseView<'a> {
    /// HTTP status; `None` when there was no response.
    pub status: Option<u16>,
    /// Response headers (repeated ones joined with `, `); empty without a response.
    pub headers: &'a Map<String, Value>,
    /// The body: parsed JSON, or text; `Value::Null` without one.
    pub body: &'a Value,
    /// The URL of the final response (or the URL that was to be requested).
    pub url: Option<&'a str>,
    /// Time from sending to the end of the body, in milliseconds.
    pub duration_ms: Option<u64>,
    /// Why the request failed or a check or capture did not hold, when one did.
    pub error: Option<ErrorView<'a>>,
}

/// `error` of a fired value, read in place (see [`ErrorValue`] for the typed form).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorView<'a> {
    /// `error.kind` as written (`timeout`, `check_failed`); see [`ErrorView::kind`].
    pub kind: Option<&'a str>,
    /// What happened, for a person.
    pub message: Option<&'a str>,
    /// The whole `error` value (with `checks` for `check_failed`).
    pub value: &'a Value,
}

impl<'a> ResponseView<'a> {
    /// The view of a value a Send Request fired: an object with `status` and `headers`
    /// (an object). `None` for any other value (a logged number,
    /// a check's result, the console's request lines).
    pub fn of(value: &'a Value) -> Option<Self> {
        static NULL: Value = Value::Null;
        let object = value.as_object()?;
        let headers = object.get("headers")?.as_object()?;
        let status = object.get("status")?.as_u64().and_then(|status| u16::try_from(status).ok());
        let error = ErrorView::of(value);
        Some(Self {
            status,
            headers,
            body: object.get("body").unwrap_or(&NULL),
            url: object.get("url").and_then(Value::as_str),
            duration_ms: object.get("duration_ms").and_then(Value::as_u64),
            error,
        })
    }
}

impl<'a> ErrorView<'a> {
    /// `error` of a failure value, when it has one: read from any object, so a value
    /// that lost the rest of a response's shape still tells why it failed.
    pub fn of(value: &'a Value) -> Option<Self> {
        let error = value.get("error").filter(|error| !error.is_null())?;
        Some(Self {
            kind: error.get("kind").and_then(Value::as_str),
            message: error.get("message").and_then(Value::as_str),
            value: error,
        })
    }

    /// `error.kind` as an [`ErrorKind`], when it is one.
    pub fn kind(&self) -> Option<ErrorKind> {
        let kind = self.kind?;
        ErrorKind::ALL.into_iter().find(|known| known.as_str() == kind)
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
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::UnresolvedVariable,
        ErrorKind::HostNotAllowed,
        ErrorKind::InvalidUrl,
        ErrorKind::InvalidRequest,
        ErrorKind::Dns,
        ErrorKind::Connect,
        ErrorKind::Tls,
        ErrorKind::Timeout,
        ErrorKind::BodyTooLarge,
        ErrorKind::RedirectBlocked,
        ErrorKind::TooManyRedirects,
        ErrorKind::Network,
        ErrorKind::CheckFailed,
        ErrorKind::RequestTooLarge,
        ErrorKind::CaptureFailed,
    ];

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

    fn response(error: Option<ErrorValue>) -> ResponseValue {
        ResponseValue {
            status: Some(201),
            headers: json!({"content-type": "application/json", "x-n": "1, 2"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            body: json!({"id": 7, "tags": ["a"]}),
            duration_ms: 84,
            url: "http://h.test/items?page=2".into(),
            error,
        }
    }

    #[test]
    fn the_view_reads_every_field_of_a_fired_response_in_place() {
        let value = response(None).into_value();
        let view = ResponseView::of(&value).unwrap();
        assert_eq!(view.status, Some(201));
        assert_eq!(view.headers.get("x-n"), Some(&json!("1, 2")));
        assert_eq!(view.body, &json!({"id": 7, "tags": ["a"]}));
        assert!(std::ptr::eq(view.body, &value["body"]), "borrowed, not copied");
        assert_eq!(view.url, Some("http://h.test/items?page=2"));
        assert_eq!(view.duration_ms, Some(84));
        assert_eq!(view.error, None);
    }

    #[test]
    fn the_view_reads_a_failure_without_a_response_and_its_error() {
        let error = ErrorValue { kind: ErrorKind::Timeout, message: "no complete response".into(), checks: Vec::new() };
        let value = ResponseValue {
            status: None,
            headers: Map::new(),
            body: Value::Null,
            duration_ms: 5_000,
            url: "http://h.test/".into(),
            error: Some(error),
        }
        .into_value();
        let view = ResponseView::of(&value).unwrap();
        assert_eq!((view.status, view.body, view.headers.len()), (None, &Value::Null, 0));
        let error = view.error.unwrap();
        assert_eq!(
            (error.kind, error.kind(), error.message),
            (Some("timeout"), Some(ErrorKind::Timeout), Some("no complete response"))
        );
    }

    #[test]
    fn setting_the_error_in_place_is_what_the_typed_value_would_write() {
        let check = FailedCheck { name: "ok".into(), expression: ".status == 200".into(), result: json!(false) };
        let error = ErrorValue {
            kind: ErrorKind::CheckFailed,
            message: "1 of 1 checks did not hold".into(),
            checks: vec![check],
        };
        let mut value = response(None).into_value();
        set_error(&mut value, error.clone());
        let typed = response(Some(error)).into_value();
        assert_eq!(serde_json::to_string(&value).ok(), serde_json::to_string(&typed).ok(), "same JSON, same order");
        let view = ResponseView::of(&value).unwrap();
        let read = view.error.unwrap();
        assert_eq!(read.kind(), Some(ErrorKind::CheckFailed));
        assert_eq!(read.value["checks"][0]["name"], "ok");
    }

    #[test]
    fn the_view_is_none_for_values_no_request_fired() {
        for value in [
            json!(1),
            json!("x"),
            json!([1]),
            json!({"status": 200}),
            json!({"headers": {}}),
            json!({"method": "GET", "url": "u", "headers": {}}),
        ] {
            assert_eq!(ResponseView::of(&value), None, "{value}");
        }
        // A field that lost its type (masked into text) reads as absent; the rest still reads.
        let value = json!({"status": "*****", "headers": {}, "body": "b", "duration_ms": "*****", "url": 3});
        let view = ResponseView::of(&value).unwrap();
        assert_eq!((view.status, view.duration_ms, view.url, view.body), (None, None, None, &json!("b")));
    }

    #[test]
    fn a_log_event_sharing_its_value_writes_the_same_json() {
        let value = std::sync::Arc::new(response(None).into_value());
        let event = crate::Event::Log {
            block: "show".into(),
            label: Some("users".into()),
            level: switchyard_flow::LogLevel::Warn,
            value: std::sync::Arc::clone(&value),
        };
        let text = serde_json::to_string(&event).unwrap();
        let expected = format!(
            r#"{{"event":"log","block":"show","label":"users","level":"warn","value":{}}}"#,
            serde_json::to_string(&*value).unwrap()
        );
        assert_eq!(text, expected, "byte for byte what a `Value` field wrote");
        assert_eq!(serde_json::from_str::<crate::Event>(&text).unwrap(), event);
    }

    #[test]
    fn every_error_kind_reads_back_from_its_text() {
        for kind in ErrorKind::ALL {
            let text = serde_json::to_value(kind).unwrap();
            assert_eq!(text.as_str(), Some(kind.as_str()));
            let value = json!({"status": null, "headers": {}, "error": {"kind": kind.as_str(), "message": ""}});
            assert_eq!(ResponseView::of(&value).and_then(|view| view.error).and_then(|error| error.kind()), Some(kind));
        }
    }
}
