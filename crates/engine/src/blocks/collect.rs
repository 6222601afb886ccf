//! `collect`: hands the value to the scheduler, which keeps it for the innermost For
//! Each run it belongs to and fires the list once that run has ended.

use serde_json::Value;

use crate::step::Step;

pub(crate) fn execute<'a>(input: Value) -> Step<'a> {
    Step::Collect(input)
}
