//! End-to-end tests of `switchyard run` as a CI runner (docs/cli.md): several flows and
//! folders, `--jobs`, `--bail`, invalid files first, and the JUnit, JSON and HTML
//! reports, through the built binary against a local server.
// Helpers of the tests: a failed step panics, failing the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};

use common::{TestServer, assert_no_form, flow, run, switchyard, write_file, write_flow};
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use serde_json::{Value, json};

/// start → one request to `url` (with `checks`) → log on success; failure unwired.
fn one_request(name: &str, url: &str, checks: Value) -> Value {
    let mut document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url, "checks": checks},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    );
    document["name"] = json!(name);
    document
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The flow headers (`▶ …`) of human output, in order.
fn headers(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with('▶')).collect()
}

#[test]
fn with_jobs_2_two_flows_run_at_once_and_each_prints_whole() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    // `/together` answers only while two requests wait there at the same time.
    let a = write_flow(dir.path(), "a.flow.json", &one_request("A", &server.url("/together"), json!([])));
    let b = write_flow(dir.path(), "b.flow.json", &one_request("B", &server.url("/together"), json!([])));
    let finished = run(switchyard(dir.path()).arg("run").arg(&a).arg(&b).args(["--jobs", "2"]));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(server.received().len(), 2);
    // Each flow's lines come together: header, request, result, log, summary.
    let lines: Vec<&str> = finished.stderr.lines().collect();
    for start in lines.iter().enumerate().filter(|(_, l)| l.starts_with('▶')).map(|(i, _)| i) {
        assert!(lines[start + 1..].iter().take_while(|l| !l.starts_with('▶')).any(|l| l.starts_with("✔ ok")));
    }
    let last = lines.last().unwrap();
    assert!(last.starts_with("2 flows: 2 ok · 2 requests · "), "{}", finished.stderr);
}

#[test]
fn a_folder_runs_every_flow_file_below_it_in_path_order() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    std::fs::create_dir_all(flows.join("a")).unwrap();
    write_flow(&flows, "b.flow.json", &one_request("B", &server.url("/json"), json!([])));
    write_flow(&flows.join("a"), "z.flow.json", &one_request("A/Z", &server.url("/json"), json!([])));
    write_file(&flows, "notes.json", "not a flow, not named like one");
    let finished = run(switchyard(dir.path()).arg("run").arg(&flows));
    assert_eq!(finished.code, 0, "{finished:?}");
    let headers = headers(&finished.stderr);
    assert_eq!(headers.len(), 2, "{}", finished.stderr);
    assert!(headers[0].starts_with("▶ A/Z") && headers[0].ends_with("z.flow.json"), "{headers:?}");
    assert!(headers[1].starts_with("▶ B"), "{headers:?}");

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let finished = run(switchyard(dir.path()).arg("run").arg(&empty));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert!(finished.stderr.contains("no *.flow.json files"), "{}", finished.stderr);
}

#[test]
fn bail_starts_no_flow_after_one_that_is_not_ok() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = [("1", "/status/500"), ("2", "/json"), ("3", "/json")]
        .iter()
        .map(|(n, path)| {
            write_flow(dir.path(), &format!("{n}.flow.json"), &one_request(n, &server.url(path), json!([])))
        })
        .collect();
    let report = dir.path().join("report.json");
    let finished = run(switchyard(dir.path()).arg("run").args(&paths).arg("--bail").arg("--report-json").arg(&report));
    assert_eq!(finished.code, 1, "{finished:?}");
    assert_eq!(server.received().len(), 1, "only the first flow ran");
    assert!(finished.stderr.contains("3 flows: 0 ok, 1 failed, 2 not run · 1 request"), "{}", finished.stderr);
    let report = read_json(&report);
    assert_eq!(report["outcome"], "failed");
    let outcomes: Vec<&str> =
        report["flows"].as_array().unwrap().iter().map(|f| f["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["failed", "not_run", "not_run"]);

    // Without --bail every flow runs; the exit code still says one was not ok.
    let finished = run(switchyard(dir.path()).arg("run").args(&paths));
    assert_eq!(finished.code, 1, "{finished:?}");
    assert_eq!(server.received().len(), 4);
    assert!(finished.stderr.contains("3 flows: 2 ok, 1 failed · 3 requests"), "{}", finished.stderr);
}

#[test]
fn an_invalid_file_among_valid_ones_is_reported_and_nothing_runs() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let good = write_flow(dir.path(), "good.flow.json", &one_request("good", &server.url("/json"), json!([])));
    let bad = write_file(dir.path(), "bad.flow.json", r#"{"switchyard": 1, "blocks": {"#);
    let worse = write_file(dir.path(), "worse.flow.json", r#"{"switchyard": 1, "blocks": {"x": {"type": "nope"}}}"#);
    let finished = run(switchyard(dir.path()).arg("run").arg(&good).arg(&bad).arg(&worse));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert!(finished.stderr.contains("bad.flow.json"), "{}", finished.stderr);
    assert!(finished.stderr.contains("worse.flow.json"), "{}", finished.stderr);
    assert!(finished.stderr.contains("2 of 3 flow files are invalid; nothing was run"), "{}", finished.stderr);
    assert!(server.received().is_empty(), "nothing ran");
}

/// Two flows: checks that pass and one that fails; a request that fails.
fn checked_flows(dir: &Path, server: &TestServer) -> Vec<PathBuf> {
    let checks = json!([["says hello", ".body.hello == \"world\""], ["has four items", ".body.items | length == 4"]]);
    vec![
        write_flow(dir, "checks.flow.json", &one_request("Checks", &server.url("/json"), checks)),
        write_flow(dir, "down.flow.json", &one_request("Down", &server.url("/status/503"), json!([]))),
    ]
}

#[test]
fn the_junit_report_has_a_suite_per_flow_and_a_case_per_request_and_check() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("out").join("junit.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    let finished = run(switchyard(dir.path())
        .arg("run")
        .args(checked_flows(dir.path(), &server))
        .arg("--report-junit")
        .arg(&junit));
    assert_eq!(finished.code, 1, "{finished:?}");

    let report = Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap()).unwrap();
    assert_eq!(report.test_suites.len(), 2);
    let checks = &report.test_suites[0];
    assert_eq!(checks.name.as_str(), "Checks");
    let names: Vec<&str> = checks.test_cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["call: says hello", "call: has four items", "call"]);
    assert!(matches!(checks.test_cases[0].status, TestCaseStatus::Success { .. }));
    let TestCaseStatus::NonSuccess { kind, ty, message, .. } = &checks.test_cases[1].status else {
        panic!("the failed check is a failure: {:?}", checks.test_cases[1]);
    };
    assert_eq!((*kind, ty.as_ref().map(|t| t.as_str())), (NonSuccessKind::Failure, Some("check_failed")));
    assert!(message.as_ref().unwrap().as_str().contains("false"));
    let TestCaseStatus::NonSuccess { ty, .. } = &checks.test_cases[2].status else { panic!("the request failed") };
    assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("check_failed"));
    assert_eq!(checks.failures, 2);

    let down = &report.test_suites[1];
    assert_eq!((down.name.as_str(), down.tests, down.failures), ("Down", 1, 1));
    let TestCaseStatus::NonSuccess { ty, message, .. } = &down.test_cases[0].status else { panic!("503") };
    assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("status"));
    assert!(message.as_ref().unwrap().as_str().contains("503"));
    assert!(down.time.is_some() && down.test_cases[0].time.is_some());
}

#[test]
fn the_json_report_has_every_flows_outcome_duration_and_events() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let finished = run(switchyard(dir.path())
        .arg("run")
        .args(checked_flows(dir.path(), &server))
        .arg("--report-json")
        .arg(&report)
        .args(["--format", "json"]));
    assert_eq!(finished.code, 1, "{finished:?}");
    let report = read_json(&report);
    assert_eq!(report["outcome"], "failed");
    let flows = report["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 2);
    for flow in flows {
        assert_eq!(flow["outcome"], "failed");
        assert!(flow["duration_ms"].is_u64());
        let events = flow["events"].as_array().unwrap();
        assert_eq!(events.first().unwrap()["event"], "run_started");
        assert_eq!(events.last().unwrap()["event"], "run_finished");
    }
    let checks: Vec<&Value> =
        flows[0]["events"].as_array().unwrap().iter().filter(|e| e["event"] == "check_result").collect();
    assert_eq!(checks.len(), 2);
    // Several flows in --format json: each line names its file.
    for line in finished.stdout.lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        assert!(event["file"].as_str().unwrap().ends_with(".flow.json"), "{line}");
    }
}

#[test]
fn the_html_report_is_one_self_contained_page_with_each_request() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let finished =
        run(switchyard(dir.path()).arg("run").args(checked_flows(dir.path(), &server)).arg("--report-html").arg(&html));
    assert_eq!(finished.code, 1, "{finished:?}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for needle in
        ["<section class=\"flow bad\">", "Checks", "Down", "503", "check bad", "has four items", "Response body"]
    {
        assert!(page.contains(needle), "{needle} missing");
    }
    // Nothing loaded from elsewhere: no scripts, links, images or remote styles.
    for outside in ["<script", "<link", "<img", "src=", "@import", "url("] {
        assert!(!page.contains(outside), "{outside} in the page");
    }
}

/// A server that answers with control characters and markup: escaped in every report.
#[test]
fn reports_escape_markup_and_control_characters_from_flows_and_servers() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let name = "<b>bold</b> & \u{1b}[31mred";
    let path = write_flow(dir.path(), "x.flow.json", &one_request(name, &server.url("/status/500"), json!([])));
    let (junit, html) = (dir.path().join("j.xml"), dir.path().join("r.html"));
    run(switchyard(dir.path()).arg("run").arg(&path).arg("--report-junit").arg(&junit).arg("--report-html").arg(&html));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt; &amp; \\u{1b}[31mred"), "{page}");
    assert!(!page.contains('\u{1b}'));
    let report = Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap()).unwrap();
    assert_eq!(report.test_suites[0].name.as_str(), "<b>bold</b> & \\u{1b}[31mred");
}

#[test]
fn a_secret_from_the_ci_environment_is_in_no_report_in_any_form() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let secret = "ci-Sécret/+key&=\"q\\z-R7";
    let mut paths = Vec::new();
    for enc in common::encode::ENCODINGS {
        let document = flow(
            json!({
                "start": {"type": "start", "at": [0, 0]},
                "call": {"type": "send_request", "at": [200, 0],
                         "url": server.url(&format!("/reflect?from=query&enc={enc}")),
                         "query": [["v", "{{key}}"]], "checks": [["echoed", ".body.token != null"]]},
                "log": {"type": "log", "at": [400, 0]}
            }),
            json!([["start.out", "call.in"], ["call.success", "log.in"]]),
        );
        paths.push(write_flow(dir.path(), &format!("{enc}.flow.json"), &document));
    }
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let finished = run(switchyard(dir.path())
        .env("SWITCHYARD_SECRET_key", secret)
        .arg("run")
        .args(&paths)
        .args(["--jobs", "3"])
        .arg("--report-junit")
        .arg(reports.join("j.xml"))
        .arg("--report-json")
        .arg(reports.join("r.json"))
        .arg("--report-html")
        .arg(reports.join("r.html")));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(server.received().len(), common::encode::ENCODINGS.len());
    assert!(server.received().iter().all(|r| r.query.contains("v=")), "the secret was sent");
    assert_no_form(&finished.all_output(), &[secret]);
    for report in ["j.xml", "r.json", "r.html"] {
        let text = std::fs::read_to_string(reports.join(report)).unwrap();
        // Every case passed, so the JUnit report has no message that could hold it.
        if report != "j.xml" {
            assert!(text.contains("*****"), "{report}: masked, not dropped");
        }
        assert_no_form(&text, &[secret]);
        // The HTML and XML escape quotes and ampersands: look for those forms too.
        let unescaped = text
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
        assert_no_form(&unescaped, &[secret]);
    }
}

/// The flows in `flows/ci/`, run as a CI job would: a folder, two at a time, reports.
#[test]
fn the_ci_example_flows_pass_as_a_ci_run() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let flows = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows/ci");
    let junit = dir.path().join("junit.xml");
    let finished = run(switchyard(dir.path())
        .env("SWITCHYARD_VAR_base_url", &server.base)
        .env("SWITCHYARD_SECRET_api_token", "tok-ci-example-Q9")
        .arg("run")
        .arg(&flows)
        .args(["--jobs", "2"])
        .arg("--report-junit")
        .arg(&junit));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(finished.stderr.contains("3 flows: 3 ok"), "{}", finished.stderr);
    assert!(!finished.all_output().contains("tok-ci-example-Q9"));
    let report = Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap()).unwrap();
    assert_eq!(report.test_suites.len(), 3);
    assert_eq!(report.failures, 0);
    // authorized: 1 request + 1 check; each-item: list + check, 3 fetches + 3 checks; health: 1 + 2.
    assert_eq!(report.tests, 2 + 8 + 3);
}

/// Opens the HTML report in headless Chromium and keeps its screenshot
/// (`target/ci-report.png`). Needs `chromium`, which `.ci/run` installs.
#[test]
#[ignore = "needs chromium; run by .ci/run"]
fn the_html_report_renders_in_chromium() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    run(switchyard(dir.path()).arg("run").args(checked_flows(dir.path(), &server)).arg("--report-html").arg(&html));
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ci-report.png");
    let _ = std::fs::remove_file(&shot);
    let status = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,1400"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium runs");
    assert!(status.success());
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
}

/// Counts the requests in flight at once. Each one waits for more company: it is let
/// through once more than `limit` are in flight together (a run that breaks the limit
/// is caught), once every expected request has arrived, or when no other request
/// joined for [`QUIET`] (a run that keeps to the limit goes on in batches of `limit`).
struct Gate {
    limit: usize,
    total: usize,
    state: std::sync::Mutex<GateState>,
    released: tokio::sync::watch::Sender<u64>,
}

/// How long a waiting request waits for another to join it. Only the speed of a run
/// that keeps to the limit depends on it; what is counted does not.
const QUIET: std::time::Duration = std::time::Duration::from_millis(100);

#[derive(Default)]
struct GateState {
    in_flight: usize,
    most: usize,
    arrived: usize,
}

async fn through_gate(axum::extract::State(gate): axum::extract::State<std::sync::Arc<Gate>>) -> &'static str {
    let mut released = gate.released.subscribe();
    let wait = {
        let mut state = gate.state.lock().unwrap();
        state.in_flight += 1;
        state.arrived += 1;
        state.most = state.most.max(state.in_flight);
        if state.in_flight > gate.limit || state.arrived >= gate.total {
            gate.released.send_modify(|generation| *generation += 1);
            false
        } else {
            true
        }
    };
    // Each arrival resets the quiet time of those waiting.
    gate.released.send_modify(|_| {});
    if wait {
        let generation = *released.borrow_and_update();
        loop {
            match tokio::time::timeout(QUIET, released.changed()).await {
                Ok(Ok(())) if *released.borrow_and_update() != generation => break,
                Ok(Ok(())) => {}
                Ok(Err(_)) => break,
                Err(_) => {
                    gate.released.send_modify(|generation| *generation += 1);
                    break;
                }
            }
        }
    }
    gate.state.lock().unwrap().in_flight -= 1;
    "through"
}

/// A server with one route, `/gate` ([`Gate`]); stops when dropped.
struct GateServer {
    server: common::RouterServer,
    gate: std::sync::Arc<Gate>,
}

impl GateServer {
    fn start(limit: usize, total: usize) -> Self {
        let gate = std::sync::Arc::new(Gate {
            limit,
            total,
            state: std::sync::Mutex::default(),
            released: tokio::sync::watch::Sender::new(0),
        });
        let app = axum::Router::new()
            .route("/gate", axum::routing::get(through_gate))
            .with_state(std::sync::Arc::clone(&gate));
        Self { server: common::RouterServer::start(app), gate }
    }

    fn most_in_flight(&self) -> usize {
        self.gate.state.lock().unwrap().most
    }
}

/// start → for_each over `count` items, `count` at once → one request to `url` each.
fn fan_out(url: &str, count: usize) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "each": {"type": "for_each", "at": [200, 0], "items": format!("[range({count})]"), "concurrency": count},
            "call": {"type": "send_request", "at": [400, 0], "url": url}
        }),
        json!([["start.out", "each.in"], ["each.item", "call.in"]]),
    )
}

#[test]
fn max_connections_holds_across_every_flow_run_at_once() {
    let (flows, per_flow, limit) = (6, 16, 8);
    let server = GateServer::start(limit, flows * per_flow);
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = (0..flows)
        .map(|n| write_flow(dir.path(), &format!("{n}.flow.json"), &fan_out(&server.server.url("/gate"), per_flow)))
        .collect();
    let finished = run(switchyard(dir.path()).arg("run").args(&paths).args([
        "--jobs",
        &flows.to_string(),
        "--max-connections",
        &limit.to_string(),
    ]));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(finished.stderr.contains("6 flows: 6 ok · 96 requests"), "{}", finished.stderr);
    assert_eq!(server.most_in_flight(), limit, "at most --max-connections requests in flight, and that many");
}

/// Flows run at once within a low limit on open files: they share the connection
/// budget, so no request fails for want of a file descriptor.
#[test]
fn flows_run_at_once_stay_within_few_open_files() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> =
        (0..8).map(|n| write_flow(dir.path(), &format!("{n}.flow.json"), &fan_out(&server.url("/json"), 16))).collect();
    // `ulimit -n` sets the hard limit too: the run cannot raise it.
    let command = common::switchyard(dir.path());
    let program = command.get_program().to_owned();
    let mut shell = std::process::Command::new("sh");
    shell.arg("-c").arg("ulimit -n 64 && exec \"$0\" \"$@\"").arg(program).arg("run").args(&paths).args([
        "--jobs",
        "8",
        "--max-connections",
        "8",
    ]);
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(name, value),
            None => shell.env_remove(name),
        };
    }
    let finished = run(&mut shell);
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(!finished.all_output().contains("Too many open files"), "{}", finished.stderr);
    assert!(finished.stderr.contains("8 flows: 8 ok · 128 requests"), "{}", finished.stderr);
    assert_eq!(server.received().len(), 128);
}

#[test]
fn a_flow_file_whose_name_is_not_utf8_runs_with_the_others() {
    use std::os::unix::ffi::OsStrExt as _;
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    std::fs::create_dir(&flows).unwrap();
    write_flow(&flows, "a.flow.json", &one_request("A", &server.url("/json"), json!([])));
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.flow.json");
    std::fs::write(
        flows.join(odd),
        serde_json::to_string(&one_request("Odd", &server.url("/json"), json!([]))).unwrap(),
    )
    .unwrap();
    let finished = run(switchyard(dir.path()).arg("run").arg(&flows));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(finished.stderr.contains("2 flows: 2 ok · 2 requests"), "{}", finished.stderr);
    let headers = headers(&finished.stderr);
    assert!(headers[1].starts_with("▶ Odd") && headers[1].ends_with("caf\u{fffd}.flow.json"), "{headers:?}");
    assert_eq!(server.received().len(), 2);
}

/// Output that is not a terminal, `NO_COLOR` and `TERM=dumb` get no colour codes: a
/// run with failures and a Ctrl-C, its stderr a pipe; then on a terminal (through
/// `script`), where colour shows only when nothing says otherwise.
#[test]
fn no_colour_codes_where_no_colour_belongs() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let stuck = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "down": {"type": "send_request", "at": [200, 0], "url": server.url("/status/503")},
            "call": {"type": "send_request", "at": [200, 100], "url": server.url("/stuck"), "timeout_ms": 600_000}
        }),
        json!([["start.out", "down.in"], ["start.out", "call.in"]]),
    );
    let stuck = write_flow(dir.path(), "stuck.flow.json", &stuck);
    let plain = |command: &mut std::process::Command| {
        command
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .env("TERM", "xterm-256color");
    };

    let mut command = switchyard(dir.path());
    plain(&mut command);
    let child = common::spawn(command.arg("run").arg(&stuck).arg(dir.path().join("missing.flow.json")));
    let finished = common::wait(child);
    assert_eq!(finished.code, 2, "{finished:?}");
    assert!(!finished.all_output().contains('\u{1b}'), "{finished:?}");

    let mut command = switchyard(dir.path());
    plain(&mut command);
    let child = common::spawn(command.env("CI", "true").arg("run").arg(&stuck));
    server.wait_until_stuck();
    common::send_signal(child.id(), "INT");
    let finished = common::wait(child);
    assert_eq!(finished.code, 1, "{finished:?}");
    assert!(finished.stderr.contains("Ctrl-C"), "{}", finished.stderr);
    assert!(!finished.all_output().contains('\u{1b}'), "{finished:?}");

    // On a terminal: `script` runs the command on a pseudo-terminal and copies what it shows.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped the terminal part: no `script` here");
        return;
    }
    let quick = write_flow(dir.path(), "down.flow.json", &one_request("Down", &server.url("/status/503"), json!([])));
    let on_terminal = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new("script");
        let line = format!("'{}' run '{}'", env!("CARGO_BIN_EXE_switchyard"), quick.display());
        command.args(["-qec", &line, "/dev/null"]).env("SWITCHYARD_HOME", dir.path());
        plain(&mut command);
        command.env_remove("CI");
        for (name, value) in env {
            command.env(name, value);
        }
        let finished = run(&mut command);
        assert!(finished.stdout.contains("Down"), "{finished:?}");
        finished.stdout
    };
    assert!(on_terminal(&[]).contains('\u{1b}'), "a terminal that wants colour gets it");
    assert!(!on_terminal(&[("NO_COLOR", "1")]).contains('\u{1b}'));
    assert!(!on_terminal(&[("TERM", "dumb"), ("CI", "true")]).contains('\u{1b}'));
    assert!(!on_terminal(&[("TERM", "dumb"), ("CLICOLOR", "1")]).contains('\u{1b}'));
}
