//! What the store holds: a variable's [`Definition`] and [`Kind`], the [`Scope`] an
//! operation is on (and where a scope's secrets are in the keychain), and which names
//! are valid.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use switchyard_flow::Escaped;

use crate::date::Date;

/// A variable's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A plain value, kept in globals.json.
    Default,
    /// A secret value, kept only in the keychain.
    Secret,
}

impl Kind {
    /// `default` or `secret`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Default => "default",
            Kind::Secret => "secret",
        }
    }
}

/// A variable as defined in the store. For secrets `value` is `None`: the value is in
/// the keychain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The name.
    pub name: String,
    /// `default` or `secret`.
    pub kind: Kind,
    /// The plain value (`None` for secrets).
    pub value: Option<String>,
    /// For secrets: the hosts it may be sent to; empty means any.
    pub allowed_hosts: Vec<String>,
    /// For secrets: the expiry date.
    pub expires: Option<Date>,
}

/// Which set of variables an operation is on: the globals, or one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// The global variables.
    Globals,
    /// The environment of this name.
    Environment(&'a str),
}

impl<'a> Scope<'a> {
    /// `--env NAME` as given (`None`: the globals).
    pub fn from_option(environment: Option<&'a str>) -> Self {
        environment.map_or(Scope::Globals, Scope::Environment)
    }

    /// The environment's name, `None` for the globals.
    pub fn environment(self) -> Option<&'a str> {
        match self {
            Scope::Globals => None,
            Scope::Environment(name) => Some(name),
        }
    }

    /// The keychain user a secret `name` of this scope is stored under: `NAME` for a
    /// global, `ENV/NAME` for an environment's.
    pub fn keychain_user(self, name: &str) -> String {
        match self {
            Scope::Globals => name.to_owned(),
            Scope::Environment(environment) => format!("{environment}/{name}"),
        }
    }
}

impl fmt::Display for Scope<'_> {
    /// `the global variables`, `environment `staging``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Globals => f.write_str("the global variables"),
            Scope::Environment(name) => write!(f, "environment `{}`", Escaped(name)),
        }
    }
}

/// Whether `name` may name a global variable.
pub fn is_valid_name(name: &str) -> bool {
    let input_reserved = name == "input" || name.starts_with("input.");
    !input_reserved
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Whether `name` may name an environment: letters, digits, `_`, `.` and `-` (never a
/// `/`, which separates it from the variable name in the keychain).
pub fn is_valid_environment_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Variables by name.
pub(super) type Table = BTreeMap<String, Definition>;
