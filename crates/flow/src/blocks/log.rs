//! `log`: shows the value it receives.

use serde_json::{Map, Value, json};

use super::{BlockType, Group};
use crate::node::Object;
use crate::parse::{Reader, join};
use crate::port::Port;

/// The fields of a `log` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogBlock {
    /// Optional label shown with the logged value.
    pub label: Option<String>,
    /// How the value is shown; `error` makes the run's outcome `failed`.
    pub level: LogLevel,
}

/// A `log` block's `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogLevel {
    /// The default.
    #[default]
    Info,
    /// A warning.
    Warn,
    /// An error: a value reaching it makes the run `failed`.
    Error,
}

impl LogLevel {
    /// Its word in the file format.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

impl LogBlock {
    /// Its definition.
    pub const TYPE: BlockType = BlockType {
        name: "log",
        label: "Log",
        group: Group::Output,
        description: "Writes the value it receives to the console and passes it on.",
        inputs: &[Port::In],
        outputs: &[Port::Out],
        fields: &["label", "level"],
    };

    pub(crate) fn read(reader: &mut Reader, fields: &Object, path: &str) -> Self {
        let label = reader.optional_string(fields, path, "label");
        let level = match reader.optional_string(fields, path, "level").as_deref() {
            None | Some("info") => LogLevel::Info,
            Some("warn") => LogLevel::Warn,
            Some("error") => LogLevel::Error,
            Some(other) => {
                reader.problem(
                    join(path, "level"),
                    format!("`level` is \"info\", \"warn\" or \"error\", found \"{other}\""),
                );
                LogLevel::Info
            }
        };
        Self { label, level }
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>) {
        if let Some(label) = &self.label {
            out.insert("label".into(), json!(label));
        }
        if self.level != LogLevel::Info {
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
