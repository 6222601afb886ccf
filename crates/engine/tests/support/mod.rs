//! What the engine's test files share: a flow from blocks and wires, a run that
//! collects every event, and the port and value a block fired.

#![allow(dead_code)] // each test binary uses a different part

use serde_json::{Value, json};
use switchyard_engine::{Engine, EngineConfig, Event, RunSummary};
use switchyard_flow::Flow;
use switchyard_vault::Variables;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A flow with a Start block, plus `blocks` and `wires`.
pub fn flow(blocks: Value, wires: Value) -> Flow {
    let mut all = json!({"start": {"type": "start"}});
    all.as_object_mut().unwrap().extend(blocks.as_object().unwrap().clone());
    let text = json!({"switchyard": 1, "name": "test", "blocks": all, "wires": wires}).to_string();
    Flow::from_json(&text, "test").unwrap()
}

/// Start → `request` → (success: ok log, failure: failed log).
pub fn one_request(request: Value) -> Flow {
    let mut request = request;
    request["type"] = json!("send_request");
    flow(
        json!({"req": request, "ok": {"type": "log"}, "failed": {"type": "log"}}),
        json!([["start.out", "req.in"], ["req.success", "ok.in"], ["req.failure", "failed.in"]]),
    )
}

/// Runs `flow` to its end and returns its summary and every event it sent.
pub async fn run_with(flow: &Flow, variables: &Variables, config: EngineConfig) -> (RunSummary, Vec<Event>) {
    let engine = Engine::new(config).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let summary = engine.run(flow, variables, tx, CancellationToken::new()).await;
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    (summary, events)
}

/// [`run_with`] the default settings.
pub async fn run(flow: &Flow, variables: &Variables) -> (RunSummary, Vec<Event>) {
    run_with(flow, variables, EngineConfig::default()).await
}

/// The port and value `block` fired (its last finish).
pub fn fired<'e>(events: &'e [Event], block: &str) -> (&'e str, &'e Value) {
    events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::BlockFinished { block: b, port, value, .. } if b == block => Some((port.as_str(), &**value)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("block {block} never finished: {events:#?}"))
}

/// Every run variable kept (by `set` blocks and captures), in order: name, value as the
/// event shows it, and whether it is a secret.
pub fn variables_set(events: &[Event]) -> Vec<(String, Value, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::VariableSet { name, value, secret, .. } => Some((name.clone(), value.clone(), *secret)),
            _ => None,
        })
        .collect()
}
