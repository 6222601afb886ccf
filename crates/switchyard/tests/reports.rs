//! End-to-end tests of what `switchyard run` writes as reports, beyond their layout
//! (tests/ci.rs): what a report path points at survives (FIFOs, links, devices), the
//! JUnit file is XML 1.0 whatever a flow or server says, long bodies are cut with a
//! marker, a long loop keeps a bounded report, and reports are masked with a secret
//! the run learned only after the events that hold it.
// Helpers of the tests: a failed step panics, failing the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::os::unix::fs::FileTypeExt as _;
use std::path::Path;

use axum::Router;
use axum::routing::get;
use common::{RouterServer, TestServer, assert_no_form, flow, run, switchyard, write_flow};
use serde_json::{Value, json};

/// start → one request to `url` → log on success; failure unwired.
fn one_request(name: &str, url: &str) -> Value {
    let mut document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    );
    document["name"] = json!(name);
    document
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {path:?}");
}

#[test]
fn a_report_to_a_fifo_is_written_into_it_and_the_fifo_stays() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "a.flow.json", &one_request("A", &server.url("/json")));
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    // The reader waits for a writer; it gets the report when the run writes into the FIFO.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let finished = run(switchyard(dir.path()).arg("run").arg(&path).arg("--report-json").arg(&fifo));
    assert_eq!(finished.code, 0, "{finished:?}");
    // Checked before waiting for the reader: were the FIFO replaced, it would wait forever.
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    let report: Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(report["outcome"], "ok");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".switchyard-report"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_report_to_a_link_replaces_the_links_target_and_keeps_the_link() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "a.flow.json", &one_request("A", &server.url("/json")));
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let target = reports.join("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink("reports/real.json", &link).unwrap();
    // A link to a file that is not there yet: the file is made where it points.
    let dangling = dir.path().join("report.xml");
    std::os::unix::fs::symlink("reports/junit.xml", &dangling).unwrap();

    let finished = run(switchyard(dir.path())
        .arg("run")
        .arg(&path)
        .arg("--report-json")
        .arg(&link)
        .arg("--report-junit")
        .arg(&dangling));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert!(std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink(), "the link was replaced");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(report["outcome"], "ok");
    assert!(std::fs::read_to_string(reports.join("junit.xml")).unwrap().contains("<testsuites"));
}

#[test]
fn a_report_that_cannot_be_written_ends_with_exit_3_and_the_device_stays() {
    let full = Path::new("/dev/full");
    let Ok(meta) = std::fs::symlink_metadata(full) else {
        eprintln!("skipped: no /dev/full here");
        return;
    };
    assert!(meta.file_type().is_char_device());
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "a.flow.json", &one_request("A", &server.url("/json")));
    let finished = run(switchyard(dir.path()).arg("run").arg(&path).arg("--report-json").arg(full));
    assert_eq!(finished.code, 3, "{finished:?}");
    assert!(finished.stderr.contains("cannot write the report /dev/full"), "{}", finished.stderr);
    assert!(std::fs::symlink_metadata(full).unwrap().file_type().is_char_device(), "/dev/full was replaced");
}

#[test]
fn the_junit_report_is_xml_1_0_whatever_a_flow_or_a_server_says() {
    let odd = "a\u{fffe}b\u{ffff}c\u{1}d\u{b}e\u{1b}f";
    let server =
        RouterServer::start(Router::new().route("/odd", get(move || async move { axum::Json(json!({"odd": odd})) })));
    let dir = tempfile::tempdir().unwrap();
    let document = json!({
        "switchyard": 1,
        "name": format!("flow {odd}"),
        "blocks": {
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": server.url("/odd"),
                     "checks": [[format!("check {odd}"), ".body.odd == \"x\""]]},
            "boom": {"type": "evaluate", "at": [400, 0], "expression": "error(.body.odd)"}
        },
        "wires": [["start.out", "call.in"], ["call.failure", "boom.in"]]
    });
    let path = write_flow(dir.path(), "odd.flow.json", &document);
    let junit = dir.path().join("junit.xml");
    let finished = run(switchyard(dir.path()).arg("run").arg(&path).arg("--report-junit").arg(&junit));
    assert_eq!(finished.code, 1, "{finished:?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap_or_else(|error| panic!("{error}:\n{xml:?}"));
    let suite = document.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    assert_eq!(suite.attribute("name"), Some("flow a\\u{fffe}b\\u{ffff}c\\u{1}d\\u{b}e\\u{1b}f"));
    let cases: Vec<&str> =
        document.descendants().filter(|n| n.has_tag_name("testcase")).filter_map(|n| n.attribute("name")).collect();
    assert!(cases.contains(&"call: check a\\u{fffe}b\\u{ffff}c\\u{1}d\\u{b}e\\u{1b}f"), "{cases:?}");
    // The server's string, in the expression error's message.
    let messages: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("error") || n.has_tag_name("failure"))
        .filter_map(|n| n.attribute("message"))
        .collect();
    assert!(messages.iter().any(|m| m.contains("b\\u{ffff}c")), "{messages:?}");
}

#[test]
fn long_bodies_are_cut_in_the_json_and_html_reports_saying_how_much_was_left_out() {
    let big = "x".repeat(300_000);
    let body = big.clone();
    let server = RouterServer::start(Router::new().route("/big", get(move || async move { body })));
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "big.flow.json", &one_request("Big", &server.url("/big")));
    let (report, html) = (dir.path().join("r.json"), dir.path().join("r.html"));
    let finished = run(switchyard(dir.path())
        .arg("run")
        .arg(&path)
        .arg("--report-json")
        .arg(&report)
        .arg("--report-html")
        .arg(&html)
        .args(["--report-body-limit", "1000", "--format", "json"]));
    assert_eq!(finished.code, 0, "{finished:?}");
    // The run's own output is not cut.
    assert!(finished.stdout.contains(&big));

    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.len() < 20_000, "{} bytes", text.len());
    let report: Value = serde_json::from_str(&text).unwrap();
    let events = report["flows"][0]["events"].as_array().unwrap();
    let bodies: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "block_finished" && e["block"] == "call" || e["event"] == "log")
        .map(|e| e["value"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    let marker = " … [299000 more bytes left out of this report: --report-body-limit]";
    for body in bodies {
        assert_eq!(body, format!("{}{marker}", "x".repeat(1000)));
    }
    let block = events.iter().find(|e| e["event"] == "block_finished" && e["block"] == "call").unwrap();
    assert_eq!(block["value"]["status"], 200, "the rest of the response stays");

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.len() < 30_000, "{} bytes", page.len());
    assert!(page.contains(&format!("{}{marker}", "x".repeat(1000))));
}

/// A loop that runs until the step limit sends more events than a report keeps: the
/// report keeps its first ones and its end, and says how many it left out.
#[test]
fn a_long_loop_keeps_a_bounded_report() {
    let dir = tempfile::tempdir().unwrap();
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "a": {"type": "evaluate", "at": [200, 0], "expression": "."},
            "b": {"type": "evaluate", "at": [400, 0], "expression": "."}
        }),
        json!([["start.out", "a.in"], ["a.out", "b.in"], ["b.out", "a.in"]]),
    );
    let path = write_flow(dir.path(), "loop.flow.json", &document);
    let (report, junit, html) = (dir.path().join("r.json"), dir.path().join("j.xml"), dir.path().join("r.html"));
    let finished = run(switchyard(dir.path())
        .arg("run")
        .arg(&path)
        .args(["--max-steps", "30000", "--format", "json"])
        .arg("--report-json")
        .arg(&report)
        .arg("--report-junit")
        .arg(&junit)
        .arg("--report-html")
        .arg(&html));
    assert_eq!(finished.code, 1, "the step limit: {}", finished.stderr);
    let sent = finished.stdout.lines().count();
    assert!(sent > 60_000, "{sent} events");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let flow = &report["flows"][0];
    let events = flow["events"].as_array().unwrap();
    assert_eq!(events.len(), 50_001);
    assert_eq!(flow["events_left_out"].as_u64().unwrap() as usize, sent - events.len());
    assert_eq!(events.last().unwrap()["event"], "run_finished");
    assert_eq!(events.last().unwrap()["outcome"], "limit");
    assert!(std::fs::read_to_string(&junit).unwrap().contains("events_left_out"));
    assert!(std::fs::read_to_string(&html).unwrap().contains("later ones were left out"));
}

/// A token seen in a response, made a secret by a later `set`: the reports are written
/// at the end of the run, masked with every secret it knew by then.
#[test]
fn reports_are_masked_with_a_secret_the_run_learned_after_the_events_that_hold_it() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let token = "tok-Late-Learned-9f3c2a";
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "login": {"type": "send_request", "at": [200, 0], "url": server.url(&format!("/echo?token={token}"))},
            "boom": {"type": "evaluate", "at": [400, 0], "expression": "error(\"no session for \" + .body.query)"},
            "keep": {"type": "set", "at": [400, 100], "name": "token",
                     "value": ".body.query | ltrimstr(\"token=\")", "secret": true},
            "use": {"type": "send_request", "at": [600, 100], "url": server.url("/status/503"),
                    "headers": [["Authorization", "Bearer {{token}}"]]}
        }),
        json!([
            ["start.out", "login.in"],
            ["login.success", "boom.in"],
            ["login.success", "keep.in"],
            ["keep.out", "use.in"]
        ]),
    );
    let path = write_flow(dir.path(), "late.flow.json", &document);
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let finished = run(switchyard(dir.path())
        .arg("run")
        .arg(&path)
        .arg("--report-junit")
        .arg(reports.join("j.xml"))
        .arg("--report-json")
        .arg(reports.join("r.json"))
        .arg("--report-html")
        .arg(reports.join("r.html")));
    assert_eq!(finished.code, 1, "{finished:?}");
    let received = server.received();
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[1].header("authorization"), Some(format!("Bearer {token}").as_str()), "the secret was sent");
    for report in ["j.xml", "r.json", "r.html"] {
        let text = std::fs::read_to_string(reports.join(report)).unwrap();
        assert!(text.contains("*****"), "{report}: masked, not dropped:\n{text}");
        assert_no_form(&text, &[token]);
        let unescaped = text.replace("&quot;", "\"").replace("&amp;", "&").replace("&#39;", "'");
        assert_no_form(&unescaped, &[token]);
    }
}
