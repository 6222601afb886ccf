//! End-to-end tests of environments and of variables from the CI environment
//! (docs/cli.md), through the built binary without a keychain: `switchyard env …`, `vars … --env`,
//! `run --env`, `import postman-env --env`, `SWITCHYARD_VAR_*` / `SWITCHYARD_SECRET_*`,
//! and the precedence of every layer. Environments' secrets in the real keychain:
//! `keychain.rs`.

// Test helpers: a failed setup step should panic, failing the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{
    Finished, NO_DBUS, TestServer, all_files_text, flow, run, run_with_stdin, switchyard, write_file, write_flow,
};
use serde_json::{Value, json};

/// `switchyard` with a keychain that cannot be reached.
fn no_keychain(home: &Path) -> Command {
    let mut command = switchyard(home);
    command.env("DBUS_SESSION_BUS_ADDRESS", NO_DBUS);
    command
}

fn env_new(home: &Path, name: &str) {
    let made = run(no_keychain(home).args(["env", "new", name]));
    assert_eq!(made.code, 0, "{made:?}");
}

/// `vars set NAME --env ENV` (plain) with `value` on stdin; `None` sets a global.
fn set_var(home: &Path, environment: Option<&str>, name: &str, value: &str) {
    let mut command = no_keychain(home);
    command.args(["vars", "set", name]);
    if let Some(environment) = environment {
        command.args(["--env", environment]);
    }
    let set = run_with_stdin(&mut command, value);
    assert_eq!(set.code, 0, "{set:?}");
}

/// start → GET `url` with `X-Token: {{token}}` → log.
fn token_flow(dir: &Path, url: &str) -> PathBuf {
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url, "headers": [["X-Token", "{{token}}"]]},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    );
    write_flow(dir, "token.flow.json", &document)
}

/// The `X-Token` header of every request the server received, in order.
fn tokens(server: &TestServer) -> Vec<String> {
    server.received().iter().map(|r| r.header("x-token").unwrap_or("(none)").to_owned()).collect()
}

fn ran_ok(finished: &Finished) {
    assert_eq!(finished.code, 0, "{finished:?}");
}

#[test]
fn the_same_flow_reaches_two_servers_through_two_environments() {
    let (dev, staging) = (TestServer::start(), TestServer::start());
    let home = tempfile::tempdir().unwrap();
    env_new(home.path(), "dev");
    env_new(home.path(), "staging");
    set_var(home.path(), Some("dev"), "base", &dev.base);
    set_var(home.path(), Some("staging"), "base", &staging.base);
    set_var(home.path(), Some("dev"), "who", "dev-team");
    set_var(home.path(), Some("staging"), "who", "staging-team");
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": "{{base}}/api/ping",
                     "headers": [["X-Who", "{{who}}"]]},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    );
    let path = write_flow(home.path(), "ping.flow.json", &document);

    ran_ok(&run(no_keychain(home.path()).arg("run").arg(&path).args(["--env", "dev"])));
    assert_eq!(dev.received().len(), 1);
    assert!(staging.received().is_empty(), "the staging server is not reached from dev");

    let finished = run(no_keychain(home.path()).arg("run").arg(&path).args(["--env", "staging", "--format", "json"]));
    ran_ok(&finished);
    assert!(finished.stdout.contains(&staging.url("/api/ping")), "{}", finished.stdout);
    assert_eq!((dev.received().len(), staging.received().len()), (1, 1));
    assert_eq!(dev.received()[0].header("x-who"), Some("dev-team"));
    assert_eq!(staging.received()[0].header("x-who"), Some("staging-team"));

    let without = run(no_keychain(home.path()).arg("run").arg(&path));
    assert_eq!(without.code, 1, "no environment selected: `base` is undefined: {without:?}");
    assert_eq!((dev.received().len(), staging.received().len()), (1, 1), "nothing sent");
}

#[test]
fn each_layer_wins_over_the_one_below_it() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let path = token_flow(home.path(), &server.url("/echo"));
    let runs = |configure: &dyn Fn(&mut Command)| {
        let mut command = no_keychain(home.path());
        command.arg("run").arg(&path);
        configure(&mut command);
        ran_ok(&run(&mut command));
    };

    set_var(home.path(), None, "token", "global");
    env_new(home.path(), "staging");
    set_var(home.path(), Some("staging"), "token", "environment");

    // globals alone; the environment only when selected.
    runs(&|_| {});
    runs(&|c| {
        c.args(["--env", "staging"]);
    });
    // the process environment over the selected environment.
    runs(&|c| {
        c.args(["--env", "staging"]).env("SWITCHYARD_VAR_token", "process");
    });
    // a process secret over the environment too.
    runs(&|c| {
        c.args(["--env", "staging"]).env("SWITCHYARD_SECRET_token", "process-secret-4411");
    });
    // the command line over the process environment: --var, --secret, --secret-env.
    runs(&|c| {
        c.args(["--env", "staging", "--var", "token=cli-var"]).env("SWITCHYARD_VAR_token", "process");
    });
    runs(&|c| {
        c.args(["--env", "staging", "--secret", "token=cli-secret"]).env("SWITCHYARD_SECRET_token", "process");
    });
    runs(&|c| {
        c.args(["--env", "staging", "--secret-env", "token=MY_CI_TOKEN"])
            .env("MY_CI_TOKEN", "cli-secret-env")
            .env("SWITCHYARD_VAR_token", "process");
    });
    assert_eq!(
        tokens(&server),
        ["global", "environment", "process", "process-secret-4411", "cli-var", "cli-secret", "cli-secret-env"]
    );

    // And the flow's own `set` over the command line.
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "keep": {"type": "set", "at": [100, 0], "name": "token", "value": "\"from-the-flow\""},
            "call": {"type": "send_request", "at": [200, 0], "url": server.url("/echo"),
                     "headers": [["X-Token", "{{token}}"]]},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "keep.in"], ["keep.out", "call.in"], ["call.success", "log.in"]]),
    );
    let set_flow = write_flow(home.path(), "set.flow.json", &document);
    let finished = run(no_keychain(home.path())
        .arg("run")
        .arg(&set_flow)
        .args(["--env", "staging", "--var", "token=cli-var"])
        .env("SWITCHYARD_VAR_token", "process"));
    ran_ok(&finished);
    assert_eq!(tokens(&server).last().map(String::as_str), Some("from-the-flow"));
}

#[test]
fn a_secret_given_by_a_higher_layer_is_not_read_from_the_keychain() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    // The environment's `token` is a secret, whose value would be in the keychain.
    let globals = json!({"switchyard_globals": 2, "variables": {"token": {"type": "secret"}},
                         "environments": {"staging": {"variables": {"token": {"type": "secret"}}}}});
    std::fs::write(home.path().join("globals.json"), globals.to_string()).unwrap();
    let path = token_flow(home.path(), &server.url("/echo"));

    let needs_keychain = run(no_keychain(home.path()).arg("run").arg(&path).args(["--env", "staging"]));
    assert_eq!(needs_keychain.code, 3, "{needs_keychain:?}");
    assert!(needs_keychain.stderr.contains("--secret-env"), "{}", needs_keychain.stderr);
    assert!(server.received().is_empty());

    let finished = run(no_keychain(home.path())
        .arg("run")
        .arg(&path)
        .args(["--env", "staging"])
        .env("SWITCHYARD_SECRET_token", "sk-ci-token-2290"));
    ran_ok(&finished);
    assert_eq!(tokens(&server), ["sk-ci-token-2290"]);
    assert!(!finished.all_output().contains("sk-ci-token"), "{finished:?}");
}

#[test]
fn a_secret_from_switchyard_secret_echoed_by_the_server_appears_nowhere() {
    let secret = "sk-ci-UNIQUE-e5v1r0n";
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": server.url("/echo"),
                     "headers": [["Authorization", "Bearer {{auth}}"]]},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "call.in"], ["call.success", "log.in"]]),
    );
    let path = write_flow(home.path(), "echo.flow.json", &document);
    env_new(home.path(), "ci");
    let mut outputs = String::new();
    for format in ["human", "json"] {
        let finished = run(no_keychain(home.path())
            .arg("run")
            .arg(&path)
            .args(["--env", "ci", "--format", format])
            .env("SWITCHYARD_SECRET_auth", secret));
        ran_ok(&finished);
        assert!(finished.stdout.contains("*****"), "the echo is masked, not dropped: {}", finished.stdout);
        outputs.push_str(&finished.all_output());
    }
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {secret}"))));
    assert!(!outputs.contains(secret) && !outputs.contains("UNIQUE-e5v1r0n"), "leaked:\n{outputs}");
    let files = all_files_text(home.path());
    assert!(!files.contains(secret) && !files.contains("UNIQUE-e5v1r0n"), "a file under SWITCHYARD_HOME has it");
}

#[test]
fn switchyard_var_feeds_jq_and_a_malformed_name_is_exit_2() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let document = flow(
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "pick": {"type": "evaluate", "at": [100, 0], "expression": "{region: $region, dotted: $vars[\"a.b\"]}"},
            "log": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "pick.in"], ["pick.out", "log.in"]]),
    );
    let path = write_flow(home.path(), "jq.flow.json", &document);
    let finished = run(no_keychain(home.path())
        .arg("run")
        .arg(&path)
        .env("SWITCHYARD_VAR_region", "eu-west-1")
        .env("SWITCHYARD_VAR_a.b", "dotted"));
    ran_ok(&finished);
    let logged: Value = serde_json::from_str(&finished.stdout).unwrap();
    assert_eq!(logged, json!({"region": "eu-west-1", "dotted": "dotted"}));

    let path = token_flow(home.path(), &server.url("/echo"));
    for (key, message) in [
        ("SWITCHYARD_VAR_bad name", "`SWITCHYARD_VAR_bad name`: `bad name` is not a valid variable name"),
        ("SWITCHYARD_SECRET_token", "`SWITCHYARD_SECRET_token` is empty"),
        ("SWITCHYARD_SECRET_input", "reserved"),
    ] {
        let value = if key.ends_with("_token") { "" } else { "sk-not-shown-31" };
        let refused = run(no_keychain(home.path()).arg("run").arg(&path).env(key, value));
        assert_eq!(refused.code, 2, "{key}: {refused:?}");
        assert!(refused.stderr.contains(message), "{key}: {}", refused.stderr);
        assert!(!refused.all_output().contains("sk-not-shown"));
    }
    assert!(server.received().is_empty(), "nothing was sent");
}

#[test]
fn naming_an_environment_that_does_not_exist_is_exit_2_naming_it() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    env_new(home.path(), "staging");
    let path = token_flow(home.path(), &server.url("/echo"));
    let postman =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/data/postman/dev.postman_environment.json");
    let mut commands: Vec<Command> = Vec::new();
    let mut add = |args: &[&str]| {
        let mut command = no_keychain(home.path());
        command.args(args);
        commands.push(command);
    };
    add(&["run", path.to_str().unwrap(), "--env", "stagin", "--var", "token=t"]);
    add(&["vars", "list", "--env", "stagin"]);
    add(&["vars", "--env", "stagin", "set", "x"]);
    add(&["vars", "get", "x", "--env", "stagin"]);
    add(&["vars", "rm", "x", "--env", "stagin"]);
    add(&["vars", "mv", "x", "y", "--env", "stagin"]);
    add(&["env", "rm", "stagin"]);
    add(&["env", "mv", "stagin", "x"]);
    add(&["import", "postman-env", postman.to_str().unwrap(), "--env", "stagin"]);
    for mut command in commands {
        let finished = run_with_stdin(&mut command, "value");
        assert_eq!(finished.code, 2, "{command:?}: {finished:?}");
        assert!(
            finished.stderr.contains("no environment `stagin` (did you mean `staging`?)"),
            "{command:?}: {}",
            finished.stderr
        );
    }
    assert!(server.received().is_empty(), "nothing was sent");
    assert!(!all_files_text(home.path()).contains("env-SECRET-VALUE"), "nothing imported");
}

#[test]
fn environments_are_made_listed_renamed_and_removed() {
    let home = tempfile::tempdir().unwrap();
    let list = run(no_keychain(home.path()).args(["env", "list"]));
    assert_eq!(list.code, 0);
    assert!(list.stdout.is_empty() && list.stderr.contains("no environments yet"), "{list:?}");

    env_new(home.path(), "dev");
    let again = run(no_keychain(home.path()).args(["env", "new", "dev"]));
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("an environment `dev` already exists"), "{}", again.stderr);
    for bad in ["a/b", "two words", ""] {
        let refused = run(no_keychain(home.path()).args(["env", "new", bad]));
        assert_eq!(refused.code, 2, "{bad:?}: {refused:?}");
        assert!(refused.stderr.contains("not a valid environment name"), "{}", refused.stderr);
    }

    set_var(home.path(), Some("dev"), "host", "dev.example.test");
    set_var(home.path(), Some("dev"), "region", "eu");
    set_var(home.path(), None, "host", "global.example.test");
    let list = run(no_keychain(home.path()).args(["vars", "list", "--env", "dev"]));
    let rows: Vec<Vec<&str>> = list.stdout.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows, [["host", "default", "dev.example.test", "-", "-"], ["region", "default", "eu", "-", "-"]]);
    assert_eq!(run(no_keychain(home.path()).args(["vars", "mv", "region", "zone", "--env", "dev"])).code, 0);
    assert_eq!(run(no_keychain(home.path()).args(["vars", "rm", "zone", "--env", "dev"])).code, 0);

    env_new(home.path(), "prod");
    let list = run(no_keychain(home.path()).args(["env", "list"]));
    let rows: Vec<Vec<&str>> = list.stdout.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows, [vec!["NAME", "VARIABLES", "SECRETS"], vec!["dev", "1", "0"], vec!["prod", "0", "0"]]);

    let taken = run(no_keychain(home.path()).args(["env", "mv", "dev", "prod"]));
    assert_eq!(taken.code, 2, "{taken:?}");
    assert!(taken.stderr.contains("an environment `prod` already exists"), "{}", taken.stderr);
    let moved = run(no_keychain(home.path()).args(["env", "mv", "dev", "development"]));
    assert_eq!(moved.code, 0, "{moved:?}");
    assert!(moved.stderr.contains("renamed environment `dev` to `development`"), "{}", moved.stderr);
    let get = run(no_keychain(home.path()).args(["vars", "get", "host", "--env", "development"]));
    assert_eq!((get.code, get.stdout.as_str()), (0, "dev.example.test\n"), "{get:?}");
    assert_eq!(run(no_keychain(home.path()).args(["vars", "get", "host", "--env", "dev"])).code, 2);

    let removed = run(no_keychain(home.path()).args(["env", "rm", "development"]));
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(removed.stderr.contains("removed environment `development`: 1 variable"), "{}", removed.stderr);
    let globals = std::fs::read_to_string(home.path().join("globals.json")).unwrap();
    assert!(!globals.contains("dev.example.test"), "{globals}");
    let get = run(no_keychain(home.path()).args(["vars", "get", "host"]));
    assert_eq!(get.stdout, "global.example.test\n", "the globals are untouched");
}

#[test]
fn an_old_globals_file_without_environments_still_works_and_keeps_its_variables() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let old = r#"{
  "switchyard_globals": 1,
  "variables": {
    "token": { "type": "default", "value": "from-an-old-file" }
  }
}
"#;
    write_file(home.path(), "globals.json", old);
    let path = token_flow(home.path(), &server.url("/echo"));
    ran_ok(&run(no_keychain(home.path()).arg("run").arg(&path)));
    env_new(home.path(), "dev");
    ran_ok(&run(no_keychain(home.path()).arg("run").arg(&path).args(["--env", "dev"])));
    assert_eq!(tokens(&server), ["from-an-old-file", "from-an-old-file"], "an empty environment hides nothing");
    let text = std::fs::read_to_string(home.path().join("globals.json")).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["variables"]["token"]["value"], "from-an-old-file");
    assert_eq!(document["environments"]["dev"], json!({"variables": {}}));
}

#[test]
fn a_postman_environment_imports_into_the_environment_named() {
    let home = tempfile::tempdir().unwrap();
    let plain = r#"{"name": "Staging", "values": [
        {"key": "baseUrl", "value": "https://staging.example.test", "type": "default", "enabled": true}
    ]}"#;
    let file = write_file(home.path(), "staging.postman_environment.json", plain);
    env_new(home.path(), "staging");
    set_var(home.path(), None, "baseUrl", "https://global.example.test");
    let imported = run(no_keychain(home.path()).args(["import", "postman-env"]).arg(&file).args(["--env", "staging"]));
    assert_eq!(imported.code, 0, "{imported:?}");
    assert!(imported.stderr.contains("into environment `staging`"), "{}", imported.stderr);
    let get = run(no_keychain(home.path()).args(["vars", "get", "baseUrl", "--env", "staging"]));
    assert_eq!(get.stdout, "https://staging.example.test\n");
    let global = run(no_keychain(home.path()).args(["vars", "get", "baseUrl"]));
    assert_eq!(global.stdout, "https://global.example.test\n", "the global is not touched");

    let again = run(no_keychain(home.path()).args(["import", "postman-env"]).arg(&file).args(["--env", "staging"]));
    assert!(again.stderr.contains("kept `baseUrl`: a variable of that name exists already in environment `staging`"));

    // A secret-typed variable needs the keychain: without one nothing is written.
    let postman =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/data/postman/dev.postman_environment.json");
    let before = std::fs::read_to_string(home.path().join("globals.json")).unwrap();
    let refused =
        run(no_keychain(home.path()).args(["import", "postman-env"]).arg(&postman).args(["--env", "staging"]));
    assert_eq!(refused.code, 3, "{refused:?}");
    assert_eq!(std::fs::read_to_string(home.path().join("globals.json")).unwrap(), before);
    assert!(!all_files_text(home.path()).contains("env-SECRET-VALUE-6613"));
}
