//! End-to-end tests of `switchyard`'s arguments, `check`, and refusals before a run:
//! exit codes, messages on stderr, and nothing sent when the input is invalid.

mod common;

use common::{TestServer, flow, run, switchyard, write_file, write_flow};
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
