//! `log`: reports the value and passes it on.

use serde_json::Value;
use switchyard_flow::{Block, LogBlock, Port};

use super::{Fired, Step};
use crate::event::Event;
use crate::run::Shared;

pub(crate) fn execute<'a>(shared: &Shared<'_>, block: &Block, log: &LogBlock, input: Value) -> Step<'a> {
    shared.emitter.send(Event::Log { block: block.id.clone(), label: log.label.clone(), value: input.clone() });
    Step::Fire(Fired::new(Port::Out, input, "logged"))
}
