//! What each engine event says in the console: its block, level, message and value.
//! The words a run's summary, failures, durations and plurals take are the engine's
//! (`switchyard_engine::wording`), so the console and the terminal say the same thing.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use switchyard_engine::{Counts, EngineConfig, Event, Outcome, wording};
use switchyard_flow::{LogLevel, Port, escape_controls};

use super::Level;

/// What a console line is made of: its block, the block's field at fault (if the line
/// points at one), level, message and value.
pub(super) struct Described {
    pub(super) block: Option<String>,
    pub(super) field: Option<String>,
    pub(super) level: Level,
    pub(super) message: String,
    pub(super) value: Option<Arc<Value>>,
}

impl Described {
    fn new(block: Option<String>, level: Level, message: String, value: Option<Arc<Value>>) -> Self {
        Self { block, field: None, level, message, value }
    }
}

/// The line an event maps to, or `None` for the events the console does not show.
/// Takes the event so its values move into the line: a value the engine already shares
/// (`BlockFinished`'s) is shared, never copied.
pub(super) fn describe(event: Event) -> Option<Described> {
    let line = match event {
        Event::RunStarted { flow, blocks } => Described::new(
            None,
            Level::Info,
            format!("run started: {flow} ({})", wording::plural(blocks as u64, "block")),
            None,
        ),
        Event::BlockStarted { .. } | Event::ResponseReceived { .. } => return None,
        Event::RequestSent { block, method, url, headers } => {
            let value = request_value(&method, &url, &headers);
            Described::new(Some(block), Level::Request, format!("{method} {url}"), Some(Arc::new(value)))
        }
        Event::Log { block, label, level, value } => {
            let message = label.as_deref().filter(|label| !label.trim().is_empty()).unwrap_or("logged").to_owned();
            // A value logged at `error` fails the run: it shows in the failure colour.
            let (level, message) = match level {
                LogLevel::Info => (Level::Log, message),
                LogLevel::Warn => (Level::Warning, message),
                LogLevel::Error => (Level::Failure, format!("{message} (logged at level error: the run fails)")),
            };
            // Shared with the value the Log block fired on: held once.
            Described::new(Some(block), level, message, Some(value))
        }
        Event::Warning { block, message } => Described::new(block, Level::Warning, message, None),
        Event::BlockFinished { block, port, value, wired, summary } => match port {
            Port::Success => {
                let message = if summary.is_empty() { "success".to_owned() } else { format!("success: {summary}") };
                Described::new(Some(block), Level::Success, message, Some(value))
            }
            Port::Failure => {
                let message = failure_line(&summary, &value, wired);
                Described::new(Some(block), Level::Failure, message, Some(value))
            }
            Port::True | Port::False => Described::new(Some(block), Level::Info, format!("→ {port}"), None),
            Port::In | Port::Out | Port::Item => return None,
        },
        Event::BlockFailed { block, field, message } => Described {
            block: Some(block),
            field: Some(field),
            level: Level::Failure,
            message: format!("{message} (the run fails)"),
            value: None,
        },
        Event::ItemStarted { block, index, total } => {
            Described::new(Some(block), Level::Info, format!("item {index} / {total}"), None)
        }
        Event::VariableSet { block, name, value, .. } => {
            Described::new(Some(block), Level::Info, format!("{name} set"), Some(Arc::new(value)))
        }
        Event::CheckResult { block, name, passed, result } => {
            let (level, outcome) = if passed { (Level::Success, "held") } else { (Level::Failure, "did not hold") };
            Described::new(Some(block), level, format!("check \"{name}\" {outcome}"), Some(Arc::new(result)))
        }
        Event::RunFinished { outcome, counts, duration_ms } => {
            let level = match outcome {
                Outcome::Ok => Level::Success,
                Outcome::Failed | Outcome::Limit => Level::Failure,
                Outcome::Cancelled => Level::Info,
            };
            Described::new(None, level, run_finished_line(outcome, &counts, duration_ms), None)
        }
    };
    Some(line)
}

/// `failure: SUMMARY — ERROR MESSAGE`, with ` (unhandled)` when no wire took the failure.
/// The error's message is the engine's wording (left out when the summary says it).
fn failure_line(summary: &str, value: &Value, wired: bool) -> String {
    let mut message = String::from("failure");
    if !summary.is_empty() {
        message.push_str(": ");
        message.push_str(summary);
    }
    if let Some(error) = wording::failure_message(value, summary) {
        message.push_str(" — ");
        message.push_str(&error);
    }
    if !wired {
        message.push_str(" (unhandled)");
    }
    message
}

/// The run's summary, as the terminal shows it: `✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · 84 ms`.
pub(super) fn run_finished_line(outcome: Outcome, counts: &Counts, duration_ms: u64) -> String {
    wording::run_summary_line(outcome, counts, duration_ms, EngineConfig::default().max_steps)
}

/// The value shown with a request line: method, URL and headers (already masked).
/// Repeated header names are joined with `, `, as HTTP allows.
fn request_value(method: &str, url: &str, headers: &[(String, String)]) -> Value {
    let mut header_map = Map::new();
    for (name, value) in headers {
        let joined = match header_map.get(name).and_then(Value::as_str) {
            Some(previous) => format!("{previous}, {value}"),
            None => value.clone(),
        };
        header_map.insert(name.clone(), Value::String(joined));
    }
    let mut request = Map::new();
    request.insert("method".to_owned(), Value::String(method.to_owned()));
    request.insert("url".to_owned(), Value::String(url.to_owned()));
    request.insert("headers".to_owned(), Value::Object(header_map));
    Value::Object(request)
}

/// `mm:ss.mmm`; minutes go past 59 rather than wrap.
pub(super) fn format_elapsed(elapsed: Duration) -> String {
    let millis = elapsed.as_millis();
    format!("{:02}:{:02}.{:03}", millis / 60_000, (millis / 1_000) % 60, millis % 1_000)
}

/// An app message on one line: its line breaks and tabs become spaces, any other
/// control character is escaped, so every line is one row.
pub(super) fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    escape_controls(&spaced).into_owned()
}
