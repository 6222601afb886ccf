//! The run loop: runs loaded flows with a run's variables, one at a time or several at
//! once, and tells an [`Observer`] what happens; returns a [`RunSummary`] for the exit
//! code and the reports.
//!
//! Flows run one at a time by default. With [`RunConfig::jobs`] above 1, up to that
//! many run at once on the one thread (their requests are in flight together); the
//! observer decides how their output is shown (`switchyard run` keeps each one's output
//! and prints it whole when it ends, so flows never interleave). [`RunConfig::bail`]
//! starts no further flow once one is not `ok`. [`RunConfig::max_connections`] holds
//! for the whole run: every flow takes its requests' permits from one semaphore
//! ([`RunConfig::engine`]).
//!
//! Each flow is spawned with [`Engine::start`]; its loop hands the observer every event
//! that is ready and flushes it at most every 20 ms ([`FLUSH_EVERY`]), at once when it
//! has not flushed for that long. Cancelling the `stop` token given to [`run_flows`]
//! cancels every running flow and starts no more (`switchyard run` cancels it on
//! Ctrl-C); so does an observer whose output is gone.
//!
//! Everything runs on the task that polls [`run_flows`]: nothing is handed between
//! threads, and the observer need not be `Send` (`switchyard run` polls it on a
//! one-thread runtime). With a `Send` observer the future is `Send` too, so a server
//! can spawn a run per request on a multi-threaded runtime.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use futures_util::stream::{FuturesUnordered, StreamExt as _};
use switchyard_engine::{Counts, Engine, EngineConfig, Event, Outcome, RunSummary as FlowSummary};
use switchyard_flow::Flow;
use switchyard_vault::Variables;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::flows::LoadedFlow;
use crate::report::keep::{self, Budget, Keeper};
use crate::report::{self, FlowReport, Overall, Ran};

/// How the flows of a run are run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Most block runs of one flow before it stops with outcome `limit`.
    pub max_steps: u64,
    /// Most requests of the whole run in flight at once; more wait their turn.
    pub max_connections: u64,
    /// Most flows running at once (at least 1).
    pub jobs: usize,
    /// Start no further flow once one is not `ok`.
    pub bail: bool,
    /// Keep every flow's events for the reports, texts cut at this many bytes; `None`
    /// keeps none (no report is asked for).
    pub keep_events: Option<u64>,
}

impl RunConfig {
    /// The engine the flows of this run share: one connection budget for every flow,
    /// however many run at once. Call it inside the tokio runtime that will run them.
    pub fn engine(&self) -> Result<Engine, Error> {
        let max_connections = usize::try_from(self.max_connections).unwrap_or(usize::MAX);
        let budget = Arc::new(Semaphore::new(max_connections.clamp(1, Semaphore::MAX_PERMITS)));
        Engine::new(EngineConfig {
            max_steps: self.max_steps,
            max_connections,
            connection_budget: Some(budget),
            ..EngineConfig::default()
        })
        .context("cannot start the engine")
        .map_err(Error::Environment)
    }
}

/// What one flow's events are shown with (a renderer). Events arrive masked.
pub trait FlowObserver {
    /// Shows one event, perhaps buffered. An error means the output is gone (a closed
    /// pipe): every flow of the run is then cancelled.
    fn event(&mut self, event: &Event) -> io::Result<()>;

    /// Writes out whatever is buffered.
    fn flush(&mut self) -> io::Result<()>;
}

/// What a front end is told of a run: each flow as it starts and ends, and its events
/// through the [`FlowObserver`] it made for it.
pub trait Observer {
    /// What shows one flow's events.
    type Flow: FlowObserver;

    /// The flow at `index` of those given starts; `undefined` are the variable names its
    /// templates use that neither the run's variables nor the flow itself define (the
    /// blocks using them will fail, through their failure ports).
    fn flow_started(&mut self, index: usize, flow: &LoadedFlow, undefined: Vec<String>) -> Self::Flow;

    /// The flow at `index` has ended (`observer` is the one made for it). An error ends
    /// the run with [`Error::Output`].
    fn flow_finished(&mut self, index: usize, observer: Self::Flow, ran: &Ran) -> io::Result<()>;
}

/// How a run of flows went.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// A report per flow, in the order given (those that never started too).
    pub flows: Vec<FlowReport>,
    /// Whether the run was cancelled (`stop`, or the output went away).
    pub cancelled: bool,
    /// How long the whole run took, in milliseconds.
    pub duration_ms: u64,
}

impl RunSummary {
    /// The run's outcome as the reports state it: `cancelled` when it was cancelled,
    /// `ok` when every flow ran and was `ok`, else `failed`.
    pub fn outcome(&self) -> Overall {
        report::overall(&self.flows, self.cancelled)
    }

    /// Whether every flow ran and was `ok` (`switchyard run` then exits 0, even when a
    /// Ctrl-C came too late to cancel anything).
    pub fn all_ok(&self) -> bool {
        report::overall(&self.flows, false) == Overall::Ok
    }
}

/// Runs every flow of `flows` with `variables`, up to `config.jobs` at once, telling
/// `observer`; `stop` cancels the run. Returns a report per flow, in the order given.
pub async fn run_flows<O: Observer>(
    engine: &Engine,
    flows: &[LoadedFlow],
    variables: &Arc<Variables>,
    config: &RunConfig,
    stop: &CancellationToken,
    observer: &mut O,
) -> Result<RunSummary, Error> {
    let started = Instant::now();
    // A run whose output is gone cancels itself, not whoever gave `stop`.
    let stop = stop.child_token();
    let keep = config.keep_events.map(|limit| (limit, Budget::for_run()));
    let jobs = config.jobs.max(1);

    let mut reports: Vec<FlowReport> = flows
        .iter()
        .map(|l| FlowReport { file: l.path.display().to_string(), name: l.flow.name.clone(), ran: None })
        .collect();
    let mut waiting = flows.iter().enumerate();
    let mut running = FuturesUnordered::new();
    let mut starting = true;
    loop {
        while starting && running.len() < jobs && !stop.is_cancelled() {
            let Some((index, flow)) = waiting.next() else {
                starting = false;
                break;
            };
            let undefined = undefined_names(flow, variables);
            let mut flow_observer = observer.flow_started(index, flow, undefined);
            let (stop, keep) = (&stop, &keep);
            running.push(async move {
                let keeper = keep.as_ref().map(|(limit, budget)| Keeper::new(*limit, budget.clone()));
                let ran = run_one(engine, flow, variables, &mut flow_observer, stop, keeper).await;
                (index, flow_observer, ran)
            });
        }
        let Some((index, flow_observer, ran)) = running.next().await else {
            break;
        };
        let ran = ran?;
        observer.flow_finished(index, flow_observer, &ran).map_err(Error::Output)?;
        if config.bail && ran.summary.outcome != Outcome::Ok {
            starting = false;
        }
        if let Some(report) = reports.get_mut(index) {
            report.ran = Some(ran);
        }
    }
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(RunSummary { flows: reports, cancelled: stop.is_cancelled(), duration_ms })
}

/// The names `loaded` uses that neither `variables` nor the flow itself defines (a
/// `set` block, a capture). Not refused: the engine fails the blocks that use them,
/// through their failure port, which the flow may handle.
fn undefined_names(loaded: &LoadedFlow, variables: &Variables) -> Vec<String> {
    let defined = loaded.flow.defined_names();
    loaded
        .variable_names
        .iter()
        .filter(|name| variables.get(name).is_none() && !defined.contains(*name))
        .cloned()
        .collect()
}

/// Runs one flow to its end, in its file's folder (for files its blocks name).
async fn run_one(
    engine: &Engine,
    loaded: &LoadedFlow,
    variables: &Arc<Variables>,
    observer: &mut impl FlowObserver,
    stop: &CancellationToken,
    keeper: Option<Keeper>,
) -> Result<Ran, Error> {
    let engine = match loaded.path.parent() {
        Some(dir) => engine.with_base_dir(dir),
        None => engine.clone(),
    };
    drive(&engine, Arc::clone(&loaded.flow), Arc::clone(variables), observer, stop, keeper).await
}

/// How often a run's output is flushed at most while events keep coming: a chain of
/// fast requests costs one write per 20 ms instead of one per request, and a person
/// watching sees every line within 20 ms.
pub const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// Runs the flow to its end, showing every event (and keeping them with `keeper`,
/// masked at the end with every secret the run knew); `stop` cancels it.
async fn drive(
    engine: &Engine,
    flow: Arc<Flow>,
    variables: Arc<Variables>,
    renderer: &mut impl FlowObserver,
    stop: &CancellationToken,
    mut keeper: Option<Keeper>,
) -> Result<Ran, Error> {
    let started = Instant::now();
    let mut handle = engine.start(flow, variables);
    let mut output = Output::default();
    let mut summary = None;
    let mut cancelled = false;
    // Flushed at once when the last flush is older than FLUSH_EVERY, else when it is.
    let mut last_flush = tokio::time::Instant::now().checked_sub(FLUSH_EVERY).unwrap_or_else(tokio::time::Instant::now);
    let mut unflushed = false;
    let flush_timer = tokio::time::sleep(FLUSH_EVERY);
    tokio::pin!(flush_timer);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled(), if !cancelled => {
                cancelled = true;
                handle.cancel.cancel();
                output.write(|| renderer.flush(), stop);
                unflushed = false;
            }
            () = &mut flush_timer, if unflushed => {
                output.write(|| renderer.flush(), stop);
                unflushed = false;
                last_flush = tokio::time::Instant::now();
            }
            event = handle.next() => match event {
                Some(event) => {
                    // This event and every other one already waiting.
                    let mut next = Some(event);
                    while let Some(event) = next {
                        if let Event::RunFinished { outcome, counts, duration_ms } = &event {
                            summary = Some(FlowSummary { outcome: *outcome, counts: *counts, duration_ms: *duration_ms });
                        }
                        output.write(|| renderer.event(&event), stop);
                        if let Some(keeper) = &mut keeper {
                            let at_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                            keeper.keep(at_ms, event);
                        }
                        next = handle.events.try_recv().ok();
                    }
                    unflushed = true;
                    if last_flush.elapsed() >= FLUSH_EVERY {
                        output.write(|| renderer.flush(), stop);
                        unflushed = false;
                        last_flush = tokio::time::Instant::now();
                    } else {
                        flush_timer.as_mut().reset(last_flush + FLUSH_EVERY);
                    }
                }
                None => break,
            },
        }
    }
    output.write(|| renderer.flush(), stop);
    let kept = match keeper {
        // Reports are written after the run: masked with every secret it knew by its end.
        Some(keeper) => keeper.finish(handle.final_redactor().await.as_ref()),
        None => keep::Kept::default(),
    };
    // The run's stream always ends with `RunFinished`; a run whose task died without
    // one counts as cancelled.
    let summary =
        summary.unwrap_or(FlowSummary { outcome: Outcome::Cancelled, counts: Counts::default(), duration_ms: 0 });
    match output.failed {
        // The reader went away (`| head`): the run was cancelled, as SIGPIPE would have
        // ended it, and there is nobody left to tell.
        Some(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::Environment(anyhow!(error).context("cannot write the run's output")))
        }
        _ => Ok(Ran { summary, events: kept.events, left_out: kept.left_out }),
    }
}

/// Tracks the output side of a run: whether writing failed.
#[derive(Debug, Default)]
struct Output {
    /// The first write error. Once output is gone (a closed pipe) every flow is
    /// cancelled, as a process killed by SIGPIPE would be, and nothing more is written.
    failed: Option<io::Error>,
}

impl Output {
    fn write(&mut self, write: impl FnOnce() -> io::Result<()>, stop: &CancellationToken) {
        if self.failed.is_some() {
            return;
        }
        if let Err(error) = write() {
            self.failed = Some(error);
            stop.cancel();
        }
    }
}
