//! `start`: fires `out` with null.

use serde_json::Value;
use switchyard_flow::Port;

use crate::step::{Fired, Step};

pub(crate) fn execute<'a>() -> Step<'a> {
    Step::Fire(Fired::new(Port::Out, Value::Null, String::new()))
}
