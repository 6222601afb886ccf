//! What can go wrong with the globals store, said so a user knows what to do.

use std::path::PathBuf;

use thiserror::Error;

/// Why a globals-store operation failed. Messages never contain a secret value.
#[derive(Debug, Error)]
pub enum VaultError {
    /// The OS keychain cannot be reached, is locked, or refused access.
    #[error(
        "the OS keychain is not available ({detail}); secret variables cannot be stored or read. \
         Start or unlock your keychain (on Linux: a Secret Service such as gnome-keyring), \
         or pass secrets to a run with --secret-env NAME=ENV_VAR"
    )]
    KeychainUnavailable {
        /// What the keychain said.
        detail: String,
    },
    /// The keychain answered, but not as expected for this variable.
    #[error("keychain entry for `{name}`: {detail}")]
    Keychain {
        /// The variable name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// A secret is defined in globals.json but its value is not in the keychain.
    #[error(
        "secret `{name}` is defined but its value is not in the keychain; set it again with `switchyard vars set {name} --secret`"
    )]
    SecretMissing {
        /// The variable name.
        name: String,
    },
    /// globals.json is not valid; it is left untouched.
    #[error("{}:{place}: {message}; the file was left as it is: fix or move it", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// `line:column` or a field path.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// The file or its directory could not be read or written.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No configuration directory could be found.
    #[error("no configuration directory found: set SWITCHYARD_HOME to a directory for Switchyard's settings")]
    NoConfigDir,
    /// No variable has this name.
    #[error("no global variable `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    NotFound {
        /// The name asked for.
        name: String,
        /// A near miss.
        suggestion: Option<String>,
    },
    /// The name is not a valid variable name.
    #[error("`{name}` is not a valid variable name: use letters, digits, `_`, `.` and `-`; `input` is reserved")]
    InvalidName {
        /// The name.
        name: String,
    },
    /// A rename target that already exists.
    #[error("a global variable `{name}` already exists; remove it first")]
    Exists {
        /// The name.
        name: String,
    },
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
