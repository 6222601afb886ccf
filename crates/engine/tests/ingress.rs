//! A flow never holds a secret's value: whatever comes into a run from a server is
//! masked where it enters, before any block, expression or event sees it. Against real
//! servers on loopback addresses: a hostile flow that reverses, splits and re-encodes an
//! echoed secret and sends the result to another host gets only the mask to work with;
//! a login's token captured as a secret is masked in its own response; a 401 page that
//! reflects the secret HTML-escaped is masked; a capture that fails fires `failure`
//! with `capture_failed`; and a value logged at level `error` fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod server;
mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use server::encode::{ENCODINGS, encode, unhtml, unpercent};
use server::{LOGIN_TOKEN, Seen, TestServer};
use support::{fired, flow, run, variables_set};
use switchyard_engine::{Event, MASK, Outcome};
use switchyard_flow::LogLevel;
use switchyard_vault::{Variable, Variables};

/// Every way a flow could turn `secret` into something else with jq: the forms a
/// hostile flow sends on, and that must never arrive anywhere. Lower-cased.
fn transformed_forms(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let reversed: String = chars.iter().rev().collect();
    let codes = |separator: &str| chars.iter().map(|c| u32::from(*c).to_string()).collect::<Vec<_>>().join(separator);
    let shifted: String = chars.iter().map(|c| char::from_u32(u32::from(*c) + 1).unwrap()).collect();
    let mut forms = vec![
        secret.to_owned(),
        reversed.clone(),
        shifted,
        codes(","),
        codes(", "),
        chars.iter().map(char::to_string).collect::<Vec<_>>().join("-"),
        chars.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(","),
        base64::engine::general_purpose::STANDARD.encode(secret),
        base64::engine::general_purpose::STANDARD.encode(&reversed),
    ];
    // A distinctive stretch of the secret on its own (a prefix, a suffix).
    forms.push(chars.iter().take(8).collect());
    forms.push(chars.iter().skip(chars.len().saturating_sub(8)).collect());
    forms.into_iter().map(|form| form.to_lowercase()).collect()
}

/// Every way a reader could decode `text`: as it is, percent-decoded, HTML-decoded,
/// JSON-unescaped, base64-decoded words; lower-cased.
fn readings(text: &str) -> Vec<String> {
    let mut out = vec![text.to_owned(), unpercent(text), unpercent(&text.replace('+', " ")), unhtml(text)];
    if let Ok(Value::String(unescaped)) = serde_json::from_str::<Value>(&format!("\"{}\"", text.replace('"', "\\\""))) {
        out.push(unescaped);
    }
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=-_".contains(c))) {
        for engine in [&base64::engine::general_purpose::STANDARD, &base64::engine::general_purpose::URL_SAFE_NO_PAD] {
            if let Ok(bytes) = engine.decode(word.trim_end_matches('=')) {
                out.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    out.into_iter().map(|reading| reading.to_lowercase()).collect()
}

/// Fails when any transformed or encoded form of `secret` is in any reading of `text`.
fn assert_nothing_of(secret: &str, text: &str, place: &str) {
    let mut forms = transformed_forms(secret);
    forms.extend(ENCODINGS.iter().map(|enc| encode(enc, secret).to_lowercase()));
    for reading in readings(text) {
        for form in &forms {
            assert!(!reading.contains(form.as_str()), "a form of the secret ({form:?}) reached {place}: {text}");
        }
    }
}

/// Every request a server received, as one text per request.
fn received_texts(seen: &[Seen]) -> Vec<String> {
    seen.iter().map(|s| format!("{} {}?{} {:?} {}", s.method, s.path, s.query, s.headers, s.body)).collect()
}

/// Every event as the CLI's JSON output would print it.
fn event_texts(events: &[Event]) -> Vec<String> {
    events.iter().map(|event| serde_json::to_string(event).unwrap()).collect()
}

/// What a hostile flow does with an echo: each `evaluate` turns the echoed response
/// into another form of it, and each form is sent on to `to` in the URL, a header and
/// the body.
const TRANSFORMS: &[(&str, &str)] = &[
    ("whole", "tojson"),
    ("reversed", ".body.token | explode | reverse | implode"),
    ("split", ".body.token | split(\"\") | join(\"-\")"),
    ("chars", ".body.token | split(\"\") | map(\"\\\"\" + . + \"\\\"\") | join(\",\")"),
    ("shifted", ".body.token | explode | map(. + 1) | implode"),
    ("codes", ".body.token | explode | map(tostring) | join(\",\")"),
    ("base64", ".body.token | @base64"),
    ("reversed-base64", ".body.token | explode | reverse | implode | @base64"),
    ("lower", ".body.token | ascii_downcase"),
    ("uri", ".body.token | @uri"),
    ("headers", ".headers | tojson | @base64"),
    ("prefix", ".body.token | .[0:8]"),
];

fn hostile_flow(echo: &str, to: &str) -> switchyard_flow::Flow {
    let mut blocks = json!({
        "fetch": {"type": "send_request", "url": echo, "headers": [["Authorization", "{{key}}"]]},
    });
    let mut wires = vec![json!(["start.out", "fetch.in"])];
    for (name, expression) in TRANSFORMS {
        let (turn, send) = (format!("turn-{name}"), format!("send-{name}"));
        blocks[&turn] = json!({"type": "evaluate", "expression": expression});
        blocks[&send] = json!({
            "type": "send_request",
            "method": "POST",
            "url": to,
            "query": [["v", "{{input}}"]],
            "headers": [["X-Leak", "{{input}}"]],
            "body": {"json": {"leak": "{{input}}"}},
        });
        wires.push(json!(["fetch.success", format!("{turn}.in")]));
        wires.push(json!([format!("{turn}.out"), format!("{send}.in")]));
    }
    flow(blocks, Value::Array(wires))
}

/// A flow from a shared repository reverses, splits, shifts and re-encodes a secret a
/// server echoed, then sends each result to another host: what arrives there is built
/// from the mask alone, and no event holds any form of the secret.
#[tokio::test]
async fn a_hostile_flow_cannot_move_an_echoed_secret_to_another_host() {
    let allowed = TestServer::start().await;
    let elsewhere = TestServer::start_at("127.0.0.2").await;
    let token = "sk-Hostile-Q7w9-Zebra-31";
    // Bound to the echoing host, and not bound at all: neither may travel.
    let mut bound = Variable::secret("key", format!("Bearer {token}"));
    bound.allowed_hosts = vec!["127.0.0.1".into()];
    for key in [bound, Variable::secret("key", format!("Bearer {token}"))] {
        let variables: Variables = [key].into_iter().collect();
        for enc in ["raw", "upper", "json-u", "html", "base64"] {
            let before = elsewhere.seen().len();
            let flow =
                hostile_flow(&allowed.url(&format!("/reflect?from=token&enc={enc}")), &elsewhere.url("/collect"));
            let (summary, events) = run(&flow, &variables).await;
            assert_eq!(summary.outcome, Outcome::Ok, "{enc}: {events:#?}");
            let (_, echoed) = fired(&events, "fetch");
            assert_eq!(echoed["body"]["token"], MASK, "{enc}: masked where it came in");
            let seen = elsewhere.seen();
            assert_eq!(seen.len() - before, TRANSFORMS.len(), "{enc}: every transformed mask was sent on");
            for text in received_texts(&seen[before..]) {
                assert_nothing_of(token, &text, &format!("the other host ({enc})"));
            }
            for text in event_texts(&events) {
                assert_nothing_of(token, &text, &format!("an event ({enc})"));
            }
            // What was sent is the mask, transformed.
            let reversed = seen[before..].iter().find(|s| s.headers.get("x-leak").is_some_and(|v| v == MASK));
            assert!(reversed.is_some(), "{enc}: {:?}", received_texts(&seen[before..]));
        }
    }
    assert!(allowed.seen().iter().all(|s| s.headers["authorization"] == format!("Bearer {token}")), "sent as stored");
}

/// The echo a flow receives is masked in every part that came from outside: status
/// line aside, the headers, the body, and the URL of the final response.
#[tokio::test]
async fn the_value_a_block_receives_is_masked_in_headers_body_and_url() {
    let server = TestServer::start().await;
    let secret = "pw-Ingress-Kx81-value";
    let variables: Variables = [Variable::secret("pw", secret)].into_iter().collect();
    let flow = flow(
        json!({
            "call": {"type": "send_request", "url": server.url("/echo?k={{pw}}"),
                     "headers": [["Authorization", "Bearer {{pw}}"]]},
            // Reversed, so the event's own masking cannot hide what the block held.
            "look": {"type": "evaluate", "expression":
                "[.url, .headers[\"x-echo-authorization\"], .body.query, .body.headers.authorization] | map(explode | reverse | implode)"},
        }),
        json!([["start.out", "call.in"], ["call.success", "look.in"]]),
    );
    let (_, events) = run(&flow, &variables).await;
    let (_, looked) = fired(&events, "look");
    let reversed = |text: String| text.chars().rev().collect::<String>();
    assert_eq!(
        looked,
        &json!([
            reversed(server.url(&format!("/echo?k={MASK}"))),
            reversed(format!("Bearer {MASK}")),
            reversed(format!("k={MASK}")),
            reversed(format!("Bearer {MASK}"))
        ])
    );
    assert_eq!(server.seen()[0].query, format!("k={secret}"), "only the request carried it");
}

/// A login's token captured as a secret is masked from that response on: in the value
/// the login fires, in its own `ResponseReceived` and `BlockFinished`, in the request
/// that uses it and in that request's echo; the plain capture is a run variable.
#[tokio::test]
async fn a_token_captured_as_a_secret_is_masked_in_its_own_response() {
    let server = TestServer::start().await;
    let flow = flow(
        json!({
            "login": {"type": "send_request", "method": "POST", "url": server.url("/login"),
                      "checks": [["has a token", ".body.access_token | length > 0"]],
                      "captures": [["token", ".body.access_token", "secret"], ["user", ".body.user.id"]]},
            "call": {"type": "send_request", "url": server.url("/echo?user={{user}}"),
                     "headers": [["Authorization", "Bearer {{token}}"]]},
            "see": {"type": "evaluate", "expression": "{user: $user, vars: $vars}"},
            "log": {"type": "log"},
            "peek": {"type": "evaluate", "expression": ".body.access_token | explode | reverse | implode"},
        }),
        json!([
            ["start.out", "login.in"],
            ["login.success", "call.in"],
            ["call.success", "see.in"],
            ["see.out", "log.in"],
            ["login.success", "peek.in"]
        ]),
    );
    let (summary, events) = run(&flow, &Variables::new()).await;
    assert_eq!(summary.outcome, Outcome::Ok, "{events:#?}");
    let (port, login) = fired(&events, "login");
    assert_eq!(port, "success", "{login}");
    assert_eq!(login["body"]["access_token"], MASK);
    assert_eq!(login["headers"]["x-session"], MASK);
    assert_eq!(login["headers"]["set-cookie"], format!("session={MASK}; HttpOnly"));
    assert_eq!(login["body"]["user"]["id"], 42, "the plain capture's source is left alone");
    let seen = server.seen();
    assert_eq!(seen[1].headers["authorization"], format!("Bearer {LOGIN_TOKEN}"), "the token is sent");
    assert_eq!(seen[1].query, "user=42");
    let (_, echoed) = fired(&events, "call");
    assert_eq!(echoed["body"]["headers"]["authorization"], format!("Bearer {MASK}"));
    // The next block got the response masked with the token: nothing to reverse.
    assert_eq!(fired(&events, "peek").1, &json!(MASK));
    // Expressions see the plain capture, never the secret one.
    assert_eq!(fired(&events, "see").1, &json!({"user": 42, "vars": {"user": 42}}));
    for text in event_texts(&events) {
        assert_nothing_of(LOGIN_TOKEN, &text, "an event");
    }
    // The login's own events come after its capture, and say so.
    let login_events: Vec<&Event> = events.iter().filter(|e| e.block() == Some("login")).collect();
    let kinds: Vec<String> =
        login_events.iter().map(|e| serde_json::to_value(e).unwrap()["event"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        kinds,
        [
            "block_started",
            "request_sent",
            "response_received",
            "variable_set",
            "variable_set",
            "check_result",
            "block_finished"
        ]
    );
    let set = variables_set(&events);
    assert_eq!(set, [("token".to_owned(), json!(MASK), true), ("user".to_owned(), json!(42), false)]);
}

/// A capture whose expression fails, or a secret capture that gives no text, turns the
/// response into `failure` with `capture_failed`; no variable is kept; a secret captured
/// before the failing one is masked all the same.
#[tokio::test]
async fn a_capture_that_fails_fires_failure_with_capture_failed() {
    let server = TestServer::start().await;
    for (captures, field, words, token_captured) in [
        (
            json!([["token", ".body.access_token", "secret"], ["id", ".body.user.id | error(\"no id here\")"]]),
            "captures[1]",
            "no id here",
            true,
        ),
        (json!([["token", ".body.missing", "secret"]]), "captures[0]", "gave null", false),
        (json!([["token", ".body.user", "secret"]]), "captures[0]", "gave an object", false),
    ] {
        let flow = flow(
            json!({
                "login": {"type": "send_request", "url": server.url("/login"), "captures": captures},
                "use": {"type": "evaluate", "expression": "$vars"},
                "failed": {"type": "log"},
            }),
            json!([["start.out", "login.in"], ["login.success", "use.in"], ["login.failure", "failed.in"]]),
        );
        let (summary, events) = run(&flow, &Variables::new()).await;
        assert_eq!(summary.outcome, Outcome::Ok, "the failure was wired: {events:#?}");
        let (port, value) = fired(&events, "login");
        assert_eq!(port, "failure", "{value}");
        assert_eq!(value["error"]["kind"], "capture_failed");
        let message = value["error"]["message"].as_str().unwrap();
        assert!(message.contains(field) && message.contains(words), "{message}");
        assert_eq!(value["status"], 200, "the response is still there: {value}");
        assert!(!events.iter().any(|e| matches!(e, Event::VariableSet { .. })), "no variable kept");
        assert!(!events.iter().any(|e| e.block() == Some("use")), "success did not fire");
        if token_captured {
            for text in event_texts(&events) {
                assert_nothing_of(LOGIN_TOKEN, &text, "an event");
            }
        }
    }
    // An unwired capture failure fails the run like any unhandled failure.
    let flow = flow(
        json!({"login": {"type": "send_request", "url": server.url("/login"), "captures": [["x", "error(\"boom\")"]]}}),
        json!([["start.out", "login.in"]]),
    );
    let (summary, _) = run(&flow, &Variables::new()).await;
    assert_eq!((summary.outcome, summary.counts.unhandled), (Outcome::Failed, 1));
}

/// A status that did not match fires `failure` as before: captures are not evaluated.
#[tokio::test]
async fn captures_are_not_evaluated_when_the_status_did_not_match() {
    let server = TestServer::start().await;
    let flow = flow(
        json!({"r": {"type": "send_request", "url": server.url("/status/500"), "captures": [["x", "error(\"never\")"]]},
               "l": {"type": "log"}}),
        json!([["start.out", "r.in"], ["r.failure", "l.in"]]),
    );
    let (_, events) = run(&flow, &Variables::new()).await;
    let (port, value) = fired(&events, "r");
    assert_eq!((port, value.get("error")), ("failure", None), "{value}");
}

/// A 401 page that reflects the secret HTML- or XML-escaped (every common escaper's
/// style, numeric references in either case) is masked in its body and its header.
#[tokio::test]
async fn a_401_page_reflecting_the_secret_html_escaped_is_masked() {
    let server = TestServer::start().await;
    let token = "Tk<1&2\"3'4>-Escaped-9z";
    let variables: Variables = [Variable::secret("auth", format!("Bearer {token}"))].into_iter().collect();
    for enc in ["html", "html-39", "xml", "html-dec", "html-hex", "raw"] {
        let flow = flow(
            json!({
                "call": {"type": "send_request", "url": server.url(&format!("/denied?enc={enc}")),
                         "headers": [["Authorization", "{{auth}}"]]},
                "page": {"type": "log", "label": "denied"},
            }),
            json!([["start.out", "call.in"], ["call.failure", "page.in"]]),
        );
        let (_, events) = run(&flow, &variables).await;
        let (port, value) = fired(&events, "call");
        assert_eq!((port, value["status"].as_u64()), ("failure", Some(401)), "{value}");
        assert_eq!(
            value["body"],
            format!("<html><body><p>The token <code>{MASK}</code> is not valid.</p></body></html>"),
            "{enc}"
        );
        assert!(value["headers"]["www-authenticate"].as_str().unwrap().contains(MASK), "{enc}: {value}");
        for text in event_texts(&events) {
            assert_nothing_of(token, &text, &format!("an event ({enc})"));
        }
    }
}

/// A value that reaches a Log at level `error` makes the run `failed`; the run goes on
/// (the blocks after it run), and the event says its level.
#[tokio::test]
async fn a_value_logged_at_level_error_fails_the_run_which_goes_on() {
    let failing = flow(
        json!({
            "oops": {"type": "log", "label": "this path is a failure", "level": "error"},
            "after": {"type": "log"},
            "note": {"type": "log", "level": "warn"},
        }),
        json!([["start.out", "oops.in"], ["oops.out", "after.in"], ["start.out", "note.in"]]),
    );
    let (summary, events) = run(&failing, &Variables::new()).await;
    assert_eq!(summary.outcome, Outcome::Failed);
    assert_eq!((summary.counts.error_logs, summary.counts.logged, summary.counts.unhandled), (1, 3, 0));
    assert_eq!(fired(&events, "after").0, "out", "the run went on");
    let levels: Vec<(String, LogLevel)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { block, level, .. } => Some((block.clone(), *level)),
            _ => None,
        })
        .collect();
    assert!(levels.contains(&("oops".to_owned(), LogLevel::Error)), "{levels:?}");
    assert!(levels.contains(&("note".to_owned(), LogLevel::Warn)), "{levels:?}");
    let json = event_texts(&events).join("\n");
    assert!(json.contains(r#""level":"error""#) && !json.contains(r#""level":"info""#), "{json}");
    // Warn alone does not fail a run.
    let warn = flow(json!({"note": {"type": "log", "level": "warn"}}), json!([["start.out", "note.in"]]));
    assert_eq!(run(&warn, &Variables::new()).await.0.outcome, Outcome::Ok);
}
