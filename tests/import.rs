//! End-to-end tests of `switchyard import` and `switchyard export curl`: collections
//! written for the tests (`tests/data/postman/`) imported with the built binary, the
//! flows then run against a local server that must receive every request in order;
//! curl commands in and out; no secret value in any written file.

mod common;

use std::path::{Path, PathBuf};

use common::{NO_DBUS, Received, TestServer, all_files_text, run, run_with_stdin, switchyard};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/postman").join(name)
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
        .args(["--secret", "apiKey=ak-RUN", "--secret", "itemToken=it-RUN", "--var", "itemId=7", "--var", "count=5"]));
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
