//! Frame cost while a run streams events. The goal: the app stays smooth while a long
//! run streams 1,000 events per second into the console, its frame p95 within 1 ms of
//! idle (BENCHMARKS.md has the figures).
//!
//! ```sh
//! cargo bench -p switchyard-gui --bench stream
//! ```
//!
//! Two measurements, headless (layout + tessellation timed per frame):
//!
//! - **console**: the run console in a 1280×720 `CentralPanel` already holding 10,000
//!   lines; idle (no new events) against streaming, where each frame first receives the
//!   events of 1/60 s of a run at 1,000 events per second (16 or 17: block started,
//!   request sent, response received, block finished, over and over). Simulated time,
//!   frames back to back: repeatable.
//! - **whole app, real run**: the app at 1280×800 with two wired loops (`start → a`,
//!   `a.success → a.in`, the same for `b`) open, against an axum server in this process
//!   that answers after 6 ms, so the engine emits about 1,000 events per second on the
//!   app's tokio runtime while the frames are drawn, paced at 60 per second of wall
//!   time. Idle is the same app and flow, not running. The achieved event rate is
//!   printed (four events per request).
//!
//! Under `cargo test` (no `--bench` argument) both run a few frames only, as a smoke test.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use egui::{CentralPanel, Context, Pos2, RawInput, Rect, Vec2};
use serde_json::json;
use switchyard_engine::{Event, Outcome};
use switchyard_flow::{Block, BlockKind, Flow, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, Command, Console, SwitchyardApp};

/// Events per second streamed into the console.
const EVENTS_PER_SECOND: u64 = 1_000;
/// Frames per second (simulated for the console, paced in wall time for the app).
const FPS: u64 = 60;
/// Lines the console holds before the timed frames.
const PREFILLED_LINES: usize = 10_000;
/// Events per request in the engine's stream: started, sent, received, finished.
const EVENTS_PER_REQUEST: u64 = 4;
/// How long the bench server waits before answering (sets the app run's event rate:
/// two loops, each request about 7 ms with tokio's millisecond timer, four events each).
const SERVER_DELAY: Duration = Duration::from_millis(6);

#[derive(Clone, Copy)]
struct Size {
    warm_up_frames: usize,
    timed_frames: usize,
}

fn main() {
    let size = if std::env::args().any(|arg| arg == "--bench") {
        Size { warm_up_frames: 30, timed_frames: 600 }
    } else {
        Size { warm_up_frames: 1, timed_frames: 3 }
    };
    println!(
        "frame cost while events stream, {} frames after {} warm-up (layout + tessellation)",
        size.timed_frames, size.warm_up_frames
    );
    console(size);
    whole_app(size);
}

/// The console alone: idle against 1,000 events per second of simulated time.
fn console(size: Size) {
    let idle = console_frames(size, false);
    let streaming = console_frames(size, true);
    let (idle_mean, idle_p95) = mean_p95(idle);
    let (mean, p95) = mean_p95(streaming);
    println!("console, {PREFILLED_LINES} lines, idle:                 mean {idle_mean:.3} ms, p95 {idle_p95:.3} ms");
    println!("console, +{EVENTS_PER_SECOND} events/s (simulated):      mean {mean:.3} ms, p95 {p95:.3} ms");
    println!("console: p95 streaming − idle {:+.3} ms (goal: within 1 ms)", p95 - idle_p95);
}

fn console_frames(size: Size, streaming: bool) -> Vec<f64> {
    let ctx = Context::default();
    let mut console = Console::new();
    let mut sent = 0u64;
    while console.len() < PREFILLED_LINES {
        console.push(Duration::from_millis(sent), &run_event(sent));
        sent += 1;
    }
    let mut times = Vec::with_capacity(size.timed_frames);
    for frame in 0..(size.warm_up_frames + size.timed_frames) as u64 {
        if streaming {
            // The events of this frame's 1/60 s at EVENTS_PER_SECOND.
            let due = (frame + 1) * EVENTS_PER_SECOND / FPS;
            let base = sent;
            for n in 0..due.saturating_sub(frame * EVENTS_PER_SECOND / FPS) {
                console.push(Duration::from_millis(frame * 1_000 / FPS), &run_event(base + n));
                sent += 1;
            }
        }
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 720.0))),
            time: Some(frame as f64 / FPS as f64),
            ..RawInput::default()
        };
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| {
            CentralPanel::default().show(ui, |ui| {
                black_box(console.ui(ui));
            });
        });
        black_box(ctx.tessellate(output.shapes, output.pixels_per_point));
        let took = ms(start.elapsed());
        output.textures_delta.clear();
        if frame >= size.warm_up_frames as u64 {
            times.push(took);
        }
    }
    times
}

/// Event `n` of a run of Send Request blocks: started, sent, received, finished.
fn run_event(n: u64) -> Event {
    let request = n / EVENTS_PER_REQUEST;
    let block = format!("r{}", request % 1_000 + 1);
    match n % EVENTS_PER_REQUEST {
        0 => Event::BlockStarted { block, kind: switchyard_flow::BlockTypeName::SendRequest, step: request + 1 },
        1 => Event::RequestSent {
            block,
            method: "GET".to_owned(),
            url: format!("http://127.0.0.1:8080/item/{request}"),
            headers: Vec::new(),
        },
        2 => Event::ResponseReceived { block, status: 200, duration_ms: 1, bytes: 11 },
        _ => Event::BlockFinished {
            block,
            port: switchyard_flow::Port::Success,
            value: json!({"status": 200, "headers": {"content-type": "application/json"}, "body": {"ok": true}, "duration_ms": 1}).into(),
            wired: true,
            summary: "200 · 1 ms".to_owned(),
        },
    }
}

/// The whole app with a real run streaming events, frames paced at 60 per second.
fn whole_app(size: Size) {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("runtime: {e}"));
    let served = Arc::new(AtomicU64::new(0));
    let listener =
        runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap_or_else(|e| panic!("bind: {e}"));
    let base = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    let counter = Arc::clone(&served);
    let app = Router::new().route(
        "/item",
        get(move || {
            let counter = Arc::clone(&counter);
            async move {
                tokio::time::sleep(SERVER_DELAY).await;
                counter.fetch_add(1, Ordering::Relaxed);
                axum::Json(json!({"ok": true}))
            }
        }),
    );
    runtime.spawn(async move { axum::serve(listener, app).await });

    let dir = std::env::temp_dir().join(format!("switchyard-stream-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("loop.flow.json");
    switchyard_flow::save(&path, &loop_flow(&base)).unwrap_or_else(|e| panic!("{e}"));

    let ctx = Context::default();
    let options = AppOptions { flow: Some(path), ..AppOptions::default() };
    let mut app = SwitchyardApp::new(&ctx, runtime.handle().clone(), options, None);

    let (idle, _) = app_frames(&ctx, &mut app, size, &served);
    app.apply(Command::Run, &ctx);
    let (streaming, rate) = app_frames(&ctx, &mut app, size, &served);
    let still_running = app.is_running();
    app.apply(Command::Stop, &ctx);
    let (idle_mean, idle_p95) = mean_p95(idle);
    let (mean, p95) = mean_p95(streaming);
    println!("whole app, loop flow open, idle:            mean {idle_mean:.3} ms, p95 {idle_p95:.3} ms");
    println!(
        "whole app, run streaming {rate:.0} events/s:    mean {mean:.3} ms, p95 {p95:.3} ms{}",
        if still_running { "" } else { " (the run ended before the last frame: rate is low)" }
    );
    println!(
        "whole app: p95 streaming − idle {:+.3} ms (goal: within 1 ms); console holds {} lines",
        p95 - idle_p95,
        app.console().len()
    );
    if app.outcome() == Some(Outcome::Failed) {
        println!("warning: the run failed; see the console");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Frames of the app paced at FPS in wall time; the frame times and the event rate the
/// server saw over the timed frames.
fn app_frames(ctx: &Context, app: &mut SwitchyardApp, size: Size, served: &AtomicU64) -> (Vec<f64>, f64) {
    let frame_period = Duration::from_nanos(1_000_000_000 / FPS);
    let mut times = Vec::with_capacity(size.timed_frames);
    let mut next = Instant::now();
    let mut timed_start = None;
    let mut served_at_start = 0;
    for frame in 0..size.warm_up_frames + size.timed_frames {
        if frame == size.warm_up_frames {
            timed_start = Some(Instant::now());
            served_at_start = served.load(Ordering::Relaxed);
        }
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 800.0))),
            time: Some(frame as f64 / FPS as f64),
            ..RawInput::default()
        };
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| app.frame_ui(ui));
        black_box(ctx.tessellate(output.shapes, output.pixels_per_point));
        let took = ms(start.elapsed());
        // The font texture is not uploaded anywhere here.
        output.textures_delta.clear();
        if frame >= size.warm_up_frames {
            times.push(took);
        }
        next += frame_period;
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let seconds = timed_start.map_or(1.0, |t| t.elapsed().as_secs_f64());
    let requests = served.load(Ordering::Relaxed) - served_at_start;
    (times, (requests * EVENTS_PER_REQUEST) as f64 / seconds)
}

/// Two wired loops from Start (`a.success → a.in`, `b.success → b.in`): they run
/// until the step limit.
fn loop_flow(base: &str) -> Flow {
    let mut flow = Flow::new("stream bench");
    for (row, id) in ["a", "b"].into_iter().enumerate() {
        flow.blocks.push(Block {
            id: id.to_owned(),
            at: [360.0, row as f32 * 200.0],
            kind: BlockKind::SendRequest(SendRequest::new(format!("{base}/item"))),
        });
        flow.wires.push(Wire {
            from: PortRef::new("start", switchyard_flow::Port::Out),
            to: PortRef::new(id, switchyard_flow::Port::In),
        });
        flow.wires.push(Wire {
            from: PortRef::new(id, switchyard_flow::Port::Success),
            to: PortRef::new(id, switchyard_flow::Port::In),
        });
    }
    flow
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// Mean and 95th percentile of `times`, in milliseconds.
fn mean_p95(mut times: Vec<f64>) -> (f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p95_index = ((times.len() as f64 * 0.95).ceil() as usize).saturating_sub(1).min(times.len() - 1);
    (mean, times.get(p95_index).copied().unwrap_or(mean))
}
