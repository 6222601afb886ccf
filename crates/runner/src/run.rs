//! `switchyard run FLOW_OR_DIR…`: read and check every flow first, build the variables
//! (`variables::for_run`: globals, environment, process environment, command line),
//! run the flows, render their events, close with a line across flows, write the
//! reports (DESIGN §5, §8).
//!
//! Flows run one at a time by default, streaming their output. With `--jobs N` up to N
//! run at once on the one thread (their requests are in flight together); each one's
//! output is kept and printed whole when it ends, so flows never interleave. `--bail`
//! starts no further flow once one is not `ok`. `--max-connections` holds for the whole
//! process: every flow takes its requests' permits from one semaphore.
//!
//! Each flow is spawned with [`Engine::start`]; its loop renders every event that is
//! ready and flushes at most every 20 ms ([`FLUSH_EVERY`]), at once when it has not
//! flushed for that long. Ctrl-C cancels every running flow and starts no more; a
//! second press quits at once. The exit code is 0 only when every flow was `ok`.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use futures_util::stream::{FuturesUnordered, StreamExt as _};
use switchyard_engine::{Counts, Engine, EngineConfig, Event, Outcome, RunSummary};
use switchyard_flow::{Escaped, Flow};
use switchyard_vault::Variables;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::cli::{Format, RunArgs};
use crate::exit::{Exit, Fatal};
use crate::flows::{self, Loaded};
use crate::output;
use crate::render::Render;
use crate::render::human::{self, HumanRenderer};
use crate::render::json::JsonRenderer;
use crate::report::keep::{Budget, Keeper};
use crate::report::{self, FlowReport, Ran, Targets};
use crate::variables::{self, VariableArgs};

/// Runs `switchyard run` on `runtime`; the exit code follows the flows' outcomes.
pub fn run(runtime: &Runtime, args: &RunArgs) -> Result<Exit, Fatal> {
    let files = flows::expand(&args.flows)?;
    let loaded = flows::load_all(&files)?;
    let variable_args = VariableArgs { vars: &args.vars, secrets: &args.secrets, secret_envs: &args.secret_envs };
    let names: BTreeSet<String> = loaded.iter().flat_map(|l| l.variable_names.iter().cloned()).collect();
    let variables = Arc::new(variables::for_run(&names, variable_args, args.env.as_deref())?);

    let engine = {
        let _runtime = runtime.enter();
        let max_connections = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
        // One budget for every flow of the run, however many run at once.
        let budget = Arc::new(Semaphore::new(max_connections.clamp(1, Semaphore::MAX_PERMITS)));
        Engine::new(EngineConfig {
            max_steps: args.max_steps,
            max_connections,
            connection_budget: Some(budget),
            ..EngineConfig::default()
        })
        .context("cannot start the engine")
        .map_err(Fatal::environment)?
    };
    let targets = Targets {
        junit: args.report_junit.clone(),
        json: args.report_json.clone(),
        html: args.report_html.clone(),
        body_limit: args.report_body_limit,
    };
    let plan = Plan {
        format: args.format,
        max_steps: args.max_steps,
        jobs: usize::try_from(args.jobs).unwrap_or(usize::MAX).max(1),
        bail: args.bail,
        keep_events: targets.any().then(|| (args.report_body_limit, Budget::for_run())),
        several: loaded.len() > 1,
    };

    let started = Instant::now();
    let (reports, cancelled) = runtime.block_on(run_all(&engine, &loaded, &variables, &plan))?;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if plan.several && plan.format == Format::Human {
        closing_line(&reports, duration_ms)?;
    }
    targets.write(&reports, cancelled, duration_ms)?;
    let exit = if report::overall(&reports, false) == "ok" { Exit::Success } else { Exit::RunNotOk };
    // The process ends next: freeing every block of every flow, one by one, would only
    // cost time (a 1,000-block flow: ~1.5 M instructions); the system takes it all back.
    std::mem::forget(loaded);
    Ok(exit)
}

/// How the flows are run and shown.
struct Plan {
    format: Format,
    max_steps: u64,
    jobs: usize,
    bail: bool,
    /// Keep events for the reports: bodies cut at this many bytes, within this budget.
    keep_events: Option<(u64, Budget)>,
    /// More than one flow: a closing line, and `file` on each JSON line.
    several: bool,
}

/// Runs every flow, up to `plan.jobs` at once, watching Ctrl-C. Returns a report per
/// flow, in the order given, and whether the run was cancelled.
async fn run_all(
    engine: &Engine,
    loaded: &[Loaded],
    variables: &Arc<Variables>,
    plan: &Plan,
) -> Result<(Vec<FlowReport>, bool), Fatal> {
    let stop = CancellationToken::new();
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let mut watching_interrupts = true;
    let mut interrupted = false;

    let mut reports: Vec<FlowReport> = loaded
        .iter()
        .map(|l| FlowReport { file: l.path.display().to_string(), name: l.flow.name.clone(), ran: None })
        .collect();
    let mut waiting = loaded.iter().enumerate();
    let mut running = FuturesUnordered::new();
    let mut starting = true;
    loop {
        while starting && running.len() < plan.jobs && !stop.is_cancelled() {
            let Some((index, flow)) = waiting.next() else {
                starting = false;
                break;
            };
            let stop = &stop;
            running.push(async move { (index, run_one(engine, flow, variables, plan, stop).await) });
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            signal = &mut interrupt, if watching_interrupts => match signal {
                Ok(()) if interrupted => {
                    return Err(Fatal::new(Exit::RunNotOk, anyhow!("interrupted again: quit without waiting for the run to stop")));
                }
                Ok(()) => {
                    interrupted = true;
                    stop.cancel();
                    if plan.format == Format::Human {
                        let mut stderr = output::stderr();
                        writeln!(stderr, "{}", human::interrupted_line()).and_then(|()| stderr.flush()).map_err(output::failed)?;
                    }
                    interrupt.set(tokio::signal::ctrl_c());
                }
                Err(error) => {
                    watching_interrupts = false;
                    output::stderr_line(format_args!("warning: cannot watch for Ctrl-C ({error}): this run cannot be cancelled"))?;
                }
            },
            Some((index, finished)) = running.next() => {
                let finished = finished?;
                if let Some(recording) = &finished.recording {
                    recording.replay()?;
                }
                if plan.bail && finished.ran.summary.outcome != Outcome::Ok {
                    starting = false;
                }
                if let Some(report) = reports.get_mut(index) {
                    report.ran = Some(finished.ran);
                }
            },
        }
    }
    Ok((reports, stop.is_cancelled()))
}

/// A flow that ran: how, and its output when it was kept to be printed whole.
struct Finished {
    ran: Ran,
    recording: Option<Recording>,
}

/// Runs one flow to its end, rendering its events (live, or kept when several flows
/// run at once).
async fn run_one(
    engine: &Engine,
    loaded: &Loaded,
    variables: &Arc<Variables>,
    plan: &Plan,
    stop: &CancellationToken,
) -> Result<Finished, Fatal> {
    let flow = Arc::clone(&loaded.flow);
    // Not refused: the engine fails the blocks that use an undefined name, through
    // their failure port, which the flow may handle. A name the flow sets itself (a
    // `set` block, a capture) is defined.
    let defined = flow.defined_names();
    let undefined: Vec<String> = loaded
        .variable_names
        .iter()
        .filter(|name| variables.get(name).is_none() && !defined.contains(*name))
        .cloned()
        .collect();
    let engine = match loaded.path.parent() {
        Some(dir) => engine.with_base_dir(dir),
        None => engine.clone(),
    };
    let recording = (plan.jobs > 1).then(Recording::default);
    let (out, err): (Box<dyn Write>, Box<dyn Write>) = match &recording {
        Some(recording) => (Box::new(recording.writer(Stream::Out)), Box::new(recording.writer(Stream::Err))),
        None => (Box::new(io::BufWriter::new(io::stdout())), Box::new(io::BufWriter::new(io::stderr()))),
    };
    let file = plan.several.then(|| loaded.path.display().to_string());
    let mut renderer: Box<dyn Render> = match plan.format {
        Format::Human => {
            let mut renderer = if output::colour(&io::stderr()) {
                let err: Box<dyn Write> = Box::new(anstream::AutoStream::new(err, anstream::ColorChoice::Always));
                HumanRenderer::new(out, err, plan.max_steps, undefined)
            } else {
                // No colour is written, so none needs stripping.
                HumanRenderer::new(out, err, plan.max_steps, undefined).without_colour()
            };
            if let Some(file) = file {
                renderer = renderer.with_file(file);
            }
            Box::new(renderer)
        }
        Format::Json => Box::new(JsonRenderer::new(out).with_file(file)),
    };
    let keeper = plan.keep_events.as_ref().map(|(limit, budget)| Keeper::new(*limit, budget.clone()));
    let ran = drive(&engine, flow, Arc::clone(variables), renderer.as_mut(), stop, keeper).await?;
    drop(renderer);
    Ok(Finished { ran, recording })
}

/// How often a run's output is flushed at most while events keep coming: a chain of
/// fast requests costs one write per 20 ms instead of one per request, and a person
/// watching sees every line within 20 ms.
const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// Runs the flow to its end, rendering every event (and keeping them with `keeper`,
/// masked at the end with every secret the run knew); `stop` cancels it.
async fn drive(
    engine: &Engine,
    flow: Arc<Flow>,
    variables: Arc<Variables>,
    renderer: &mut dyn Render,
    stop: &CancellationToken,
    mut keeper: Option<Keeper>,
) -> Result<Ran, Fatal> {
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
                            summary = Some(RunSummary { outcome: *outcome, counts: *counts, duration_ms: *duration_ms });
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
        None => report::keep::Kept::default(),
    };
    // The run's stream always ends with `RunFinished`; a run whose task died without
    // one counts as cancelled.
    let summary =
        summary.unwrap_or(RunSummary { outcome: Outcome::Cancelled, counts: Counts::default(), duration_ms: 0 });
    match output.failed {
        // The reader went away (`| head`): the run was cancelled, as SIGPIPE would have
        // ended it, and there is nobody left to tell.
        Some(error) if !output::is_closed(&error) => {
            Err(Fatal::environment(anyhow!(error).context("cannot write the run's output")))
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

/// `3 flows: 2 ok, 1 failed · 41 requests · 1.2 s`, on stderr.
fn closing_line(reports: &[FlowReport], duration_ms: u64) -> Result<(), Fatal> {
    let line = report::closing_line(reports, duration_ms);
    let style = if report::overall(reports, false) == "ok" { human::GREEN.bold() } else { human::RED.bold() };
    let mut stderr = output::stderr();
    writeln!(stderr, "\n{style}{}{style:#}", Escaped(&line)).and_then(|()| stderr.flush()).map_err(output::failed)
}

/// Which stream a piece of kept output belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// A flow's output kept while several flows run, in the order it was written.
#[derive(Debug, Default, Clone)]
struct Recording(Rc<RefCell<Vec<Chunk>>>);

/// Bytes written to one stream, one after another.
type Chunk = (Stream, Vec<u8>);

impl Recording {
    fn writer(&self, stream: Stream) -> Recorder {
        Recorder { recording: self.clone(), stream }
    }

    /// Writes what was kept to stdout and stderr, in order.
    fn replay(&self) -> Result<(), Fatal> {
        let (mut stdout, mut stderr) = (io::stdout().lock(), io::stderr().lock());
        for (stream, bytes) in self.0.borrow().iter() {
            let written = match stream {
                Stream::Out => stdout.write_all(bytes).and_then(|()| stdout.flush()),
                Stream::Err => stderr.write_all(bytes).and_then(|()| stderr.flush()),
            };
            written.map_err(output::failed)?;
        }
        Ok(())
    }
}

/// Writes into a [`Recording`].
struct Recorder {
    recording: Recording,
    stream: Stream,
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut chunks = self.recording.0.borrow_mut();
        match chunks.last_mut() {
            Some((stream, bytes)) if *stream == self.stream => bytes.extend_from_slice(buf),
            _ => chunks.push((self.stream, buf.to_vec())),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
