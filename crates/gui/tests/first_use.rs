//! What a first-time user meets (issue 15), driven with egui_kittest: typed text is never
//! lost on save, self-wires and loops are drawn, the top bar says how a run really
//! ended, results go stale when a block changes, forms and panels keep still, Esc
//! closes things in order, and a quick drag from the palette adds its block.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use serde_json::json;
use switchyard_flow::{Block, BlockKind, Body, Flow, LogBlock, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, SwitchyardApp};

mod common;
use common::{Fixture, MemoryStorage, flow, press};

/// Start → fetch (a Send Request with a JSON body) → show (a Log).
fn fixture() -> Fixture {
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

fn select(harness: &mut Harness<'_, SwitchyardApp>, id: &str) {
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(switchyard_gui::Action::Select(id.to_owned()), &ctx);
    harness.run_steps(2);
}

fn unsaved(harness: &Harness<'_, SwitchyardApp>) -> bool {
    harness.state().title().ends_with(" •")
}

#[test]
fn invalid_json_typed_in_a_body_is_kept_and_the_save_refused_until_it_parses() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let saved = std::fs::read_to_string(&fixture.flow_path).unwrap();
    select(&mut harness, "fetch");

    let body = harness.get_by_label("JSON body");
    body.focus();
    harness.run_steps(1);
    press(&mut harness, Modifiers::COMMAND, Key::A);
    harness.get_by_label("JSON body").type_text("{\"a\": 1,");
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Invalid JSON").is_some());
    assert!(unsaved(&harness), "typed text the block does not hold yet counts as unsaved work");

    press(&mut harness, Modifiers::COMMAND, Key::S);
    assert_eq!(std::fs::read_to_string(&fixture.flow_path).unwrap(), saved, "nothing was written");
    assert!(
        harness.query_all_by_label_contains("not saved: the JSON body of `fetch` is not valid").next().is_some(),
        "the top bar says why, naming the block"
    );
    assert_eq!(harness.get_by_label("JSON body").value().as_deref(), Some("{\"a\": 1,"), "the text is kept");

    // Finished, it parses: the save goes ahead and writes what was typed.
    harness.get_by_label("JSON body").type_text(" \"b\": 2}");
    harness.run_steps(2);
    press(&mut harness, Modifiers::COMMAND, Key::S);
    let reopened = switchyard_flow::load(&fixture.flow_path).unwrap();
    let BlockKind::SendRequest(request) = &reopened.block("fetch").unwrap().kind else {
        panic!("fetch is a Send Request");
    };
    assert_eq!(request.body, Some(Body::Json(json!({"a": 1, "b": 2}))));
    assert!(!unsaved(&harness));
}

fn right_click(harness: &mut Harness<'_, SwitchyardApp>, pos: egui::Pos2) {
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

fn click(harness: &mut Harness<'_, SwitchyardApp>, pos: egui::Pos2) {
    harness.hover_at(pos);
    harness.step();
    harness.drag_at(pos);
    harness.step();
    harness.drop_at(pos);
    harness.run_steps(2);
}

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

/// Start → fetch, a request to a closed port whose Failure goes to a Log block.
fn failing_fixture() -> Fixture {
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

#[test]
fn a_handled_failure_is_said_in_the_top_bar_and_results_go_stale_when_a_block_is_edited() {
    let fixture = failing_fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    press(&mut harness, Modifiers::COMMAND, Key::Enter);
    common::step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());
    assert!(harness.query_by_label("run ok · 1 failure handled").is_some(), "not a bare `run ok`: the failure is said");
    assert!(harness.query_by_label_contains("before the edit").is_none());

    // Editing the block marks what the run left on it as stale.
    let mut block = flow(&harness).block("fetch").unwrap().clone();
    let BlockKind::SendRequest(request) = &mut block.kind else { panic!() };
    request.url.push_str("/edited");
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .apply(switchyard_gui::Action::EditBlock { id: "fetch".to_owned(), block: Box::new(block) }, &ctx);
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("before the edit").is_some(), "the old result is marked stale");
    assert_eq!(harness.query_all_by_label_contains("before the edit").count(), 1, "only on the edited block");
}

#[test]
fn a_notice_fades_after_a_few_seconds() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    select(&mut harness, "show");
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(switchyard_gui::Command::Copy, &ctx);
    harness.run_steps(2);
    assert!(harness.query_by_label("copied 1 block").is_some());
    harness.run_steps(8); // 2 s more (kittest's clock: a quarter second a frame)
    assert!(harness.query_by_label("copied 1 block").is_some(), "still there after 2 s");
    harness.run_steps(16); // 6 s in all
    assert!(harness.query_by_label("copied 1 block").is_none(), "gone after 5 s");
}

fn app_with_storage<'a>(fixture: &Fixture, storage: &MemoryStorage) -> Harness<'a, SwitchyardApp> {
    let handle = fixture.runtime.handle().clone();
    let options = AppOptions { flow: Some(fixture.flow_path.clone()), ..AppOptions::default() };
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, options, Some(storage)));
    harness.run_steps(3);
    harness
}

#[test]
fn panels_keep_their_size_when_a_block_is_selected_and_across_restarts() {
    let fixture = fixture();
    let mut storage = MemoryStorage::default();
    let mut harness = app_with_storage(&fixture, &storage);
    let (palette, inspector, console) = harness.state().panel_sizes();

    // Drag the inspector's left edge 80 points to the left.
    let edge = egui::pos2(1280.0 - inspector, 300.0);
    common::drag(&mut harness, edge, edge - egui::vec2(80.0, 0.0));
    let (_, wider, _) = harness.state().panel_sizes();
    assert!((wider - (inspector + 80.0)).abs() < 3.0, "{inspector} → {wider}");

    // Selecting a block (whose form has wide fields) moves nothing.
    for id in ["fetch", "show", "fetch"] {
        select(&mut harness, id);
        assert_eq!(harness.state().panel_sizes(), (palette, wider, console), "after selecting {id}");
    }

    // Kept in eframe's storage: the next start has the same panels.
    eframe::App::save(harness.state_mut(), &mut storage);
    let restarted = app_with_storage(&fixture, &storage);
    assert_eq!(restarted.state().panel_sizes(), (palette, wider, console));
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
fn the_light_theme_chosen_in_view_is_kept_across_restarts() {
    let fixture = fixture();
    let mut storage = MemoryStorage::default();
    let mut harness = app_with_storage(&fixture, &storage);
    harness.get_by_label("View").click();
    harness.run_steps(2);
    harness.get_by_label("Light").click();
    harness.run_steps(2);
    assert_eq!(harness.state().theme_preference(), egui::ThemePreference::Light);
    assert_eq!(harness.ctx.theme(), egui::Theme::Light, "light visuals");
    eframe::App::save(harness.state_mut(), &mut storage);
    let restarted = app_with_storage(&fixture, &storage);
    assert_eq!(restarted.state().theme_preference(), egui::ThemePreference::Light);
}

/// Start → wait, a request to a local port that takes the connection and never answers:
/// the run stays on until it is stopped. The listener is returned to keep it open.
fn hanging_fixture() -> (Fixture, std::net::TcpListener) {
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
fn empty_canvas_point(harness: &Harness<'_, SwitchyardApp>) -> egui::Pos2 {
    let point = egui::pos2(640.0, 520.0);
    for id in flow(harness).blocks.iter().map(|b| b.id.clone()).chain(["start".to_owned()]) {
        if let Some(rect) = harness.state().block_rect(&id) {
            assert!(!rect.expand(20.0).contains(point), "{id} is at {rect:?}");
        }
    }
    point
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

/// Types `text` over what the field labelled `label` holds.
fn retype(harness: &mut Harness<'_, SwitchyardApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    press(harness, Modifiers::COMMAND, Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(2);
}

#[test]
fn a_block_is_renamed_in_the_inspector_its_wires_follow_and_one_undo_puts_it_back() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    let before = flow(&harness);
    select(&mut harness, "fetch");

    // Refused: not an id, or another block's.
    for (bad, why) in [("has space", "not a valid id"), ("show", "Another block is called `show`")] {
        retype(&mut harness, "Block id", bad);
        press(&mut harness, Modifiers::NONE, Key::Enter);
        assert!(harness.query_by_label_contains(why).is_some(), "{bad}: says {why}");
        assert!(flow(&harness).block("fetch").is_some(), "{bad} renames nothing");
    }

    retype(&mut harness, "Block id", "load");
    press(&mut harness, Modifiers::NONE, Key::Enter);
    let renamed = flow(&harness);
    assert!(renamed.block("fetch").is_none() && renamed.block("load").is_some());
    let ends: Vec<_> = renamed.wires.iter().map(|w| (w.from.block.as_str(), w.to.block.as_str())).collect();
    assert_eq!(ends, [("start", "load"), ("load", "show")], "the wires follow the block");
    assert_eq!(harness.state().selected_block(), Some("load"), "still selected");
    assert!(unsaved(&harness));

    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(flow(&harness), before, "one undo step");
}

#[test]
fn the_flow_is_named_in_the_inspector_with_nothing_selected_and_the_title_shows_it_and_the_file() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    assert_eq!(harness.state().title(), "Switchyard — First use (first.flow.json)");
    retype(&mut harness, "Flow name", "Orders");
    assert_eq!(flow(&harness).name, "Orders");
    assert_eq!(harness.state().title(), "Switchyard — Orders (first.flow.json) •");
    harness.get_by_label("Flow name").type_text(" sync");
    harness.run_steps(2);
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert_eq!(flow(&harness).name, "Orders sync");
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(flow(&harness).name, "First use", "typing the name is one undo step");
}

/// The app as a first launch starts it: no flow given, `storage` (empty the first time).
fn first_launch<'a>(fixture: &Fixture, storage: &MemoryStorage) -> Harness<'a, SwitchyardApp> {
    let handle = fixture.runtime.handle().clone();
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, AppOptions::default(), Some(storage)));
    harness.run_steps(3);
    harness
}

#[test]
fn a_first_launch_opens_the_welcome_flow_with_a_hint_dismissed_for_good() {
    let fixture = fixture();
    let mut storage = MemoryStorage::default();
    let mut harness = first_launch(&fixture, &storage);
    let welcome = flow(&harness);
    assert_eq!(welcome, switchyard_gui::examples::WELCOME.flow(), "the welcome flow, not the OpenAI one");
    assert!(harness.state().document().path.is_none(), "an example has no file until saved");
    assert!(!unsaved(&harness), "closing it untouched asks nothing");
    // Not run here: it calls postman-echo.com (engine/tests/flows.rs runs it locally).
    let BlockKind::SendRequest(request) = &welcome.block("hello").unwrap().kind else { panic!() };
    assert_eq!(request.url, "https://postman-echo.com/get?name={{name}}");

    for step in ["Welcome to Switchyard", "Success port", "Press ▶ Run", "⚙ Global variables"] {
        assert!(harness.query_by_label_contains(step).is_some(), "the hint says {step}");
    }
    harness.get_by_label("Got it").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Welcome to Switchyard").is_none(), "dismissed");
    eframe::App::save(harness.state_mut(), &mut storage);
    let again = first_launch(&fixture, &storage);
    assert_eq!(flow(&again).name, welcome.name);
    assert!(again.query_by_label("Welcome to Switchyard").is_none(), "dismissed for good");
}

#[test]
fn file_examples_lists_the_bundled_flows_and_opens_one() {
    let fixture = fixture();
    let mut harness = fixture.app(AppOptions::default(), 3);
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Examples").click();
    harness.run_steps(2);
    for example in switchyard_gui::examples::EXAMPLES {
        assert!(harness.query_by_label(&example.title()).is_some(), "lists {}", example.file);
    }
    harness.get_by_label("Postman API: who am I").click();
    harness.run_steps(3);
    let opened = flow(&harness);
    assert_eq!(opened.name, "Postman API: who am I");
    assert!(opened.block("me").is_some());
    assert!(harness.state().document().path.is_none(), "not the fixture's file: Save asks where");
    assert!(harness.query_by_label_contains("Examples").is_none(), "the menu closed");
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
