//! `switchyard`: the one Switchyard binary.
//!
//! With no subcommand it opens the desktop app ([`app`]); `switchyard run FLOW` runs a flow headless and `switchyard check FLOW…`
//! validates flow files. The exit codes are those of docs/cli.md, in [`exit`].
//!
//! The binary parses arguments and renders; what a run does (loading flow files,
//! layering its variables, the run loop, the reports) is the `switchyard_runner`
//! library's, which other front ends share.
//!
//! Modules: `cli` (the clap arguments), `exit` (exit codes and fatal errors), `app`
//! (no subcommand), `run` (the `run` command: arguments into a run, Ctrl-C, the console
//! observer, the closing line), `check` (the `check` command), `vars` (the globals
//! store, `--env` an environment's variables), `env` (environments), `import` / `export` (Postman and
//! curl, through `switchyard_import`), `render` (turning run events into human or JSON
//! output) and `output` (the one way to write to stdout and stderr: see its docs before
//! adding a subcommand). `exit` uses nothing of `output`: `output` turns failed writes
//! into `exit`'s fatal errors.

// The print-family macros panic when stdout or stderr is closed or full: write through
// `output` instead, whose errors end the program cleanly.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod app;
mod check;
mod cli;
mod curl_bridge;
mod env;
mod exit;
mod export;
mod import;
mod output;
mod render;
mod run;
mod vars;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{CommandFactory as _, FromArgMatches as _};

use crate::cli::{Cli, Command};
use crate::exit::{Exit, Fatal};

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    // clap's help and usage errors follow the same colour rule as the rest.
    let colour = match output::colour_by_environment() {
        Some(false) => clap::ColorChoice::Never,
        Some(true) => clap::ColorChoice::Always,
        None => clap::ColorChoice::Auto,
    };
    let cli = match Cli::command().color(colour).try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        // Help, version or a usage error: clap's text, its exit code (0 or 2).
        Err(error) => {
            return match error.print() {
                Ok(()) => ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)),
                Err(write) => output::failed(write).report(&mut output::stderr()),
            };
        }
    };
    raise_open_files_limit();
    let result = match cli.command {
        None => build_runtime().and_then(|runtime| {
            let report_first_frame = cli.report_first_frame.then_some(started);
            let args = app::OpenArgs {
                flow: cli.flow,
                run: cli.run_on_open,
                screenshot: cli.screenshot,
                settings: cli.settings,
                show_response: cli.show_response,
                report_first_frame,
            };
            app::open(&runtime, args)
        }),
        Some(Command::Run(args)) => build_run_runtime().and_then(|runtime| run::run(&runtime, &args)),
        Some(Command::Check(args)) => check::check(&args.flows),
        Some(Command::Vars(args)) => vars::vars(&args),
        Some(Command::Env(args)) => env::env(&args),
        Some(Command::Import(args)) => import::import(&args, &mut std::io::stdout(), &mut std::io::stderr()),
        Some(Command::Export(args)) => export::export(&args, &mut std::io::stdout(), &mut std::io::stderr()),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(fatal) => fatal.report(&mut output::stderr()),
    }
}

/// Raises the soft limit on open files to the hard limit, so a big fan-out is not cut
/// short by a low default (often 1,024); runs also cap their connections
/// (`--max-connections`). Best effort: where it cannot be raised, the cap still holds.
fn raise_open_files_limit() {
    // The error only means the old limit stays; the connection cap keeps runs within it.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
}

/// The runtime of `switchyard run`: one thread. A run polls its requests on one task
/// and its events are rendered on the same thread, so nothing is handed between
/// threads (on a multi-threaded runtime each request of a chain cost several wake-ups
/// across threads); requests of a fan-out are still in flight together.
fn build_run_runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .map_err(|error| Fatal::new(Exit::Environment, error))
}

/// The tokio runtime of the app; runs borrow it while the window's thread draws.
fn build_runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("switchyard")
        .build()
        .context("cannot start the async runtime")
        .map_err(|error| Fatal::new(Exit::Environment, error))
}
