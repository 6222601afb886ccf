//! Reading a flow document: strict JSON, then validation against format v1.
//!
//! Syntax errors carry a line and column; everything else carries a path into the
//! document (`blocks.ID.FIELD`, `wires[N]`). All problems found are reported together.

use std::collections::HashSet;

use serde::de::DeserializeSeed;

use crate::blocks::{BlockKind, BlockType};
use crate::error::{Place, Problem, SUGGESTION_BUDGET, Suggester};
use crate::model::{Block, Defaults, FORMAT_VERSION, Flow};
use crate::node::{Node, NodeSeed, Object};
use crate::port::{Port, PortRef, Wire};
use crate::read::{Reader, is_valid_block_id, join};
use crate::validate::{self, Context};

const TOP_FIELDS: &[&str] = &["switchyard", "name", "defaults", "blocks", "wires"];
/// The fields of the top-level `defaults` object.
const DEFAULTS_FIELDS: &[&str] = &["max_request_bytes"];
const COMMON_FIELDS: &[&str] = &["type", "at"];

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
    parse_counted(text, fragment).0
}

/// [`parse`], and the suggestion work it did (for the scale tests).
fn parse_counted(text: &str, fragment: bool) -> (Result<Flow, Vec<Problem>>, u64) {
    // Some editors start a UTF-8 file with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = match strict_json(text) {
        Ok(value) => value,
        Err(problem) => return (Err(vec![problem]), 0),
    };
    let mut reader = Reader {
        problems: Vec::new(),
        broken_blocks: HashSet::new(),
        wire_places: Vec::new(),
        suggester: Suggester::new(SUGGESTION_BUDGET),
    };
    let flow = reader.flow(&value);
    let Some(flow) = flow else {
        return (Err(reader.problems), reader.suggester.spent());
    };
    let context = Context { fragment, broken_blocks: &reader.broken_blocks, wire_places: &reader.wire_places };
    let mut problems = reader.problems;
    let mut suggester = reader.suggester;
    validate::check(&flow, &context, &mut problems, &mut suggester);
    let spent = suggester.spent();
    (if problems.is_empty() { Ok(flow) } else { Err(problems) }, spent)
}

/// Reads JSON like `serde_json::from_str`, into a [`Node`] tree, refusing duplicate
/// object keys (a repeated block id would otherwise silently replace the first).
fn strict_json(text: &str) -> Result<Node<'_>, Problem> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = NodeSeed.deserialize(&mut deserializer).and_then(|value| {
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

impl Reader {
    /// Reports every field of a block that its type does not have.
    pub(crate) fn unknown_fields(&mut self, object: &Object, path: &str, block_type: &BlockType) {
        let known = |key: &str| COMMON_FIELDS.contains(&key) || block_type.fields.contains(&key);
        if object.keys().all(known) {
            return;
        }
        let known: Vec<&str> = COMMON_FIELDS.iter().chain(block_type.fields).copied().collect();
        let what = format!("a {} block", block_type.name);
        self.unknown_keys_in(object, path, &known, &what);
    }

    fn flow(&mut self, value: &Node) -> Option<Flow> {
        let Node::Object(top) = value else {
            self.problem("", format!("a flow file is a JSON object, found {}", value.type_word()));
            return None;
        };
        match top.get("switchyard") {
            None => {
                self.problem("switchyard", "missing the format version: add `\"switchyard\": 1`");
                return None;
            }
            Some(Node::Number(n)) => match n.as_u64() {
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
                self.problem("switchyard", format!("the format version is a number, found {}", other.type_word()));
                return None;
            }
        }
        self.unknown_keys_in(top, "", TOP_FIELDS, "the flow");
        let name = match top.get("name") {
            None => String::new(),
            Some(Node::String(name)) => name.to_string(),
            Some(other) => {
                self.problem("name", format!("expected a string, found {}", other.type_word()));
                String::new()
            }
        };
        let defaults = match top.get("defaults") {
            None => Defaults::default(),
            Some(Node::Object(fields)) => self.defaults(fields),
            Some(other) => {
                self.problem("defaults", format!("expected an object, found {}", other.type_word()));
                Defaults::default()
            }
        };
        let blocks = match top.get("blocks") {
            Some(Node::Object(blocks)) => self.blocks(blocks),
            Some(other) => {
                self.problem(
                    "blocks",
                    format!("expected an object from block id to block, found {}", other.type_word()),
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
            Some(Node::Array(wires)) => self.wires(wires, &blocks),
            Some(other) => {
                self.problem("wires", format!("expected an array of wires, found {}", other.type_word()));
                Vec::new()
            }
        };
        Some(Flow { name, defaults, blocks, wires })
    }

    /// Reads the top-level `defaults` object.
    fn defaults(&mut self, fields: &Object) -> Defaults {
        self.unknown_keys_in(fields, "defaults", DEFAULTS_FIELDS, "`defaults`");
        Defaults { max_request_bytes: self.byte_limit(fields, "defaults", "max_request_bytes") }
    }

    fn blocks(&mut self, blocks: &Object) -> Vec<Block> {
        let mut out = Vec::new();
        for (id, value) in blocks.iter() {
            let path = format!("blocks.{id}");
            if !is_valid_block_id(id) {
                self.problem(&path, format!("invalid block id `{id}`: use letters, digits, `_` and `-`"));
                self.broken_blocks.insert(id.to_owned());
                continue;
            }
            match self.block(id, value, &path) {
                Some(block) => out.push(block),
                None => {
                    self.broken_blocks.insert(id.to_owned());
                }
            }
        }
        out
    }

    fn block(&mut self, id: &str, value: &Node, path: &str) -> Option<Block> {
        let Node::Object(fields) = value else {
            self.problem(path, format!("a block is an object, found {}", value.type_word()));
            return None;
        };
        let type_name = match fields.get("type") {
            Some(Node::String(t)) => t.as_ref(),
            Some(other) => {
                self.problem(join(path, "type"), format!("expected a string, found {}", other.type_word()));
                return None;
            }
            None => {
                self.problem(path, format!("missing `type` ({})", type_list()));
                return None;
            }
        };
        let at = self.position(fields.get("at"), path);
        let Some(block_type) = BlockType::named(type_name) else {
            let hint = self.suggester.suggest(type_name, BlockType::ALL.iter().map(|t| t.name));
            self.problems.push(
                Problem::at(join(path, "type"), format!("unknown block type `{type_name}`")).with_suggestion(hint),
            );
            return None;
        };
        self.unknown_fields(fields, path, block_type);
        let kind = BlockKind::read(block_type, self, fields, path)?;
        Some(Block { id: id.to_owned(), at, kind })
    }

    /// The block's `at` (`path` is the block's).
    fn position(&mut self, value: Option<&Node>, path: &str) -> [f32; 2] {
        let path = &|| join(path, "at");
        match value {
            None => [0.0, 0.0],
            Some(Node::Array(items)) => match items.as_slice() {
                [Node::Number(x), Node::Number(y)] => {
                    let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                    if x.abs() < 1e7 && y.abs() < 1e7 {
                        return [x as f32, y as f32];
                    }
                    self.problem(path(), "position out of range (at most 10,000,000 each way)");
                    [0.0, 0.0]
                }
                _ => {
                    self.problem(path(), "expected a position `[x, y]` of two numbers");
                    [0.0, 0.0]
                }
            },
            Some(other) => {
                self.problem(path(), format!("expected a position `[x, y]`, found {}", other.type_word()));
                [0.0, 0.0]
            }
        }
    }

    fn wires(&mut self, wires: &[Node], blocks: &[Block]) -> Vec<Wire> {
        let mut out = Vec::new();
        for (index, value) in wires.iter().enumerate() {
            let path = || format!("wires[{index}]");
            let ends = match value {
                Node::Array(ends) => match ends.as_slice() {
                    [Node::String(from), Node::String(to)] => Some((from.as_ref(), to.as_ref())),
                    _ => None,
                },
                _ => None,
            };
            let Some((from, to)) = ends else {
                self.problem(path(), "a wire is `[\"BLOCK.PORT\", \"BLOCK.PORT\"]`, output first");
                continue;
            };
            let from_ref = self.port_ref(from, blocks, &|| format!("{}[0]", path()));
            let to_ref = self.port_ref(to, blocks, &|| format!("{}[1]", path()));
            if let (Some(from), Some(to)) = (from_ref, to_ref) {
                out.push(Wire { from, to });
                self.wire_places.push(index);
            }
        }
        out
    }

    /// Reads `BLOCK.PORT`; the port must be a port name (whether the block has it is
    /// for validation to say).
    fn port_ref(&mut self, text: &str, blocks: &[Block], path: &dyn Fn() -> String) -> Option<PortRef> {
        let Some((block_id, port)) = text.split_once('.') else {
            self.problem(path(), format!("`{text}` is not `BLOCK.PORT`"));
            return None;
        };
        match port.parse::<Port>() {
            Ok(port) => Some(PortRef::new(block_id, port)),
            Err(_) => {
                if self.broken_blocks.contains(block_id) {
                    return None;
                }
                let block = blocks.iter().find(|b| b.id == block_id);
                let hint = match block {
                    Some(block) => {
                        let all = block.kind.inputs().iter().chain(block.kind.outputs()).map(|p| p.as_str());
                        self.suggester.suggest(port, all).map(|p| format!("{block_id}.{p}"))
                    }
                    None => self
                        .suggester
                        .suggest(port, Port::ALL.iter().map(|p| p.as_str()))
                        .map(|p| format!("{block_id}.{p}")),
                };
                let message = match block {
                    Some(block) => format!("a {} block has no port `{port}`", block.kind.type_name()),
                    None => format!("no port is called `{port}`"),
                };
                self.problems.push(Problem::at(path(), message).with_suggestion(hint));
                None
            }
        }
    }
}

fn type_list() -> String {
    let names: Vec<&str> = BlockType::ALL.iter().map(|t| t.name).collect();
    names.join(", ")
}

#[cfg(test)]
mod scale_tests {
    use super::*;
    use crate::error::MAX_SUGGESTED_CHARS;

    /// Reads `text` as a flow; returns the problems and the suggestion work done.
    fn read(text: &str) -> (Vec<Problem>, u64) {
        let (result, spent) = parse_counted(text, false);
        (result.err().unwrap_or_default(), spent)
    }

    fn flow_text(blocks: usize, wires: impl Fn(usize) -> String) -> String {
        let mut blocks_json = serde_json::Map::new();
        blocks_json.insert("start".into(), serde_json::json!({"type": "start"}));
        for i in 0..blocks {
            blocks_json.insert(format!("log-{i:05}"), serde_json::json!({"type": "log"}));
        }
        let wires: Vec<serde_json::Value> = (0..blocks).map(|i| serde_json::json!(["start.out", wires(i)])).collect();
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
