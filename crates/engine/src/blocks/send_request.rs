//! `send_request`: sends the request (`request.rs`, which masks what comes back at
//! ingress), then, when the status matched, evaluates its captures and its checks.
//! Success fires only when the status matched, every capture gave a value and every
//! check held.
//!
//! The order after a response is the custody order: the response value is masked with
//! every secret the run knows; the captures are evaluated on it; a secret capture is
//! added to the mask and the value is masked again; only then is any event about the
//! response sent (`ResponseReceived`, each capture's `VariableSet`, each check's
//! `CheckResult`, and the scheduler's `BlockFinished`). So a login's token captured as
//! a secret never shows, not even in the login's own response. Captures run before the
//! checks: a check's result is an event about the response, and a check sees the
//! response as masked with the secrets its captures found.

use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::template::value_to_text;
use switchyard_flow::{Block, Port, SendRequest};

use crate::context::Shared;
use crate::event::Event;
use crate::redact::MASK;
use crate::request::{Exchanged, RequestRun};
use crate::step::{Failure, Fired, Step};
use crate::value::{ErrorKind, ErrorValue, FailedCheck, set_error};

pub(crate) fn execute<'a>(
    shared: &'a Shared<'a>,
    block: &'a Block,
    request: &'a SendRequest,
    input: Arc<Value>,
) -> Step<'a> {
    let variables = shared.variables();
    Step::Wait(Box::pin(async move {
        // Never closed, so this only waits; the permit is held until the body is read.
        let _permit = shared.connections.acquire().await.ok();
        if shared.cancel.is_cancelled() {
            // The run loop drops this future at its next turn; nothing is sent meanwhile.
            std::future::pending::<()>().await;
        }
        let config = shared.config;
        let Exchanged { mut fired, received } = RequestRun {
            client: shared.client,
            block: &block.id,
            request,
            variables: &variables,
            input: &input,
            emitter: &shared.emitter,
            max_body_bytes: config.max_body_bytes,
            max_request_bytes: shared.flow.max_request_bytes(request),
            max_redirects: config.max_redirects,
            base_dir: config.base_dir.as_deref(),
        }
        .execute()
        .await;
        drop(variables);
        let mut kept = Vec::new();
        if fired.port == Port::Success && !request.captures.is_empty() {
            fired = captured(shared, block, request, fired, &mut kept);
        }
        if let Some(received) = received {
            shared.emitter.send(received);
        }
        for (name, value, secret) in kept {
            let value = if secret { Value::String(MASK.to_owned()) } else { value };
            shared.emitter.send(Event::VariableSet { block: block.id.clone(), name, value, secret });
        }
        if fired.port == Port::Success && !request.checks.is_empty() {
            return checked(shared, block, request, fired);
        }
        Ok(fired)
    }))
}

/// Evaluates every capture on a response whose status matched, in order, and keeps
/// their values as run variables (`kept` lists them, for their events). A secret
/// capture is added to the mask and the response value is masked again with it. The
/// first capture that fails turns Success into Failure with `error.kind`
/// `capture_failed`; then no variable is kept, but every secret captured before it is
/// still masked.
fn captured(
    shared: &Shared<'_>,
    block: &Block,
    request: &SendRequest,
    mut fired: Fired,
    kept: &mut Vec<(String, Value, bool)>,
) -> Fired {
    let mut values = Vec::with_capacity(request.captures.len());
    let mut failed = None;
    for (position, capture) in request.captures.iter().enumerate() {
        let field = format!("captures[{position}]");
        match shared.evaluate(&field, capture.expression.as_str(), &fired.value) {
            Ok(value) if capture.secret && !is_secret_text(&value) => {
                let message = format!(
                    "a secret capture must give text or a number, and `{}` gave {}",
                    capture.expression.as_str(),
                    crate::wording::value_kind(&value)
                );
                failed = Some((capture, Failure { field, message }));
                break;
            }
            Ok(value) => values.push((capture, value)),
            Err(failure) => {
                failed = Some((capture, failure));
                break;
            }
        }
    }
    let secrets = values.iter().filter(|(capture, _)| capture.secret).count();
    match failed {
        None => {
            for (capture, value) in values {
                // Masks a secret at once (before the response is masked again below).
                shared.set_variable(&capture.name, &value, capture.secret);
                kept.push((capture.name.clone(), value, capture.secret));
            }
        }
        Some((capture, failure)) => {
            for (_, value) in values.iter().filter(|(capture, _)| capture.secret) {
                shared.emitter.mask_secret(&value_to_text(value));
            }
            let message = format!(
                "block `{}`: capture `{}` ({}) failed: {}",
                block.id, capture.name, failure.field, failure.message
            );
            // The value is this block's alone yet: changed in place, not copied.
            let error = ErrorValue { kind: ErrorKind::CaptureFailed, message, checks: Vec::new() };
            set_error(Arc::make_mut(&mut fired.value), error);
            fired.port = Port::Failure;
            fired.summary = format!("capture failed: {}", capture.name);
        }
    }
    if secrets > 0 {
        shared.emitter.redactor().redact_value(Arc::make_mut(&mut fired.value));
    }
    fired
}

/// Whether a secret capture's value can be a secret: text that is not empty, or a number.
fn is_secret_text(value: &Value) -> bool {
    match value {
        Value::String(text) => !text.is_empty(),
        Value::Number(_) => true,
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => false,
    }
}

/// Evaluates every check on a response that matched; any that does not hold turns
/// Success into Failure with `error.kind` `check_failed`.
fn checked(shared: &Shared<'_>, block: &Block, request: &SendRequest, mut fired: Fired) -> Result<Fired, Failure> {
    let mut failed = Vec::new();
    for (position, check) in request.checks.iter().enumerate() {
        let field = format!("checks[{position}]");
        let result = shared.evaluate(&field, check.condition.as_str(), &fired.value)?;
        // A check holds when it gives `true` itself: `1`, `"yes"` or `{}` (which an `if`
        // would take as true) are a check written wrong, not one that passed.
        let passed = result == Value::Bool(true);
        shared.emitter.send(Event::CheckResult {
            block: block.id.clone(),
            name: check.name.clone(),
            passed,
            result: result.clone(),
        });
        if !passed {
            failed.push(FailedCheck {
                name: check.name.clone(),
                expression: check.condition.as_str().to_owned(),
                result,
            });
        }
    }
    if failed.is_empty() {
        return Ok(fired);
    }
    let names: Vec<String> = failed.iter().map(|c| format!("`{}`", c.name)).collect();
    let message = format!(
        "block `{}`: {} of {} checks did not hold: {}",
        block.id,
        failed.len(),
        request.checks.len(),
        names.join(", ")
    );
    let summary = format!("check failed: {}", failed.first().map(|c| c.name.as_str()).unwrap_or_default());
    let error = ErrorValue { kind: ErrorKind::CheckFailed, message, checks: failed };
    // The value is this block's alone yet: `error` is set in place, nothing is copied.
    set_error(Arc::make_mut(&mut fired.value), error);
    fired.port = Port::Failure;
    fired.summary = summary;
    Ok(fired)
}
