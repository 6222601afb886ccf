//! Reports of a `switchyard run`, written when every flow has ended (DESIGN §8):
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
//! A report never destroys what its path points at ([`write_report`]): a regular file
//! (or a new one) is replaced atomically (a temporary file beside it, then a rename),
//! through any symbolic links to it; a device, FIFO or socket is written to directly.

pub mod html;
pub mod json;
pub mod junit;
pub mod keep;

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use serde_json::Value;
use switchyard_engine::wording::{duration, plural};
use switchyard_engine::{Event, Outcome, RunSummary};
use switchyard_flow::{BlockTypeName, Escaped, LogLevel, Port};

use crate::exit::Fatal;

/// An event and when it arrived, in milliseconds since its flow started.
#[derive(Debug, Clone)]
pub struct Timed {
    pub at_ms: u64,
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
    pub summary: RunSummary,
    /// Every event it sent, or the first ones and its `run_finished` when it sent more
    /// than a report keeps ([`keep`]).
    pub events: Vec<Timed>,
    /// How many events were left out of `events`.
    pub left_out: u64,
}

impl FlowReport {
    /// `ok`, `failed`, `cancelled`, `limit`, or `not_run`.
    pub fn outcome(&self) -> &'static str {
        self.ran.as_ref().map_or("not_run", |ran| ran.summary.outcome.as_str())
    }
}

/// The whole run: `cancelled` when it was cancelled, `ok` when every flow ran and was
/// `ok`, else `failed`.
pub fn overall(flows: &[FlowReport], cancelled: bool) -> &'static str {
    if cancelled {
        "cancelled"
    } else if flows.iter().all(|f| f.ran.as_ref().is_some_and(|r| r.summary.outcome == Outcome::Ok)) {
        "ok"
    } else {
        "failed"
    }
}

/// `3 flows: 2 ok, 1 failed · 41 requests · 1.2 s`: the line that closes a run of
/// several flows, and heads the HTML report.
pub fn closing_line(flows: &[FlowReport], duration_ms: u64) -> String {
    let mut tally: Vec<(&str, usize)> = vec![("ok", 0)];
    for flow in flows {
        let word = match flow.outcome() {
            "ok" => "ok",
            "failed" => "failed",
            "cancelled" => "cancelled",
            "limit" => "at the step limit",
            _ => "not run",
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

/// Where the reports go.
#[derive(Debug, Default, Clone)]
pub struct Targets {
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub html: Option<PathBuf>,
    /// The longest body a report shows, in bytes (`--report-body-limit`).
    pub body_limit: u64,
}

impl Targets {
    /// Whether any report is asked for (events are kept only then).
    pub fn any(&self) -> bool {
        self.junit.is_some() || self.json.is_some() || self.html.is_some()
    }

    /// Writes every report asked for. A file that cannot be written ends with exit 3.
    pub fn write(&self, flows: &[FlowReport], cancelled: bool, duration_ms: u64) -> Result<(), Fatal> {
        if let Some(path) = &self.junit {
            let xml = junit::render(flows).map_err(|error| Fatal::environment(anyhow!("JUnit report: {error}")))?;
            write_report(path, xml.as_bytes())?;
        }
        if let Some(path) = &self.json {
            write_report(path, json::render(flows, cancelled).as_bytes())?;
        }
        if let Some(path) = &self.html {
            write_report(path, html::render(flows, cancelled, duration_ms, self.body_limit).as_bytes())?;
        }
        Ok(())
    }
}

/// Writes a report to `path` without destroying what is there: a regular file, or a
/// path where nothing is, is replaced atomically (a temporary file beside it, then a
/// rename), and a symbolic link is followed to its target, which is replaced so; a
/// device, FIFO or socket is written to directly, as is a link into `/proc`
/// (`/dev/stdout`, `/dev/fd/N`: after what is there). A folder is refused. Any error
/// ends with exit 3.
pub fn write_report(path: &Path, bytes: &[u8]) -> Result<(), Fatal> {
    let shown = Escaped(&path.display().to_string()).to_string();
    let written = (|| -> io::Result<()> {
        // `metadata` follows links: what the path finally names.
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(io::Error::other("it is a folder")),
            Ok(meta) if meta.is_file() => match link_target(path)? {
                Target::Proc => write_directly(path, &meta, bytes),
                Target::Path(target) => replace(&target, bytes),
            },
            Ok(meta) => write_directly(path, &meta, bytes),
            Err(error) if error.kind() == io::ErrorKind::NotFound => match link_target(path)? {
                // A link into /proc that names nothing: opening it says why.
                Target::Proc => Err(error),
                Target::Path(target) => replace(&target, bytes),
            },
            Err(error) => Err(error),
        }
    })();
    written.with_context(|| format!("cannot write the report {shown}")).map_err(Fatal::environment)
}

/// Where a report path leads once its symbolic links are followed.
enum Target {
    /// A file: the path itself when it is no link, else the last link's target.
    Path(PathBuf),
    /// Through `/proc` (`/dev/stdout` → `/proc/self/fd/1` → …), where links name open
    /// files rather than paths.
    Proc,
}

/// Follows `path`'s symbolic links (at most 40, as the system does) to the path that is
/// no link (which may not exist yet).
fn link_target(path: &Path) -> io::Result<Target> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        if current.starts_with("/proc") {
            return Ok(Target::Proc);
        }
        let is_link = std::fs::symlink_metadata(&current).is_ok_and(|meta| meta.file_type().is_symlink());
        if !is_link {
            return Ok(Target::Path(current));
        }
        let target = std::fs::read_link(&current)?;
        current = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Replaces `path` atomically with a file holding `bytes`; an existing file's
/// permissions are kept.
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new().prefix(".switchyard-report").tempfile_in(dir)?;
    file.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        file.as_file().set_permissions(meta.permissions())?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Writes `bytes` to what `path` names as it is (a device, FIFO or socket, or a file
/// opened through `/proc`, after what it holds).
fn write_directly(path: &Path, meta: &std::fs::Metadata, bytes: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if meta.file_type().is_socket() {
            let mut stream = std::os::unix::net::UnixStream::connect(path)?;
            stream.write_all(bytes)?;
            return stream.flush();
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// One Send Request block run, a check, a block error or a value logged at level
/// `error`, read from a flow's events:
/// what the JUnit and HTML reports list.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// `BLOCK` for a request or a block error, `BLOCK: CHECK NAME` for a check.
    pub name: String,
    pub block: &'a str,
    pub kind: CaseKind<'a>,
    /// When it started and how long it took, in milliseconds.
    pub at_ms: u64,
    pub duration_ms: u64,
    /// `None` when it passed; else the failure's type (the error kind) and message.
    pub failure: Option<(String, String)>,
}

/// What a [`Case`] is.
#[derive(Debug, Clone)]
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
                let duration_ms =
                    value.get("duration_ms").and_then(Value::as_u64).unwrap_or(at_ms.saturating_sub(run.at_ms));
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
    if let Some(error) = value.get("error") {
        let kind = error.get("kind").and_then(Value::as_str).unwrap_or("failure").to_owned();
        let message = error.get("message").and_then(Value::as_str).unwrap_or_default().to_owned();
        return (kind, message);
    }
    match value.get("status").and_then(Value::as_u64) {
        Some(status) => ("status".to_owned(), format!("status {status} is not one of the block's success statuses")),
        None => ("failure".to_owned(), "the request failed".to_owned()),
    }
}

/// A value on one line, cut after 200 characters.
pub fn short(value: &Value) -> String {
    crate::render::human::short_value(value, 200)
}
