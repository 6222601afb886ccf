//! CPU time per frame of the whole app, headless, for flows of 50, 200 and 1,000 blocks.
//!
//! ```sh
//! cargo bench -p switchyard-gui --bench frame
//! ```
//!
//! A chain `start → r1 → … → rN` (Send Request blocks, each `success` wired to the next)
//! laid out on a grid, in the full app (top bar, palette, inspector, console, canvas) at
//! 1280×800 points; 10 warm-up frames, then 200 timed frames of layout plus
//! tessellation, with the pointer moving over the canvas so every frame does work.
//! Each flow is measured as it opens; the 1,000-block flow also zoomed out to scale
//! 0.42 (just above the level-of-detail scale: the most blocks drawn in full) and with
//! every block in view (View → Show whole flow: blocks drawn at low detail).
//! Goals: p95 ≤ 4 ms at 200 blocks, ≤ 8 ms at 1,000.

use std::hint::black_box;
use std::time::Instant;

use egui::{Context, Pos2, RawInput, Rect, Vec2};
use switchyard_flow::{Block, BlockKind, Flow, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, Command, SwitchyardApp};

const WARM_UP_FRAMES: usize = 10;
const TIMED_FRAMES: usize = 200;

fn chain(blocks: usize) -> Flow {
    let mut flow = Flow::new("bench");
    for i in 1..blocks {
        let column = (i % 20) as f32;
        let row = (i / 20) as f32;
        let request = SendRequest::new(format!("http://127.0.0.1:9/item/{i}"));
        flow.blocks.push(Block {
            id: format!("r{i}"),
            at: [column * 360.0, row * 140.0],
            kind: BlockKind::SendRequest(request),
        });
        let from = if i == 1 {
            PortRef::new("start", switchyard_flow::Port::Out)
        } else {
            PortRef::new(format!("r{}", i - 1), switchyard_flow::Port::Success)
        };
        flow.wires.push(Wire { from, to: PortRef::new(format!("r{i}"), switchyard_flow::Port::In) });
    }
    flow
}

/// Where the canvas looks during the timed frames.
#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    /// As the flow opens.
    Opened,
    /// Zoomed out to just above the level-of-detail scale: the most blocks drawn in full.
    ZoomedOut,
    /// View → Show whole flow: every block in view, drawn at low detail.
    Whole,
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("runtime: {e}"));
    let dir = std::env::temp_dir().join(format!("switchyard-frame-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "app frame cost, {TIMED_FRAMES} frames after {WARM_UP_FRAMES} warm-up, 1280x800 points (layout + tessellation)"
    );
    let cases = [
        (50, View::Opened),
        (200, View::Opened),
        (1_000, View::Opened),
        (1_000, View::ZoomedOut),
        (1_000, View::Whole),
    ];
    for (blocks, view) in cases {
        let path = dir.join(format!("chain-{blocks}.flow.json"));
        switchyard_flow::save(&path, &chain(blocks)).unwrap_or_else(|e| panic!("{e}"));
        let ctx = Context::default();
        let options = AppOptions { flow: Some(path), ..AppOptions::default() };
        let mut app = SwitchyardApp::new(&ctx, runtime.handle().clone(), options, None);
        if view == View::Whole {
            // View → Show whole flow: every block in view, zoomed far out.
            app.apply(Command::ShowWholeFlow, &ctx);
        }
        let mut times = Vec::with_capacity(TIMED_FRAMES);
        for frame in 0..WARM_UP_FRAMES + TIMED_FRAMES {
            let pointer = Pos2::new(300.0 + (frame % 400) as f32, 200.0 + (frame % 200) as f32);
            let mut events = vec![egui::Event::PointerMoved(pointer)];
            if view == View::ZoomedOut && frame == 1 {
                // Zoom from the opening scale (0.75) to 0.42 around the pointer.
                events.push(egui::Event::Zoom(0.42 / 0.75));
            }
            let input = RawInput {
                screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 800.0))),
                time: Some(frame as f64 / 60.0),
                events,
                ..RawInput::default()
            };
            let start = Instant::now();
            let output = ctx.run_ui(input, |ui| app.frame_ui(ui));
            black_box(ctx.tessellate(output.shapes, output.pixels_per_point));
            if frame >= WARM_UP_FRAMES {
                times.push(start.elapsed().as_secs_f64() * 1e3);
            }
        }
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let p95 = times.get(times.len() * 95 / 100).copied().unwrap_or(f64::NAN);
        let scale = app.canvas_transform().scaling;
        let view = match view {
            View::Opened => "as opened",
            View::ZoomedOut => "zoomed out, full detail",
            View::Whole => "whole flow, low detail",
        };
        println!("{blocks:>5} blocks, {view:<23} (scale {scale:.2}): mean {mean:.3} ms, p95 {p95:.3} ms");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
