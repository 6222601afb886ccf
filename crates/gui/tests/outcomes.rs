//! Outcomes that never mislead, in the app (egui_kittest, a server on 127.0.0.1): Run
//! refuses a JSON body that does not parse as Save does; a run that cannot start says
//! `not run: …` in the top bar, marks the canvas's old results and points its console
//! line at the block and field at fault (also when no keychain is reachable); a block
//! whose expression failed says so on the canvas; names set upstream are defined in the
//! inspector, and inside a For Each branch `{{input}}` is the item.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../../engine/tests/server/mod.rs"]
mod server;

use common::{Fixture, canvas_label, press, shows, step_until};
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use serde_json::json;
use server::TestServer;
use switchyard_engine::Outcome;
use switchyard_flow::{Block, BlockKind, Body, Flow, If, LogBlock, Port, PortRef, SendRequest, Wire};
use switchyard_gui::{Action, AppOptions, SwitchyardApp};
use switchyard_vault::{Definition, Keychain, Kind, Scope, Store};

fn wire(from: &str, out: Port, to: &str) -> Wire {
    Wire { from: PortRef::new(from, out), to: PortRef::new(to, Port::In) }
}

/// Start → `fetch` (a Send Request to `url`, POST with a JSON body) → `show` (a Log).
fn request_flow(url: &str) -> Flow {
    let mut flow = Flow::new("Outcomes");
    let mut request = SendRequest::new(url);
    request.method = "POST".to_owned();
    request.body = Some(Body::Json(json!({"a": 1})));
    request.timeout_ms = 10_000;
    flow.blocks.push(Block { id: "fetch".to_owned(), at: [300.0, 120.0], kind: BlockKind::SendRequest(request) });
    flow.blocks.push(Block { id: "show".to_owned(), at: [680.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.wires.push(wire("start", Port::Out, "fetch"));
    flow.wires.push(wire("fetch", Port::Success, "show"));
    flow
}

fn apply(harness: &mut Harness<'_, SwitchyardApp>, action: Action) {
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(action, &ctx);
    harness.run_steps(2);
}

fn run(harness: &mut Harness<'_, SwitchyardApp>) {
    harness.get_by_label("▶ Run").click();
    harness.run_steps(2);
}

fn run_to_the_end(harness: &mut Harness<'_, SwitchyardApp>) {
    let before = harness.state().console().len();
    run(harness);
    step_until(harness, "the run to end", |app| {
        !app.is_running() && app.outcome().is_some() && app.console().len() > before
    });
}

/// The console row whose text contains `text` (rows are buttons labelled with their text).
fn click_console_line(harness: &mut Harness<'_, SwitchyardApp>, text: &str) {
    harness.get_by(|node| node.role() == Role::Button && node.label().is_some_and(|l| l.contains(text))).click();
    harness.run_steps(3);
}

/// Whether a label starts with `text` (the top bar's; console rows start with their
/// time, block or level).
fn label_starting(harness: &Harness<'_, SwitchyardApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).any(|node| {
        let node = node.accesskit_node();
        node.label().or_else(|| node.value()).is_some_and(|label| label.starts_with(text))
    })
}

#[test]
fn run_refuses_a_json_body_that_does_not_parse_as_save_does() {
    let fixture = Fixture::with_flow("json.flow.json", &Flow::new("placeholder"));
    let server = fixture.runtime.block_on(TestServer::start());
    switchyard_flow::save(&fixture.flow_path, &request_flow(&server.url("/echo"))).unwrap();
    let mut harness = fixture.app(AppOptions::default(), 3);
    apply(&mut harness, Action::Select("fetch".to_owned()));

    harness.get_by_label("JSON body").focus();
    harness.run_steps(1);
    press(&mut harness, Modifiers::COMMAND, Key::A);
    harness.get_by_label("JSON body").type_text("{\"items\": [1, 2,, 3]}");
    harness.run_steps(2);
    apply(&mut harness, Action::Deselect);

    run(&mut harness);
    harness.run_steps(5);
    fixture.runtime.block_on(async { tokio::task::yield_now().await });
    harness.run_steps(5);
    assert!(!harness.state().is_running(), "nothing was started");
    assert!(server.seen().is_empty(), "nothing was sent (not the last valid body either)");
    assert_eq!(harness.state().outcome(), None, "no outcome: the run did not happen");
    let refused = "not run: the JSON body of `fetch` is not valid";
    assert!(
        harness.state().console().lines().iter().any(|line| line.message.starts_with(refused)
            && line.block.as_deref() == Some("fetch")
            && line.field.as_deref() == Some("body")),
        "the console says why, as Save does, pointing at the block and field"
    );
    assert!(label_starting(&harness, refused), "the top bar says it");
    assert_eq!(harness.state().selected_block(), Some("fetch"), "the block at fault is selected");
    assert!(harness.get_by_label("JSON body").is_focused(), "and its body field has the focus");
    assert_eq!(harness.get_by_label("JSON body").value().as_deref(), Some("{\"items\": [1, 2,, 3]}"), "kept");
}

#[test]
fn a_run_that_cannot_start_says_so_marks_old_results_and_its_line_selects_the_field() {
    let fixture = Fixture::with_flow("start.flow.json", &Flow::new("placeholder"));
    let server = fixture.runtime.block_on(TestServer::start());
    let mut flow = request_flow(&server.url("/echo"));
    flow.blocks.push(Block {
        id: "ready".to_owned(),
        at: [680.0, 320.0],
        kind: BlockKind::If(If { condition: ".status == 200".into() }),
    });
    flow.wires.push(wire("show", Port::Out, "ready"));
    switchyard_flow::save(&fixture.flow_path, &flow).unwrap();
    let mut harness = fixture.app(AppOptions::default(), 3);
    run_to_the_end(&mut harness);
    assert_eq!(harness.state().outcome(), Some(Outcome::Ok));
    assert!(label_starting(&harness, "run ok"));
    assert!(!shows(&harness, "earlier run"));

    // A condition that is not jq: the flow cannot run.
    let document = harness.state_mut().document_mut();
    let node = document.node_of("ready").unwrap();
    document.snarl.get_node_mut(node).unwrap().block.kind = BlockKind::If(If { condition: ".status === 200".into() });
    harness.run_steps(2);
    run(&mut harness);
    harness.run_steps(3);
    assert_eq!(server.seen().len(), 1, "the second run sent nothing");
    assert!(label_starting(&harness, "not run: Outcomes: blocks.ready.condition"), "the top bar says why");
    assert!(!label_starting(&harness, "run ok"), "not the earlier run's outcome");
    let logged = canvas_label(&harness, "logged · earlier run", "show");
    assert!(logged.width() > 0.0, "the old result on the canvas is marked as from an earlier run");

    apply(&mut harness, Action::Deselect);
    assert_eq!(harness.state().selected_block(), None);
    click_console_line(&mut harness, "not run: Outcomes: blocks.ready.condition");
    assert_eq!(harness.state().selected_block(), Some("ready"), "the line selects the block at fault");
    let condition = harness
        .get_by(|node| node.role() == Role::MultilineTextInput && node.value().as_deref() == Some(".status === 200"));
    assert!(condition.is_focused(), "and gives its condition the focus");

    // Fixed, it runs again: the outcome and the results are this run's.
    let document = harness.state_mut().document_mut();
    let node = document.node_of("ready").unwrap();
    document.snarl.get_node_mut(node).unwrap().block.kind = BlockKind::If(If { condition: ".status == 200".into() });
    harness.run_steps(2);
    run_to_the_end(&mut harness);
    assert!(label_starting(&harness, "run ok"), "the top bar says how this run ended");
    assert!(!shows(&harness, "earlier run"));
}

#[test]
fn without_a_keychain_a_run_says_not_run_and_its_line_selects_the_secret_reference() {
    let fixture = Fixture::with_flow("keychain.flow.json", &Flow::new("placeholder"));
    let server = fixture.runtime.block_on(TestServer::start());
    let mut flow = request_flow(&server.url("/echo"));
    flow.name = "Keychain".to_owned();
    switchyard_flow::save(&fixture.flow_path, &flow).unwrap();
    // A secret defined while a keychain was there.
    let config = fixture.dir.path().join("config");
    let earlier = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
    let mut store = Store::open(&config, earlier).unwrap();
    let token =
        Definition { name: "token".into(), kind: Kind::Secret, value: None, allowed_hosts: vec![], expires: None };
    store.set_in(Scope::Globals, token, "sk-unreachable").unwrap();

    let options = AppOptions {
        config_dir: Some(config),
        keychain: Some(Keychain::unavailable("no Secret Service on the session bus")),
        ..AppOptions::default()
    };
    let mut harness = fixture.app(options, 3);
    run_to_the_end(&mut harness);
    assert_eq!(harness.state().outcome(), Some(Outcome::Ok), "no secret used: the run needs no keychain");

    // Now the request uses the secret, which cannot be read.
    let document = harness.state_mut().document_mut();
    let node = document.node_of("fetch").unwrap();
    let BlockKind::SendRequest(request) = &mut document.snarl.get_node_mut(node).unwrap().block.kind else {
        panic!("fetch is a request")
    };
    request.headers = vec![("X-Token".to_owned(), "{{token}}".to_owned())];
    harness.run_steps(2);
    run(&mut harness);
    step_until(&mut harness, "the run to give up", |app| !app.is_running());
    assert_eq!(server.seen().len(), 1, "the second run sent nothing");
    assert!(label_starting(&harness, "not run: the OS keychain is not available"), "the top bar says why");
    assert!(!label_starting(&harness, "run ok"));
    canvas_label(&harness, "logged · earlier run", "show");

    apply(&mut harness, Action::Deselect);
    click_console_line(&mut harness, "not run: the OS keychain is not available");
    assert_eq!(harness.state().selected_block(), Some("fetch"), "the line selects the block using the secret");
    assert!(harness.get_by_label("Header 1 value").is_focused(), "and the field that names it");
}

#[test]
fn a_block_whose_expression_failed_says_so_on_the_canvas() {
    let mut flow = Flow::new("Each");
    flow.blocks.push(Block {
        id: "each".to_owned(),
        at: [300.0, 120.0],
        kind: BlockKind::ForEach(switchyard_flow::ForEach { items: ".".into(), concurrency: 1 }),
    });
    flow.wires.push(wire("start", Port::Out, "each"));
    let fixture = Fixture::with_flow("each.flow.json", &flow);
    let mut harness = fixture.app(AppOptions::default(), 3);
    run_to_the_end(&mut harness);
    assert_eq!(harness.state().outcome(), Some(Outcome::Failed));
    let label = canvas_label(&harness, "expression error", "each");
    harness.hover_at(label.center());
    harness.run_steps(3);
    assert!(shows(&harness, "items: "), "hovering says which field and why");
}

#[test]
fn names_set_upstream_are_defined_in_the_inspector() {
    let fixture = Fixture::with_flow("welcome.flow.json", &switchyard_gui::examples::WELCOME.flow());
    let mut harness = fixture.app(AppOptions::default(), 3);
    apply(&mut harness, Action::Select("hello".to_owned()));
    assert!(harness.query_by_label("URL").is_some(), "the inspector shows the request");
    assert!(
        harness.query_all_by_label_contains("is not defined").next().is_none(),
        "`name` and `token` are set by the flow's own Set blocks upstream"
    );

    // A name set only after the request is not defined when it runs.
    apply(&mut harness, Action::Select("echoed".to_owned()));
    let document = harness.state_mut().document_mut();
    let node = document.node_of("hello").unwrap();
    let BlockKind::SendRequest(request) = &mut document.snarl.get_node_mut(node).unwrap().block.kind else {
        panic!("hello is a request")
    };
    request.url.push_str("&later={{later}}");
    let echoed = document.node_of("echoed").unwrap();
    document.snarl.get_node_mut(echoed).unwrap().block.kind =
        BlockKind::Set(switchyard_flow::Set { name: "later".into(), value: ".".into(), secret: false });
    apply(&mut harness, Action::Select("hello".to_owned()));
    assert!(harness.query_by_label("⚠ {{later}} is not defined").is_some(), "set downstream: not defined");
}

#[test]
fn inside_a_for_each_branch_input_is_offered_as_the_item() {
    let mut flow = Flow::new("Branch");
    flow.blocks.push(Block {
        id: "each".to_owned(),
        at: [260.0, 120.0],
        kind: BlockKind::ForEach(switchyard_flow::ForEach { items: "[1, 2]".into(), concurrency: 1 }),
    });
    flow.blocks.push(Block {
        id: "inner".to_owned(),
        at: [560.0, 120.0],
        kind: BlockKind::SendRequest(SendRequest::new("http://127.0.0.1:9/")),
    });
    flow.wires.push(wire("start", Port::Out, "each"));
    flow.wires.push(wire("each", Port::Item, "inner"));
    let fixture = Fixture::with_flow("branch.flow.json", &flow);
    let mut harness = fixture.app(AppOptions::default(), 3);
    apply(&mut harness, Action::Select("inner".to_owned()));
    harness.get_by_label("URL").focus();
    harness.run_steps(2);
    press(&mut harness, Modifiers::COMMAND, Key::A);
    harness.get_by_label("URL").type_text("http://x/{{inp");
    harness.run_steps(2);
    assert!(harness.query_by_label("input the For Each item").is_some(), "`input` is the element here");
    assert!(harness.query_by_label_contains("the response body").is_none(), "not a response");
}
