//! Reading a flow document: strict JSON, then validation against format v1.
//!
//! Syntax errors carry a line and column; everything else carries a path into the
//! document (`blocks.ID.FIELD`, `wires[N]`). All problems found are reported together.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Place, Problem, SUGGESTION_BUDGET, Suggester};
use crate::model::{
    ApiKeyLocation, Auth, Block, BlockKind, Body, FORMAT_VERSION, Flow, LogBlock, Part, PortDirection, PortRef,
    SendRequest, StatusPattern, Wire,
};

const TOP_FIELDS: &[&str] = &["switchyard", "name", "blocks", "wires"];
const BLOCK_TYPES: &[&str] = &["start", "send_request", "log"];
const COMMON_FIELDS: &[&str] = &["type", "at"];
const REQUEST_FIELDS: &[&str] = &[
    "type",
    "at",
    "method",
    "url",
    "headers",
    "query",
    "body",
    "auth",
    "timeout_ms",
    "success_status",
    "follow_redirects",
];
const LOG_FIELDS: &[&str] = &["type", "at", "label"];

/// Parses and validates a flow document.
pub fn parse_flow(text: &str) -> Result<Flow, Vec<Problem>> {
    parse(text, false)
}

/// Parses a fragment of a flow (blocks copied to the clipboard): the flow format, with
/// every rule except that there is exactly one `start` block (zero or one is fine).
pub fn parse_fragment(text: &str) -> Result<Flow, Vec<Problem>> {
    parse(text, true)
}

fn parse(text: &str, fragment: bool) -> Result<Flow, Vec<Problem>> {
    // Some editors start a UTF-8 file with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = strict_json(text).map_err(|problem| vec![problem])?;
    let mut reader = Reader::new(fragment);
    let flow = reader.flow(&value);
    match flow {
        Some(flow) if reader.problems.is_empty() => Ok(flow),
        _ => Err(reader.problems),
    }
}

/// Reads JSON like `serde_json::from_str`, but refuses duplicate object keys
/// (a repeated block id would otherwise silently replace the first).
fn strict_json(text: &str) -> Result<Value, Problem> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = StrictValue.deserialize(&mut deserializer).and_then(|value| {
        deserializer.end()?;
        Ok(value)
    });
    value.map_err(|error| {
        let message = error.to_string();
        // serde_json appends " at line L column C"; the place says that already.
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        Problem {
            place: Place::LineColumn { line: error.line(), column: error.column() },
            message: format!("invalid JSON: {message}"),
            suggestion: None,
        }
    })
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("key `{key}` appears twice in the same object")));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn type_word(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether `id` is a valid block id.
pub fn is_valid_block_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

struct Reader {
    problems: Vec<Problem>,
    /// Blocks already reported as broken: wires to them add no further problems.
    broken_blocks: HashSet<String>,
    /// Reading a fragment: no start block is fine.
    fragment: bool,
    /// Did-you-mean suggestions, under one work budget for the whole document.
    suggester: Suggester,
    /// The suggestion for each missing block id already seen in a wire.
    missing_blocks: HashMap<String, Option<String>>,
}

impl Reader {
    fn new(fragment: bool) -> Self {
        Self {
            problems: Vec::new(),
            broken_blocks: HashSet::new(),
            fragment,
            suggester: Suggester::new(SUGGESTION_BUDGET),
            missing_blocks: HashMap::new(),
        }
    }

    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::at(path, message));
    }

    fn unknown_fields(&mut self, object: &Map<String, Value>, path: &str, known: &[&str], what: &str) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                let place = join(path, key);
                let hint = self.suggester.suggest(key, known.iter().copied());
                self.problems
                    .push(Problem::at(place, format!("unknown field `{key}` in {what}")).with_suggestion(hint));
            }
        }
    }

    fn flow(&mut self, value: &Value) -> Option<Flow> {
        let Value::Object(top) = value else {
            self.problem("", format!("a flow file is a JSON object, found {}", type_word(value)));
            return None;
        };
        match top.get("switchyard") {
            None => {
                self.problem("switchyard", "missing the format version: add `\"switchyard\": 1`");
                return None;
            }
            Some(Value::Number(n)) => match n.as_u64() {
                Some(FORMAT_VERSION) => {}
                Some(v) if v > FORMAT_VERSION => {
                    self.problem(
                        "switchyard",
                        format!(
                            "this flow uses format version {v}, written by a newer Switchyard; this program reads version {FORMAT_VERSION}: update Switchyard"
                        ),
                    );
                    return None;
                }
                _ => {
                    self.problem("switchyard", format!("unknown format version {n}; this program reads version 1"));
                    return None;
                }
            },
            Some(other) => {
                self.problem("switchyard", format!("the format version is a number, found {}", type_word(other)));
                return None;
            }
        }
        self.unknown_fields(top, "", TOP_FIELDS, "the flow");
        let name = match top.get("name") {
            None => String::new(),
            Some(Value::String(name)) => name.clone(),
            Some(other) => {
                self.problem("name", format!("expected a string, found {}", type_word(other)));
                String::new()
            }
        };
        let blocks = match top.get("blocks") {
            Some(Value::Object(blocks)) => self.blocks(blocks),
            Some(other) => {
                self.problem(
                    "blocks",
                    format!("expected an object from block id to block, found {}", type_word(other)),
                );
                Vec::new()
            }
            None => {
                self.problem("blocks", "missing `blocks`: a flow needs at least a start block");
                Vec::new()
            }
        };
        let wires = match top.get("wires") {
            None => Vec::new(),
            Some(Value::Array(wires)) => self.wires(wires, &blocks),
            Some(other) => {
                self.problem("wires", format!("expected an array of wires, found {}", type_word(other)));
                Vec::new()
            }
        };
        Some(Flow { name, blocks, wires })
    }

    fn blocks(&mut self, blocks: &Map<String, Value>) -> Vec<Block> {
        let mut out = Vec::new();
        for (id, value) in blocks {
            let path = format!("blocks.{id}");
            if !is_valid_block_id(id) {
                self.problem(&path, format!("invalid block id `{id}`: use letters, digits, `_` and `-`"));
                self.broken_blocks.insert(id.clone());
                continue;
            }
            match self.block(id, value, &path) {
                Some(block) => out.push(block),
                None => {
                    self.broken_blocks.insert(id.clone());
                }
            }
        }
        let starts: Vec<&str> =
            out.iter().filter(|b| matches!(b.kind, BlockKind::Start)).map(|b| b.id.as_str()).collect();
        match starts.as_slice() {
            [_] => {}
            [] if self.fragment => {}
            [] if self.problems.is_empty() => self.problem("blocks", "the flow has no `start` block; add exactly one"),
            [] => {}
            [_, rest @ ..] => {
                for id in rest {
                    self.problem(format!("blocks.{id}"), "a flow has exactly one `start` block; this is another");
                }
            }
        }
        out
    }

    fn block(&mut self, id: &str, value: &Value, path: &str) -> Option<Block> {
        let Value::Object(fields) = value else {
            self.problem(path, format!("a block is an object, found {}", type_word(value)));
            return None;
        };
        let type_name = match fields.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(other) => {
                self.problem(join(path, "type"), format!("expected a string, found {}", type_word(other)));
                return None;
            }
            None => {
                self.problem(path, "missing `type` (start, send_request or log)");
                return None;
            }
        };
        let at = self.position(fields.get("at"), &join(path, "at"));
        let kind = match type_name {
            "start" => {
                self.unknown_fields(fields, path, COMMON_FIELDS, "a start block");
                BlockKind::Start
            }
            "log" => {
                self.unknown_fields(fields, path, LOG_FIELDS, "a log block");
                let label = self.optional_string(fields, path, "label");
                BlockKind::Log(LogBlock { label })
            }
            "send_request" => {
                self.unknown_fields(fields, path, REQUEST_FIELDS, "a send_request block");
                BlockKind::SendRequest(self.send_request(fields, path)?)
            }
            other => {
                let hint = self.suggester.suggest(other, BLOCK_TYPES.iter().copied());
                self.problems.push(
                    Problem::at(join(path, "type"), format!("unknown block type `{other}`")).with_suggestion(hint),
                );
                return None;
            }
        };
        Some(Block { id: id.to_owned(), at, kind })
    }

    fn position(&mut self, value: Option<&Value>, path: &str) -> [f32; 2] {
        match value {
            None => [0.0, 0.0],
            Some(Value::Array(items)) => match items.as_slice() {
                [Value::Number(x), Value::Number(y)] => {
                    let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                    if x.abs() < 1e7 && y.abs() < 1e7 {
                        return [x as f32, y as f32];
                    }
                    self.problem(path, "position out of range (at most 10,000,000 each way)");
                    [0.0, 0.0]
                }
                _ => {
                    self.problem(path, "expected a position `[x, y]` of two numbers");
                    [0.0, 0.0]
                }
            },
            Some(other) => {
                self.problem(path, format!("expected a position `[x, y]`, found {}", type_word(other)));
                [0.0, 0.0]
            }
        }
    }

    fn optional_string(&mut self, fields: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        match fields.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(join(path, key), format!("expected a string, found {}", type_word(other)));
                None
            }
        }
    }

    fn required_string(&mut self, fields: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        if !fields.contains_key(key) {
            self.problem(join(path, key), format!("missing `{key}`"));
            return None;
        }
        self.optional_string(fields, path, key)
    }

    fn pairs(&mut self, value: Option<&Value>, path: &str) -> Vec<(String, String)> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            self.problem(path, format!("expected a list of `[name, value]` pairs, found {}", type_word(value)));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item {
                Value::Array(pair) => match pair.as_slice() {
                    [Value::String(name), Value::String(value)] => out.push((name.clone(), value.clone())),
                    _ => self.problem(format!("{path}[{index}]"), "expected `[name, value]`, two strings"),
                },
                other => self.problem(
                    format!("{path}[{index}]"),
                    format!("expected `[name, value]`, found {}", type_word(other)),
                ),
            }
        }
        out
    }

    /// A multipart body's `[[name, value], …]`, each value text or `{"file": "PATH"}`.
    fn parts(&mut self, value: Option<&Value>, path: &str) -> Vec<(String, Part)> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            self.problem(path, format!("expected a list of `[name, value]` pairs, found {}", type_word(value)));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let place = format!("{path}[{index}]");
            match item.as_array().map(Vec::as_slice) {
                Some([Value::String(name), Value::String(text)]) => out.push((name.clone(), Part::Text(text.clone()))),
                Some([Value::String(name), Value::Object(file)]) => {
                    self.unknown_fields(file, &format!("{place}[1]"), &["file"], "a file part");
                    match file.get("file") {
                        Some(Value::String(file)) if !file.is_empty() => {
                            out.push((name.clone(), Part::File(file.clone())));
                        }
                        _ => self.problem(format!("{place}[1].file"), "expected a file path (text)"),
                    }
                }
                _ => self.problem(place, "expected `[name, value]`: a name and either text or {\"file\": \"PATH\"}"),
            }
        }
        out
    }

    fn send_request(&mut self, fields: &Map<String, Value>, path: &str) -> Option<SendRequest> {
        let url = self.required_string(fields, path, "url");
        let mut request = SendRequest::new(url.unwrap_or_default());
        if let Some(method) = self.optional_string(fields, path, "method") {
            let valid = !method.is_empty() && method.chars().all(|c| c.is_ascii_alphabetic());
            if valid {
                request.method = method.to_ascii_uppercase();
            } else {
                self.problem(join(path, "method"), format!("invalid HTTP method `{method}`"));
            }
        }
        request.headers = self.pairs(fields.get("headers"), &join(path, "headers"));
        request.query = self.pairs(fields.get("query"), &join(path, "query"));
        if let Some(body) = fields.get("body") {
            request.body = self.body(body, &join(path, "body"));
        }
        if let Some(auth) = fields.get("auth") {
            request.auth = self.auth(auth, &join(path, "auth"));
        }
        match fields.get("timeout_ms") {
            None => {}
            Some(Value::Number(n)) => match n.as_u64() {
                Some(ms) if ms > 0 => request.timeout_ms = ms,
                _ => self.problem(join(path, "timeout_ms"), "expected a whole number of milliseconds above 0"),
            },
            Some(other) => self.problem(
                join(path, "timeout_ms"),
                format!("expected a whole number of milliseconds, found {}", type_word(other)),
            ),
        }
        if let Some(statuses) = fields.get("success_status") {
            request.success_status = self.statuses(statuses, &join(path, "success_status"));
        }
        match fields.get("follow_redirects") {
            None => {}
            Some(Value::Bool(follow)) => request.follow_redirects = *follow,
            Some(other) => self
                .problem(join(path, "follow_redirects"), format!("expected true or false, found {}", type_word(other))),
        }
        Some(request)
    }

    fn statuses(&mut self, value: &Value, path: &str) -> Vec<StatusPattern> {
        let texts: Vec<(String, &Value)> = match value {
            Value::String(_) => vec![(path.to_owned(), value)],
            Value::Array(items) if !items.is_empty() => {
                items.iter().enumerate().map(|(i, item)| (format!("{path}[{i}]"), item)).collect()
            }
            _ => {
                self.problem(path, "expected a status pattern like \"2xx\" or a list like [\"2xx\", \"304\"]");
                return vec![StatusPattern::default_success()];
            }
        };
        let mut out = Vec::new();
        for (place, item) in texts {
            match item.as_str().and_then(StatusPattern::parse) {
                Some(pattern) => out.push(pattern),
                None => self.problem(
                    place,
                    format!("invalid status pattern {item}: use three characters like \"200\", \"2xx\" or \"30x\""),
                ),
            }
        }
        out
    }

    fn body(&mut self, value: &Value, path: &str) -> Option<Body> {
        let Value::Object(fields) = value else {
            self.problem(path, format!("expected an object like {{\"json\": …}}, found {}", type_word(value)));
            return None;
        };
        let kinds: Vec<&str> =
            ["json", "text", "form", "multipart"].into_iter().filter(|k| fields.contains_key(*k)).collect();
        match kinds.as_slice() {
            ["json"] => {
                self.unknown_fields(fields, path, &["json"], "a json body");
                fields.get("json").cloned().map(Body::Json)
            }
            ["text"] => {
                self.unknown_fields(fields, path, &["text", "content_type"], "a text body");
                let text = self.optional_string(fields, path, "text")?;
                let content_type = self.optional_string(fields, path, "content_type");
                Some(Body::Text { text, content_type })
            }
            ["form"] => {
                self.unknown_fields(fields, path, &["form"], "a form body");
                Some(Body::Form(self.pairs(fields.get("form"), &join(path, "form"))))
            }
            ["multipart"] => {
                self.unknown_fields(fields, path, &["multipart"], "a multipart body");
                Some(Body::Multipart(self.parts(fields.get("multipart"), &join(path, "multipart"))))
            }
            [] => {
                let hint = fields.keys().find_map(|k| self.suggester.suggest(k, ["json", "text", "form", "multipart"]));
                self.problems.push(
                    Problem::at(
                        path,
                        "a body is one of {\"json\": …}, {\"text\": …}, {\"form\": […]} or {\"multipart\": […]}",
                    )
                    .with_suggestion(hint),
                );
                None
            }
            _ => {
                self.problem(path, format!("a body has one kind, found {}", kinds.join(" and ")));
                None
            }
        }
    }

    fn auth(&mut self, value: &Value, path: &str) -> Option<Auth> {
        let Value::Object(fields) = value else {
            self.problem(
                path,
                format!("expected an object like {{\"type\": \"bearer\", …}}, found {}", type_word(value)),
            );
            return None;
        };
        let kind = self.required_string(fields, path, "type")?;
        match kind.as_str() {
            "bearer" => {
                self.unknown_fields(fields, path, &["type", "token"], "bearer auth");
                Some(Auth::Bearer { token: self.required_string(fields, path, "token")? })
            }
            "api_key" => {
                self.unknown_fields(fields, path, &["type", "name", "value", "in"], "api_key auth");
                let name = self.required_string(fields, path, "name");
                let value = self.required_string(fields, path, "value");
                let location = match self.optional_string(fields, path, "in").as_deref() {
                    None | Some("header") => ApiKeyLocation::Header,
                    Some("query") => ApiKeyLocation::Query,
                    Some(other) => {
                        let hint = self.suggester.suggest(other, ["header", "query"]);
                        self.problems.push(
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
                self.unknown_fields(fields, path, &["type", "username", "password"], "basic auth");
                let username = self.required_string(fields, path, "username");
                let password = self.optional_string(fields, path, "password").unwrap_or_default();
                Some(Auth::Basic { username: username?, password })
            }
            other => {
                let hint = self.suggester.suggest(other, ["bearer", "api_key", "basic"]);
                self.problems.push(
                    Problem::at(join(path, "type"), format!("unknown auth type `{other}` (bearer, api_key or basic)"))
                        .with_suggestion(hint),
                );
                None
            }
        }
    }

    fn wires(&mut self, wires: &[Value], blocks: &[Block]) -> Vec<Wire> {
        let by_id: HashMap<&str, &Block> = blocks.iter().map(|block| (block.id.as_str(), block)).collect();
        let blocks = Blocks { list: blocks, by_id };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (index, value) in wires.iter().enumerate() {
            let path = format!("wires[{index}]");
            let ends = match value {
                Value::Array(ends) => match ends.as_slice() {
                    [Value::String(from), Value::String(to)] => Some((from.as_str(), to.as_str())),
                    _ => None,
                },
                _ => None,
            };
            let Some((from, to)) = ends else {
                self.problem(&path, "a wire is `[\"BLOCK.PORT\", \"BLOCK.PORT\"]`, output first");
                continue;
            };
            let from_ref = self.port_ref(from, &blocks, &format!("{path}[0]"), PortDirection::Output);
            let to_ref = self.port_ref(to, &blocks, &format!("{path}[1]"), PortDirection::Input);
            if let (Some(from), Some(to)) = (from_ref, to_ref) {
                let wire = Wire { from, to };
                if seen.insert(wire.clone()) {
                    out.push(wire);
                } else {
                    self.problem(&path, format!("the wire {} → {} appears twice", wire.from, wire.to));
                }
            }
        }
        out
    }

    fn port_ref(&mut self, text: &str, blocks: &Blocks<'_>, path: &str, wanted: PortDirection) -> Option<PortRef> {
        let Some((block_id, port)) = text.split_once('.') else {
            self.problem(path, format!("`{text}` is not `BLOCK.PORT`"));
            return None;
        };
        let Some(block) = blocks.by_id.get(block_id) else {
            if self.broken_blocks.contains(block_id) {
                return None;
            }
            let hint = match self.missing_blocks.get(block_id) {
                Some(hint) => hint.clone(),
                None => {
                    let hint = self.suggester.suggest(block_id, blocks.list.iter().map(|b| b.id.as_str()));
                    self.missing_blocks.insert(block_id.to_owned(), hint.clone());
                    hint
                }
            };
            self.problems.push(Problem::at(path, format!("no block `{block_id}` in this flow")).with_suggestion(hint));
            return None;
        };
        let type_name = block.kind.type_name();
        match block.kind.port_direction(port) {
            Some(direction) if direction == wanted => Some(PortRef::new(block_id, port)),
            Some(PortDirection::Input) => {
                self.problem(
                    path,
                    format!(
                        "`{text}` is an input; a wire starts at an output ({})",
                        ports(block_id, block.kind.outputs())
                    ),
                );
                None
            }
            Some(PortDirection::Output) => {
                self.problem(
                    path,
                    format!(
                        "`{text}` is an output; a wire ends at an input ({})",
                        ports(block_id, block.kind.inputs())
                    ),
                );
                None
            }
            None => {
                let all = block.kind.inputs().iter().chain(block.kind.outputs());
                let hint = self.suggester.suggest(port, all.copied()).map(|p| format!("{block_id}.{p}"));
                self.problems
                    .push(Problem::at(path, format!("a {type_name} block has no port `{port}`")).with_suggestion(hint));
                None
            }
        }
    }
}

/// A flow's blocks in file order, and by id.
struct Blocks<'a> {
    list: &'a [Block],
    by_id: HashMap<&'a str, &'a Block>,
}

fn ports(block_id: &str, names: &[&str]) -> String {
    if names.is_empty() {
        return "none on this block".to_owned();
    }
    names.iter().map(|p| format!("`{block_id}.{p}`")).collect::<Vec<_>>().join(", ")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

#[cfg(test)]
mod scale_tests {
    use super::*;
    use crate::error::MAX_SUGGESTED_CHARS;

    /// Reads `text` as a flow; returns the problems and the suggestion work done.
    fn read(text: &str) -> (Vec<Problem>, u64) {
        let value = strict_json(text).unwrap();
        let mut reader = Reader::new(false);
        reader.flow(&value);
        (reader.problems, reader.suggester.spent())
    }

    fn flow_text(blocks: usize, wires: impl Fn(usize) -> String) -> String {
        let mut blocks_json = serde_json::Map::new();
        blocks_json.insert("start".into(), serde_json::json!({"type": "start"}));
        for i in 0..blocks {
            blocks_json.insert(format!("log-{i:05}"), serde_json::json!({"type": "log"}));
        }
        let wires: Vec<Value> = (0..blocks).map(|i| serde_json::json!(["start.out", wires(i)])).collect();
        serde_json::json!({"switchyard": 1, "blocks": blocks_json, "wires": wires}).to_string()
    }

    #[test]
    fn ten_thousand_misspelt_wires_are_all_reported_within_the_suggestion_budget() {
        let text = flow_text(10_000, |i| format!("lgo-{i:05}.in"));
        let (problems, spent) = read(&text);
        assert_eq!(problems.len(), 10_000, "every misspelt wire is reported");
        assert!(spent <= SUGGESTION_BUDGET, "{spent}");
        assert_eq!(problems[0].suggestion.as_deref(), Some("log-00000"), "the first ones get a hint");
        assert!(problems.iter().all(|p| p.message.starts_with("no block `lgo-")));
    }

    #[test]
    fn ten_thousand_good_wires_cost_no_suggestion_work() {
        let (problems, spent) = read(&flow_text(10_000, |i| format!("log-{i:05}.in")));
        assert!(problems.is_empty(), "{:?}", problems.first());
        assert_eq!(spent, 0);
    }

    #[test]
    fn the_same_missing_block_in_many_wires_is_looked_up_once() {
        let (problems, spent) = read(&flow_text(1_000, |_| "lgo-00001.in".to_owned()));
        assert_eq!(problems.len(), 1_000);
        assert!(problems.iter().all(|p| p.suggestion.as_deref() == Some("log-00001")));
        let (_, once) =
            read(&flow_text(1_000, |i| if i == 0 { "lgo-00001.in".to_owned() } else { format!("log-{i:05}.in") }));
        assert_eq!(spent, once, "the later wires reuse the first one's hint");
    }

    #[test]
    fn an_unknown_field_name_of_ten_megabytes_costs_no_suggestion_work() {
        let key = "m".repeat(10 * 1024 * 1024);
        let text = format!(r#"{{"switchyard": 1, "blocks": {{"start": {{"type": "start", "{key}": 1}}}}}}"#);
        let (problems, spent) = read(&text);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].suggestion, None);
        assert_eq!(spent, 0, "longer than {MAX_SUGGESTED_CHARS} characters: skipped outright");
    }

    #[test]
    fn a_byte_order_mark_before_a_flow_is_accepted() {
        let text = "\u{feff}{\"switchyard\": 1, \"blocks\": {\"start\": {\"type\": \"start\"}}}";
        assert!(parse_flow(text).is_ok());
        assert!(parse_flow("\u{feff}\u{feff}{}").is_err(), "only one, at the very start");
    }
}
