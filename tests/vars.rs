//! End-to-end tests of `switchyard vars` and of runs that read the globals store, as a
//! user would, without a keychain: plain variables, and the clear failure (exit 3)
//! when a secret needs a keychain that is not there. The real keychain: `keychain.rs`.

mod common;

use common::{NO_DBUS, TestServer, flow, run, run_with_stdin, switchyard, write_flow};
use serde_json::{Value, json};

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
