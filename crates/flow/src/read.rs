//! The field reader: walks a document's JSON (`node`) and reads typed fields out of
//! it, reporting every shape problem with its place (`blocks.ID.FIELD`). The parser
//! (`parse`) reads a document's top and its wires with it; each block type reads its
//! own fields with it (`blocks`).

use std::collections::HashSet;

use crate::error::{Problem, Suggester};
use crate::node::{Node, Object};

/// Whether `id` is a valid block id.
pub fn is_valid_block_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Reads a document's JSON into the model, reporting every shape problem with its place.
pub(crate) struct Reader {
    /// Every problem found so far.
    pub(crate) problems: Vec<Problem>,
    /// Blocks already reported as broken: wires to them add no further problems.
    pub(crate) broken_blocks: HashSet<String>,
    /// For each wire read, its index in the file's `wires`.
    pub(crate) wire_places: Vec<usize>,
    /// Did-you-mean suggestions, under one work budget for the whole document.
    pub(crate) suggester: Suggester,
}

impl Reader {
    pub(crate) fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::at(path, message));
    }

    /// Reports an object's unknown keys (`what` names the object: "a text body").
    pub(crate) fn unknown_keys_in(&mut self, object: &Object, path: &str, known: &[&str], what: &str) {
        for key in object.keys() {
            if !known.contains(&key) {
                let place = join(path, key);
                let hint = self.suggester.suggest(key, known.iter().copied());
                self.problems
                    .push(Problem::at(place, format!("unknown field `{key}` in {what}")).with_suggestion(hint));
            }
        }
    }

    /// An optional size in bytes: a whole number above 0.
    pub(crate) fn byte_limit(&mut self, fields: &Object, path: &str, key: &str) -> Option<u64> {
        match fields.get(key)? {
            Node::Number(n) => match n.as_u64() {
                Some(bytes) if bytes > 0 => Some(bytes),
                _ => {
                    self.problem(join(path, key), "expected a whole number of bytes above 0");
                    None
                }
            },
            other => {
                self.problem(join(path, key), format!("expected a whole number of bytes, found {}", other.type_word()));
                None
            }
        }
    }

    pub(crate) fn optional_string(&mut self, fields: &Object, path: &str, key: &str) -> Option<String> {
        match fields.get(key) {
            None => None,
            Some(Node::String(s)) => Some(s.to_string()),
            Some(other) => {
                self.problem(join(path, key), format!("expected a string, found {}", other.type_word()));
                None
            }
        }
    }

    pub(crate) fn required_string(&mut self, fields: &Object, path: &str, key: &str) -> Option<String> {
        if fields.get(key).is_none() {
            self.problem(join(path, key), format!("missing `{key}`"));
            return None;
        }
        self.optional_string(fields, path, key)
    }

    /// The `[[name, value], …]` in field `key` of `fields` (`path` is the object's).
    pub(crate) fn pairs(&mut self, fields: &Object, path: &str, key: &str) -> Vec<(String, String)> {
        let Some(value) = fields.get(key) else {
            return Vec::new();
        };
        let path = &join(path, key);
        let Node::Array(items) = value else {
            self.problem(path, format!("expected a list of `[name, value]` pairs, found {}", value.type_word()));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item {
                Node::Array(pair) => match pair.as_slice() {
                    [Node::String(name), Node::String(value)] => out.push((name.to_string(), value.to_string())),
                    _ => self.problem(format!("{path}[{index}]"), "expected `[name, value]`, two strings"),
                },
                other => self.problem(
                    format!("{path}[{index}]"),
                    format!("expected `[name, value]`, found {}", other.type_word()),
                ),
            }
        }
        out
    }

    pub(crate) fn optional_bool(&mut self, fields: &Object, path: &str, key: &str) -> Option<bool> {
        match fields.get(key) {
            None => None,
            Some(Node::Bool(b)) => Some(*b),
            Some(other) => {
                self.problem(join(path, key), format!("expected true or false, found {}", other.type_word()));
                None
            }
        }
    }

    /// A required whole number of at least `min` (`unit` names it in messages).
    pub(crate) fn required_whole_number(
        &mut self,
        fields: &Object,
        path: &str,
        key: &str,
        min: u64,
        unit: &str,
    ) -> Option<u64> {
        match fields.get(key) {
            None => {
                self.problem(join(path, key), format!("missing `{key}`"));
                None
            }
            Some(Node::Number(n)) => match n.as_u64() {
                Some(value) if value >= min => Some(value),
                _ => {
                    self.problem(join(path, key), format!("expected a whole number of {unit}, at least {min}"));
                    None
                }
            },
            Some(other) => {
                self.problem(
                    join(path, key),
                    format!("expected a whole number of {unit}, found {}", other.type_word()),
                );
                None
            }
        }
    }
}

/// `path.key`, or `key` at the top.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}
