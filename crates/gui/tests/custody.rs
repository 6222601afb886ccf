//! Secret custody in the app (the README's tutorial setup): a global `auth`
//! of type secret holding `Bearer <token>` (in keyring's mock store), sent as
//! `Authorization: {{auth}}` to a server that echoes only the token. The token shows
//! nowhere: not in any console line, not in what Copy puts on the clipboard, not in
//! the console's JSON tree, not on the canvas, not in the wire markers' values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../../engine/tests/server/mod.rs"]
mod server;

use common::{Fixture, step_until};
use egui::Rect;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use serde_json::json;
use server::TestServer;
use switchyard_engine::{MASK, Outcome};
use switchyard_flow::Flow;
use switchyard_gui::{AppOptions, SwitchyardApp};
use switchyard_vault::{Definition, Keychain, Kind, Scope, Store};

const TOKEN: &str = "test-123-SECRET-g1";

/// Every label and value in the accessibility tree: what a person can read.
fn all_text(harness: &Harness<'_, SwitchyardApp>) -> Vec<String> {
    harness
        .query_all(By::new())
        .flat_map(|node| {
            let node = node.accesskit_node();
            [node.label(), node.value()].into_iter().flatten().map(|s| s.to_string()).collect::<Vec<_>>()
        })
        .collect()
}

/// Fails when the token (any case) or its percent/JSON forms are in `text`.
fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for form in [TOKEN.to_lowercase(), "secret-g1".to_owned(), server::encode::encode("base64", TOKEN).to_lowercase()] {
        assert!(!lower.contains(&form), "{what} shows the token ({form}):\n{text}");
    }
}

#[test]
fn class1_bearer_token_echoed_alone_shows_nowhere_in_the_app() {
    let server_runtime = tokio::runtime::Runtime::new().unwrap();
    let server = server_runtime.block_on(TestServer::start());
    let document = json!({
        "switchyard": 1,
        "name": "Tutorial",
        "blocks": {
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [260, 0], "url": server.url("/reflect?from=token&enc=raw"),
                     "headers": [["Authorization", "{{auth}}"]]},
            "log": {"type": "log", "at": [560, 0]}
        },
        "wires": [["start.out", "call.in"], ["call.success", "log.in"]]
    });
    let flow = Flow::from_json(&document.to_string(), "tutorial").unwrap();
    let fixture = Fixture::with_flow("tutorial.flow.json", &flow);
    let config_dir = fixture.dir.path().join("config");
    let store = keyring_core::mock::Store::new().unwrap();
    let keychain = Keychain::with_store(store);
    let mut globals = Store::open(&config_dir, keychain.clone()).unwrap();
    let definition = Definition {
        name: "auth".into(),
        kind: Kind::Secret,
        value: None,
        allowed_hosts: vec!["127.0.0.1".into()],
        expires: None,
    };
    globals.set_in(Scope::Globals, definition, &format!("Bearer {TOKEN}")).unwrap();

    let options = AppOptions { config_dir: Some(config_dir), keychain: Some(keychain), ..AppOptions::default() };
    let mut harness = fixture.app(options, 2);
    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());
    assert_eq!(harness.state().outcome(), Some(Outcome::Ok));
    assert_eq!(server.seen()[0].headers["authorization"], format!("Bearer {TOKEN}"), "sent as stored");

    // Every console line: its text and its value.
    let console = harness.state().console();
    assert!(console.len() >= 5, "run, block, request, response, log… lines: {}", console.len());
    let mut masked_values = 0;
    for line in console.lines() {
        assert_clean("a console line", &line.message);
        if let Some(value) = &line.value {
            assert_clean("a console line's value", &value.to_string());
            masked_values += usize::from(value["body"]["token"] == MASK || value["token"] == MASK);
        }
    }
    assert!(masked_values >= 2, "the echoed token is masked in the response and the log line");
    assert_clean("the visible console text", &console.visible_text());

    // Copy in the console: what goes to the clipboard.
    harness.get_by_label("Copy").click();
    harness.step();
    let copied = common::copied(&harness);
    assert_eq!(copied.len(), 1, "Copy copied the lines");
    assert_clean("the clipboard", &copied[0]);

    // The response viewer on the logged value (a response): its body tree shows the
    // token's key with the mask; then every other view of it, and Copy body.
    // The log line's label: its time, the block (`log`), the level (`log`), `logged`.
    harness.get_by_label_contains("log log logged").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("\"token\"").is_some(), "the tree shows the token's key");
    assert!(harness.query_by_label(&format!("\"{MASK}\"")).is_some(), "and the mask as its value");
    for text in all_text(&harness) {
        assert_clean("the window (JSON tree, canvas)", &text);
    }
    for view in ["Pretty", "Raw", "Headers (", "Whole value"] {
        harness.get_by_label_contains(view).click();
        harness.run_steps(3);
        for text in all_text(&harness) {
            assert_clean(&format!("the response viewer's {view} view"), &text);
        }
    }
    harness.get_by_label("Body").click();
    harness.run_steps(2);
    harness.get_by_label("Copy body").click();
    harness.step();
    let copied = common::copied(&harness);
    assert_eq!(copied.len(), 1, "Copy body copied the body");
    assert!(copied[0].contains(MASK));
    assert_clean("the body on the clipboard", &copied[0]);
    // A line without a value, so the viewer shows no response while the markers are read.
    harness.get_by_label_contains("run started").click();
    harness.run_steps(2);

    // The wire markers: hover each and read the value it shows.
    let markers: Vec<Rect> = harness.query_all_by_label("value carried").map(|node| node.rect()).collect();
    assert_eq!(markers.len(), 2, "both wires carried a value");
    let mut shown = 0;
    for marker in markers {
        harness.hover_at(marker.center());
        harness.run_steps(3);
        let texts = all_text(&harness);
        for text in &texts {
            assert_clean("a wire marker's value", text);
        }
        shown += usize::from(texts.iter().any(|t| t.contains("authenticated") && t.contains(MASK)));
    }
    assert_eq!(shown, 1, "the request → log marker shows the masked response");
}
