//! The globals store: definitions and plain values in `globals.json`, secret values in
//! the keychain.
//!
//! `globals.json` (in `$SWITCHYARD_HOME`, else the platform config directory):
//!
//! ```json
//! {
//!   "switchyard_globals": 1,
//!   "variables": {
//!     "auth": { "type": "secret", "allowed_hosts": ["api.openai.com"], "expires": "2027-01-31" },
//!     "host": { "type": "default", "value": "example.com" }
//!   }
//! }
//! ```
//!
//! A secret never has a `value` in the file. A file that does not parse is reported with
//! its place and never overwritten; a UTF-8 byte-order mark before it is accepted.
//!
//! Every change is a read-modify-write under an exclusive lock on `globals.json.lock`
//! beside the file ([`std::fs::File::lock`]: `flock` on Unix, `LockFileEx` on Windows),
//! so writers in other processes (the CLI, the app's settings panel) wait for each other
//! and none loses another's change: inside the lock the file is read again, the change
//! applied to what is there now, and the result written atomically (a temporary
//! `.globals.json.*` file, then a rename). A temporary file left by a writer that was
//! killed (it may hold plain values) is removed by the next writer, under the lock.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::VaultError;
use crate::keychain::Keychain;
use crate::variable::{Value, Variable, Variables};

/// The file name of the store inside the config directory.
pub const FILE_NAME: &str = "globals.json";
/// The lock file beside it: held exclusively by whoever changes the store.
pub const LOCK_FILE_NAME: &str = "globals.json.lock";
/// The prefix of the temporary files a write goes through (older versions: `.globals`).
const TEMP_PREFIX: &str = ".globals";
const FORMAT: u32 = 1;

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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    switchyard_globals: u32,
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

/// Whether `name` may name a global variable.
pub fn is_valid_name(name: &str) -> bool {
    let input_reserved = name == "input" || name.starts_with("input.");
    !input_reserved
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The global variables: definitions from `globals.json`, secrets through a [`Keychain`].
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    keychain: Keychain,
    definitions: BTreeMap<String, Definition>,
}

impl Store {
    /// Switchyard's config directory: `$SWITCHYARD_HOME` when set, else the platform
    /// config directory (`~/.config/switchyard` on Linux).
    pub fn config_dir() -> Result<PathBuf, VaultError> {
        match std::env::var_os("SWITCHYARD_HOME") {
            Some(home) if !home.is_empty() => Ok(PathBuf::from(home)),
            _ => directories::ProjectDirs::from("", "", "switchyard")
                .map(|dirs| dirs.config_dir().to_owned())
                .ok_or(VaultError::NoConfigDir),
        }
    }

    /// Opens the store in `dir`. A missing `globals.json` is an empty store; nothing is
    /// written until something changes.
    pub fn open(dir: &Path, keychain: Keychain) -> Result<Self, VaultError> {
        let path = dir.join(FILE_NAME);
        let definitions = read(&path)?;
        Ok(Self { path, keychain, definitions })
    }

    /// Takes the store's write lock (waiting for another writer to finish), then reads
    /// the file again so the change about to be made applies to what is there now, and
    /// removes temporary files a killed writer left. The lock is released on drop.
    fn lock_and_reload(&mut self) -> Result<WriteLock, VaultError> {
        let dir = self.dir().to_owned();
        std::fs::create_dir_all(&dir).map_err(io("cannot create the config directory", &dir))?;
        let lock_path = dir.join(LOCK_FILE_NAME);
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io("cannot open the lock file", &lock_path))?;
        file.lock().map_err(io("cannot lock the globals store", &lock_path))?;
        let lock = WriteLock { _file: file };
        remove_stale_temporaries(&dir)?;
        self.definitions = read(&self.path)?;
        Ok(lock)
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// The `globals.json` path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The keychain this store uses.
    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// Every definition, by name.
    pub fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.definitions.values()
    }

    /// The definition of `name`.
    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.definitions.get(name)
    }

    fn require(&self, name: &str) -> Result<&Definition, VaultError> {
        self.definitions.get(name).ok_or_else(|| VaultError::NotFound {
            name: name.to_owned(),
            suggestion: self.definitions.keys().find(|k| k.eq_ignore_ascii_case(name) || close(k, name)).cloned(),
        })
    }

    /// Sets a variable: its type, value, allowed hosts and expiry. A secret's value goes
    /// to the keychain, a plain one to the file; changing the type moves the value.
    pub fn set(&mut self, mut definition: Definition, value: &str) -> Result<(), VaultError> {
        let name = definition.name.clone();
        if !is_valid_name(&name) {
            return Err(VaultError::InvalidName { name });
        }
        let _lock = self.lock_and_reload()?;
        let was_secret = self.definitions.get(&name).is_some_and(|d| d.kind == Kind::Secret);
        match definition.kind {
            Kind::Secret => {
                self.keychain.set(&name, value)?;
                definition.value = None;
            }
            Kind::Default => definition.value = Some(value.to_owned()),
        }
        let previous = self.definitions.insert(name.clone(), definition);
        if let Err(error) = self.write() {
            restore(&mut self.definitions, &name, previous);
            return Err(error);
        }
        if was_secret && self.definitions.get(&name).is_some_and(|d| d.kind == Kind::Default) {
            self.keychain.delete(&name)?;
        }
        Ok(())
    }

    /// Changes a variable's allowed hosts and expiry date, leaving its type and value
    /// alone: a secret's value is neither read from nor written to the keychain.
    pub fn set_details(
        &mut self,
        name: &str,
        allowed_hosts: Vec<String>,
        expires: Option<Date>,
    ) -> Result<(), VaultError> {
        let _lock = self.lock_and_reload()?;
        let mut definition = self.require(name)?.clone();
        definition.allowed_hosts = allowed_hosts;
        definition.expires = expires;
        let previous = self.definitions.insert(name.to_owned(), definition);
        if let Err(error) = self.write() {
            restore(&mut self.definitions, name, previous);
            return Err(error);
        }
        Ok(())
    }

    /// The value of `name`, reading the keychain for a secret.
    pub fn value(&self, name: &str) -> Result<Value, VaultError> {
        let definition = self.require(name)?;
        match definition.kind {
            Kind::Default => Ok(Value::Plain(definition.value.clone().unwrap_or_default())),
            Kind::Secret => match self.keychain.get(name)? {
                Some(secret) => Ok(Value::Secret(secret)),
                None => Err(VaultError::SecretMissing { name: name.to_owned() }),
            },
        }
    }

    /// Deletes `name`, and its keychain entry if it is a secret.
    pub fn remove(&mut self, name: &str) -> Result<Definition, VaultError> {
        let _lock = self.lock_and_reload()?;
        self.require(name)?;
        let removed = self.definitions.remove(name);
        if let Err(error) = self.write() {
            restore(&mut self.definitions, name, removed);
            return Err(error);
        }
        let removed = removed.ok_or_else(|| VaultError::NotFound { name: name.to_owned(), suggestion: None })?;
        if removed.kind == Kind::Secret {
            self.keychain.delete(name)?;
        }
        Ok(removed)
    }

    /// Renames `old` to `new`, moving a secret's keychain entry.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        let _lock = self.lock_and_reload()?;
        let mut definition = self.require(old)?.clone();
        if !is_valid_name(new) {
            return Err(VaultError::InvalidName { name: new.to_owned() });
        }
        if self.definitions.contains_key(new) {
            return Err(VaultError::Exists { name: new.to_owned() });
        }
        if definition.kind == Kind::Secret {
            let secret = self.keychain.get(old)?.ok_or_else(|| VaultError::SecretMissing { name: old.to_owned() })?;
            self.keychain.set(new, secrecy::ExposeSecret::expose_secret(&secret))?;
        }
        definition.name = new.to_owned();
        let removed = self.definitions.remove(old);
        self.definitions.insert(new.to_owned(), definition.clone());
        if let Err(error) = self.write() {
            self.definitions.remove(new);
            restore(&mut self.definitions, old, removed);
            if definition.kind == Kind::Secret {
                // Best effort: the new entry is an orphan the user cannot see.
                let _ = self.keychain.delete(new);
            }
            return Err(error);
        }
        if definition.kind == Kind::Secret {
            self.keychain.delete(old)?;
        }
        Ok(())
    }

    /// The variables a run sees: every plain value, and the secrets among `referenced`
    /// (read from the keychain now, once).
    pub fn variables(&self, referenced: &BTreeSet<String>) -> Result<Variables, VaultError> {
        let mut variables = Variables::new();
        for definition in self.definitions.values() {
            let value = match definition.kind {
                Kind::Default => Value::Plain(definition.value.clone().unwrap_or_default()),
                Kind::Secret if referenced.contains(&definition.name) => self.value(&definition.name)?,
                Kind::Secret => continue,
            };
            variables.insert(Variable {
                name: definition.name.clone(),
                value,
                allowed_hosts: definition.allowed_hosts.clone(),
                expires: definition.expires,
            });
        }
        Ok(variables)
    }

    /// Writes the definitions atomically. Only called with the write lock held.
    fn write(&self) -> Result<(), VaultError> {
        let variables = self
            .definitions
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
            .collect();
        let file = FileFormat { switchyard_globals: FORMAT, variables };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        let dir = self.dir();
        let mut temp = tempfile::Builder::new()
            .prefix(".globals.json.")
            .tempfile_in(dir)
            .map_err(io("cannot write in the config directory", dir))?;
        temp.write_all(text.as_bytes()).map_err(io("cannot write the globals file", &self.path))?;
        temp.as_file().sync_all().map_err(io("cannot write the globals file", &self.path))?;
        temp.persist(&self.path).map_err(|error| VaultError::Io {
            path: self.path.clone(),
            action: "cannot replace the globals file",
            cause: error.error,
        })?;
        Ok(())
    }
}

/// The store's write lock, held while the file is open; the OS releases it when the
/// file is closed (also when the process dies).
struct WriteLock {
    _file: File,
}

/// An [`VaultError::Io`] maker for `map_err`.
fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> VaultError {
    let path = path.to_owned();
    move |cause| VaultError::Io { path, action, cause }
}

/// Reads and parses `globals.json`; a missing file is an empty store.
fn read(path: &Path) -> Result<BTreeMap<String, Definition>, VaultError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(cause) => Err(VaultError::Io { path: path.to_owned(), action: "cannot read the globals file", cause }),
    }
}

/// Removes the temporary files of writers that died before renaming them into place.
/// Called with the write lock held, so no live writer has one open.
fn remove_stale_temporaries(dir: &Path) -> Result<(), VaultError> {
    let entries = std::fs::read_dir(dir).map_err(io("cannot read the config directory", dir))?;
    for entry in entries {
        let entry = entry.map_err(io("cannot read the config directory", dir))?;
        let is_temporary = entry.file_name().to_str().is_some_and(|name| name.starts_with(TEMP_PREFIX));
        if is_temporary && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io("cannot remove a stale temporary file", &path))?;
        }
    }
    Ok(())
}

fn restore(definitions: &mut BTreeMap<String, Definition>, name: &str, previous: Option<Definition>) {
    match previous {
        Some(previous) => {
            definitions.insert(name.to_owned(), previous);
        }
        None => {
            definitions.remove(name);
        }
    }
}

/// Whether two names differ by at most one character (a cheap near-miss test).
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    prefix + suffix + 1 >= a.len().max(b.len())
}

fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, Definition>, VaultError> {
    let corrupt = |place: String, message: String| VaultError::Corrupt { path: path.to_owned(), place, message };
    // Some editors start a UTF-8 file with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: FileFormat = serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        corrupt(format!("{}:{}", error.line(), error.column()), message)
    })?;
    if file.switchyard_globals != FORMAT {
        return Err(corrupt(
            "switchyard_globals".to_owned(),
            format!("format version {} is not one this program reads (1)", file.switchyard_globals),
        ));
    }
    let mut definitions = BTreeMap::new();
    for (name, entry) in file.variables {
        let place = format!("variables.{name}");
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

#[cfg(test)]
mod lock_tests {
    use super::*;

    fn plain(name: &str) -> Definition {
        Definition { name: name.into(), kind: Kind::Default, value: None, allowed_hosts: vec![], expires: None }
    }

    fn store(dir: &Path) -> Store {
        Store::open(dir, Keychain::unavailable("not needed")).unwrap()
    }

    #[test]
    fn a_change_applies_to_the_file_as_it_is_now_not_as_it_was_opened() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, mut second) = (store(dir.path()), store(dir.path()));
        first.set(plain("a"), "1").unwrap();
        second.set(plain("b"), "2").unwrap();
        second.set_details("a", vec![], None).unwrap();
        first.rename("b", "c").unwrap();
        let names: Vec<String> = store(dir.path()).definitions().map(|d| d.name.clone()).collect();
        assert_eq!(names, ["a", "c"], "no change was lost");
        assert!(matches!(second.remove("b"), Err(VaultError::NotFound { .. })), "it was renamed meanwhile");
    }

    #[test]
    fn temporary_files_of_a_killed_writer_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        for name in [".globals.json.abc123", ".globalsXyZ"] {
            std::fs::write(dir.path().join(name), "{\"plain\": \"values\"}").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        store(dir.path()).set(plain("a"), "1").unwrap();
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, [FILE_NAME, LOCK_FILE_NAME, "notes.txt"]);
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            "\u{feff}{\"switchyard_globals\": 1, \"variables\": {\"a\": {\"type\": \"default\", \"value\": \"1\"}}}";
        std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        assert!(store(dir.path()).definition("a").is_some());
    }

    #[test]
    fn an_io_error_names_its_cause_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(FILE_NAME)).unwrap();
        let error = Store::open(dir.path(), Keychain::unavailable("x")).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("cannot read the globals file: Is a directory"), "{text}");
        assert!(std::error::Error::source(&error).is_none(), "the cause is in the message, not repeated by a chain");
    }
}
