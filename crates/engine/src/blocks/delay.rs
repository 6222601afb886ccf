//! `delay`: waits, then fires its input; cancelling the run ends the wait.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use switchyard_flow::{Delay, Port};

use crate::step::{Fired, Step};

pub(crate) fn execute<'a>(delay: &Delay, input: Arc<Value>) -> Step<'a> {
    let ms = delay.ms;
    Step::Wait(Box::pin(async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(Fired::new(Port::Out, input, format!("waited {}", crate::wording::duration(ms))))
    }))
}
