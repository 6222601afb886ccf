//! The flow language: if, evaluate, set, delay, for_each, collect and
//! checks, each rule against a real HTTP server on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::any;
use serde_json::{Value, json};
use support::{flow, run_with, variables_set};
use switchyard_engine::{Engine, EngineConfig, ErrorKind, Event, MASK, Outcome, ResponseValue, RunSummary};
use switchyard_flow::{Flow, Port};
use switchyard_vault::{Variable, Variables};
use tokio::sync::Barrier;

#[derive(Clone)]
struct Server {
    /// Calls to /job so far.
    job_calls: Arc<AtomicUsize>,
    /// Requests in flight now, and the most ever seen at once.
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
    barrier: Arc<Barrier>,
    /// Paths in the order requests arrived, and bodies of POSTs.
    seen: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(barrier_parties: usize) -> (SocketAddr, Server) {
        let server = Server {
            job_calls: Arc::default(),
            in_flight: Arc::default(),
            most_in_flight: Arc::default(),
            barrier: Arc::new(Barrier::new(barrier_parties)),
            seen: Arc::default(),
        };
        let app = Router::new()
            .route("/login", any(login))
            .route("/items", any(items))
            .route("/items/{id}", any(item))
            .route("/together/{id}", any(together))
            .route("/job", any(job))
            .route("/whoami", any(whoami))
            .with_state(server.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (addr, server)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn login(State(server): State<Server>) -> axum::Json<Value> {
    server.seen.lock().unwrap().push("/login".into());
    axum::Json(json!({"access_token": "tok-CAPTURED-9f3e", "expires_in": 3600}))
}

async fn items(State(server): State<Server>) -> axum::Json<Value> {
    server.seen.lock().unwrap().push("/items".into());
    axum::Json(json!({"items": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]}))
}

/// One item; counts how many item requests are in flight at once. A request for id 2
/// yields a few times before answering, so a sequential run must wait for it.
async fn item(State(server): State<Server>, Path(id): Path<u32>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    server.seen.lock().unwrap().push(format!("/items/{id}"));
    let now = server.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    server.most_in_flight.fetch_max(now, Ordering::SeqCst);
    for _ in 0..if id == 2 { 50 } else { 1 } {
        tokio::task::yield_now().await;
    }
    server.in_flight.fetch_sub(1, Ordering::SeqCst);
    if id == 3 {
        return (axum::http::StatusCode::NOT_FOUND, axum::Json(json!({"error": "gone"}))).into_response();
    }
    axum::Json(json!({"id": id, "name": format!("item {id}")})).into_response()
}

/// Answers only once `barrier_parties` requests wait here together.
async fn together(State(server): State<Server>, Path(id): Path<u32>) -> axum::Json<Value> {
    server.seen.lock().unwrap().push(format!("/together/{id}"));
    server.barrier.wait().await;
    axum::Json(json!({"id": id}))
}

/// `pending` twice, then `done`.
async fn job(State(server): State<Server>) -> axum::Json<Value> {
    let calls = server.job_calls.fetch_add(1, Ordering::SeqCst) + 1;
    axum::Json(json!({"state": if calls >= 3 { "done" } else { "pending" }, "calls": calls}))
}

/// Echoes the Authorization header.
async fn whoami(State(server): State<Server>, headers: axum::http::HeaderMap) -> axum::Json<Value> {
    server.seen.lock().unwrap().push("/whoami".into());
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    axum::Json(json!({"authorization": auth}))
}

async fn run(flow: &Flow) -> (RunSummary, Vec<Event>) {
    run_with(flow, &Variables::new(), EngineConfig::default()).await
}

/// Every (port, value) `block` fired, in order.
fn fired(events: &[Event], block: &str) -> Vec<(Port, Value)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::BlockFinished { block: b, port, value, .. } if b == block => Some((*port, Value::clone(value))),
            _ => None,
        })
        .collect()
}

fn logged(events: &[Event], block: &str) -> Vec<Value> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Log { block: b, value, .. } if b == block => Some(Value::clone(value)),
            _ => None,
        })
        .collect()
}

fn failures(events: &[Event]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::BlockFailed { block, field, message } => Some((block.clone(), field.clone(), message.clone())),
            _ => None,
        })
        .collect()
}

/// Start → evaluate `produce` (giving `value`) → `block` → logs on each of `ports`.
fn around(value: Value, block: Value, ports: &[&str]) -> Flow {
    let mut blocks = json!({
        "produce": {"type": "evaluate", "expression": value.to_string()},
        "b": block,
    });
    let mut wires = vec![json!(["start.out", "produce.in"]), json!(["produce.out", "b.in"])];
    for port in ports {
        blocks[format!("log-{port}")] = json!({"type": "log"});
        wires.push(json!([format!("b.{port}"), format!("log-{port}.in")]));
    }
    flow(blocks, Value::Array(wires))
}

#[tokio::test]
async fn if_fires_true_or_false_with_its_input_by_jq_truthiness() {
    for (input, condition, way) in [
        (json!({"ready": true}), ".ready", "true"),
        (json!({"ready": false}), ".ready", "false"),
        (json!({"n": 0}), ".n", "true"),
        (json!({}), ".missing", "false"),
        (json!([1, 2]), "length > 1", "true"),
        (json!("text"), ".", "true"),
    ] {
        let flow = around(input.clone(), json!({"type": "if", "condition": condition}), &["true", "false"]);
        let (summary, events) = run(&flow).await;
        assert_eq!(summary.outcome, Outcome::Ok);
        assert_eq!(logged(&events, &format!("log-{way}")), std::slice::from_ref(&input), "{condition} on {input}");
        let other = if way == "true" { "false" } else { "true" };
        assert!(logged(&events, &format!("log-{other}")).is_empty());
    }
}

#[tokio::test]
async fn evaluate_fires_one_value_and_refuses_none_or_several() {
    let flow = around(json!({"a": [1, 2, 3]}), json!({"type": "evaluate", "expression": ".a | add"}), &["out"]);
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    assert_eq!(logged(&events, "log-out"), [json!(6)]);

    for (expression, says) in [(".a[]", "several values"), ("empty", "no value"), (".a | error(\"boom\")", "boom")] {
        let flow = around(json!({"a": [1, 2]}), json!({"type": "evaluate", "expression": expression}), &["out"]);
        let (summary, events) = run(&flow).await;
        assert_eq!(summary.outcome, Outcome::Failed, "{expression}");
        assert_eq!(summary.counts.errors, 1);
        assert!(fired(&events, "b").is_empty(), "nothing is fired: {expression}");
        let failures = failures(&events);
        assert_eq!(failures.len(), 1);
        assert_eq!((failures[0].0.as_str(), failures[0].1.as_str()), ("b", "expression"));
        assert!(failures[0].2.contains(says), "{expression}: {}", failures[0].2);
    }
}

#[tokio::test]
async fn set_is_seen_by_later_templates_and_expressions() {
    let (addr, _server) = Server::start(1).await;
    let flow = flow(
        json!({
            "login": {"type": "send_request", "method": "POST", "url": format!("http://{addr}/login")},
            "keep": {"type": "set", "name": "token", "value": ".body.access_token"},
            "region": {"type": "set", "name": "region", "value": "\"eu-\" + ($token | length | tostring)"},
            "call": {"type": "send_request", "url": format!("http://{addr}/whoami"),
                     "headers": [["Authorization", "Bearer {{token}} {{region}}"]]},
            "show": {"type": "evaluate", "expression": "[$token, $region, $vars.region]"},
            "log": {"type": "log"}
        }),
        json!([
            ["start.out", "login.in"],
            ["login.success", "keep.in"],
            ["keep.out", "region.in"],
            ["region.out", "call.in"],
            ["call.success", "show.in"],
            ["show.out", "log.in"]
        ]),
    );
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    let call = ResponseValue::from_value(&fired(&events, "call")[0].1).unwrap();
    assert_eq!(call.body["authorization"], "Bearer tok-CAPTURED-9f3e eu-17");
    assert_eq!(logged(&events, "log"), [json!(["tok-CAPTURED-9f3e", "eu-17", "eu-17"])]);
    let set = variables_set(&events);
    assert_eq!(set, [("token".into(), json!("tok-CAPTURED-9f3e"), false), ("region".into(), json!("eu-17"), false)]);
}

#[tokio::test]
async fn a_secret_set_is_masked_in_every_later_event_and_hidden_from_expressions() {
    let (addr, _server) = Server::start(1).await;
    let flow = flow(
        json!({
            "login": {"type": "send_request", "method": "POST", "url": format!("http://{addr}/login")},
            "keep": {"type": "set", "name": "token", "value": ".body.access_token", "secret": true},
            "call": {"type": "send_request", "url": format!("http://{addr}/whoami"),
                     "headers": [["Authorization", "Bearer {{token}}"]]},
            "peek": {"type": "evaluate", "expression": "$vars | has(\"token\")"},
            "log": {"type": "log"}
        }),
        json!([
            ["start.out", "login.in"],
            ["login.success", "keep.in"],
            ["keep.out", "call.in"],
            ["call.success", "peek.in"],
            ["peek.out", "log.in"]
        ]),
    );
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    // The server got the token; the expression could not see it.
    assert_eq!(logged(&events, "log"), [json!(false)]);
    let after_set = events.iter().skip_while(|e| !matches!(e, Event::VariableSet { .. }));
    let text: String = after_set.map(|e| serde_json::to_string(e).unwrap()).collect();
    assert!(!text.contains("tok-CAPTURED-9f3e") && !text.contains("CAPTURED"), "{text}");
    assert!(text.contains(&format!("Bearer {MASK}")), "the echoed header is masked: {text}");
    // Referring to it as `$token` is an error: secrets are never visible to expressions.
    let flow = around(json!(1), json!({"type": "evaluate", "expression": "$token"}), &["out"]);
    let variables: Variables = [Variable::secret("token", "s3cr3t-value")].into_iter().collect();
    let (summary, events) = run_with(&flow, &variables, EngineConfig::default()).await;
    assert_eq!(summary.outcome, Outcome::Failed);
    assert!(failures(&events)[0].2.contains("unknown variable `$token`"), "{:?}", failures(&events));
}

#[tokio::test(start_paused = true)]
async fn delay_waits_on_the_clock_then_passes_its_input_on() {
    let flow = around(json!({"k": 1}), json!({"type": "delay", "ms": 90_000}), &["out"]);
    let before = tokio::time::Instant::now();
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    assert!(before.elapsed() >= std::time::Duration::from_secs(90), "{:?}", before.elapsed());
    assert_eq!(logged(&events, "log-out"), [json!({"k": 1})]);
}

#[tokio::test(start_paused = true)]
async fn stop_during_a_delay_ends_the_run_at_once() {
    let flow = around(json!(1), json!({"type": "delay", "ms": 3_600_000}), &["out"]);
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let mut handle = engine.start(Arc::new(flow), Arc::new(Variables::new()));
    let mut events = Vec::new();
    while let Some(event) = handle.next().await {
        if matches!(&event, Event::BlockStarted { block, .. } if block == "b") {
            handle.cancel.cancel();
        }
        events.push(event);
    }
    let Some(Event::RunFinished { outcome, .. }) = events.last() else { panic!("{events:#?}") };
    assert_eq!(*outcome, Outcome::Cancelled);
    assert!(logged(&events, "log-out").is_empty());
}

/// Start → GET /items → for_each (.body.items) → GET /items/{{input.id}} → collect → log.
fn fetch_each(addr: SocketAddr, concurrency: u32, path: &str) -> Flow {
    flow(
        json!({
            "list": {"type": "send_request", "url": format!("http://{addr}/items")},
            "each": {"type": "for_each", "items": ".body.items", "concurrency": concurrency},
            "fetch": {"type": "send_request", "url": format!("http://{addr}/{path}/{{{{input.id}}}}")},
            "name": {"type": "evaluate", "expression": ".body.name // .body.id"},
            "all": {"type": "collect"},
            "missing": {"type": "log"},
            "log": {"type": "log"}
        }),
        json!([
            ["start.out", "list.in"],
            ["list.success", "each.in"],
            ["each.item", "fetch.in"],
            ["fetch.success", "name.in"],
            ["name.out", "all.in"],
            ["fetch.failure", "missing.in"],
            ["all.out", "log.in"]
        ]),
    )
}

#[tokio::test]
async fn for_each_runs_one_element_after_another_and_collect_keeps_item_order() {
    let (addr, server) = Server::start(1).await;
    let (summary, events) = run(&fetch_each(addr, 1, "items")).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    assert_eq!(server.most_in_flight.load(Ordering::SeqCst), 1, "sequential: one element's branch at a time");
    assert_eq!(server.seen(), ["/items", "/items/1", "/items/2", "/items/3", "/items/4"]);
    // Item 3 failed (404) and went to `missing`: it contributes nothing.
    assert_eq!(logged(&events, "log"), [json!(["item 1", "item 2", "item 4"])]);
    assert_eq!(logged(&events, "missing").len(), 1);
    let progress: Vec<(usize, usize)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ItemStarted { index, total, .. } => Some((*index, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [(1, 4), (2, 4), (3, 4), (4, 4)]);
}

#[tokio::test]
async fn for_each_with_concurrency_runs_branches_together() {
    // The server answers /together only when four requests wait there at once.
    let (addr, server) = Server::start(4).await;
    let (summary, events) = run(&fetch_each(addr, 4, "together")).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    assert_eq!(logged(&events, "log"), [json!([1, 2, 3, 4])], "collected in item order");
    assert_eq!(server.seen().len(), 5);
}

#[tokio::test]
async fn collect_over_an_empty_list_fires_an_empty_list() {
    let flow = flow(
        json!({
            "each": {"type": "for_each", "items": "[]"},
            "double": {"type": "evaluate", "expression": ". * 2"},
            "all": {"type": "collect"},
            "log": {"type": "log"}
        }),
        json!([["start.out", "each.in"], ["each.item", "double.in"], ["double.out", "all.in"], ["all.out", "log.in"]]),
    );
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    assert_eq!(logged(&events, "log"), [json!([])]);
}

#[tokio::test]
async fn nested_for_each_collects_per_inner_run_then_per_outer_run() {
    let flow = flow(
        json!({
            "rows": {"type": "for_each", "items": "[[1, 2], [3], []]", "concurrency": 2},
            "cells": {"type": "for_each"},
            "square": {"type": "evaluate", "expression": ". * ."},
            "row": {"type": "collect"},
            "table": {"type": "collect"},
            "log": {"type": "log"}
        }),
        json!([
            ["start.out", "rows.in"],
            ["rows.item", "cells.in"],
            ["cells.item", "square.in"],
            ["square.out", "row.in"],
            ["row.out", "table.in"],
            ["table.out", "log.in"]
        ]),
    );
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    assert_eq!(logged(&events, "log"), [json!([[1, 4], [9], []])]);
}

#[tokio::test]
async fn items_that_are_not_an_array_fail_the_block() {
    let flow = around(json!({"a": 1}), json!({"type": "for_each", "items": ".a"}), &["item"]);
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Failed);
    assert!(failures(&events)[0].2.contains("`items` must give an array, it gave a number"), "{:?}", failures(&events));
}

#[tokio::test]
async fn checks_turn_success_into_failure_naming_each_check_that_failed() {
    let (addr, _server) = Server::start(1).await;
    let request = |checks: Value| {
        flow(
            json!({
                "list": {"type": "send_request", "url": format!("http://{addr}/items"), "checks": checks},
                "ok": {"type": "log"}, "bad": {"type": "log"}
            }),
            json!([["start.out", "list.in"], ["list.success", "ok.in"], ["list.failure", "bad.in"]]),
        )
    };
    let (summary, events) =
        run(&request(json!([["has items", ".body.items | length > 0"], ["is 200", ".status == 200"]]))).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    assert_eq!(logged(&events, "ok").len(), 1);
    let results: Vec<(String, bool)> = events
        .iter()
        .filter_map(|e| match e {
            Event::CheckResult { name, passed, .. } => Some((name.clone(), *passed)),
            _ => None,
        })
        .collect();
    assert_eq!(results, [("has items".into(), true), ("is 200".into(), true)]);

    let (summary, events) = run(&request(json!([
        ["has items", ".body.items | length > 0"],
        ["ten", ".body.items | length"],
        ["empty", ".body.items == []"]
    ])))
    .await;
    assert_eq!(summary.outcome, Outcome::Ok, "handled by the failure wire");
    let bad = logged(&events, "bad");
    let value = ResponseValue::from_value(&bad[0]).unwrap();
    assert_eq!(value.status, Some(200));
    let error = value.error.unwrap();
    assert_eq!(error.kind, ErrorKind::CheckFailed);
    // A check holds only when it gives `true`: `ten` gives 4, which an `if` would take
    // as true, and does not hold.
    assert!(error.message.contains("2 of 3 checks did not hold: `ten`, `empty`"), "{}", error.message);
    assert_eq!(error.checks.len(), 2);
    assert_eq!((error.checks[0].name.as_str(), &error.checks[0].result), ("ten", &json!(4)));
    assert_eq!((error.checks[1].name.as_str(), &error.checks[1].result), ("empty", &json!(false)));
    assert_eq!(bad[0]["error"]["kind"], "check_failed");
}

#[tokio::test]
async fn a_wired_loop_polls_until_ready_and_the_step_limit_stops_one_that_never_is() {
    let (addr, server) = Server::start(1).await;
    let poll = |condition: &str| {
        flow(
            json!({
                "job": {"type": "send_request", "url": format!("http://{addr}/job")},
                "ready": {"type": "if", "condition": condition},
                "wait": {"type": "delay", "ms": 1},
                "done": {"type": "log"}
            }),
            json!([
                ["start.out", "job.in"],
                ["job.success", "ready.in"],
                ["ready.false", "wait.in"],
                ["wait.out", "job.in"],
                ["ready.true", "done.in"]
            ]),
        )
    };
    let (summary, events) = run(&poll(".body.state == \"done\"")).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    assert_eq!(server.job_calls.load(Ordering::SeqCst), 3);
    assert_eq!(logged(&events, "done")[0]["body"]["calls"], 3);

    let config = EngineConfig { max_steps: 40, ..EngineConfig::default() };
    let (summary, _) = run_with(&poll("false"), &Variables::new(), config).await;
    assert_eq!(summary.outcome, Outcome::Limit);
    assert_eq!(summary.counts.blocks_run, 40);
}

#[tokio::test]
async fn a_runaway_expression_fails_its_block_within_the_bound() {
    let flow = around(json!(1), json!({"type": "evaluate", "expression": "[range(1e12)] | length"}), &["out"]);
    let (summary, events) = run(&flow).await;
    assert_eq!(summary.outcome, Outcome::Failed);
    assert!(failures(&events)[0].2.contains("did not finish"), "{:?}", failures(&events));
}

#[tokio::test]
async fn the_run_handle_streams_every_event_and_ends_with_run_finished() {
    let flow = around(json!([1, 2]), json!({"type": "evaluate", "expression": "length"}), &["out"]);
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let mut handle = engine.start(Arc::new(flow), Arc::new(Variables::new()));
    let mut events = Vec::new();
    while let Some(event) = handle.next().await {
        events.push(event);
    }
    assert!(matches!(events.first(), Some(Event::RunStarted { .. })));
    assert!(matches!(events.last(), Some(Event::RunFinished { outcome: Outcome::Ok, .. })));
    assert_eq!(logged(&events, "log-out"), [json!(2)]);
}

/// Loads `flows/language/NAME` with every request pointed at `addr`.
fn example(name: &str, addr: SocketAddr) -> Flow {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows/language").join(name);
    let mut flow = switchyard_flow::load(&path).unwrap();
    for block in &mut flow.blocks {
        match &mut block.kind {
            switchyard_flow::BlockKind::SendRequest(request) => {
                for origin in ["https://auth.example.com", "https://api.example.com"] {
                    request.url = request.url.replace(origin, &format!("http://{addr}"));
                }
            }
            // The example waits half a second between tries; the test need not.
            switchyard_flow::BlockKind::Delay(delay) => delay.ms = 1,
            _ => {}
        }
    }
    flow
}

#[tokio::test]
async fn example_login_keeps_the_token_as_a_secret_and_calls_the_api_with_it() {
    let (addr, server) = Server::start(1).await;
    let variables: Variables =
        [Variable::plain("user", "ada"), Variable::secret("password", "pw-EXAMPLE-77")].into_iter().collect();
    let (summary, events) =
        run_with(&example("login-then-call.flow.json", addr), &variables, EngineConfig::default()).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    assert_eq!(server.seen(), ["/login", "/whoami"]);
    let me = logged(&events, "me");
    assert_eq!(me[0]["body"]["authorization"], format!("Bearer {MASK}"), "the token went out and is masked");
    let text: String = events.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    assert!(!text.contains("pw-EXAMPLE-77"), "{text}");
    // The token is captured at the source: masked in every event, the login's own
    // response included.
    assert!(!text.contains("tok-CAPTURED-9f3e"), "{text}");
    assert_eq!(fired(&events, "login")[0].1["body"]["access_token"], MASK);
    assert!(events.iter().any(|e| matches!(e, Event::VariableSet { name, secret: true, .. } if name == "token")));
}

#[tokio::test]
async fn example_fetch_each_collects_every_item_in_order() {
    let (addr, server) = Server::start(1).await;
    let (summary, events) = run(&example("fetch-each.flow.json", addr)).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    assert!(server.most_in_flight.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        logged(&events, "items"),
        [json!([{"id": 1, "name": "item 1"}, {"id": 2, "name": "item 2"}, {"id": 4, "name": "item 4"}])]
    );
    assert_eq!(logged(&events, "failed").len(), 1, "item 3 answers 404");
}

#[tokio::test]
async fn example_poll_job_waits_until_the_job_is_done() {
    let (addr, server) = Server::start(1).await;
    let (summary, events) = run(&example("poll-job.flow.json", addr)).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    assert_eq!(server.job_calls.load(Ordering::SeqCst), 3);
    assert_eq!(logged(&events, "done")[0]["body"]["state"], "done");
    let ways: Vec<Port> = fired(&events, "is-done").into_iter().map(|(port, _)| port).collect();
    assert_eq!(ways, [Port::False, Port::False, Port::True]);
}
