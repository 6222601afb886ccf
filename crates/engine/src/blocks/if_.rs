//! `if`: fires `true` or `false` with its input, by jq truthiness of the condition.

use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::expr::is_truthy;
use switchyard_flow::{If, Port};

use crate::context::Shared;
use crate::step::{Fired, Step};

pub(crate) fn execute<'a>(shared: &Shared<'_>, block: &If, input: Arc<Value>) -> Step<'a> {
    match shared.evaluate("condition", block.condition.as_str(), &input) {
        Ok(value) => {
            let port = if is_truthy(&value) { Port::True } else { Port::False };
            Step::Fire(Fired::new(port, input, port.as_str()))
        }
        Err(failure) => Step::Fail(failure),
    }
}
