//! What the app's kittest files share: a flow file in a temporary folder, the app on it,
//! and the pointer and keyboard steps a user takes.
#![allow(dead_code, clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use switchyard_flow::Flow;
use switchyard_gui::{AppOptions, SwitchyardApp};

/// The shipped app's curl translator (`switchyard_import`), as the binary hands it over.
#[path = "../../../switchyard/src/curl_bridge.rs"]
mod curl_bridge;

pub mod first_use;

/// A runtime for runs and background work, and a flow saved in a temporary folder.
pub struct Fixture {
    pub runtime: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
    pub flow_path: PathBuf,
}

impl Fixture {
    /// `flow` saved as `file_name` in a fresh temporary folder.
    pub fn with_flow(file_name: &str, flow: &Flow) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let flow_path = dir.path().join(file_name);
        switchyard_flow::save(&flow_path, flow).unwrap();
        Self { runtime, dir, flow_path }
    }

    /// The app at 1280×800 points with `options` (its flow: this fixture's, unless set),
    /// after `steps` frames.
    pub fn app<'a>(&self, options: AppOptions, steps: usize) -> Harness<'a, SwitchyardApp> {
        let handle = self.runtime.handle().clone();
        let options = AppOptions {
            flow: options.flow.or_else(|| Some(self.flow_path.clone())),
            curl: options.curl.or_else(|| Some(std::sync::Arc::new(curl_bridge::ImportCurl))),
            ..options
        };
        let mut harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, options, None));
        harness.run_steps(steps);
        harness
    }
}

/// The flow as the app holds it now.
pub fn flow(harness: &Harness<'_, SwitchyardApp>) -> Flow {
    harness.state().document().to_flow()
}

/// Steps the app until `done` holds: runs, dialogs and file work happen on the runtime's
/// threads. Fails after 20 seconds.
pub fn step_until(harness: &mut Harness<'_, SwitchyardApp>, what: &str, done: impl Fn(&SwitchyardApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        harness.step();
        std::thread::yield_now();
    }
    harness.run_steps(2);
}

/// Presses a shortcut on the keyboard.
pub fn press(harness: &mut Harness<'_, SwitchyardApp>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run_steps(2);
}

/// Presses the primary button on `from` and moves the pointer to `to` (screen points)
/// in four moves, holding the button.
pub fn start_drag(harness: &mut Harness<'_, SwitchyardApp>, from: Pos2, to: Pos2) {
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    for step in 1..=4 {
        harness.hover_at(from + (to - from) * (step as f32 / 4.0));
        harness.step();
    }
}

/// Drags with the primary button from `from` to `to` (screen points) in four moves.
pub fn drag(harness: &mut Harness<'_, SwitchyardApp>, from: Pos2, to: Pos2) {
    start_drag(harness, from, to);
    harness.drop_at(to);
    harness.run_steps(2);
}

/// The texts the last frame put on the clipboard.
pub fn copied(harness: &Harness<'_, SwitchyardApp>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|command| match command {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// eframe's storage in memory: what the app is given at start and what it keeps.
#[derive(Default)]
pub struct MemoryStorage(pub std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(files_under(&path)) } else { files.push(path) }
    }
    files
}

/// Whether any widget's label or value (text fields, labels) contains `text`.
pub fn shows(harness: &Harness<'_, SwitchyardApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable as _;
    let contains = move |node: &egui_kittest::kittest::AccessKitNode<'_>| {
        node.label().is_some_and(|l| l.contains(text)) || node.value().is_some_and(|v| v.contains(text))
    };
    harness.query_all(egui_kittest::kittest::By::new().include_labels().predicate(contains)).next().is_some()
}

/// Whether a widget is labelled exactly `label`.
pub fn has_label(harness: &Harness<'_, SwitchyardApp>, label: &str) -> bool {
    use egui_kittest::kittest::Queryable as _;
    harness.query_all_by_label(label).next().is_some()
}

/// The on-screen rect of a label drawn on the canvas on block `block` (not in the
/// inspector or console).
pub fn canvas_label(harness: &Harness<'_, SwitchyardApp>, text: &str, block: &str) -> egui::Rect {
    use egui_kittest::kittest::Queryable as _;
    let block_rect = harness.state().block_rect(block).expect("the block is drawn");
    harness
        .query_all_by_label(text)
        .map(|node| harness.state().canvas_transform() * node.rect())
        .find(|rect| block_rect.expand(12.0).contains(rect.center()))
        .unwrap_or_else(|| panic!("no `{text}` label on block {block}"))
}
