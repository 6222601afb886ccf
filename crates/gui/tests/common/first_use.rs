//! What the kittest files on a first-time user's way share: the small flows they open
//! (a request wired to a Log, a handled failure, a run that hangs), and the steps they
//! take (select, click, right-click, retype a field, start with eframe's storage).

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use serde_json::json;
use switchyard_flow::{Block, BlockKind, Body, Flow, LogBlock, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, SwitchyardApp};

use super::{Fixture, MemoryStorage, flow, press};

/// Start → fetch (a Send Request with a JSON body) → show (a Log).
pub fn fixture() -> Fixture {
    let mut flow = Flow::new("First use");
    let mut request = SendRequest::new("http://127.0.0.1:9/items");
    request.method = "POST".to_owned();
    request.body = Some(Body::Json(json!({"a": 1})));
    flow.blocks.push(Block { id: "fetch".to_owned(), at: [300.0, 120.0], kind: BlockKind::SendRequest(request) });
    flow.blocks.push(Block { id: "show".to_owned(), at: [680.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.wires.push(Wire {
        from: PortRef::new("start", switchyard_flow::Port::Out),
        to: PortRef::new("fetch", switchyard_flow::Port::In),
    });
    flow.wires.push(Wire {
        from: PortRef::new("fetch", switchyard_flow::Port::Success),
        to: PortRef::new("show", switchyard_flow::Port::In),
    });
    Fixture::with_flow("first.flow.json", &flow)
}

pub fn select(harness: &mut Harness<'_, SwitchyardApp>, id: &str) {
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(switchyard_gui::Action::Select(id.to_owned()), &ctx);
    harness.run_steps(2);
}

pub fn unsaved(harness: &Harness<'_, SwitchyardApp>) -> bool {
    harness.state().title().ends_with(" •")
}

pub fn right_click(harness: &mut Harness<'_, SwitchyardApp>, pos: egui::Pos2) {
    harness.hover_at(pos);
    harness.step();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    harness.run_steps(2);
}

pub fn click(harness: &mut Harness<'_, SwitchyardApp>, pos: egui::Pos2) {
    harness.hover_at(pos);
    harness.step();
    harness.drag_at(pos);
    harness.step();
    harness.drop_at(pos);
    harness.run_steps(2);
}

/// Start → fetch, a request to a closed port whose Failure goes to a Log block.
pub fn failing_fixture() -> Fixture {
    let mut flow = Flow::new("Handled");
    flow.blocks.push(Block {
        id: "fetch".to_owned(),
        at: [300.0, 120.0],
        kind: BlockKind::SendRequest(SendRequest::new("http://127.0.0.1:9/closed")),
    });
    flow.blocks.push(Block { id: "oops".to_owned(), at: [680.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.wires.push(Wire {
        from: PortRef::new("start", switchyard_flow::Port::Out),
        to: PortRef::new("fetch", switchyard_flow::Port::In),
    });
    flow.wires.push(Wire {
        from: PortRef::new("fetch", switchyard_flow::Port::Failure),
        to: PortRef::new("oops", switchyard_flow::Port::In),
    });
    Fixture::with_flow("handled.flow.json", &flow)
}

pub fn app_with_storage<'a>(fixture: &Fixture, storage: &MemoryStorage) -> Harness<'a, SwitchyardApp> {
    let handle = fixture.runtime.handle().clone();
    let options = AppOptions { flow: Some(fixture.flow_path.clone()), ..AppOptions::default() };
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, options, Some(storage)));
    harness.run_steps(3);
    harness
}

/// Start → wait, a request to a local port that takes the connection and never answers:
/// the run stays on until it is stopped. The listener is returned to keep it open.
pub fn hanging_fixture() -> (Fixture, std::net::TcpListener) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut flow = Flow::new("Hanging");
    flow.blocks.push(Block {
        id: "wait".to_owned(),
        at: [300.0, 120.0],
        kind: BlockKind::SendRequest(SendRequest::new(format!("http://127.0.0.1:{port}/never"))),
    });
    flow.wires.push(Wire {
        from: PortRef::new("start", switchyard_flow::Port::Out),
        to: PortRef::new("wait", switchyard_flow::Port::In),
    });
    (Fixture::with_flow("hanging.flow.json", &flow), listener)
}

/// A point on the empty canvas, clear of every block.
pub fn empty_canvas_point(harness: &Harness<'_, SwitchyardApp>) -> egui::Pos2 {
    let point = egui::pos2(640.0, 520.0);
    for id in flow(harness).blocks.iter().map(|b| b.id.clone()).chain(["start".to_owned()]) {
        if let Some(rect) = harness.state().block_rect(&id) {
            assert!(!rect.expand(20.0).contains(point), "{id} is at {rect:?}");
        }
    }
    point
}

/// Types `text` over what the field labelled `label` holds.
pub fn retype(harness: &mut Harness<'_, SwitchyardApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    press(harness, Modifiers::COMMAND, Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(2);
}

/// The app as a first launch starts it: no flow given, `storage` (empty the first time).
pub fn first_launch<'a>(fixture: &Fixture, storage: &MemoryStorage) -> Harness<'a, SwitchyardApp> {
    let handle = fixture.runtime.handle().clone();
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, AppOptions::default(), Some(storage)));
    harness.run_steps(3);
    harness
}
