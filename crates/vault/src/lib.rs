//! Switchyard's stored variables: what a run can reference as `{{name}}`.
//!
//! [`Store`] keeps the global variables and the environments (named sets of variables,
//! each operation given its [`Scope`]): definitions and plain values in `globals.json` in
//! the config directory, secret values in the OS keychain through [`Keychain`]. A run
//! gets a [`Variables`] set from [`Store::variables_for`] (the globals with the selected
//! environment on top); each [`Variable`] carries a [`Value`] that is plain or a secret
//! (which never prints), and for secrets the hosts it may be sent to and an expiry
//! [`Date`].
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
pub use store::{Definition, FILE_NAME, Kind, Scope, Store, is_valid_environment_name, is_valid_name};
pub use variable::{Value, Variable, Variables, host_matches};

#[cfg(test)]
mod tests;
