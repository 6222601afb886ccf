//! The variables store: definitions and plain values in `globals.json`, secret values in
//! the keychain. It holds the global variables and the environments (named sets of
//! variables such as `dev` or `staging`; each operation is given the [`Scope`] it is on).
//!
//! A secret never has a `value` in the file: a global secret `NAME` is in the keychain
//! under user `NAME`, an environment's secret under `ENV/NAME` (neither kind of name may
//! contain a `/`, so the two never meet).
//!
//! Every change (of a global, of an environment's variable, of an environment itself) is
//! a read-modify-write under the store's write lock: inside the lock the file is read
//! again, the change applied to what is there now, and the result written atomically.
//!
//! Modules: `definition` (what a variable is, scopes, valid names), `file` (the format of
//! `globals.json`, read and written), `lock` (the write lock and atomic replacement),
//! `moves` (the changes that move secrets in the keychain: renames, removing an
//! environment). Reading, setting and removing a variable, and the variables a run sees,
//! are here.

mod definition;
mod file;
mod lock;
mod moves;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use definition::Table;
pub use definition::{Definition, Kind, Scope, is_valid_environment_name, is_valid_name};
use file::Contents;
use lock::WriteLock;

use crate::date::Date;
use crate::error::VaultError;
use crate::keychain::Keychain;
use crate::variable::{Value, Variable, Variables};

/// The file name of the store inside the config directory.
pub const FILE_NAME: &str = "globals.json";
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
        let contents = file::read(&path)?;
        Ok(Self { path, keychain, contents })
    }

    /// Takes the store's write lock (waiting for another writer to finish), then reads
    /// the file again so the change about to be made applies to what is there now, and
    /// removes temporary files a killed writer left. The lock is released on drop.
    fn lock_and_reload(&mut self) -> Result<WriteLock, VaultError> {
        let lock = lock::lock(self.dir())?;
        self.contents = file::read(&self.path)?;
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

    /// Sets a variable of `scope`: its type, value, allowed hosts and expiry. A secret's
    /// value goes to the keychain (an environment's under `ENV/NAME`), a plain one to the
    /// file; changing the type moves the value.
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

    /// Changes the allowed hosts and expiry date of `name` in `scope`, leaving its type
    /// and value alone: a secret's value is neither read from nor written to the keychain.
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

    /// Deletes `name` from `scope`, and its keychain entry if it is a secret.
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
        lock::replace(self.dir(), &self.path, &file::text(&self.contents))
    }
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

#[cfg(test)]
mod lock_tests {
    use super::lock::LOCK_FILE_NAME;
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
        first.set_in(Scope::Globals, plain("a"), "1").unwrap();
        second.set_in(Scope::Globals, plain("b"), "2").unwrap();
        second.set_details_in(Scope::Globals, "a", vec![], None).unwrap();
        first.rename_in(Scope::Globals, "b", "c").unwrap();
        let names: Vec<String> =
            store(dir.path()).definitions_in(Scope::Globals).unwrap().map(|d| d.name.clone()).collect();
        assert_eq!(names, ["a", "c"], "no change was lost");
        assert!(
            matches!(second.remove_in(Scope::Globals, "b"), Err(VaultError::NotFound { .. })),
            "it was renamed meanwhile"
        );
    }

    #[test]
    fn temporary_files_of_a_killed_writer_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        for name in [".globals.json.abc123", ".globalsXyZ"] {
            std::fs::write(dir.path().join(name), "{\"plain\": \"values\"}").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        store(dir.path()).set_in(Scope::Globals, plain("a"), "1").unwrap();
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
        assert!(store(dir.path()).definition_in(Scope::Globals, "a").unwrap().is_some());
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
