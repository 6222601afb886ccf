//! `evaluate`: turns a value into another with a jq expression.

use serde_json::{Map, Value, json};

use super::{BlockType, Expression, Group};
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;

/// The fields of an `evaluate` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluate {
    /// The jq expression; it must give exactly one value.
    pub expression: Expression,
}

impl Default for Evaluate {
    fn default() -> Self {
        Self { expression: Expression::from(".") }
    }
}

impl Evaluate {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "evaluate",
        label: "Evaluate",
        group: Group::Data,
        description: "Fires the value of a jq expression over its input.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &["expression"],
    };

    pub(crate) fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        Some(Self { expression: Expression::new(reader.required_string(fields, path, "expression")?) })
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>) {
        out.insert("expression".into(), json!(self.expression.as_str()));
    }
}
