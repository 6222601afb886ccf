//! Drawing wires as a user does it (egui_kittest): while a wire is
//! dragged the ports it may connect to are ringed in the accent colour; dropped on the
//! empty canvas it offers the blocks that fit and adds the chosen one there, wired (one
//! undo step); dropped on a port it cannot connect to it says why. After a run, the dot
//! on each wire that carried a value stays on its wire when a block is collapsed, when
//! the canvas is zoomed out to its low level of detail, and on a self-wire's loop.
//!
//! What is checked is what was painted: the shapes of the last frame (in screen
//! points), not the app's own idea of where things are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::accesskit::Role;
use egui::epaint::Shape;
use egui::{Color32, Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Expression, Flow, ForEach, LogBlock, Port, PortRef, SendRequest, Wire};
use switchyard_gui::{Action, AppOptions, SwitchyardApp};

mod common;
use common::{Fixture, canvas_label, flow, press, shows, start_drag, step_until};

/// The accent the ports a dragged wire may end at are ringed with (the selection blue).
const ACCENT: Color32 = Color32::from_rgb(0x5a, 0x9c, 0xf8);

/// Start → fetch (a Send Request), and a Log block `show` not wired yet.
fn fixture() -> Fixture {
    let mut flow = Flow::new("Wiring");
    flow.blocks.push(Block {
        id: "fetch".to_owned(),
        at: [300.0, 120.0],
        kind: BlockKind::SendRequest(SendRequest::new("http://127.0.0.1:9/items")),
    });
    flow.blocks.push(Block { id: "show".to_owned(), at: [680.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.wires.push(Wire { from: PortRef::new("start", Port::Out), to: PortRef::new("fetch", Port::In) });
    Fixture::with_flow("wiring.flow.json", &flow)
}

/// Where a port's circle is on screen: right of an output's label, left of an input's
/// (as `editing.rs` aims at them).
fn port(harness: &Harness<'_, SwitchyardApp>, block: &str, label: &str) -> Pos2 {
    let rect = canvas_label(harness, label, block);
    if label == "in" {
        Pos2::new(rect.left() - 15.0, rect.center().y)
    } else {
        Pos2::new(rect.right() + 7.0, rect.center().y)
    }
}

/// Every shape the last frame painted, nested ones flattened.
fn painted(harness: &Harness<'_, SwitchyardApp>) -> Vec<Shape> {
    fn flatten(shape: &Shape, out: &mut Vec<Shape>) {
        match shape {
            Shape::Vec(shapes) => shapes.iter().for_each(|shape| flatten(shape, out)),
            other => out.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        flatten(&clipped.shape, &mut out);
    }
    out
}

/// The centres of the accent rings painted this frame.
fn rings(harness: &Harness<'_, SwitchyardApp>) -> Vec<Pos2> {
    painted(harness)
        .iter()
        .filter_map(|shape| match shape {
            Shape::Circle(circle) if circle.stroke.color == ACCENT && circle.fill == Color32::TRANSPARENT => {
                Some(circle.center)
            }
            _ => None,
        })
        .collect()
}

/// Whether a ring was painted around the port at `port` (within a few points).
fn ringed(rings: &[Pos2], port: Pos2) -> bool {
    rings.iter().any(|ring| ring.distance(port) < 6.0)
}

/// Clicks the button `label` of the menu that opened at `at` (the console has a `Log`
/// button of its own).
fn click_menu_button(harness: &mut Harness<'_, SwitchyardApp>, label: &str, at: Pos2) {
    let button = harness
        .query_all_by_role_and_label(Role::Button, label)
        .min_by(|a, b| a.rect().center().distance(at).total_cmp(&b.rect().center().distance(at)))
        .unwrap_or_else(|| panic!("no `{label}` button"));
    assert!(button.rect().center().distance(at) < 300.0, "`{label}` is in the menu at {at:?}");
    button.click();
    harness.run_steps(3);
}

/// Releases the button at `at`.
fn release(harness: &mut Harness<'_, SwitchyardApp>, at: Pos2) {
    harness.drop_at(at);
    harness.run_steps(3);
}

#[test]
fn a_dragged_wire_rings_the_ports_it_may_connect_to() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let (fetch_in, show_in) = (port(&harness, "fetch", "in"), port(&harness, "show", "in"));
    let (success, failure, show_out) =
        (port(&harness, "fetch", "Success"), port(&harness, "fetch", "Failure"), port(&harness, "show", "out"));
    assert!(rings(&harness).is_empty(), "nothing is ringed before a drag");

    // From fetch's Success: every input, its own block's included (a self-wire is a
    // legal loop), and no output.
    let empty = Pos2::new(600.0, 420.0);
    start_drag(&mut harness, success, empty);
    let shown = rings(&harness);
    assert!(ringed(&shown, show_in), "show.in may take the wire: {shown:?}");
    assert!(ringed(&shown, fetch_in), "so may fetch's own input: {shown:?}");
    for output in [failure, show_out] {
        assert!(!ringed(&shown, output), "an output is not ringed: {output:?} in {shown:?}");
    }
    release(&mut harness, show_in);
    assert!(flow(&harness).wires.iter().any(|w| w.from == PortRef::new("fetch", Port::Success)));
    assert!(rings(&harness).is_empty(), "the rings go with the drag");

    // From Start's out, already wired to fetch.in: that one is not ringed (the flow
    // format refuses a wire twice), show.in is.
    let start_out = port(&harness, "start", "out");
    start_drag(&mut harness, start_out, empty);
    let shown = rings(&harness);
    assert!(ringed(&shown, show_in), "{shown:?}");
    assert!(!ringed(&shown, fetch_in), "already wired from start.out: {shown:?}");

    // From an input: the outputs are ringed, not the inputs.
    release(&mut harness, start_out);
    start_drag(&mut harness, show_in, empty);
    let shown = rings(&harness);
    assert!(ringed(&shown, failure) && ringed(&shown, show_out), "{shown:?}");
    assert!(!ringed(&shown, success), "fetch.success is wired to show.in already: {shown:?}");
    assert!(!ringed(&shown, fetch_in), "{shown:?}");
    release(&mut harness, show_in);
}

#[test]
fn a_wire_dropped_on_the_empty_canvas_adds_the_chosen_block_there_wired_in_one_undo_step() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let before = flow(&harness);
    let success = port(&harness, "fetch", "Success");
    let drop = success + Vec2::new(120.0, 220.0);
    start_drag(&mut harness, success, drop);
    release(&mut harness, drop);

    assert!(shows(&harness, "Add a block wired to fetch.success"), "the menu opens where the wire was dropped");
    assert!(harness.query_by_role_and_label(Role::Button, "Start").is_none(), "Start has no input");
    click_menu_button(&mut harness, "Log", drop);

    let after = flow(&harness);
    assert_eq!(after.blocks.len(), before.blocks.len() + 1);
    let log = after.blocks.iter().find(|b| !before.blocks.iter().any(|o| o.id == b.id)).unwrap();
    assert!(matches!(log.kind, BlockKind::Log(_)), "{:?}", log.kind);
    let wire = Wire { from: PortRef::new("fetch", Port::Success), to: PortRef::new(log.id.as_str(), Port::In) };
    assert!(after.wires.contains(&wire), "wired from where the wire was dragged: {:?}", after.wires);
    // The new block's input port is where the wire was dropped.
    let landed = port(&harness, &log.id, "in");
    assert!(landed.distance(drop) < 30.0, "its input at {landed:?}, dropped at {drop:?}");
    assert_eq!(harness.state().selected_block(), Some(log.id.as_str()));
    assert!(!shows(&harness, "Add a block wired to"), "the menu closed");

    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(flow(&harness).blocks, before.blocks, "one undo removes the block…");
    assert_eq!(flow(&harness).wires, before.wires, "…and its wire");

    // From an input: the new block's output is wired to it.
    let show_in = port(&harness, "show", "in");
    let drop = show_in + Vec2::new(-160.0, 220.0);
    start_drag(&mut harness, show_in, drop);
    release(&mut harness, drop);
    assert!(shows(&harness, "Add a block wired to show.in"));
    assert!(harness.query_by_role_and_label(Role::Button, "Start").is_none(), "the flow has its Start block");
    click_menu_button(&mut harness, "Evaluate", drop);
    let wires = flow(&harness).wires;
    assert!(
        wires.contains(&Wire { from: PortRef::new("evaluate", Port::Out), to: PortRef::new("show", Port::In) }),
        "{wires:?}"
    );
}

#[test]
fn a_wire_dropped_on_a_port_it_cannot_connect_to_says_why() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let before = flow(&harness);

    // An output on an output.
    let (success, show_out) = (port(&harness, "fetch", "Success"), port(&harness, "show", "out"));
    start_drag(&mut harness, success, show_out);
    release(&mut harness, show_out);
    assert!(shows(&harness, "cannot wire `fetch.success` to `show.out`: both are outputs"), "the status bar says why");
    assert_eq!(flow(&harness), before, "nothing changed");

    // A wire that exists already.
    let (start_out, fetch_in) = (port(&harness, "start", "out"), port(&harness, "fetch", "in"));
    start_drag(&mut harness, start_out, fetch_in);
    release(&mut harness, fetch_in);
    assert!(shows(&harness, "`start.out` is already wired to `fetch.in`"));
    assert_eq!(flow(&harness), before);

    // An input on an input.
    let show_in = port(&harness, "show", "in");
    start_drag(&mut harness, show_in, fetch_in);
    release(&mut harness, fetch_in);
    assert!(shows(&harness, "cannot wire `show.in` to `fetch.in`: both are inputs"));
    assert_eq!(flow(&harness), before);
}

/// Start → first → second (Log blocks), and Start → each, a For Each wired to itself
/// whose second round has no items: each of the four wires carries a value once.
fn run_fixture() -> Fixture {
    let mut flow = Flow::new("Dots");
    let log = |id: &str, at| Block { id: id.to_owned(), at, kind: BlockKind::Log(LogBlock::default()) };
    flow.blocks.push(log("first", [280.0, 60.0]));
    flow.blocks.push(log("second", [600.0, 60.0]));
    let items = Expression::from("if . == null then [1] else [] end");
    flow.blocks.push(Block {
        id: "each".to_owned(),
        at: [300.0, 300.0],
        kind: BlockKind::ForEach(ForEach { items, concurrency: 1 }),
    });
    let wire = |from: &str, out, to: &str| Wire { from: PortRef::new(from, out), to: PortRef::new(to, Port::In) };
    flow.wires = vec![
        wire("start", Port::Out, "first"),
        wire("first", Port::Out, "second"),
        wire("start", Port::Out, "each"),
        wire("each", Port::Item, "each"),
    ];
    Fixture::with_flow("dots.flow.json", &flow)
}

/// The painted polylines (wires; the collapse icons' triangles are closed and short).
fn polylines(harness: &Harness<'_, SwitchyardApp>) -> Vec<Vec<Pos2>> {
    painted(harness)
        .into_iter()
        .filter_map(|shape| match shape {
            Shape::Path(path) if !path.closed && path.points.len() >= 2 => Some(path.points),
            Shape::LineSegment { points, .. } => Some(points.to_vec()),
            _ => None,
        })
        .collect()
}

fn distance_to(line: &[Pos2], pos: Pos2) -> f32 {
    line.windows(2)
        .map(|segment| {
            let (a, b) = (segment[0], segment[1]);
            let ab = b - a;
            let t = if ab.length_sq() > 0.0 { ((pos - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0) } else { 0.0 };
            (a + ab * t).distance(pos)
        })
        .fold(f32::INFINITY, f32::min)
}

/// The centres of the carried-value dots, each with the painted wire it sits on (it
/// must sit on one, within 2 points).
fn dots_on_wires(harness: &Harness<'_, SwitchyardApp>) -> Vec<(Pos2, Vec<Pos2>)> {
    let lines = polylines(harness);
    harness
        .query_all_by_label("value carried")
        .map(|node| {
            let dot = node.rect().center();
            let line = lines
                .iter()
                .min_by(|a, b| distance_to(a, dot).total_cmp(&distance_to(b, dot)))
                .unwrap_or_else(|| panic!("no wire painted near the dot at {dot:?}"));
            assert!(distance_to(line, dot) <= 1.5, "the dot at {dot:?} is off its wire by {}", distance_to(line, dot));
            (dot, line.clone())
        })
        .collect()
}

/// Whether `line` starts or ends near `pos` (within `near` points).
fn ends_at(line: &[Pos2], pos: Pos2, near: f32) -> bool {
    [line.first(), line.last()].into_iter().flatten().any(|end| end.distance(pos) < near)
}

#[test]
fn the_carried_value_dot_stays_on_its_wire_on_a_loop_a_collapsed_block_and_zoomed_out() {
    let fixture = run_fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());
    harness.run_steps(2);

    let dots = dots_on_wires(&harness);
    assert_eq!(dots.len(), 4, "each wire carried a value");
    // Each dot is on its own wire: the painted line between that wire's ports.
    let ports = |from: (&str, &str), to: &str| (port(&harness, from.0, from.1), port(&harness, to, "in"));
    for (from, to) in [
        ports(("start", "out"), "first"),
        ports(("first", "out"), "second"),
        ports(("start", "out"), "each"),
        ports(("each", "Item"), "each"),
    ] {
        let on_it = dots.iter().filter(|(_, line)| ends_at(line, from, 8.0) && ends_at(line, to, 8.0)).count();
        assert_eq!(on_it, 1, "one dot on the wire {from:?} → {to:?}: {dots:?}");
    }
    // The self-wire's dot is on its loop, under the block (not inside it).
    let each = harness.state().block_rect("each").unwrap();
    assert!(
        dots.iter().any(|(dot, _)| dot.y > each.bottom() && each.x_range().contains(dot.x)),
        "a dot under `each`, on its loop: {dots:?} ({each:?})"
    );

    // Collapse `first` with its header's button: its ports move up onto the header.
    let header = canvas_label(&harness, "first", "first");
    let first_block = harness.state().block_rect("first").unwrap();
    let toggle = Pos2::new(first_block.left() + 8.0, header.center().y);
    harness.hover_at(toggle);
    harness.step();
    harness.drag_at(toggle);
    harness.step();
    harness.drop_at(toggle);
    harness.run_steps(20);
    let document = harness.state().document();
    let node = document.node_of("first").unwrap();
    assert!(!document.snarl.get_node_info(node).unwrap().open, "`first` is collapsed");

    let dots = dots_on_wires(&harness);
    assert_eq!(dots.len(), 4);
    // The wires to and from `first` now end at its header, and their dots sit on them.
    let header = canvas_label(&harness, "first", "first");
    let on_header = |line: &Vec<Pos2>| {
        [line.first(), line.last()].into_iter().flatten().any(|end| (end.y - header.center().y).abs() < 10.0)
    };
    let start_out = port(&harness, "start", "out");
    let to_first = dots.iter().filter(|(_, line)| ends_at(line, start_out, 8.0) && on_header(line)).count();
    assert_eq!(to_first, 1, "start → first ends on first's header: {dots:?}");
    let second_in = port(&harness, "second", "in");
    let from_first = dots.iter().filter(|(_, line)| ends_at(line, second_in, 8.0) && on_header(line)).count();
    assert_eq!(from_first, 1, "first → second starts on first's header: {dots:?}");

    // Zoomed out to the low level of detail (no text, blocks as rects): every dot is
    // still drawn, on its wire.
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(Action::Zoom(0.3), &ctx);
    harness.run_steps(6);
    assert!(harness.state().canvas_transform().scaling < 0.4, "zoomed out past the level of detail");
    assert_eq!(dots_on_wires(&harness).len(), 4, "the dots follow their wires zoomed out");
}

/// Ctrl+drag from a wired port lifts its wires: dropped on another port they move there,
/// dropped on nothing they are gone, and the flow (what is saved) says the same as the
/// canvas each time.
#[test]
fn wires_picked_up_with_ctrl_move_or_go_in_the_flow_too() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let (fetch_in, show_in) = (port(&harness, "fetch", "in"), port(&harness, "show", "in"));
    let wire = |from: &str, to: &str| Wire { from: PortRef::new(from, Port::Out), to: PortRef::new(to, Port::In) };

    harness.event(egui::Event::ModifiersChanged(Modifiers::COMMAND));
    start_drag(&mut harness, fetch_in, show_in);
    release(&mut harness, show_in);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    harness.run_steps(3);
    assert_eq!(flow(&harness).wires, [wire("start", "show")], "the wire moved from fetch.in to show.in");

    harness.event(egui::Event::ModifiersChanged(Modifiers::COMMAND));
    let empty = show_in + Vec2::new(0.0, 260.0);
    start_drag(&mut harness, show_in, empty);
    release(&mut harness, empty);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    harness.run_steps(3);
    // Dropped on the canvas, the lifted wire offers the blocks that fit; Esc declines.
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    assert_eq!(flow(&harness).wires, [], "the lifted wire is gone from the flow too");
}

/// A wire from an output dropped on a block's body (not on a port) goes to its input;
/// where that input cannot take it, the status bar says why.
#[test]
fn a_wire_dropped_on_a_blocks_body_goes_to_its_input() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let wire =
        |from: &str, port: Port, to: &str| Wire { from: PortRef::new(from, port), to: PortRef::new(to, Port::In) };
    let body = harness.state().block_rect("show").expect("the show block").center();
    let success = port(&harness, "fetch", "Success");
    start_drag(&mut harness, success, body);
    release(&mut harness, body);
    assert_eq!(
        flow(&harness).wires,
        [wire("start", Port::Out, "fetch"), wire("fetch", Port::Success, "show")],
        "dropped on show's body, the wire went to show.in"
    );

    // The same wire again: show.in has it already.
    start_drag(&mut harness, success, body);
    release(&mut harness, body);
    assert!(shows(&harness, "`fetch.success` is already wired to `show.in`"), "the status bar says why");
    assert_eq!(flow(&harness).wires.len(), 2);
}
