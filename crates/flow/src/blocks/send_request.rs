//! `send_request`: one HTTP request, its fields, and how they are read and written.

use std::fmt;

use serde_json::{Map, Value, json};

mod read;

use super::{BlockFields, BlockType, BlockTypeName, Expression, Group};
use crate::error::Problem;
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;
use crate::template;

/// The fields of a `send_request` block.
#[derive(Debug, Clone, PartialEq)]
pub struct SendRequest {
    /// HTTP method, upper case (default `GET`).
    pub method: String,
    /// The URL template.
    pub url: String,
    /// Header name/value templates, in order.
    pub headers: Vec<(String, String)>,
    /// Query parameter name/value templates, appended to the URL in order.
    pub query: Vec<(String, String)>,
    /// The request body, if any.
    pub body: Option<Body>,
    /// An auth helper, if any.
    pub auth: Option<Auth>,
    /// Whole-request timeout in milliseconds (default 30000).
    pub timeout_ms: u64,
    /// Statuses that fire `success` (default `2xx`).
    pub success_status: Vec<StatusPattern>,
    /// Whether redirects are followed (default true).
    pub follow_redirects: bool,
    /// Named jq conditions on the response; Success fires only when all hold.
    pub checks: Vec<Check>,
    /// The most bytes the rendered request (URL, query, headers, body) may take; `None`:
    /// the flow's `defaults`, else [`crate::DEFAULT_MAX_REQUEST_BYTES`].
    pub max_request_bytes: Option<u64>,
    /// Values taken from a response whose status matched, kept as run variables.
    pub captures: Vec<Capture>,
}

/// A value taken from a response into a run variable: `[name, expression]`, or
/// `[name, expression, "secret"]` for a secret, in the file.
///
/// Captures are evaluated on the response value (already masked) when the status
/// matched, before the checks and before any event about the response, so a secret
/// capture masks the very response it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// The run variable's name (`[A-Za-z0-9_.-]+`, not `input`).
    pub name: String,
    /// The jq expression over the response value.
    pub expression: Expression,
    /// Whether the value is a secret from this response on.
    pub secret: bool,
}

impl Capture {
    /// The word that marks a secret capture (`[name, expression, "secret"]`).
    pub const SECRET: &'static str = "secret";
}

/// A named jq condition on a response (`[name, condition]` in the file).
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What the check is called in output and reports.
    pub name: String,
    /// The jq condition over the response value.
    pub condition: Expression,
}

impl SendRequest {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "send_request",
        label: "Send Request",
        group: Group::Requests,
        description: "Sends an HTTP request; fires `success` when the status matches and every check holds, else `failure`.",
        inputs: &[Port::In],
        outputs: &[Port::Success, Port::Failure],
        fields: &[
            "method",
            "url",
            "headers",
            "query",
            "body",
            "auth",
            "timeout_ms",
            "success_status",
            "follow_redirects",
            "checks",
            "max_request_bytes",
            "captures",
        ],
        passes_input_on: false,
        id: BlockTypeName::SendRequest,
    };

    /// Default timeout, in milliseconds.
    pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

    /// A GET request to `url` with every other field at its default.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            method: "GET".to_owned(),
            url: url.into(),
            headers: Vec::new(),
            query: Vec::new(),
            body: None,
            auth: None,
            timeout_ms: Self::DEFAULT_TIMEOUT_MS,
            success_status: vec![StatusPattern::default_success()],
            follow_redirects: true,
            checks: Vec::new(),
            max_request_bytes: None,
            captures: Vec::new(),
        }
    }

    /// Calls `fix` on every templated text of this request, where it can change it: the
    /// URL, header and query names and values, the body's texts (every string of a JSON
    /// body, walked without recursion), content type, form and multipart names and text
    /// values, and the auth's fields.
    pub fn texts_mut(&mut self, fix: &mut dyn FnMut(&mut String)) {
        fix(&mut self.url);
        for (name, value) in self.headers.iter_mut().chain(self.query.iter_mut()) {
            fix(name);
            fix(value);
        }
        match &mut self.body {
            Some(Body::Json(value)) => {
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
        match &mut self.auth {
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

    /// Whether `status` counts as success for this block.
    pub fn is_success(&self, status: u16) -> bool {
        self.success_status.iter().any(|p| p.matches(status))
    }

    /// Every templated text of this request, with the field it belongs to
    /// (`url`, `headers[0]`, `body.json.user.name`, `auth.token`, …).
    pub fn templated_fields(&self) -> Vec<(String, &str)> {
        let mut fields = vec![("url".to_owned(), self.url.as_str())];
        for (list, pairs) in [("headers", &self.headers), ("query", &self.query)] {
            for (index, (name, value)) in pairs.iter().enumerate() {
                fields.push((format!("{list}[{index}]"), name.as_str()));
                fields.push((format!("{list}[{index}]"), value.as_str()));
            }
        }
        match &self.body {
            Some(Body::Json(value)) => collect_json_strings(value, "body.json".to_owned(), &mut fields),
            Some(Body::Text { text, content_type }) => {
                fields.push(("body.text".to_owned(), text.as_str()));
                if let Some(content_type) = content_type {
                    fields.push(("body.content_type".to_owned(), content_type.as_str()));
                }
            }
            Some(Body::Form(pairs)) => {
                for (index, (name, value)) in pairs.iter().enumerate() {
                    fields.push((format!("body.form[{index}]"), name.as_str()));
                    fields.push((format!("body.form[{index}]"), value.as_str()));
                }
            }
            Some(Body::Multipart(parts)) => {
                for (index, (name, value)) in parts.iter().enumerate() {
                    fields.push((format!("body.multipart[{index}]"), name.as_str()));
                    if let Part::Text(text) = value {
                        fields.push((format!("body.multipart[{index}]"), text.as_str()));
                    }
                }
            }
            None => {}
        }
        match &self.auth {
            Some(Auth::Bearer { token }) => fields.push(("auth.token".to_owned(), token.as_str())),
            Some(Auth::ApiKey { name, value, .. }) => {
                fields.push(("auth.name".to_owned(), name.as_str()));
                fields.push(("auth.value".to_owned(), value.as_str()));
            }
            Some(Auth::Basic { username, password }) => {
                fields.push(("auth.username".to_owned(), username.as_str()));
                fields.push(("auth.password".to_owned(), password.as_str()));
            }
            None => {}
        }
        fields
    }
}

fn collect_json_strings<'a>(value: &'a Value, place: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::String(text) => out.push((place, text.as_str())),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_json_strings(item, format!("{place}[{index}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                collect_json_strings(item, format!("{place}.{key}"), out);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `{"json": VALUE}`: sent as `application/json`; string leaves are templated.
    Json(Value),
    /// `{"text": "…", "content_type": "…"}`: sent as is (default `text/plain`).
    Text {
        /// The body text template.
        text: String,
        /// The `Content-Type` to send, if not `text/plain; charset=utf-8`.
        content_type: Option<String>,
    },
    /// `{"form": [[name, value], …]}`: sent `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// `{"multipart": [[name, value], …]}`: sent `multipart/form-data`; a value is text
    /// or a file, its path relative to the flow file.
    Multipart(Vec<(String, Part)>),
}

/// The value of one part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A text field (templated).
    Text(String),
    /// `{"file": "PATH"}`: a file's contents, the path relative to the flow file.
    File(String),
}

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeyLocation {
    /// As a request header.
    #[default]
    Header,
    /// As a query parameter.
    Query,
}

impl ApiKeyLocation {
    /// The file format's name for this location.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyLocation::Header => "header",
            ApiKeyLocation::Query => "query",
        }
    }
}

/// An auth helper.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// `Authorization: Bearer TOKEN`.
    Bearer {
        /// The token template.
        token: String,
    },
    /// A named key in a header or query parameter.
    ApiKey {
        /// Header or parameter name template.
        name: String,
        /// Value template.
        value: String,
        /// Header or query.
        location: ApiKeyLocation,
    },
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// Username template.
        username: String,
        /// Password template.
        password: String,
    },
}

/// A status pattern such as `2xx`, `30x` or `304`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPattern(String);

impl StatusPattern {
    /// Parses a pattern: three characters, digits then optional trailing `x`s,
    /// first digit 1–5 (`2xx`, `30x`, `404`).
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        if bytes.len() != 3 || !matches!(bytes.first(), Some(b'1'..=b'5')) {
            return None;
        }
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if bytes.iter().skip(digits).all(|&b| b == b'x') { Some(Self(lower)) } else { None }
    }

    /// The default success pattern, `2xx`.
    pub fn default_success() -> Self {
        Self("2xx".to_owned())
    }

    /// Whether `status` matches.
    pub fn matches(&self, status: u16) -> bool {
        if !(100..1000).contains(&status) {
            return false;
        }
        let digits = [status / 100, status / 10 % 10, status % 10].map(|digit| b'0' + digit as u8);
        self.0.len() == 3 && self.0.bytes().zip(digits).all(|(pattern, digit)| pattern == b'x' || pattern == digit)
    }

    /// The pattern as written in the file.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl BlockFields for SendRequest {
    fn palette_default() -> Self {
        SendRequest::new("https://")
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        Self::read_fields(reader, fields, path)
    }

    fn write(&self, fields: &mut Map<String, Value>) {
        let request = self;
        fields.insert("method".into(), json!(request.method));
        fields.insert("url".into(), json!(request.url));
        if !request.headers.is_empty() {
            fields.insert("headers".into(), pairs(&request.headers));
        }
        if !request.query.is_empty() {
            fields.insert("query".into(), pairs(&request.query));
        }
        if let Some(body) = &request.body {
            let body = match body {
                Body::Json(value) => json!({ "json": value }),
                Body::Text { text, content_type: None } => json!({ "text": text }),
                Body::Text { text, content_type: Some(content_type) } => {
                    json!({ "text": text, "content_type": content_type })
                }
                Body::Form(form) => json!({ "form": pairs(form) }),
                Body::Multipart(parts) => {
                    let parts: Vec<Value> = parts
                        .iter()
                        .map(|(name, value)| match value {
                            Part::Text(text) => json!([name, text]),
                            Part::File(path) => json!([name, { "file": path }]),
                        })
                        .collect();
                    json!({ "multipart": parts })
                }
            };
            fields.insert("body".into(), body);
        }
        if let Some(auth) = &request.auth {
            let auth = match auth {
                Auth::Bearer { token } => json!({ "type": "bearer", "token": token }),
                Auth::ApiKey { name, value, location: ApiKeyLocation::Header } => {
                    json!({ "type": "api_key", "name": name, "value": value })
                }
                Auth::ApiKey { name, value, location } => {
                    json!({ "type": "api_key", "name": name, "value": value, "in": location.as_str() })
                }
                Auth::Basic { username, password } => {
                    json!({ "type": "basic", "username": username, "password": password })
                }
            };
            fields.insert("auth".into(), auth);
        }
        if request.timeout_ms != SendRequest::DEFAULT_TIMEOUT_MS {
            fields.insert("timeout_ms".into(), json!(request.timeout_ms));
        }
        match request.success_status.as_slice() {
            [only] if *only == StatusPattern::default_success() => {}
            [only] => {
                fields.insert("success_status".into(), json!(only.as_str()));
            }
            many => {
                let list: Vec<&str> = many.iter().map(StatusPattern::as_str).collect();
                fields.insert("success_status".into(), json!(list));
            }
        }
        if !request.follow_redirects {
            fields.insert("follow_redirects".into(), json!(false));
        }
        if !request.checks.is_empty() {
            let checks: Vec<Value> = request.checks.iter().map(|c| json!([c.name, c.condition.as_str()])).collect();
            fields.insert("checks".into(), Value::Array(checks));
        }
        if let Some(limit) = request.max_request_bytes {
            fields.insert("max_request_bytes".into(), json!(limit));
        }
        if !request.captures.is_empty() {
            let captures: Vec<Value> = request
                .captures
                .iter()
                .map(|c| match c.secret {
                    true => json!([c.name, c.expression.as_str(), Capture::SECRET]),
                    false => json!([c.name, c.expression.as_str()]),
                })
                .collect();
            fields.insert("captures".into(), Value::Array(captures));
        }
    }

    /// Each capture's name is a variable name that is not `input`.
    fn validate(&self, path: &dyn Fn() -> String, problems: &mut Vec<Problem>) {
        for (index, capture) in self.captures.iter().enumerate() {
            if let Some(problem) = template::variable_name_problem(&capture.name) {
                problems.push(Problem::at(format!("{}.captures[{index}]", path()), problem));
            }
        }
    }

    /// Its captures.
    fn variables_set(&self) -> Vec<(&str, bool)> {
        self.captures.iter().map(|capture| (capture.name.as_str(), capture.secret)).collect()
    }

    /// Its checks, then its captures.
    fn expressions(&self) -> Vec<(String, &str)> {
        let checks =
            self.checks.iter().enumerate().map(|(index, check)| (format!("checks[{index}]"), check.condition.as_str()));
        let captures = self
            .captures
            .iter()
            .enumerate()
            .map(|(index, capture)| (format!("captures[{index}]"), capture.expression.as_str()));
        checks.chain(captures).collect()
    }
}

/// `[[name, value], …]`.
fn pairs(pairs: &[(String, String)]) -> Value {
    Value::Array(pairs.iter().map(|(name, value)| json!([name, value])).collect())
}
