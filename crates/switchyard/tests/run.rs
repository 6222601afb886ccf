//! End-to-end tests of `switchyard run` against a local server: what reaches stdout
//! and stderr in both formats, and the exit code of each outcome.

mod common;

use common::{TestServer, flow, run, switchyard, write_flow};
use serde_json::{Value, json};

/// start → call(url) → success → log "Result"; `extra` adds blocks and wires.
fn logged_request(url: &str) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url},
            "log": {"type": "log", "at": [400, 0], "label": "Result"}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    )
}

#[test]
fn successful_request_logs_the_response_on_stdout_and_ok_on_stderr() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "ok.json", &logged_request(&server.url("/json")));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path));

    assert_eq!(finished.code, 0, "{finished:?}");
    let logged: Value = serde_json::from_str(&finished.stdout).unwrap();
    assert_eq!(
        finished.stdout,
        format!("{}\n", serde_json::to_string_pretty(&logged).unwrap()),
        "only the pretty value"
    );
    assert_eq!(logged["status"], 200);
    assert_eq!(logged["body"], json!({"hello": "world", "items": [1, 2, 3]}));
    assert_eq!(logged["url"], server.url("/json"));
    let stderr = &finished.stderr;
    assert!(stderr.starts_with("▶ E2E flow (3 blocks)\n"), "{stderr}");
    assert!(stderr.contains(&format!("→ GET {}  (call)", server.url("/json"))), "{stderr}");
    assert!(stderr.contains("✓ call  200 · "), "{stderr}");
    assert!(stderr.contains("≡ log \"Result\""), "{stderr}");
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · "), "{stderr}");
    assert_eq!(server.received().len(), 1);
}

#[test]
fn var_values_are_substituted_into_the_request() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "vars.json", &logged_request("{{base}}/{{ route }}"));

    let finished = run(switchyard(dir.path())
        .arg("run")
        .arg(&path)
        .args(["--var", &format!("base={}", server.base)])
        .args(["--var", "route=json"]));

    assert_eq!(finished.code, 0, "{finished:?}");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/json");
}

#[test]
fn failure_with_nothing_wired_fails_the_run() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "fail.json", &logged_request(&server.url("/status/500")));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path));

    assert_eq!(finished.code, 1, "{finished:?}");
    assert_eq!(finished.stdout, "", "nothing was logged");
    assert!(finished.stderr.contains("✗ call  failure: 500 · "), "{}", finished.stderr);
    let last = finished.stderr.lines().last().unwrap();
    assert!(last.starts_with("✖ failed · 1 unhandled failure · "), "{}", finished.stderr);
}

#[test]
fn failure_wired_to_a_log_is_handled_and_the_run_is_ok() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut document = logged_request(&server.url("/status/404"));
    document["blocks"]["oops"] = json!({"type": "log", "at": [400, 200], "label": "Failure"});
    document["wires"].as_array_mut().unwrap().push(json!(["call.failure", "oops.in"]));
    let path = write_flow(dir.path(), "handled.json", &document);

    let finished = run(switchyard(dir.path()).arg("run").arg(&path));

    assert_eq!(finished.code, 0, "{finished:?}");
    let logged: Value = serde_json::from_str(&finished.stdout).unwrap();
    assert_eq!(logged["status"], 404);
    assert_eq!(logged["body"], json!({"status": 404}));
    assert!(finished.stderr.contains("≡ oops \"Failure\""), "{}", finished.stderr);
    assert!(finished.stderr.lines().last().unwrap().starts_with("✔ ok"), "{}", finished.stderr);
}

#[test]
fn json_format_writes_one_event_per_line_from_run_started_to_run_finished() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "json.json", &logged_request(&server.url("/json")));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--format", "json"]));

    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(finished.stderr, "", "stderr is for fatal errors only");
    let events: Vec<Value> = finished.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert!(events.iter().all(|event| event["event"].is_string()), "{}", finished.stdout);
    let names: Vec<&str> = events.iter().map(|event| event["event"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"run_started"));
    assert_eq!(names.last(), Some(&"run_finished"));
    for expected in ["block_started", "request_sent", "response_received", "log", "block_finished"] {
        assert!(names.contains(&expected), "no {expected} in {names:?}");
    }
    let started = finished.stdout.lines().find(|line| line.contains("block_started")).unwrap();
    assert_eq!(
        started, r#"{"event":"block_started","block":"start","kind":"start","step":1}"#,
        "a block's type is its file name"
    );
    let kinds: Vec<&str> = events
        .iter()
        .filter(|event| event["event"] == "block_started")
        .map(|event| event["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["start", "send_request", "log"]);
    let last = events.last().unwrap();
    assert_eq!(last["outcome"], "ok");
    assert_eq!(last["counts"]["responses"], 1);
    let log = events.iter().find(|event| event["event"] == "log").unwrap();
    assert_eq!(log["value"]["body"]["hello"], "world");
}

#[test]
fn json_format_reports_the_failed_outcome_with_exit_1() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "json-fail.json", &logged_request(&server.url("/status/503")));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--format", "json"]));

    assert_eq!(finished.code, 1, "{finished:?}");
    let last: Value = serde_json::from_str(finished.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!(last["outcome"], "failed");
    assert_eq!(last["counts"]["unhandled"], 1);
}

#[test]
fn unresolved_variable_fails_the_block_without_sending() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut document = logged_request(&server.url("/echo"));
    document["blocks"]["call"]["headers"] = json!([["Authorization", "Bearer {{auth}}"]]);
    let path = write_flow(dir.path(), "unresolved.json", &document);

    let finished = run(switchyard(dir.path()).arg("run").arg(&path));

    assert_eq!(finished.code, 1, "{finished:?}");
    assert!(server.received().is_empty(), "the request must not be sent");
    let stderr = &finished.stderr;
    assert!(stderr.contains("⚠ {{auth}} is not defined"), "{stderr}");
    assert!(stderr.contains("✗ call  failure: unresolved {{auth}}"), "{stderr}");
    assert!(stderr.lines().last().unwrap().starts_with("✖ failed"), "{stderr}");
}

#[test]
fn wired_loop_stops_at_max_steps_with_outcome_limit() {
    let dir = tempfile::tempdir().unwrap();
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "log": {"type": "log", "at": [200, 0]},
            "log2": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "log.in"], ["log.out", "log2.in"], ["log2.out", "log.in"]]),
    );
    let path = write_flow(dir.path(), "loop.json", &document);

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--max-steps", "20"]));

    assert_eq!(finished.code, 1, "{finished:?}");
    let last = finished.stderr.lines().last().unwrap();
    assert!(last.starts_with("✖ limit: stopped after 20 steps"), "{}", finished.stderr);
    assert!(last.contains("--max-steps"), "{last}");
    assert_eq!(finished.stdout.lines().count(), 19, "19 Log runs, each logging null: {}", finished.stdout);

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--max-steps", "20", "--format", "json"]));
    assert_eq!(finished.code, 1, "{finished:?}");
    let last: Value = serde_json::from_str(finished.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["outcome"], "limit");
    assert_eq!(last["counts"]["blocks_run"], 20);
}
