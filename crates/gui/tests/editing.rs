//! Editing as a user does it (egui_kittest): drag a block, wire two ports with the
//! pointer, type in the inspector, and undo and redo each; copy, paste and duplicate
//! blocks with their wires; Help → Keyboard shortcuts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Flow, LogBlock, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, SwitchyardApp};

mod common;
use common::{Fixture, canvas_label, drag, flow, press};

/// Start → fetch (a Send Request), and a Log block `show` not wired yet.
fn fixture() -> Fixture {
    let mut flow = Flow::new("Editing");
    flow.blocks.push(Block {
        id: "fetch".to_owned(),
        at: [300.0, 120.0],
        kind: BlockKind::SendRequest(SendRequest::new("http://127.0.0.1:9/items")),
    });
    flow.blocks.push(Block { id: "show".to_owned(), at: [680.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.wires.push(Wire {
        from: PortRef::new("start", switchyard_flow::Port::Out),
        to: PortRef::new("fetch", switchyard_flow::Port::In),
    });
    Fixture::with_flow("edit.flow.json", &flow)
}

fn harness<'a>(fixture: &Fixture) -> Harness<'a, SwitchyardApp> {
    fixture.app(AppOptions::default(), 3)
}

fn at(harness: &Harness<'_, SwitchyardApp>, id: &str) -> [f32; 2] {
    flow(harness).block(id).unwrap().at
}

fn click_at(harness: &mut Harness<'_, SwitchyardApp>, pos: Pos2) {
    harness.hover_at(pos);
    harness.run_steps(1);
    harness.drag_at(pos);
    harness.run_steps(1);
    harness.drop_at(pos);
    harness.run_steps(2);
}

#[test]
fn a_block_dragged_on_the_canvas_moves_back_and_forth_with_undo_and_redo() {
    let fixture = fixture();
    let mut harness = harness(&fixture);
    let before = at(&harness, "fetch");
    let header = canvas_label(&harness, "fetch", "fetch");

    drag(&mut harness, header.center(), header.center() + Vec2::new(150.0, 90.0));
    let moved = at(&harness, "fetch");
    assert!(moved[0] - before[0] > 60.0 && moved[1] - before[1] > 30.0, "{before:?} → {moved:?}");
    assert!(harness.state().title().ends_with(" •"), "a move is an unsaved change");

    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(at(&harness, "fetch"), before);
    assert!(!harness.state().title().ends_with(" •"), "undone back to the saved flow");

    press(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(at(&harness, "fetch"), moved);
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    press(&mut harness, Modifiers::COMMAND, Key::Y);
    assert_eq!(at(&harness, "fetch"), moved, "Ctrl+Y redoes too");
}

#[test]
fn a_wire_drawn_with_the_pointer_is_undone_and_redone() {
    let fixture = fixture();
    let mut harness = harness(&fixture);
    let wire = Wire {
        from: PortRef::new("fetch", switchyard_flow::Port::Success),
        to: PortRef::new("show", switchyard_flow::Port::In),
    };
    assert!(!flow(&harness).wires.contains(&wire));

    // The Success port sits right of its label, the `in` port left of its label (each
    // 3 points and the circle's radius from it, at the scale the flow opens at: the
    // pin's room is reserved in output rows, not only in input rows).
    let success = canvas_label(&harness, "Success", "fetch");
    let input = canvas_label(&harness, "in", "show");
    let from = Pos2::new(success.right() + 7.0, success.center().y);
    let to = Pos2::new(input.left() - 15.0, input.center().y);
    drag(&mut harness, from, to);
    let wires = flow(&harness).wires;
    assert!(wires.contains(&wire), "dragging Success onto `in` wires them: {wires:?}");
    assert_eq!(wires.len(), 2);

    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(!flow(&harness).wires.contains(&wire), "undo removes the wire");
    assert_eq!(flow(&harness).wires.len(), 1);
    press(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert!(flow(&harness).wires.contains(&wire), "redo puts it back");
}

#[test]
fn typing_in_the_inspector_is_one_undo_step() {
    let fixture = fixture();
    let mut harness = harness(&fixture);
    // A click on the block shows it in the inspector.
    let body = canvas_label(&harness, "GET", "fetch");
    click_at(&mut harness, body.center());
    assert_eq!(harness.state().selected_block(), Some("fetch"));

    let inspector_x = 1280.0 - 340.0;
    let url = harness
        .query_all_by_value("http://127.0.0.1:9/items")
        .find(|node| node.rect().center().x > inspector_x)
        .expect("the URL field in the inspector");
    url.focus();
    harness.run_steps(1);
    harness.key_press(Key::End);
    harness.run_steps(1);
    harness
        .query_all_by_value("http://127.0.0.1:9/items")
        .find(|n| n.rect().center().x > inspector_x)
        .unwrap()
        .type_text("/42");
    harness.run_steps(2);
    let url_of = |harness: &Harness<'_, SwitchyardApp>| match &flow(harness).block("fetch").unwrap().kind {
        BlockKind::SendRequest(request) => request.url.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(url_of(&harness), "http://127.0.0.1:9/items/42");

    // Leave the field (Ctrl+Z inside it is the text's own undo), then undo the edit.
    harness.key_press(Key::Escape);
    harness.run_steps(1);
    let canvas_spot = harness.state().block_rect("fetch").unwrap().right_bottom() + Vec2::new(30.0, 60.0);
    click_at(&mut harness, canvas_spot);
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(url_of(&harness), "http://127.0.0.1:9/items", "the whole typed text is one step");
    // The click on the empty canvas selected nothing: select the block again.
    assert_eq!(harness.state().selected_block(), None);
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(switchyard_gui::Action::Select("fetch".to_owned()), &ctx);
    harness.run_steps(2);
    assert!(
        harness.query_all_by_value("http://127.0.0.1:9/items").any(|n| n.rect().center().x > inspector_x),
        "the inspector shows the undone value"
    );
    press(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(url_of(&harness), "http://127.0.0.1:9/items/42");
}

#[test]
fn copied_blocks_paste_with_their_wires_and_duplicate_makes_a_copy() {
    let fixture = fixture();
    let mut harness = harness(&fixture);
    // Copy fetch and show (through the clipboard text, as another window would paste it).
    let document = harness.state().document();
    let nodes = [document.node_of("fetch").unwrap(), document.node_of("show").unwrap()];
    let mut pair = document.fragment(&nodes);
    pair.wires.push(Wire {
        from: PortRef::new("fetch", switchyard_flow::Port::Success),
        to: PortRef::new("show", switchyard_flow::Port::In),
    });
    harness.event(egui::Event::Paste(pair.to_json()));
    harness.run_steps(2);
    let pasted = flow(&harness);
    let ids: Vec<&str> = pasted.blocks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["start", "fetch", "show", "fetch-2", "show-2"]);
    assert!(pasted.wires.contains(&Wire {
        from: PortRef::new("fetch-2", switchyard_flow::Port::Success),
        to: PortRef::new("show-2", switchyard_flow::Port::In)
    }));
    assert_eq!(pasted.block("fetch-2").unwrap().at, [340.0, 160.0], "pasted beside the originals");
    assert_eq!(harness.state().selected_block(), Some("show-2"));

    // Ctrl+D duplicates the block in the inspector; Ctrl+C then Ctrl+V copies it again.
    press(&mut harness, Modifiers::COMMAND, Key::D);
    assert!(flow(&harness).block("show-3").is_some());
    press(&mut harness, Modifiers::COMMAND, Key::C);
    press(&mut harness, Modifiers::COMMAND, Key::V);
    assert!(flow(&harness).block("show-4").is_some());

    // Delete removes the block in the inspector; each change is one undo step.
    press(&mut harness, Modifiers::NONE, Key::Delete);
    assert!(flow(&harness).block("show-4").is_none(), "Delete removes the selected block");
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(flow(&harness).block("show-4").is_some(), "undo brings it back");
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(flow(&harness).block("show-4").is_none(), "undo takes the paste back");
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(flow(&harness).block("show-3").is_none(), "undo takes the duplicate back");
    assert!(flow(&harness).block("show-2").is_some());

    // Text that is not a flow is not pasted onto the canvas.
    let count = flow(&harness).blocks.len();
    harness.event(egui::Event::Paste("just some words".to_owned()));
    harness.run_steps(2);
    assert_eq!(flow(&harness).blocks.len(), count);
}

/// With the pointer over the canvas, pasted blocks land there: their top-left block's
/// corner at the pointer, in graph coordinates, whatever the zoom.
#[test]
fn pasted_blocks_land_at_the_pointer_over_the_canvas() {
    let fixture = fixture();
    let mut harness = harness(&fixture);
    let document = harness.state().document();
    let nodes = [document.node_of("fetch").unwrap(), document.node_of("show").unwrap()];
    let pair = document.fragment(&nodes);
    let corner = pair.blocks.iter().map(|b| egui::vec2(b.at[0], b.at[1])).reduce(|a, b| a.min(b)).unwrap();
    let fetch_at = pair.block("fetch").unwrap().at;
    let pointer = Pos2::new(520.0, 330.0);
    harness.event(egui::Event::PointerMoved(pointer));
    harness.run_steps(2);
    harness.event(egui::Event::Paste(pair.to_json()));
    harness.run_steps(2);
    let landed = harness.state().canvas_transform().inverse() * pointer;
    let pasted = flow(&harness);
    let at = pasted.block("fetch-2").unwrap().at;
    let expected = [landed.x + fetch_at[0] - corner.x, landed.y + fetch_at[1] - corner.y];
    assert!((at[0] - expected[0]).abs() < 0.5 && (at[1] - expected[1]).abs() < 0.5, "{at:?} vs {expected:?}");
    assert_ne!(at, [fetch_at[0] + 40.0, fetch_at[1] + 40.0], "not beside the original");
}

#[test]
fn help_lists_the_keyboard_shortcuts() {
    let fixture = fixture();
    let mut harness = harness(&fixture);
    harness.get_by_label("Help").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Keyboard shortcuts").click();
    harness.run_steps(2);
    for label in ["Undo", "Redo", "Save As…", "Run", "Stop", "Duplicate", "Global variables…"] {
        assert!(harness.query_by_label(label).is_some(), "{label} is listed");
    }
    let save_as =
        harness.ctx.format_shortcut(&egui::KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::S));
    assert!(harness.query_by_label(&save_as).is_some(), "{save_as} is shown");

    // F1 opens the same list.
    let mut harness = self::harness(&fixture);
    assert!(harness.query_by_label("Save As…").is_none());
    press(&mut harness, Modifiers::NONE, Key::F1);
    assert!(harness.query_by_label("Save As…").is_some());
}
