//! End-to-end tests of `switchyard`'s arguments, `check`, and refusals before a run:
//! exit codes, messages on stderr, and nothing sent when the input is invalid.

// Test helpers: a failed setup step should panic, failing the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::process::Stdio;

use common::{TestServer, flow, run, switchyard, write_file, write_flow};
use proptest::prelude::*;
use serde_json::json;

/// A valid three-block flow calling `url`.
fn request_flow(url: &str) -> serde_json::Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    )
}

#[test]
fn check_prints_ok_with_counts_for_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let first = write_flow(dir.path(), "a.flow.json", &request_flow("http://127.0.0.1:9/a"));
    let second =
        write_flow(dir.path(), "b.flow.json", &flow(json!({"start": {"type": "start", "at": [0, 0]}}), json!([])));
    let finished = run(switchyard(dir.path()).arg("check").arg(&first).arg(&second));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(
        finished.stdout,
        format!("ok  {} (3 blocks, 2 wires)\nok  {} (1 block, 0 wires)\n", first.display(), second.display())
    );
    assert_eq!(finished.stderr, "");
}

#[test]
fn check_reports_each_problem_with_file_place_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_flow(dir.path(), "good.json", &request_flow("http://127.0.0.1:9/a"));
    let bad = write_flow(
        dir.path(),
        "bad.json",
        &flow(
            json!({
                "start": {"type": "start", "at": [0, 0]},
                "show": {"type": "log", "at": [200, 0]},
                "extra": {"type": "lgo", "at": [400, 0]}
            }),
            json!([["start.out", "shw.in"]]),
        ),
    );
    let finished = run(switchyard(dir.path()).arg("check").arg(&good).arg(&bad));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert_eq!(finished.stdout, format!("ok  {} (3 blocks, 2 wires)\n", good.display()), "the good file still passes");
    let bad = bad.display().to_string();
    assert!(
        finished.stderr.contains(&format!("{bad}:blocks.extra.type: "))
            && finished.stderr.contains("(did you mean `log`?)"),
        "{}",
        finished.stderr
    );
    assert!(finished.stderr.contains(&format!("{bad}:wires[0]")), "{}", finished.stderr);
    assert!(finished.stderr.contains("(did you mean `show`?)"), "{}", finished.stderr);
    assert!(finished.stderr.lines().all(|line| line.starts_with(&bad)), "one problem per line: {}", finished.stderr);
}

#[test]
fn check_reports_json_syntax_errors_at_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let broken =
        write_file(dir.path(), "broken.json", "{\n  \"switchyard\": 1,\n  \"name\": \"x\"\n  \"blocks\": {}\n}\n");
    let finished = run(switchyard(dir.path()).arg("check").arg(&broken));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert_eq!(finished.stdout, "");
    assert!(finished.stderr.starts_with(&format!("{}:4:", broken.display())), "{}", finished.stderr);
}

#[test]
fn check_without_files_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let finished = run(switchyard(dir.path()).arg("check"));
    assert_eq!(finished.code, 2, "{finished:?}");
}

#[test]
fn run_refuses_a_flow_written_by_a_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut document = request_flow("http://127.0.0.1:9/a");
    document["switchyard"] = json!(2);
    let path = write_flow(dir.path(), "future.json", &document);
    let finished = run(switchyard(dir.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert_eq!(finished.stdout, "");
    assert!(
        finished.stderr.starts_with(&format!("error: {}:switchyard: ", path.display()))
            && finished.stderr.contains("newer"),
        "{}",
        finished.stderr
    );
}

#[test]
fn run_refuses_a_missing_flow_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.json");
    let finished = run(switchyard(dir.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert_eq!(finished.stdout, "");
    assert!(finished.stderr.starts_with("error: "), "{}", finished.stderr);
    assert!(finished.stderr.contains(&path.display().to_string()), "{}", finished.stderr);
}

#[test]
fn run_refuses_an_invalid_flow_without_sending_anything() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut document = request_flow(&server.url("/json"));
    document["blocks"]["call"]["methd"] = json!("POST");
    let path = write_flow(dir.path(), "typo.json", &document);
    let finished = run(switchyard(dir.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert!(finished.stderr.contains(&format!("error: {}:blocks.call.methd", path.display())), "{}", finished.stderr);
    assert!(finished.stderr.contains("did you mean `method`?"), "{}", finished.stderr);
    assert!(server.received().is_empty());
}

#[test]
fn malformed_var_arguments_are_refused_before_anything_is_sent() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "f.json", &request_flow(&server.url("/json")));
    for bad in ["x", "=1", "a b=1", "input=1", "input.body=1"] {
        let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--var", bad]));
        assert_eq!(finished.code, 2, "--var {bad}: {finished:?}");
        assert_eq!(finished.stdout, "", "--var {bad}");
        assert!(finished.stderr.starts_with("error: "), "--var {bad}: {}", finished.stderr);
    }
    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--var", "input=1"]));
    assert!(finished.stderr.contains("reserved"), "{}", finished.stderr);
    assert!(server.received().is_empty());
}

#[test]
fn malformed_secret_arguments_are_refused_without_showing_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "f.json", &request_flow("http://127.0.0.1:9/a"));
    for bad in ["sk-e2e-UNIQUE-7f3a9", "Bearer sk-e2e-UNIQUE-7f3a9=", "-sk-e2e-UNIQUE-7f3a9", "auth="] {
        let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--secret", bad]));
        assert_eq!(finished.code, 2, "{finished:?}");
        assert!(finished.stderr.starts_with("error: "), "{}", finished.stderr);
        assert!(!finished.all_output().contains("UNIQUE"), "secret echoed: {}", finished.stderr);
    }
}

#[test]
fn missing_secret_env_variable_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "f.json", &request_flow("http://127.0.0.1:9/a"));
    let finished = run(switchyard(dir.path())
        .env_remove("SWITCHYARD_E2E_MISSING")
        .arg("run")
        .arg(&path)
        .args(["--secret-env", "auth=SWITCHYARD_E2E_MISSING"]));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert_eq!(finished.stdout, "");
    assert!(finished.stderr.starts_with("error: "), "{}", finished.stderr);
    assert!(finished.stderr.contains("SWITCHYARD_E2E_MISSING"), "{}", finished.stderr);
    assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
}

#[test]
fn unknown_flags_and_formats_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "f.json", &request_flow("http://127.0.0.1:9/a"));
    let finished = run(switchyard(dir.path()).arg("run").arg(&path).arg("--verbose-please"));
    assert_eq!(finished.code, 2, "{finished:?}");
    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--format", "xml"]));
    assert_eq!(finished.code, 2, "{finished:?}");
}

#[test]
fn without_a_display_the_app_says_so_and_points_to_run_and_check() {
    let dir = tempfile::tempdir().unwrap();
    for args in [vec![], vec!["some.flow.json"]] {
        let finished = run(switchyard(dir.path()).args(&args).env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY"));
        assert_eq!(finished.code, 3, "{finished:?}");
        assert_eq!(finished.stdout, "");
        assert!(finished.stderr.contains("cannot open the Switchyard window"), "{}", finished.stderr);
        assert!(
            finished.stderr.contains("switchyard run") && finished.stderr.contains("switchyard check"),
            "{}",
            finished.stderr
        );
    }
}

#[test]
fn help_lists_run_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let finished = run(switchyard(dir.path()).arg("--help"));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(finished.stdout.contains("run") && finished.stdout.contains("check"), "{}", finished.stdout);
}

/// Whether `text` holds a control character other than the line break.
fn has_raw_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn ids_and_names_from_a_flow_cannot_forge_lines_or_terminal_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let forged = "x\nf.json:1:1: looks fine";
    let path = write_file(
        dir.path(),
        "f.json",
        &json!({
            "switchyard": 1,
            "name": "\u{1b}]0;pwned\u{7}",
            "blocks": {
                "start": {"type": "start", "at": [0, 0]},
                forged: {"type": "log", "at": [0, 0]},
                "call": {"type": "send_request", "at": [0, 0], "url": "http://127.0.0.1:9/", "method\u{0}": "GET"}
            },
            "wires": [["start.out", format!("{forged}.in")]]
        })
        .to_string(),
    );
    let finished = run(switchyard(dir.path()).arg("check").arg(&path));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert!(!has_raw_control(&finished.stderr), "{:?}", finished.stderr);
    assert!(!finished.stderr.lines().any(|line| line.starts_with("f.json:1:1")), "{}", finished.stderr);
    assert!(finished.stderr.contains(r"invalid block id `x\nf.json:1:1: looks fine`"), "{}", finished.stderr);
    assert!(finished.stderr.contains(r"unknown field `method\0`"), "{}", finished.stderr);
    assert!(finished.stderr.contains(r"(did you mean `method`?)"), "{}", finished.stderr);
    assert!(finished.stderr.lines().all(|line| line.starts_with(&path.display().to_string())), "{}", finished.stderr);

    // A valid flow whose name would retitle the terminal: `run` shows it escaped.
    let path = write_flow(
        dir.path(),
        "named.json",
        &json!({"switchyard": 1, "name": "\u{1b}]0;pwned\u{7}", "blocks": {"start": {"type": "start", "at": [0, 0]}}}),
    );
    let finished = run(switchyard(dir.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert!(!has_raw_control(&finished.stderr), "{:?}", finished.stderr);
    assert!(finished.stderr.contains(r"▶ \u{1b}]0;pwned\u{7}"), "{}", finished.stderr);
}

#[test]
fn a_byte_order_mark_before_a_flow_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", serde_json::to_string_pretty(&request_flow("http://127.0.0.1:9/a")).unwrap());
    let path = write_file(dir.path(), "bom.json", &text);
    let finished = run(switchyard(dir.path()).arg("check").arg(&path));
    assert_eq!(finished.code, 0, "{finished:?}");
}

#[test]
fn a_missing_file_names_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    for command in ["run", "check"] {
        let finished = run(switchyard(dir.path()).arg(command).arg(&missing));
        assert_eq!(finished.code, 2, "{finished:?}");
        assert_eq!(finished.stderr.matches("No such file or directory").count(), 1, "{}", finished.stderr);
        assert!(finished.stderr.contains("nope.json: cannot read the flow file"), "{}", finished.stderr);
    }
}

#[test]
fn output_to_a_full_disk_is_exit_3_and_to_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let flow_path = write_flow(
        dir.path(),
        "log.json",
        &flow(
            json!({"start": {"type": "start", "at": [0, 0]}, "log": {"type": "log", "at": [0, 0]}}),
            json!([["start.out", "log.in"]]),
        ),
    );
    let path = flow_path.to_str().unwrap();
    let cases: [&[&str]; 4] = [&["check", path], &["run", path], &["run", "--format", "json", path], &["--help"]];
    for args in cases {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let output = switchyard(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("No space left on device") && !stderr.contains("panicked"), "{args:?}: {stderr}");

        let mut child = switchyard(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("error:"), "{args:?}: {stderr}");
        let expected = if args[0] == "run" { [0, 1] } else { [0, 0] };
        assert!(expected.contains(&output.status.code().unwrap()), "{args:?}: {:?} {stderr}", output.status);
    }
}

/// A few hundred bytes of flow to mutate through the binary.
const SEED: &str = r#"{"switchyard": 1, "name": "n", "blocks": {"start": {"type": "start", "at": [0, 0]}, "call": {"type": "send_request", "at": [1, 2], "url": "http://127.0.0.1:9/{{a}}", "headers": [["A", "<<b>>"]]}, "log": {"type": "log", "at": [3, 4], "label": "l"}}, "wires": [["start.out", "call.in"], ["call.success", "log.in"]]}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn check_on_a_mutated_flow_exits_0_or_2_without_panicking(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0usize..3), 1..5)
    ) {
        let mut bytes = SEED.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let at = at.index(bytes.len().max(1)).min(bytes.len());
            match op {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => { bytes.remove(at); }
                _ if at < bytes.len() => bytes[at] = byte,
                _ => bytes.push(byte),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, &bytes).unwrap();
        let finished = run(switchyard(dir.path()).arg("check").arg(&path));
        prop_assert!(finished.code == 0 || finished.code == 2, "{:?}", finished);
        prop_assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
        prop_assert!(!has_raw_control(&finished.all_output()), "{:?}", finished.all_output());
    }
}
