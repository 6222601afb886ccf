//! `switchyard check FLOW…`: validates flow files without running them.
//!
//! Each valid file gets `ok  PATH (N blocks, M wires)` on stdout; each problem of an
//! invalid one gets a `FILE:PLACE: message (did you mean …?)` line on stderr.

use std::io::Write as _;
use std::path::PathBuf;

use anstyle::{AnsiColor, Color, Style};
use anyhow::Context as _;

use crate::exit::{Exit, Fatal};

const GREEN: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));

/// Checks every file, all of them even after a bad one: exit 0 when all are valid, 2 otherwise.
pub fn check(paths: &[PathBuf]) -> Result<Exit, Fatal> {
    let mut stdout = anstream::stdout().lock();
    let mut stderr = anstream::stderr().lock();
    let mut all_valid = true;
    for path in paths {
        let written = match switchyard_flow::load(path) {
            Ok(flow) => writeln!(
                stdout,
                "{GREEN}ok{GREEN:#}  {} ({}, {})",
                path.display(),
                plural(flow.blocks.len(), "block"),
                plural(flow.wires.len(), "wire")
            ),
            Err(error) => {
                all_valid = false;
                writeln!(stderr, "{error}")
            }
        };
        written.context("cannot write the results").map_err(Fatal::environment)?;
    }
    Ok(if all_valid { Exit::Success } else { Exit::InvalidInput })
}

/// `1 block`, `2 blocks`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("{count} {noun}") } else { format!("{count} {noun}s") }
}
