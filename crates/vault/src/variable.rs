//! A variable's definition and value, and the set of variables a run sees.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::date::Date;

/// A variable's value: plain text, or a secret that never prints.
#[derive(Clone)]
pub enum Value {
    /// A `default` variable: shown as is.
    Plain(String),
    /// A `secret` variable: masked everywhere, `Debug` prints a mask.
    Secret(SecretString),
}

impl Value {
    /// A secret value.
    pub fn secret(text: impl Into<String>) -> Self {
        Value::Secret(SecretString::from(text.into()))
    }

    /// Whether this is a secret.
    pub fn is_secret(&self) -> bool {
        matches!(self, Value::Secret(_))
    }

    /// The value's text. Callers must not print it when it is a secret.
    pub fn expose(&self) -> &str {
        match self {
            Value::Plain(text) => text,
            Value::Secret(secret) => secret.expose_secret(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Plain(text) => f.debug_tuple("Plain").field(text).finish(),
            Value::Secret(_) => f.write_str("Secret(*****)"),
        }
    }
}

/// A variable with everything a run needs to know about it.
#[derive(Debug, Clone)]
pub struct Variable {
    /// The name, as referenced by `{{name}}`.
    pub name: String,
    /// The value.
    pub value: Value,
    /// For secrets: the only hosts it may be sent to (`api.example.com`,
    /// `*.example.com`). Empty means any host.
    pub allowed_hosts: Vec<String>,
    /// For secrets: the day after which it is flagged as expired.
    pub expires: Option<Date>,
}

impl Variable {
    /// A plain variable.
    pub fn plain(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), value: Value::Plain(value.into()), allowed_hosts: Vec::new(), expires: None }
    }

    /// A secret variable with no host restriction.
    pub fn secret(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), value: Value::secret(value), allowed_hosts: Vec::new(), expires: None }
    }

    /// Whether this variable may be sent to `host`. Hosts compare case-insensitively;
    /// `*.example.com` allows any subdomain of example.com, not example.com itself.
    pub fn host_allowed(&self, host: &str) -> bool {
        self.allowed_hosts.is_empty() || self.allowed_hosts.iter().any(|pattern| host_matches(pattern, host))
    }

    /// Whether the expiry date lies before `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| expires < today)
    }
}

/// Whether `host` matches an allowed-host pattern.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(parent) => host.len() > parent.len() + 1 && host.ends_with(&format!(".{parent}")),
        None => host == pattern,
    }
}

/// The variables a run sees, by name. Later inserts win, so callers add the global
/// store first and command-line values last.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    by_name: BTreeMap<String, Variable>,
}

impl Variables {
    /// No variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a variable.
    pub fn insert(&mut self, variable: Variable) {
        self.by_name.insert(variable.name.clone(), variable);
    }

    /// The variable with this name.
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.by_name.get(name)
    }

    /// All variables, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Variable> {
        self.by_name.values()
    }

    /// The secret values, for masking.
    pub fn secrets(&self) -> impl Iterator<Item = &Variable> {
        self.by_name.values().filter(|v| v.value.is_secret())
    }
}

impl FromIterator<Variable> for Variables {
    fn from_iter<I: IntoIterator<Item = Variable>>(iter: I) -> Self {
        let mut variables = Self::new();
        for variable in iter {
            variables.insert(variable);
        }
        variables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_value_debug_is_masked() {
        let variable = Variable::secret("auth", "sk-very-secret-123");
        let printed = format!("{variable:?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("*****"));
        assert_eq!(variable.value.expose(), "sk-very-secret-123");
    }

    #[test]
    fn allowed_hosts_match_exactly_or_by_subdomain_wildcard() {
        let mut variable = Variable::secret("k", "v");
        assert!(variable.host_allowed("anything.test"));
        variable.allowed_hosts = vec!["api.openai.com".into(), "*.example.com".into()];
        assert!(variable.host_allowed("API.OpenAI.com"));
        assert!(variable.host_allowed("a.b.example.com"));
        assert!(!variable.host_allowed("example.com"));
        assert!(!variable.host_allowed("evil-example.com"));
        assert!(!variable.host_allowed("api.openai.com.evil.test"));
        assert!(!variable.host_allowed("127.0.0.1"));
    }

    #[test]
    fn later_inserts_win() {
        let mut variables = Variables::new();
        variables.insert(Variable::plain("host", "store"));
        variables.insert(Variable::plain("host", "cli"));
        assert_eq!(variables.get("host").unwrap().value.expose(), "cli");
        assert_eq!(variables.iter().count(), 1);
    }
}
