//! The keyboard, driven with egui_kittest: F1 shows the shortcuts (and the canvas's
//! gestures), Ctrl+Q asks about unsaved work, and Esc closes what is open, innermost
//! first, before it stops a run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_gui::{AppOptions, SwitchyardApp};

mod common;
use common::first_use::{empty_canvas_point, fixture, hanging_fixture, right_click};
use common::press;

#[test]
fn f1_toggles_the_shortcuts_and_ctrl_q_quits_asking_about_unsaved_work_first() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    press(&mut harness, Modifiers::NONE, Key::F1);
    // The window's title and the list's entry for F1 itself.
    let shown = |harness: &Harness<'_, SwitchyardApp>| harness.query_all_by_label("Keyboard shortcuts").count();
    assert_eq!(shown(&harness), 2, "F1 opens the list");
    assert!(harness.query_by_label("Quit").is_some(), "which lists Quit");
    press(&mut harness, Modifiers::NONE, Key::F1);
    assert_eq!(shown(&harness), 0, "F1 again closes it");

    let ctx = harness.ctx.clone();
    harness.state_mut().apply(switchyard_gui::Action::DeleteBlock("show".to_owned()), &ctx);
    harness.run_steps(2);
    press(&mut harness, Modifiers::COMMAND, Key::Q);
    assert!(harness.query_by_label("Save changes?").is_some(), "Ctrl+Q over unsaved work asks first");
}

#[test]
fn esc_closes_menus_context_menus_and_windows_before_it_stops_a_run() {
    let (fixture, _listener) = hanging_fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    press(&mut harness, Modifiers::COMMAND, Key::Enter);
    common::step_until(&mut harness, "the run to start", SwitchyardApp::is_running);

    // A menu of the menu bar.
    harness.get_by_label("File").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Save As…").is_some(), "the File menu is open");
    press(&mut harness, Modifiers::NONE, Key::Escape);
    assert!(harness.query_by_label_contains("Save As…").is_none(), "Esc closed the menu");
    assert!(harness.state().is_running(), "and did not stop the run");

    // The canvas's context menu.
    let empty = empty_canvas_point(&harness);
    right_click(&mut harness, empty);
    assert!(harness.query_by_label("Add block").is_some(), "the canvas menu is open");
    press(&mut harness, Modifiers::NONE, Key::Escape);
    assert!(harness.query_by_label("Add block").is_none(), "Esc closed the canvas menu");
    assert!(harness.state().is_running());

    // The shortcuts window.
    press(&mut harness, Modifiers::NONE, Key::F1);
    assert!(harness.query_by_label("On the canvas").is_some());
    press(&mut harness, Modifiers::NONE, Key::Escape);
    assert!(harness.query_by_label("On the canvas").is_none(), "Esc closed the shortcuts window");
    assert!(harness.state().is_running());

    // The response viewer's window, on the request line.
    harness.get_by_label_contains("wait request GET").click();
    harness.run_steps(2);
    harness.get_by_label("⬈ Window").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Response viewer — wait").is_some(), "the viewer's window is open");
    press(&mut harness, Modifiers::NONE, Key::Escape);
    assert!(harness.query_by_label("Response viewer — wait").is_none(), "Esc closed the viewer's window");
    assert!(harness.state().is_running());

    // Nothing left open: Esc stops the run.
    press(&mut harness, Modifiers::NONE, Key::Escape);
    common::step_until(&mut harness, "the run to stop", |app| !app.is_running());
    assert_eq!(harness.state().outcome(), Some(switchyard_engine::Outcome::Cancelled));
}

#[test]
fn the_shortcuts_window_lists_the_canvas_gestures() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    press(&mut harness, Modifiers::NONE, Key::F1);
    for gesture in [
        "Ctrl+scroll",
        "Shift+drag",
        "double-click the background",
        "right-click a wire",
        "drag the background, or scroll",
    ] {
        assert!(harness.query_by_label(gesture).is_some(), "lists {gesture}");
    }
}
