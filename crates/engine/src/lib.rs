//! The Switchyard engine: runs a [`switchyard_flow::Flow`] on tokio and reports [`Event`]s.
//!
//! [`Engine::start`] spawns a run and hands back a [`RunHandle`]: its event stream
//! always ends with [`Event::RunFinished`], and its token cancels the run.
//! [`Engine::run`] does the same in place. A run walks the flow from its Start block:
//! each value that reaches a block's input runs that block once; a port wired to
//! several blocks runs them concurrently. Every event passes the run's [`Redactor`]
//! before it is sent, so secrets never leave the engine.
//!
//! Modules: `event` (events and outcomes), `value` (the typed values blocks fire),
//! `run` (the scheduler: lineage, For Each, Collect, step limit), `blocks` (one
//! executor per block type), `step` (what an executor hands the scheduler),
//! `context` (what executors share for a run: variables, expressions, events,
//! connections), `prepare` (a Send Request made ready: templates, auth,
//! body, custody; pure), `request` (sending it: redirects, size limit, error kinds), `emitter` (masked events), `redact` (secret
//! masking), `wording` (the words both front ends show). Dependencies go one way:
//! `run` uses `blocks`, which use `step` and `context`; neither of those uses `run`
//! or `blocks`.

mod blocks;
mod config;
mod context;
mod emitter;
mod event;
mod prepare;
mod redact;
mod request;
mod run;
mod step;
mod value;
pub mod wording;

use std::path::PathBuf;
use std::sync::Arc;

pub use config::{DEFAULT_MAX_CONNECTIONS, EngineConfig};
pub use event::{Counts, Event, Outcome, RunSummary};
pub use redact::{MASK, Redactor};
use switchyard_flow::Flow;
use switchyard_vault::Variables;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
pub use value::{ErrorKind, ErrorValue, ErrorView, FailedCheck, ResponseValue, ResponseView};

/// Why an engine could not be built. The cause and its own causes are part of the
/// message and deliberately not a `source()`, so an error chain prints each once.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {}", causes(.0))]
pub struct EngineError(reqwest::Error);

/// `error: its source: that one's source…`.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<reqwest::Error> for EngineError {
    fn from(error: reqwest::Error) -> Self {
        Self(error)
    }
}

/// Runs flows. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Engine {
    client: reqwest::Client,
    config: Arc<EngineConfig>,
}

impl Engine {
    /// An engine with its own HTTP client (rustls, no automatic redirects: the engine
    /// follows them itself so it can refuse cross-origin hops that carry secrets).
    pub fn new(config: EngineConfig) -> Result<Self, EngineError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("switchyard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, config: Arc::new(config) })
    }

    /// This engine (sharing its connection pool) with relative file paths read from
    /// `dir`, the folder of the flow file about to run.
    pub fn with_base_dir(&self, dir: impl Into<PathBuf>) -> Engine {
        let config = EngineConfig { base_dir: Some(dir.into()), ..(*self.config).clone() };
        Self { client: self.client.clone(), config: Arc::new(config) }
    }

    /// The settings this engine runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Runs `flow` with `variables` until nothing is left to run, the step limit is
    /// reached, or `cancel` fires (which aborts in-flight requests at once). Events go
    /// to `events`, masked; a closed receiver does not stop the run.
    pub async fn run(
        &self,
        flow: &Flow,
        variables: &Variables,
        events: UnboundedSender<Event>,
        cancel: CancellationToken,
    ) -> RunSummary {
        run::execute(&self.client, &self.config, flow, variables, events, cancel).await.0
    }

    /// Spawns a run of `flow` on the current tokio runtime. Read its events from the
    /// handle until [`Event::RunFinished`] (always the last); cancel it with the handle.
    pub fn start(&self, flow: Arc<Flow>, variables: Arc<Variables>) -> RunHandle {
        let (tx, events) = tokio::sync::mpsc::unbounded_channel();
        let (masks_tx, masks) = oneshot::channel();
        let cancel = CancellationToken::new();
        let engine = self.clone();
        let token = cancel.clone();
        tokio::spawn(async move {
            let (_, redactor) = run::execute(&engine.client, &engine.config, &flow, &variables, tx, token).await;
            // Nobody asked for them: the handle was dropped.
            let _ = masks_tx.send(redactor);
        });
        RunHandle { events, cancel, masks }
    }
}

/// A run under way: its masked events, and the token that cancels it.
#[derive(Debug)]
pub struct RunHandle {
    /// The run's events; the last is always [`Event::RunFinished`], then the stream ends.
    pub events: UnboundedReceiver<Event>,
    /// Cancels the run (in-flight requests are dropped at once).
    pub cancel: CancellationToken,
    /// The run's masks at its end, sent once it has finished.
    masks: oneshot::Receiver<Redactor>,
}

impl RunHandle {
    /// The next event, or `None` once the run has finished and every event was read.
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The run's masks at its end: every secret it knew by then, also those it learned
    /// after some of its events were sent (a `set` with `secret: true`), so what was
    /// kept of those events can be masked again before it is written (reports).
    /// Waits for the run to finish; `None` when its task ended without finishing.
    pub async fn final_redactor(self) -> Option<Redactor> {
        self.masks.await.ok()
    }
}
