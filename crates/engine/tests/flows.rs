//! The example flows in `flows/` are golden tests: each parses, round-trips byte for
//! byte, and runs against a local server standing in for the real API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod server;

use std::path::PathBuf;

use server::TestServer;
use switchyard_engine::{Engine, EngineConfig, Event, Outcome};
use switchyard_flow::{BlockKind, Flow};
use switchyard_vault::{Variable, Variables};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn example_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "the examples are missing: {files:?}");
    files
}

/// The flow-language examples (`flows/language/`), run by `tests/language.rs`.
fn language_example_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows/language");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    files
}

#[test]
fn every_example_flow_round_trips_byte_for_byte() {
    for path in example_files().into_iter().chain(language_example_files()) {
        let text = std::fs::read_to_string(&path).unwrap();
        let flow = switchyard_flow::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(flow.to_json(), text, "{} is not in canonical layout", path.display());
    }
}

/// Points every request at `server` instead of the real host.
fn against(server: &TestServer, mut flow: Flow) -> Flow {
    for block in &mut flow.blocks {
        if let BlockKind::SendRequest(request) = &mut block.kind {
            let url = url::Url::parse(&request.url.replace("{{", "%7B%7B").replace("}}", "%7D%7D")).unwrap();
            let origin = url.origin().ascii_serialization();
            request.url = request.url.replacen(&origin, &server.url(""), 1);
        }
    }
    flow
}

/// The secret the welcome flow sets itself (a `set` block marked secret).
const WELCOME_SECRET: &str = "demo-not-a-real-key";

#[tokio::test]
async fn the_welcome_flow_needs_no_variables_and_masks_the_secret_it_sets() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows/welcome.flow.json");
    let server = TestServer::start().await;
    let flow = against(&server, switchyard_flow::load(&path).unwrap());
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let summary = engine.run(&flow, &Variables::default(), tx, CancellationToken::new()).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    let text: String = events.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    assert!(text.contains("Echoed back") && text.contains("Ada"), "the echo came back with the name: {text}");
    assert!(!text.contains(WELCOME_SECRET), "the secret is masked where the server echoes it");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].path.as_str(), seen[0].query.as_str()), ("/get", "name=Ada"));
}

#[tokio::test]
async fn every_example_flow_runs_against_a_local_server() {
    let secret = "sk-golden-SECRET-31337";
    let variables: Variables = [
        Variable::secret("auth", format!("Bearer {secret}")),
        Variable::secret("postman-api-key", secret),
        Variable::secret("boomi-api-key", secret),
        Variable::plain("boomi-tenant", "tenant-1"),
    ]
    .into_iter()
    .collect();
    for path in example_files() {
        let server = TestServer::start().await;
        let flow = against(&server, switchyard_flow::load(&path).unwrap());
        let engine = Engine::new(EngineConfig::default()).unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let summary = engine.run(&flow, &variables, tx, CancellationToken::new()).await;
        let name = path.display();
        assert_eq!(summary.outcome, Outcome::Ok, "{name}");
        let mut events = Vec::new();
        while let Ok(event) = rx.try_recv() {
            events.push(event);
        }
        let logged: Vec<&Option<String>> =
            events.iter().filter_map(|e| if let Event::Log { label, .. } = e { Some(label) } else { None }).collect();
        assert!(
            !logged.is_empty() && logged.iter().all(|l| l.as_deref() != Some("Request failed")),
            "{name}: {logged:?}"
        );
        let text: String = events.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        assert!(!text.contains(secret), "{name} leaked the secret");
        // Every request reached the server with its secret header filled in (the
        // welcome flow's is the demo secret it sets itself: it needs no account).
        let secret = if path.ends_with("welcome.flow.json") { WELCOME_SECRET } else { secret };
        let seen = server.seen();
        assert!(!seen.is_empty(), "{name}");
        for request in seen {
            assert!(request.headers.values().any(|v| v.contains(secret)), "{name}: {request:?}");
        }
        assert!(!text.contains(secret), "{name} leaked the secret");
    }
}

#[tokio::test]
async fn chained_example_fetches_the_model_the_first_response_named() {
    let server = TestServer::start().await;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows/openai-first-model.flow.json");
    let flow = against(&server, switchyard_flow::load(&path).unwrap());
    let variables: Variables = [Variable::secret("auth", "Bearer k")].into_iter().collect();
    let (tx, _rx) = mpsc::unbounded_channel();
    let summary =
        Engine::new(EngineConfig::default()).unwrap().run(&flow, &variables, tx, CancellationToken::new()).await;
    assert_eq!(summary.outcome, Outcome::Ok);
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/v1/models", "/v1/models/gpt-test-1"]);
}
