//! The canvas under the pointer, driven with egui_kittest: a self-wire is drawn as a
//! loop with its own menu, a quick drag from the palette adds its block, a click on the
//! empty canvas deselects, port labels stay clear of their circles, and the zoom
//! buttons zoom around the centre.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Flow, LogBlock, PortRef, Wire};
use switchyard_gui::{AppOptions, SwitchyardApp};

mod common;
use common::first_use::{click, empty_canvas_point, failing_fixture, fixture, right_click};
use common::{Fixture, flow, press};

#[test]
fn a_block_wired_to_itself_is_drawn_as_a_loop_below_it_marked_and_has_a_wire_menu() {
    let mut looped = Flow::new("Loop");
    looped.blocks.push(Block { id: "again".to_owned(), at: [300.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    let self_wire = Wire {
        from: PortRef::new("again", switchyard_flow::Port::Out),
        to: PortRef::new("again", switchyard_flow::Port::In),
    };
    looped.wires = vec![
        Wire {
            from: PortRef::new("start", switchyard_flow::Port::Out),
            to: PortRef::new("again", switchyard_flow::Port::In),
        },
        self_wire.clone(),
    ];
    let fixture = Fixture::with_flow("loop.flow.json", &looped);
    let mut harness = fixture.app(AppOptions::default(), 4);
    assert!(harness.query_by_label("⟳ loop").is_some(), "the block on a loop is marked");

    // The wire is drawn below the block, where the pointer finds it.
    let block = harness.state().block_rect("again").unwrap();
    let found = (1..40).map(|step| egui::pos2(block.center().x, block.bottom() + 2.0 * step as f32)).find(|&pos| {
        harness.hover_at(pos);
        harness.run_steps(2);
        harness.state().hovered_wire() == Some(&self_wire)
    });
    let on_wire = found.expect("the self-wire runs under the block");

    // Right-click opens its menu (it is not deleted at once); Insert Log puts a Log on it.
    right_click(&mut harness, on_wire);
    assert!(flow(&harness).wires.contains(&self_wire), "a right-click alone deletes nothing");
    let insert = harness.get_by_label("Insert Log here").rect().center();
    assert!(harness.query_by_label("Delete wire").is_some());
    click(&mut harness, insert);
    let wires = flow(&harness).wires;
    assert!(!wires.contains(&self_wire));
    let log = harness.state().selected_block().unwrap().to_owned();
    assert!(
        wires.contains(&Wire {
            from: self_wire.from.clone(),
            to: PortRef::new(log.as_str(), switchyard_flow::Port::In)
        })
    );
    assert!(
        wires
            .contains(&Wire { from: PortRef::new(log.as_str(), switchyard_flow::Port::Out), to: self_wire.to.clone() })
    );
    assert!(harness.query_by_label("Insert Log here").is_none(), "the menu closed");

    // One undo step puts the wire back.
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(flow(&harness).wires.contains(&self_wire));
    assert_eq!(flow(&harness).blocks.len(), 2);
}

#[test]
fn a_quick_drag_from_the_palette_adds_the_block_where_it_is_released() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let transform = harness.state().canvas_transform();
    let entry = harness.query_all_by_label("Log").map(|n| n.rect().center()).find(|p| p.x < 150.0).unwrap();
    let to = entry + egui::vec2(700.0, -150.0);
    // Mouse down, 700 points in two frames (a quarter second), release.
    harness.hover_at(entry);
    harness.step();
    harness.drag_at(entry);
    harness.step();
    harness.hover_at(entry + (to - entry) * 0.5);
    harness.step();
    harness.hover_at(to);
    harness.step();
    harness.drop_at(to);
    harness.run_steps(3);

    let blocks = flow(&harness).blocks;
    assert_eq!(blocks.len(), 4, "a Log block was added: {:?}", blocks.iter().map(|b| &b.id).collect::<Vec<_>>());
    assert_eq!(harness.state().canvas_transform(), transform, "the canvas did not pan");
    let added = blocks.iter().find(|b| b.id != "show" && matches!(b.kind, BlockKind::Log(_))).unwrap();
    let at = transform * egui::pos2(added.at[0], added.at[1]);
    assert!((at - to).length() < 2.0, "added where released: {at:?} vs {to:?}");
}

#[test]
fn a_click_on_empty_canvas_deselects_and_the_edit_menu_then_offers_nothing_to_copy() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let is_enabled = |harness: &Harness<'_, SwitchyardApp>, label: &str| {
        // A menu entry's label ends with its shortcut.
        let entry = harness
            .query_all_by_label_contains(label)
            .find(|n| {
                egui_kittest::kittest::NodeT::accesskit_node(n)
                    .label()
                    .is_some_and(|l| l.starts_with(label) && l.len() > label.len())
            })
            .unwrap();
        !egui_kittest::kittest::NodeT::accesskit_node(&entry).is_disabled()
    };
    let edit_menu = |harness: &mut Harness<'_, SwitchyardApp>| {
        harness.get_by_label("Edit").click();
        harness.run_steps(2);
        let enabled = ["Copy", "Duplicate", "Delete"].map(|label| is_enabled(harness, label));
        press(harness, Modifiers::NONE, Key::Escape);
        enabled
    };

    // Click a block on the canvas: it is selected, the Edit items act on it.
    let block = harness.state().block_rect("show").unwrap();
    click(&mut harness, block.center_top() + egui::vec2(0.0, 8.0));
    assert_eq!(harness.state().selected_block(), Some("show"));
    assert_eq!(edit_menu(&mut harness), [true; 3]);

    let empty = empty_canvas_point(&harness);
    click(&mut harness, empty);
    assert_eq!(harness.state().selected_block(), None, "a click on the empty canvas selects nothing");
    assert_eq!(edit_menu(&mut harness), [false; 3], "nothing to copy, duplicate or delete");
}

#[test]
fn port_labels_are_whole_and_clear_of_their_circles_at_the_scale_a_flow_opens_at() {
    let fixture = failing_fixture();
    let harness = fixture.app(AppOptions::default(), 4);
    let to_screen = harness.state().canvas_transform();
    // Canvas widgets report graph coordinates; the block's rect is on the screen.
    let block = to_screen.inverse() * harness.state().block_rect("fetch").unwrap();
    let label =
        |text: &str| harness.query_all_by_label(text).map(|n| n.rect()).find(|r| block.contains(r.center())).unwrap();
    let (success, failure) = (label("Success"), label("Failure"));
    // One column, right-aligned against the circles: before, the pin's room was not
    // reserved in right-to-left rows and `Failure` ran 11 points under its circle.
    assert!((success.right() - failure.right()).abs() < 0.5, "{success:?} {failure:?}");
    let radius = harness.ctx.global_style().spacing.interact_size.y * 0.3;
    assert!(failure.right() + radius <= block.right(), "{failure:?} reaches the circle at {}", block.right());
    // Readable as the flow opens: at least the UI's small size on the screen.
    assert!(failure.height() * to_screen.scaling >= 10.5, "{} at scale {}", failure.height(), to_screen.scaling);
}

#[test]
fn the_zoom_buttons_zoom_around_the_centre_and_the_corner_shows_the_level() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let before = harness.state().canvas_transform();
    let level = |scale: f32| format!("{:.0}%", scale * 100.0);
    assert!(harness.query_by_label(&level(before.scaling)).is_some(), "shows {}", level(before.scaling));

    harness.get_by_label("+").click();
    harness.run_steps(3);
    let zoomed = harness.state().canvas_transform();
    assert!((zoomed.scaling - before.scaling * 1.25).abs() < 1e-3, "{} → {}", before.scaling, zoomed.scaling);
    assert!(harness.query_by_label(&level(zoomed.scaling)).is_some());

    harness.get_by_label("−").click();
    harness.run_steps(3);
    let back = harness.state().canvas_transform();
    assert!((back.scaling - before.scaling).abs() < 1e-3);
    // Around the canvas's centre: zooming in and out again puts every point back.
    assert!((back.translation - before.translation).length() < 0.5, "{before:?} → {back:?}");
}
