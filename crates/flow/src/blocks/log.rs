//! `log`: shows the value it receives.

use std::fmt;

use serde_json::{Map, Value, json};

use super::{BlockFields, BlockType, BlockTypeName, Group};
use crate::error::Problem;
use crate::node::Object;
use crate::port::Port;
use crate::read::{Reader, join};

/// The fields of a `log` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogBlock {
    /// Optional label shown with the logged value.
    pub label: Option<String>,
    /// How the value is shown; a value logged at `error` makes the run's outcome `failed`.
    pub level: LogLevel,
}

/// The level of a `log` block (`info`, the default, `warn` or `error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum LogLevel {
    /// An ordinary value.
    #[default]
    Info,
    /// Worth a look; the run goes on and its outcome is unchanged.
    Warn,
    /// A path the flow calls a failure: the run goes on, and its outcome is `failed`.
    Error,
}

impl LogLevel {
    /// Every level, in order of severity.
    pub const ALL: [LogLevel; 3] = [LogLevel::Info, LogLevel::Warn, LogLevel::Error];

    /// The file format's name: `info`, `warn`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }

    /// The level called `name` in the file format.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.as_str() == name)
    }

    /// Whether this is `info`, the default (left out when written).
    pub fn is_info(&self) -> bool {
        *self == LogLevel::Info
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LogBlock {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "log",
        label: "Log",
        group: Group::Output,
        description: "Writes the value it receives to the console and passes it on; at level `error` the run fails.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &["label", "level"],
        passes_input_on: true,
        id: BlockTypeName::Log,
    };
}

impl BlockFields for LogBlock {
    fn palette_default() -> Self {
        Self::default()
    }

    fn read(reader: &mut Reader, fields: &Object, path: &str) -> Option<Self> {
        let label = reader.optional_string(fields, path, "label");
        let level = match reader.optional_string(fields, path, "level") {
            None => LogLevel::Info,
            Some(name) => LogLevel::named(&name).unwrap_or_else(|| {
                let hint = reader.suggester.suggest(&name, LogLevel::ALL.map(LogLevel::as_str));
                reader.problems.push(
                    Problem::at(
                        join(path, "level"),
                        format!("`level` is \"info\", \"warn\" or \"error\", found \"{name}\""),
                    )
                    .with_suggestion(hint),
                );
                LogLevel::Info
            }),
        };
        Some(Self { label, level })
    }

    fn write(&self, out: &mut Map<String, Value>) {
        if let Some(label) = &self.label {
            out.insert("label".into(), json!(label));
        }
        if !self.level.is_info() {
            out.insert("level".into(), json!(self.level.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{BlockKind, Flow, LogLevel};

    fn flow_with_log(fields: &str) -> String {
        format!(
            r#"{{"switchyard": 1, "name": "x", "blocks": {{"start": {{"type": "start", "at": [0, 0]}},
                "log": {{"type": "log", "at": [1, 0]{fields}}}}}, "wires": [["start.out", "log.in"]]}}"#
        )
    }

    #[test]
    fn level_is_read_written_and_checked() {
        let flow = Flow::from_json(&flow_with_log(r#", "level": "error""#), "f.json").unwrap();
        let Some(BlockKind::Log(log)) = flow.block("log").map(|block| &block.kind) else { panic!("no log") };
        assert_eq!(log.level, LogLevel::Error);
        assert!(flow.to_json().contains("\"level\": \"error\""), "{}", flow.to_json());
        let plain = Flow::from_json(&flow_with_log(""), "f.json").unwrap();
        assert!(!plain.to_json().contains("level"), "info is the default and not written");
        let error = Flow::from_json(&flow_with_log(r#", "level": "fatal""#), "f.json").unwrap_err();
        assert!(error.to_string().contains("blocks.log.level"), "{error}");
    }
}
