//! Editing in the inspector, driven with egui_kittest: text typed in a JSON body is
//! never lost on save (the save is refused until it parses), a block is renamed with
//! its wires following, and the flow is named with the title showing it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable as _;
use serde_json::json;
use switchyard_flow::{BlockKind, Body};
use switchyard_gui::AppOptions;

mod common;
use common::first_use::{fixture, retype, select, unsaved};
use common::{flow, press};

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
