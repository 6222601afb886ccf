//! `evaluate`: turns a value into another with a jq expression.

use serde_json::{Map, Value, json};

use super::{BlockFields, BlockType, BlockTypeName, Expression, Group};
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
        passes_input_on: false,
        id: BlockTypeName::Evaluate,
    };
}

impl BlockFields for Evaluate {
    fn palette_default() -> Self {
        Self::default()
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        Some(Self { expression: Expression::new(reader.required_string(fields, path, "expression")?) })
    }

    fn write(&self, out: &mut Map<String, Value>) {
        out.insert("expression".into(), json!(self.expression.as_str()));
    }

    fn expressions(&self) -> Vec<(String, &str)> {
        vec![("expression".to_owned(), self.expression.as_str())]
    }
}
