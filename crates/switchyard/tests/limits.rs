//! End-to-end: nothing an expression, a server or a flow does crashes `switchyard` or
//! grows without bound. Crash cases run the binary and require a clean error and an
//! exit code (never a signal); memory cases measure the child's peak RSS with GNU
//! `time` under an address-space limit, so a regression fails instead of swapping.

// Test code: a failed setup step should panic, failing the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Finished, TestServer, flow, run, switchyard, write_flow};
use serde_json::{Value, json};

/// The expression that recursed until the stack overflowed (SIGABRT).
const RECURSION: &str = "def f(x): f([x]); f(.)";

fn blocks_with(kind: &str, expression: &str, server: &str) -> (Value, Value) {
    let block = match kind {
        "if" => json!({"type": "if", "condition": expression}),
        "evaluate" => json!({"type": "evaluate", "expression": expression}),
        "set" => json!({"type": "set", "name": "x", "value": expression}),
        "for_each" => json!({"type": "for_each", "items": expression}),
        "checks" => json!({"type": "send_request", "url": server, "checks": [["c", expression]]}),
        other => panic!("no block kind {other}"),
    };
    (json!({"start": {"type": "start"}, "b": block}), json!([["start.out", "b.in"]]))
}

/// Runs `document` and requires a clean failure: exit code 1, the block and field named.
fn fails_cleanly(dir: &Path, name: &str, document: &Value, expected: &str) -> Finished {
    let path = write_flow(dir, name, document);
    let finished = run(switchyard(dir).arg("run").arg(&path));
    assert_eq!(finished.code, 1, "{name}: {finished:?}");
    assert!(finished.stderr.contains(expected), "{name}: {finished:?}");
    finished
}

#[test]
fn jq_recursion_in_every_block_kind_is_an_error_not_a_crash() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    for kind in ["if", "evaluate", "set", "for_each", "checks"] {
        let (blocks, wires) = blocks_with(kind, RECURSION, &server.url("/json"));
        let document = flow(blocks, wires);
        fails_cleanly(dir.path(), &format!("{kind}.flow.json"), &document, "block `b`");
        let checked = run(switchyard(dir.path()).arg("check").arg(dir.path().join(format!("{kind}.flow.json"))));
        assert_eq!(checked.code, 0, "{kind}: {checked:?}");
    }
    // Values built deeper and deeper, and the same through a path.
    for (name, expression) in [
        ("deep", "reduce range(1000000) as $i (0; [.]) | length"),
        ("deep-object", "reduce range(1000000) as $i (0; {a: .}) | tojson | length"),
        ("path", "path(def f: .a | f; f)"),
    ] {
        let (blocks, wires) = blocks_with("evaluate", expression, "");
        fails_cleanly(dir.path(), &format!("{name}.flow.json"), &flow(blocks, wires), "block `b`");
    }
}

/// A one-shot HTTP server answering every request with `body` as JSON text.
fn serve_body(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    format!("http://{address}/deep")
}

#[test]
fn parsing_deep_json_from_a_server_or_an_expression_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let url = serve_body("[".repeat(200_000));
    let (blocks, wires) = blocks_with("checks", ".body | fromjson | length > 0", &url);
    let finished = fails_cleanly(dir.path(), "server.flow.json", &flow(blocks, wires), "maximal depth exceeded");
    assert!(finished.stderr.len() < 20_000, "{}", finished.stderr.len());

    let (blocks, wires) = blocks_with("evaluate", "\"[\" * 200000 | fromjson", "");
    fails_cleanly(dir.path(), "expression.flow.json", &flow(blocks, wires), "maximal depth exceeded");
}

#[test]
fn import_and_include_are_refused_when_the_flow_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, expression) in [("import", "import \"path\" as $d; $d"), ("include", "include \"path\"; 1")] {
        let (blocks, wires) = blocks_with("evaluate", expression, "");
        let path = write_flow(dir.path(), &format!("{name}.flow.json"), &flow(blocks, wires));
        for command in ["check", "run"] {
            let finished = run(switchyard(dir.path()).arg(command).arg(&path));
            assert_eq!(finished.code, 2, "{name} {command}: {finished:?}");
            assert!(finished.stderr.contains("`import` and `include` are not available"), "{finished:?}");
        }
    }
}

// --- memory --------------------------------------------------------------------------

/// Address space a measured child may take: past it allocations fail (and the test
/// with them) instead of the machine swapping.
const ADDRESS_SPACE_KIB: u64 = 3 * 1024 * 1024;

/// Runs `switchyard ARGS` under GNU `time` with an address-space limit; the run's
/// result and its peak RSS in MiB. `None` where `/usr/bin/time` is missing.
fn measured(home: &Path, args: &[&str]) -> Option<(Finished, f64)> {
    if !Path::new("/usr/bin/time").exists() {
        // CI installs GNU time (.ci/run): there a missing one is a failure, not a skip.
        assert!(std::env::var_os("CI").is_none(), "/usr/bin/time is missing: install the `time` package");
        eprintln!("/usr/bin/time is missing: the memory case is not measured");
        return None;
    }
    let peak_file = home.join(format!("peak-{}.txt", std::process::id()));
    let binary = env!("CARGO_BIN_EXE_switchyard");
    let mut script =
        format!("ulimit -v {ADDRESS_SPACE_KIB}; exec /usr/bin/time -f %M -o '{}' '{binary}'", peak_file.display());
    for arg in args {
        script.push_str(&format!(" '{arg}'"));
    }
    let mut command = Command::new("sh");
    command.arg("-c").arg(script).env("NO_COLOR", "1").env("SWITCHYARD_HOME", home);
    let finished = run(&mut command);
    let mut text = String::new();
    std::fs::File::open(&peak_file).unwrap().read_to_string(&mut text).unwrap();
    let kib: f64 = text.lines().last().unwrap().trim().parse().unwrap();
    Some((finished, kib / 1024.0))
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn an_expression_building_a_huge_value_stops_at_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    for (name, expression) in [
        ("doubling", "reduce range(30) as $i ([0]; [., .])"),
        ("tostring", "reduce range(30) as $i ({}; {a: ., b: .}) | tostring | length"),
        ("strings", "[range(100) | \"x\" * 60000000] | length"),
    ] {
        let (blocks, wires) = blocks_with("evaluate", expression, "");
        let path = write_flow(dir.path(), &format!("{name}.flow.json"), &flow(blocks, wires));
        let started = std::time::Instant::now();
        let Some((finished, peak)) = measured(dir.path(), &["run", &path_arg(&path)]) else { return };
        assert_eq!(finished.code, 1, "{name}: {finished:?}");
        // The budget, or the time bound where building is slower (a debug build).
        let bounded = finished.stderr.contains("256 MiB") || finished.stderr.contains("did not finish within 500 ms");
        assert!(bounded, "{name}: {finished:?}");
        eprintln!("{name}: peak RSS {peak:.0} MiB");
        assert!(peak < 900.0, "{name}: peak RSS {peak:.0} MiB");
        assert!(started.elapsed().as_secs() < 20, "{name}: {:?}", started.elapsed());
    }
}

fn request_flow(server: &str, body: Value, limit: Option<u64>, defaults: Option<Value>) -> Value {
    sized_request_flow(server, "\"x\" * 50000000", body, limit, defaults)
}

fn sized_request_flow(server: &str, big: &str, body: Value, limit: Option<u64>, defaults: Option<Value>) -> Value {
    let mut request = json!({"type": "send_request", "method": "POST", "url": server, "body": body});
    if let Some(limit) = limit {
        request["max_request_bytes"] = json!(limit);
    }
    let mut document = flow(
        json!({
            "start": {"type": "start"},
            "big": {"type": "set", "name": "big", "value": big},
            "r": request,
            "failed": {"type": "log", "label": "failed"},
        }),
        json!([["start.out", "big.in"], ["big.out", "r.in"], ["r.failure", "failed.in"]]),
    );
    if let Some(defaults) = defaults {
        document["defaults"] = defaults;
    }
    document
}

#[test]
fn a_request_past_max_request_bytes_fails_before_it_is_built() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    // A 50 MB value inserted 40 times: refused at the default 64 MiB, quickly.
    let body = json!({"text": "{{big}}".repeat(40)});
    let path = write_flow(dir.path(), "forty.flow.json", &request_flow(&server.url("/echo"), body, None, None));
    if let Some((finished, peak)) = measured(dir.path(), &["run", "--format", "json", &path_arg(&path)]) {
        assert_eq!(finished.code, 0, "{finished:?}");
        assert!(finished.stdout.contains("\"request_too_large\""), "{}", &finished.stderr);
        assert!(peak < 1200.0, "peak RSS {peak:.0} MiB");
    }
    assert!(server.received().is_empty(), "nothing is sent");

    // The limit on the block, and in the flow's defaults, for each kind of body.
    let small = json!({"text": "{{big}}"});
    for (name, document) in [
        ("block", request_flow(&server.url("/echo"), small.clone(), Some(1000), None)),
        ("defaults", request_flow(&server.url("/echo"), small.clone(), None, Some(json!({"max_request_bytes": 1000})))),
        ("json", request_flow(&server.url("/echo"), json!({"json": {"a": ["{{big}}"]}}), Some(1000), None)),
        ("form", request_flow(&server.url("/echo"), json!({"form": [["a", "{{big}}"]]}), Some(1000), None)),
        ("header", {
            let mut document = request_flow(&server.url("/echo"), json!({"text": "x"}), None, None);
            document["blocks"]["r"]["headers"] = json!([["X-Big", "{{big}}"]]);
            document["defaults"] = json!({"max_request_bytes": 1000});
            document
        }),
    ] {
        let path = write_flow(dir.path(), &format!("{name}.flow.json"), &document);
        let finished = run(switchyard(dir.path()).args(["run", "--format", "json"]).arg(&path));
        assert_eq!(finished.code, 0, "{name}: {finished:?}");
        assert!(finished.stdout.contains("\"request_too_large\""), "{name}: {}", finished.stdout.len());
        assert!(finished.stdout.contains("max_request_bytes"), "{name}");
    }
    assert!(server.received().is_empty(), "nothing is sent");

    // Under the limit (URL and body, about 5,010 bytes) the request goes; over it, it does not.
    for (limit, sent) in [(6_000, true), (4_990, false)] {
        let body = json!({"text": "{{big}}"});
        let defaults = json!({"max_request_bytes": limit});
        let document = sized_request_flow(&server.url("/echo"), "\"x\" * 4980", body, None, Some(defaults));
        let path = write_flow(dir.path(), "under.flow.json", &document);
        let finished = run(switchyard(dir.path()).args(["run", "--format", "json"]).arg(&path));
        assert_eq!(finished.code, 0, "{finished:?}");
        assert_eq!(finished.stdout.contains("request_too_large"), !sent, "{limit}");
    }
    assert_eq!(server.received().len(), 1);
    assert_eq!(server.received()[0].body.len(), 4980);
}

/// A chain of `n` evaluate blocks, `start → e1 → … → en`, their expressions drawn from
/// a few texts.
fn chain(n: usize) -> Value {
    let mut blocks = serde_json::Map::new();
    blocks.insert("start".into(), json!({"type": "start", "at": [0, 0]}));
    let mut wires = vec![json!(["start.out", "e1.in"])];
    for i in 1..=n {
        let expression = ["(. // 0) + 1", "{n: ((.n? // 0) + 1)} | .n", "[., 1] | add"][i % 3];
        blocks.insert(
            format!("e{i}"),
            json!({"type": "evaluate", "at": [i % 20 * 300, i / 20 * 100], "expression": expression}),
        );
        if i < n {
            wires.push(json!([format!("e{i}.out"), format!("e{}.in", i + 1)]));
        }
    }
    json!({"switchyard": 1, "name": "chain", "blocks": blocks, "wires": wires})
}

#[test]
fn running_a_big_flow_takes_memory_like_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "chain.flow.json", &chain(10_000));
    let Some((checked, check_peak)) = measured(dir.path(), &["check", &path_arg(&path)]) else { return };
    assert_eq!(checked.code, 0, "{checked:?}");
    let Some((ran, run_peak)) = measured(dir.path(), &["run", "--max-steps", "20000", &path_arg(&path)]) else {
        return;
    };
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(run_peak <= 5.0 * check_peak, "run {run_peak:.1} MiB, check {check_peak:.1} MiB");
}

fn loop_flow() -> Value {
    flow(
        json!({
            "start": {"type": "start"},
            "count": {"type": "evaluate", "expression": "(. // 0) + 1"},
            "go": {"type": "if", "condition": ". > 0"},
        }),
        json!([["start.out", "count.in"], ["count.out", "go.in"], ["go.true", "count.in"]]),
    )
}

fn loop_peak(dir: &Path, path: &Path, steps: u64, report: Option<&PathBuf>) -> Option<f64> {
    let steps = steps.to_string();
    let path = path_arg(path);
    let mut args = vec!["run", "--max-steps", steps.as_str(), path.as_str()];
    let report = report.map(|report| path_arg(report));
    if let Some(report) = &report {
        args.extend(["--report-junit", report.as_str()]);
    }
    let (finished, peak) = measured(dir, &args)?;
    assert_eq!(finished.code, 1, "the step limit is reached: {finished:?}");
    Some(peak)
}

#[test]
fn a_wired_loop_stays_flat() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "loop.flow.json", &loop_flow());
    let report = dir.path().join("report.xml");
    for report in [None, Some(&report)] {
        let Some(short) = loop_peak(dir.path(), &path, 1_000, report) else { return };
        let Some(long) = loop_peak(dir.path(), &path, 300_000, report) else { return };
        assert!(
            long - short < 20.0,
            "report {report:?}: {short:.1} MiB after 1,000 steps, {long:.1} MiB after 300,000"
        );
    }
}
