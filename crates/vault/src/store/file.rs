//! The file format of `globals.json` (in `$SWITCHYARD_HOME`, else the platform config
//! directory): reading and checking it, and writing it back.
//!
//! ```json
//! {
//!   "switchyard_globals": 2,
//!   "variables": {
//!     "auth": { "type": "secret", "allowed_hosts": ["api.openai.com"], "expires": "2027-01-31" },
//!     "host": { "type": "default", "value": "example.com" }
//!   },
//!   "environments": {
//!     "staging": {
//!       "variables": {
//!         "auth": { "type": "secret" },
//!         "host": { "type": "default", "value": "staging.example.com" }
//!       }
//!     }
//!   }
//! }
//! ```
//!
//! A secret never has a `value` in the file (a file that gives one is refused). A file
//! without `environments` is format 1 and is written as format 1 while there are no
//! environments, so older versions of Switchyard keep reading it; once an environment
//! exists the file is format 2, which older versions refuse (and leave alone) instead of
//! dropping the environments.
//!
//! A file that does not parse is reported with its place and never overwritten; a UTF-8
//! byte-order mark before it is accepted.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::definition::{Definition, Kind, Table, is_valid_environment_name, is_valid_name};
use crate::date::Date;
use crate::error::VaultError;

/// The format of a file with global variables only (what older versions read).
const FORMAT_GLOBALS: u32 = 1;
/// The format of a file with environments.
const FORMAT_ENVIRONMENTS: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    switchyard_globals: u32,
    #[serde(default)]
    variables: BTreeMap<String, FileEntry>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    environments: BTreeMap<String, FileEnvironment>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEnvironment {
    #[serde(default)]
    variables: BTreeMap<String, FileEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    allowed_hosts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

/// What `globals.json` holds.
#[derive(Debug, Clone, Default)]
pub(super) struct Contents {
    pub(super) globals: Table,
    pub(super) environments: BTreeMap<String, Table>,
}

/// The file's text for `contents`: format 1 while there are no environments (so older
/// versions keep reading it), else format 2.
pub(super) fn text(contents: &Contents) -> String {
    let environments: BTreeMap<String, FileEnvironment> = contents
        .environments
        .iter()
        .map(|(name, table)| (name.clone(), FileEnvironment { variables: entries(table) }))
        .collect();
    let format = if environments.is_empty() { FORMAT_GLOBALS } else { FORMAT_ENVIRONMENTS };
    let file = FileFormat { switchyard_globals: format, variables: entries(&contents.globals), environments };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// A table as the file writes it (a secret without its value).
fn entries(table: &Table) -> BTreeMap<String, FileEntry> {
    table
        .values()
        .map(|d| {
            let entry = FileEntry {
                kind: d.kind,
                value: if d.kind == Kind::Default { d.value.clone() } else { None },
                allowed_hosts: d.allowed_hosts.clone(),
                expires: d.expires.map(|e| e.to_string()),
            };
            (d.name.clone(), entry)
        })
        .collect()
}

/// Reads and parses `globals.json`; a missing file is an empty store.
pub(super) fn read(path: &Path) -> Result<Contents, VaultError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Contents::default()),
        Err(cause) => Err(VaultError::Io { path: path.to_owned(), action: "cannot read the globals file", cause }),
    }
}

fn parse(path: &Path, text: &str) -> Result<Contents, VaultError> {
    let corrupt = |place: String, message: String| VaultError::Corrupt { path: path.to_owned(), place, message };
    // Some editors start a UTF-8 file with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: FileFormat = serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        corrupt(format!("{}:{}", error.line(), error.column()), message)
    })?;
    if !(FORMAT_GLOBALS..=FORMAT_ENVIRONMENTS).contains(&file.switchyard_globals) {
        return Err(corrupt(
            "switchyard_globals".to_owned(),
            format!(
                "format version {} is not one this program reads ({FORMAT_GLOBALS} or {FORMAT_ENVIRONMENTS})",
                file.switchyard_globals
            ),
        ));
    }
    let globals = parse_table(file.variables, "variables", &corrupt)?;
    let mut environments = BTreeMap::new();
    for (name, environment) in file.environments {
        let place = format!("environments.{name}");
        if !is_valid_environment_name(&name) {
            return Err(corrupt(place, format!("`{name}` is not a valid environment name")));
        }
        let table = parse_table(environment.variables, &format!("{place}.variables"), &corrupt)?;
        environments.insert(name, table);
    }
    Ok(Contents { globals, environments })
}

/// The definitions of one `variables` object, at `place` in the file.
fn parse_table(
    entries: BTreeMap<String, FileEntry>,
    place: &str,
    corrupt: &dyn Fn(String, String) -> VaultError,
) -> Result<Table, VaultError> {
    let mut definitions = Table::new();
    for (name, entry) in entries {
        let place = format!("{place}.{name}");
        if !is_valid_name(&name) {
            return Err(corrupt(place, format!("`{name}` is not a valid variable name")));
        }
        if entry.kind == Kind::Secret && entry.value.is_some() {
            return Err(corrupt(
                format!("{place}.value"),
                "a secret's value belongs in the keychain, not in this file; remove the value and set it with `switchyard vars set NAME --secret`".to_owned(),
            ));
        }
        let expires = match entry.expires {
            None => None,
            Some(text) => {
                Some(text.parse::<Date>().map_err(|error| corrupt(format!("{place}.expires"), error.to_string()))?)
            }
        };
        definitions.insert(
            name.clone(),
            Definition { name, kind: entry.kind, value: entry.value, allowed_hosts: entry.allowed_hosts, expires },
        );
    }
    Ok(definitions)
}
