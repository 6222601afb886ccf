//! `for_each`: evaluates `items`, which must give an array; the scheduler fires `item`
//! once per element.

use serde_json::Value;
use switchyard_flow::ForEach;

use crate::context::Shared;
use crate::step::{Failure, Step};

pub(crate) fn execute<'a>(shared: &Shared<'_>, block: &ForEach, input: Value) -> Step<'a> {
    match shared.evaluate("items", block.items.as_str(), &input) {
        Ok(Value::Array(items)) => {
            Step::ForEach { items, concurrency: usize::try_from(block.concurrency).unwrap_or(usize::MAX).max(1) }
        }
        Ok(other) => Step::Fail(Failure {
            field: "items".to_owned(),
            message: format!("`items` must give an array, it gave {}", crate::wording::value_kind(&other)),
        }),
        Err(failure) => Step::Fail(failure),
    }
}
