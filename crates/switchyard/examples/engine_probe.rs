//! A probe for the engine-speed profile (BENCHMARKS.md): runs a flow through
//! the engine's public API the way `switchyard run --format json` does, but with the
//! tokio runtime flavour chosen on the command line, and reports how long each phase
//! took. It answers "what would a current-thread runtime save?" without touching the
//! binary.
//!
//! ```sh
//! cargo run --release -p switchyard --example engine_probe -- FLOW current|multi [json|drop] [MAX_STEPS]
//! ```
//!
//! `json` (the default) writes every event as one JSON line to stdout through a
//! buffered writer, as `--format json` does; `drop` discards the events. No variables,
//! no global store. The phase times (load and validate, engine and HTTP client set-up,
//! the run) go to stderr.

use std::io::{self, BufWriter, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use switchyard_engine::{Engine, EngineConfig, Outcome};
use switchyard_vault::Variables;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((flow_path, flavour)) = args.first().zip(args.get(1)) else {
        eprintln!("usage: engine_probe FLOW current|multi [json|drop] [MAX_STEPS]");
        return ExitCode::from(2);
    };
    let write_events = match args.get(2).map(String::as_str) {
        None | Some("json") => true,
        Some("drop") => false,
        Some(other) => {
            eprintln!("engine_probe: events are json or drop, not {other:?}");
            return ExitCode::from(2);
        }
    };
    let max_steps = match args.get(3).map(|text| text.parse::<u64>()) {
        None => EngineConfig::default().max_steps,
        Some(Ok(steps)) if steps > 0 => steps,
        Some(_) => {
            eprintln!("engine_probe: MAX_STEPS must be a positive number");
            return ExitCode::from(2);
        }
    };
    let built = match flavour.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        "multi" => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
        other => {
            eprintln!("engine_probe: the flavour is current or multi, not {other:?}");
            return ExitCode::from(2);
        }
    };
    let runtime = match built {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("engine_probe: cannot start the runtime: {error}");
            return ExitCode::from(3);
        }
    };

    let started = Instant::now();
    let flow = match switchyard_flow::load(Path::new(flow_path)) {
        Ok(flow) => flow,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let loaded = Instant::now();
    let engine = {
        let _guard = runtime.enter();
        match Engine::new(EngineConfig { max_steps, ..EngineConfig::default() }) {
            Ok(engine) => engine,
            Err(error) => {
                eprintln!("engine_probe: {error}");
                return ExitCode::from(3);
            }
        }
    };
    let set_up = Instant::now();
    let variables = Variables::default();
    let (sender, mut events) = mpsc::unbounded_channel();
    let (summary, written) = runtime.block_on(async {
        let run = engine.run(&flow, &variables, sender, CancellationToken::new());
        let render = async {
            let mut out = BufWriter::new(io::stdout().lock());
            while let Some(event) = events.recv().await {
                if write_events {
                    serde_json::to_writer(&mut out, &event).map_err(io::Error::from)?;
                    out.write_all(b"\n")?;
                    // `--format json` flushes each event: a reader sees it at once.
                    out.flush()?;
                }
            }
            out.flush()
        };
        tokio::join!(run, render)
    });
    let ran = Instant::now();
    eprintln!(
        "engine_probe {flavour}: load {:.2} ms, engine set-up {:.2} ms, run {:.2} ms ({} blocks run)",
        ms(loaded - started),
        ms(set_up - loaded),
        ms(ran - set_up),
        summary.counts.blocks_run
    );
    if let Err(error) = written {
        eprintln!("engine_probe: cannot write the events: {error}");
        return ExitCode::from(3);
    }
    if summary.outcome == Outcome::Ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
