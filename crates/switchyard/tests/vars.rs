//! End-to-end tests of `switchyard vars` and of runs that read the globals store, as a
//! user would, without a keychain: plain variables, and the clear failure (exit 3)
//! when a secret needs a keychain that is not there. The real keychain: `keychain.rs`.

// Test helpers: a failed setup step should panic, failing the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::io::Write as _;
use std::process::Stdio;

use common::{NO_DBUS, TestServer, flow, run, run_with_stdin, switchyard, wait, write_flow};
use serde_json::{Value, json};
use switchyard_vault::{Definition, Keychain, Kind, Scope, Store};

/// `switchyard` with a keychain that cannot be reached.
fn no_keychain(home: &std::path::Path) -> std::process::Command {
    let mut command = switchyard(home);
    command.env("DBUS_SESSION_BUS_ADDRESS", NO_DBUS);
    command
}

/// start → GET {{host-url}}/echo with `X-Token: {{token}}` → log (success and failure).
fn echo_flow(url: &str) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url, "headers": [["X-Token", "{{token}}"]]},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    )
}

#[test]
fn plain_variables_are_set_listed_read_renamed_and_removed() {
    let home = tempfile::tempdir().unwrap();
    let set = run_with_stdin(no_keychain(home.path()).args(["vars", "set", "region"]), "eu-west-1\n");
    assert_eq!(set.code, 0, "{set:?}");
    assert!(set.stderr.contains("set default `region`"), "{set:?}");

    let list = run(no_keychain(home.path()).args(["vars", "list"]));
    assert_eq!(list.code, 0);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "TYPE", "VALUE", "ALLOWED", "HOSTS", "EXPIRES"]
    );
    assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["region", "default", "eu-west-1", "-", "-"]);

    let get = run(no_keychain(home.path()).args(["vars", "get", "region"]));
    assert_eq!((get.code, get.stdout.as_str()), (0, "eu-west-1\n"));

    assert_eq!(run(no_keychain(home.path()).args(["vars", "mv", "region", "zone"])).code, 0);
    assert_eq!(run(no_keychain(home.path()).args(["vars", "get", "zone"])).stdout, "eu-west-1\n");
    let missing = run(no_keychain(home.path()).args(["vars", "get", "region"]));
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no global variable `region`"), "{missing:?}");

    assert_eq!(run(no_keychain(home.path()).args(["vars", "rm", "zone"])).code, 0);
    let list = run(no_keychain(home.path()).args(["vars", "list"]));
    assert!(list.stdout.is_empty() && list.stderr.contains("no global variables yet"), "{list:?}");
}

#[test]
fn values_are_never_taken_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let finished = run(no_keychain(home.path()).args(["vars", "set", "token", "sk-on-argv"]));
    assert_eq!(finished.code, 2, "{finished:?}");
    assert!(!home.path().join("globals.json").exists());
}

#[test]
fn bad_vars_arguments_are_refused_with_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["vars", "set", "bad name"], "not a valid variable name"),
        (&["vars", "set", "input"], "not a valid variable name"),
        (&["vars", "set", "k", "--allow-host", "example.com"], "add --secret"),
        (&["vars", "set", "k", "--secret", "--expires", "next week"], "YYYY-MM-DD"),
    ];
    for (args, message) in cases {
        let finished = run_with_stdin(no_keychain(home.path()).args(args), "value");
        assert_eq!(finished.code, 2, "{args:?}: {finished:?}");
        assert!(finished.stderr.contains(message), "{args:?}: {}", finished.stderr);
    }
}

#[test]
fn storing_a_secret_without_a_keychain_fails_clearly_and_stores_nothing() {
    let home = tempfile::tempdir().unwrap();
    let finished =
        run_with_stdin(no_keychain(home.path()).args(["vars", "set", "token", "--secret"]), "sk-nokeychain-51\n");
    assert_eq!(finished.code, 3, "{finished:?}");
    assert!(finished.stderr.contains("the OS keychain is not available"), "{}", finished.stderr);
    assert!(finished.stderr.contains("--secret-env"), "{}", finished.stderr);
    assert!(!finished.all_output().contains("sk-nokeychain"));
    assert!(!home.path().join("globals.json").exists(), "never a fallback to plain text");
}

#[test]
fn globals_feed_a_run_and_the_command_line_wins() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let path = write_flow(home.path(), "f.json", &echo_flow(&server.url("/echo")));
    assert_eq!(run_with_stdin(no_keychain(home.path()).args(["vars", "set", "token"]), "from-store").code, 0);

    let finished = run(no_keychain(home.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 0, "{finished:?}");
    let finished = run(no_keychain(home.path()).arg("run").arg(&path).args(["--var", "token=from-cli"]));
    assert_eq!(finished.code, 0, "{finished:?}");
    let tokens: Vec<String> = server.received().iter().map(|r| r.header("x-token").unwrap_or("").to_owned()).collect();
    assert_eq!(tokens, ["from-store", "from-cli"]);
}

#[test]
fn a_run_that_needs_a_stored_secret_without_a_keychain_exits_3_and_secret_env_works_instead() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("globals.json"),
        r#"{"switchyard_globals": 1, "variables": {"token": {"type": "secret"}}}"#,
    )
    .unwrap();
    let path = write_flow(home.path(), "f.json", &echo_flow(&server.url("/echo")));

    let finished = run(no_keychain(home.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 3, "{finished:?}");
    assert!(finished.stderr.contains("--secret-env"), "{}", finished.stderr);
    assert!(server.received().is_empty(), "nothing was sent");

    let finished = run(no_keychain(home.path())
        .arg("run")
        .arg(&path)
        .args(["--secret-env", "token=SWITCHYARD_TEST_TOKEN"])
        .env("SWITCHYARD_TEST_TOKEN", "sk-from-env-8080"));
    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(server.received()[0].header("x-token"), Some("sk-from-env-8080"));
    assert!(!finished.all_output().contains("sk-from-env"));
}

#[test]
fn a_corrupt_globals_file_is_reported_and_left_alone() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("globals.json");
    let text = "{\"switchyard_globals\": 1,\n \"variables\": {\"a\": {\"type\": \"default\", \"value\": 1}}}";
    std::fs::write(&file, text).unwrap();
    for args in [&["vars", "list"][..], &["vars", "get", "a"]] {
        let finished = run(no_keychain(home.path()).args(args));
        assert_eq!(finished.code, 3, "{finished:?}");
        assert!(finished.stderr.contains(&format!("{}:2:", file.display())), "{}", finished.stderr);
    }
    let finished = run_with_stdin(no_keychain(home.path()).args(["vars", "set", "b"]), "x");
    assert_eq!(finished.code, 3);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "never overwritten");
}

/// The names in `home`'s globals.json.
fn stored_names(home: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(home.join("globals.json")).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    document["variables"].as_object().unwrap().keys().cloned().collect()
}

/// Starts `vars set NAME` with `value` on stdin, without waiting for it.
fn start_set(home: &std::path::Path, name: &str, value: &str) -> std::process::Child {
    let mut child = no_keychain(home)
        .args(["vars", "set", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(value.as_bytes()).unwrap();
    child
}

#[test]
fn thirty_concurrent_writers_from_separate_processes_all_land() {
    let home = tempfile::tempdir().unwrap();
    let children: Vec<_> =
        (0..30).map(|i| start_set(home.path(), &format!("v{i:02}"), &format!("value-{i}"))).collect();
    for child in children {
        let finished = wait(child);
        assert_eq!(finished.code, 0, "{finished:?}");
    }
    let expected: Vec<String> = (0..30).map(|i| format!("v{i:02}")).collect();
    assert_eq!(stored_names(home.path()), expected, "every one of the 30 is there");
    let got = run(no_keychain(home.path()).args(["vars", "get", "v17"]));
    assert_eq!(got.stdout, "value-17\n");
}

#[test]
fn the_app_and_the_cli_writing_at_once_lose_nothing() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().to_owned();
    // The settings panel's worker opens a `Store` per job, as here.
    let app = std::thread::spawn(move || {
        for i in 0..20 {
            let mut store = Store::open(&dir, Keychain::unavailable("no keychain in this test")).unwrap();
            let definition = Definition {
                name: format!("app{i:02}"),
                kind: Kind::Default,
                value: None,
                allowed_hosts: Vec::new(),
                expires: None,
            };
            store.set_in(Scope::Globals, definition, "from the app").unwrap();
        }
    });
    let children: Vec<_> = (0..20).map(|i| start_set(home.path(), &format!("cli{i:02}"), "from the cli")).collect();
    for child in children {
        let finished = wait(child);
        assert_eq!(finished.code, 0, "{finished:?}");
    }
    app.join().unwrap();
    let names = stored_names(home.path());
    assert_eq!(names.len(), 40, "{names:?}");
    assert!((0..20).all(|i| names.contains(&format!("app{i:02}")) && names.contains(&format!("cli{i:02}"))));
}

#[test]
fn a_killed_writers_temporary_file_is_removed_by_the_next_writer() {
    let home = tempfile::tempdir().unwrap();
    // What a writer killed between writing its temporary file and renaming it leaves.
    let stale = home.path().join(".globals.json.Xa81kq");
    std::fs::write(&stale, r#"{"switchyard_globals": 1, "variables": {"db": {"type": "default", "value": "pw"}}}"#)
        .unwrap();
    let older = home.path().join(".globalsQ2w9Zt");
    std::fs::write(&older, "{").unwrap();
    let set = run_with_stdin(no_keychain(home.path()).args(["vars", "set", "region"]), "eu");
    assert_eq!(set.code, 0, "{set:?}");
    assert!(!stale.exists() && !older.exists(), "stale temporary files are removed");
    assert_eq!(stored_names(home.path()), ["region"]);
}

#[test]
fn list_shows_cells_longer_than_a_format_width() {
    let home = tempfile::tempdir().unwrap();
    let (name, value) = ("n".repeat(70_000), "v".repeat(70_000));
    let globals = json!({"switchyard_globals": 1, "variables": {
        name.clone(): {"type": "default", "value": value},
        "b": {"type": "default", "value": "short"},
    }});
    std::fs::write(home.path().join("globals.json"), globals.to_string()).unwrap();
    let list = run(no_keychain(home.path()).args(["vars", "list"]));
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    // Sorted by name: `b` first.
    assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["b", "default", "short", "-", "-"]);
    assert_eq!(lines[1].find("default"), Some(70_002), "the columns line up");
    assert_eq!(lines[2].find("default"), Some(70_002));
}

#[test]
fn values_from_the_file_are_listed_with_control_characters_escaped() {
    let home = tempfile::tempdir().unwrap();
    let globals = json!({"switchyard_globals": 1, "variables": {
        "title": {"type": "default", "value": "\u{1b}]0;owned\u{7}x\nb  default  forged"},
    }});
    std::fs::write(home.path().join("globals.json"), globals.to_string()).unwrap();
    let list = run(no_keychain(home.path()).args(["vars", "list"]));
    assert_eq!(list.code, 0, "{list:?}");
    assert_eq!(list.stdout.lines().count(), 2, "{}", list.stdout);
    assert!(list.stdout.contains(r"\u{1b}]0;owned\u{7}x\nb  default  forged"), "{}", list.stdout);
    assert!(!list.stdout.contains('\u{1b}'));
    // Into a pipe, `get` gives the value as it is: it is data.
    let get = run(no_keychain(home.path()).args(["vars", "get", "title"]));
    assert_eq!(get.stdout, "\u{1b}]0;owned\u{7}x\nb  default  forged\n");
}

#[test]
fn a_byte_order_mark_before_globals_json_is_accepted() {
    let home = tempfile::tempdir().unwrap();
    let text = "\u{feff}{\"switchyard_globals\": 1, \"variables\": {\"a\": {\"type\": \"default\", \"value\": \"1\"}}}";
    std::fs::write(home.path().join("globals.json"), text).unwrap();
    let get = run(no_keychain(home.path()).args(["vars", "get", "a"]));
    assert_eq!((get.code, get.stdout.as_str()), (0, "1\n"), "{get:?}");
}

/// Runs `args` with stdout on `/dev/full`.
fn to_dev_full(home: &std::path::Path, args: &[&str]) -> common::Finished {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let child = no_keychain(home).args(args).stdin(Stdio::null()).stdout(full).stderr(Stdio::piped()).spawn().unwrap();
    let output = child.wait_with_output().unwrap();
    common::Finished {
        code: output.status.code().expect("killed by a signal"),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `args` with stdout a pipe whose reader is already gone.
fn to_closed_pipe(home: &std::path::Path, args: &[&str]) -> common::Finished {
    let mut child = no_keychain(home)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    common::Finished {
        code: output.status.code().expect("killed by a signal"),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_full_disk_is_exit_3_with_a_message_and_a_closed_pipe_ends_quietly() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(run_with_stdin(no_keychain(home.path()).args(["vars", "set", "a"]), "value").code, 0);
    for args in [&["vars", "get", "a"][..], &["vars", "list"]] {
        let full = to_dev_full(home.path(), args);
        assert_eq!(full.code, 3, "{args:?}: {full:?}");
        assert!(full.stderr.contains("No space left on device"), "{args:?}: {}", full.stderr);
        assert!(!full.stderr.contains("panicked"), "{}", full.stderr);

        let closed = to_closed_pipe(home.path(), args);
        assert_eq!((closed.code, closed.stderr.as_str()), (0, ""), "{args:?}");
    }
}
