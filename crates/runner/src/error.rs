//! What can go wrong around a run that is not the run's own outcome (a flow that fails
//! has outcome `failed`; that is no error here).
//!
//! A front end maps each kind to how it answers: `switchyard run` exits 2 for
//! [`Error::Invalid`] and [`Error::InvalidFlows`], 3 for [`Error::Environment`], and
//! treats [`Error::Output`] as it treats any failed write (docs/cli.md, exit codes).

use std::io;

use switchyard_flow::FlowError;
use switchyard_vault::VaultError;

/// An error of loading flows, building a run's variables, running or writing reports.
/// Its text never holds a secret value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input: a flow file, a folder without flows, a variable argument or
    /// `SWITCHYARD_*` environment variable, an environment that does not exist.
    #[error("{0:#}")]
    Invalid(anyhow::Error),
    /// Several flow files named at once, some of them invalid: every problem of every
    /// invalid file, and how many files were named. Nothing ran.
    #[error("{} of {files} flow files are invalid; nothing was run", problems.len())]
    InvalidFlows {
        /// The invalid files' errors, in the order the files were named.
        problems: Vec<FlowError>,
        /// How many flow files were named or found.
        files: usize,
    },
    /// The environment failed: the store, the keychain, the HTTP client, a report file.
    #[error("{0:#}")]
    Environment(anyhow::Error),
    /// Writing what an observer was given failed (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(io::Error),
}

impl Error {
    /// Invalid input.
    pub fn invalid(error: impl Into<anyhow::Error>) -> Self {
        Self::Invalid(error.into())
    }

    /// The environment failed.
    pub fn environment(error: impl Into<anyhow::Error>) -> Self {
        Self::Environment(error.into())
    }
}

impl From<VaultError> for Error {
    /// The store's and the keychain's failures are the environment's; a name or an
    /// environment that does not exist is invalid input.
    fn from(error: VaultError) -> Self {
        if error.is_environment() { Self::environment(error) } else { Self::invalid(error) }
    }
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
