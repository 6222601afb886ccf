//! Frame cost of the run console with 100,000 lines against an empty console.
//!
//! ```sh
//! cargo bench -p switchyard-gui --bench console
//! ```
//!
//! Headless: an `egui::Context` runs the console in a `CentralPanel` of 1280×720 points
//! (more rows on screen than the app's bottom panel ever shows), 10 warm-up frames, then
//! 200 timed frames, each with the layout pass (`Context::run_ui`) timed on its own and
//! then with tessellation. Also times a filter change over the 100,000 lines (the one
//! time the console walks every line). Goal: 100k lines cost at most 1 ms more per frame
//! than an empty console.

use std::hint::black_box;
use std::time::{Duration, Instant};

use egui::{CentralPanel, Context, Pos2, RawInput, Rect, Vec2};
use serde_json::json;
use switchyard_engine::{Counts, Event, Outcome};
use switchyard_gui::Console;

const WARM_UP_FRAMES: usize = 10;
const TIMED_FRAMES: usize = 200;
const LINES: usize = 100_000;

fn main() {
    let empty = Console::new();
    let full = console_with_lines(LINES);
    println!("console frame cost, {TIMED_FRAMES} frames after {WARM_UP_FRAMES} warm-up, 1280x720 points");
    println!("{:<28} {:>10} {:>10} {:>14} {:>14}", "", "ui mean", "ui p95", "+tess mean", "+tess p95");
    let empty_stats = report("empty console", empty);
    let full_stats = report(&format!("{LINES} lines"), full);
    println!(
        "difference (100k − empty): ui mean {:+.3} ms, ui p95 {:+.3} ms; with tessellation mean {:+.3} ms, p95 {:+.3} ms",
        full_stats.ui_mean - empty_stats.ui_mean,
        full_stats.ui_p95 - empty_stats.ui_p95,
        full_stats.total_mean - empty_stats.total_mean,
        full_stats.total_p95 - empty_stats.total_p95,
    );

    let mut filtering = console_with_lines(LINES);
    let mut filter_times = Vec::new();
    for filter in ["fetch", "fetch_users", "200", "no such text", "LOG", ""] {
        let start = Instant::now();
        filtering.set_filter(filter);
        let took = ms(start.elapsed());
        filter_times.push(took);
        println!("  filter {filter:?}: {took:.3} ms, {} lines shown", black_box(filtering.visible_len()));
    }
    let (mean, max) = mean_max(&filter_times);
    println!("filter change over {LINES} lines: mean {mean:.3} ms, max {max:.3} ms");
}

/// Mean and p95 frame times, in milliseconds.
struct Stats {
    ui_mean: f64,
    ui_p95: f64,
    total_mean: f64,
    total_p95: f64,
}

/// Runs the console for the warm-up and timed frames and prints one row.
fn report(name: &str, mut console: Console) -> Stats {
    let ctx = Context::default();
    let mut ui_times = Vec::with_capacity(TIMED_FRAMES);
    let mut total_times = Vec::with_capacity(TIMED_FRAMES);
    for frame in 0..WARM_UP_FRAMES + TIMED_FRAMES {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 720.0))),
            time: Some(frame as f64 / 60.0),
            ..RawInput::default()
        };
        let start = Instant::now();
        let output = ctx.run_ui(input, |ui| {
            CentralPanel::default().show(ui, |ui| {
                black_box(console.ui(ui));
            });
        });
        let ui_time = start.elapsed();
        let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
        let total_time = start.elapsed();
        black_box(meshes);
        if frame >= WARM_UP_FRAMES {
            ui_times.push(ms(ui_time));
            total_times.push(ms(total_time));
        }
    }
    let (ui_mean, ui_p95) = mean_p95(&mut ui_times);
    let (total_mean, total_p95) = mean_p95(&mut total_times);
    println!("{name:<28} {ui_mean:>7.3} ms {ui_p95:>7.3} ms {total_mean:>11.3} ms {total_p95:>11.3} ms");
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
                port: "success".to_owned(),
                value: json!({"status": 200, "body": {"page": step, "users": [{"id": 1, "name": "Ada"}]}}),
                wired: true,
                summary: "200 · 84 ms".to_owned(),
            },
            2 => Event::Log { block: "print".to_owned(), label: Some(format!("page {step}")), value: json!(step) },
            _ => Event::BlockFinished {
                block: "fetch_users".to_owned(),
                port: "failure".to_owned(),
                value: json!({"error": {"kind": "timeout", "message": "no response within 30 s"}}),
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
