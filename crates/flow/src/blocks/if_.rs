//! `if`: decides which way a value goes.

use serde_json::{Map, Value, json};

use super::{BlockFields, BlockType, BlockTypeName, Expression, Group};
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;

/// The fields of an `if` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct If {
    /// The jq condition, on the block's input (jq truthiness).
    pub condition: Expression,
}

impl If {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "if",
        label: "If",
        group: Group::Logic,
        description: "Fires `true` or `false` with its input, by a jq condition.",
        inputs: &[Port::In],
        outputs: &[Port::True, Port::False],
        fields: &["condition"],
        passes_input_on: true,
        id: BlockTypeName::If,
    };
}

impl BlockFields for If {
    fn palette_default() -> Self {
        Self::default()
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        Some(Self { condition: Expression::new(reader.required_string(fields, path, "condition")?) })
    }

    fn write(&self, out: &mut Map<String, Value>) {
        out.insert("condition".into(), json!(self.condition.as_str()));
    }

    fn expressions(&self) -> Vec<(String, &str)> {
        vec![("condition".to_owned(), self.condition.as_str())]
    }
}
