//! The inspector's suggestion on a secret `set` block fed straight by a request's
//! success port (egui_kittest): "Make it a capture" moves the value into the request's
//! captures, removes the block and rewires what it fed, in one undo step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{Fixture, flow, shows};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Capture, Expression, Flow, LogBlock, Port, PortRef, SendRequest, Set, Wire};
use switchyard_gui::{Action, AppOptions, SwitchyardApp};

const NOTE: &str = "This value was already visible in the response: capture it at the source instead";

fn wire(from: &str, out: Port, to: &str) -> Wire {
    Wire { from: PortRef::new(from, out), to: PortRef::new(to, Port::In) }
}

fn block(id: &str, x: f32, kind: BlockKind) -> Block {
    Block { id: id.to_owned(), at: [x, 120.0], kind }
}

/// Start → `login` → (success) `keep` (a secret Set of `.body.token`) → `me` (a request
/// using `{{token}}`) and `show` (a Log).
fn secret_set_flow() -> Flow {
    let mut flow = Flow::new("Capture");
    flow.blocks.push(block("login", 260.0, BlockKind::SendRequest(SendRequest::new("http://127.0.0.1:9/login"))));
    let set = Set { name: "token".into(), value: ".body.token".into(), secret: true };
    flow.blocks.push(block("keep", 560.0, BlockKind::Set(set)));
    flow.blocks.push(block("me", 860.0, BlockKind::SendRequest(SendRequest::new("http://127.0.0.1:9/me?t={{token}}"))));
    flow.blocks.push(block("show", 860.0, BlockKind::Log(LogBlock::default())));
    flow.wires.push(wire("start", Port::Out, "login"));
    flow.wires.push(wire("login", Port::Success, "keep"));
    flow.wires.push(wire("keep", Port::Out, "me"));
    flow.wires.push(wire("keep", Port::Out, "show"));
    flow
}

fn apply(harness: &mut Harness<'_, SwitchyardApp>, action: Action) {
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(action, &ctx);
    harness.run_steps(2);
}

fn sorted_wires(flow: &Flow) -> Vec<(String, String)> {
    let mut wires: Vec<_> = flow.wires.iter().map(|w| (w.from.to_string(), w.to.to_string())).collect();
    wires.sort();
    wires
}

#[test]
fn make_it_a_capture_moves_the_secret_into_the_request_in_one_undo_step() {
    let fixture = Fixture::with_flow("capture.flow.json", &secret_set_flow());
    let mut harness = fixture.app(AppOptions::default(), 3);
    let before = flow(&harness);

    apply(&mut harness, Action::Select("show".to_owned()));
    assert!(!shows(&harness, NOTE), "only on the set block");
    apply(&mut harness, Action::Select("keep".to_owned()));
    assert!(shows(&harness, NOTE));
    harness.get_by_label("Make it a capture").click();
    harness.run_steps(3);

    let after = flow(&harness);
    assert!(after.blocks.iter().all(|block| block.id != "keep"), "the set block is gone");
    let login = after.blocks.iter().find(|block| block.id == "login").unwrap();
    let BlockKind::SendRequest(login) = &login.kind else { panic!("login is a request") };
    assert_eq!(
        login.captures,
        [Capture { name: "token".into(), expression: Expression::from(".body.token"), secret: true }]
    );
    assert_eq!(
        sorted_wires(&after),
        [
            ("login.success".to_owned(), "me.in".to_owned()),
            ("login.success".to_owned(), "show.in".to_owned()),
            ("start.out".to_owned(), "login.in".to_owned()),
        ]
    );
    assert!(harness.query_by_label("Capture 1 name").is_some(), "the request is shown with its capture");

    // `{{token}}` in the next request is still defined: the capture sets it.
    apply(&mut harness, Action::Select("me".to_owned()));
    assert!(harness.query_all_by_label_contains("is not defined").next().is_none());

    apply(&mut harness, Action::Undo);
    let undone = flow(&harness);
    assert_eq!(sorted_wires(&undone), sorted_wires(&before), "one undo step brings the block and its wires back");
    assert_eq!(
        undone.blocks.iter().map(|b| (&b.id, &b.kind)).collect::<Vec<_>>(),
        before.blocks.iter().map(|b| (&b.id, &b.kind)).collect::<Vec<_>>()
    );
}
