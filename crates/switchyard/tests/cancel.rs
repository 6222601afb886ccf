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

/// Output is buffered, but never held back: while a request is stuck, the line saying
/// it was sent is already out (in both formats), before anything ends the run.
#[test]
fn a_waiting_run_has_already_shown_its_lines() {
    use std::io::{BufRead as _, BufReader};
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    // A quick request first: its lines are flushed at once, so the stuck one's come
    // within the next 20 ms, from the flush timer.
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "quick": {"type": "send_request", "at": [200, 0], "url": server.url("/json")},
            "call": {"type": "send_request", "at": [400, 0], "url": server.url("/stuck"), "timeout_ms": 600_000}
        }),
        json!([["start.out", "quick.in"], ["quick.success", "call.in"]]),
    );
    let path = write_flow(dir.path(), "quick-then-stuck.json", &document);
    for (format, stream_is_stdout) in [("human", false), ("json", true)] {
        let needle = "/stuck";
        let mut child = spawn(switchyard(dir.path()).arg("run").arg(&path).args(["--format", format]));
        let reader: Box<dyn std::io::Read + Send> = if stream_is_stdout {
            Box::new(child.stdout.take().unwrap())
        } else {
            Box::new(child.stderr.take().unwrap())
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(reader).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        server.wait_until_stuck();
        // A safety net, not a timing: the line is flushed within 20 ms.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                send_signal(child.id(), "KILL");
                panic!("{format}: `{needle}` was not shown while the request waited")
            });
            if line.contains(needle) {
                break;
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "{format}: still running while its lines are out");
        send_signal(child.id(), "INT");
        assert_eq!(child.wait().unwrap().code(), Some(1));
    }
}
