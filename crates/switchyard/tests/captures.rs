//! End-to-end tests of captures and of `log` at level `error` through `switchyard run`:
//! a login's token captured as a secret is sent with the next request and appears in
//! no form anywhere (stdout, stderr, in both formats, the JSON, HTML and JUnit reports,
//! any file under `SWITCHYARD_HOME`), not even in the login's own response; a value
//! logged at level `error` makes the run fail (exit 1) while it goes on.
// Test helpers index JSON values they built themselves.
#![allow(clippy::indexing_slicing)]

mod common;

use common::{LOGIN_TOKEN, TestServer, all_files_text, assert_no_form, flow, run, switchyard, write_flow};
use serde_json::{Value, json};
use switchyard_engine::MASK;

/// start → login (captures the token as a secret) → call /echo with it → log.
fn login_flow(server: &TestServer) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "login": {
                "type": "send_request",
                "at": [200, 0],
                "method": "POST",
                "url": server.url("/login"),
                "body": {"json": {"user": "ada"}},
                "checks": [["has a token", ".body.access_token | length > 0"]],
                "captures": [["token", ".body.access_token", "secret"], ["user-id", ".body.user.id"]]
            },
            "call": {
                "type": "send_request",
                "at": [400, 0],
                "url": server.url("/echo?user={{user-id}}"),
                "headers": [["Authorization", "Bearer {{token}}"]]
            },
            "log": {"type": "log", "at": [600, 0], "label": "echo"}
        }),
        json!([["start.out", "login.in"], ["login.success", "call.in"], ["call.success", "log.in"]]),
    )
}

#[test]
fn a_token_captured_as_a_secret_is_in_no_output_and_no_report() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "login.flow.json", &login_flow(&server));
    for format in ["human", "json"] {
        let reports = tempfile::tempdir().unwrap();
        let (junit, json_report, html) =
            (reports.path().join("r.xml"), reports.path().join("r.json"), reports.path().join("r.html"));
        let finished = run(switchyard(dir.path())
            .arg("run")
            .arg(&path)
            .args(["--format", format])
            .arg("--report-junit")
            .arg(&junit)
            .arg("--report-json")
            .arg(&json_report)
            .arg("--report-html")
            .arg(&html));
        assert_eq!(finished.code, 0, "{format}: {finished:?}");
        assert!(!finished.stderr.contains("not defined"), "a captured name is defined: {}", finished.stderr);
        assert_no_form(&finished.all_output(), &[LOGIN_TOKEN]);
        assert!(finished.all_output().contains(MASK), "masked, not dropped: {}", finished.all_output());
        for report in [&junit, &json_report, &html] {
            let text = std::fs::read_to_string(report).unwrap();
            assert_no_form(&text, &[LOGIN_TOKEN]);
        }
        // The login's own response, in the JSON report, holds the mask.
        let report: Value = serde_json::from_str(&std::fs::read_to_string(&json_report).unwrap()).unwrap();
        let login = report["flows"][0]["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["event"] == "block_finished" && e["block"] == "login")
            .cloned()
            .unwrap_or_else(|| panic!("no login block_finished in {report}"));
        assert_eq!(login["value"]["body"]["access_token"], MASK, "{login}");
        assert_no_form(&all_files_text(dir.path()), &[LOGIN_TOKEN]);
    }
    let received = server.received();
    let calls: Vec<_> = received.iter().filter(|r| r.path == "/echo").collect();
    assert_eq!(calls.len(), 2);
    for call in calls {
        assert_eq!(call.header("authorization"), Some(format!("Bearer {LOGIN_TOKEN}").as_str()), "the token is sent");
        assert_eq!(call.query, "user=7");
    }
}

/// start → /status/500 → failure → log at level `error` → log.
fn failing_path_flow(server: &TestServer) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": server.url("/status/500")},
            "oops": {"type": "log", "at": [400, 0], "label": "server error", "level": "error"},
            "after": {"type": "log", "at": [600, 0], "label": "went on"}
        }),
        json!([["start.out", "call.in"], ["call.failure", "oops.in"], ["oops.out", "after.in"]]),
    )
}

#[test]
fn a_value_logged_at_level_error_fails_the_run_with_exit_1() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "oops.flow.json", &failing_path_flow(&server));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 1, "{finished:?}");
    assert!(finished.stderr.contains("✗ oops \"server error\"  error"), "{}", finished.stderr);
    assert!(finished.stderr.contains("went on"), "the run went on: {}", finished.stderr);
    let last = finished.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("✖ failed") && last.contains("1 error logged"), "{last}");
    // Both values are on stdout, the failure and then the same value passed on.
    assert_eq!(finished.stdout.matches("/status/500").count(), 2, "{}", finished.stdout);

    // The JUnit report says so too: the error log is a failed test case.
    let junit = dir.path().join("junit.xml");
    let html = dir.path().join("report.html");
    let finished = run(switchyard(dir.path())
        .arg("run")
        .arg(&path)
        .arg("--report-junit")
        .arg(&junit)
        .arg("--report-html")
        .arg(&html));
    assert_eq!(finished.code, 1, "{finished:?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let oops = document
        .descendants()
        .find(|node| node.has_tag_name("testcase") && node.attribute("name") == Some("oops"))
        .unwrap_or_else(|| panic!("no test case for the error log: {xml}"));
    let failure = oops.children().find(|node| node.has_tag_name("failure")).unwrap_or_else(|| panic!("{xml}"));
    assert_eq!(failure.attribute("type"), Some("error_logged"), "{xml}");
    assert!(failure.attribute("message").unwrap_or_default().contains("server error"), "{xml}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("a value was logged at level error: server error"), "the HTML report shows it");

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--format", "json"]));
    assert_eq!(finished.code, 1, "{finished:?}");
    let events: Vec<Value> = finished.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let logged: Vec<&Value> = events.iter().filter(|e| e["event"] == "log").collect();
    assert_eq!(logged[0]["level"], "error");
    assert!(logged[1].get("level").is_none(), "info is left out: {}", logged[1]);
    let finished_event = events.last().unwrap();
    assert_eq!(finished_event["outcome"], "failed");
    assert_eq!(finished_event["counts"]["error_logs"], 1);
}
