//! `start`: where a run begins.

use serde_json::{Map, Value};

use super::{BlockFields, BlockType, BlockTypeName, Group};
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;

/// The Start block (no fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Start;

impl Start {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "start",
        label: "Start",
        group: Group::Requests,
        description: "Where a run begins: fires `out` once, with null.",
        inputs: &[],
        outputs: &[Port::Out],
        fields: &[],
        passes_input_on: false,
        id: BlockTypeName::Start,
    };
}

impl BlockFields for Start {
    fn palette_default() -> Self {
        Start
    }

    fn read(_: &mut Reader, _: &Object, _: &str) -> Option<Self> {
        Some(Start)
    }

    fn write(&self, _: &mut Map<String, Value>) {}
}
