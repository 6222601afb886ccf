//! The binary's one way to write to stdout and stderr: every write returns its error,
//! and [`failed`] turns that error into how the program ends.
//!
//! - A reader that went away (a broken pipe: `switchyard vars get x | head -c 5`) ends
//!   the program quietly: what was written stands, the exit code is 0 (a `run` is
//!   cancelled instead, as SIGPIPE would have ended it, and exits by its outcome).
//! - Any other failure (a full disk: `> /dev/full`) ends it with exit 3 and an
//!   `error: cannot write to stdout: No space left on device` on stderr, when stderr
//!   still works.
//!
//! No `print!`-family macro is used in this crate (clippy's `print_stdout` and
//! `print_stderr` are denied in `main.rs`): they panic on these errors.
//!
//! Text taken from a file or a server goes through [`switchyard_flow::Escaped`] before
//! it is written, so control characters show as `\n`, `\u{1b}`.
//!
//! Colour is written only where it belongs ([`colour`]): to a terminal, unless
//! `NO_COLOR` is set or `TERM` is `dumb`; `CLICOLOR_FORCE` asks for it anywhere.
//!
//! A subcommand module (`vars`, `import`, …) returns `Result<Exit, Fatal>` and writes
//! like this, needing nothing else:
//!
//! ```ignore
//! use crate::output;
//! output::stdout_line(format_args!("{}", Escaped(&value)))?; // data, on stdout
//! output::stderr_line(format_args!("set `{name}`"))?;      // for people, on stderr
//! let mut out = output::stdout();                          // a colour-aware `Write`
//! writeln!(out, "{GREEN}ok{GREEN:#}").map_err(output::failed)?;
//! ```

use std::fmt;
use std::io::{self, IsTerminal, Write as _};

use crate::exit::Fatal;

/// stdout for styled text: `anstream` strips colour (and any other escape sequence)
/// unless [`colour`] says it shows colour.
pub fn stdout() -> anstream::AutoStream<io::Stdout> {
    let stream = io::stdout();
    let choice = choice(colour(&stream));
    anstream::AutoStream::new(stream, choice)
}

/// stderr for styled text: `anstream` strips colour (and any other escape sequence)
/// unless [`colour`] says it shows colour.
pub fn stderr() -> anstream::AutoStream<io::Stderr> {
    let stream = io::stderr();
    let choice = choice(colour(&stream));
    anstream::AutoStream::new(stream, choice)
}

fn choice(colour: bool) -> anstream::ColorChoice {
    if colour { anstream::ColorChoice::Always } else { anstream::ColorChoice::Never }
}

/// Whether to write colour to `stream`: never with `NO_COLOR` set (not empty); always
/// with `CLICOLOR_FORCE` set (not empty, nor `0`); never with `TERM=dumb` or
/// `CLICOLOR=0`; else only when it is a terminal.
pub fn colour(stream: &impl IsTerminal) -> bool {
    colour_by_environment().unwrap_or_else(|| stream.is_terminal())
}

/// What the environment says about colour whatever the stream: `Some(false)` for
/// `NO_COLOR`, `TERM=dumb` or `CLICOLOR=0`, `Some(true)` for `CLICOLOR_FORCE`, else
/// `None` (colour on a terminal).
pub fn colour_by_environment() -> Option<bool> {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if set("NO_COLOR").is_some() {
        return Some(false);
    }
    if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") {
        return Some(true);
    }
    if set("TERM").is_some_and(|term| term == "dumb") || set("CLICOLOR").is_some_and(|value| value == "0") {
        return Some(false);
    }
    None
}

/// Writes one line to stdout, byte for byte (no colour handling: it may be data), and
/// flushes it.
pub fn stdout_line(line: fmt::Arguments<'_>) -> Result<(), Fatal> {
    write_line(&mut io::stdout(), line).map_err(failed)
}

/// Writes one line to stderr, byte for byte, and flushes it.
pub fn stderr_line(line: fmt::Arguments<'_>) -> Result<(), Fatal> {
    write_line(&mut io::stderr(), line).map_err(failed)
}

/// Writes `text` to stdout, byte for byte, and flushes it.
pub fn stdout_text(text: &str) -> Result<(), Fatal> {
    let mut out = io::stdout();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(failed)
}

fn write_line(stream: &mut impl io::Write, line: fmt::Arguments<'_>) -> io::Result<()> {
    stream.write_fmt(line)?;
    stream.write_all(b"\n")?;
    stream.flush()
}

/// How a failed write ends the program: quietly with exit 0 when the reader went away,
/// else exit 3 with a message saying why ([`Fatal::write_failed`]).
pub fn failed(error: io::Error) -> Fatal {
    Fatal::write_failed(error)
}
