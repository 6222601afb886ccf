//! Variable completion in the inspector, driven as a user drives the whole app
//! (egui_kittest): select a Send Request block on the canvas, type `{{` in its URL field,
//! pick a global from the popup. HTTP, when a test runs the flow, goes to a server on
//! 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../../engine/tests/server/mod.rs"]
mod server;

use common::{Fixture, step_until};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use server::TestServer;
use switchyard_engine::Outcome;
use switchyard_flow::{Block, BlockKind, Flow, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, SwitchyardApp};
use switchyard_vault::{Variable, Variables};

/// The id of the Send Request block, also its header label on the canvas.
const REQUEST: &str = "fetch";
/// How the popup labels the secret global: its name and the secret tag.
const AUTH_SUGGESTION: &str = "auth 🔒 secret";

/// A flow file: Start → `fetch` (a Send Request to `url`).
fn fixture(url: &str) -> Fixture {
    let mut flow = Flow::new("Completion");
    let mut request = SendRequest::new(url);
    request.timeout_ms = 30_000;
    flow.blocks.push(Block { id: REQUEST.to_owned(), at: [260.0, 120.0], kind: BlockKind::SendRequest(request) });
    flow.wires.push(Wire {
        from: PortRef::new("start", switchyard_flow::Port::Out),
        to: PortRef::new(REQUEST, switchyard_flow::Port::In),
    });
    Fixture::with_flow("completion.flow.json", &flow)
}

/// The app on the fixture's flow, with a plain `base_url` and a secret `auth` as globals.
fn harness<'a>(fixture: &Fixture) -> Harness<'a, SwitchyardApp> {
    let variables: Variables =
        [Variable::plain("base_url", "http://127.0.0.1:9"), Variable::secret("auth", "Bearer sk-completion")]
            .into_iter()
            .collect();
    fixture.app(AppOptions { variables, ..AppOptions::default() }, 3)
}

/// Selects the request block as a user does: a Shift+drag selection rectangle from the
/// empty canvas above the block into its header.
fn select_request(harness: &mut Harness<'_, SwitchyardApp>) {
    assert!(harness.query_by_label("URL").is_none(), "nothing is selected at first");
    // The canvas is a transformed layer: its widgets report rects in canvas coordinates.
    let on_canvas = harness.get_by_label(REQUEST).rect().center();
    let layers: Vec<egui::LayerId> = harness.ctx.memory(|memory| memory.layer_ids().collect());
    let to_screen = layers
        .into_iter()
        .find_map(|layer| harness.ctx.layer_transform_to_global(layer))
        .expect("the canvas layer has a transform");
    let header = to_screen * on_canvas;
    let (from, to) = (header - egui::vec2(20.0, 60.0), header);
    let shift = egui::Modifiers::SHIFT;
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: shift,
    };
    harness.event(egui::Event::ModifiersChanged(shift));
    harness.hover_at(from);
    harness.run_steps(1);
    harness.event(button(from, true));
    harness.run_steps(1);
    for step in 1..=4 {
        harness.hover_at(from + (to - from) * (step as f32 / 4.0));
        harness.run_steps(1);
    }
    harness.event(button(to, false));
    harness.run_steps(1);
    harness.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    harness.run_steps(3);
    assert!(harness.query_by_label("URL").is_some(), "the inspector shows the request");
}

/// Focuses the URL field (cursor at the end), selects its text and types `text` over it.
fn type_url(harness: &mut Harness<'_, SwitchyardApp>, text: &str) {
    harness.get_by_label("URL").focus();
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    harness.run_steps(2);
    harness.get_by_label("URL").type_text(text);
    harness.run_steps(2);
}

/// The request block's URL as the document holds it.
fn url(harness: &Harness<'_, SwitchyardApp>) -> String {
    let flow = harness.state().document().to_flow();
    match &flow.block(REQUEST).expect("the request block").kind {
        BlockKind::SendRequest(request) => request.url.clone(),
        other => panic!("expected a send_request block, found {other:?}"),
    }
}

#[test]
fn typing_braces_in_the_url_offers_the_secret_and_enter_fills_it_in() {
    let fixture = fixture("https://example.invalid/");
    let mut harness = harness(&fixture);
    select_request(&mut harness);

    type_url(&mut harness, "https://x/{{au");
    assert!(harness.query_by_label(AUTH_SUGGESTION).is_some(), "auth is offered, marked secret");
    assert!(harness.query_by_label_contains("base_url").is_none(), "base_url does not match `au`");

    harness.key_press(Key::Enter);
    harness.run_steps(2);
    assert_eq!(url(&harness), "https://x/{{auth}}");
    assert!(harness.query_by_label(AUTH_SUGGESTION).is_none(), "the popup closed");
    assert!(harness.get_by_label("URL").is_focused(), "Enter went to the popup, not to the field");
    assert!(harness.state().title().ends_with(" •"), "the edit marks the flow unsaved: {}", harness.state().title());

    harness.get_by_label("URL").type_text("/v1");
    harness.run_steps(2);
    assert_eq!(url(&harness), "https://x/{{auth}}/v1", "the cursor is after the }}");
}

#[test]
fn escape_closes_the_popup_without_stopping_the_run_or_changing_the_text() {
    let fixture = fixture("http://127.0.0.1:9/");
    let server = fixture.runtime.block_on(TestServer::start());
    let arrived = server.slow_arrived();
    let dropped = server.slow_dropped();
    let slow = server.url("/slow");
    let mut harness = harness(&fixture);
    select_request(&mut harness);
    type_url(&mut harness, &slow);

    harness.get_by_label("▶ Run").click();
    harness.step();
    fixture.runtime.block_on(arrived.notified());
    step_until(&mut harness, "the run to start", SwitchyardApp::is_running);

    harness.get_by_label("URL").focus();
    harness.run_steps(2);
    harness.get_by_label("URL").type_text("?k={{");
    harness.run_steps(2);
    assert!(harness.query_by_label(AUTH_SUGGESTION).is_some(), "`{{{{` opens the popup");
    assert!(harness.query_by_label("base_url variable").is_some(), "the plain global is offered too");

    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(harness.query_by_label(AUTH_SUGGESTION).is_none(), "Escape closed the popup");
    assert_eq!(url(&harness), format!("{slow}?k={{{{"), "the text is unchanged");
    assert!(harness.get_by_label("URL").is_focused(), "the field keeps the focus");
    assert!(harness.state().is_running(), "Escape went to the popup, not to Stop");

    // With the popup closed, Escape is the app's again: it leaves the field, then stops.
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    harness.key_press(Key::Escape);
    step_until(&mut harness, "the run to stop", |app| !app.is_running());
    fixture.runtime.block_on(dropped.notified());
    assert_eq!(harness.state().outcome(), Some(Outcome::Cancelled));
}
