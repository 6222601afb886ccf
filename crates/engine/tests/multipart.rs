//! Multipart bodies and Postman's dynamic variables (`{{$guid}}`, …), against a real
//! HTTP server on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod server;

use serde_json::{Value, json};
use server::TestServer;
use switchyard_engine::{Engine, EngineConfig, Event, Outcome};
use switchyard_flow::Flow;
use switchyard_vault::{Variable, Variables};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Start → `req` → Log `ok` / Log `failed`.
fn one_request(request: Value) -> Flow {
    let mut request = request;
    request["type"] = json!("send_request");
    let text = json!({"switchyard": 1, "name": "t", "blocks": {
        "start": {"type": "start"}, "req": request, "ok": {"type": "log"}, "failed": {"type": "log"}
    }, "wires": [["start.out", "req.in"], ["req.success", "ok.in"], ["req.failure", "failed.in"]]})
    .to_string();
    Flow::from_json(&text, "t").unwrap()
}

async fn run(engine: &Engine, flow: &Flow, variables: &Variables) -> (Outcome, Vec<Event>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let summary = engine.run(flow, variables, tx, CancellationToken::new()).await;
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    (summary.outcome, events)
}

fn fired<'e>(events: &'e [Event], block: &str) -> (&'e str, &'e Value) {
    events
        .iter()
        .find_map(|e| match e {
            Event::BlockFinished { block: b, port, value, .. } if b == block => Some((port.as_str(), &**value)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{block} never finished: {events:#?}"))
}

#[tokio::test]
async fn multipart_sends_text_and_files_relative_to_the_flow_folder() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/receipt.txt"), "file-bytes-0042").unwrap();
    let flow = one_request(json!({
        "method": "POST",
        "url": server.url("/echo"),
        "headers": [["Content-Type", "multipart/form-data"]],
        "body": {"multipart": [["title", "Receipt {{n}}"], ["upload", {"file": "data/receipt.txt"}]]}
    }));
    let variables: Variables = [Variable::plain("n", "7")].into_iter().collect();
    let engine = Engine::new(EngineConfig::default()).unwrap().with_base_dir(dir.path());
    let (outcome, events) = run(&engine, &flow, &variables).await;
    assert_eq!(outcome, Outcome::Ok, "{events:#?}");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let content_type = &seen[0].headers["content-type"];
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect(content_type);
    let body = &seen[0].body;
    assert!(
        body.contains(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nReceipt 7\r\n")),
        "{body}"
    );
    assert!(body.contains("Content-Disposition: form-data; name=\"upload\"; filename=\"receipt.txt\""), "{body}");
    assert!(body.contains("file-bytes-0042"), "{body}");
    assert!(body.ends_with(&format!("--{boundary}--\r\n")), "{body}");
}

#[tokio::test]
async fn a_307_redirect_sends_the_multipart_body_again() {
    let server = TestServer::start().await;
    let target = server.url("/echo");
    let flow = one_request(json!({
        "method": "POST",
        "url": server.url(&format!("/redirect?code=307&to={target}")),
        "body": {"multipart": [["a", "again"]]}
    }));
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let (outcome, events) = run(&engine, &flow, &Variables::new()).await;
    assert_eq!(outcome, Outcome::Ok, "{events:#?}");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.body.contains("name=\"a\"\r\n\r\nagain")), "{seen:#?}");
}

#[tokio::test]
async fn a_missing_file_fails_the_block_before_anything_is_sent() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let flow = one_request(json!({
        "method": "POST",
        "url": server.url("/echo"),
        "body": {"multipart": [["f", {"file": "nope.bin"}]]}
    }));
    let engine = Engine::new(EngineConfig::default()).unwrap().with_base_dir(dir.path());
    let (_, events) = run(&engine, &flow, &Variables::new()).await;
    let (port, value) = fired(&events, "req");
    assert_eq!(port, "failure");
    assert_eq!(value["error"]["kind"], "invalid_request");
    let message = value["error"]["message"].as_str().unwrap();
    assert!(message.contains("body.multipart[0]") && message.contains("nope.bin"), "{message}");
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn dynamic_variables_are_filled_in_at_each_send() {
    let server = TestServer::start().await;
    let flow = one_request(json!({
        "url": server.url("/echo"),
        "query": [["id", "{{$guid}}"], ["t", "{{$timestamp}}"], ["iso", "{{$isoTimestamp}}"], ["n", "{{$randomInt}}"], ["x", "{{$other}}"]]
    }));
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let (outcome, events) = run(&engine, &flow, &Variables::new()).await;
    assert_eq!(outcome, Outcome::Ok, "{events:#?}");
    let query = &server.seen()[0].query;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let value = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(value("id").len(), 36, "{query}");
    let seconds: u64 = value("t").parse().unwrap();
    assert!(seconds > 1_700_000_000, "{query}");
    assert!(value("iso").ends_with('Z') && value("iso").len() == 24, "{query}");
    assert!(value("n").parse::<u64>().unwrap() <= 1000);
    assert_eq!(value("x"), "{{$other}}", "an unknown dynamic name stays text");
}
