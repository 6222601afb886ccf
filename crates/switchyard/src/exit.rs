//! Exit codes (docs/cli.md) and the fatal errors that end the program with one.
//!
//! This module writes nothing by itself: [`Fatal::report`] is handed the stream to
//! write to, so `output` (which makes [`Fatal`]s of failed writes) can use it without
//! it using `output` back.

use std::io::{self, Write};
use std::process::ExitCode;

/// How the program ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the run was `ok`, or every checked file is valid.
    Success,
    /// 1: the run `failed`, was `cancelled` or hit the `limit`.
    RunNotOk,
    /// 2: invalid input: a flow file or an argument.
    InvalidInput,
    /// 3: the environment failed (runtime, HTTP client, output streams).
    Environment,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::RunNotOk => 1,
            Exit::InvalidInput => 2,
            Exit::Environment => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// An error that ends the program: reported once, on stderr, as `error: …`.
#[derive(Debug)]
pub struct Fatal {
    /// The exit code it ends the program with.
    pub exit: Exit,
    /// What went wrong. Must never contain a secret value.
    pub error: anyhow::Error,
    /// Nothing to report (the reader of the output went away): just exit.
    pub quiet: bool,
}

impl Fatal {
    /// A fatal error ending the program with `exit`.
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Self { exit, error: error.into(), quiet: false }
    }

    /// Ends the program with `exit` and no message (the output is gone).
    pub fn quiet(exit: Exit) -> Self {
        Self { exit, error: anyhow::anyhow!("the output was closed"), quiet: true }
    }

    /// Invalid input: a flow file or an argument (exit 2).
    pub fn invalid_input(error: impl Into<anyhow::Error>) -> Self {
        Self::new(Exit::InvalidInput, error)
    }

    /// The environment failed (exit 3).
    pub fn environment(error: impl Into<anyhow::Error>) -> Self {
        Self::new(Exit::Environment, error)
    }

    /// How a failed write to stdout or stderr ends the program: quietly with exit 0
    /// when the reader went away (a broken pipe), else exit 3 with a message saying why.
    pub fn write_failed(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Self::quiet(Exit::Success)
        } else {
            Self::environment(anyhow::anyhow!("cannot write the output: {error}"))
        }
    }

    /// The message, one `error: …` line per line of the error (a flow file's problems
    /// are one per line). Text from files is escaped where the errors are made (flow
    /// and vault errors); any other control character but the line break is escaped
    /// here, so a message can never carry a terminal escape sequence.
    pub fn message(&self) -> String {
        let text = format!("{:#}", self.error);
        text.lines().map(|line| format!("error: {}\n", switchyard_flow::Escaped(line))).collect()
    }

    /// Prints the error on `stderr` (nothing when quiet) and returns the exit code.
    pub fn report(self, stderr: &mut dyn Write) -> ExitCode {
        if self.quiet {
            return self.exit.into();
        }
        let style = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into())).bold();
        for line in self.message().lines() {
            let rest = line.strip_prefix("error:").unwrap_or(line);
            // Nowhere left to report a failure to write to stderr: the exit code still says it.
            if writeln!(stderr, "{style}error:{style:#}{rest}").is_err() {
                break;
            }
        }
        // As above: a failed flush leaves only the exit code to say it.
        let _ = stderr.flush();
        self.exit.into()
    }
}

impl From<switchyard_runner::Error> for Fatal {
    /// Invalid input ends with exit 2, a failed environment with exit 3, a failed write
    /// as every failed write does ([`Fatal::write_failed`]).
    fn from(error: switchyard_runner::Error) -> Self {
        use switchyard_runner::Error;
        match error {
            Error::Invalid(error) => Self::invalid_input(error),
            Error::InvalidFlows { .. } => Self::invalid_input(anyhow::anyhow!("{error}")),
            Error::Environment(error) => Self::environment(error),
            Error::Output(error) => Self::write_failed(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_a_multi_line_error_is_prefixed() {
        let fatal = Fatal::invalid_input(anyhow::anyhow!("f.json:blocks.a: one\nf.json:wires[0]: two"));
        assert_eq!(fatal.message(), "error: f.json:blocks.a: one\nerror: f.json:wires[0]: two\n");
    }

    #[test]
    fn a_message_carries_no_control_character() {
        let fatal = Fatal::environment(anyhow::anyhow!("name `a\u{1b}]0;x\u{7}` \r\0"));
        assert_eq!(fatal.message(), "error: name `a\\u{1b}]0;x\\u{7}` \\r\\0\n");
    }

    #[test]
    fn a_closed_reader_ends_quietly_and_any_other_write_failure_with_exit_3() {
        let closed = Fatal::write_failed(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(closed.quiet);
        assert_eq!(closed.exit, Exit::Success);
        let full = Fatal::write_failed(io::Error::other("No space left on device"));
        assert!(!full.quiet);
        assert_eq!(full.exit, Exit::Environment);
        assert_eq!(full.message(), "error: cannot write the output: No space left on device\n");
    }

    #[test]
    fn a_report_is_written_to_the_stream_it_is_given() {
        let mut stderr = Vec::new();
        let code = Fatal::invalid_input(anyhow::anyhow!("one\ntwo")).report(&mut stderr);
        assert_eq!(code, ExitCode::from(2));
        let text = String::from_utf8(stderr).unwrap();
        assert!(text.contains("error:") && text.contains(" one\n") && text.contains(" two\n"), "{text:?}");
        let mut nothing = Vec::new();
        Fatal::quiet(Exit::Success).report(&mut nothing);
        assert!(nothing.is_empty());
    }

    #[test]
    fn exit_codes_follow_the_design() {
        let codes: Vec<u8> =
            [Exit::Success, Exit::RunNotOk, Exit::InvalidInput, Exit::Environment].map(Exit::code).into();
        assert_eq!(codes, [0, 1, 2, 3]);
    }
}
