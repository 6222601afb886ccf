//! `send_request`: one HTTP request, its fields, and how they are read and written.

use std::fmt;

use serde_json::{Map, Value, json};

use super::{BlockType, Expression, Group};
use crate::error::Problem;
use crate::node::{Node, Object};
use crate::parse::{Reader, join};
use crate::port::Port;
use crate::template;
use crate::write::pairs;

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

impl SendRequest {
    pub(crate) fn read(r: &mut Reader, fields: &Object, path: &str) -> Option<SendRequest> {
        let url = r.required_string(fields, path, "url");
        let mut request = SendRequest::new(url.unwrap_or_default());
        if let Some(method) = r.optional_string(fields, path, "method") {
            let valid = !method.is_empty() && method.chars().all(|c| c.is_ascii_alphabetic());
            if valid {
                request.method = method.to_ascii_uppercase();
            } else {
                r.problem(join(path, "method"), format!("invalid HTTP method `{method}`"));
            }
        }
        request.headers = r.pairs(fields, path, "headers");
        request.query = r.pairs(fields, path, "query");
        if let Some(body) = fields.get("body") {
            request.body = Self::body(r, body, &join(path, "body"));
        }
        if let Some(auth) = fields.get("auth") {
            request.auth = Self::auth(r, auth, &join(path, "auth"));
        }
        match fields.get("timeout_ms") {
            None => {}
            Some(Node::Number(n)) => match n.as_u64() {
                Some(ms) if ms > 0 => request.timeout_ms = ms,
                _ => r.problem(join(path, "timeout_ms"), "expected a whole number of milliseconds above 0"),
            },
            Some(other) => r.problem(
                join(path, "timeout_ms"),
                format!("expected a whole number of milliseconds, found {}", other.type_word()),
            ),
        }
        if let Some(statuses) = fields.get("success_status") {
            request.success_status = Self::statuses(r, statuses, &join(path, "success_status"));
        }
        match fields.get("follow_redirects") {
            None => {}
            Some(Node::Bool(follow)) => request.follow_redirects = *follow,
            Some(other) => r.problem(
                join(path, "follow_redirects"),
                format!("expected true or false, found {}", other.type_word()),
            ),
        }
        request.checks = Self::checks(r, fields, path);
        request.max_request_bytes = r.byte_limit(fields, path, "max_request_bytes");
        request.captures = Self::captures(r, fields.get("captures"), &join(path, "captures"));
        Some(request)
    }

    /// `[[name, expression], …]`, each item perhaps with a third element `"secret"`.
    fn captures(r: &mut Reader, value: Option<&Node>, path: &str) -> Vec<Capture> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Node::Array(items) = value else {
            r.problem(
                path,
                format!(
                    "expected a list of `[name, expression]` or `[name, expression, \"secret\"]`, found {}",
                    value.type_word()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let place = format!("{path}[{index}]");
            match item.as_array() {
                Some([Node::String(name), Node::String(expression)]) => out.push(Capture {
                    name: name.to_string(),
                    expression: Expression::new(expression.to_string()),
                    secret: false,
                }),
                Some([Node::String(name), Node::String(expression), Node::String(kind)]) => {
                    if *kind == Capture::SECRET {
                        out.push(Capture {
                            name: name.to_string(),
                            expression: Expression::new(expression.to_string()),
                            secret: true,
                        });
                    } else {
                        let hint = r.suggester.suggest(kind, [Capture::SECRET]);
                        r.problems.push(
                            Problem::at(
                                format!("{place}[2]"),
                                format!("the third element of a capture can only be \"secret\", found \"{kind}\""),
                            )
                            .with_suggestion(hint),
                        );
                    }
                }
                Some(_) => r.problem(
                    place,
                    "expected `[name, expression]` or `[name, expression, \"secret\"]`: two or three strings",
                ),
                None => r.problem(
                    place,
                    format!(
                        "expected `[name, expression]` or `[name, expression, \"secret\"]`, found {}",
                        item.type_word()
                    ),
                ),
            }
        }
        out
    }

    fn checks(r: &mut Reader, fields: &Object, path: &str) -> Vec<Check> {
        r.pairs(fields, path, "checks")
            .into_iter()
            .map(|(name, condition)| Check { name, condition: Expression::new(condition) })
            .collect()
    }

    fn statuses(r: &mut Reader, value: &Node, path: &str) -> Vec<StatusPattern> {
        let texts: Vec<(String, &Node)> = match value {
            Node::String(_) => vec![(path.to_owned(), value)],
            Node::Array(items) if !items.is_empty() => {
                items.iter().enumerate().map(|(i, item)| (format!("{path}[{i}]"), item)).collect()
            }
            _ => {
                r.problem(path, "expected a status pattern like \"2xx\" or a list like [\"2xx\", \"304\"]");
                return vec![StatusPattern::default_success()];
            }
        };
        let mut out = Vec::new();
        for (place, item) in texts {
            match item.as_str().and_then(StatusPattern::parse) {
                Some(pattern) => out.push(pattern),
                None => r.problem(
                    place,
                    format!("invalid status pattern {item}: use three characters like \"200\", \"2xx\" or \"30x\""),
                ),
            }
        }
        out
    }

    fn body(r: &mut Reader, value: &Node, path: &str) -> Option<Body> {
        let Node::Object(fields) = value else {
            r.problem(path, format!("expected an object like {{\"json\": …}}, found {}", value.type_word()));
            return None;
        };
        let kinds: Vec<&str> =
            ["json", "text", "form", "multipart"].into_iter().filter(|k| fields.contains_key(k)).collect();
        match kinds.as_slice() {
            ["json"] => {
                r.unknown_keys_in(fields, path, &["json"], "a json body");
                fields.get("json").map(|json| Body::Json(json.to_value()))
            }
            ["text"] => {
                r.unknown_keys_in(fields, path, &["text", "content_type"], "a text body");
                let text = r.optional_string(fields, path, "text")?;
                let content_type = r.optional_string(fields, path, "content_type");
                Some(Body::Text { text, content_type })
            }
            ["form"] => {
                r.unknown_keys_in(fields, path, &["form"], "a form body");
                Some(Body::Form(r.pairs(fields, path, "form")))
            }
            ["multipart"] => {
                r.unknown_keys_in(fields, path, &["multipart"], "a multipart body");
                Some(Body::Multipart(r.parts(fields.get("multipart"), &join(path, "multipart"))))
            }
            [] => {
                let hint = fields.keys().find_map(|k| r.suggester.suggest(k, ["json", "text", "form", "multipart"]));
                r.problems.push(
                    Problem::at(
                        path,
                        "a body is one of {\"json\": …}, {\"text\": …}, {\"form\": […]} or {\"multipart\": […]}",
                    )
                    .with_suggestion(hint),
                );
                None
            }
            _ => {
                r.problem(path, format!("a body has one kind, found {}", kinds.join(" and ")));
                None
            }
        }
    }

    fn auth(r: &mut Reader, value: &Node, path: &str) -> Option<Auth> {
        let Node::Object(fields) = value else {
            r.problem(
                path,
                format!("expected an object like {{\"type\": \"bearer\", …}}, found {}", value.type_word()),
            );
            return None;
        };
        let kind = r.required_string(fields, path, "type")?;
        match kind.as_str() {
            "bearer" => {
                r.unknown_keys_in(fields, path, &["type", "token"], "bearer auth");
                Some(Auth::Bearer { token: r.required_string(fields, path, "token")? })
            }
            "api_key" => {
                r.unknown_keys_in(fields, path, &["type", "name", "value", "in"], "api_key auth");
                let name = r.required_string(fields, path, "name");
                let value = r.required_string(fields, path, "value");
                let location = match r.optional_string(fields, path, "in").as_deref() {
                    None | Some("header") => ApiKeyLocation::Header,
                    Some("query") => ApiKeyLocation::Query,
                    Some(other) => {
                        let hint = r.suggester.suggest(other, ["header", "query"]);
                        r.problems.push(
                            Problem::at(
                                join(path, "in"),
                                format!("`in` is \"header\" or \"query\", found \"{other}\""),
                            )
                            .with_suggestion(hint),
                        );
                        ApiKeyLocation::Header
                    }
                };
                Some(Auth::ApiKey { name: name?, value: value?, location })
            }
            "basic" => {
                r.unknown_keys_in(fields, path, &["type", "username", "password"], "basic auth");
                let username = r.required_string(fields, path, "username");
                let password = r.optional_string(fields, path, "password").unwrap_or_default();
                Some(Auth::Basic { username: username?, password })
            }
            other => {
                let hint = r.suggester.suggest(other, ["bearer", "api_key", "basic"]);
                r.problems.push(
                    Problem::at(join(path, "type"), format!("unknown auth type `{other}` (bearer, api_key or basic)"))
                        .with_suggestion(hint),
                );
                None
            }
        }
    }

    pub(crate) fn write(&self, fields: &mut Map<String, Value>) {
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
    pub(crate) fn validate(&self, path: &dyn Fn() -> String, problems: &mut Vec<Problem>) {
        for (index, capture) in self.captures.iter().enumerate() {
            if let Some(problem) = template::variable_name_problem(&capture.name) {
                problems.push(Problem::at(format!("{}.captures[{index}]", path()), problem));
            }
        }
    }
}
