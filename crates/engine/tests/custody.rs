//! Secret custody, class by class (SECURITY.md): a real server on 127.0.0.1 echoes
//! what it receives (token, header, URL, body, userinfo) in many encodings (percent,
//! JSON, base64, HTML/XML character references), and no form of the secret may survive
//! in any event; an echo is masked where it enters the run, so a later block never
//! holds the secret and cannot send it to another host; secrets with white space or
//! control characters are refused by name, without their value. Ends with property
//! tests: random secrets echoed in random encodings, and what a flow can make of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod server;
mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use server::TestServer;
use server::encode::{ENCODINGS, encode};
use support::{fired, flow, one_request, run};
use switchyard_engine::{Event, MASK, Outcome, Redactor};
use switchyard_vault::{Variable, Variables};

fn secret(name: &str, value: &str) -> Variables {
    [Variable::secret(name, value)].into_iter().collect()
}

/// Every string (and object key) in the events, as they would be shown.
fn event_strings(events: &[Event]) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => {
                for (key, item) in map {
                    out.push(key.clone());
                    walk(item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for event in events {
        walk(&serde_json::to_value(event).unwrap(), &mut out);
        // And as the CLI's JSON output prints it.
        out.push(serde_json::to_string(event).unwrap());
    }
    out
}

/// Decodes `text` the way a reader could: percent (with and without `+` as space), JSON
/// escapes, HTML/XML character references, twice over.
fn readings(text: &str) -> Vec<String> {
    let json_unescape = |t: &str| serde_json::from_str::<String>(&format!("\"{}\"", t.replace('"', "\\\""))).ok();
    let mut out = vec![text.to_owned()];
    for _ in 0..2 {
        let mut next = Vec::new();
        for t in &out {
            next.push(server::encode::unpercent(t));
            next.push(server::encode::unpercent(&t.replace('+', " ")));
            next.push(server::encode::unhtml(t));
            next.extend(json_unescape(t));
        }
        out.extend(next);
    }
    out
}

/// Fails when any encoding of any of `secrets`, or any reading of an event string,
/// shows one of them (compared case-insensitively).
fn assert_no_form(events: &[Event], secrets: &[&str]) {
    let strings = event_strings(events);
    for secret in secrets {
        let forms: Vec<String> = ENCODINGS.iter().map(|e| encode(e, secret).to_lowercase()).collect();
        for text in &strings {
            for reading in readings(text) {
                let reading = reading.to_lowercase();
                for form in &forms {
                    assert!(!reading.contains(form.as_str()), "a form of {secret:?} ({form:?}) survived in {text:?}");
                }
            }
        }
    }
}

fn error(events: &[Event], block: &str) -> (String, String) {
    let (port, value) = fired(events, block);
    assert_eq!(port, "failure", "{value}");
    (value["error"]["kind"].as_str().unwrap().to_owned(), value["error"]["message"].as_str().unwrap().to_owned())
}

/// Class 1: `auth` = `Bearer <token>`, the server echoes only the token (raw and in
/// each encoding). The token is masked on its own.
#[tokio::test]
async fn class1_scheme_credential_echoed_alone_is_masked() {
    let server = TestServer::start().await;
    let token = "test-123-SECRET-c1";
    let variables = secret("auth", &format!("Bearer {token}"));
    for enc in ENCODINGS {
        let flow = one_request(json!({
            "url": server.url(&format!("/reflect?from=token&enc={enc}")),
            "headers": [["Authorization", "{{auth}}"]],
        }));
        let (summary, events) = run(&flow, &variables).await;
        assert_eq!(summary.outcome, Outcome::Ok, "{enc}: {events:#?}");
        let (port, value) = fired(&events, "req");
        assert_eq!(port, "success");
        assert_eq!(value["body"]["token"], MASK, "{enc}: the whole echoed run is one mask");
        assert_eq!(value["body"]["authenticated"], true);
        assert_no_form(&events, &[token]);
    }
    assert_eq!(server.seen().len(), ENCODINGS.len());
    assert_eq!(server.seen()[0].headers["authorization"], format!("Bearer {token}"), "sent as stored");
}

/// Class 2: a secret with non-ASCII, URL-reserved characters, quotes and backslashes,
/// sent in the query, echoed back in every encoding, in a JSON body.
#[tokio::test]
async fn class2_every_encoding_of_an_echoed_secret_is_masked() {
    let server = TestServer::start().await;
    let value = "sk-Tëst/ÿ+a b&c=d\"q\\z😀?#%-C2";
    let variables = secret("key", value);
    for enc in ENCODINGS {
        let flow = one_request(json!({
            "url": server.url(&format!("/reflect?from=query&enc={enc}")),
            "query": [["v", "{{key}}"]],
        }));
        let (_, events) = run(&flow, &variables).await;
        let (port, body) = fired(&events, "req");
        assert_eq!(port, "success", "{body}");
        assert_eq!(body["body"]["token"], MASK, "{enc}: {body}");
        assert_no_form(&events, &[value]);
    }
    let seen = server.seen();
    assert_eq!(server::encode::unpercent(&seen[0].query.split("v=").nth(1).unwrap().replace('+', " ")), value);
}

/// Class 2, the same secret echoed inside text, in the middle of other words, and in
/// a text (not JSON) body: only the run that held the secret is masked.
#[tokio::test]
async fn class2_echo_in_a_text_body_masks_only_the_run() {
    let server = TestServer::start().await;
    let value = "pw/with space+plus-C2b";
    let variables = secret("key", value);
    let flow = one_request(json!({
        "method": "POST",
        "url": server.url("/echo"),
        "body": {"text": "before {{key}} middle sk%2Dnot-it after"},
    }));
    let (_, events) = run(&flow, &variables).await;
    let (_, response) = fired(&events, "req");
    let echoed = response["body"]["body"].as_str().unwrap();
    assert_eq!(echoed, format!("before {MASK} middle sk%2Dnot-it after"));
    assert_no_form(&events, &[value]);
}

/// Class 3: a password in the URL's userinfo is sent as a Basic header (as the HTTP
/// client would) and its base64 is masked where the server echoes it.
#[tokio::test]
async fn class3_userinfo_is_sent_as_basic_and_masked() {
    let server = TestServer::start().await;
    let password = "pw-SECRET-c3-Xy";
    let variables = secret("pw", password);
    let url = server.url("/echo").replacen("http://", "http://alice:{{pw}}@", 1);
    let (summary, events) = run(&one_request(json!({"url": url})), &variables).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    let basic = encode("base64", &format!("alice:{password}"));
    assert_eq!(server.seen()[0].headers["authorization"], format!("Basic {basic}"));
    let (_, value) = fired(&events, "req");
    assert_eq!(value["headers"]["x-echo-authorization"], format!("Basic {MASK}"));
    assert_eq!(value["body"]["headers"]["authorization"], format!("Basic {MASK}"));
    assert_no_form(&events, &[password, &basic, &format!("alice:{password}")]);

    // The password alone echoed back (a server that decodes Basic).
    let url = server.url("/reflect?from=password&enc=pct-mixed").replacen("http://", "http://alice:{{pw}}@", 1);
    let (_, events) = run(&one_request(json!({"url": url})), &variables).await;
    assert_eq!(fired(&events, "req").1["body"]["token"], MASK);
    assert_no_form(&events, &[password, &basic]);
}

/// Class 3: userinfo counts for host binding exactly like `auth.type: basic`.
#[tokio::test]
async fn class3_userinfo_secret_is_bound_to_its_hosts() {
    let server = TestServer::start().await;
    let mut pw = Variable::secret("pw", "pw-bound-c3");
    pw.allowed_hosts = vec!["api.example.com".into()];
    let variables: Variables = [pw].into_iter().collect();
    let url = server.url("/echo").replacen("http://", "http://alice:{{pw}}@", 1);
    let (_, events) = run(&one_request(json!({"url": url})), &variables).await;
    assert_eq!(error(&events, "req").0, "host_not_allowed");
    assert!(server.seen().is_empty(), "nothing was sent");
}

/// Class 4: a secret with a trailing newline (or any control character, or white space
/// at an end) is refused where it is used, by name, without its value; nothing is sent.
#[tokio::test]
async fn class4_secret_with_a_newline_or_control_character_is_refused_by_name() {
    let server = TestServer::start().await;
    let cases = [
        ("tok-c4-NEWLINE\n", "ends with a newline"),
        ("tok-c4-CRLF\r\n", "ends with a newline"),
        ("tok-c4\u{7}BELL", "contains a control character"),
        ("tok-c4\tTAB", "contains a control character"),
        (" tok-c4-SPACE", "starts or ends with white space"),
    ];
    for (value, problem) in cases {
        for request in [
            json!({"url": server.url("/echo"), "headers": [["Authorization", "Bearer {{tok}}"]]}),
            json!({"url": server.url("/echo?k={{tok}}")}),
            json!({"method": "POST", "url": server.url("/echo"), "body": {"json": {"k": "{{tok}}"}}}),
        ] {
            let (_, events) = run(&one_request(request), &secret("tok", value)).await;
            let (kind, message) = error(&events, "req");
            assert_eq!(kind, "invalid_request", "{message}");
            assert!(message.contains("`{{tok}}`") && message.contains(problem), "{message}");
            assert!(message.contains("nothing was sent"), "{message}");
            assert_no_form(&events, &[value.trim()]);
        }
    }
    assert!(server.seen().is_empty(), "nothing was sent: {:?}", server.seen());
}

/// Class 4: CR/LF in a header value is still refused (a plain value here).
#[tokio::test]
async fn class4_line_break_in_a_header_value_is_refused() {
    let server = TestServer::start().await;
    let variables: Variables = [Variable::plain("v", "a\r\nX-Injected: 1")].into_iter().collect();
    let (_, events) =
        run(&one_request(json!({"url": server.url("/echo"), "headers": [["X-A", "{{v}}"]]})), &variables).await;
    assert_eq!(error(&events, "req").0, "invalid_request");
    assert!(server.seen().is_empty());
}

/// Class 5: a secret bound to 127.0.0.1 is echoed back by it; a later block sends the
/// echo (`{{input.body.token}}`, in any encoding, in URL, header or body) to another
/// host (`localhost`, the same server under another name): the echo was masked where
/// it came in, so what goes there is the mask, and nothing of the secret.
#[tokio::test]
async fn class5_host_bound_secret_echoed_into_input_is_not_sent_elsewhere() {
    let server = TestServer::start().await;
    let token = "sk-bound-SECRET-c5";
    let mut key = Variable::secret("key", format!("Bearer {token}"));
    key.allowed_hosts = vec!["127.0.0.1".into()];
    let variables: Variables = [key].into_iter().collect();
    let other = server.url("/echo").replace("127.0.0.1", "localhost");
    let cases = [
        ("raw", json!({"url": other, "headers": [["X-Token", "{{input.body.token}}"]]})),
        ("upper", json!({"url": other, "headers": [["X-Token", "{{input.body.token}}"]]})),
        ("pct-mixed", json!({"url": format!("{other}?t={{{{input.body.token}}}}")})),
        ("base64", json!({"method": "POST", "url": other, "body": {"json": {"t": "{{input.body.token}}"}}})),
        ("json-u", json!({"method": "POST", "url": other, "body": {"json": {"t": "{{input.body.token}}"}}})),
        ("form", json!({"method": "POST", "url": other, "body": {"form": [["t", "{{input.body.token}}"]]}})),
        ("pct-twice", json!({"url": other, "query": [["t", "{{input.body.token}}"]]})),
        ("html-dec", json!({"url": other, "headers": [["X-Token", "{{input.body.token}}"]]})),
    ];
    for (enc, mut forward) in cases {
        forward["type"] = json!("send_request");
        let flow = flow(
            json!({
                "a": {"type": "send_request", "url": server.url(&format!("/reflect?from=token&enc={enc}")),
                      "headers": [["Authorization", "{{key}}"]]},
                "b": forward,
                "done": {"type": "log"},
            }),
            json!([["start.out", "a.in"], ["a.success", "b.in"], ["b.success", "done.in"]]),
        );
        let before = server.seen().len();
        let (summary, events) = run(&flow, &variables).await;
        assert_eq!(summary.outcome, Outcome::Ok, "{enc}: {events:#?}");
        let seen = server.seen();
        assert_eq!(seen.len(), before + 2, "{enc}: the echo went on, as the mask");
        let forwarded = &seen[before + 1];
        let text = format!("{} {:?} {}", forwarded.query, forwarded.headers, forwarded.body);
        assert!(text.contains(MASK) || text.contains("%2A%2A%2A%2A%2A"), "{enc}: {text}");
        for reading in readings(&text) {
            assert!(!reading.to_lowercase().contains("sk-bound-secret-c5"), "{enc}: {text}");
        }
        assert_no_form(&events, &[token]);
    }
}

/// Class 5: an echo sent back to the allowed host carries the mask, not the secret; a
/// request that carries a secret does not follow a redirect to another origin.
#[tokio::test]
async fn class5_echo_to_the_allowed_host_is_sent_and_cross_origin_redirect_is_blocked() {
    let server = TestServer::start().await;
    let mut key = Variable::secret("key", "sk-bound-redirect-c5");
    key.allowed_hosts = vec!["127.0.0.1".into(), "localhost".into()];
    let variables: Variables = [key].into_iter().collect();
    let elsewhere = server.url("/echo").replace("127.0.0.1", "localhost");
    let flow = flow(
        json!({
            "a": {"type": "send_request", "url": server.url("/reflect?from=query&enc=raw"), "query": [["v", "{{key}}"]]},
            "b": {"type": "send_request", "url": server.url("/echo"), "headers": [["X-T", "{{input.body.token}}"]]},
            "c": {"type": "send_request", "url": server.url("/redirect"),
                  "query": [["to", elsewhere], ["t", "{{key}}"]]},
            "done": {"type": "log"},
        }),
        json!([["start.out", "a.in"], ["a.success", "b.in"], ["b.success", "c.in"], ["c.failure", "done.in"]]),
    );
    let (_, events) = run(&flow, &variables).await;
    assert_eq!(fired(&events, "b").0, "success");
    assert_eq!(error(&events, "c").0, "redirect_blocked");
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "a, b and c's first hop; not the redirect: {seen:?}");
    assert_eq!(seen[1].headers["x-t"], MASK, "the echo came in masked");
    assert_no_form(&events, &["sk-bound-redirect-c5"]);
}

/// Class 6: a secret that ends up in a host name is lower-cased by URL parsing; the
/// message that names the host still masks it.
#[tokio::test]
async fn class6_secret_lowercased_in_a_host_is_masked() {
    let mut sub = Variable::secret("sub", "Host-SECRET-c6");
    sub.allowed_hosts = vec!["127.0.0.1".into()];
    let variables: Variables = [sub].into_iter().collect();
    let (_, events) = run(&one_request(json!({"url": "http://{{sub}}.example.test/"})), &variables).await;
    let (kind, message) = error(&events, "req");
    assert_eq!(kind, "host_not_allowed");
    assert!(message.contains(&format!("not to {MASK}.example.test")), "{message}");
    assert_no_form(&events, &["Host-SECRET-c6"]);
}

/// A run without secrets redacts nothing, and a redactor with none is empty.
#[tokio::test]
async fn run_without_secrets_is_untouched() {
    let server = TestServer::start().await;
    let variables: Variables = [Variable::plain("p", "plain-c0")].into_iter().collect();
    let (_, events) = run(&one_request(json!({"url": server.url("/echo?k={{p}}")})), &variables).await;
    assert!(!event_strings(&events).iter().any(|s| s.contains(MASK)));
    assert!(Redactor::for_variables(&variables).is_empty());
}

/// Characters a secret is drawn from: ASCII letters and digits, URL-reserved and
/// JSON-special characters, and non-ASCII letters (2, 3 and 4 bytes in UTF-8).
fn secret_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('A', 'Z'),
        2 => prop::char::range('0', '9'),
        3 => prop::sample::select(vec!['/', '+', '&', '=', '?', '#', '%', '@', ':', ';', ',', '"', '\'', '\\', ' ', '-', '_', '.', '~', '<', '>']),
        2 => prop::sample::select(vec!['é', 'ß', 'Ω', 'ж', '中', '€', '😀', 'ÿ']),
    ]
}

/// A secret: 8 to 24 of those characters, not starting or ending with a space, maybe
/// with a scheme (`Bearer `, `Token `) in front.
fn secret_value() -> impl Strategy<Value = (String, String)> {
    (prop::sample::select(vec!["", "Bearer ", "Token ", "ApiKey "]), prop::collection::vec(secret_char(), 8..24))
        .prop_map(|(scheme, chars)| {
            let mut credential: String = chars.into_iter().collect();
            credential = format!("k{}k", credential.trim());
            (format!("{scheme}{credential}"), credential)
        })
}

/// One or two encodings applied in turn (a text form never wraps base64 of itself).
fn encodings() -> impl Strategy<Value = Vec<&'static str>> {
    // Text encodings only: every name but the base64 forms and the double percent-encoding.
    let outer: Vec<&'static str> =
        ENCODINGS.iter().copied().filter(|e| !e.starts_with("base64") && *e != "pct-twice").collect();
    (prop::sample::select(ENCODINGS.to_vec()), prop::option::of(prop::sample::select(outer)))
        .prop_map(|(inner, outer)| std::iter::once(inner).chain(outer).collect())
}

/// The cases a property test runs: `default`, or `PROPTEST_CASES` when set (a deeper
/// search by hand: `PROPTEST_CASES=100000 cargo test --test custody`).
fn cases(default: u32) -> ProptestConfig {
    ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default))
}

proptest! {
    #![proptest_config(cases(256))]

    /// Whatever the secret and however it is echoed (whole or its credential part, in
    /// text around it, in a header, a body string, an object key), no decodable form
    /// of it survives in the masked event.
    #[test]
    fn no_decodable_form_survives_in_any_event(
        (value, credential) in secret_value(),
        whole in any::<bool>(),
        chain in encodings(),
    ) {
        let echoed_part = if whole { value.clone() } else { credential.clone() };
        let echoed = chain.iter().fold(echoed_part, |text, enc| encode(enc, &text));
        let redactor = Redactor::for_variables(&secret("s", &value));
        let event = Event::BlockFinished {
            block: "b".into(),
            port: switchyard_flow::Port::Success,
            value: json!({
                "headers": {"x-echo": format!("Bearer {echoed}")},
                "body": {"token": echoed, "text": format!("before {echoed} after"), echoed.clone(): 1},
                "url": format!("http://h/?t={echoed}&x=1"),
            }).into(),
            wired: true,
            summary: "200".into(),
        };
        let masked = redactor.redact_event(event);
        assert_no_form(std::slice::from_ref(&masked), &[&credential]);
        let Event::BlockFinished { value: masked, .. } = masked else { panic!("withheld: {masked:?}") };
        prop_assert_eq!(&masked["body"]["token"], &json!(MASK));
        prop_assert_eq!(&masked["body"]["text"], &json!(format!("before {MASK} after")));
    }
}

proptest! {
    #![proptest_config(cases(24))]

    /// The same through the engine and a real server: the secret is sent in a header
    /// and in the query, the server echoes its credential part in a random encoding.
    #[test]
    fn echoes_from_a_real_server_never_show_the_secret(
        (value, credential) in secret_value(),
        enc in prop::sample::select(ENCODINGS.to_vec()),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = TestServer::start().await;
            let flow = one_request(json!({
                "url": server.url(&format!("/reflect?from=query&enc={enc}")),
                "query": [["v", "{{s}}"]],
                "headers": [["Authorization", "{{s}}"]],
            }));
            let (_, events) = run(&flow, &secret("s", &value)).await;
            let (port, response) = fired(&events, "req");
            assert_eq!(port, "success", "{response}");
            assert_eq!(response["body"]["token"], MASK, "{response}");
            assert_no_form(&events, &[&credential]);
            assert_eq!(server.seen()[0].headers["authorization"], value);
        });
    }
}

proptest! {
    #![proptest_config(cases(16))]

    /// The ingress rule: whatever the secret and however a server echoes it, the value
    /// a later block receives holds only the mask, so what a flow makes of it (reversed,
    /// spelt out, shifted, re-encoded) holds nothing of the secret either.
    #[test]
    fn a_flow_never_holds_an_echoed_secret(
        (value, credential) in secret_value(),
        enc in prop::sample::select(ENCODINGS.to_vec()),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = TestServer::start().await;
            let flow = flow(
                json!({
                    "fetch": {"type": "send_request", "url": server.url(&format!("/reflect?from=token&enc={enc}")),
                              "headers": [["Authorization", "Bearer {{s}}"]]},
                    "turn": {"type": "evaluate", "expression":
                        "[.body.token, (.body.token | explode | reverse | implode), (.body.token | explode | map(. + 1) | implode), (.body.token | @base64), (tojson | ascii_downcase)]"},
                }),
                json!([["start.out", "fetch.in"], ["fetch.success", "turn.in"]]),
            );
            let (_, events) = run(&flow, &secret("s", &value)).await;
            let (port, turned) = fired(&events, "turn");
            assert_eq!(port, "out", "{turned}");
            let shifted: String = MASK.chars().map(|c| char::from_u32(u32::from(c) + 1).unwrap()).collect();
            assert_eq!(&turned[0], &json!(MASK));
            assert_eq!(&turned[1], &json!(MASK));
            assert_eq!(&turned[2], &json!(shifted));
            assert_eq!(&turned[3], &json!(encode("base64", MASK)));
            let reversed: String = value.chars().rev().collect();
            let reversed_credential: String = credential.chars().rev().collect();
            assert_no_form(&events, &[&credential, &reversed, &reversed_credential]);
        });
    }
}
