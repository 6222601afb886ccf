//! `delay`: waits, then passes its input on.

use serde_json::{Map, Value, json};

use super::{BlockFields, BlockType, BlockTypeName, Group};
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;

/// The fields of a `delay` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    /// How long to wait, in milliseconds.
    pub ms: u64,
}

impl Default for Delay {
    fn default() -> Self {
        Self { ms: 1000 }
    }
}

impl Delay {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "delay",
        label: "Delay",
        group: Group::Logic,
        description: "Waits `ms` milliseconds, then passes its input on; Stop ends the wait.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &["ms"],
        passes_input_on: true,
        id: BlockTypeName::Delay,
    };
}

impl BlockFields for Delay {
    fn palette_default() -> Self {
        Self::default()
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        let ms = reader.required_whole_number(fields, path, "ms", 0, "milliseconds")?;
        Some(Self { ms })
    }

    fn write(&self, out: &mut Map<String, Value>) {
        out.insert("ms".into(), json!(self.ms));
    }
}
