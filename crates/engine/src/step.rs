//! What an executor hands the scheduler: a [`Step`] (fire a port now, wait, fail, or
//! ask for something only the scheduler can do), with the [`Fired`] port and value or
//! the [`Failure`] of an expression. Executors (`blocks/`) make them, the scheduler
//! (`run.rs`) applies them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::Port;

/// What a block's run comes to.
pub(crate) enum Step<'a> {
    /// Fire `port` with `value` now.
    Fire(Fired),
    /// Wait for a future (a response, a timer); cancelling the run drops it.
    Wait(Pin<Box<dyn Future<Output = Result<Fired, Failure>> + Send + 'a>>),
    /// The block could not run (an expression failed); nothing is fired.
    Fail(Failure),
    /// Start a For Each run over these elements.
    ForEach {
        /// The elements.
        items: Vec<Value>,
        /// How many branches at once.
        concurrency: usize,
    },
    /// Collect this value into the innermost For Each run it belongs to.
    Collect(Value),
    /// Keep a run variable, then fire `out` with the block's input.
    Set {
        /// Its name.
        name: String,
        /// Its value.
        value: Value,
        /// Whether it is a secret from now on.
        secret: bool,
        /// The block's input, fired on `out`.
        input: Value,
    },
}

/// A port fired, with its value and a one-line result for display.
#[derive(Debug)]
pub(crate) struct Fired {
    /// The port.
    pub port: Port,
    /// The value it carries: shared with the event that reports it and every block
    /// it goes to (a block that passes its input on fires the same value).
    pub value: Arc<Value>,
    /// `200 · 84 ms`, `true`, `waited 250 ms`.
    pub summary: String,
    /// Whether a response came back (Send Request).
    pub responded: bool,
}

impl Fired {
    pub fn new(port: Port, value: impl Into<Arc<Value>>, summary: impl Into<String>) -> Self {
        Self { port, value: value.into(), summary: summary.into(), responded: false }
    }
}

/// An expression that failed, and where.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The field (`condition`, `checks[1]`).
    pub field: String,
    /// What went wrong.
    pub message: String,
}
