//! `switchyard run FLOW`: load, build the variables (`variables::for_run`: globals,
//! environment, process environment, command line), run the engine, render its events.
//!
//! The run is spawned with [`Engine::start`]; one loop on the process's runtime renders
//! its events as they arrive and watches Ctrl-C (first press cancels the run, a second
//! quits at once). The stream ends with `RunFinished`, whose outcome sets the exit code.

use std::io::{self, Write as _};
use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use switchyard_engine::{Counts, Engine, EngineConfig, Event, Outcome, RunSummary};
use switchyard_flow::Flow;
use switchyard_vault::Variables;
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

use crate::cli::{Format, RunArgs};
use crate::exit::{Exit, Fatal};
use crate::output;
use crate::render::Render;
use crate::render::human::HumanRenderer;
use crate::render::json::JsonRenderer;
use crate::variables::{self, VariableArgs};

/// Runs `switchyard run` on `runtime`; the exit code follows the run's outcome.
pub fn run(runtime: &Runtime, args: &RunArgs) -> Result<Exit, Fatal> {
    let flow = Arc::new(switchyard_flow::load(&args.flow).map_err(Fatal::invalid_input)?);
    let variable_args = VariableArgs { vars: &args.vars, secrets: &args.secrets, secret_envs: &args.secret_envs };
    let variables = Arc::new(variables::for_run(&flow.variable_names(), variable_args, args.env.as_deref())?);

    // Not refused: the engine fails the blocks that use an undefined name, through
    // their failure port, which the flow may handle.
    let undefined: Vec<String> =
        flow.variable_names().into_iter().filter(|name| variables.get(name).is_none()).collect();

    let engine = {
        let _runtime = runtime.enter();
        let max_connections = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
        let base_dir = args.flow.parent().map(std::path::Path::to_path_buf);
        Engine::new(EngineConfig { max_steps: args.max_steps, max_connections, base_dir, ..EngineConfig::default() })
            .context("cannot start the engine")
            .map_err(Fatal::environment)?
    };

    let summary = match args.format {
        Format::Human => {
            let mut renderer = HumanRenderer::stdio(args.max_steps, undefined);
            runtime.block_on(drive(&engine, flow, variables, &mut renderer))?
        }
        Format::Json => runtime.block_on(drive(&engine, flow, variables, &mut JsonRenderer::stdout()))?,
    };
    Ok(match summary.outcome {
        Outcome::Ok => Exit::Success,
        Outcome::Failed | Outcome::Cancelled | Outcome::Limit => Exit::RunNotOk,
    })
}

/// Runs the flow to its end, rendering every event and cancelling on Ctrl-C.
async fn drive(
    engine: &Engine,
    flow: Arc<Flow>,
    variables: Arc<Variables>,
    renderer: &mut dyn Render,
) -> Result<RunSummary, Fatal> {
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    // The Ctrl-C handler is installed (first poll below, `biased`) before the run's
    // first event can be taken.
    let mut handle = engine.start(flow, variables);
    let cancel = handle.cancel.clone();

    let mut output = Output::default();
    let mut watching_interrupts = true;
    let mut interrupted = false;
    let mut summary = None;
    loop {
        tokio::select! {
            biased;
            signal = &mut interrupt, if watching_interrupts => match signal {
                Ok(()) if interrupted => {
                    return Err(Fatal::new(Exit::RunNotOk, anyhow!("interrupted again: quit without waiting for the run to stop")));
                }
                Ok(()) => {
                    interrupted = true;
                    cancel.cancel();
                    output.write(|| renderer.interrupted(), &cancel);
                    interrupt.set(tokio::signal::ctrl_c());
                }
                Err(error) => {
                    watching_interrupts = false;
                    let warning = format!("warning: cannot watch for Ctrl-C ({error}): this run cannot be cancelled");
                    output.write(|| writeln!(io::stderr(), "{warning}"), &cancel);
                }
            },
            event = handle.next() => match event {
                Some(event) => {
                    if let Event::RunFinished { outcome, counts, duration_ms } = &event {
                        summary = Some(RunSummary { outcome: *outcome, counts: *counts, duration_ms: *duration_ms });
                    }
                    output.show(renderer, &event, &cancel);
                }
                None => break,
            },
        }
    }
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
        _ => Ok(summary),
    }
}

/// Tracks the output side of a run: whether writing failed.
#[derive(Debug, Default)]
struct Output {
    /// The first write error. Once output is gone (a closed pipe) the run is cancelled,
    /// as a process killed by SIGPIPE would be, and nothing more is written.
    failed: Option<io::Error>,
}

impl Output {
    fn show(&mut self, renderer: &mut dyn Render, event: &Event, cancel: &CancellationToken) {
        self.write(|| renderer.event(event), cancel);
    }

    fn write(&mut self, write: impl FnOnce() -> io::Result<()>, cancel: &CancellationToken) {
        if self.failed.is_some() {
            return;
        }
        if let Err(error) = write() {
            self.failed = Some(error);
            cancel.cancel();
        }
    }
}
