//! The variables store: definitions and plain values in `globals.json`, secret values in
//! the keychain. It holds the global variables and the environments (named sets of
//! variables, `dev`, `staging`, DESIGN §8).
//!
//! `globals.json` (in `$SWITCHYARD_HOME`, else the platform config directory):
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
//! A secret never has a `value` in the file: a global secret `NAME` is in the keychain
//! under user `NAME`, an environment's secret under `ENV/NAME` (neither kind of name may
//! contain a `/`, so the two never meet). A file without `environments` is format 1 and
//! is written as format 1 while there are no environments, so older versions of
//! Switchyard keep reading it; once an environment exists the file is format 2, which
//! older versions refuse (and leave alone) instead of dropping the environments.
//!
//! A file that does not parse is reported with its place and never overwritten; a UTF-8
//! byte-order mark before it is accepted.
//!
//! Every change (of a global, of an environment's variable, of an environment itself) is
//! a read-modify-write under an exclusive lock on `globals.json.lock` beside the file
//! ([`std::fs::File::lock`]: `flock` on Unix, `LockFileEx` on Windows), so writers in
//! other processes (the CLI, the app's settings panel) wait for each other and none loses
//! another's change: inside the lock the file is read again, the change applied to what
//! is there now, and the result written atomically (a temporary `.globals.json.*` file,
//! then a rename). A temporary file left by a writer that was killed (it may hold plain
//! values) is removed by the next writer, under the lock.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use switchyard_flow::Escaped;

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
/// The format of a file with global variables only (what older versions read).
const FORMAT_GLOBALS: u32 = 1;
/// The format of a file with environments.
const FORMAT_ENVIRONMENTS: u32 = 2;

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
type Table = BTreeMap<String, Definition>;

/// What `globals.json` holds.
#[derive(Debug, Clone, Default)]
struct Contents {
    globals: Table,
    environments: BTreeMap<String, Table>,
}

/// The global variables and the environments: definitions from `globals.json`, secrets
/// through a [`Keychain`].
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    keychain: Keychain,
    contents: Contents,
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
        let contents = read(&path)?;
        Ok(Self { path, keychain, contents })
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
        self.contents = read(&self.path)?;
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

    /// Every global definition, by name.
    pub fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.contents.globals.values()
    }

    /// The global definition of `name`.
    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.contents.globals.get(name)
    }

    /// Every definition of `scope`, by name; an environment that does not exist is
    /// [`VaultError::EnvironmentNotFound`].
    pub fn definitions_in(&self, scope: Scope<'_>) -> Result<impl Iterator<Item = &Definition>, VaultError> {
        Ok(self.table(scope)?.values())
    }

    /// The definition of `name` in `scope`.
    pub fn definition_in(&self, scope: Scope<'_>, name: &str) -> Result<Option<&Definition>, VaultError> {
        Ok(self.table(scope)?.get(name))
    }

    /// `Ok` when `scope` is the globals or an environment that exists, else
    /// [`VaultError::EnvironmentNotFound`] (or [`VaultError::InvalidEnvironmentName`]).
    pub fn check_scope(&self, scope: Scope<'_>) -> Result<(), VaultError> {
        self.table(scope).map(|_| ())
    }

    /// The environments' names, sorted.
    pub fn environments(&self) -> impl Iterator<Item = &str> {
        self.contents.environments.keys().map(String::as_str)
    }

    /// Whether an environment of this name exists.
    pub fn has_environment(&self, name: &str) -> bool {
        self.contents.environments.contains_key(name)
    }

    fn table(&self, scope: Scope<'_>) -> Result<&Table, VaultError> {
        match scope {
            Scope::Globals => Ok(&self.contents.globals),
            Scope::Environment(name) => {
                self.contents.environments.get(name).ok_or_else(|| self.environment_not_found(name))
            }
        }
    }

    fn table_mut(&mut self, scope: Scope<'_>) -> Result<&mut Table, VaultError> {
        match scope {
            Scope::Globals => Ok(&mut self.contents.globals),
            Scope::Environment(name) => {
                if !self.has_environment(name) {
                    return Err(self.environment_not_found(name));
                }
                self.contents
                    .environments
                    .get_mut(name)
                    .ok_or_else(|| VaultError::EnvironmentNotFound { name: name.to_owned(), suggestion: None })
            }
        }
    }

    fn environment_not_found(&self, name: &str) -> VaultError {
        if !is_valid_environment_name(name) {
            return VaultError::InvalidEnvironmentName { name: name.to_owned() };
        }
        VaultError::EnvironmentNotFound { name: name.to_owned(), suggestion: near_miss(self.environments(), name) }
    }

    fn require(&self, scope: Scope<'_>, name: &str) -> Result<&Definition, VaultError> {
        let table = self.table(scope)?;
        table.get(name).ok_or_else(|| VaultError::NotFound {
            name: name.to_owned(),
            environment: scope.environment().map(str::to_owned),
            suggestion: near_miss(table.keys().map(String::as_str), name),
        })
    }

    /// Writes the contents; when that fails, puts `before` back, so that the store
    /// holds what the file holds. Only called with the write lock held.
    fn commit(&mut self, before: Contents) -> Result<(), VaultError> {
        match self.write() {
            Ok(()) => Ok(()),
            Err(error) => {
                self.contents = before;
                Err(error)
            }
        }
    }

    /// Sets a global variable: its type, value, allowed hosts and expiry. A secret's
    /// value goes to the keychain, a plain one to the file; changing the type moves the
    /// value.
    pub fn set(&mut self, definition: Definition, value: &str) -> Result<(), VaultError> {
        self.set_in(Scope::Globals, definition, value)
    }

    /// [`Store::set`] in `scope`: an environment's secret is stored under `ENV/NAME`.
    pub fn set_in(&mut self, scope: Scope<'_>, mut definition: Definition, value: &str) -> Result<(), VaultError> {
        let name = definition.name.clone();
        if !is_valid_name(&name) {
            return Err(VaultError::InvalidName { name });
        }
        let _lock = self.lock_and_reload()?;
        let before = self.contents.clone();
        let was_secret = self.table(scope)?.get(&name).is_some_and(|d| d.kind == Kind::Secret);
        let user = scope.keychain_user(&name);
        match definition.kind {
            Kind::Secret => {
                self.keychain.set(&user, value)?;
                definition.value = None;
            }
            Kind::Default => definition.value = Some(value.to_owned()),
        }
        let is_plain_now = definition.kind == Kind::Default;
        self.table_mut(scope)?.insert(name, definition);
        self.commit(before)?;
        if was_secret && is_plain_now {
            self.keychain.delete(&user)?;
        }
        Ok(())
    }

    /// Changes a global variable's allowed hosts and expiry date, leaving its type and
    /// value alone: a secret's value is neither read from nor written to the keychain.
    pub fn set_details(
        &mut self,
        name: &str,
        allowed_hosts: Vec<String>,
        expires: Option<Date>,
    ) -> Result<(), VaultError> {
        self.set_details_in(Scope::Globals, name, allowed_hosts, expires)
    }

    /// [`Store::set_details`] in `scope`.
    pub fn set_details_in(
        &mut self,
        scope: Scope<'_>,
        name: &str,
        allowed_hosts: Vec<String>,
        expires: Option<Date>,
    ) -> Result<(), VaultError> {
        let _lock = self.lock_and_reload()?;
        let before = self.contents.clone();
        let mut definition = self.require(scope, name)?.clone();
        definition.allowed_hosts = allowed_hosts;
        definition.expires = expires;
        self.table_mut(scope)?.insert(name.to_owned(), definition);
        self.commit(before)
    }

    /// The value of global `name`, reading the keychain for a secret.
    pub fn value(&self, name: &str) -> Result<Value, VaultError> {
        self.value_in(Scope::Globals, name)
    }

    /// The value of `name` in `scope`, reading the keychain for a secret.
    pub fn value_in(&self, scope: Scope<'_>, name: &str) -> Result<Value, VaultError> {
        let definition = self.require(scope, name)?;
        match definition.kind {
            Kind::Default => Ok(Value::Plain(definition.value.clone().unwrap_or_default())),
            Kind::Secret => match self.keychain.get(&scope.keychain_user(name))? {
                Some(secret) => Ok(Value::Secret(secret)),
                None => Err(VaultError::SecretMissing {
                    name: name.to_owned(),
                    environment: scope.environment().map(str::to_owned),
                }),
            },
        }
    }

    /// Deletes global `name`, and its keychain entry if it is a secret.
    pub fn remove(&mut self, name: &str) -> Result<Definition, VaultError> {
        self.remove_in(Scope::Globals, name)
    }

    /// [`Store::remove`] in `scope`.
    pub fn remove_in(&mut self, scope: Scope<'_>, name: &str) -> Result<Definition, VaultError> {
        let _lock = self.lock_and_reload()?;
        let before = self.contents.clone();
        let removed = self.require(scope, name)?.clone();
        self.table_mut(scope)?.remove(name);
        self.commit(before)?;
        if removed.kind == Kind::Secret {
            self.keychain.delete(&scope.keychain_user(name))?;
        }
        Ok(removed)
    }

    /// Renames global `old` to `new`, moving a secret's keychain entry.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        self.rename_in(Scope::Globals, old, new)
    }

    /// [`Store::rename`] in `scope`: an environment's secret moves from `ENV/OLD` to
    /// `ENV/NEW`.
    pub fn rename_in(&mut self, scope: Scope<'_>, old: &str, new: &str) -> Result<(), VaultError> {
        let _lock = self.lock_and_reload()?;
        let before = self.contents.clone();
        let mut definition = self.require(scope, old)?.clone();
        if !is_valid_name(new) {
            return Err(VaultError::InvalidName { name: new.to_owned() });
        }
        if self.table(scope)?.contains_key(new) {
            return Err(match scope {
                Scope::Globals => VaultError::Exists { name: new.to_owned() },
                Scope::Environment(environment) => {
                    VaultError::ExistsIn { name: new.to_owned(), environment: environment.to_owned() }
                }
            });
        }
        let is_secret = definition.kind == Kind::Secret;
        let (old_user, new_user) = (scope.keychain_user(old), scope.keychain_user(new));
        if is_secret {
            self.copy_secret(scope, old, &old_user, &new_user)?;
        }
        definition.name = new.to_owned();
        let table = self.table_mut(scope)?;
        table.remove(old);
        table.insert(new.to_owned(), definition);
        if let Err(error) = self.commit(before) {
            if is_secret {
                // Best effort: the new entry is an orphan the user cannot see.
                let _ = self.keychain.delete(&new_user);
            }
            return Err(error);
        }
        if is_secret {
            self.keychain.delete(&old_user)?;
        }
        Ok(())
    }

    /// Copies the keychain entry of secret `name` (of `scope`) from `from` to `to`.
    fn copy_secret(&self, scope: Scope<'_>, name: &str, from: &str, to: &str) -> Result<(), VaultError> {
        let secret = self.keychain.get(from)?.ok_or_else(|| VaultError::SecretMissing {
            name: name.to_owned(),
            environment: scope.environment().map(str::to_owned),
        })?;
        self.keychain.set(to, secret.expose_secret())
    }

    /// Makes an empty environment `name`. A name that is taken is
    /// [`VaultError::EnvironmentExists`].
    pub fn create_environment(&mut self, name: &str) -> Result<(), VaultError> {
        if !is_valid_environment_name(name) {
            return Err(VaultError::InvalidEnvironmentName { name: name.to_owned() });
        }
        let _lock = self.lock_and_reload()?;
        if self.has_environment(name) {
            return Err(VaultError::EnvironmentExists { name: name.to_owned() });
        }
        let before = self.contents.clone();
        self.contents.environments.insert(name.to_owned(), Table::new());
        self.commit(before)
    }

    /// Deletes environment `name`: its plain values from the file, its secrets from the
    /// keychain. Returns its definitions.
    ///
    /// The keychain entries go first: if one cannot be deleted, the environment is still
    /// there (some secrets maybe without a value) and removing it again finishes the job,
    /// where the other order would leave entries no command can reach.
    pub fn remove_environment(&mut self, name: &str) -> Result<Vec<Definition>, VaultError> {
        let _lock = self.lock_and_reload()?;
        let scope = Scope::Environment(name);
        let removed: Vec<Definition> = self.table(scope)?.values().cloned().collect();
        for definition in removed.iter().filter(|d| d.kind == Kind::Secret) {
            self.keychain.delete(&scope.keychain_user(&definition.name))?;
        }
        let before = self.contents.clone();
        self.contents.environments.remove(name);
        self.commit(before)?;
        Ok(removed)
    }

    /// Renames environment `old` to `new`, moving its secrets' keychain entries from
    /// `OLD/NAME` to `NEW/NAME`. A name that is taken is
    /// [`VaultError::EnvironmentExists`]. When a secret cannot be moved (no keychain, a
    /// value missing) nothing changes: the entries already copied are removed again.
    /// Returns how many keychain entries moved.
    pub fn rename_environment(&mut self, old: &str, new: &str) -> Result<usize, VaultError> {
        let _lock = self.lock_and_reload()?;
        let (from, to) = (Scope::Environment(old), Scope::Environment(new));
        let secrets: Vec<String> =
            self.table(from)?.values().filter(|d| d.kind == Kind::Secret).map(|d| d.name.clone()).collect();
        if !is_valid_environment_name(new) {
            return Err(VaultError::InvalidEnvironmentName { name: new.to_owned() });
        }
        if self.has_environment(new) {
            return Err(VaultError::EnvironmentExists { name: new.to_owned() });
        }
        let mut copied = Vec::new();
        for name in &secrets {
            let new_user = to.keychain_user(name);
            if let Err(error) = self.copy_secret(from, name, &from.keychain_user(name), &new_user) {
                self.forget(&copied);
                return Err(error);
            }
            copied.push(new_user);
        }
        let before = self.contents.clone();
        if let Some(table) = self.contents.environments.remove(old) {
            self.contents.environments.insert(new.to_owned(), table);
        }
        if let Err(error) = self.commit(before) {
            self.forget(&copied);
            return Err(error);
        }
        for name in &secrets {
            self.keychain.delete(&from.keychain_user(name))?;
        }
        Ok(secrets.len())
    }

    /// Best effort, after a failed move: removes keychain entries no definition points to.
    fn forget(&self, users: &[String]) {
        for user in users {
            // The move already failed with the error that matters; an entry left here
            // only takes space: no definition points at it.
            let _ = self.keychain.delete(user);
        }
    }

    /// The global variables a run sees: every plain value, and the secrets among
    /// `referenced` (read from the keychain now, once).
    pub fn variables(&self, referenced: &BTreeSet<String>) -> Result<Variables, VaultError> {
        self.variables_for(None, referenced)
    }

    /// The variables a run with `--env ENVIRONMENT` sees: the globals with the
    /// environment's variables on top (an environment's value replaces a global of the
    /// same name). Every plain value, and the secrets among `referenced`, each read from
    /// the keychain once, from the layer that wins (a global secret that the environment
    /// replaces is not read).
    pub fn variables_for(
        &self,
        environment: Option<&str>,
        referenced: &BTreeSet<String>,
    ) -> Result<Variables, VaultError> {
        let scope = Scope::from_option(environment);
        let on_top = match scope {
            Scope::Globals => None,
            Scope::Environment(_) => Some(self.table(scope)?),
        };
        let mut variables = Variables::new();
        let globals = self.contents.globals.values().filter(|d| !on_top.is_some_and(|t| t.contains_key(&d.name)));
        let layers = globals.map(|d| (Scope::Globals, d)).chain(on_top.into_iter().flatten().map(|(_, d)| (scope, d)));
        for (scope, definition) in layers {
            let value = match definition.kind {
                Kind::Default => Value::Plain(definition.value.clone().unwrap_or_default()),
                Kind::Secret if referenced.contains(&definition.name) => self.value_in(scope, &definition.name)?,
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

    /// Writes the contents atomically. Only called with the write lock held.
    fn write(&self) -> Result<(), VaultError> {
        let environments: BTreeMap<String, FileEnvironment> = self
            .contents
            .environments
            .iter()
            .map(|(name, table)| (name.clone(), FileEnvironment { variables: entries(table) }))
            .collect();
        let format = if environments.is_empty() { FORMAT_GLOBALS } else { FORMAT_ENVIRONMENTS };
        let file = FileFormat { switchyard_globals: format, variables: entries(&self.contents.globals), environments };
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
fn read(path: &Path) -> Result<Contents, VaultError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Contents::default()),
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

/// A name among `names` that `name` nearly is: the same but for case, or one character.
fn near_miss<'a>(mut names: impl Iterator<Item = &'a str>, name: &str) -> Option<String> {
    names.find(|k| k.eq_ignore_ascii_case(name) || close(k, name)).map(str::to_owned)
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
