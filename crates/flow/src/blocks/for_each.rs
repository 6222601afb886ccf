//! `for_each`: fires once per element of an array.

use serde_json::{Map, Value, json};

use super::{BlockFields, BlockType, BlockTypeName, Expression, Group};
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;

/// The fields of a `for_each` block.
#[derive(Debug, Clone, PartialEq)]
pub struct ForEach {
    /// The jq expression giving the array (default `.`).
    pub items: Expression,
    /// How many elements' branches may run at once (default 1: one after another).
    pub concurrency: u32,
}

impl Default for ForEach {
    fn default() -> Self {
        Self { items: Expression::from("."), concurrency: 1 }
    }
}

impl ForEach {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "for_each",
        label: "For Each",
        group: Group::Logic,
        description: "Fires `item` once per element of a jq array, one at a time or `concurrency` at once.",
        inputs: &[Port::In],
        outputs: &[Port::Item],
        fields: &["items", "concurrency"],
        passes_input_on: false,
        id: BlockTypeName::ForEach,
    };
}

impl BlockFields for ForEach {
    fn palette_default() -> Self {
        Self::default()
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        let items =
            reader.optional_string(fields, path, "items").map_or_else(|| Expression::from("."), Expression::new);
        let concurrency = match fields.get("concurrency") {
            None => 1,
            Some(_) => {
                let n = reader.required_whole_number(fields, path, "concurrency", 1, "branches")?;
                u32::try_from(n.min(1_000_000)).unwrap_or(1_000_000)
            }
        };
        Some(Self { items, concurrency })
    }

    fn write(&self, out: &mut Map<String, Value>) {
        if self.items.as_str() != "." {
            out.insert("items".into(), json!(self.items.as_str()));
        }
        if self.concurrency != 1 {
            out.insert("concurrency".into(), json!(self.concurrency));
        }
    }

    fn expressions(&self) -> Vec<(String, &str)> {
        vec![("items".to_owned(), self.items.as_str())]
    }
}
