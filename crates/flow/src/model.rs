//! The flow document as plain data: blocks, their fields, ports and wires.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::template;

/// The file format version this program reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A whole flow: its name, its blocks in file order, and the wires between their ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The flow's display name.
    pub name: String,
    /// The blocks, in the order they appear in the file.
    pub blocks: Vec<Block>,
    /// The wires, each from an output port to an input port.
    pub wires: Vec<Wire>,
}

/// One block on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Unique id, `[A-Za-z0-9_-]+`.
    pub id: String,
    /// Canvas position `[x, y]`.
    pub at: [f32; 2],
    /// What the block does, with its fields.
    pub kind: BlockKind,
}

/// The block types of format v1 and their fields.
// A flow holds tens or hundreds of blocks: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// Fires `out` once, with `null`, when a run starts.
    Start,
    /// Sends an HTTP request; fires `success` or `failure`.
    SendRequest(SendRequest),
    /// Writes the value it receives to the console and passes it on.
    Log(LogBlock),
}

/// The fields of a `log` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogBlock {
    /// Optional label shown with the logged value.
    pub label: Option<String>,
}

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
}

impl SendRequest {
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
        let status = status.to_string();
        status.len() == 3
            && self.0.bytes().zip(status.bytes()).all(|(pattern, digit)| pattern == b'x' || pattern == digit)
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

/// Whether a port takes values in or sends them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortDirection {
    /// An input port.
    Input,
    /// An output port.
    Output,
}

impl BlockKind {
    /// The file format's type name: `start`, `send_request`, `log`.
    pub fn type_name(&self) -> &'static str {
        match self {
            BlockKind::Start => "start",
            BlockKind::SendRequest(_) => "send_request",
            BlockKind::Log(_) => "log",
        }
    }

    /// Input port names.
    pub fn inputs(&self) -> &'static [&'static str] {
        match self {
            BlockKind::Start => &[],
            BlockKind::SendRequest(_) | BlockKind::Log(_) => &["in"],
        }
    }

    /// Output port names.
    pub fn outputs(&self) -> &'static [&'static str] {
        match self {
            BlockKind::Start => &["out"],
            BlockKind::SendRequest(_) => &["success", "failure"],
            BlockKind::Log(_) => &["out"],
        }
    }

    /// Whether `port` exists on this block, and which way it points.
    pub fn port_direction(&self, port: &str) -> Option<PortDirection> {
        if self.inputs().contains(&port) {
            Some(PortDirection::Input)
        } else if self.outputs().contains(&port) {
            Some(PortDirection::Output)
        } else {
            None
        }
    }
}

/// One end of a wire: a block id and a port name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRef {
    /// The block id.
    pub block: String,
    /// The port name.
    pub port: String,
}

impl PortRef {
    /// A reference to `block.port`.
    pub fn new(block: impl Into<String>, port: impl Into<String>) -> Self {
        Self { block: block.into(), port: port.into() }
    }
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.block, self.port)
    }
}

/// A wire from an output port to an input port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Wire {
    /// The output port the value leaves from.
    pub from: PortRef,
    /// The input port the value arrives at.
    pub to: PortRef,
}

impl Flow {
    /// An empty flow with a Start block, ready to be built on.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            blocks: vec![Block { id: "start".to_owned(), at: [40.0, 120.0], kind: BlockKind::Start }],
            wires: Vec::new(),
        }
    }

    /// The block with this id.
    pub fn block(&self, id: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.id == id)
    }

    /// The Start block, if the flow has one.
    pub fn start(&self) -> Option<&Block> {
        self.blocks.iter().find(|b| matches!(b.kind, BlockKind::Start))
    }

    /// The input ports wired to `from`, in file order.
    pub fn targets<'a>(&'a self, from: &'a PortRef) -> impl Iterator<Item = &'a PortRef> + 'a {
        self.wires.iter().filter(move |w| &w.from == from).map(|w| &w.to)
    }

    /// Every variable name the flow's templates refer to (except `input…` and the
    /// dynamic `$…` names), sorted.
    pub fn variable_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for block in &self.blocks {
            if let BlockKind::SendRequest(request) = &block.kind {
                for (_, text) in request.templated_fields() {
                    for name in template::references(text) {
                        if template::input_path(name).is_none() && !template::is_dynamic_name(name) {
                            names.insert(name.to_owned());
                        }
                    }
                }
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_patterns_match_by_digit_and_wildcard() {
        let two_xx = StatusPattern::parse("2xx").unwrap();
        assert!(two_xx.matches(200) && two_xx.matches(299));
        assert!(!two_xx.matches(304));
        let exact = StatusPattern::parse("304").unwrap();
        assert!(exact.matches(304) && !exact.matches(305));
        let thirty = StatusPattern::parse("30X").unwrap();
        assert_eq!(thirty.as_str(), "30x");
        assert!(thirty.matches(301) && !thirty.matches(310));
    }

    #[test]
    fn status_pattern_rejects_malformed_text() {
        for bad in ["", "2x", "2xxx", "x00", "600", "2x0", "abc", "099"] {
            assert!(StatusPattern::parse(bad).is_none(), "{bad} should be refused");
        }
    }

    #[test]
    fn variable_names_cover_every_templated_field_but_input() {
        let mut request = SendRequest::new("https://{{host}}/v1?x={{input.body.id}}");
        request.headers.push(("Authorization".into(), "{{auth}}".into()));
        request.body = Some(Body::Json(serde_json::json!({"a": ["<<nested>>"]})));
        request.auth = Some(Auth::Basic { username: "{{user}}".into(), password: "{{ pw }}".into() });
        let mut flow = Flow::new("t");
        flow.blocks.push(Block { id: "r".into(), at: [0.0, 0.0], kind: BlockKind::SendRequest(request) });
        let names: Vec<_> = flow.variable_names().into_iter().collect();
        assert_eq!(names, ["auth", "host", "nested", "pw", "user"]);
    }
}
