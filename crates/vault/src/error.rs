//! What can go wrong with the variables store (globals and environments), said so a user knows what to do.
//!
//! Names, places and messages that come from `globals.json`, the keychain or the user
//! are shown with control characters escaped ([`Escaped`]), so none can forge a line
//! of output or send a terminal escape sequence.

use std::path::PathBuf;

use switchyard_flow::Escaped;
use thiserror::Error;

/// Why a globals-store operation failed. Messages never contain a secret value.
#[derive(Debug, Error)]
pub enum VaultError {
    /// The OS keychain cannot be reached, is locked, or refused access.
    #[error(
        "the OS keychain is not available ({}); secret variables cannot be stored or read. \
         Start or unlock your keychain (on Linux: a Secret Service such as gnome-keyring), \
         or pass secrets to a run with --secret-env NAME=ENV_VAR",
        Escaped(detail)
    )]
    KeychainUnavailable {
        /// What the keychain said.
        detail: String,
    },
    /// The keychain answered, but not as expected for this variable.
    #[error("keychain entry for `{}`: {}", Escaped(name), Escaped(detail))]
    Keychain {
        /// The variable name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// A secret is defined in globals.json but its value is not in the keychain.
    #[error(
        "secret `{0}`{1} is defined but its value is not in the keychain; set it again with `switchyard vars set {0} --secret{2}`",
        Escaped(name),
        in_environment(environment.as_deref()),
        env_flag(environment.as_deref())
    )]
    SecretMissing {
        /// The variable name.
        name: String,
        /// The environment it belongs to; `None` for a global variable.
        environment: Option<String>,
    },
    /// globals.json is not valid; it is left untouched.
    #[error("{}:{}: {}; the file was left as it is: fix or move it", Escaped(&path.display().to_string()), Escaped(place), Escaped(message))]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// `line:column` or a field path.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// The file or its directory could not be read or written. The cause is part of the
    /// message and deliberately not a `source()`, so a chain prints it once.
    #[error("{}: {action}: {cause}", Escaped(&path.display().to_string()))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// No configuration directory could be found.
    #[error("no configuration directory found: set SWITCHYARD_HOME to a directory for Switchyard's settings")]
    NoConfigDir,
    /// No variable has this name (in the globals, or in the environment named).
    #[error(
        "no {} `{}`{}{}",
        if environment.is_some() { "variable" } else { "global variable" },
        Escaped(name),
        in_environment(environment.as_deref()),
        did_you_mean(suggestion.as_deref())
    )]
    NotFound {
        /// The name asked for.
        name: String,
        /// The environment looked in; `None` for the globals.
        environment: Option<String>,
        /// A near miss.
        suggestion: Option<String>,
    },
    /// The name is not a valid variable name.
    #[error(
        "`{}` is not a valid variable name: use letters, digits, `_`, `.` and `-`; `input` is reserved",
        Escaped(name)
    )]
    InvalidName {
        /// The name.
        name: String,
    },
    /// A rename target that already exists.
    #[error("a global variable `{}` already exists; remove it first", Escaped(name))]
    Exists {
        /// The name.
        name: String,
    },
    /// A rename target that already exists in an environment.
    #[error("a variable `{}` already exists in environment `{}`; remove it first", Escaped(name), Escaped(environment))]
    ExistsIn {
        /// The name.
        name: String,
        /// The environment.
        environment: String,
    },
    /// No environment has this name.
    #[error(
        "no environment `{0}`{1}: make it with `switchyard env new {0}`, or see the ones there are with `switchyard env list`",
        Escaped(name),
        did_you_mean(suggestion.as_deref())
    )]
    EnvironmentNotFound {
        /// The name asked for.
        name: String,
        /// A near miss.
        suggestion: Option<String>,
    },
    /// `env new` or `env mv` to a name that is taken.
    #[error(
        "an environment `{}` already exists; choose another name, or remove it first with `switchyard env rm`",
        Escaped(name)
    )]
    EnvironmentExists {
        /// The name.
        name: String,
    },
    /// The name is not a valid environment name.
    #[error("`{}` is not a valid environment name: use letters, digits, `_`, `.` and `-` (no `/`)", Escaped(name))]
    InvalidEnvironmentName {
        /// The name.
        name: String,
    },
}

/// ` in environment `NAME``, or nothing for the globals.
fn in_environment(environment: Option<&str>) -> String {
    environment.map(|name| format!(" in environment `{}`", Escaped(name))).unwrap_or_default()
}

/// ` --env NAME`, or nothing for the globals.
fn env_flag(environment: Option<&str>) -> String {
    environment.map(|name| format!(" --env {}", Escaped(name))).unwrap_or_default()
}

/// ` (did you mean `NAME`?)`, or nothing.
fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map(|s| format!(" (did you mean `{}`?)", Escaped(s))).unwrap_or_default()
}

impl VaultError {
    /// Whether this is the environment's fault (keychain or file system), as opposed to
    /// what the user asked for. The CLI exits 3 for these.
    pub fn is_environment(&self) -> bool {
        matches!(
            self,
            VaultError::KeychainUnavailable { .. }
                | VaultError::Keychain { .. }
                | VaultError::Corrupt { .. }
                | VaultError::Io { .. }
                | VaultError::NoConfigDir
        )
    }
}
