//! The scheduler: hands each value that reaches an input to its block, runs Send
//! Request blocks concurrently, counts steps, and ends the run.
//!
//! At most [`EngineConfig::max_connections`](crate::EngineConfig) requests are in
//! flight at once: each holds a permit of the run's semaphore from before it renders
//! its templates until its response body is read, and the others wait for one. A
//! cancelled run stops before anything further is sent: the cancel token is checked
//! before each block starts and before a request that got its permit goes ahead, and
//! it wins over a finished request when both are ready.

use std::collections::{HashMap, VecDeque};
use std::sync::{PoisonError, RwLock};
use std::time::Instant;

use futures_util::stream::{FuturesUnordered, StreamExt as _};
use serde_json::Value;
use switchyard_flow::{BlockKind, Flow, PortRef, SendRequest};
use switchyard_vault::{Date, Variables};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::Engine;
use crate::event::{Counts, Event, Outcome, RunSummary};
use crate::redact::Redactor;
use crate::request::{Fired, RequestRun};

/// Sends events, masked, to the run's listener. Request futures share it by reference;
/// the lock lets a request add a derived credential to the mask.
pub(crate) struct Emitter {
    tx: UnboundedSender<Event>,
    redactor: RwLock<Redactor>,
}

impl Emitter {
    fn new(tx: UnboundedSender<Event>, redactor: Redactor) -> Self {
        Self { tx, redactor: RwLock::new(redactor) }
    }

    /// Masks and sends `event`. A listener that went away does not stop the run.
    pub fn send(&self, event: Event) {
        let masked = self.redactor.read().unwrap_or_else(PoisonError::into_inner).redact_event(event);
        // The receiver may be gone (a GUI window closed); the run goes on regardless.
        let _ = self.tx.send(masked);
    }

    /// Masks `text` in every later event as a form of secret `name` (a derived
    /// credential), so host binding recognises it too.
    pub fn mask_literal_for(&self, name: &str, text: String) {
        self.redactor.write().unwrap_or_else(PoisonError::into_inner).add_literal_for(name, text);
    }

    /// Whether the run has any secret at all (when not, custody checks are skipped).
    pub fn has_secrets(&self) -> bool {
        !self.redactor.read().unwrap_or_else(PoisonError::into_inner).is_empty()
    }

    /// The names of the secrets any form of which is in `text`.
    pub fn secrets_in(&self, text: &[u8]) -> std::collections::BTreeSet<String> {
        self.redactor.read().unwrap_or_else(PoisonError::into_inner).secrets_in(text)
    }
}

/// One run of one flow.
pub(crate) struct Run<'a> {
    engine: Engine,
    flow: &'a Flow,
    variables: &'a Variables,
    emitter: Emitter,
    /// For each output port, the input ports wired to it, as block indexes.
    targets: HashMap<PortRef, Vec<usize>>,
    /// One permit per request allowed in flight (`max_connections`).
    connections: Semaphore,
}

impl<'a> Run<'a> {
    pub fn new(engine: Engine, flow: &'a Flow, variables: &'a Variables, events: UnboundedSender<Event>) -> Self {
        let index: HashMap<&str, usize> = flow.blocks.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
        let mut targets: HashMap<PortRef, Vec<usize>> = HashMap::new();
        for wire in &flow.wires {
            if let Some(&to) = index.get(wire.to.block.as_str()) {
                targets.entry(wire.from.clone()).or_default().push(to);
            }
        }
        let emitter = Emitter::new(events, Redactor::for_variables(variables));
        let permits = engine.config.max_connections.clamp(1, Semaphore::MAX_PERMITS);
        Self { engine, flow, variables, emitter, targets, connections: Semaphore::new(permits) }
    }

    pub async fn execute(self, cancel: CancellationToken) -> RunSummary {
        let started = Instant::now();
        let flow = self.flow;
        self.emitter.send(Event::RunStarted { flow: flow.name.clone(), blocks: flow.blocks.len() });
        self.warn_expired();

        let mut counts = Counts::default();
        let mut queue: VecDeque<(usize, Value)> = VecDeque::new();
        if let Some(start) = flow.blocks.iter().position(|b| matches!(b.kind, BlockKind::Start)) {
            queue.push_back((start, Value::Null));
        }
        // Requests are polled on this task rather than spawned: fan-out is still
        // concurrent, and no value crosses threads between one block and the next.
        let mut tasks = FuturesUnordered::new();
        let max_steps = self.engine.config.max_steps;
        let outcome = loop {
            if cancel.is_cancelled() {
                break Some(Outcome::Cancelled);
            }
            // Start every block that has a value waiting, within the step limit.
            let mut hit_limit = false;
            while let Some((index, input)) = queue.pop_front() {
                if counts.blocks_run >= max_steps {
                    hit_limit = true;
                    break;
                }
                counts.blocks_run += 1;
                let Some(block) = flow.blocks.get(index) else {
                    continue;
                };
                self.emitter.send(Event::BlockStarted {
                    block: block.id.clone(),
                    kind: block.kind.type_name().to_owned(),
                    step: counts.blocks_run,
                });
                match &block.kind {
                    BlockKind::Start => self.finish(index, "out", Value::Null, String::new(), &mut counts, &mut queue),
                    BlockKind::Log(log) => {
                        self.emitter.send(Event::Log {
                            block: block.id.clone(),
                            label: log.label.clone(),
                            value: input.clone(),
                        });
                        counts.logged += 1;
                        self.finish(index, "out", input, "logged".to_owned(), &mut counts, &mut queue);
                    }
                    BlockKind::SendRequest(request) => {
                        tasks.push(self.request(index, &block.id, request, input, &cancel));
                    }
                }
                if cancel.is_cancelled() {
                    break;
                }
            }
            if hit_limit {
                break Some(Outcome::Limit);
            }
            if tasks.is_empty() && queue.is_empty() {
                break None;
            }
            if tasks.is_empty() {
                continue;
            }
            tokio::select! {
                // Cancel first: a run cancelled while a request was being polled stops
                // here, before another one goes ahead.
                biased;
                () = cancel.cancelled() => break Some(Outcome::Cancelled),
                finished = tasks.next() => if let Some((index, fired)) = finished {
                    if fired.responded {
                        counts.responses += 1;
                    }
                    self.finish(index, fired.port, fired.value, fired.summary, &mut counts, &mut queue);
                },
            }
        };
        // Stop whatever is still in flight: dropping the request futures closes their connections.
        drop(tasks);

        let outcome = outcome.unwrap_or(if counts.unhandled > 0 { Outcome::Failed } else { Outcome::Ok });
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.emitter.send(Event::RunFinished { outcome, counts, duration_ms });
        RunSummary { outcome, counts, duration_ms }
    }

    /// Reports a block's result and queues its value for every wired input.
    fn finish(
        &self,
        index: usize,
        port: &'static str,
        value: Value,
        summary: String,
        counts: &mut Counts,
        queue: &mut VecDeque<(usize, Value)>,
    ) {
        let Some(block) = self.flow.blocks.get(index) else {
            return;
        };
        let targets = self.targets.get(&PortRef::new(block.id.as_str(), port)).map(Vec::as_slice).unwrap_or_default();
        match port {
            "success" => counts.succeeded += 1,
            "failure" => {
                counts.failed += 1;
                if targets.is_empty() {
                    counts.unhandled += 1;
                }
            }
            _ => {}
        }
        for &target in targets {
            queue.push_back((target, value.clone()));
        }
        self.emitter.send(Event::BlockFinished {
            block: block.id.clone(),
            port: port.to_owned(),
            value,
            wired: !targets.is_empty(),
            summary,
        });
    }

    /// Runs one Send Request once a connection permit is free; the future borrows the
    /// run, which polls it to the end (or drops it on cancel).
    async fn request(
        &self,
        index: usize,
        block: &str,
        request: &SendRequest,
        input: Value,
        cancel: &CancellationToken,
    ) -> (usize, Fired) {
        // Never closed, so this only waits; the permit is held until the body is read.
        let _permit = self.connections.acquire().await.ok();
        if cancel.is_cancelled() {
            // The run loop drops this future at its next turn; nothing is sent meanwhile.
            std::future::pending::<()>().await;
        }
        let config = &self.engine.config;
        let fired = RequestRun {
            client: &self.engine.client,
            block,
            request,
            variables: self.variables,
            input: &input,
            emitter: &self.emitter,
            max_body_bytes: config.max_body_bytes,
            max_redirects: config.max_redirects,
            base_dir: config.base_dir.as_deref(),
        }
        .execute()
        .await;
        (index, fired)
    }

    /// Warns once per run about each expired secret the flow uses.
    fn warn_expired(&self) {
        let today = Date::today();
        for name in self.flow.variable_names() {
            if let Some(variable) = self.variables.get(&name)
                && variable.value.is_secret()
                && variable.is_expired(today)
            {
                let expires = variable.expires.map(|d| d.to_string()).unwrap_or_default();
                self.emitter.send(Event::Warning {
                    block: None,
                    message: format!(
                        "secret `{name}` expired on {expires}; renew it (switchyard vars set {name} --secret)"
                    ),
                });
            }
        }
    }
}
