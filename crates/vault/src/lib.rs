//! Switchyard's global variables: what a run can reference as `{{name}}`.
//!
//! [`Variables`] is the set a run sees; each [`Variable`] carries a [`Value`] that is
//! either plain or a secret (which never prints), and for secrets the hosts it may be
//! sent to and an expiry [`Date`].
//!
//! Modules: `variable` (the types), `date` (expiry dates).

mod date;
mod variable;

pub use date::{Date, DateError};
pub use variable::{Value, Variable, Variables, host_matches};
