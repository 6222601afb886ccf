//! The app's memory over many runs of a large response (a ~6.6 MB JSON body, logged by
//! a Log block): it stops growing after the first run. The engine fires one shared
//! value (the Log event and the Log block's output are the response itself), the
//! console holds it once, and when a run ends the large values of every run, the one
//! that just ended included, become deflated compact JSON text (about a hundredth of
//! their parsed size; read again when their line is selected), except the selected
//! line's. The texts are written on a worker thread (the test waits for them to be in
//! place); the inspector's previews share them and parse one again only for the block
//! shown. Then the app gives the freed memory back to the system (glibc's
//! `malloc_trim`). What is asserted: every run keeps its lines and its large values as
//! text (the last run's too; read again, the logged one is the response), the first
//! run's line stays selected, the console keeps within its budget, and after ten runs
//! the resident set is within [`MAX_GROWTH`] (1.5×) of after one: 0.97–1.03× measured,
//! one parsed response held (the selected line's, shown in the viewer's window) and
//! small texts. Before the last run's values were made text too, it was
//! 1.52–1.61× (two parsed responses of ~80 MiB each from the second run on); before
//! any of this, each run kept two more copies of its ~52 MiB value for good (180 MB
//! became 2.08 GB after four runs). BENCHMARKS.md has the figures.
//!
//! The app is driven headless (egui_kittest) against an axum server in this process;
//! this file is its own test binary, so the resident set measured (`VmRSS` in
//! `/proc/self/status`) is this test's alone. The figures are printed:
//!
//! ```sh
//! cargo test -p switchyard-gui --test memory -- --nocapture
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::fmt::Write as _;

use common::{Fixture, step_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use switchyard_engine::Outcome;
use switchyard_flow::{Block, BlockKind, Flow, LogBlock, Port, PortRef, SendRequest, Wire};
use switchyard_gui::{AppOptions, SwitchyardApp};

/// Runs measured.
const RUNS: usize = 10;
/// The console's budget of response data in this test (View → Console), in MiB: the
/// default. `SWITCHYARD_CONSOLE_BUDGET_MIB` sets another.
const BUDGET_MIB: usize = 256;
/// How many times the resident set after one run it may be after ten (0.97–1.03×
/// measured: nine more small texts; the rest is margin for the allocator, whose share
/// varies from run to run).
const MAX_GROWTH: f64 = 1.5;

/// A JSON document of about 6.6 MB: a list API's page of 40,000 records.
fn big_json() -> String {
    let mut text = String::from("{\"total\": 40000, \"items\": [");
    for i in 0..40_000 {
        if i > 0 {
            text.push(',');
        }
        write!(
            text,
            "{{\"id\": {i}, \"name\": \"user {i}\", \"email\": \"user{i}@example.com\", \"active\": {}, \
             \"score\": {}.5, \"tags\": [\"alpha\", \"beta\"], \"address\": {{\"city\": \"Paris\", \"zip\": \"750{:02}\"}}}}",
            i % 2 == 0,
            i % 100,
            i % 100
        )
        .unwrap();
    }
    text.push_str("]}");
    text
}

/// The resident set of this process, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).expect("VmRSS in /proc/self/status");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

fn run_once(harness: &mut Harness<'_, SwitchyardApp>, runs_before: usize) {
    harness.get_by_label("▶ Run").click();
    harness.run_steps(2);
    step_until(harness, "the run to end", |app| {
        !app.is_running()
            && !app.is_compacting()
            && app.outcome() == Some(Outcome::Ok)
            && app.console().lines().iter().filter(|line| line.message.starts_with("✔ ok")).count() > runs_before
    });
    harness.run_steps(3);
}

#[test]
fn memory_stops_growing_over_ten_runs_of_a_big_response() {
    let body = big_json();
    let body_len = body.len();
    assert!((6_000_000..7_500_000).contains(&body_len), "{body_len} bytes");

    let mut flow = Flow::new("Big response");
    let fixture = Fixture::with_flow("big.flow.json", &flow);
    let listener = fixture.runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/users",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    fixture.runtime.spawn(async move { axum::serve(listener, app).await });

    let mut request = SendRequest::new(format!("http://{addr}/users"));
    request.timeout_ms = 60_000;
    flow.blocks.push(Block { id: "users".to_owned(), at: [300.0, 120.0], kind: BlockKind::SendRequest(request) });
    flow.blocks.push(Block { id: "show".to_owned(), at: [680.0, 120.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.wires.push(Wire { from: PortRef::new("start", Port::Out), to: PortRef::new("users", Port::In) });
    flow.wires.push(Wire { from: PortRef::new("users", Port::Success), to: PortRef::new("show", Port::In) });
    switchyard_flow::save(&fixture.flow_path, &flow).unwrap();

    // After the first run, its response is shown in the viewer's window as a tree.
    let mut harness = fixture.app(AppOptions { show_response: true, ..AppOptions::default() }, 3);
    let budget =
        std::env::var("SWITCHYARD_CONSOLE_BUDGET_MIB").ok().and_then(|mib| mib.parse().ok()).unwrap_or(BUDGET_MIB);
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(switchyard_gui::Action::SetConsoleBudget(budget * 1024 * 1024), &ctx);
    let before = resident_bytes();
    run_once(&mut harness, 0);
    assert!(harness.state().console().viewer_window_open(), "the response is shown");
    let after_one = resident_bytes();
    let mut figures = vec![after_one];
    let mut held = vec![harness.state().console().held_bytes() as u64];
    for run in 1..RUNS {
        run_once(&mut harness, run);
        figures.push(resident_bytes());
        held.push(harness.state().console().held_bytes() as u64);
    }
    let after_ten = resident_bytes();

    let console = harness.state().console();
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    eprintln!(
        "response {:.1} MiB; resident before {:.0} MiB, after each run: {}; console holds (MiB) {} (budget {:.0} MiB)",
        mib(body_len as u64),
        mib(before),
        figures.iter().map(|bytes| format!("{:.0}", mib(*bytes))).collect::<Vec<_>>().join(", "),
        held.iter().map(|bytes| format!("{:.0}", mib(*bytes))).collect::<Vec<_>>().join(", "),
        mib(console.budget() as u64),
    );
    assert!(console.held_bytes() <= console.budget(), "the console keeps within its budget");
    let dropped = console.lines().iter().filter(|line| line.value_dropped).count();
    if dropped > 0 {
        assert!(
            console.lines().iter().any(|line| line.message.starts_with("values of run 1 dropped")),
            "a line says so"
        );
    }
    let compacted: Vec<u64> =
        console.lines().iter().filter(|line| line.compacted.is_some()).map(|line| line.run).collect();
    assert!(
        dropped > 0 || (1..RUNS as u64).all(|run| compacted.contains(&run)),
        "every earlier run's value is kept as text (or dropped past the budget): {compacted:?}"
    );
    let selected = console.selected_line().cloned();
    let last_run: Vec<_> = console.lines().iter().filter(|line| line.run == RUNS as u64).collect();
    assert!(
        last_run
            .iter()
            .all(|line| line.compacted.is_some()
                || line.value.as_ref().is_none_or(|value| value.to_string().len() < 65_536)),
        "the last run's large values are text too"
    );
    assert!(selected.as_ref().is_some_and(|line| line.run == 1), "run 1's response stays selected");
    let expected: serde_json::Value = serde_json::from_str(&big_json()).unwrap();
    let logged = last_run.iter().find(|line| line.block.as_deref() == Some("show")).unwrap();
    let read = logged.compacted.as_ref().unwrap().value().unwrap();
    assert!(read["status"] == 200 && read["body"] == expected, "read again, it is the response");
    assert!(
        console.lines().iter().filter(|line| line.message.starts_with("success: 200")).count() == RUNS,
        "every run keeps its lines"
    );
    eprintln!("after ten runs: {:.2}× of after one", after_ten as f64 / after_one as f64);
    assert!(
        after_ten as f64 <= MAX_GROWTH * after_one as f64,
        "resident after one run {:.0} MiB, after ten {:.0} MiB: more than {MAX_GROWTH}×",
        mib(after_one),
        mib(after_ten)
    );
}
