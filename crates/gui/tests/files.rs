//! Flows as documents (egui_kittest): Save As and reopening, Open, the prompt before
//! losing unsaved work, and restoring unsaved work after a crash. File dialogs are
//! scripted; everything else is the real app on real files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use egui::{Key, Modifiers, ViewportCommand, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Flow, LogBlock};
use switchyard_gui::files::{DialogRequest, ScriptedDialogs};
use switchyard_gui::{AppOptions, SwitchyardApp};

mod common;
use common::{flow, press, step_until};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self { runtime: tokio::runtime::Runtime::new().unwrap(), dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A saved flow holding a Start block.
    fn flow_file(&self, name: &str, title: &str) -> PathBuf {
        let path = self.path(name);
        switchyard_flow::save(&path, &Flow::new(title)).unwrap();
        path
    }

    fn recovery_dir(&self) -> PathBuf {
        self.path("recovery")
    }

    fn app<'a>(&self, flow: Option<PathBuf>, dialogs: Arc<ScriptedDialogs>) -> Harness<'a, SwitchyardApp> {
        let handle = self.runtime.handle().clone();
        let options = AppOptions {
            flow,
            dialogs: Some(dialogs),
            recovery_dir: Some(self.recovery_dir()),
            autosave_after: Some(Duration::ZERO),
            ..AppOptions::default()
        };
        let mut harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, options, None));
        harness.run_steps(3);
        harness
    }
}

fn no_dialogs() -> Arc<ScriptedDialogs> {
    Arc::new(ScriptedDialogs::new([]))
}

/// Adds a Log block as pasting one from another window does.
fn paste_log_block(harness: &mut Harness<'_, SwitchyardApp>, id: &str) {
    let mut fragment = Flow::new("clip");
    fragment.blocks = vec![Block { id: id.to_owned(), at: [400.0, 300.0], kind: BlockKind::Log(LogBlock::default()) }];
    harness.event(egui::Event::Paste(fragment.to_json()));
    harness.run_steps(2);
}

/// Asks the window to close, as the window manager's close button does; returns the
/// commands the app sent back in that frame.
fn request_close(harness: &mut Harness<'_, SwitchyardApp>) -> Vec<ViewportCommand> {
    harness.input_mut().viewports.entry(ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    harness.step();
    let commands = harness.output().viewport_output.get(&ViewportId::ROOT).map(|v| v.commands.clone());
    harness.run_steps(1);
    commands.unwrap_or_default()
}

fn unsaved(harness: &Harness<'_, SwitchyardApp>) -> bool {
    harness.state().title().ends_with(" •")
}

#[test]
fn a_new_flow_saved_as_a_file_reopens_the_same() {
    let fixture = Fixture::new();
    let target = fixture.path("my-flow");
    let dialogs = Arc::new(ScriptedDialogs::new([Some(target.clone())]));
    let mut harness = fixture.app(None, Arc::clone(&dialogs));

    press(&mut harness, Modifiers::COMMAND, Key::N);
    assert_eq!(flow(&harness).blocks.len(), 1, "a new flow holds a Start block");
    assert!(!unsaved(&harness), "an untouched new flow has nothing to save");
    paste_log_block(&mut harness, "show");
    assert!(unsaved(&harness));

    // Ctrl+S on a flow without a file asks where (Save As), with a name from the flow.
    press(&mut harness, Modifiers::COMMAND, Key::S);
    step_until(&mut harness, "the save", |app| !app.title().ends_with(" •"));
    let saved_path = fixture.path("my-flow.flow.json");
    assert_eq!(harness.state().document().path.as_deref(), Some(saved_path.as_path()));
    assert_eq!(
        dialogs.asked(),
        [DialogRequest::Save { folder: None, file_name: "untitled-flow.flow.json".to_owned() }]
    );
    let saved = std::fs::read_to_string(&saved_path).unwrap();
    assert_eq!(saved, flow(&harness).to_json());
    let entries: Vec<_> = std::fs::read_dir(fixture.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!entries.iter().any(|n| n.to_string_lossy().starts_with(".tmp")), "no temp file left: {entries:?}");

    // Reopened in a new window: the same flow, and saving again writes the same bytes.
    let mut reopened = fixture.app(Some(saved_path.clone()), no_dialogs());
    assert_eq!(flow(&reopened), flow(&harness));
    assert!(!unsaved(&reopened));
    press(&mut reopened, Modifiers::COMMAND, Key::S);
    assert_eq!(std::fs::read_to_string(&saved_path).unwrap(), saved);
}

#[test]
fn opening_over_unsaved_work_asks_first_and_save_keeps_it() {
    let fixture = Fixture::new();
    let first = fixture.flow_file("first.flow.json", "First");
    let second = fixture.flow_file("second.flow.json", "Second");
    let dialogs = Arc::new(ScriptedDialogs::new([Some(second.clone())]));
    let mut harness = fixture.app(Some(first.clone()), Arc::clone(&dialogs));
    paste_log_block(&mut harness, "kept");

    press(&mut harness, Modifiers::COMMAND, Key::O);
    assert!(harness.query_by_label("Save changes?").is_some(), "asks before opening over unsaved work");
    assert!(dialogs.asked().is_empty(), "no dialog before the answer");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Save changes?").is_none());
    assert_eq!(harness.state().document().path.as_deref(), Some(first.as_path()));

    press(&mut harness, Modifiers::COMMAND, Key::O);
    harness.get_by_label("Save").click();
    step_until(&mut harness, "the second flow to open", |app| app.document().name == "Second");
    assert!(switchyard_flow::load(&first).unwrap().block("kept").is_some(), "the first flow was saved first");
    assert_eq!(dialogs.asked(), [DialogRequest::Open { folder: Some(fixture.dir.path().to_owned()) }]);
    assert!(!unsaved(&harness));

    // File → Open Recent lists both.
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Open Recent").hover();
    harness.run_steps(2);
    assert!(harness.query_by_label("first.flow.json").is_some());
    assert!(harness.query_by_label("second.flow.json").is_some());
}

#[test]
fn closing_the_window_over_unsaved_work_asks_and_dont_save_closes() {
    let fixture = Fixture::new();
    let path = fixture.flow_file("close.flow.json", "Close me");
    let before = std::fs::read_to_string(&path).unwrap();
    let mut harness = fixture.app(Some(path.clone()), no_dialogs());

    // Nothing unsaved: the window just closes.
    assert!(!request_close(&mut harness).contains(&ViewportCommand::CancelClose));

    paste_log_block(&mut harness, "draft");
    let commands = request_close(&mut harness);
    assert!(commands.contains(&ViewportCommand::CancelClose), "{commands:?}");
    assert!(harness.query_by_label("Save changes?").is_some());
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(unsaved(&harness), "cancel keeps the work");

    assert!(request_close(&mut harness).contains(&ViewportCommand::CancelClose));
    harness.get_by_label("Don't save").click();
    harness.step();
    let commands = harness.output().viewport_output.get(&ViewportId::ROOT).map(|v| v.commands.clone()).unwrap();
    assert!(commands.contains(&ViewportCommand::Close), "{commands:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "not saved");
    assert!(!any_file_in(&fixture.recovery_dir()), "given-up work leaves no recovery file");
}

#[test]
fn unsaved_work_is_offered_back_after_a_crash() {
    let fixture = Fixture::new();
    let path = fixture.flow_file("crash.flow.json", "Crashy");
    let before = std::fs::read_to_string(&path).unwrap();

    let mut harness = fixture.app(Some(path.clone()), no_dialogs());
    paste_log_block(&mut harness, "precious");
    harness.run_steps(2);
    assert!(any_file_in(&fixture.recovery_dir()), "unsaved work is autosaved");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "the flow file itself is untouched");
    // The app goes away without closing: a crash.
    drop(harness);

    let mut restarted = fixture.app(Some(path.clone()), no_dialogs());
    assert!(restarted.query_by_label("Restore unsaved work?").is_some());
    assert!(flow(&restarted).block("precious").is_none(), "nothing changes before the answer");
    restarted.get_by_label("Restore").click();
    restarted.run_steps(2);
    assert!(flow(&restarted).block("precious").is_some(), "the work is back");
    assert!(unsaved(&restarted), "restored work is unsaved until saved");
    press(&mut restarted, Modifiers::COMMAND, Key::Z);
    assert!(flow(&restarted).block("precious").is_none(), "restoring is one undo step");
    press(&mut restarted, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);

    press(&mut restarted, Modifiers::COMMAND, Key::S);
    assert!(switchyard_flow::load(&path).unwrap().block("precious").is_some());
    assert!(!any_file_in(&fixture.recovery_dir()), "saved work needs no recovery file");

    // Discard: the offer does not come back.
    let mut harness = fixture.app(Some(path.clone()), no_dialogs());
    paste_log_block(&mut harness, "unwanted");
    harness.run_steps(2);
    drop(harness);
    let mut restarted = fixture.app(Some(path.clone()), no_dialogs());
    restarted.get_by_label("Discard").click();
    restarted.run_steps(2);
    assert!(flow(&restarted).block("unwanted").is_none());
    drop(restarted);
    let again = fixture.app(Some(path), no_dialogs());
    assert!(again.query_by_label("Restore unsaved work?").is_none());
}

fn any_file_in(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()).unwrap_or(false)
}

#[test]
fn without_a_system_file_dialog_save_as_uses_the_in_app_dialog_and_saves() {
    let fixture = Fixture::new();
    let first = fixture.flow_file("first.flow.json", "first");
    std::fs::create_dir(fixture.path("sub")).unwrap();
    let dialogs = Arc::new(ScriptedDialogs::unavailable());
    let mut harness = fixture.app(Some(first.clone()), Arc::clone(&dialogs));
    paste_log_block(&mut harness, "show");

    press(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    // The folder is listed on a blocking thread: its subfolder and its flow.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while harness.query_by_label("📁 sub/").is_none() {
        assert!(std::time::Instant::now() < deadline, "gave up waiting for the folder's listing");
        harness.step();
        std::thread::yield_now();
    }
    assert!(harness.query_by_label("Save the flow as").is_some(), "the app's own dialog opened");
    assert!(harness.query_by_label_contains("no file dialog").is_some(), "it says why");
    assert!(harness.query_by_label("first.flow.json").is_some());

    // The file name field has the keyboard: type a new name and press Enter.
    press(&mut harness, Modifiers::COMMAND, Key::A);
    harness.event(egui::Event::Text("copy".to_owned()));
    harness.run_steps(1);
    press(&mut harness, Modifiers::NONE, Key::Enter);
    let saved = fixture.path("copy.flow.json");
    step_until(&mut harness, "the save", |app| app.document().path.as_deref() == Some(saved.as_path()));
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), flow(&harness).to_json());
    assert!(!unsaved(&harness));
    assert!(harness.query_by_label("Save the flow as").is_none(), "the dialog closed");
    assert_eq!(dialogs.asked().len(), 1, "the system was asked once");
}
