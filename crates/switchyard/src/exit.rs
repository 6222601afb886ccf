//! Exit codes (DESIGN §5) and the fatal errors that end the program with one.

use std::io::Write as _;
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

    /// The message, one `error: …` line per line of the error (a flow file's problems
    /// are one per line). Text from files is escaped where the errors are made (flow
    /// and vault errors); any other control character but the line break is escaped
    /// here, so a message can never carry a terminal escape sequence.
    pub fn message(&self) -> String {
        let text = format!("{:#}", self.error);
        text.lines().map(|line| format!("error: {}\n", switchyard_flow::Escaped(line))).collect()
    }

    /// Prints the error on stderr (nothing when quiet) and returns the exit code.
    pub fn report(self) -> ExitCode {
        if self.quiet {
            return self.exit.into();
        }
        let style = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into())).bold();
        let mut stderr = crate::output::stderr();
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
    /// as every failed write does ([`crate::output::failed`]).
    fn from(error: switchyard_runner::Error) -> Self {
        use switchyard_runner::Error;
        match error {
            Error::Invalid(error) => Self::invalid_input(error),
            Error::InvalidFlows { .. } => Self::invalid_input(anyhow::anyhow!("{error}")),
            Error::Environment(error) => Self::environment(error),
            Error::Output(error) => crate::output::failed(error),
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
    fn exit_codes_follow_the_design() {
        let codes: Vec<u8> =
            [Exit::Success, Exit::RunNotOk, Exit::InvalidInput, Exit::Environment].map(Exit::code).into();
        assert_eq!(codes, [0, 1, 2, 3]);
    }
}
