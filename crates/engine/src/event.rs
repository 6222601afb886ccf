//! The events a run reports, and its outcome. The CLI and the GUI render these.
//!
//! Every event has passed through the run's redactor before it leaves the engine, so
//! no secret value (nor its URL-encoded or base64 forms) is in any field.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchyard_flow::{BlockTypeName, LogLevel, Port};

/// One thing that happened during a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run began.
    RunStarted {
        /// The flow's name.
        flow: String,
        /// How many blocks the flow has.
        blocks: usize,
    },
    /// A block began running on a value that reached its input.
    BlockStarted {
        /// The block id.
        block: String,
        /// The block's type, written as its file name (`start`, `send_request`, `log`, …).
        kind: BlockTypeName,
        /// 1-based count of block runs so far in this run.
        step: u64,
    },
    /// A request left for the server (one per redirect hop).
    RequestSent {
        /// The block id.
        block: String,
        /// HTTP method.
        method: String,
        /// The full URL, query included, secrets masked.
        url: String,
        /// Request headers, secrets masked.
        headers: Vec<(String, String)>,
    },
    /// A response arrived in full.
    ResponseReceived {
        /// The block id.
        block: String,
        /// HTTP status code.
        status: u16,
        /// Time from sending to the end of the body, in milliseconds.
        duration_ms: u64,
        /// Body size in bytes.
        bytes: u64,
    },
    /// A Log block logged a value.
    Log {
        /// The block id.
        block: String,
        /// The Log block's label, if it has one.
        label: Option<String>,
        /// The Log block's level; a value logged at `error` makes the run `failed`.
        /// Written only when it is not `info`.
        #[serde(default, skip_serializing_if = "LogLevel::is_info", with = "level_name")]
        level: LogLevel,
        /// The value it received (shared with the value it fires on `out`).
        value: Arc<Value>,
    },
    /// Something the user should know that does not fail the run (an expired secret).
    Warning {
        /// The block concerned, if any.
        block: Option<String>,
        /// What happened.
        message: String,
    },
    /// A block finished and fired one of its output ports.
    BlockFinished {
        /// The block id.
        block: String,
        /// The output port fired (`out`, `success`, `failure`, `true`, `item`, …).
        port: Port,
        /// The value fired on that port (shared with the blocks it was wired to).
        value: Arc<Value>,
        /// Whether a wire carried the value onward; `false` on `failure` is an unhandled failure.
        wired: bool,
        /// A one-line result for display: `200 · 84 ms`, `timeout`, `unresolved {{auth}}`.
        summary: String,
    },
    /// A block could not run: an expression failed (a runtime error, a value of the
    /// wrong kind, a bound exceeded). Nothing was fired; the run's outcome is `failed`.
    BlockFailed {
        /// The block id.
        block: String,
        /// The field whose expression failed (`condition`, `checks[0]`).
        field: String,
        /// What went wrong.
        message: String,
    },
    /// A For Each fired `item` for one element.
    ItemStarted {
        /// The block id.
        block: String,
        /// 1-based index of the element.
        index: usize,
        /// How many elements there are.
        total: usize,
    },
    /// A Set block kept a run variable (a secret's value is masked).
    VariableSet {
        /// The block id.
        block: String,
        /// The variable's name.
        name: String,
        /// Its value.
        value: Value,
        /// Whether it is a secret from now on.
        secret: bool,
    },
    /// A check of a Send Request was evaluated.
    CheckResult {
        /// The block id.
        block: String,
        /// The check's name.
        name: String,
        /// Whether it held.
        passed: bool,
        /// What its condition gave.
        result: Value,
    },
    /// The run ended.
    RunFinished {
        /// How it ended.
        outcome: Outcome,
        /// What it did.
        counts: Counts,
        /// Wall time of the whole run, in milliseconds.
        duration_ms: u64,
    },
}

impl Event {
    /// The block this event is about, if any.
    pub fn block(&self) -> Option<&str> {
        match self {
            Event::BlockStarted { block, .. }
            | Event::RequestSent { block, .. }
            | Event::ResponseReceived { block, .. }
            | Event::Log { block, .. }
            | Event::BlockFinished { block, .. }
            | Event::BlockFailed { block, .. }
            | Event::ItemStarted { block, .. }
            | Event::VariableSet { block, .. }
            | Event::CheckResult { block, .. } => Some(block),
            Event::Warning { block, .. } => block.as_deref(),
            Event::RunStarted { .. } | Event::RunFinished { .. } => None,
        }
    }
}

/// What [`Event::visit_mut`] hands over: every field of an event that may carry text
/// from a flow, a server or a variable, to be changed in place (the redactor masks each).
pub(crate) trait FieldsMut {
    /// A text: an id, a name, a label, a message, a URL, a header's name or value.
    fn text(&mut self, text: &mut String);
    /// A JSON value the event carries (a logged value, a variable's, a check's result).
    fn value(&mut self, value: &mut Value);
    /// The fired value, shared with the blocks it went to: to be copied only to change it.
    fn shared_value(&mut self, value: &mut Arc<Value>);
}

impl Event {
    /// Hands every text and value of the event to `fields`. Each variant names all its
    /// fields, so a new variant or field does not compile until it is placed here: no
    /// event can skip masking.
    pub(crate) fn visit_mut(&mut self, fields: &mut impl FieldsMut) {
        match self {
            Event::RunStarted { flow, blocks: _ } => fields.text(flow),
            // A block type's name comes from the format, never from a value.
            Event::BlockStarted { block, kind: _, step: _ } => fields.text(block),
            Event::RequestSent { block, method, url, headers } => {
                for text in [block, method, url] {
                    fields.text(text);
                }
                for (name, value) in headers {
                    fields.text(name);
                    fields.text(value);
                }
            }
            Event::ResponseReceived { block, status: _, duration_ms: _, bytes: _ } => fields.text(block),
            Event::Log { block, label, level: _, value } => {
                fields.text(block);
                if let Some(label) = label {
                    fields.text(label);
                }
                // Shared with the value the Log block fires.
                fields.shared_value(value);
            }
            Event::Warning { block, message } => {
                if let Some(block) = block {
                    fields.text(block);
                }
                fields.text(message);
            }
            Event::BlockFinished { block, port: _, value, wired: _, summary } => {
                fields.text(block);
                fields.shared_value(value);
                fields.text(summary);
            }
            Event::BlockFailed { block, field, message } => {
                for text in [block, field, message] {
                    fields.text(text);
                }
            }
            Event::ItemStarted { block, index: _, total: _ } => fields.text(block),
            Event::VariableSet { block, name, value, secret: _ } => {
                fields.text(block);
                fields.text(name);
                fields.value(value);
            }
            Event::CheckResult { block, name, passed: _, result } => {
                fields.text(block);
                fields.text(name);
                fields.value(result);
            }
            // Counts and a duration: the engine's own numbers, nothing else.
            Event::RunFinished { outcome: _, counts: _, duration_ms: _ } => {}
        }
    }

    /// The numbers the event shows as they are, which a secret made only of digits could
    /// be (the redactor withholds such an event). Every variant names all its fields.
    pub(crate) fn numbers(&self) -> impl Iterator<Item = u64> {
        let numbers: [Option<u64>; 3] = match self {
            Event::RunStarted { flow: _, blocks } => [Some(*blocks as u64), None, None],
            Event::BlockStarted { block: _, kind: _, step } => [Some(*step), None, None],
            Event::ResponseReceived { block: _, status, duration_ms, bytes } => {
                [Some(u64::from(*status)), Some(*duration_ms), Some(*bytes)]
            }
            Event::ItemStarted { block: _, index, total } => [Some(*index as u64), Some(*total as u64), None],
            Event::RequestSent { block: _, method: _, url: _, headers: _ }
            | Event::Log { block: _, label: _, level: _, value: _ }
            | Event::Warning { block: _, message: _ }
            | Event::BlockFinished { block: _, port: _, value: _, wired: _, summary: _ }
            | Event::BlockFailed { block: _, field: _, message: _ }
            | Event::VariableSet { block: _, name: _, value: _, secret: _ }
            | Event::CheckResult { block: _, name: _, passed: _, result: _ } => [None; 3],
            // Counts and a duration: the engine's own numbers; the last event is never
            // withheld.
            Event::RunFinished { outcome: _, counts: _, duration_ms: _ } => [None; 3],
        };
        numbers.into_iter().flatten()
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Everything ran; no failure went unhandled.
    Ok,
    /// A `failure` port fired with no wire attached, a block's expression failed, or a
    /// value reached a Log at level `error`.
    Failed,
    /// The run was cancelled.
    Cancelled,
    /// The run reached the step limit.
    Limit,
}

impl Outcome {
    /// The outcome's name: `ok`, `failed`, `cancelled`, `limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Limit => "limit",
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Block runs started.
    pub blocks_run: u64,
    /// Requests that got a response (redirect hops not counted).
    pub responses: u64,
    /// `success` ports fired.
    pub succeeded: u64,
    /// `failure` ports fired.
    pub failed: u64,
    /// `failure` ports fired with no wire attached.
    pub unhandled: u64,
    /// Values logged by Log blocks.
    pub logged: u64,
    /// Blocks that could not run (an expression failed).
    #[serde(default)]
    pub errors: u64,
    /// Values logged by Log blocks at level `error`: each fails the run.
    #[serde(default)]
    pub error_logs: u64,
}

impl Counts {
    /// Whether anything in the run makes its outcome `failed`: an unhandled failure, a
    /// block error, or a value logged at level `error`.
    pub fn any_failure(&self) -> bool {
        self.unhandled > 0 || self.errors > 0 || self.error_logs > 0
    }
}

/// A [`LogLevel`] in JSON as its name (`"warn"`, `"error"`).
mod level_name {
    use serde::{Deserialize, Deserializer, Serializer};
    use switchyard_flow::LogLevel;

    pub fn serialize<S: Serializer>(level: &LogLevel, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(level.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<LogLevel, D::Error> {
        let name = String::deserialize(deserializer)?;
        LogLevel::named(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown log level `{name}` (info, warn or error)")))
    }
}

/// The end of a run, as returned by [`crate::Engine::run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSummary {
    /// How it ended.
    pub outcome: Outcome,
    /// What it did.
    pub counts: Counts,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_started_event_names_its_type_by_its_file_name() {
        let event = Event::BlockStarted { block: "call".to_owned(), kind: BlockTypeName::SendRequest, step: 2 };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(json, r#"{"event":"block_started","block":"call","kind":"send_request","step":2}"#);
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        let unknown = json.replace("send_request", "sned_request");
        assert!(serde_json::from_str::<Event>(&unknown).unwrap_err().to_string().contains("unknown block type"));
    }
}
