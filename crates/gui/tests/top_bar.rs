//! The top bar, driven with egui_kittest: it says how a run really ended (a handled
//! failure is counted), results go stale when a block is edited, and a notice fades.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::BlockKind;
use switchyard_gui::AppOptions;

mod common;
use common::first_use::{failing_fixture, fixture, select};
use common::{flow, press};

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
