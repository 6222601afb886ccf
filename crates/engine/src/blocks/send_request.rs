//! `send_request`: sends the request (`request.rs`), then evaluates its checks; Success
//! fires only when the status matched and every check held.

use std::sync::Arc;

use serde_json::Value;
use switchyard_flow::expr::is_truthy;
use switchyard_flow::{Block, Port, SendRequest};

use super::{Failure, Fired, Step};
use crate::event::Event;
use crate::request::RequestRun;
use crate::run::Shared;
use crate::value::{ErrorKind, ErrorValue, FailedCheck, ResponseValue};

pub(crate) fn execute<'a>(
    shared: &'a Shared<'a>,
    index: usize,
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
        let config = &shared.engine.config;
        let fired = RequestRun {
            client: &shared.engine.client,
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
        if fired.port == Port::Success && !request.checks.is_empty() {
            return checked(shared, index, block, request, fired);
        }
        Ok(fired)
    }))
}

/// Evaluates every check on a response that matched; any that does not hold turns
/// Success into Failure with `error.kind` `check_failed`.
fn checked(
    shared: &Shared<'_>,
    index: usize,
    block: &Block,
    request: &SendRequest,
    fired: Fired,
) -> Result<Fired, Failure> {
    let mut failed = Vec::new();
    for (position, check) in request.checks.iter().enumerate() {
        let field = format!("checks[{position}]");
        let result = shared.evaluate(index, position, &field, check.condition.as_str(), &fired.value)?;
        let passed = is_truthy(&result);
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
    let Some(mut response) = ResponseValue::from_value(&fired.value) else {
        return Ok(fired);
    };
    let names: Vec<String> = failed.iter().map(|c| format!("`{}`", c.name)).collect();
    let message = format!(
        "block `{}`: {} of {} checks did not hold: {}",
        block.id,
        failed.len(),
        request.checks.len(),
        names.join(", ")
    );
    let summary = format!("check failed: {}", failed.first().map(|c| c.name.as_str()).unwrap_or_default());
    response.error = Some(ErrorValue { kind: ErrorKind::CheckFailed, message, checks: failed });
    Ok(Fired { port: Port::Failure, value: response.into_value(), summary, responded: fired.responded })
}
