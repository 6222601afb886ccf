//! End-to-end tests against the real OS keychain, as a user would use it. Ignored by
//! default; `.ci/run` runs them inside a private D-Bus session with gnome-keyring
//! (`cargo test -- --ignored`), so no developer keychain is touched.

mod common;

use common::{TestServer, all_files_text, flow, run, run_with_stdin, switchyard, write_flow};
use serde_json::{Value, json};
use switchyard_vault::Keychain;

/// A name no other test (or earlier run) uses.
fn unique(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

/// start → GET url with `Authorization: Bearer {{NAME}}` → log on success and failure.
fn bearer_flow(url: &str, name: &str) -> Value {
    flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url,
                     "headers": [["Authorization", format!("Bearer {{{{{name}}}}}")]]},
            "ok": {"type": "log", "at": [400, 0]},
            "failed": {"type": "log", "at": [400, 100], "label": "failed"}
        }),
        json!([["start.out", "call.in"], ["call.success", "ok.in"], ["call.failure", "failed.in"]]),
    )
}

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn stored_secret_is_sent_masked_renamed_and_deleted() {
    let secret = "sk-keychain-e2e-UNIQUE-31a7";
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let name = unique("auth");
    let set = run_with_stdin(
        switchyard(home.path()).args(["vars", "set", &name, "--secret", "--allow-host", "127.0.0.1"]),
        &format!("{secret}\n"),
    );
    assert_eq!(set.code, 0, "{set:?}");

    let list = run(switchyard(home.path()).args(["vars", "list"]));
    assert!(list.stdout.contains("*****") && list.stdout.contains("127.0.0.1"), "{list:?}");
    let masked = run(switchyard(home.path()).args(["vars", "get", &name]));
    assert_eq!(masked.stdout, "*****\n");
    let revealed = run(switchyard(home.path()).args(["vars", "get", &name, "--reveal"]));
    assert_eq!(revealed.stdout, format!("{secret}\n"));

    let path = write_flow(home.path(), "f.json", &bearer_flow(&server.url("/echo"), &name));
    let mut outputs = String::new();
    for format in ["human", "json"] {
        let finished = run(switchyard(home.path()).arg("run").arg(&path).args(["--format", format]));
        assert_eq!(finished.code, 0, "{finished:?}");
        outputs.push_str(&finished.all_output());
    }
    for received in server.received() {
        assert_eq!(received.header("authorization"), Some(format!("Bearer {secret}").as_str()));
    }
    assert_eq!(server.received().len(), 2);
    assert!(!outputs.contains(secret) && !outputs.contains("UNIQUE-31a7"), "leaked:\n{outputs}");
    assert!(!all_files_text(home.path()).contains(secret), "a file under SWITCHYARD_HOME holds the secret");

    let keychain = Keychain::system();
    let renamed = unique("token");
    assert_eq!(run(switchyard(home.path()).args(["vars", "mv", &name, &renamed])).code, 0);
    assert!(keychain.get(&name).unwrap().is_none(), "the old keychain entry is gone");
    assert!(keychain.get(&renamed).unwrap().is_some(), "the entry moved");

    let removed = run(switchyard(home.path()).args(["vars", "rm", &renamed]));
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(keychain.get(&renamed).unwrap().is_none(), "the keychain no longer holds it");
}

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn secret_is_not_sent_to_a_host_outside_allowed_hosts() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let name = unique("scoped");
    let set = run_with_stdin(
        switchyard(home.path()).args(["vars", "set", &name, "--secret", "--allow-host", "api.example.com"]),
        "sk-scoped-value-19",
    );
    assert_eq!(set.code, 0, "{set:?}");
    let path = write_flow(home.path(), "f.json", &bearer_flow(&server.url("/echo"), &name));
    let finished = run(switchyard(home.path()).arg("run").arg(&path));
    assert!(server.received().is_empty(), "nothing may be sent");
    assert!(finished.stdout.contains("host_not_allowed"), "{finished:?}");
    assert!(!finished.all_output().contains("sk-scoped-value"));
    assert_eq!(run(switchyard(home.path()).args(["vars", "rm", &name])).code, 0);
}

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn expired_secret_warns_in_human_output() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let name = unique("old");
    let set = run_with_stdin(
        switchyard(home.path()).args(["vars", "set", &name, "--secret", "--expires", "2020-01-31"]),
        "sk-old",
    );
    assert_eq!(set.code, 0, "{set:?}");
    let list = run(switchyard(home.path()).args(["vars", "list"]));
    assert!(list.stdout.contains("2020-01-31 (expired)"), "{list:?}");
    let path = write_flow(home.path(), "f.json", &bearer_flow(&server.url("/echo"), &name));
    let finished = run(switchyard(home.path()).arg("run").arg(&path));
    assert_eq!(finished.code, 0, "an expired secret still runs: {finished:?}");
    assert!(finished.stderr.contains(&format!("`{name}` expired on 2020-01-31")), "{}", finished.stderr);
    assert_eq!(run(switchyard(home.path()).args(["vars", "rm", &name])).code, 0);
}

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn an_environments_secret_is_sent_and_moves_with_env_mv_and_goes_with_env_rm() {
    let secret = "sk-env-keychain-UNIQUE-5c2d";
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let (environment, renamed, name) = (unique("staging"), unique("stage"), unique("env-auth"));
    assert_eq!(run(switchyard(home.path()).args(["env", "new", &environment])).code, 0);
    let set = run_with_stdin(
        switchyard(home.path()).args(["vars", "set", &name, "--secret", "--env", &environment]),
        &format!("{secret}\n"),
    );
    assert_eq!(set.code, 0, "{set:?}");
    let keychain = Keychain::system();
    let revealed =
        |user: &str| keychain.get(user).unwrap().map(|s| secrecy::ExposeSecret::expose_secret(&s).to_owned());
    assert_eq!(revealed(&format!("{environment}/{name}")).as_deref(), Some(secret), "stored as ENV/NAME");
    assert_eq!(revealed(&name), None, "not as a global");

    let path = write_flow(home.path(), "f.json", &bearer_flow(&server.url("/echo"), &name));
    let first = run(switchyard(home.path()).arg("run").arg(&path).args(["--env", &environment]));
    assert_eq!(first.code, 0, "{first:?}");

    let moved = run(switchyard(home.path()).args(["env", "mv", &environment, &renamed]));
    assert_eq!(moved.code, 0, "{moved:?}");
    assert!(moved.stderr.contains("1 keychain entry moved"), "{}", moved.stderr);
    assert_eq!(revealed(&format!("{environment}/{name}")), None, "the old entry is gone");
    assert_eq!(revealed(&format!("{renamed}/{name}")).as_deref(), Some(secret), "the entry moved");
    let second = run(switchyard(home.path()).arg("run").arg(&path).args(["--env", &renamed, "--format", "json"]));
    assert_eq!(second.code, 0, "{second:?}");

    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {secret}"))));
    let outputs = format!("{}{}{}", set.all_output(), first.all_output(), second.all_output());
    assert!(!outputs.contains(secret) && !outputs.contains("UNIQUE-5c2d"), "leaked:\n{outputs}");
    assert!(!all_files_text(home.path()).contains(secret), "a file under SWITCHYARD_HOME holds the secret");

    let removed = run(switchyard(home.path()).args(["env", "rm", &renamed]));
    assert_eq!(removed.code, 0, "{removed:?}");
    assert_eq!(revealed(&format!("{renamed}/{name}")), None, "env rm deletes the keychain entry");
}

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn a_postman_environment_imports_its_secrets_under_env_slash_name() {
    let home = tempfile::tempdir().unwrap();
    let environment = unique("dev");
    assert_eq!(run(switchyard(home.path()).args(["env", "new", &environment])).code, 0);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../import/tests/data/postman/dev.postman_environment.json");
    let imported =
        run(switchyard(home.path()).args(["import", "postman-env"]).arg(&file).args(["--env", &environment]));
    assert_eq!(imported.code, 0, "{imported:?}");
    let keychain = Keychain::system();
    let stored = keychain.get(&format!("{environment}/apiSecret")).unwrap();
    assert_eq!(stored.as_ref().map(secrecy::ExposeSecret::expose_secret), Some("env-SECRET-VALUE-6613"));
    let global = run(switchyard(home.path()).args(["vars", "get", "apiSecret"]));
    assert_eq!(global.code, 2, "not a global: {global:?}");
    let plain = run(switchyard(home.path()).args(["vars", "get", "baseUrl", "--env", &environment]));
    assert_eq!(plain.stdout, "https://dev.example.test\n");
    assert!(!imported.all_output().contains("env-SECRET-VALUE-6613"));
    assert!(!all_files_text(home.path()).contains("env-SECRET-VALUE-6613"));
    assert_eq!(run(switchyard(home.path()).args(["env", "rm", &environment])).code, 0);
    assert!(keychain.get(&format!("{environment}/apiSecret")).unwrap().is_none());
}
