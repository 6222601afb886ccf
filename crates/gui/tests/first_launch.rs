//! A first launch, driven with egui_kittest: the welcome flow opens with a hint that is
//! dismissed for good, and File → Examples opens the bundled flows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui_kittest::kittest::Queryable as _;
use switchyard_flow::BlockKind;
use switchyard_gui::AppOptions;

mod common;
use common::first_use::{first_launch, fixture, unsaved};
use common::{MemoryStorage, flow};

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
