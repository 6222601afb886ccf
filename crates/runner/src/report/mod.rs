//! Reports of a `switchyard run`, written when every flow has ended (docs/cli.md):
//! JUnit XML ([`junit`]), JSON ([`json`]) and one self-contained HTML page ([`html`]).
//!
//! They are built from the events the engine sent, which its redactor has already
//! masked, exactly what the console shows, and which [`keep`] masked again when the
//! flow ended with every secret its run knew by then (one learned late in the run is
//! masked in the events sent before it was known): a report never sees a secret value.
//! What a flow keeps is bounded: long bodies are cut (`--report-body-limit`), and a
//! flow keeps a bounded number of events ([`keep`]). Text taken from flows or servers
//! keeps its control characters escaped (`\u{1b}`).
//!
//! [`mod@write`] writes the reports asked for ([`write::Targets`]) without destroying what
//! their paths point at. This module holds what the three formats read: the flows'
//! reports, their outcomes and the cases in their events; it uses none of them.

pub mod html;
pub mod json;
pub mod junit;
pub mod keep;
mod outcome;
pub mod write;

use std::collections::{HashMap, VecDeque};

use serde_json::Value;
use switchyard_engine::wording::{duration, plural};
use switchyard_engine::{ErrorView, Event, Outcome, ResponseView, RunSummary};
use switchyard_flow::{BlockTypeName, LogLevel, Port};

pub use self::outcome::{FlowOutcome, Overall};

/// An event and when it arrived, in milliseconds since its flow started.
#[derive(Debug, Clone)]
pub struct Timed {
    /// When it arrived.
    pub at_ms: u64,
    /// The event, masked.
    pub event: Event,
}

/// One flow of the run, as the reports tell it.
#[derive(Debug, Clone)]
pub struct FlowReport {
    /// The file, as named on the command line or found in a folder.
    pub file: String,
    /// The flow's `name`.
    pub name: String,
    /// How it ran; `None` when it never started (`--bail`, or the run was cancelled).
    pub ran: Option<Ran>,
}

/// A flow that ran: its outcome and the events it sent, as kept for the reports.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Its outcome, counts and duration.
    pub summary: RunSummary,
    /// Every event it sent, or the first ones and its `run_finished` when it sent more
    /// than a report keeps ([`keep`]).
    pub events: Vec<Timed>,
    /// How many events were left out of `events`.
    pub left_out: u64,
}

impl FlowReport {
    /// How it ended, or that it never started.
    pub fn outcome(&self) -> FlowOutcome {
        self.ran.as_ref().map_or(FlowOutcome::NotRun, |ran| ran.summary.outcome.into())
    }
}

/// The whole run: `cancelled` when it was cancelled, `ok` when every flow ran and was
/// `ok`, else `failed`.
pub fn overall(flows: &[FlowReport], cancelled: bool) -> Overall {
    if cancelled {
        Overall::Cancelled
    } else if flows.iter().all(|f| f.ran.as_ref().is_some_and(|r| r.summary.outcome == Outcome::Ok)) {
        Overall::Ok
    } else {
        Overall::Failed
    }
}

/// `3 flows: 2 ok, 1 failed · 41 requests · 1.2 s`: the line that closes a run of
/// several flows, and heads the HTML report.
pub fn closing_line(flows: &[FlowReport], duration_ms: u64) -> String {
    let mut tally: Vec<(&str, usize)> = vec![("ok", 0)];
    for flow in flows {
        let word = match flow.outcome() {
            FlowOutcome::Ok => "ok",
            FlowOutcome::Failed => "failed",
            FlowOutcome::Cancelled => "cancelled",
            FlowOutcome::Limit => "at the step limit",
            FlowOutcome::NotRun => "not run",
        };
        match tally.iter_mut().find(|(w, _)| *w == word) {
            Some((_, count)) => *count += 1,
            None => tally.push((word, 1)),
        }
    }
    let tally: Vec<String> = tally.iter().map(|(word, count)| format!("{count} {word}")).collect();
    let requests: u64 =
        flows.iter().filter_map(|f| f.ran.as_ref()).map(|r| r.summary.counts.succeeded + r.summary.counts.failed).sum();
    format!(
        "{}: {} · {} · {}",
        plural(flows.len() as u64, "flow"),
        tally.join(", "),
        plural(requests, "request"),
        duration(duration_ms)
    )
}

/// One Send Request block run, a check, a block error or a value logged at level
/// `error`, read from a flow's events:
/// what the JUnit and HTML reports list.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// `BLOCK` for a request or a block error, `BLOCK: CHECK NAME` for a check.
    pub name: String,
    /// The block it is about.
    pub block: &'a str,
    /// What it is.
    pub kind: CaseKind<'a>,
    /// When it started and how long it took, in milliseconds.
    pub at_ms: u64,
    /// How long it took.
    pub duration_ms: u64,
    /// `None` when it passed; else the failure's type (the error kind) and message.
    pub failure: Option<(String, String)>,
}

/// What a [`Case`] is.
#[derive(Debug, Clone)]
#[allow(missing_docs, reason = "a variant's doc names its fields")]
pub enum CaseKind<'a> {
    /// A Send Request: what was sent (method, URL, headers) and the value it fired.
    Request { method: Option<&'a str>, url: Option<&'a str>, headers: &'a [(String, String)], value: &'a Value },
    /// A check on a response (what its condition gave is in the failure's message).
    Check,
    /// An expression error that failed the run.
    BlockError,
    /// A value that reached a Log block at level `error`, which fails the run.
    ErrorLog,
}

/// What a request sent: method, URL, headers.
type Sent<'a> = (&'a str, &'a str, &'a [(String, String)]);

/// A Send Request block run not yet finished: when it started, what it sent.
struct Open<'a> {
    at_ms: u64,
    sent: Option<Sent<'a>>,
}

/// The cases of a flow's events, in the order they ended. Runs of one block are
/// matched first in, first out (a `for_each` may run a block several times at once).
pub fn cases(events: &[Timed]) -> Vec<Case<'_>> {
    let mut open: HashMap<&str, VecDeque<Open<'_>>> = HashMap::new();
    let mut cases = Vec::new();
    for Timed { at_ms, event } in events {
        match event {
            Event::BlockStarted { block, kind: BlockTypeName::SendRequest, .. } => {
                open.entry(block).or_default().push_back(Open { at_ms: *at_ms, sent: None });
            }
            Event::RequestSent { block, method, url, headers } => {
                if let Some(runs) = open.get_mut(block.as_str()) {
                    let sent = Some((method.as_str(), url.as_str(), headers.as_slice()));
                    // A redirect sends again: the last hop is what the value answers.
                    match runs.iter_mut().find(|run| run.sent.is_none()) {
                        Some(run) => run.sent = sent,
                        None => {
                            if let Some(run) = runs.back_mut() {
                                run.sent = sent;
                            }
                        }
                    }
                }
            }
            Event::BlockFinished { block, port, value, .. } => {
                let Some(run) = open.get_mut(block.as_str()).and_then(VecDeque::pop_front) else {
                    continue;
                };
                let (method, url, headers) = run.sent.map_or((None, None, &[][..]), |(m, u, h)| (Some(m), Some(u), h));
                let duration_ms = ResponseView::of(value)
                    .and_then(|response| response.duration_ms)
                    .unwrap_or(at_ms.saturating_sub(run.at_ms));
                cases.push(Case {
                    name: block.clone(),
                    block,
                    kind: CaseKind::Request { method, url, headers, value },
                    at_ms: run.at_ms,
                    duration_ms,
                    failure: (*port != Port::Success).then(|| request_failure(value)),
                });
            }
            Event::CheckResult { block, name, passed, result } => cases.push(Case {
                name: format!("{block}: {name}"),
                block,
                kind: CaseKind::Check,
                at_ms: *at_ms,
                duration_ms: 0,
                failure: (!passed)
                    .then(|| ("check_failed".to_owned(), format!("the condition gave {}", short(result)))),
            }),
            Event::BlockFailed { block, message, .. } => cases.push(Case {
                name: block.clone(),
                block,
                kind: CaseKind::BlockError,
                at_ms: *at_ms,
                duration_ms: 0,
                failure: Some(("block_error".to_owned(), message.clone())),
            }),
            Event::Log { block, label, level: LogLevel::Error, .. } => cases.push(Case {
                name: block.clone(),
                block,
                kind: CaseKind::ErrorLog,
                at_ms: *at_ms,
                duration_ms: 0,
                failure: Some((
                    "error_logged".to_owned(),
                    match label.as_deref().filter(|label| !label.trim().is_empty()) {
                        Some(label) => format!("a value was logged at level error: {label}"),
                        None => "a value was logged at level error".to_owned(),
                    },
                )),
            }),
            _ => {}
        }
    }
    cases
}

/// The type and message of a Send Request's failure value.
fn request_failure(value: &Value) -> (String, String) {
    if let Some(error) = ErrorView::of(value) {
        let kind = error.kind.unwrap_or("failure").to_owned();
        let message = error.message.unwrap_or_default().to_owned();
        return (kind, message);
    }
    match ResponseView::of(value).and_then(|response| response.status) {
        Some(status) => ("status".to_owned(), format!("status {status} is not one of the block's success statuses")),
        None => ("failure".to_owned(), "the request failed".to_owned()),
    }
}

/// A value on one line, cut after 200 characters.
pub fn short(value: &Value) -> String {
    short_value(value, 200)
}

/// A value on one line, cut after `max` characters (`…` marks the cut).
pub fn short_value(value: &Value, max: usize) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text,
    }
}
