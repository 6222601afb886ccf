//! Switchyard: bounds on what one evaluation builds, so that an expression cannot
//! abort the process by exhausting memory or the stack.
//!
//! The host starts a budget on its thread ([`start`]) before evaluating and ends it
//! ([`stop`]) after. While a budget is running, every array, object and string this
//! crate makes is counted ([`charge`]), and every array or object must nest at most
//! [`MAX_DEPTH`] levels deep, and the work of counting looks at the clock now and then
//! (a deadline). Past any bound the evaluation unwinds with an
//! [`Exceeded`] payload (`std::panic::resume_unwind`, which runs no panic hook), for the
//! host to catch with `std::panic::catch_unwind`. With no budget running (and without
//! the `std` feature) nothing is counted or checked.
//!
//! Because every array and object knows its depth, nothing in this crate (comparing,
//! hashing, writing, dropping) recurses deeper than [`MAX_DEPTH`] on a budgeted thread.

/// How deeply arrays and objects may nest while a budget is running.
pub const MAX_DEPTH: usize = 512;

/// Why an evaluation was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// It built more bytes than its budget (the budget, in bytes).
    Memory(usize),
    /// It built a value nested deeper than [`MAX_DEPTH`].
    Depth,
    /// It was still building past its deadline.
    Time,
}

#[cfg(feature = "std")]
mod imp {
    use super::{Exceeded, MAX_DEPTH};
    use core::cell::Cell;
    use std::time::Instant;

    /// A running budget.
    #[derive(Clone, Copy)]
    struct Budget {
        limit: usize,
        used: usize,
        deadline: Option<Instant>,
        /// Charges since the clock was last read.
        charges: u32,
    }

    std::thread_local! {
        static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
    }

    pub fn start(limit: usize, deadline: Option<Instant>) {
        BUDGET.with(|budget| budget.set(Some(Budget { limit, used: 0, deadline, charges: 0 })));
    }

    pub fn stop() -> usize {
        BUDGET.with(|budget| budget.take().map_or(0, |budget| budget.used))
    }

    pub fn charge(bytes: usize) {
        let over = BUDGET.with(|slot| {
            let mut budget = slot.get()?;
            budget.used = budget.used.saturating_add(bytes);
            budget.charges += 1;
            let late = budget.charges >= 1024 && budget.deadline.is_some_and(|deadline| Instant::now() > deadline);
            if budget.charges >= 1024 {
                budget.charges = 0;
            }
            slot.set(Some(budget));
            if budget.used > budget.limit {
                Some(Exceeded::Memory(budget.limit))
            } else if late {
                Some(Exceeded::Time)
            } else {
                None
            }
        });
        if let Some(exceeded) = over {
            std::panic::resume_unwind(std::boxed::Box::new(exceeded));
        }
    }

    pub fn check_depth(depth: usize) {
        if depth > MAX_DEPTH && BUDGET.with(|budget| budget.get().is_some()) {
            std::panic::resume_unwind(std::boxed::Box::new(Exceeded::Depth));
        }
    }
}

#[cfg(not(feature = "std"))]
mod imp {
    pub fn start(_limit: usize, _deadline: Option<()>) {}
    pub fn stop() -> usize {
        0
    }
    pub fn charge(_bytes: usize) {}
    pub fn check_depth(_depth: usize) {}
}

/// Starts a budget of `limit` bytes on this thread (replacing one already running),
/// ending at `deadline`.
#[cfg(feature = "std")]
pub fn start(limit: usize, deadline: Option<std::time::Instant>) {
    imp::start(limit, deadline);
}

/// Starts a budget of `limit` bytes (without `std`, nothing is counted).
#[cfg(not(feature = "std"))]
pub fn start(limit: usize) {
    imp::start(limit, None);
}

/// Ends the budget running on this thread; returns the bytes it counted.
pub fn stop() -> usize {
    imp::stop()
}

/// Counts `bytes` built; past the budget, unwinds with [`Exceeded::Memory`].
pub fn charge(bytes: usize) {
    imp::charge(bytes);
}

/// Refuses a value `depth` levels deep: past [`MAX_DEPTH`], unwinds with
/// [`Exceeded::Depth`].
pub(crate) fn check_depth(depth: usize) {
    imp::check_depth(depth);
}
