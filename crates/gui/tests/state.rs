//! Where the app keeps its state between sessions: under `$SWITCHYARD_HOME` when it is
//! set (`app.ron`), and with absolute paths, so a flow opened by a relative path is
//! found again from any folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::{Fixture, MemoryStorage};
use switchyard_flow::Flow;
use switchyard_gui::AppOptions;
use switchyard_gui::files::{STATE_FILE, state_file};

#[test]
fn the_state_file_is_under_switchyard_home_when_it_is_set() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(state_file(Some(home.path().as_os_str())), Some(home.path().join(STATE_FILE)));
    assert_eq!(STATE_FILE, "app.ron");
    // A relative home is made absolute (the app may change folders later).
    let relative = state_file(Some(OsStr::new("some/home"))).unwrap();
    assert!(relative.is_absolute(), "{}", relative.display());
    assert!(relative.ends_with("some/home/app.ron"));
    // Unset or empty: eframe's own place, as before.
    assert_eq!(state_file(None), None);
    assert_eq!(state_file(Some(OsStr::new(""))), None);
}

#[test]
fn paths_kept_between_sessions_are_absolute() {
    let fixture = Fixture::with_flow("kept.flow.json", &Flow::new("Kept"));
    // Tests run in the crate's folder: the bundled example, by a relative path.
    let relative = PathBuf::from("../../flows/openai-models.flow.json");
    assert!(relative.is_file() && relative.is_relative());
    let mut harness = fixture.app(AppOptions { flow: Some(relative.clone()), ..AppOptions::default() }, 3);
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);

    let last = PathBuf::from(storage.0.get("switchyard.last_flow").expect("the last flow is kept"));
    assert!(last.is_absolute(), "{}", last.display());
    assert_eq!(last, std::path::absolute(&relative).unwrap());
    let recent = storage.0.get("switchyard.recent").expect("recent files are kept");
    assert!(!recent.is_empty());
    for line in recent.lines() {
        assert!(Path::new(line).is_absolute(), "recent: {line}");
        assert!(Path::new(line).is_file(), "recent: {line}");
    }

    // A later session started from another folder finds the same file.
    let mut storage_again = MemoryStorage::default();
    storage_again.0.clone_from(&storage.0);
    let handle = fixture.runtime.handle().clone();
    let options = AppOptions { flow: None, ..AppOptions::default() };
    let harness = egui_kittest::Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| switchyard_gui::SwitchyardApp::new(&cc.egui_ctx, handle, options, Some(&storage_again)));
    assert_eq!(harness.state().document().path.as_deref(), Some(last.as_path()));
    assert_eq!(harness.state().document().name, "List OpenAI models");
}
