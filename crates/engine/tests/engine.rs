//! How a flow runs (ports, fan-out, outcomes, limits, cancelling) and how secrets are kept
//! (masking, host binding; see SECURITY.md), each against a
//! real HTTP server on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod server;
mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use server::TestServer;
use support::{fired, flow, one_request, run, run_with};
use switchyard_engine::{Engine, EngineConfig, Event, MASK, Outcome};
use switchyard_vault::{Variable, Variables};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn error_kind(events: &[Event]) -> String {
    let (port, value) = fired(events, "req");
    assert_eq!(port, "failure", "{value}");
    value["error"]["kind"].as_str().unwrap_or("none").to_owned()
}

fn all_text(events: &[Event]) -> String {
    events.iter().map(|e| serde_json::to_string(e).unwrap()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn status_routes_to_success_or_failure_by_success_status() {
    let server = TestServer::start().await;
    let (summary, events) = run(&one_request(json!({"url": server.url("/status/200")})), &Variables::new()).await;
    let (port, value) = fired(&events, "req");
    assert_eq!(port, "success");
    assert_eq!(value["status"], 200);
    assert_eq!(value["body"], json!({"code": 200}), "JSON bodies arrive parsed");
    assert_eq!(value["url"], server.url("/status/200"));
    assert!(value["duration_ms"].is_u64() && value.get("error").is_none());
    assert_eq!(summary.outcome, Outcome::Ok);
    assert_eq!((summary.counts.succeeded, summary.counts.failed, summary.counts.responses), (1, 0, 1));

    let (_, events) = run(&one_request(json!({"url": server.url("/status/404")})), &Variables::new()).await;
    let (port, value) = fired(&events, "req");
    assert_eq!((port, value["status"].as_u64()), ("failure", Some(404)));
    assert!(value.get("error").is_none(), "a response is not an error: {value}");

    let accept_404 = one_request(json!({"url": server.url("/status/404"), "success_status": ["2xx", "404"]}));
    let (_, events) = run(&accept_404, &Variables::new()).await;
    assert_eq!(fired(&events, "req").0, "success");
}

#[tokio::test]
async fn text_bodies_arrive_as_text_and_logs_pass_values_on() {
    let server = TestServer::start().await;
    let (summary, events) = run(&one_request(json!({"url": server.url("/text")})), &Variables::new()).await;
    assert_eq!(fired(&events, "req").1["body"], "plain words");
    let logged: Vec<&Value> =
        events.iter().filter_map(|e| if let Event::Log { value, .. } = e { Some(&**value) } else { None }).collect();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["body"], "plain words");
    assert_eq!(fired(&events, "ok"), ("out", logged[0]));
    assert_eq!(summary.counts.logged, 1);
    assert!(matches!(events.first(), Some(Event::RunStarted { blocks: 4, .. })));
    assert!(matches!(events.last(), Some(Event::RunFinished { outcome: Outcome::Ok, .. })));
}

#[tokio::test]
async fn unhandled_failure_fails_the_run_and_a_wired_one_does_not() {
    let server = TestServer::start().await;
    let unwired = flow(
        json!({"req": {"type": "send_request", "url": server.url("/status/500")}}),
        json!([["start.out", "req.in"]]),
    );
    let (summary, events) = run(&unwired, &Variables::new()).await;
    assert_eq!(summary.outcome, Outcome::Failed);
    assert_eq!(summary.counts.unhandled, 1);
    assert!(events.iter().any(
        |e| matches!(e, Event::BlockFinished { port, wired: false, .. } if *port == switchyard_flow::Port::Failure)
    ));

    let (summary, _) = run(&one_request(json!({"url": server.url("/status/500")})), &Variables::new()).await;
    assert_eq!((summary.outcome, summary.counts.unhandled), (Outcome::Ok, 0));
}

#[tokio::test]
async fn unresolved_variable_fails_block_without_sending() {
    let server = TestServer::start().await;
    let request = json!({"url": server.url("/echo"), "headers": [["Authorization", "{{auth}}"]]});
    let (_, events) = run(&one_request(request), &Variables::new()).await;
    assert_eq!(error_kind(&events), "unresolved_variable");
    let message = fired(&events, "req").1["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("block `req`") && message.contains("headers[0]") && message.contains("{{auth}}"),
        "{message}"
    );
    assert!(
        events.iter().any(|e| matches!(e, Event::BlockFinished { summary, .. } if summary == "unresolved {{auth}}"))
    );
    assert!(server.seen().is_empty(), "nothing may be sent");
    assert!(!events.iter().any(|e| matches!(e, Event::RequestSent { .. })));
}

#[tokio::test]
async fn invalid_url_fails_with_invalid_url() {
    for url in ["not a url", "ftp://example.test/file", "http://"] {
        let (_, events) = run(&one_request(json!({"url": url})), &Variables::new()).await;
        assert_eq!(error_kind(&events), "invalid_url", "{url}");
    }
}

#[tokio::test]
async fn invalid_header_fails_before_sending() {
    let server = TestServer::start().await;
    let request = json!({"url": server.url("/echo"), "headers": [["X-Value", "{{v}}"]]});
    let variables: Variables = [Variable::plain("v", "line\nbreak")].into_iter().collect();
    let (_, events) = run(&one_request(request), &variables).await;
    assert_eq!(error_kind(&events), "invalid_request");
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn refused_connection_fails_with_connect() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (_, events) = run(&one_request(json!({"url": format!("http://{addr}/")})), &Variables::new()).await;
    assert_eq!(error_kind(&events), "connect");
    let message = fired(&events, "req").1["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains(&format!("cannot connect to {addr}")), "{message}");
}

#[tokio::test(start_paused = true)]
async fn slow_server_fails_with_timeout() {
    let server = TestServer::start().await;
    let request = json!({"url": server.url("/slow"), "timeout_ms": 250});
    let (summary, events) = run(&one_request(request), &Variables::new()).await;
    assert_eq!(error_kind(&events), "timeout");
    assert!(fired(&events, "req").1["error"]["message"].as_str().unwrap().contains("250 ms"));
    assert_eq!(summary.outcome, Outcome::Ok, "the failure was wired");
}

#[tokio::test]
async fn body_over_the_limit_fails_with_or_without_content_length() {
    let server = TestServer::start().await;
    let config = || EngineConfig { max_body_bytes: 100_000, ..EngineConfig::default() };
    for path in ["/big/100001", "/big-chunked/300000"] {
        let (_, events) = run_with(&one_request(json!({"url": server.url(path)})), &Variables::new(), config()).await;
        assert_eq!(error_kind(&events), "body_too_large", "{path}");
    }
    let (_, events) =
        run_with(&one_request(json!({"url": server.url("/big/100000")})), &Variables::new(), config()).await;
    assert_eq!(fired(&events, "req").0, "success", "exactly the limit is fine");
}

#[tokio::test]
async fn redirect_carrying_a_secret_to_another_origin_is_blocked() {
    let origin = TestServer::start().await;
    let elsewhere = TestServer::start().await;
    let target = elsewhere.url("/echo");
    let request = json!({
        "url": origin.url("/redirect"),
        "query": [["to", target]],
        "headers": [["Authorization", "{{auth}}"]],
    });
    let variables: Variables = [Variable::secret("auth", "Bearer sk-redirect-0451")].into_iter().collect();
    let (_, events) = run(&one_request(request), &variables).await;
    assert_eq!(error_kind(&events), "redirect_blocked");
    assert!(elsewhere.seen().is_empty(), "nothing reaches the other origin");
    assert_eq!(origin.seen().len(), 1);
}

#[tokio::test]
async fn redirects_without_secrets_are_followed_and_drop_authorization_across_origins() {
    let origin = TestServer::start().await;
    let elsewhere = TestServer::start().await;
    let request = json!({
        "method": "POST",
        "url": origin.url("/redirect"),
        "query": [["to", elsewhere.url("/echo")]],
        "headers": [["Authorization", "Basic plain"]],
        "body": {"text": "data"},
    });
    let (_, events) = run(&one_request(request), &Variables::new()).await;
    let (port, value) = fired(&events, "req");
    assert_eq!(port, "success", "{value}");
    assert_eq!(value["url"], elsewhere.url("/echo"));
    let seen = elsewhere.seen();
    assert_eq!(seen[0].method, "GET", "302 after POST continues as GET");
    assert!(!seen[0].headers.contains_key("authorization"));
    assert_eq!(events.iter().filter(|e| matches!(e, Event::RequestSent { .. })).count(), 2);

    // Same origin with a secret: followed, the secret kept. 307 keeps the method and body.
    let request = json!({
        "method": "PUT",
        "url": origin.url("/redirect"),
        "query": [["to", "/echo"], ["code", "307"]],
        "headers": [["Authorization", "{{auth}}"]],
        "body": {"text": "data"},
    });
    let variables: Variables = [Variable::secret("auth", "sk-same-origin-1")].into_iter().collect();
    let (_, events) = run(&one_request(request), &variables).await;
    assert_eq!(fired(&events, "req").0, "success");
    let echoed = origin.seen().last().cloned().unwrap();
    assert_eq!((echoed.method.as_str(), echoed.body.as_str()), ("PUT", "data"));
    assert_eq!(echoed.headers["authorization"], "sk-same-origin-1");

    // follow_redirects: false hands back the 302 itself.
    let request = json!({"url": origin.url("/redirect"), "query": [["to", "/echo"]], "follow_redirects": false});
    let (_, events) = run(&one_request(request), &Variables::new()).await;
    assert_eq!(fired(&events, "req").1["status"], 302);
}

#[tokio::test]
async fn too_many_redirects_fail() {
    let server = TestServer::start().await;
    let looping = format!("/redirect?to={}", urlencode(&server.url("/redirect?to=/redirect")));
    let config = EngineConfig { max_redirects: 3, ..EngineConfig::default() };
    let (_, events) = run_with(&one_request(json!({"url": server.url(&looping)})), &Variables::new(), config).await;
    assert_eq!(error_kind(&events), "too_many_redirects");
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn secret_is_only_sent_to_allowed_hosts() {
    let server = TestServer::start().await;
    let mut secret = Variable::secret("key", "sk-host-check-77");
    secret.allowed_hosts = vec!["api.example.com".into()];
    let variables: Variables = [secret.clone()].into_iter().collect();
    let request = json!({"url": server.url("/echo"), "auth": {"type": "api_key", "name": "X-Key", "value": "{{key}}"}});
    let (_, events) = run(&one_request(request.clone()), &variables).await;
    assert_eq!(error_kind(&events), "host_not_allowed");
    let message = fired(&events, "req").1["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("api.example.com") && message.contains("127.0.0.1"), "{message}");
    assert!(server.seen().is_empty(), "nothing was sent");

    secret.allowed_hosts = vec!["127.0.0.1".into()];
    let (_, events) = run(&one_request(request), &[secret].into_iter().collect()).await;
    assert_eq!(fired(&events, "req").0, "success");
    assert_eq!(server.seen()[0].headers["x-key"], "sk-host-check-77");
}

#[tokio::test]
async fn fan_out_runs_targets_concurrently() {
    // The server answers /barrier only when three requests wait there at once.
    let server = TestServer::start_with_barrier(3).await;
    let request = json!({"type": "send_request", "url": server.url("/barrier"), "timeout_ms": 10_000});
    let flow = flow(
        json!({"a": request, "b": request, "c": request}),
        json!([["start.out", "a.in"], ["start.out", "b.in"], ["start.out", "c.in"]]),
    );
    let (summary, events) = run(&flow, &Variables::new()).await;
    for block in ["a", "b", "c"] {
        assert_eq!(fired(&events, block).0, "success", "{block}");
    }
    assert_eq!(summary.counts.succeeded, 3);
}

#[tokio::test]
async fn step_limit_stops_a_wired_loop() {
    let looping = flow(
        json!({"a": {"type": "log"}, "b": {"type": "log"}}),
        json!([["start.out", "a.in"], ["a.out", "b.in"], ["b.out", "a.in"]]),
    );
    let config = EngineConfig { max_steps: 50, ..EngineConfig::default() };
    let (summary, _) = run_with(&looping, &Variables::new(), config).await;
    assert_eq!(summary.outcome, Outcome::Limit);
    assert_eq!(summary.counts.blocks_run, 50);
}

#[tokio::test]
async fn cancel_aborts_the_request_in_flight() {
    let server = TestServer::start().await;
    let arrived = server.slow_arrived();
    let dropped = server.slow_dropped();
    let flow = one_request(json!({"url": server.url("/slow")}));
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let run = tokio::spawn({
        let cancel = cancel.clone();
        async move { engine.run(&flow, &Variables::new(), tx, cancel).await }
    });
    arrived.notified().await;
    cancel.cancel();
    let summary = run.await.unwrap();
    assert_eq!(summary.outcome, Outcome::Cancelled);
    // The server sees the connection close: its handler is dropped.
    dropped.notified().await;
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    assert!(matches!(events.last(), Some(Event::RunFinished { outcome: Outcome::Cancelled, .. })));
    assert!(!events.iter().any(|e| matches!(e, Event::BlockFinished { block, .. } if block == "req")));
}

#[tokio::test]
async fn secrets_echoed_by_the_server_are_masked_in_every_event() {
    let server = TestServer::start().await;
    let secret = "sk-echo-Zq9/+&= x";
    let request = json!({
        "method": "POST",
        "url": server.url("/echo"),
        "headers": [["Authorization", "Bearer {{auth}}"]],
        "query": [["key", "{{auth}}"]],
        "body": {"json": {"k": "{{auth}}"}},
    });
    let basic =
        json!({"url": server.url("/echo"), "auth": {"type": "basic", "username": "me", "password": "{{auth}}"}});
    let variables: Variables = [Variable::secret("auth", secret)].into_iter().collect();
    for request in [request, basic] {
        let (_, events) = run(&one_request(request), &variables).await;
        assert_eq!(fired(&events, "req").0, "success");
        let text = all_text(&events);
        let basic64 = base64::engine::general_purpose::STANDARD.encode(format!("me:{secret}"));
        for form in [secret.to_owned(), urlencode(secret), basic64, "sk-echo".to_owned()] {
            assert!(!text.contains(&form), "leaked {form} in {text}");
        }
        assert!(text.contains(MASK));
    }
    // The server did receive the real value.
    let seen = server.seen();
    assert_eq!(seen[0].headers["authorization"], format!("Bearer {secret}"));
    assert_eq!(serde_json::from_str::<Value>(&seen[0].body).unwrap(), json!({"k": secret}));
    assert!(seen[1].headers["authorization"].starts_with("Basic "));
}

#[tokio::test]
async fn expired_secret_warns_once() {
    let server = TestServer::start().await;
    let mut secret = Variable::secret("auth", "sk-old");
    secret.expires = Some("2020-01-01".parse().unwrap());
    let request = json!({"url": server.url("/echo"), "headers": [["Authorization", "{{auth}}"]]});
    let (summary, events) = run(&one_request(request), &[secret].into_iter().collect()).await;
    let warnings: Vec<&Event> = events.iter().filter(|e| matches!(e, Event::Warning { .. })).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(matches!(warnings[0], Event::Warning { message, .. } if message.contains("`auth` expired on 2020-01-01")));
    assert_eq!(summary.outcome, Outcome::Ok, "an expired secret still runs");
}

#[tokio::test]
async fn angle_bracket_references_resolve_like_braces() {
    let server = TestServer::start().await;
    let request = json!({"url": format!("http://<<host>>/echo"), "headers": [["X-A", "{{ a }}-<<a>>"]]});
    let variables: Variables =
        [Variable::plain("host", server.addr.to_string()), Variable::plain("a", "1")].into_iter().collect();
    let (_, events) = run(&one_request(request), &variables).await;
    assert_eq!(fired(&events, "req").0, "success");
    assert_eq!(server.seen()[0].headers["x-a"], "1-1");
}

#[tokio::test]
async fn input_paths_chain_one_response_into_the_next_request() {
    let server = TestServer::start().await;
    let flow = flow(
        json!({
            "login": {"type": "send_request", "method": "POST", "url": server.url("/token")},
            "use": {"type": "send_request", "url": server.url("/items/{{input.body.items.1.id}}"),
                    "auth": {"type": "bearer", "token": "{{input.body.access_token}}"},
                    "query": [["status", "{{input.status}}"], ["all", "{{input.body.items}}"]]},
            "missing": {"type": "send_request", "url": server.url("/echo?x={{input.body.nope}}")},
        }),
        json!([
            ["start.out", "login.in"],
            ["login.success", "use.in"],
            ["use.success", "missing.in"],
            ["missing.failure", "use.in"]
        ]),
    );
    let (summary, events) = run(&flow, &Variables::new()).await;
    let use_ports: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::BlockFinished { block, port, .. } if block == "use" => Some(port.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(use_ports, ["success", "failure"]);
    let seen = server.seen();
    assert_eq!(seen[1].path, "/items/8");
    assert_eq!(seen[1].headers["authorization"], "Bearer tok-123");
    let query: Vec<(String, String)> = url::form_urlencoded::parse(seen[1].query.as_bytes()).into_owned().collect();
    assert_eq!(query, [("status".into(), "200".into()), ("all".into(), r#"[{"id":7},{"id":8}]"#.into())]);
    // `{{input.body.nope}}` does not exist in the echo of /items: the block fails unsent,
    // and its failure value reaches `use`, whose templates then fail too.
    assert_eq!(fired(&events, "missing").1["error"]["kind"], "unresolved_variable");
    assert_eq!(seen.len(), 2);
    assert_eq!(summary.outcome, Outcome::Failed);
}

#[tokio::test]
async fn bodies_and_auth_helpers_are_sent_as_declared() {
    let server = TestServer::start().await;
    let variables: Variables = [Variable::plain("name", "Ada"), Variable::secret("key", "k-1")].into_iter().collect();
    let cases = [
        (
            json!({"json": {"user": {"name": "{{name}}", "age": 36}}}),
            "application/json",
            r#"{"user":{"name":"Ada","age":36}}"#,
        ),
        (json!({"text": "hi {{name}}"}), "text/plain; charset=utf-8", "hi Ada"),
        (json!({"text": "a,b", "content_type": "text/csv"}), "text/csv", "a,b"),
        (
            json!({"form": [["who", "{{name}} L"], ["x", "&="]]}),
            "application/x-www-form-urlencoded",
            "who=Ada+L&x=%26%3D",
        ),
    ];
    for (index, (body, content_type, sent)) in cases.into_iter().enumerate() {
        let request = json!({"method": "POST", "url": server.url("/echo"), "body": body,
                             "auth": {"type": "api_key", "name": "api_key", "value": "{{key}}", "in": "query"}});
        let (_, events) = run(&one_request(request), &variables).await;
        assert_eq!(fired(&events, "req").0, "success");
        let seen = &server.seen()[index];
        assert_eq!(seen.headers["content-type"], content_type);
        assert_eq!(seen.body, sent);
        assert_eq!(seen.query, "api_key=k-1");
    }
}
