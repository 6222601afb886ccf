//! End-to-end tests of secret custody in `switchyard run`: a secret given with
//! `--secret` or `--secret-env` reaches the server, and neither it nor its encoded
//! forms appear anywhere in stdout or stderr, in either format, even when the server
//! echoes it back in the body and in a header.

mod common;

use common::{Finished, TestServer, base64, flow, run, switchyard, write_flow};
use serde_json::{Value, json};
use switchyard_engine::MASK;

const SECRET: &str = "sk-e2e-UNIQUE-7f3a9";

/// start → /echo with `Authorization: Bearer {{auth}}` → success → log.
fn echo_flow(server: &TestServer) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {
                "type": "send_request",
                "at": [200, 0],
                "url": server.url("/echo"),
                "headers": [["Authorization", "Bearer {{auth}}"]]
            },
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    )
}

fn assert_never_shown(finished: &Finished, forms: &[&str]) {
    let output = finished.all_output();
    for form in forms {
        assert!(!output.contains(form), "`{form}` leaked into the output:\n{output}");
    }
}

#[test]
fn secret_is_sent_but_masked_in_human_output() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "echo.json", &echo_flow(&server));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args(["--secret", &format!("auth={SECRET}")]));

    assert_eq!(finished.code, 0, "{finished:?}");
    let received = server.received();
    assert_eq!(received[0].header("authorization"), Some(format!("Bearer {SECRET}").as_str()));
    assert_never_shown(&finished, &[SECRET, "UNIQUE"]);
    let logged: Value = serde_json::from_str(&finished.stdout).unwrap();
    assert_eq!(logged["body"]["headers"]["authorization"], format!("Bearer {MASK}"), "echoed body masked");
    assert_eq!(logged["headers"]["x-echo-authorization"], format!("Bearer {MASK}"), "echoed header masked");
}

#[test]
fn secret_is_sent_but_masked_in_json_events() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "echo.json", &echo_flow(&server));

    let finished = run(switchyard(dir.path()).arg("run").arg(&path).args([
        "--secret",
        &format!("auth={SECRET}"),
        "--format",
        "json",
    ]));

    assert_eq!(finished.code, 0, "{finished:?}");
    assert_eq!(server.received()[0].header("authorization"), Some(format!("Bearer {SECRET}").as_str()));
    assert_never_shown(&finished, &[SECRET, "UNIQUE"]);
    assert!(finished.stdout.contains(MASK), "the secret is masked, not dropped: {}", finished.stdout);
}

#[test]
fn secret_env_is_sent_but_masked_in_both_formats() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = write_flow(dir.path(), "echo.json", &echo_flow(&server));

    for format in ["human", "json"] {
        let finished = run(switchyard(dir.path()).env("SWITCHYARD_E2E_TOKEN", SECRET).arg("run").arg(&path).args([
            "--secret-env",
            "auth=SWITCHYARD_E2E_TOKEN",
            "--format",
            format,
        ]));

        assert_eq!(finished.code, 0, "{format}: {finished:?}");
        assert_never_shown(&finished, &[SECRET, "UNIQUE"]);
    }
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {SECRET}"))));
}

#[test]
fn encoded_forms_of_a_secret_in_query_and_basic_auth_are_masked() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let secret = "sk e2e/UNIQUE+7f3a9&x=1";
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {
                "type": "send_request",
                "at": [200, 0],
                "url": server.url("/echo"),
                "query": [["key", "{{pw}}"]],
                "auth": {"type": "basic", "username": "e2e-user", "password": "{{pw}}"}
            },
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    );
    let path = write_flow(dir.path(), "encoded.json", &document);
    let basic = base64(format!("e2e-user:{secret}").as_bytes());

    for format in ["human", "json"] {
        let finished = run(switchyard(dir.path()).arg("run").arg(&path).args([
            "--secret",
            &format!("pw={secret}"),
            "--format",
            format,
        ]));

        assert_eq!(finished.code, 0, "{format}: {finished:?}");
        assert_never_shown(&finished, &["UNIQUE", &basic]);
    }
    let received = server.received();
    assert_eq!(received[0].header("authorization"), Some(format!("Basic {basic}").as_str()));
    assert!(received[0].query.contains("UNIQUE"), "the query carried the secret: {}", received[0].query);
}

#[test]
fn test_helper_base64_matches_the_rfc_examples() {
    assert_eq!(base64(b"foob"), "Zm9vYg==");
    assert_eq!(base64(b"fooba"), "Zm9vYmE=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}
