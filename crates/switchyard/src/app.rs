//! `switchyard [FLOW]` with no subcommand: the desktop app's entry point.
//!
//! The app is a later milestone; until it lands this says so and points to the
//! headless commands. Plug the app in by replacing the body of [`open`].

use std::path::Path;

use anyhow::anyhow;

use crate::exit::{Exit, Fatal};

/// Opens the desktop app, on `flow` when given. Not part of this version: always an
/// error (exit 2) that says what to use instead.
pub fn open(flow: Option<&Path>) -> Result<Exit, Fatal> {
    let run = match flow {
        Some(flow) => format!("`switchyard run {}`", flow.display()),
        None => "`switchyard run FLOW`".to_owned(),
    };
    Err(Fatal::invalid_input(anyhow!(
        "the Switchyard desktop app is not part of this version yet: run a flow headless with {run}, \
         or validate flow files with `switchyard check FLOW…` (see `switchyard --help`)"
    )))
}
