//! curl commands into requests, field by field, and requests back out as curl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use serde_json::json;
use switchyard_flow::{Auth, BlockKind, Body, Part, SendRequest};
use switchyard_import::{Imported, Resolved, curl_command, export_curl};

fn import(command: &str) -> Imported {
    curl_command(command, Path::new("/work/here"), None).unwrap_or_else(|e| panic!("{command}: {e}"))
}

fn request_of(imported: &Imported) -> SendRequest {
    let block = imported.flow.block("request").expect("a `request` block");
    match &block.kind {
        BlockKind::SendRequest(request) => request.clone(),
        other => panic!("not a request: {other:?}"),
    }
}

fn req(method: &str, url: &str) -> SendRequest {
    let mut request = SendRequest::new(url);
    request.method = method.to_owned();
    request.follow_redirects = false;
    request
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

fn with(mut request: SendRequest, change: impl FnOnce(&mut SendRequest)) -> SendRequest {
    change(&mut request);
    request
}

#[test]
fn openai_example_keeps_the_shell_variable_as_a_reference() {
    let imported = import(r#"curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY""#);
    let expected = with(req("GET", "https://api.openai.com/v1/models"), |r| {
        r.headers = pairs(&[("Authorization", "Bearer {{OPENAI_API_KEY}}")]);
    });
    assert_eq!(request_of(&imported), expected);
    assert!(imported.variables.is_empty(), "no literal credential to store");
    let ids: Vec<&str> = imported.flow.blocks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["start", "request", "success", "failure"]);
    let wires: Vec<String> = imported.flow.wires.iter().map(|w| format!("{} -> {}", w.from, w.to)).collect();
    assert_eq!(wires, ["start.out -> request.in", "request.success -> success.in", "request.failure -> failure.in"]);
}

#[test]
fn table_of_commands_field_by_field() {
    let u = "https://x.test/a";
    let cases: Vec<(&str, SendRequest)> = vec![
        ("curl https://x.test/a", req("GET", u)),
        ("curl -X POST https://x.test/a", req("POST", u)),
        ("curl --request delete https://x.test/a", req("DELETE", u)),
        ("curl -XPUT https://x.test/a", req("PUT", u)),
        ("curl x.test/a", req("GET", "http://x.test/a")),
        ("curl --url https://x.test/a", req("GET", u)),
        ("curl -L https://x.test/a", with(req("GET", u), |r| r.follow_redirects = true)),
        ("curl --location https://x.test/a", with(req("GET", u), |r| r.follow_redirects = true)),
        ("curl -sSL https://x.test/a", with(req("GET", u), |r| r.follow_redirects = true)),
        ("curl -m 2.5 https://x.test/a", with(req("GET", u), |r| r.timeout_ms = 2500)),
        ("curl --max-time 10 https://x.test/a", with(req("GET", u), |r| r.timeout_ms = 10_000)),
        (
            "curl -H 'Accept: text/html' https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("Accept", "text/html")])),
        ),
        ("curl --header 'X-Empty;' https://x.test/a", with(req("GET", u), |r| r.headers = pairs(&[("X-Empty", "")]))),
        (
            "curl -A 'agent/1' https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("User-Agent", "agent/1")])),
        ),
        (
            "curl --user-agent agent/2 https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("User-Agent", "agent/2")])),
        ),
        (
            "curl -e https://from.test/ https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("Referer", "https://from.test/")])),
        ),
        (
            "curl --referer https://from.test/ https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("Referer", "https://from.test/")])),
        ),
        // Cookies are credentials: the header holds a `{{name}}`.
        (
            "curl -b 'a=1; b=2' https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("Cookie", "{{cookie}}")])),
        ),
        (
            "curl --cookie 'sid=x' https://x.test/a",
            with(req("GET", u), |r| r.headers = pairs(&[("Cookie", "{{cookie}}")])),
        ),
        (
            "curl -d 'a=1&b=x%20y' https://x.test/a",
            with(req("POST", u), |r| r.body = Some(Body::Form(pairs(&[("a", "1"), ("b", "x y")])))),
        ),
        (
            "curl --data a=1 --data b=2 https://x.test/a",
            with(req("POST", u), |r| r.body = Some(Body::Form(pairs(&[("a", "1"), ("b", "2")])))),
        ),
        (
            "curl --data-raw 'hello' https://x.test/a",
            with(req("POST", u), |r| {
                r.body = Some(Body::Text {
                    text: "hello".into(),
                    content_type: Some("application/x-www-form-urlencoded".into()),
                })
            }),
        ),
        (
            "curl --data-binary 'k=v' https://x.test/a",
            with(req("POST", u), |r| r.body = Some(Body::Form(pairs(&[("k", "v")])))),
        ),
        (
            "curl --data-urlencode 'q=a b&c' https://x.test/a",
            with(req("POST", u), |r| r.body = Some(Body::Form(pairs(&[("q", "a b&c")])))),
        ),
        (
            "curl -H 'Content-Type: application/json' -d '{\"n\":1}' https://x.test/a",
            with(req("POST", u), |r| r.body = Some(Body::Json(json!({"n": 1})))),
        ),
        (
            "curl --json '{\"n\":[1,2]}' https://x.test/a",
            with(req("POST", u), |r| {
                r.headers = pairs(&[("Accept", "application/json")]);
                r.body = Some(Body::Json(json!({"n": [1, 2]})));
            }),
        ),
        (
            "curl -H 'Content-Type: text/xml' -d '<a/>' https://x.test/a",
            with(req("POST", u), |r| {
                r.body = Some(Body::Text { text: "<a/>".into(), content_type: Some("text/xml".into()) })
            }),
        ),
        (
            "curl -G -d q=1 --data-urlencode 'r=a b' https://x.test/a",
            with(req("GET", u), |r| r.query = pairs(&[("q", "1"), ("r", "a b")])),
        ),
        ("curl --get --data 'x=y' https://x.test/a", with(req("GET", u), |r| r.query = pairs(&[("x", "y")]))),
        (
            "curl -u 'me:{{pw}}' https://x.test/a",
            with(req("GET", u), |r| r.auth = Some(Auth::Basic { username: "me".into(), password: "{{pw}}".into() })),
        ),
        (
            "curl --user \"me:$PASS\" https://x.test/a",
            with(req("GET", u), |r| r.auth = Some(Auth::Basic { username: "me".into(), password: "{{PASS}}".into() })),
        ),
        (
            "curl -F 'name=Ann' -F 'photo=@pic.png' https://x.test/a",
            with(req("POST", u), |r| {
                r.body = Some(Body::Multipart(vec![
                    ("name".into(), Part::Text("Ann".into())),
                    ("photo".into(), Part::File("pic.png".into())),
                ]))
            }),
        ),
        (
            "curl --form 'doc=@\"my file.txt\";type=text/plain' https://x.test/a",
            with(req("POST", u), |r| {
                r.body = Some(Body::Multipart(vec![("doc".into(), Part::File("my file.txt".into()))]))
            }),
        ),
        ("curl --compressed https://x.test/a", req("GET", u)),
        ("curl -I https://x.test/a", req("HEAD", u)),
        (
            "curl -X PATCH \\\n  -H 'A: 1' \\\n  https://x.test/a",
            with(req("PATCH", u), |r| r.headers = pairs(&[("A", "1")])),
        ),
        ("curl ^\"https://x.test/a^\" ^\n  -H ^\"A: 1^\"", with(req("GET", u), |r| r.headers = pairs(&[("A", "1")]))),
        (
            "curl $'https://x.test/a' -H $'X-Line: a\\tb'",
            with(req("GET", u), |r| r.headers = pairs(&[("X-Line", "a\tb")])),
        ),
        (
            "curl \"${BASE}/a\" -H \"X-Id: ${ID}\"",
            with(req("GET", "{{BASE}}/a"), |r| r.headers = pairs(&[("X-Id", "{{ID}}")])),
        ),
        (
            "curl 'https://x.test/a?q=1&r=2' -H 'Accept: */*'",
            with(req("GET", "https://x.test/a?q=1&r=2"), |r| r.headers = pairs(&[("Accept", "*/*")])),
        ),
        (
            "curl -X POST https://x.test/a -d '' ",
            with(req("POST", u), |r| {
                r.body = Some(Body::Text {
                    text: String::new(),
                    content_type: Some("application/x-www-form-urlencoded".into()),
                })
            }),
        ),
    ];
    assert!(cases.len() >= 30);
    for (command, expected) in cases {
        let imported = import(command);
        assert_eq!(request_of(&imported), expected, "command: {command}");
    }
}

#[test]
fn literal_credentials_become_references_and_are_returned_as_secrets() {
    let imported = import(
        "curl https://api.stripe.test/v1/charges -u sk_test_DISTINCT1234: -H 'X-Api-Key: key-DISTINCT5678' \
         -H 'Authorization: Bearer tok-DISTINCT9012'",
    );
    let request = request_of(&imported);
    assert_eq!(request.auth, Some(Auth::Basic { username: "{{api_key}}".into(), password: String::new() }));
    assert_eq!(request.headers, pairs(&[("X-Api-Key", "{{x_api_key}}"), ("Authorization", "Bearer {{token}}")]));
    let found: Vec<(String, bool, String)> =
        imported.variables.iter().map(|v| (v.name.clone(), v.value.is_secret(), v.value.expose().to_owned())).collect();
    assert_eq!(
        found,
        [
            ("x_api_key".to_owned(), true, "key-DISTINCT5678".to_owned()),
            ("token".to_owned(), true, "tok-DISTINCT9012".to_owned()),
            ("api_key".to_owned(), true, "sk_test_DISTINCT1234".to_owned()),
        ]
    );
    let json = imported.flow.to_json();
    for literal in ["DISTINCT1234", "DISTINCT5678", "DISTINCT9012"] {
        assert!(!json.contains(literal), "{literal} in {json}");
        assert!(!format!("{:?}", imported.variables).contains(literal), "Debug shows {literal}");
    }
}

#[test]
fn password_of_u_is_a_credential_and_the_user_is_kept() {
    let imported = import("curl -u admin:hunter2-DISTINCT https://x.test/");
    assert_eq!(
        request_of(&imported).auth,
        Some(Auth::Basic { username: "admin".into(), password: "{{password}}".into() })
    );
    assert_eq!(imported.variables[0].value.expose(), "hunter2-DISTINCT");
}

#[test]
fn unknown_flags_are_named_in_a_warning() {
    let imported = import("curl --frobnicate -Z https://x.test/a");
    let warnings = imported.report.warnings.join("\n");
    assert!(warnings.contains("`--frobnicate`"), "{warnings}");
    assert!(warnings.contains("`-Z`"), "{warnings}");
    let quiet = import("curl -s https://x.test/a");
    assert!(quiet.report.warnings.iter().any(|w| w.contains("-s")), "{:?}", quiet.report.warnings);
}

/// A word right after a flag the import does not know may be that flag's value (a
/// credential maybe): it is never taken as the URL while another word is, and never
/// shown; nor is a value attached to an unknown flag (`--flag=VALUE`).
#[test]
fn a_word_after_an_unknown_flag_is_never_taken_as_the_url_nor_shown() {
    let secret = "sk-LIVE-UNKNOWN-998877";
    for command in [
        format!("curl --api-token {secret} https://api.example.test/v1"),
        format!("curl -Q {secret} https://api.example.test/v1"),
        format!("curl --api-token={secret} https://api.example.test/v1"),
    ] {
        let imported = import(&command);
        assert_eq!(request_of(&imported).url, "https://api.example.test/v1", "{command}");
        let everything = format!("{}{:?}", imported.flow.to_json(), imported.report);
        assert!(!everything.contains(secret), "{command}: {everything}");
    }
    // With no other word, it is not taken either, and the error does not show it.
    let error = curl_command(&format!("curl --api-token {secret}"), Path::new("/"), None).unwrap_err();
    assert!(!format!("{error:?}").contains(secret), "{error:?}");
    // A word after an unknown flag that reads as a URL is still the URL.
    let imported = import("curl --frobnicate https://x.test/a");
    assert_eq!(request_of(&imported).url, "https://x.test/a");
}

#[test]
fn invalid_commands_are_errors() {
    for bad in ["", "wget https://x.test", "curl -H 'A: 1'", "curl 'unterminated"] {
        let error = curl_command(bad, Path::new("/"), None).unwrap_err();
        assert!(!error.message.is_empty(), "{bad}");
    }
}

#[test]
fn file_paths_are_written_relative_to_the_flow_folder() {
    let imported =
        curl_command("curl -F f=@data/a.bin https://x.test", Path::new("/p/q"), Some(Path::new("flows"))).unwrap();
    assert_eq!(
        request_of(&imported).body,
        Some(Body::Multipart(vec![("f".into(), Part::File("../data/a.bin".into()))]))
    );
}

fn lookup(name: &str) -> Resolved {
    match name {
        "host" => Resolved::Plain("https://x.test".into()),
        "user" => Resolved::Plain("O'Brien".into()),
        "api_key" | "token" | "pw" => Resolved::Secret,
        _ => Resolved::Unknown,
    }
}

#[test]
fn export_resolves_plain_variables_and_keeps_secrets_as_shell_references() {
    let mut request = req("POST", "{{host}}/v1/items");
    request.headers = pairs(&[("Authorization", "Bearer {{token}}"), ("X-User", "{{user}}")]);
    request.body = Some(Body::Json(json!({"name": "{{user}}", "n": 1, "key": "{{api_key}}"})));
    let export = export_curl(&request, &lookup, None);
    assert_eq!(
        export.command,
        "curl https://x.test/v1/items \\\n  -X POST \\\n  -H 'Authorization: Bearer '\"${token}\" \\\n  \
         -H 'X-User: O'\\''Brien' \\\n  -H 'Content-Type: application/json' \\\n  \
         --data-raw '{\"name\":\"O'\\''Brien\",\"n\":1,\"key\":\"'\"${api_key}\"'\"}'"
    );
    assert!(export.warnings.iter().any(|w| w.contains("`token`")));
}

#[test]
fn export_then_import_gives_the_same_request_back() {
    let commands = [
        "curl https://x.test/a",
        "curl -X POST https://x.test/a -H 'A: 1' -d 'a=1&b=two words'",
        "curl -L -m 1.5 https://x.test/a -H 'Content-Type: application/json' -d '{\"a\":[1,\"x\"]}'",
        "curl -G https://x.test/a --data-urlencode 'q=a&b' -d r=2",
        "curl https://x.test/a -H 'Content-Type: text/csv' --data-raw $'a,b\\n1,2'",
        "curl https://x.test/a --data-raw 'plain text'",
        "curl -u me:$PW https://x.test/a",
        "curl -F 'a=1' -F 'f=@/tmp/x.png' --form-string 'at=@not-a-file' https://x.test/a",
        "curl -I https://x.test/a -H 'X-Empty;'",
        "curl -X PUT 'https://x.test/a?z=1' -H $'X-Odd: it\\'s \\x01' --json '{}'",
        "curl https://x.test/a -H \"Authorization: Bearer $TOKEN\"",
    ];
    for command in commands {
        let first = request_of(&import(command));
        let lookup = |name: &str| if name == "PW" || name == "TOKEN" { Resolved::Secret } else { Resolved::Unknown };
        let exported = export_curl(&first, &lookup, None);
        let again = request_of(&import(&exported.command));
        assert_eq!(again, first, "command: {command}\nexported: {}", exported.command);
    }
}

#[test]
fn export_of_a_hand_made_request_carries_the_same_request() {
    let mut request = SendRequest::new("https://x.test/a");
    request.query = pairs(&[("q", "a b"), ("r", "1")]);
    request.auth = Some(Auth::Bearer { token: "{{token}}".into() });
    let exported = export_curl(&request, &lookup, None);
    let again = request_of(&import(&exported.command));
    assert_eq!(again.query, request.query);
    assert_eq!(again.headers, pairs(&[("Authorization", "Bearer {{token}}")]));
    assert!(again.follow_redirects);
}

#[test]
fn export_escapes_control_characters() {
    let mut request = SendRequest::new("https://x.test/a");
    request.body = Some(Body::Text { text: "line\n\u{1b}[31mred".into(), content_type: None });
    let exported = export_curl(&request, &lookup, None);
    assert!(!exported.command.contains('\u{1b}'), "{}", exported.command);
    assert_eq!(request_of(&import(&exported.command)).body, request.body);
}

/// A small deterministic generator: garbage of every kind never panics the importers.
#[test]
fn garbage_never_panics() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet: Vec<char> =
        "curl -X-H-d-F-u-G--json--data-urlencode @=:;'\"\\$^{}()[]|&<>#\n\t xé✓%+?!/\u{0}\u{1b}".chars().collect();
    for round in 0..3000 {
        let len = (next() % 80) as usize;
        let mut text: String = if round % 2 == 0 { "curl ".to_owned() } else { String::new() };
        for _ in 0..len {
            text.push(alphabet[(next() % alphabet.len() as u64) as usize]);
        }
        let _ = curl_command(&text, Path::new("/w"), Some(Path::new("f")));
        let _ = switchyard_import::postman_collection(&text, "f.json");
        let _ = switchyard_import::postman_environment(&text, "f.json");
        if let Ok(imported) = curl_command(&text, Path::new("/w"), None) {
            let request = request_of(&imported);
            let exported = export_curl(&request, &|_| Resolved::Secret, None);
            let _ = curl_command(&exported.command, Path::new("/w"), None);
        }
    }
}

/// Every kind of literal credential a curl command can hold: the flow and the report
/// hold its `{{name}}`, never the value, which comes back only as a secret variable.
#[test]
fn every_credential_kind_becomes_a_reference_and_never_shows() {
    let u = "https://x.test/a";
    let cases: Vec<(&str, &str, &str, SendRequest)> = vec![
        (
            "curl https://bob:PW-userinfo-1111@x.test/a",
            "PW-userinfo-1111",
            "password",
            with(req("GET", u), |r| {
                r.auth = Some(Auth::Basic { username: "bob".into(), password: "{{password}}".into() })
            }),
        ),
        (
            "curl 'https://bob:p%40ss-UI-2222@x.test/a'",
            "p@ss-UI-2222",
            "password",
            with(req("GET", u), |r| {
                r.auth = Some(Auth::Basic { username: "bob".into(), password: "{{password}}".into() })
            }),
        ),
        (
            "curl https://sk_live_USERONLY3333@x.test/a",
            "sk_live_USERONLY3333",
            "api_key",
            with(req("GET", u), |r| {
                r.auth = Some(Auth::Basic { username: "{{api_key}}".into(), password: String::new() })
            }),
        ),
        (
            "curl --oauth2-bearer TOK-oauth-4444 https://x.test/a",
            "TOK-oauth-4444",
            "token",
            with(req("GET", u), |r| r.auth = Some(Auth::Bearer { token: "{{token}}".into() })),
        ),
        (
            "curl 'https://x.test/a?api_key=AK-query-5555&q=1'",
            "AK-query-5555",
            "api_key",
            req("GET", "https://x.test/a?api_key={{api_key}}&q=1"),
        ),
        (
            "curl 'https://x.test/a?q=1&access_token=AT-query-6666#top'",
            "AT-query-6666",
            "access_token",
            req("GET", "https://x.test/a?q=1&access_token={{access_token}}#top"),
        ),
        (
            "curl 'https://x.test/a?token=TK-query-7777'",
            "TK-query-7777",
            "token",
            req("GET", "https://x.test/a?token={{token}}"),
        ),
        (
            "curl -b 'sid=COOKIE-b-8888; theme=dark' https://x.test/a",
            "COOKIE-b-8888",
            "cookie",
            with(req("GET", u), |r| r.headers = pairs(&[("Cookie", "{{cookie}}")])),
        ),
        (
            "curl -H 'Cookie: session=COOKIE-h-9999' https://x.test/a",
            "COOKIE-h-9999",
            "cookie",
            with(req("GET", u), |r| r.headers = pairs(&[("Cookie", "{{cookie}}")])),
        ),
        (
            "curl -d 'grant_type=client_credentials&client_secret=CS-form-1212' https://x.test/a",
            "CS-form-1212",
            "client_secret",
            with(req("POST", u), |r| {
                r.body = Some(Body::Form(pairs(&[
                    ("grant_type", "client_credentials"),
                    ("client_secret", "{{client_secret}}"),
                ])))
            }),
        ),
        (
            "curl --data-urlencode 'username=ann' --data-urlencode 'password=PW form 1313' https://x.test/a",
            "PW form 1313",
            "password",
            with(req("POST", u), |r| {
                r.body = Some(Body::Form(pairs(&[("username", "ann"), ("password", "{{password}}")])))
            }),
        ),
        (
            "curl -G -d 'api_key=AK-get-1414' -d q=x https://x.test/a",
            "AK-get-1414",
            "api_key",
            with(req("GET", u), |r| r.query = pairs(&[("api_key", "{{api_key}}"), ("q", "x")])),
        ),
        (
            "curl --json '{\"user\": \"ann\", \"auth\": {\"password\": \"PW-json-1515\"}}' https://x.test/a",
            "PW-json-1515",
            "password",
            with(req("POST", u), |r| {
                r.headers = pairs(&[("Accept", "application/json")]);
                r.body = Some(Body::Json(json!({"user": "ann", "auth": {"password": "{{password}}"}})));
            }),
        ),
        (
            "curl -d '{\"user\": \"ann\", \"password\": \"PW-text-2121\"}' https://x.test/a",
            "PW-text-2121",
            "password",
            with(req("POST", u), |r| {
                r.body = Some(Body::Text {
                    text: "{\"user\": \"ann\", \"password\": \"{{password}}\"}".into(),
                    content_type: Some("application/x-www-form-urlencoded".into()),
                })
            }),
        ),
        (
            "curl -F 'name=ann' -F 'access_token=TK-multi-1616' https://x.test/a",
            "TK-multi-1616",
            "access_token",
            with(req("POST", u), |r| {
                r.body = Some(Body::Multipart(vec![
                    ("name".into(), Part::Text("ann".into())),
                    ("access_token".into(), Part::Text("{{access_token}}".into())),
                ]))
            }),
        ),
    ];
    for (command, secret, name, expected) in cases {
        let imported = import(command);
        assert_eq!(request_of(&imported), expected, "command: {command}");
        let json = imported.flow.to_json();
        let report = format!("{:?}{:?}", imported.report, imported.variables);
        for text in [&json, &report] {
            assert!(!text.contains(secret), "{command}: {secret} in {text}");
        }
        assert!(json.contains(&format!("{{{{{name}}}}}")), "{command}: {json}");
        let found: Vec<(&str, bool, bool)> = imported
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.value.is_secret(), v.value.expose().contains(secret)))
            .collect();
        assert_eq!(found, [(name, true, true)], "{command}");
    }
}

#[test]
fn a_credential_in_json_text_written_with_escapes_is_replaced_too() {
    let imported = import(r#"curl https://x.test/a -d '{"password": "PW-\u0045SC-2222", "n": 1}'"#);
    let Some(Body::Text { text, .. }) = request_of(&imported).body else { panic!("a text body") };
    assert_eq!(text, r#"{"password":"{{password}}","n":1}"#);
    assert_eq!(imported.variables[0].value.expose(), "PW-ESC-2222");
}

#[test]
fn credential_flags_with_no_place_in_a_flow_are_left_out_unseen() {
    let imported =
        import("curl -U proxy:PROXY-PW-1717 -E cert.pem:CERT-PW-1818 https://x.test/a https://x.test/b?k=EXTRA-1919");
    let everything = format!("{}{:?}{:?}", imported.flow.to_json(), imported.report, imported.variables);
    for secret in ["PROXY-PW-1717", "CERT-PW-1818", "EXTRA-1919"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
    let warnings = imported.report.warnings.join("\n");
    assert!(warnings.contains("`-U` is not imported") && warnings.contains("`-E` is not imported"), "{warnings}");
    assert!(warnings.contains("more than one URL"), "{warnings}");
}

/// A credential is replaced where it stood; elsewhere only where it cannot be ordinary
/// text (a distinctive value standing as a whole token).
#[test]
fn a_literal_credential_is_replaced_only_where_it_stood() {
    let imported = import("curl https://httpbin.org/bearer -H 'Authorization: Bearer bearer'");
    let request = request_of(&imported);
    assert_eq!(request.url, "https://httpbin.org/bearer");
    assert_eq!(request.headers, pairs(&[("Authorization", "Bearer {{token}}")]));

    let imported = import(
        "curl https://x.test/sk-ECHO-2024/x -H 'Authorization: Bearer sk-ECHO-2024' -H 'Content-Type: application/json' \
         -d '{\"echo\": \"sk-ECHO-2024\", \"other\": \"xsk-ECHO-2024\"}'",
    );
    let request = request_of(&imported);
    assert_eq!(request.url, "https://x.test/{{token}}/x");
    assert_eq!(request.body, Some(Body::Json(json!({"echo": "{{token}}", "other": "xsk-ECHO-2024"}))));
}

#[test]
fn a_json_content_type_with_parameters_is_kept_as_written() {
    let imported =
        import("curl https://x.test/a -H 'Content-Type: application/json;charset=UTF-8' --data-raw '{\"n\":1}'");
    let request = request_of(&imported);
    assert_eq!(request.headers, pairs(&[("Content-Type", "application/json;charset=UTF-8")]));
    assert_eq!(request.body, Some(Body::Json(json!({"n": 1}))));
    let imported = import("curl https://x.test/a -H 'content-type: application/vnd.api+json' -d '{\"n\":1}'");
    assert_eq!(request_of(&imported).headers, pairs(&[("content-type", "application/vnd.api+json")]));
}

#[test]
fn a_failed_request_ends_in_a_log_at_level_error() {
    let imported = import("curl https://x.test/a");
    let flow: serde_json::Value = serde_json::from_str(&imported.flow.to_json()).unwrap();
    assert_eq!(flow["blocks"]["failure"]["level"], "error");
    assert_eq!(flow["blocks"]["success"].get("level"), None, "info, the default");
}
