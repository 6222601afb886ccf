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

use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::{Block, BlockKind};

use crate::context::Shared;
use crate::step::Step;

/// Runs one block on `input`, which is shared with the event that reported it: a
/// request only reads it, the blocks that pass it on as it is (Log, If, Delay) fire
/// the same value, and the blocks that take it apart take it, copied only while the
/// event still holds it.
pub(crate) fn execute<'a>(shared: &'a Shared<'a>, block: &'a Block, input: Arc<Value>) -> Step<'a> {
    let owned = Arc::unwrap_or_clone;
    match &block.kind {
        BlockKind::Start(_) => start::execute(),
        BlockKind::Log(log) => log::execute(shared, block, log, input),
        BlockKind::SendRequest(request) => send_request::execute(shared, block, request, input),
        BlockKind::If(if_block) => if_::execute(shared, if_block, input),
        BlockKind::Evaluate(evaluate) => evaluate::execute(shared, evaluate, owned(input)),
        BlockKind::Set(set) => set::execute(shared, set, owned(input)),
        BlockKind::Delay(delay) => delay::execute(delay, input),
        BlockKind::ForEach(for_each) => for_each::execute(shared, for_each, owned(input)),
        BlockKind::Collect(_) => collect::execute(owned(input)),
    }
}
