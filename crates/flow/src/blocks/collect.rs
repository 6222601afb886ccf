//! `collect`: gathers what each element of a For Each run sent it.

use serde_json::{Map, Value};

use super::{BlockFields, BlockType, BlockTypeName, Group};
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;

/// The Collect block (no fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Collect;

impl Collect {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "collect",
        label: "Collect",
        group: Group::Data,
        description: "Once every element of a For Each has finished, fires the list of values that reached it.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &[],
        passes_input_on: false,
        id: BlockTypeName::Collect,
    };
}

impl BlockFields for Collect {
    fn palette_default() -> Self {
        Collect
    }

    fn read(_: &mut Reader, _: &Object, _: &str) -> Option<Self> {
        Some(Collect)
    }

    fn write(&self, _: &mut Map<String, Value>) {}
}
