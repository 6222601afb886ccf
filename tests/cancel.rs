//! End-to-end test of Ctrl-C: SIGINT during a request stuck on a server that never
//! answers cancels the run at once, with outcome `cancelled` and exit code 1.

mod common;

use common::{TestServer, flow, send_signal, spawn, switchyard, wait, write_flow};
use serde_json::{Value, json};

fn stuck_flow(server: &TestServer) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": server.url("/stuck"), "timeout_ms": 600_000},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"], ["call.failure", "log.in"]]),
    )
}

#[test]
fn ctrl_c_cancels_a_stuck_request_and_exits_1() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "stuck.json", &stuck_flow(&server));

    let child = spawn(switchyard(dir.path()).arg("run").arg(&path));
    server.wait_until_stuck();
    send_signal(child.id(), "INT");
    let finished = wait(child);

    assert_eq!(finished.code, 1, "{finished:?}");
    assert_eq!(finished.stdout, "", "nothing was logged");
    let last = finished.stderr.lines().last().unwrap();
    assert!(last.starts_with("■ cancelled"), "{}", finished.stderr);
}

#[test]
fn ctrl_c_in_json_format_ends_with_a_cancelled_run_finished_event() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "stuck.json", &stuck_flow(&server));

    let child = spawn(switchyard(dir.path()).arg("run").arg(&path).args(["--format", "json"]));
    server.wait_until_stuck();
    send_signal(child.id(), "INT");
    let finished = wait(child);

    assert_eq!(finished.code, 1, "{finished:?}");
    assert_eq!(finished.stderr, "");
    let last: Value = serde_json::from_str(finished.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!(last["outcome"], "cancelled");
}
