//! `log`: shows the value it receives.

use serde_json::{Map, Value, json};

use super::{BlockType, Group};
use crate::node::Object;
use crate::parse::Reader;
use crate::port::Port;

/// The fields of a `log` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogBlock {
    /// Optional label shown with the logged value.
    pub label: Option<String>,
}

impl LogBlock {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "log",
        label: "Log",
        group: Group::Output,
        description: "Writes the value it receives to the console and passes it on.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &["label"],
    };

    pub(crate) fn read(reader: &mut Reader, fields: &Object, path: &str) -> Self {
        Self { label: reader.optional_string(fields, path, "label") }
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>) {
        if let Some(label) = &self.label {
            out.insert("label".into(), json!(label));
        }
    }
}
