//! Pure translations into and out of Switchyard flows: Postman collections (v2.0, v2.1)
//! and environments, curl commands, and a Send Request block back out as curl.
//!
//! Nothing here reads a file, the keychain or the network: the caller hands in text
//! (and, for paths, the folders involved) and gets back a [`Flow`] with an [`Report`].
//! Entry points: [`postman_collection`], [`postman_environment`], [`curl_command`],
//! [`export_curl`].
//!
//! Modules: `postman` (collections and environments), `shell` (a POSIX-shell and
//! Windows-cmd word splitter for curl commands), `curl` (curl's flags into a request),
//! `export` (a request as a curl command), `credentials` (what looks like a secret and
//! how a literal one becomes a `{{name}}`), `layout` (block ids and canvas positions),
//! `percent` (query text decoded as curl and Postman keep it).

mod credentials;
mod curl;
mod export;
mod layout;
mod percent;
mod postman;
mod shell;

use std::fmt;

pub use curl::curl_command;
pub use export::{CurlExport, Resolved, export_curl};
pub use layout::slug;
pub use postman::{postman_collection, postman_environment};
use switchyard_flow::Flow;

/// A value that must not be printed: a literal credential or a secret variable's value.
/// `Debug` and `Display` print a mask; [`SecretText::expose`] gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text itself; for handing to the keychain only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(••••••)")
    }
}

impl fmt::Display for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("••••••")
    }
}

/// The value of an imported variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableValue {
    /// A plain value, fine to keep in `globals.json`.
    Plain(String),
    /// A credential: its place is the keychain, never a file.
    Secret(SecretText),
}

impl VariableValue {
    /// Whether this is a secret.
    pub fn is_secret(&self) -> bool {
        matches!(self, VariableValue::Secret(_))
    }

    /// The text itself; a secret's only for handing to the keychain.
    pub fn expose(&self) -> &str {
        match self {
            VariableValue::Plain(text) => text,
            VariableValue::Secret(secret) => secret.expose(),
        }
    }
}

/// A variable brought in by an import: a collection or environment variable, or a
/// literal credential taken out of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedVariable {
    /// The name the flow refers to it by (`{{name}}`).
    pub name: String,
    /// Its value.
    pub value: VariableValue,
    /// Where it came from, for the report (`collection variable`, `request \`Login\`: header Authorization`).
    pub origin: String,
}

/// What an import did, for the person who ran it: warnings, variables, scripts.
/// Every text in it has its control characters escaped; it never holds a secret value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One line per request imported (`GET {{base}}/users → block \`list-users\``).
    pub requests: Vec<String>,
    /// What was left out or changed, naming the request.
    pub warnings: Vec<String>,
    /// Scripts that were not run, by request (`request \`Login\`: test script, 4 lines`).
    pub scripts: Vec<String>,
}

impl Report {
    fn warn(&mut self, text: impl Into<String>) {
        self.warnings.push(escape(&text.into()));
    }
}

/// A flow made by an import, its report and the variables it found.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The flow.
    pub flow: Flow,
    /// What the import did.
    pub report: Report,
    /// Variables found: collection variables and literal credentials (always
    /// [`VariableValue::Secret`]) replaced by `{{name}}` in the flow. A path variable is
    /// never one: its value goes into its request's URL.
    pub variables: Vec<ImportedVariable>,
}

impl Imported {
    /// Renames variable `old` to `new`: its entry in [`Imported::variables`] and every
    /// reference to it in the flow's requests. For a name that is taken by a global
    /// holding another value (`token` → `token-2`).
    pub fn rename_variable(&mut self, old: &str, new: &str) {
        for variable in self.variables.iter_mut().filter(|v| v.name == old) {
            new.clone_into(&mut variable.name);
        }
        for block in &mut self.flow.blocks {
            if let switchyard_flow::BlockKind::SendRequest(request) = &mut block.kind {
                switchyard_flow::rename_variable(request, old, new);
            }
        }
    }
}

/// Input that could not be imported: the file, the place inside it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file (or `the command`) as the caller named it.
    pub file: String,
    /// The place: `line L, column C` or a path such as `item[2].request.url`.
    pub place: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl ImportError {
    fn new(file: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: escape(file), place: escape(&place.into()), message: escape(&message.into()) }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.place, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

/// `text` with control characters written as escapes (`\n`, `\u{1b}`), so that text
/// taken from a file cannot steer a terminal.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
