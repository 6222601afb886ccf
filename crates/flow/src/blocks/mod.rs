//! The block types: one definition each, in one file per type, and the registry that
//! lists them (the `block_types!` invocation below), the only place in this crate
//! naming every type.
//!
//! # Adding a block type
//!
//! 1. **flow** (this directory): a file `NAME.rs` with the block's struct (its fields)
//!    and
//!    - an inherent `pub const TYPE: BlockType`: file name, label, palette [`Group`],
//!      one-line description, ports, fields in canonical order, whether it passes its
//!      input on, and `id: BlockTypeName::Variant`;
//!    - `impl BlockFields for Struct`: `palette_default` (a new block from the palette),
//!      `read` (its fields, with the crate's field reader), `write` (its fields in
//!      canonical order, defaults left out), and where it has them `validate` (rules on
//!      its values), `expressions` (its jq fields, compiled when a flow is checked) and
//!      `variables_set` (the run variables it sets).
//!
//!    Then, in this file, `mod NAME;` and one line `Variant(NAME::Struct),` in the
//!    `block_types!` list. The list generates [`BlockKind`] (a variant per type, the
//!    struct re-exported), [`BlockTypeName`], [`BlockType::ALL`], and the dispatch of
//!    reading, writing, validating, expressions and new blocks. Nothing matches a type by
//!    its name with a fallback: a piece left out does not compile (a missing trait item,
//!    a `TYPE` whose `id` names another variant, a match elsewhere that is no longer
//!    exhaustive).
//! 2. **engine**: `crates/engine/src/blocks/NAME.rs` with `execute(…) -> Step`, and its
//!    arm in the dispatch in `crates/engine/src/blocks/mod.rs` (the compiler points at it).
//! 3. **gui**: `crates/gui/src/blocks/NAME.rs` with `impl BlockView for Struct` (its tag,
//!    accent, body line and inspector form), and its variant in the `views!` list of
//!    `crates/gui/src/blocks/mod.rs` (the compiler points at it too).
//! 4. Tests beside each new file, and the type's fields in the format reference.
//!
//! Nothing else names a block type: what other code needs to know about one (its ports,
//! whether it passes its input on, its palette group) is a field of [`BlockType`], and
//! the CLI's and the console's words come from the events and ports, not the type.

mod collect;
mod delay;
mod evaluate;
mod for_each;
mod if_;
mod log;
mod send_request;
mod set;
mod start;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use log::LogLevel;
pub use send_request::{ApiKeyLocation, Auth, Body, Capture, Check, Part, StatusPattern};

use crate::error::Problem;
use crate::node::Object;
use crate::port::{Port, PortDirection};
use crate::read::Reader;

/// Where a block type sits in the app's palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Where a run begins, and what talks to servers.
    Requests,
    /// Which way values go, and when: branching, looping, waiting.
    Logic,
    /// Values made from values, and run variables.
    Data,
    /// What a run shows.
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
    /// Whether it fires the value it received, unchanged, on its output (so where that
    /// value came from, a For Each's element say, is where its output comes from too).
    pub passes_input_on: bool,
    /// Its name in the registry (checked against the registration when compiled).
    pub id: BlockTypeName,
}

impl BlockType {
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
        self.id.new_block()
    }
}

/// What each block type's struct gives the registry: how a block of the type is made,
/// read, written and checked. (Its definition is its inherent `TYPE`.)
pub(crate) trait BlockFields: Sized {
    /// A block of this type as the palette adds it: every field at its default.
    fn palette_default() -> Self;

    /// Reads the block's fields (`path` is the block's: `blocks.ID`); `None` when a
    /// problem (already reported to `reader`) leaves no block to make.
    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self>;

    /// Writes the block's fields (besides `type` and `at`) in canonical order, leaving
    /// out those at their default.
    fn write(&self, out: &mut Map<String, Value>);

    /// Rules on the block's own field values (the reader has checked their shapes);
    /// `path` makes the block's place, only for a problem to report.
    fn validate(&self, _path: &dyn Fn() -> String, _problems: &mut Vec<Problem>) {}

    /// Every jq expression of the block, with its field (`condition`, `checks[0]`).
    fn expressions(&self) -> Vec<(String, &str)> {
        Vec::new()
    }

    /// The run variables the block sets when it runs, each with whether it is a secret.
    fn variables_set(&self) -> Vec<(&str, bool)> {
        Vec::new()
    }
}

/// The registry: generates [`BlockKind`], [`BlockTypeName`], [`BlockType::ALL`] and the
/// dispatch to each type's [`BlockFields`], from one list of `Variant(Struct)`.
macro_rules! block_types {
    ($($variant:ident($module:ident::$ty:ident)),+ $(,)?) => {
        $(pub use $module::$ty;)+

        /// The block types of format v1 and their fields: one variant per registered type.
        // A flow holds tens or hundreds of blocks: boxing the large variant would buy nothing.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum BlockKind {
            $(
                #[doc = concat!("A block of type [`", stringify!($ty), "`].")]
                $variant($ty),
            )+
        }

        /// A block type, by name: written as its file name (`send_request`) in events
        /// and reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum BlockTypeName {
            $(
                #[doc = concat!("The type of [`", stringify!($ty), "`].")]
                $variant,
            )+
        }

        // Each type's definition names its own variant: a copy-paste slip does not compile.
        const _: () = {
            $(
                assert!(
                    matches!(<$ty>::TYPE.id, BlockTypeName::$variant),
                    concat!(stringify!($ty), "::TYPE.id is not BlockTypeName::", stringify!($variant)),
                );
            )+
        };

        impl BlockType {
            /// Every block type, in palette order.
            pub const ALL: [&'static BlockType; [$(stringify!($variant)),+].len()] = [$(&<$ty>::TYPE),+];
        }

        impl BlockTypeName {
            /// The type's definition.
            pub fn block_type(self) -> &'static BlockType {
                match self {
                    $(BlockTypeName::$variant => &<$ty>::TYPE,)+
                }
            }

            fn new_block(self) -> BlockKind {
                match self {
                    $(BlockTypeName::$variant => BlockKind::$variant(<$ty as BlockFields>::palette_default()),)+
                }
            }

            fn read(self, reader: &mut Reader, fields: &Object, path: &str) -> Option<BlockKind> {
                match self {
                    $(BlockTypeName::$variant => <$ty as BlockFields>::read(reader, fields, path).map(BlockKind::$variant),)+
                }
            }
        }

        impl BlockKind {
            /// The type's definition.
            pub fn block_type(&self) -> &'static BlockType {
                match self {
                    $(BlockKind::$variant(_) => &<$ty>::TYPE,)+
                }
            }

            /// Every jq expression of the block, with its field (`condition`, `checks[0]`,
            /// `captures[0]`). A Send Request's are its checks, then its captures.
            pub fn expressions(&self) -> Vec<(String, &str)> {
                match self {
                    $(BlockKind::$variant(block) => BlockFields::expressions(block),)+
                }
            }

            /// The run variables the block sets when it runs (a name may be empty while
            /// it is being typed), each with whether it is a secret.
            pub fn variables_set(&self) -> Vec<(&str, bool)> {
                match self {
                    $(BlockKind::$variant(block) => BlockFields::variables_set(block),)+
                }
            }

            /// Writes the block's fields (besides `type` and `at`) in canonical order, leaving
            /// out those at their default.
            pub(crate) fn write(&self, out: &mut Map<String, Value>) {
                match self {
                    $(BlockKind::$variant(block) => BlockFields::write(block, out),)+
                }
            }

            fn validate_fields(&self, path: &dyn Fn() -> String, problems: &mut Vec<Problem>) {
                match self {
                    $(BlockKind::$variant(block) => BlockFields::validate(block, path, problems),)+
                }
            }
        }
    };
}

block_types! {
    Start(start::Start),
    SendRequest(send_request::SendRequest),
    If(if_::If),
    ForEach(for_each::ForEach),
    Delay(delay::Delay),
    Evaluate(evaluate::Evaluate),
    Set(set::Set),
    Collect(collect::Collect),
    Log(log::LogBlock),
}

impl BlockTypeName {
    /// The file format's type name (`send_request`).
    pub fn as_str(self) -> &'static str {
        self.block_type().name
    }
}

impl std::fmt::Display for BlockTypeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BlockTypeName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BlockTypeName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        BlockType::named(&name)
            .map(|block_type| block_type.id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown block type `{name}`")))
    }
}

impl BlockKind {
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

    /// Reads the fields of a block of type `block_type` (its unknown fields are the
    /// parser's to report).
    pub(crate) fn read(block_type: &BlockType, reader: &mut Reader, fields: &Object, path: &str) -> Option<BlockKind> {
        block_type.id.read(reader, fields, path)
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
        self.validate_fields(path, problems);
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
