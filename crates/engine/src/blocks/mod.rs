//! One executor per block type. Each turns the value that reached a block into a
//! [`Step`]: fire a port now, wait for a future, or hand the scheduler something only it
//! can do (start a For Each, collect, keep a variable). The scheduler (`run.rs`) applies
//! steps; the executors never touch its state.
//!
//! [`execute`] is the one place in the engine naming every block type: a new type's
//! executor is a file here and an arm there (the match is exhaustive). See the recipe
//! in the flow crate's `blocks` module.

mod collect;
mod delay;
mod evaluate;
mod for_each;
mod if_;
mod log;
mod send_request;
mod set;
mod start;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::{Block, BlockKind, Port};

use crate::run::Shared;

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
    /// The value it carries.
    pub value: Value,
    /// `200 · 84 ms`, `true`, `waited 250 ms`.
    pub summary: String,
    /// Whether a response came back (Send Request).
    pub responded: bool,
}

impl Fired {
    pub fn new(port: Port, value: Value, summary: impl Into<String>) -> Self {
        Self { port, value, summary: summary.into(), responded: false }
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

/// Runs one block on `input`, which is shared with the event that reported it: a
/// request only reads it; the blocks that keep or pass it on take it, copied only
/// while the event still holds it.
pub(crate) fn execute<'a>(shared: &'a Shared<'a>, block: &'a Block, input: Arc<Value>) -> Step<'a> {
    let owned = Arc::unwrap_or_clone;
    match &block.kind {
        BlockKind::Start(_) => start::execute(),
        BlockKind::Log(log) => log::execute(shared, block, log, owned(input)),
        BlockKind::SendRequest(request) => send_request::execute(shared, block, request, input),
        BlockKind::If(if_block) => if_::execute(shared, if_block, owned(input)),
        BlockKind::Evaluate(evaluate) => evaluate::execute(shared, evaluate, owned(input)),
        BlockKind::Set(set) => set::execute(shared, set, owned(input)),
        BlockKind::Delay(delay) => delay::execute(delay, owned(input)),
        BlockKind::ForEach(for_each) => for_each::execute(shared, for_each, owned(input)),
        BlockKind::Collect(_) => collect::execute(owned(input)),
    }
}
