//! Writing a flow in its canonical layout.
//!
//! Canonical layout: two-space indent; keys in a fixed order (`switchyard`, `name`,
//! `defaults` when it sets anything, `blocks`, `wires`; in a block `type`, `at`, then its fields in table order); fields at
//! their default value left out (except `method` and `url`); arrays that hold only
//! scalars on one line (`"at": [40, 120]`, a wire, a header pair); positions rounded to
//! whole numbers; a final newline. Reading a canonical file and writing it gives the
//! same bytes.

use serde_json::{Map, Value, json};

use crate::model::{Block, FORMAT_VERSION, Flow};

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
    if !flow.defaults.is_empty() {
        let mut defaults = Map::new();
        if let Some(limit) = flow.defaults.max_request_bytes {
            defaults.insert("max_request_bytes".into(), json!(limit));
        }
        top.insert("defaults".into(), Value::Object(defaults));
    }
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

fn block_value(block: &Block) -> Value {
    let mut fields = Map::new();
    fields.insert("type".into(), json!(block.kind.type_name()));
    fields.insert("at".into(), position(block.at));
    block.kind.write(&mut fields);
    Value::Object(fields)
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
