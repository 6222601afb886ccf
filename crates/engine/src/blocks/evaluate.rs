//! `evaluate`: fires the value of its expression.

use serde_json::Value;
use switchyard_flow::{Evaluate, Port};

use crate::context::Shared;
use crate::step::{Fired, Step};

pub(crate) fn execute<'a>(shared: &Shared<'_>, block: &Evaluate, input: Value) -> Step<'a> {
    match shared.evaluate("expression", block.expression.as_str(), &input) {
        Ok(value) => {
            let summary = crate::wording::value_kind(&value);
            Step::Fire(Fired::new(Port::Out, value, summary))
        }
        Err(failure) => Step::Fail(failure),
    }
}
