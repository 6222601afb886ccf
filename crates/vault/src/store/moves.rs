//! The changes that move secrets in the keychain: renaming a variable, and removing
//! or renaming an environment with its secrets.

use secrecy::ExposeSecret as _;

use super::Store;
use super::definition::{Definition, Kind, Scope, is_valid_environment_name, is_valid_name};
use crate::error::VaultError;

impl Store {
    /// Renames `old` to `new` in `scope`, moving a secret's keychain entry (an
    /// environment's secret moves from `ENV/OLD` to `ENV/NEW`).
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
}
