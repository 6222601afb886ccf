//! `start`: where a run begins.

use super::{BlockType, Group};
use crate::port::Port;

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
    };
}
