//! The block types: one definition each (its ports, fields and defaults, how it is
//! read, written and validated, and a one-line description), in one file per type.
//!
//! Adding a type: a file here with its struct and `TYPE`, a variant in [`BlockKind`]
//! and a line in each `match` below; then the engine's executor and the app's look and
//! form (ARCHITECTURE.md, "Adding a block type").

mod collect;
mod delay;
mod evaluate;
mod for_each;
mod if_;
mod log;
mod send_request;
mod set;
mod start;

use serde_json::{Map, Value};

pub use collect::Collect;
pub use delay::Delay;
pub use evaluate::Evaluate;
pub use for_each::ForEach;
pub use if_::If;
pub use log::{LogBlock, LogLevel};
pub use send_request::{ApiKeyLocation, Auth, Body, Capture, Check, Part, SendRequest, StatusPattern};
pub use set::Set;
pub use start::Start;

use crate::error::Problem;
use crate::node::Object;
use crate::port::{Port, PortDirection};
use crate::read::Reader;

/// Where a block type sits in the app's palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Start and Send Request.
    Requests,
    /// If, For Each, Delay.
    Logic,
    /// Evaluate, Set, Collect.
    Data,
    /// Log.
    Output,
}

impl Group {
    /// Every group, in palette order.
    pub const ALL: [Group; 4] = [Group::Requests, Group::Logic, Group::Data, Group::Output];

    /// The group's heading.
    pub fn label(self) -> &'static str {
        match self {
            Group::Requests => "Requests",
            Group::Logic => "Logic",
            Group::Data => "Data",
            Group::Output => "Output",
        }
    }
}

/// What every block of one type has in common.
#[derive(Debug, PartialEq, Eq)]
pub struct BlockType {
    /// The file format's type name (`send_request`).
    pub name: &'static str,
    /// The name people read (`Send Request`).
    pub label: &'static str,
    /// Its palette group.
    pub group: Group,
    /// One line on what it does.
    pub description: &'static str,
    /// Input ports.
    pub inputs: &'static [Port],
    /// Output ports.
    pub outputs: &'static [Port],
    /// Its fields in the file, besides `type` and `at`, in canonical order.
    pub fields: &'static [&'static str],
}

impl BlockType {
    /// Every block type, in palette order.
    pub const ALL: [&'static BlockType; 9] = [
        &Start::TYPE,
        &SendRequest::TYPE,
        &If::TYPE,
        &ForEach::TYPE,
        &Delay::TYPE,
        &Evaluate::TYPE,
        &Set::TYPE,
        &Collect::TYPE,
        &LogBlock::TYPE,
    ];

    /// The type with this file name.
    pub fn named(name: &str) -> Option<&'static BlockType> {
        Self::ALL.into_iter().find(|t| t.name == name)
    }

    /// Whether `port` exists on this type, and which way it points.
    pub fn port_direction(&self, port: Port) -> Option<PortDirection> {
        if self.inputs.contains(&port) {
            Some(PortDirection::Input)
        } else if self.outputs.contains(&port) {
            Some(PortDirection::Output)
        } else {
            None
        }
    }

    /// A block of this type with every field at its default (a new block from the palette).
    pub fn new_block(&self) -> BlockKind {
        match self.name {
            "start" => BlockKind::Start,
            "send_request" => BlockKind::SendRequest(SendRequest::new("https://")),
            "if" => BlockKind::If(If::default()),
            "for_each" => BlockKind::ForEach(ForEach::default()),
            "delay" => BlockKind::Delay(Delay::default()),
            "evaluate" => BlockKind::Evaluate(Evaluate::default()),
            "set" => BlockKind::Set(Set::default()),
            "collect" => BlockKind::Collect,
            _ => BlockKind::Log(LogBlock::default()),
        }
    }
}

/// The block types of format v1 and their fields.
// A flow holds tens or hundreds of blocks: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// Fires `out` once, with `null`, when a run starts.
    Start,
    /// Sends an HTTP request; fires `success` or `failure`.
    SendRequest(SendRequest),
    /// Writes the value it receives to the console and passes it on.
    Log(LogBlock),
    /// Fires `true` or `false` with its input, by a jq condition.
    If(If),
    /// Fires the value of a jq expression.
    Evaluate(Evaluate),
    /// Keeps a value as a run variable; passes its input on.
    Set(Set),
    /// Waits, then passes its input on.
    Delay(Delay),
    /// Fires `item` once per element of an array.
    ForEach(ForEach),
    /// Fires the list of values that reached it, once per For Each run.
    Collect,
}

impl BlockKind {
    /// The type's definition.
    pub fn block_type(&self) -> &'static BlockType {
        match self {
            BlockKind::Start => &Start::TYPE,
            BlockKind::SendRequest(_) => &SendRequest::TYPE,
            BlockKind::Log(_) => &LogBlock::TYPE,
            BlockKind::If(_) => &If::TYPE,
            BlockKind::Evaluate(_) => &Evaluate::TYPE,
            BlockKind::Set(_) => &Set::TYPE,
            BlockKind::Delay(_) => &Delay::TYPE,
            BlockKind::ForEach(_) => &ForEach::TYPE,
            BlockKind::Collect => &Collect::TYPE,
        }
    }

    /// The file format's type name: `start`, `send_request`, `log`, `if`, ….
    pub fn type_name(&self) -> &'static str {
        self.block_type().name
    }

    /// Input ports.
    pub fn inputs(&self) -> &'static [Port] {
        self.block_type().inputs
    }

    /// Output ports.
    pub fn outputs(&self) -> &'static [Port] {
        self.block_type().outputs
    }

    /// Whether `port` exists on this block, and which way it points.
    pub fn port_direction(&self, port: Port) -> Option<PortDirection> {
        self.block_type().port_direction(port)
    }

    /// Every jq expression of the block, with its field (`condition`, `checks[0]`,
    /// `captures[0]`). A Send Request's are its checks, then its captures.
    pub fn expressions(&self) -> Vec<(String, &str)> {
        match self {
            BlockKind::If(block) => vec![("condition".to_owned(), block.condition.as_str())],
            BlockKind::Evaluate(block) => vec![("expression".to_owned(), block.expression.as_str())],
            BlockKind::Set(block) => vec![("value".to_owned(), block.value.as_str())],
            BlockKind::ForEach(block) => vec![("items".to_owned(), block.items.as_str())],
            BlockKind::SendRequest(request) => request
                .checks
                .iter()
                .enumerate()
                .map(|(index, check)| (format!("checks[{index}]"), check.condition.as_str()))
                .chain(
                    request
                        .captures
                        .iter()
                        .enumerate()
                        .map(|(index, capture)| (format!("captures[{index}]"), capture.expression.as_str())),
                )
                .collect(),
            BlockKind::Start | BlockKind::Log(_) | BlockKind::Delay(_) | BlockKind::Collect => Vec::new(),
        }
    }

    /// Reads the fields of a block of type `block_type` (already known to exist).
    pub(crate) fn read(block_type: &BlockType, reader: &mut Reader, fields: &Object, path: &str) -> Option<BlockKind> {
        Some(match block_type.name {
            "start" => BlockKind::Start,
            "send_request" => BlockKind::SendRequest(SendRequest::read(reader, fields, path)?),
            "if" => BlockKind::If(If::read(reader, fields, path)?),
            "evaluate" => BlockKind::Evaluate(Evaluate::read(reader, fields, path)?),
            "set" => BlockKind::Set(Set::read(reader, fields, path)?),
            "delay" => BlockKind::Delay(Delay::read(reader, fields, path)?),
            "for_each" => BlockKind::ForEach(ForEach::read(reader, fields, path)?),
            "collect" => BlockKind::Collect,
            _ => BlockKind::Log(LogBlock::read(reader, fields, path)),
        })
    }

    /// Writes the block's fields (besides `type` and `at`) in canonical order, leaving
    /// out those at their default.
    pub(crate) fn write(&self, out: &mut Map<String, Value>) {
        match self {
            BlockKind::Start | BlockKind::Collect => {}
            BlockKind::SendRequest(block) => block.write(out),
            BlockKind::Log(block) => block.write(out),
            BlockKind::If(block) => block.write(out),
            BlockKind::Evaluate(block) => block.write(out),
            BlockKind::Set(block) => block.write(out),
            BlockKind::Delay(block) => block.write(out),
            BlockKind::ForEach(block) => block.write(out),
        }
    }

    /// Rules on the block's own field values (the reader has checked their shapes).
    /// `path` makes the block's place (`blocks.ID`), only for a problem to report.
    /// `valid` holds the expressions already found valid (they are not compiled again).
    pub(crate) fn validate<'f>(
        &'f self,
        path: &dyn Fn() -> String,
        problems: &mut Vec<Problem>,
        valid: &mut std::collections::HashSet<&'f str>,
    ) {
        match self {
            BlockKind::Set(block) => block.validate(path, problems),
            BlockKind::SendRequest(block) => block.validate(path, problems),
            _ => {}
        }
        for (field, text) in self.expressions() {
            if valid.contains(text) {
                continue;
            }
            if let Err(error) = crate::expr::Program::check(text) {
                problems.push(Problem::at(
                    format!("{}.{field}", path()),
                    format!("{} (column {})", error.message, error.column(text)),
                ));
            } else {
                valid.insert(text);
            }
        }
    }
}

/// A jq expression as written in a field (checked when the flow is validated).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expression(String);

impl Expression {
    /// An expression with this text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Its text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Expression {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}
