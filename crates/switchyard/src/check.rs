//! `switchyard check FLOW…`: validates flow files without running them.
//!
//! Each valid file gets `ok  PATH (N blocks, M wires)` on stdout; each problem of an
//! invalid one gets a `FILE:PLACE: message (did you mean …?)` line on stderr. Paths,
//! ids and names are shown with control characters escaped, so each line is one line.

use std::io::Write as _;
use std::path::PathBuf;

use anstyle::{AnsiColor, Color, Style};
use switchyard_flow::Escaped;

use crate::exit::{Exit, Fatal};
use crate::output;

const GREEN: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));

/// Checks every file, all of them even after a bad one: exit 0 when all are valid, 2 otherwise.
pub fn check(paths: &[PathBuf]) -> Result<Exit, Fatal> {
    let mut stdout = output::stdout();
    let mut stderr = output::stderr();
    let mut all_valid = true;
    for path in paths {
        let written = match switchyard_flow::load(path) {
            Ok(flow) => writeln!(
                stdout,
                "{GREEN}ok{GREEN:#}  {} ({}, {})",
                Escaped(&path.display().to_string()),
                plural(flow.blocks.len(), "block"),
                plural(flow.wires.len(), "wire")
            ),
            Err(error) => {
                all_valid = false;
                writeln!(stderr, "{error}")
            }
        };
        written.and_then(|()| stdout.flush()).and_then(|()| stderr.flush()).map_err(output::failed)?;
    }
    Ok(if all_valid { Exit::Success } else { Exit::InvalidInput })
}

/// `1 block`, `2 blocks`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("{count} {noun}") } else { format!("{count} {noun}s") }
}
