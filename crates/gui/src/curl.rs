//! Curl commands in and out of the canvas (paste a command, Copy as curl) through a
//! translator the binary hands the app ([`AppOptions::curl`](crate::AppOptions)): the
//! binary's is `switchyard_import`'s, so the app itself depends only on the flow, the
//! vault and the engine (the crate map in ARCHITECTURE.md). Without one, pasting a command says so.

use std::path::Path;

use secrecy::SecretString;
use switchyard_flow::{Block, SendRequest};

/// Turns curl commands into Send Request blocks and back.
pub trait CurlTranslator: Send + Sync + std::fmt::Debug {
    /// The Send Request block a command stands for (its literal credentials replaced by
    /// `{{name}}`), or what is wrong with the command. Relative file paths are taken
    /// from `cwd` and written relative to `flow_dir`.
    fn import(&self, command: &str, cwd: &Path, flow_dir: Option<&Path>) -> Result<PastedCurl, String>;

    /// The request as a curl command: plain variables filled in, secrets as shell
    /// references (`lookup` says which is which), never their values.
    fn export(&self, request: &SendRequest, lookup: &dyn Fn(&str) -> Known, base_dir: Option<&Path>) -> CopiedCurl;
}

/// What a pasted command became.
#[derive(Debug)]
pub struct PastedCurl {
    /// The Send Request block (its position is set where it is pasted).
    pub block: Block,
    /// Literal credentials taken out of the command; the block refers to each by name.
    pub credentials: Vec<PastedCredential>,
    /// What could not be carried over exactly.
    pub warnings: Vec<String>,
}

/// A credential taken out of a pasted command.
#[derive(Debug)]
pub struct PastedCredential {
    /// The name the block refers to it by (`{{name}}`).
    pub name: String,
    /// Where it was (`header Authorization`).
    pub origin: String,
    /// The value: for the keychain only.
    pub value: SecretString,
}

/// What a variable is, for Copy as curl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// A plain value: written into the command.
    Plain(String),
    /// A secret: written as a shell reference.
    Secret,
    /// Not defined: left as text, with a warning.
    Unknown,
}

/// A request as a curl command, and what could not be carried over exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedCurl {
    /// The command, words separated by ` \` line continuations.
    pub command: String,
    /// Secrets to set in the shell, references left as text, and the like.
    pub warnings: Vec<String>,
}
