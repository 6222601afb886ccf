//! `log`: reports the value and passes it on (the event and the port share it). A value logged at level `error` is
//! counted by the scheduler (`run.rs`), and makes the run's outcome `failed`.

use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::{Block, LogBlock, Port};

use crate::context::Shared;
use crate::event::Event;
use crate::step::{Fired, Step};

pub(crate) fn execute<'a>(shared: &Shared<'_>, block: &Block, log: &LogBlock, input: Arc<Value>) -> Step<'a> {
    shared.emitter.send(Event::Log {
        block: block.id.clone(),
        label: log.label.clone(),
        level: log.level,
        value: Arc::clone(&input),
    });
    Step::Fire(Fired::new(Port::Out, input, "logged"))
}
