//! `switchyard`: the one Switchyard binary.
//!
//! With no subcommand it opens the desktop app ([`app`]); `switchyard run FLOW` runs a flow headless and `switchyard check FLOW…`
//! validates flow files. The exit codes are DESIGN §5's, in [`exit`].
//!
//! Modules: `cli` (the clap arguments), `exit` (exit codes and fatal errors), `app`
//! (no subcommand), `run` (the `run` command: variables, engine, Ctrl-C), `variables`
//! (`--var`/`--secret`/`--secret-env` into [`switchyard_vault::Variables`]), `check`
//! (the `check` command), `vars` (the globals store), `import` / `export` (Postman and
//! curl, through `switchyard_import`) and `render` (turning run events into human or JSON output).

mod app;
mod check;
mod cli;
mod exit;
mod export;
mod import;
mod render;
mod run;
mod variables;
mod vars;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::exit::{Exit, Fatal};

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let result = match cli.command {
        None => build_runtime().and_then(|runtime| {
            let report_first_frame = cli.report_first_frame.then_some(started);
            let args = app::OpenArgs {
                flow: cli.flow,
                run: cli.run_on_open,
                screenshot: cli.screenshot,
                settings: cli.settings,
                report_first_frame,
            };
            app::open(&runtime, args)
        }),
        Some(Command::Run(args)) => build_runtime().and_then(|runtime| run::run(&runtime, &args)),
        Some(Command::Check(args)) => check::check(&args.flows),
        Some(Command::Vars(args)) => vars::vars(&args),
        Some(Command::Import(args)) => import::import(&args, &mut std::io::stdout(), &mut std::io::stderr()),
        Some(Command::Export(args)) => export::export(&args, &mut std::io::stdout(), &mut std::io::stderr()),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(fatal) => fatal.report(),
    }
}

/// The one tokio runtime of the process; runs borrow it.
fn build_runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("switchyard")
        .build()
        .context("cannot start the async runtime")
        .map_err(|error| Fatal::new(Exit::Environment, error))
}
