//! `set`: keeps a value as a run variable.

use serde_json::{Map, Value, json};

use super::{BlockFields, BlockType, BlockTypeName, Expression, Group};
use crate::error::Problem;
use crate::node::Object;
use crate::port::Port;
use crate::read::Reader;
use crate::template;

/// The fields of a `set` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    /// The run variable's name (`[A-Za-z0-9_.-]+`, not `input`).
    pub name: String,
    /// The jq expression whose value is kept (default `.`).
    pub value: Expression,
    /// Whether the value is a secret from then on (masked, never seen by expressions).
    pub secret: bool,
}

impl Default for Set {
    fn default() -> Self {
        Self { name: "value".to_owned(), value: Expression::from("."), secret: false }
    }
}

impl Set {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "set",
        label: "Set Variable",
        group: Group::Data,
        description: "Keeps a jq value as run variable `name` (optionally secret); passes its input on.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &["name", "value", "secret"],
        passes_input_on: true,
        id: BlockTypeName::Set,
    };
}

impl BlockFields for Set {
    fn palette_default() -> Self {
        Self::default()
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        let name = reader.required_string(fields, path, "name");
        let value =
            reader.optional_string(fields, path, "value").map_or_else(|| Expression::from("."), Expression::new);
        let secret = reader.optional_bool(fields, path, "secret").unwrap_or(false);
        Some(Self { name: name?, value, secret })
    }

    fn write(&self, out: &mut Map<String, Value>) {
        out.insert("name".into(), json!(self.name));
        if self.value.as_str() != "." {
            out.insert("value".into(), json!(self.value.as_str()));
        }
        if self.secret {
            out.insert("secret".into(), json!(true));
        }
    }

    fn validate(&self, path: &dyn Fn() -> String, problems: &mut Vec<Problem>) {
        if let Some(problem) = template::variable_name_problem(&self.name) {
            problems.push(Problem::at(format!("{}.name", path()), problem));
        }
    }

    fn variables_set(&self) -> Vec<(&str, bool)> {
        vec![(self.name.as_str(), self.secret)]
    }

    fn expressions(&self) -> Vec<(String, &str)> {
        vec![("value".to_owned(), self.value.as_str())]
    }
}
