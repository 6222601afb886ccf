//! Writing a flow in its canonical layout.
//!
//! Canonical layout: two-space indent; keys in a fixed order (`switchyard`, `name`,
//! `blocks`, `wires`; in a block `type`, `at`, then its fields in table order); fields at
//! their default value left out (except `method` and `url`); arrays that hold only
//! scalars on one line (`"at": [40, 120]`, a wire, a header pair); positions rounded to
//! whole numbers; a final newline. Reading a canonical file and writing it gives the
//! same bytes.

use serde_json::{Map, Value, json};

use crate::model::{
    ApiKeyLocation, Auth, Block, BlockKind, Body, FORMAT_VERSION, Flow, Part, SendRequest, StatusPattern,
};

/// The flow as canonical JSON text.
pub fn to_canonical_json(flow: &Flow) -> String {
    let mut blocks = Map::new();
    for block in &flow.blocks {
        blocks.insert(block.id.clone(), block_value(block));
    }
    let wires: Vec<Value> = flow.wires.iter().map(|w| json!([w.from.to_string(), w.to.to_string()])).collect();
    let mut top = Map::new();
    top.insert("switchyard".into(), json!(FORMAT_VERSION));
    top.insert("name".into(), json!(flow.name));
    top.insert("blocks".into(), Value::Object(blocks));
    top.insert("wires".into(), Value::Array(wires));
    let mut out = String::new();
    write_value(&mut out, &Value::Object(top), 0);
    out.push('\n');
    out
}

fn position(at: [f32; 2]) -> Value {
    // Rounded: whole pixels diff well and read back exactly.
    json!([at[0].round() as i64, at[1].round() as i64])
}

fn pairs(pairs: &[(String, String)]) -> Value {
    Value::Array(pairs.iter().map(|(name, value)| json!([name, value])).collect())
}

fn block_value(block: &Block) -> Value {
    let mut fields = Map::new();
    fields.insert("type".into(), json!(block.kind.type_name()));
    fields.insert("at".into(), position(block.at));
    match &block.kind {
        BlockKind::Start => {}
        BlockKind::Log(log) => {
            if let Some(label) = &log.label {
                fields.insert("label".into(), json!(label));
            }
        }
        BlockKind::SendRequest(request) => request_fields(request, &mut fields),
    }
    Value::Object(fields)
}

fn request_fields(request: &SendRequest, fields: &mut Map<String, Value>) {
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
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push_str(",\n");
                }
                push_indent(out, indent + 2);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_value(out, item, indent + 2);
            }
            out.push('\n');
            push_indent(out, indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() && !items.iter().all(is_scalar) => {
            out.push_str("[\n");
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(",\n");
                }
                push_indent(out, indent + 2);
                write_value(out, item, indent + 2);
            }
            out.push('\n');
            push_indent(out, indent);
            out.push(']');
        }
        Value::Array(items) => {
            let inline: Vec<String> = items.iter().map(Value::to_string).collect();
            out.push('[');
            out.push_str(&inline.join(", "));
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}
