//! What the app keeps across restarts in eframe's storage, driven with egui_kittest: the
//! panels' sizes (which also hold still when a block is selected) and the theme.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui_kittest::kittest::Queryable as _;

mod common;
use common::MemoryStorage;
use common::first_use::{app_with_storage, fixture, select};

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
