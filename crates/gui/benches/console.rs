//! Frame cost of the run console with 100,000 lines against an empty console.
//!
//! ```sh
//! cargo bench -p switchyard-gui --bench console
//! ```
//!
//! Headless: an `egui::Context` runs the console in a `CentralPanel` of 1280×720 points
//! (more rows on screen than the app's bottom panel ever shows), 10 warm-up frames, then
//! 200 timed frames, each with the layout pass (`Context::run_ui`) timed on its own and
//! then with tessellation. Scenarios: an empty console; 100,000 lines; 100,000 lines
//! with a line selected (its value in the details pane); 100,000 lines with one more
//! arriving every frame (the list following the bottom). Also times a filter change
//! over the 100,000 lines (the one time the console walks every line).
//! Goal: 100k lines cost at most 1 ms more per frame than an empty console.
//!
//! Under `cargo test` (no `--bench` argument) it runs a few frames of 1,000 lines only,
//! as a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use egui::{CentralPanel, Context, Pos2, RawInput, Rect, Vec2};
use serde_json::json;
use switchyard_engine::{Counts, Event, Outcome};
use switchyard_gui::Console;

/// How much work one run of the benchmark does.
#[derive(Clone, Copy)]
struct Size {
    warm_up_frames: usize,
    timed_frames: usize,
    lines: usize,
}

fn main() {
    let size = if std::env::args().any(|arg| arg == "--bench") {
        Size { warm_up_frames: 10, timed_frames: 200, lines: 100_000 }
    } else {
        Size { warm_up_frames: 1, timed_frames: 3, lines: 1_000 }
    };
    let lines = size.lines;
    println!("console frame cost, {} frames after {} warm-up, 1280x720 points", size.timed_frames, size.warm_up_frames);
    println!("{:<36} {:>10} {:>10} {:>14} {:>14}", "", "ui mean", "ui p95", "+tess mean", "+tess p95");
    let empty_stats = report("empty console", size, Console::new(), |_, _| {});
    let full_stats = report(&format!("{lines} lines"), size, console_with_lines(lines), |_, _| {});
    let mut selected = console_with_lines(lines);
    selected.select(Some(lines / 2));
    report(&format!("{lines} lines, one selected"), size, selected, |_, _| {});
    report(&format!("{lines} lines, +1 line per frame"), size, console_with_lines(lines), |console, frame| {
        console.push(Duration::from_secs(1_000), &log_event(frame as u64));
    });
    println!(
        "difference ({lines} lines − empty): ui mean {:+.3} ms, ui p95 {:+.3} ms; with tessellation mean {:+.3} ms, p95 {:+.3} ms",
        full_stats.ui_mean - empty_stats.ui_mean,
        full_stats.ui_p95 - empty_stats.ui_p95,
        full_stats.total_mean - empty_stats.total_mean,
        full_stats.total_p95 - empty_stats.total_p95,
    );

    let mut filtering = console_with_lines(lines);
    let mut filter_times = Vec::new();
    for filter in ["fetch", "fetch_users", "200", "no such text", "LOG", ""] {
        let start = Instant::now();
        filtering.set_filter(filter);
        let took = ms(start.elapsed());
        filter_times.push(took);
        println!("  filter {filter:?}: {took:.3} ms, {} lines shown", black_box(filtering.visible_len()));
    }
    let (mean, max) = mean_max(&filter_times);
    println!("filter change over {lines} lines: mean {mean:.3} ms, max {max:.3} ms");
}

/// Mean and p95 frame times, in milliseconds.
struct Stats {
    ui_mean: f64,
    ui_p95: f64,
    total_mean: f64,
    total_p95: f64,
}

/// Runs the console for the warm-up and timed frames, calling `before_frame` before
/// each, and prints one row.
fn report(name: &str, size: Size, mut console: Console, mut before_frame: impl FnMut(&mut Console, usize)) -> Stats {
    let ctx = Context::default();
    let mut ui_times = Vec::with_capacity(size.timed_frames);
    let mut total_times = Vec::with_capacity(size.timed_frames);
    for frame in 0..size.warm_up_frames + size.timed_frames {
        before_frame(&mut console, frame);
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 720.0))),
            time: Some(frame as f64 / 60.0),
            ..RawInput::default()
        };
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| {
            CentralPanel::default().show(ui, |ui| {
                black_box(console.ui(ui));
            });
        });
        let ui_time = start.elapsed();
        let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
        let total_time = start.elapsed();
        black_box(meshes);
        // The font texture is not uploaded anywhere here.
        output.textures_delta.clear();
        if frame >= size.warm_up_frames {
            ui_times.push(ms(ui_time));
            total_times.push(ms(total_time));
        }
    }
    let (ui_mean, ui_p95) = mean_p95(&mut ui_times);
    let (total_mean, total_p95) = mean_p95(&mut total_times);
    println!("{name:<36} {ui_mean:>7.3} ms {ui_p95:>7.3} ms {total_mean:>11.3} ms {total_p95:>11.3} ms");
    Stats { ui_mean, ui_p95, total_mean, total_p95 }
}

/// A console holding `lines` lines of a looping run: request, success with a response
/// value, log with a value, and now and then a failure.
fn console_with_lines(lines: usize) -> Console {
    let mut console = Console::new();
    console.push(Duration::ZERO, &Event::RunStarted { flow: "Bench".to_owned(), blocks: 3 });
    let mut step = 0u64;
    while console.len() < lines {
        step += 1;
        let elapsed = Duration::from_millis(step);
        let event = match step % 4 {
            0 => Event::RequestSent {
                block: "fetch_users".to_owned(),
                method: "GET".to_owned(),
                url: format!("https://api.example.com/users?page={step}&key=*****"),
                headers: vec![("Authorization".to_owned(), "Bearer *****".to_owned())],
            },
            1 => Event::BlockFinished {
                block: "fetch_users".to_owned(),
                port: switchyard_flow::Port::Success,
                value: json!({"status": 200, "body": {"page": step, "users": [{"id": 1, "name": "Ada"}]}}).into(),
                wired: true,
                summary: "200 · 84 ms".to_owned(),
            },
            2 => log_event(step),
            _ => Event::BlockFinished {
                block: "fetch_users".to_owned(),
                port: switchyard_flow::Port::Failure,
                value: json!({"error": {"kind": "timeout", "message": "no response within 30 s"}}).into(),
                wired: true,
                summary: "timeout".to_owned(),
            },
        };
        console.push(elapsed, &event);
    }
    console.push(
        Duration::from_millis(step + 1),
        &Event::RunFinished { outcome: Outcome::Ok, counts: Counts::default(), duration_ms: step + 1 },
    );
    console
}

/// Mean and maximum of `times`.
fn mean_max(times: &[f64]) -> (f64, f64) {
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    (mean, times.iter().copied().fold(0.0, f64::max))
}

/// A Log line: `page N` with the value N.
fn log_event(step: u64) -> Event {
    Event::Log {
        block: "print".to_owned(),
        label: Some(format!("page {step}")),
        level: switchyard_flow::LogLevel::Info,
        value: json!(step).into(),
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// Mean and 95th percentile of `times`.
fn mean_p95(times: &mut [f64]) -> (f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p95_index = ((times.len() as f64 * 0.95).ceil() as usize).saturating_sub(1).min(times.len() - 1);
    let p95 = times.get(p95_index).copied().unwrap_or(mean);
    (mean, p95)
}
