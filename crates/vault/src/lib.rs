//! Switchyard's global variables: what a run can reference as `{{name}}`.
//!
//! [`Store`] keeps definitions and plain values in `globals.json` in the config
//! directory and secret values in the OS keychain through [`Keychain`]. A run gets a
//! [`Variables`] set from [`Store::variables`]; each [`Variable`] carries a [`Value`] that
//! is plain or a secret (which never prints), and for secrets the hosts it may be sent
//! to and an expiry [`Date`].
//!
//! Modules: `store` (globals.json and the moves between file and keychain), `keychain`,
//! `variable` (the types a run uses), `date`, `error`.

mod date;
mod error;
mod keychain;
mod store;
mod variable;

pub use date::{Date, DateError, EXPIRES_SOON_DAYS, Expiry};
pub use error::VaultError;
pub use keychain::{Keychain, SERVICE};
pub use store::{Definition, FILE_NAME, Kind, Store, is_valid_name};
pub use variable::{Value, Variable, Variables, host_matches};

#[cfg(test)]
mod tests;
