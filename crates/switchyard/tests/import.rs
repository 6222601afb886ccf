//! End-to-end tests of `switchyard import` and `switchyard export curl`: collections
//! written for the tests (`crates/import/tests/data/postman/`) imported with the built binary, the
//! flows then run against a local server that must receive every request in order;
//! curl commands in and out; no secret value in any written file.

mod common;

use std::path::{Path, PathBuf};

use common::{NO_DBUS, Received, TestServer, all_files_text, assert_no_form, run, run_with_stdin, switchyard};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/data/postman").join(name)
}

/// `switchyard` with no keychain reachable.
fn no_keychain(home: &Path) -> std::process::Command {
    let mut command = switchyard(home);
    command.env("DBUS_SESSION_BUS_ADDRESS", NO_DBUS);
    command
}

fn header<'r>(received: &'r Received, name: &str) -> &'r str {
    received
        .header(name)
        .unwrap_or_else(|| panic!("{} {} has no {name} header: {:?}", received.method, received.path, received.headers))
}

#[test]
fn shop_collection_imports_and_runs_every_request_in_order() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let imported = run(no_keychain(home.path())
        .args(["import", "postman"])
        .arg(data("shop.postman_collection.json"))
        .arg("-o")
        .arg(out.path()));
    assert_eq!(imported.code, 0, "{imported:?}");
    let flow_path = out.path().join("shop-api-tests.flow.json");
    assert!(flow_path.exists(), "{imported:?}");
    let report = &imported.stderr;
    assert!(report.contains("imported collection `Shop API (tests)`: 13 requests"), "{report}");
    assert!(report.contains("warning: request `Orders / Legacy`: auth type `oauth2`"), "{report}");
    assert!(report.contains("script: request `Users / List users` (block `list-users`): test script"), "{report}");
    assert!(report.contains("variable `baseUrl` = `https://shop.example.test` (collection variable)"), "{report}");
    assert!(report.contains("secret `accessToken` (collection variable, looks like a credential): not stored; store it with `switchyard vars set accessToken --secret`"), "{report}");
    assert!(report.contains("switchyard vars set x_partner_key --secret"), "{report}");
    for secret in ["tok-COLLECTION-SECRET-7781", "pk-LITERAL-SECRET-5521"] {
        assert!(!imported.all_output().contains(secret), "{secret} printed");
        assert!(!all_files_text(out.path()).contains(secret), "{secret} written");
        assert!(!all_files_text(home.path()).contains(secret), "{secret} written");
    }

    std::fs::write(out.path().join("receipt.txt"), "receipt-bytes-123").unwrap();
    let server = TestServer::start();
    let ran = run(no_keychain(home.path())
        .arg("run")
        .arg(&flow_path)
        .args(["--var", &format!("baseUrl={}", server.base)])
        .args(["--secret", "accessToken=tok-RUN-1", "--var", "role=admin", "--secret", "adminPassword=pw-RUN-2"])
        .args(["--secret", "x_partner_key=pk-RUN-3", "--var", "userId=42"]));
    assert_eq!(ran.code, 0, "{ran:?}");

    let got = server.received();
    let summary: Vec<String> = got.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        summary,
        [
            "GET /api/health",
            "GET /api/users",
            "GET /api/users/42",
            "POST /api/users",
            "GET /api/admin/audit",
            "DELETE /api/admin/purge",
            "POST /api/notes",
            "POST /api/token",
            "POST /api/upload",
            "POST /api/graphql",
            "GET /api/partner",
            "GET /api/legacy",
            "GET /api/users/1",
        ]
    );
    let bearer = "Bearer tok-RUN-1";
    assert_eq!(header(&got[0], "authorization"), bearer);
    assert_eq!(got[1].query, "page=2&limit=10");
    assert_eq!(header(&got[1], "accept"), "application/json");
    assert!(got[1].header("x-debug").is_none(), "disabled header sent");
    assert_eq!(header(&got[3], "content-type"), "application/json");
    assert_eq!(
        serde_json::from_str::<Value>(&got[3].body).unwrap(),
        serde_json::json!({"name": "Ann", "role": "admin"})
    );
    assert_eq!(header(&got[4], "authorization"), format!("Basic {}", common::base64(b"admin:pw-RUN-2")));
    assert!(got[5].header("authorization").is_none(), "noauth request carried auth");
    assert_eq!(got[6].body, "plain note text");
    assert_eq!(header(&got[6], "content-type"), "text/plain; charset=utf-8");
    assert_eq!(got[7].body, "grant_type=password&username=ann+b");
    assert_eq!(header(&got[7], "content-type"), "application/x-www-form-urlencoded");
    let upload = &got[8];
    assert!(header(upload, "content-type").starts_with("multipart/form-data; boundary="), "{upload:?}");
    assert!(upload.body.contains("name=\"title\"\r\n\r\nReceipt\r\n"), "{}", upload.body);
    assert!(upload.body.contains("name=\"file\"; filename=\"receipt.txt\""), "{}", upload.body);
    assert!(upload.body.contains("receipt-bytes-123"), "{}", upload.body);
    assert!(!upload.body.contains("skip"), "disabled form field sent");
    let graphql: Value = serde_json::from_str(&got[9].body).unwrap();
    assert_eq!(graphql["variables"], serde_json::json!({"n": 3}));
    assert_eq!(header(&got[10], "x-partner-key"), "pk-RUN-3");
    let reference = got[10].query.strip_prefix("ref=").unwrap();
    assert_eq!(reference.len(), 36, "a $guid: {reference}");
    assert_ne!(reference, "{{$guid}}");
    assert_eq!(header(&got[12], "authorization"), bearer);
}

#[test]
fn v2_0_collection_imports_and_runs() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let imported = run(no_keychain(home.path())
        .args(["import", "postman"])
        .arg(data("legacy.postman_collection.json"))
        .arg("-o")
        .arg(out.path()));
    assert_eq!(imported.code, 0, "{imported:?}");
    let server = TestServer::start();
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let ran = run(no_keychain(home.path())
        .arg("run")
        .arg(out.path().join("legacy-v2-0.flow.json"))
        .args([
            "--var",
            &format!("baseUrl={}", server.base),
            "--var",
            "host=127.0.0.1",
            "--var",
            &format!("port={port}"),
        ])
        .args(["--secret", "apiKey=ak-RUN", "--secret", "itemToken=it-RUN", "--var", "count=5"]));
    assert_eq!(ran.code, 0, "{ran:?}");
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].method.as_str(), got[0].path.as_str(), got[0].query.as_str()),
        ("GET", "/api/ping", "api_key=ak-RUN")
    );
    assert_eq!((got[1].method.as_str(), got[1].path.as_str(), got[1].query.as_str()), ("PUT", "/api/items/7", "v=2"));
    assert_eq!(header(&got[1], "x-one"), "1");
    assert_eq!(header(&got[1], "x-two"), "two");
    assert_eq!(header(&got[1], "authorization"), "Bearer it-RUN");
    assert_eq!(header(&got[1], "content-type"), "application/json");
    assert_eq!(got[1].body, "{\"x\": 5}");
}

#[test]
fn invalid_collection_exits_2_with_the_place_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let bad = out.path().join("bad.json");
    std::fs::write(&bad, "{\"info\": {\"name\": \"x\"},\n \"item\": [}").unwrap();
    let result =
        run(no_keychain(home.path()).args(["import", "postman"]).arg(&bad).arg("-o").arg(out.path().join("flows")));
    assert_eq!(result.code, 2, "{result:?}");
    assert!(result.stderr.contains("bad.json: line 2, column 11: not valid JSON"), "{}", result.stderr);
    assert!(!out.path().join("flows").exists());
    let missing = run(no_keychain(home.path()).args(["import", "postman", "/nonexistent/c.json"]));
    assert_eq!(missing.code, 2, "{missing:?}");

    // An existing flow is never replaced.
    let kept = out.path().join("shop-api-tests.flow.json");
    std::fs::write(&kept, "edited by hand").unwrap();
    let again = run(no_keychain(home.path())
        .args(["import", "postman"])
        .arg(data("shop.postman_collection.json"))
        .arg("-o")
        .arg(out.path()));
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "edited by hand");
    let curl = run(no_keychain(home.path()).args(["import", "curl", "-o"]).arg(&kept).arg("curl https://x.test"));
    assert_eq!(curl.code, 2, "{curl:?}");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "edited by hand");
}

#[test]
fn globals_without_a_keychain_exit_3_and_write_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = run(no_keychain(home.path())
        .args(["import", "postman", "--globals"])
        .arg(data("shop.postman_collection.json"))
        .arg("-o")
        .arg(out.path()));
    assert_eq!(result.code, 3, "{result:?}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    assert!(!all_files_text(home.path()).contains("tok-COLLECTION-SECRET-7781"));
    let env = run(no_keychain(home.path()).args(["import", "postman-env"]).arg(data("dev.postman_environment.json")));
    assert_eq!(env.code, 3, "{env:?}");
    assert!(!all_files_text(home.path()).contains("env-SECRET-VALUE-6613"));
}

/// Needs the real Secret Service: run by `.ci/run` with `--ignored`.
#[test]
#[ignore = "needs the OS keychain (Secret Service)"]
fn globals_go_to_the_store_and_credentials_to_the_keychain() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = run(switchyard(home.path())
        .args(["import", "postman", "--globals"])
        .arg(data("shop.postman_collection.json"))
        .arg("-o")
        .arg(out.path()));
    assert_eq!(result.code, 0, "{result:?}");
    let globals = std::fs::read_to_string(home.path().join("globals.json")).unwrap();
    assert!(globals.contains("https://shop.example.test"), "{globals}");
    let files = format!("{}{}", all_files_text(home.path()), all_files_text(out.path()));
    for secret in ["tok-COLLECTION-SECRET-7781", "pk-LITERAL-SECRET-5521"] {
        assert!(!files.contains(secret), "{secret} written to a file");
        assert!(!result.all_output().contains(secret));
    }
    let token = run(switchyard(home.path()).args(["vars", "get", "accessToken", "--reveal"]));
    assert_eq!(token.stdout.trim(), "tok-COLLECTION-SECRET-7781");
    let partner = run(switchyard(home.path()).args(["vars", "get", "x_partner_key", "--reveal"]));
    assert_eq!(partner.stdout.trim(), "pk-LITERAL-SECRET-5521");
    let env = run(switchyard(home.path()).args(["import", "postman-env"]).arg(data("dev.postman_environment.json")));
    assert_eq!(env.code, 0, "{env:?}");
    assert!(env.stderr.contains("kept `baseUrl`"), "{}", env.stderr);
    let secret = run(switchyard(home.path()).args(["vars", "get", "apiSecret", "--reveal"]));
    assert_eq!(secret.stdout.trim(), "env-SECRET-VALUE-6613");
    assert!(!all_files_text(home.path()).contains("env-SECRET-VALUE-6613"));
    for name in ["accessToken", "x_partner_key", "apiSecret"] {
        assert_eq!(run(switchyard(home.path()).args(["vars", "rm", name])).code, 0);
    }
}

#[test]
fn curl_with_a_literal_credential_imports_without_it_and_runs() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let flow_path = out.path().join("call.flow.json");
    let command = format!(
        "curl -X POST {}/api/items \\\n  -H 'Authorization: Bearer sk-LITERAL-CURL-8812' \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"n\": 1}}'",
        server.base
    );
    let imported = run(no_keychain(home.path()).args(["import", "curl", "-o"]).arg(&flow_path).arg(&command));
    assert_eq!(imported.code, 0, "{imported:?}");
    assert!(
        imported.stderr.contains("is now `{{token}}`: store it with `switchyard vars set token --secret`"),
        "{}",
        imported.stderr
    );
    assert!(!imported.all_output().contains("sk-LITERAL-CURL-8812"));
    assert!(!all_files_text(out.path()).contains("sk-LITERAL-CURL-8812"));
    let ran = run(no_keychain(home.path()).arg("run").arg(&flow_path).args(["--secret", "token=sk-RUN-9"]));
    assert_eq!(ran.code, 0, "{ran:?}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].method.as_str(), got[0].path.as_str()), ("POST", "/api/items"));
    assert_eq!(header(&got[0], "authorization"), "Bearer sk-RUN-9");
    assert_eq!(got[0].body, "{\"n\":1}");
}

#[test]
fn openai_example_from_stdin_prints_the_flow() {
    let home = tempfile::tempdir().unwrap();
    let result = run_with_stdin(
        no_keychain(home.path()).args(["import", "curl"]),
        "curl https://api.openai.com/v1/models \\\n  -H \"Authorization: Bearer $OPENAI_API_KEY\"\n",
    );
    assert_eq!(result.code, 0, "{result:?}");
    let flow: Value = serde_json::from_str(&result.stdout).unwrap();
    let request = &flow["blocks"]["request"];
    assert_eq!(request["url"], "https://api.openai.com/v1/models");
    assert_eq!(request["headers"], serde_json::json!([["Authorization", "Bearer {{OPENAI_API_KEY}}"]]));
    assert_eq!(
        flow["wires"],
        serde_json::json!([
            ["start.out", "request.in"],
            ["request.success", "success.in"],
            ["request.failure", "failure.in"]
        ])
    );
    let bad = run(no_keychain(home.path()).args(["import", "curl", "wget https://x.test"]));
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("not a curl command"), "{}", bad.stderr);
}

#[test]
fn export_curl_resolves_plain_values_hides_secrets_and_imports_back() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let set = run_with_stdin(no_keychain(home.path()).args(["vars", "set", "host"]), "https://api.example.test");
    assert_eq!(set.code, 0, "{set:?}");
    let flow = out.path().join("f.flow.json");
    std::fs::write(
        &flow,
        r#"{"switchyard": 1, "name": "x", "blocks": {
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [1, 0], "method": "POST", "url": "{{host}}/v1/things",
                     "headers": [["X-Key", "{{key}}"]], "body": {"json": {"a": "{{host}}", "b": [1, 2]}},
                     "follow_redirects": false}
        }, "wires": [["start.out", "call.in"]]}"#,
    )
    .unwrap();
    let exported = run(no_keychain(home.path())
        .env("SWITCHYARD_SECRET_key", "sec-EXPORT-4471")
        .args(["export", "curl"])
        .arg(&flow)
        .arg("call"));
    assert_eq!(exported.code, 0, "{exported:?}");
    assert!(!exported.all_output().contains("sec-EXPORT-4471"));
    assert_eq!(
        exported.stdout,
        "curl https://api.example.test/v1/things \\\n  -X POST \\\n  -H 'X-Key: '\"${key}\" \\\n  \
         -H 'Content-Type: application/json' \\\n  --data-raw '{\"a\":\"https://api.example.test\",\"b\":[1,2]}'\n"
    );
    assert!(exported.stderr.contains("note: secret `key` is `$key`"), "{}", exported.stderr);
    let back = run(no_keychain(home.path()).args(["import", "curl"]).arg(&exported.stdout));
    assert_eq!(back.code, 0, "{back:?}");
    let back: Value = serde_json::from_str(&back.stdout).unwrap();
    let request = &back["blocks"]["request"];
    assert_eq!(request["method"], "POST");
    assert_eq!(request["url"], "https://api.example.test/v1/things");
    assert_eq!(request["headers"], serde_json::json!([["X-Key", "{{key}}"]]));
    assert_eq!(request["body"], serde_json::json!({"json": {"a": "https://api.example.test", "b": [1, 2]}}));
    assert_eq!(request["follow_redirects"], false);

    let missing = run(no_keychain(home.path()).args(["export", "curl"]).arg(&flow).arg("nope"));
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("no block `nope`; its Send Request blocks: call"), "{}", missing.stderr);
}

/// A collection of these `(name, url)` requests, and the given collection variables.
fn collection_of(requests: &[(&str, &str)], variables: Value) -> String {
    let items: Vec<Value> = requests
        .iter()
        .map(|(name, url)| serde_json::json!({"name": name, "request": {"method": "GET", "url": url}}))
        .collect();
    serde_json::json!({
        "info": {"name": "E2E", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": variables,
        "item": items
    })
    .to_string()
}

/// Every kind of literal credential in a curl command: no form of it is printed or written.
#[test]
fn curl_credentials_of_every_kind_reach_no_output_and_no_file() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let cases = [
        ("curl https://bob:PW-e2e-userinfo-3131@api.x.test/v1", "PW-e2e-userinfo-3131"),
        ("curl --oauth2-bearer TK-e2e-oauth-3232 https://api.x.test/v1", "TK-e2e-oauth-3232"),
        ("curl 'https://api.x.test/v1?api_key=AK-e2e-3333&q=1'", "AK-e2e-3333"),
        ("curl 'https://api.x.test/v1?access_token=AT-e2e-3434'", "AT-e2e-3434"),
        ("curl -b 'sid=CK-e2e-3535' https://api.x.test/v1", "CK-e2e-3535"),
        ("curl -d 'client_secret=CS-e2e-3636&grant_type=client_credentials' https://api.x.test/token", "CS-e2e-3636"),
        ("curl -d 'username=ann&password=PW-e2e-form-3737' https://api.x.test/login", "PW-e2e-form-3737"),
        ("curl -U proxy:PX-e2e-3838 https://api.x.test/v1", "PX-e2e-3838"),
    ];
    for (index, (command, secret)) in cases.iter().enumerate() {
        let flow_path = out.path().join(format!("c{index}.flow.json"));
        let to_file = run(no_keychain(home.path()).args(["import", "curl", "-o"]).arg(&flow_path).arg(command));
        assert_eq!(to_file.code, 0, "{to_file:?}");
        let to_stdout = run(no_keychain(home.path()).args(["import", "curl"]).arg(command));
        assert_eq!(to_stdout.code, 0, "{to_stdout:?}");
        assert_no_form(&to_file.all_output(), &[secret]);
        assert_no_form(&to_stdout.all_output(), &[secret]);
        assert_no_form(&all_files_text(out.path()), &[secret]);
        assert_no_form(&all_files_text(home.path()), &[secret]);
        if !command.contains(" -U ") {
            assert!(to_stdout.stdout.contains("{{"), "a `{{{{name}}}}` stands for it: {}", to_stdout.stdout);
        }
    }
}

/// Every kind of literal credential in a collection: no form of it is printed or written.
#[test]
fn postman_credentials_of_every_kind_reach_no_output_and_no_file() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("kinds.json");
    let text = collection_of(
        &[
            ("userinfo", "https://bob:PW-pm-e2e-4141@api.x.test/v1"),
            ("query", "https://api.x.test/v1?api_key=AK-pm-e2e-4242&token=TK-pm-e2e-4343"),
        ],
        serde_json::json!([]),
    );
    std::fs::write(&file, text).unwrap();
    let imported =
        run(no_keychain(home.path()).args(["import", "postman"]).arg(&file).arg("-o").arg(out.path().join("flows")));
    assert_eq!(imported.code, 0, "{imported:?}");
    let secrets = ["PW-pm-e2e-4141", "AK-pm-e2e-4242", "TK-pm-e2e-4343"];
    assert_no_form(&imported.all_output(), &secrets);
    assert_no_form(&all_files_text(&out.path().join("flows")), &secrets);
    assert_no_form(&all_files_text(home.path()), &secrets);
    let flow = std::fs::read_to_string(out.path().join("flows/e2e.flow.json")).unwrap();
    for reference in ["{{password}}", "{{api_key}}", "{{token}}"] {
        assert!(flow.contains(reference), "{flow}");
    }
}

/// `import postman --globals` never points a name at another value: a global holding
/// another value keeps it, the import's value goes under the next free name, the flow
/// uses that name, and the report says so; a global holding the same value is used.
#[test]
fn globals_never_point_a_name_at_another_value() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    for (name, value) in [("baseUrl", "https://unrelated.example.test"), ("region", "eu")] {
        let set = run_with_stdin(no_keychain(home.path()).args(["vars", "set", name]), value);
        assert_eq!(set.code, 0, "{set:?}");
    }
    let file = out.path().join("c.json");
    let text = collection_of(
        &[("items", "{{baseUrl}}/api/items?region={{region}}")],
        serde_json::json!([{"key": "baseUrl", "value": server.base}, {"key": "region", "value": "eu"}]),
    );
    std::fs::write(&file, text).unwrap();
    let imported =
        run(no_keychain(home.path()).args(["import", "postman", "--globals"]).arg(&file).arg("-o").arg(out.path()));
    assert_eq!(imported.code, 0, "{imported:?}");
    assert!(
        imported.stderr.contains(
            "renamed `baseUrl` to `baseUrl-2` (collection variable): the global `baseUrl` holds another value"
        ),
        "{}",
        imported.stderr
    );
    assert!(
        imported.stderr.contains("kept `region` (collection variable): the global `region` holds this value already"),
        "{}",
        imported.stderr
    );
    let flow = std::fs::read_to_string(out.path().join("e2e.flow.json")).unwrap();
    assert!(flow.contains("{{baseUrl-2}}/api/items") && !flow.contains("{{baseUrl}}"), "{flow}");
    let unrelated = run(no_keychain(home.path()).args(["vars", "get", "baseUrl"]));
    assert_eq!(unrelated.stdout.trim(), "https://unrelated.example.test", "the existing global is left as it is");
    let imported_value = run(no_keychain(home.path()).args(["vars", "get", "baseUrl-2"]));
    assert_eq!(imported_value.stdout.trim(), server.base);

    let ran = run(no_keychain(home.path()).arg("run").arg(out.path().join("e2e.flow.json")));
    assert_eq!(ran.code, 0, "{ran:?}");
    let got = server.received();
    assert_eq!(got.len(), 1, "the request went to the imported value, not the unrelated global");
    assert_eq!((got[0].path.as_str(), got[0].query.as_str()), ("/api/items", "region=eu"));

    // The same collection again: `baseUrl-2` holds its value now, so it is used as it is.
    std::fs::remove_file(out.path().join("e2e.flow.json")).unwrap();
    let again =
        run(no_keychain(home.path()).args(["import", "postman", "--globals"]).arg(&file).arg("-o").arg(out.path()));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("the flow uses `{{baseUrl-2}}`, the global holding this value"), "{}", again.stderr);
    assert!(!run(no_keychain(home.path()).args(["vars", "list"])).all_output().contains("baseUrl-3"));
}

/// Needs the real Secret Service: run by `.ci/run` with `--ignored`.
#[test]
#[ignore = "needs the OS keychain (Secret Service)"]
fn a_taken_secret_name_gets_the_next_free_name_and_a_same_value_is_reused() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let set = run_with_stdin(
        switchyard(home.path()).args(["vars", "set", "token", "--secret", "--allow-host", "old.example.test"]),
        "sk-OLD-unrelated-5151",
    );
    assert_eq!(set.code, 0, "{set:?}");
    let file = out.path().join("c.json");
    let bearer = |token: &str| {
        serde_json::json!({
            "info": {"name": "Bearer", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "call", "request": {"method": "GET", "url": "https://new.example.test/v1",
                "header": [{"key": "Authorization", "value": format!("Bearer {token}")}]}}]
        })
        .to_string()
    };
    std::fs::write(&file, bearer("sk-NEW-imported-5252")).unwrap();
    let imported =
        run(switchyard(home.path()).args(["import", "postman", "--globals"]).arg(&file).arg("-o").arg(out.path()));
    assert_eq!(imported.code, 0, "{imported:?}");
    assert!(imported.stderr.contains("renamed `token` to `token-2`"), "{}", imported.stderr);
    let flow = std::fs::read_to_string(out.path().join("bearer.flow.json")).unwrap();
    assert!(flow.contains("Bearer {{token-2}}"), "{flow}");
    let old = run(switchyard(home.path()).args(["vars", "get", "token", "--reveal"]));
    assert_eq!(old.stdout.trim(), "sk-OLD-unrelated-5151", "the existing secret is left as it is");
    let new = run(switchyard(home.path()).args(["vars", "get", "token-2", "--reveal"]));
    assert_eq!(new.stdout.trim(), "sk-NEW-imported-5252");
    let list = run(switchyard(home.path()).args(["vars", "list"]));
    assert!(list.stdout.contains("old.example.test"), "{list:?}");

    // The old value imported: `token` holds it, so the flow uses `token`.
    std::fs::remove_file(out.path().join("bearer.flow.json")).unwrap();
    std::fs::write(&file, bearer("sk-OLD-unrelated-5151")).unwrap();
    let same =
        run(switchyard(home.path()).args(["import", "postman", "--globals"]).arg(&file).arg("-o").arg(out.path()));
    assert_eq!(same.code, 0, "{same:?}");
    assert!(same.stderr.contains("kept `token`"), "{}", same.stderr);
    let flow = std::fs::read_to_string(out.path().join("bearer.flow.json")).unwrap();
    assert!(flow.contains("Bearer {{token}}"), "{flow}");
    for output in [&imported, &same] {
        assert_no_form(&output.all_output(), &["sk-OLD-unrelated-5151", "sk-NEW-imported-5252"]);
    }
    assert_no_form(&all_files_text(home.path()), &["sk-OLD-unrelated-5151", "sk-NEW-imported-5252"]);
    for name in ["token", "token-2"] {
        assert_eq!(run(switchyard(home.path()).args(["vars", "rm", name])).code, 0);
    }
}

/// An imported collection whose second request fails: every request is still sent (as
/// newman does) and the run fails, exit 1.
#[test]
fn an_imported_collection_whose_second_request_fails_sends_every_request_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    let file = out.path().join("c.json");
    let text = collection_of(
        &[("one", "{{baseUrl}}/api/one"), ("two", "{{baseUrl}}/status/500"), ("three", "{{baseUrl}}/api/three")],
        serde_json::json!([]),
    );
    std::fs::write(&file, text).unwrap();
    let imported = run(no_keychain(home.path()).args(["import", "postman"]).arg(&file).arg("-o").arg(out.path()));
    assert_eq!(imported.code, 0, "{imported:?}");
    let ran = run(no_keychain(home.path())
        .arg("run")
        .arg(out.path().join("e2e.flow.json"))
        .args(["--var", &format!("baseUrl={}", server.base)]));
    let paths: Vec<String> = server.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/api/one", "/status/500", "/api/three"], "{ran:?}");
    assert_eq!(ran.code, 1, "a failed request fails the run: {ran:?}");
}
