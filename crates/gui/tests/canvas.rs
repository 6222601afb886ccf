//! The canvas with a big flow (egui_kittest): it opens readable at its Start block, blocks
//! outside the view are not laid out yet come back when they enter it, and zoomed far
//! out blocks are drawn without text but can still be dragged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Flow, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, Command, SwitchyardApp};

mod common;
use common::{Fixture, drag};

/// A chain `start → r1 → … → r(blocks-1)` on a grid of 20 columns, as in the frame bench.
fn chain_fixture(blocks: usize) -> Fixture {
    let mut flow = Flow::new("big");
    for i in 1..blocks {
        flow.blocks.push(Block {
            id: format!("r{i}"),
            at: [(i % 20) as f32 * 360.0, (i / 20) as f32 * 140.0],
            kind: BlockKind::SendRequest(SendRequest::new(format!("http://127.0.0.1:9/item/{i}"))),
        });
        let from = if i == 1 {
            PortRef::new("start", switchyard_flow::Port::Out)
        } else {
            PortRef::new(format!("r{}", i - 1), switchyard_flow::Port::Success)
        };
        flow.wires.push(Wire { from, to: PortRef::new(format!("r{i}"), switchyard_flow::Port::In) });
    }
    Fixture::with_flow("big.flow.json", &flow)
}

fn harness<'a>(fixture: &Fixture) -> Harness<'a, SwitchyardApp> {
    fixture.app(AppOptions::default(), 4)
}

fn block_pos(harness: &Harness<'_, SwitchyardApp>, id: &str) -> Pos2 {
    let document = harness.state().document();
    let node = document.node_of(id).unwrap();
    document.snarl.get_node_info(node).unwrap().pos
}

#[test]
fn a_big_flow_opens_readable_at_its_start_block_and_lays_out_only_what_is_in_view() {
    let fixture = chain_fixture(1000);
    let mut harness = harness(&fixture);

    let transform = harness.state().canvas_transform();
    assert!(transform.scaling >= 0.5, "readable, not fitted: scale {}", transform.scaling);
    assert!(harness.query_by_label("start").is_some(), "the Start block is in view");
    assert!(harness.query_by_label("r1").is_some());
    assert!(harness.query_by_label("r999").is_none(), "a block far outside the view is not laid out");

    // A block moved into the view (its last layout was far away) is drawn there.
    let start = block_pos(&harness, "start");
    let state = harness.state_mut();
    let node = state.document().node_of("r999").unwrap();
    state.document_mut().snarl.get_node_info_mut(node).unwrap().pos = start + Vec2::new(0.0, 70.0);
    harness.run_steps(3);
    assert!(harness.query_by_label("r999").is_some(), "a block that enters the view is laid out");
}

#[test]
fn a_block_drags_at_a_readable_scale() {
    let fixture = chain_fixture(200);
    let mut harness = harness(&fixture);
    let transform = harness.state().canvas_transform();
    let before = block_pos(&harness, "r2");

    // The header's blank drag space, between the collapse button and the labels
    // (labels take drags for text selection).
    let grab = transform * (before + Vec2::new(29.0, 8.0));
    drag(&mut harness, grab, grab + Vec2::new(60.0, 45.0));

    let moved = block_pos(&harness, "r2") - before;
    let expected = Vec2::new(60.0, 45.0) / transform.scaling;
    assert!((moved - expected).length() < 2.0, "moved {moved:?}, expected {expected:?}");
}

#[test]
fn zoomed_out_to_the_whole_flow_blocks_lose_their_text_but_still_drag() {
    let fixture = chain_fixture(1000);
    let mut harness = harness(&fixture);

    let ctx = harness.ctx.clone();
    harness.state_mut().apply(Command::ShowWholeFlow, &ctx);
    harness.run_steps(4);
    let transform = harness.state().canvas_transform();
    assert!(transform.scaling < 0.4, "zoomed far out: scale {}", transform.scaling);
    for id in ["start", "r1", "r500", "r999"] {
        assert!(harness.query_by_label(id).is_none(), "{id}: no text at low detail");
    }
    let canvas = egui::Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 800.0));
    for id in ["start", "r999"] {
        assert!(canvas.contains(transform * block_pos(&harness, id)), "{id} is in view");
    }

    let before = block_pos(&harness, "r500");
    let grab = transform * (before + Vec2::new(150.0, 40.0));
    drag(&mut harness, grab, grab + Vec2::new(30.0, 20.0));
    let moved = block_pos(&harness, "r500") - before;
    let expected = Vec2::new(30.0, 20.0) / transform.scaling;
    assert!((moved - expected).length() < 2.0 / transform.scaling, "moved {moved:?}, expected {expected:?}");
    assert_eq!(block_pos(&harness, "r499"), Pos2::new(19.0 * 360.0, 24.0 * 140.0), "its neighbour stays");
}
