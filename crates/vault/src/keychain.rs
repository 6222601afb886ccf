//! Secret values in the OS keychain (service `switchyard`, user = variable name).
//!
//! Production uses the platform store chosen by `keyring` (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows); tests pass keyring-core's mock
//! store. Keychain calls block: call them off any UI thread.

use std::sync::{Arc, OnceLock};

use keyring_core::Error as KeyringError;
use keyring_core::api::CredentialStore;
use secrecy::SecretString;

use crate::error::VaultError;

/// The keychain service name every Switchyard secret is stored under.
pub const SERVICE: &str = "switchyard";

type StoreResult = Result<Arc<CredentialStore>, String>;

/// A handle on a credential store. The system keychain is only contacted on first use,
/// so opening the globals store never waits on D-Bus or a keychain prompt.
#[derive(Clone)]
pub struct Keychain {
    store: Arc<OnceLock<StoreResult>>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.store.get() {
            None => f.write_str("Keychain(system, not yet contacted)"),
            Some(Ok(store)) => write!(f, "Keychain({})", store.vendor()),
            Some(Err(reason)) => write!(f, "Keychain(unavailable: {reason})"),
        }
    }
}

impl Keychain {
    /// The operating system's keychain, contacted on first use. If it cannot be
    /// reached, every secret operation fails with [`VaultError::KeychainUnavailable`];
    /// plain variables still work.
    pub fn system() -> Self {
        Self { store: Arc::new(OnceLock::new()) }
    }

    /// A keychain backed by `store` (keyring-core's mock store in tests).
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self { store: Arc::new(OnceLock::from(Ok(store))) }
    }

    /// A keychain that is not there, with the reason it is not.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self { store: Arc::new(OnceLock::from(Err(reason.into()))) }
    }

    fn store(&self) -> &StoreResult {
        self.store.get_or_init(|| match keyring::Entry::store_status() {
            Ok(()) => keyring_core::get_default_store().ok_or_else(|| "no credential store is set up".to_owned()),
            Err(error) => Err(describe(error)),
        })
    }

    /// Whether a store can be reached (it may still be locked or refuse access).
    /// Contacts the system keychain if it was not yet.
    pub fn is_present(&self) -> bool {
        self.store().is_ok()
    }

    /// `Ok` when a store can be reached, else [`VaultError::KeychainUnavailable`] with
    /// the reason. Like [`Keychain::is_present`], it contacts the system keychain if it
    /// was not yet, and an unlocked-looking store may still refuse access later.
    pub fn check(&self) -> Result<(), VaultError> {
        match self.store() {
            Ok(_) => Ok(()),
            Err(reason) => Err(VaultError::KeychainUnavailable { detail: reason.clone() }),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring_core::Entry, VaultError> {
        let store =
            self.store().as_ref().map_err(|reason| VaultError::KeychainUnavailable { detail: reason.clone() })?;
        store.build(SERVICE, name, None).map_err(|error| keychain_error(name, &error))
    }

    /// The secret stored for `name`, or `None` when there is none.
    pub fn get(&self, name: &str) -> Result<Option<SecretString>, VaultError> {
        match self.entry(name)?.get_password() {
            Ok(password) => Ok(Some(SecretString::from(password))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(error) => Err(keychain_error(name, &error)),
        }
    }

    /// Stores `value` for `name`, replacing what was there.
    pub fn set(&self, name: &str, value: &str) -> Result<(), VaultError> {
        self.entry(name)?.set_password(value).map_err(|error| keychain_error(name, &error))
    }

    /// Removes the secret for `name`; removing one that is not there is not an error.
    pub fn delete(&self, name: &str) -> Result<(), VaultError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(keychain_error(name, &error)),
        }
    }
}

/// Describes a keyring error without ever including secret bytes (some variants carry them).
fn describe(error: &KeyringError) -> String {
    match error {
        KeyringError::PlatformFailure(inner) => format!("the keychain failed: {inner}"),
        KeyringError::NoStorageAccess(inner) => format!("the keychain refused access (locked?): {inner}"),
        KeyringError::NoEntry => "no such entry".to_owned(),
        KeyringError::BadEncoding(_) => "the stored value is not UTF-8 text".to_owned(),
        KeyringError::BadDataFormat(_, _) => "the stored value is not in the expected format".to_owned(),
        KeyringError::BadStoreFormat(detail) => format!("the keychain is damaged: {detail}"),
        KeyringError::TooLong(what, limit) => format!("{what} is longer than the keychain allows ({limit})"),
        KeyringError::Invalid(what, why) => format!("invalid {what}: {why}"),
        KeyringError::Ambiguous(_) => "more than one keychain entry matches".to_owned(),
        KeyringError::NoDefaultStore => {
            "no keychain (Secret Service, Keychain, Credential Manager) was found".to_owned()
        }
        KeyringError::NotSupportedByStore(detail) => format!("the keychain does not support this: {detail}"),
        _ => "unknown keychain error".to_owned(),
    }
}

fn keychain_error(name: &str, error: &KeyringError) -> VaultError {
    match error {
        KeyringError::PlatformFailure(_) | KeyringError::NoStorageAccess(_) | KeyringError::NoDefaultStore => {
            VaultError::KeychainUnavailable { detail: describe(error) }
        }
        other => VaultError::Keychain { name: name.to_owned(), detail: describe(other) },
    }
}
