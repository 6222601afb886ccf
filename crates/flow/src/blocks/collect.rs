//! `collect`: gathers what each element of a For Each run sent it.

use super::{BlockType, Group};
use crate::port::Port;

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
    };
}
