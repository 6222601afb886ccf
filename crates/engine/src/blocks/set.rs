//! `set`: evaluates its value and keeps it as a run variable; passes its input on.

use serde_json::Value;
use switchyard_flow::Set;

use crate::context::Shared;
use crate::step::Step;

pub(crate) fn execute<'a>(shared: &Shared<'_>, block: &Set, input: Value) -> Step<'a> {
    match shared.evaluate("value", block.value.as_str(), &input) {
        Ok(value) => Step::Set { name: block.name.clone(), value, secret: block.secret, input },
        Err(failure) => Step::Fail(failure),
    }
}
