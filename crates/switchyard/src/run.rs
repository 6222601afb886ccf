//! `switchyard run FLOW_OR_DIR…`: read and check every flow first, build the variables
//! (`switchyard_runner::for_run`: globals, environment, process environment, command
//! line), run the flows (`switchyard_runner::run_flows`), render their events, close
//! with a line across flows, write the reports (docs/cli.md).
//!
//! Flows run one at a time by default, streaming their output. With `--jobs N` up to N
//! run at once; each one's output is kept ([`Recording`]) and printed whole when it
//! ends, so flows never interleave. Ctrl-C cancels every running flow and starts no
//! more; a second press quits at once. The exit code is 0 only when every flow was
//! `ok`.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::Arc;

use anyhow::anyhow;
use switchyard_engine::Event;
use switchyard_flow::Escaped;
use switchyard_runner::report::write::Targets;
use switchyard_runner::report::{self, FlowReport, Ran};
use switchyard_runner::{FlowObserver, LoadedFlow, Observer, RunConfig, VariableArgs, flows, variables};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

use crate::cli::{Format, RunArgs};
use crate::exit::{Exit, Fatal};
use crate::output;
use crate::render::Render;
use crate::render::human::{self, HumanRenderer};
use crate::render::json::JsonRenderer;

/// Runs `switchyard run` on `runtime`; the exit code follows the flows' outcomes.
pub fn run(runtime: &Runtime, args: &RunArgs) -> Result<Exit, Fatal> {
    let loaded = switchyard_runner::load_flows(&args.flows).map_err(invalid_flows)?;
    let variable_args = VariableArgs { vars: &args.vars, secrets: &args.secrets, secret_envs: &args.secret_envs };
    let names = flows::variable_names(&loaded);
    let variables = Arc::new(variables::for_run(&names, variable_args, args.env.as_deref())?);

    let targets = Targets {
        junit: args.report_junit.clone(),
        json: args.report_json.clone(),
        html: args.report_html.clone(),
        body_limit: args.report_body_limit,
    };
    let config = RunConfig {
        max_steps: args.max_steps,
        max_connections: args.max_connections,
        jobs: usize::try_from(args.jobs).unwrap_or(usize::MAX).max(1),
        bail: args.bail,
        keep_events: targets.any().then_some(args.report_body_limit),
    };
    let engine = {
        let _runtime = runtime.enter();
        config.engine()?
    };
    let mut console = Console {
        format: args.format,
        max_steps: args.max_steps,
        recorded: config.jobs > 1,
        several: loaded.len() > 1,
    };

    let stop = CancellationToken::new();
    let summary = runtime.block_on(async {
        let run = switchyard_runner::run_flows(&engine, &loaded, &variables, &config, &stop, &mut console);
        watching_interrupts(run, &stop, args.format).await
    })?;
    if console.several && args.format == Format::Human {
        closing_line(&summary.flows, summary.duration_ms)?;
    }
    targets.write(&summary.flows, summary.cancelled, summary.duration_ms)?;
    let exit = if summary.all_ok() { Exit::Success } else { Exit::RunNotOk };
    // The process ends next: freeing every block of every flow, one by one, would only
    // cost time (a 1,000-block flow: ~1.5 M instructions); the system takes it all back.
    std::mem::forget(loaded);
    Ok(exit)
}

/// Invalid flow files: when several are, every problem of every file on stderr first.
fn invalid_flows(error: switchyard_runner::Error) -> Fatal {
    if let switchyard_runner::Error::InvalidFlows { problems, .. } = &error {
        let mut stderr = output::stderr();
        for problem in problems {
            if let Err(error) = writeln!(stderr, "{problem}") {
                return output::failed(error);
            }
        }
        if let Err(error) = stderr.flush() {
            return output::failed(error);
        }
    }
    Fatal::from(error)
}

/// Polls `run` to its end, watching Ctrl-C: the first press cancels `stop` (every
/// running flow, and no more start), a second one quits at once.
async fn watching_interrupts<T>(
    run: impl Future<Output = Result<T, switchyard_runner::Error>>,
    stop: &CancellationToken,
    format: Format,
) -> Result<T, Fatal> {
    tokio::pin!(run);
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let mut watching = true;
    let mut interrupted = false;
    loop {
        tokio::select! {
            biased;
            signal = &mut interrupt, if watching => match signal {
                Ok(()) if interrupted => {
                    return Err(Fatal::new(Exit::RunNotOk, anyhow!("interrupted again: quit without waiting for the run to stop")));
                }
                Ok(()) => {
                    interrupted = true;
                    stop.cancel();
                    if format == Format::Human {
                        let mut stderr = output::stderr();
                        writeln!(stderr, "{}", human::interrupted_line()).and_then(|()| stderr.flush()).map_err(output::failed)?;
                    }
                    interrupt.set(tokio::signal::ctrl_c());
                }
                Err(error) => {
                    watching = false;
                    output::stderr_line(format_args!("warning: cannot watch for Ctrl-C ({error}): this run cannot be cancelled"))?;
                }
            },
            result = &mut run => return result.map_err(Fatal::from),
        }
    }
}

/// Shows a run on the console: a renderer per flow, its output kept to be printed
/// whole when several flows run at once.
struct Console {
    format: Format,
    max_steps: u64,
    /// Several flows run at once: each one's output is kept and printed when it ends.
    recorded: bool,
    /// More than one flow: a closing line, and `file` on each JSON line.
    several: bool,
}

/// One flow's renderer, and its output when it is kept to be printed whole.
struct FlowOutput {
    renderer: Box<dyn Render>,
    recording: Option<Recording>,
}

impl FlowObserver for FlowOutput {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        self.renderer.event(event)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.renderer.flush()
    }
}

impl Observer for Console {
    type Flow = FlowOutput;

    fn flow_started(&mut self, _index: usize, loaded: &LoadedFlow, undefined: Vec<String>) -> FlowOutput {
        let recording = self.recorded.then(Recording::default);
        let (out, err): (Box<dyn Write>, Box<dyn Write>) = match &recording {
            Some(recording) => (Box::new(recording.writer(Stream::Out)), Box::new(recording.writer(Stream::Err))),
            None => (Box::new(io::BufWriter::new(io::stdout())), Box::new(io::BufWriter::new(io::stderr()))),
        };
        let file = self.several.then(|| loaded.path.display().to_string());
        let renderer: Box<dyn Render> = match self.format {
            Format::Human => {
                let mut renderer = if output::colour(&io::stderr()) {
                    let err: Box<dyn Write> = Box::new(anstream::AutoStream::new(err, anstream::ColorChoice::Always));
                    HumanRenderer::new(out, err, self.max_steps, undefined)
                } else {
                    // No colour is written, so none needs stripping.
                    HumanRenderer::new(out, err, self.max_steps, undefined).without_colour()
                };
                if let Some(file) = file {
                    renderer = renderer.with_file(file);
                }
                Box::new(renderer)
            }
            Format::Json => Box::new(JsonRenderer::new(out).with_file(file)),
        };
        FlowOutput { renderer, recording }
    }

    fn flow_finished(&mut self, _index: usize, observer: FlowOutput, _ran: &Ran) -> io::Result<()> {
        let FlowOutput { renderer, recording } = observer;
        drop(renderer);
        match recording {
            Some(recording) => recording.replay(),
            None => Ok(()),
        }
    }
}

/// `3 flows: 2 ok, 1 failed · 41 requests · 1.2 s`, on stderr.
fn closing_line(reports: &[FlowReport], duration_ms: u64) -> Result<(), Fatal> {
    let line = report::closing_line(reports, duration_ms);
    let style =
        if report::overall(reports, false) == report::Overall::Ok { human::GREEN.bold() } else { human::RED.bold() };
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
    fn replay(&self) -> io::Result<()> {
        let (mut stdout, mut stderr) = (io::stdout().lock(), io::stderr().lock());
        for (stream, bytes) in self.0.borrow().iter() {
            match stream {
                Stream::Out => stdout.write_all(bytes).and_then(|()| stdout.flush())?,
                Stream::Err => stderr.write_all(bytes).and_then(|()| stderr.flush())?,
            }
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
