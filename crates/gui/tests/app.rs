//! The app as a user drives it (egui_kittest): build Start → Send Request → Log, press
//! Run, read the console; failures light the Failure port; Stop cancels; secrets stay
//! masked. HTTP goes to a real server on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../../engine/tests/server/mod.rs"]
mod server;

use common::{Fixture, step_until};
use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use egui_snarl::{InPinId, OutPinId};
use server::TestServer;
use switchyard_engine::Outcome;
use switchyard_flow::{BlockKind, Flow};
use switchyard_gui::document::{Document, NewBlock};
use switchyard_gui::{AppOptions, BlockStatus, SwitchyardApp};
use switchyard_vault::{Variable, Variables};

/// A flow file holding only a Start block.
fn fixture() -> Fixture {
    Fixture::with_flow("new.flow.json", &Flow::new("Built in a test"))
}

fn harness<'a>(fixture: &Fixture, variables: Variables) -> Harness<'a, SwitchyardApp> {
    fixture.app(AppOptions { variables, ..AppOptions::default() }, 2)
}

/// Adds Send Request and Log blocks as the canvas does, and wires Start → request → Log
/// on `port`. Returns the request block's id.
fn build_request_flow(
    harness: &mut Harness<'_, SwitchyardApp>,
    url: &str,
    headers: &[(&str, &str)],
    port: &str,
) -> String {
    let app = harness.state_mut();
    let document: &mut Document = app.document_mut();
    let request = document.add_block(NewBlock(&switchyard_flow::SendRequest::TYPE), Pos2::new(260.0, 120.0));
    let log = document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::new(560.0, 120.0));
    let start = document.node_of("start").unwrap();
    let request_block = &mut document.snarl.get_node_mut(request).unwrap().block;
    let BlockKind::SendRequest(send) = &mut request_block.kind else { panic!("not a request") };
    send.url = url.to_owned();
    send.headers = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
    send.timeout_ms = 10_000;
    let request_id = request_block.id.clone();
    let output = if port == "success" { 0 } else { 1 };
    assert!(Document::connect(
        &mut document.snarl,
        &mut document.wires,
        OutPinId { node: start, output: 0 },
        InPinId { node: request, input: 0 }
    ));
    assert!(Document::connect(
        &mut document.snarl,
        &mut document.wires,
        OutPinId { node: request, output },
        InPinId { node: log, input: 0 }
    ));
    harness.run_steps(2);
    request_id
}

fn console_text(app: &SwitchyardApp) -> String {
    let mut text = app.console().visible_text();
    for line in app.console().lines() {
        if let Some(value) = &line.value {
            text.push_str(&value.to_string());
        }
    }
    text
}

#[test]
fn running_a_request_shows_the_response_in_the_console() {
    let fixture = fixture();
    let server = fixture.runtime.block_on(TestServer::start());
    let mut harness = harness(&fixture, Variables::new());
    let request = build_request_flow(&mut harness, &server.url("/token"), &[], "success");

    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());

    let app = harness.state();
    assert_eq!(app.outcome(), Some(Outcome::Ok));
    assert!(
        matches!(&app.statuses()[&request], BlockStatus::Finished { port, summary } if *port == switchyard_flow::Port::Success && summary.starts_with("200 · "))
    );
    assert!(console_text(app).contains("tok-123"), "the response body is in the console: {}", console_text(app));
    assert_eq!(server.seen().len(), 1);
    assert!(harness.query_all_by_label_contains("run ok").next().is_some(), "the outcome is shown");
    // On the canvas: the block's result, and a marker on each wire that carried a value
    // (Start → request, request → Log); hovering it shows the value.
    assert!(harness.query_all_by_label_contains("200 · ").next().is_some(), "the block shows 200 · N ms");
    assert_eq!(harness.query_all_by_label("value carried").count(), 2, "both wires carried a value");
}

#[test]
fn a_second_run_is_set_apart_in_the_console_or_clears_it() {
    let fixture = fixture();
    let server = fixture.runtime.block_on(TestServer::start());
    let mut harness = harness(&fixture, Variables::new());
    build_request_flow(&mut harness, &server.url("/token"), &[], "success");
    // A run has ended once the console has its summary line (the Nth for the Nth run).
    let runs_ended =
        |app: &SwitchyardApp| app.console().lines().iter().filter(|l| l.message.starts_with("✔ ok")).count();
    for run in 1..=2 {
        harness.get_by_label("▶ Run").click();
        step_until(&mut harness, "the run to end", |app| runs_ended(app) == run && !app.is_running());
    }
    let lines: Vec<String> = harness.state().console().lines().iter().map(|l| l.message.clone()).collect();
    let separator = lines.iter().position(|l| l == "── run 2 ──").expect("a line between the runs");
    assert!(lines[..separator].iter().any(|l| l.starts_with("run started")));
    assert!(lines[separator..].iter().any(|l| l.starts_with("run started")));

    harness.get_by_label("Clear on run").click();
    harness.run_steps(1);
    harness.get_by_label("▶ Run").click();
    // Cleared, then this run's lines: one summary line, after its own start.
    step_until(&mut harness, "the run to end", |app| {
        runs_ended(app) == 1
            && !app.is_running()
            && !app.console().lines().iter().any(|l| l.message.starts_with("── run"))
    });
    let lines: Vec<String> = harness.state().console().lines().iter().map(|l| l.message.clone()).collect();
    assert!(!lines.iter().any(|l| l.starts_with("── run")), "{lines:?}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("run started")).count(), 1, "only the last run: {lines:?}");
}

#[test]
fn a_failing_request_fires_failure_and_logs_the_error() {
    let fixture = fixture();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let mut harness = harness(&fixture, Variables::new());
    let request = build_request_flow(&mut harness, &dead, &[], "failure");

    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());

    let app = harness.state();
    assert!(
        matches!(&app.statuses()[&request], BlockStatus::Finished { port, .. } if *port == switchyard_flow::Port::Failure)
    );
    let text = console_text(app);
    assert!(text.contains("cannot connect"), "{text}");
    assert_eq!(app.outcome(), Some(Outcome::Ok), "the failure was wired to the Log block");
}

#[test]
fn stop_cancels_a_slow_request() {
    let fixture = fixture();
    let server = fixture.runtime.block_on(TestServer::start());
    let arrived = server.slow_arrived();
    let dropped = server.slow_dropped();
    let mut harness = harness(&fixture, Variables::new());
    let request = build_request_flow(&mut harness, &server.url("/slow"), &[], "success");

    harness.get_by_label("▶ Run").click();
    harness.step();
    fixture.runtime.block_on(arrived.notified());
    step_until(&mut harness, "the Stop button", |app| app.is_running());
    harness.get_by_label("■ Stop").click();
    step_until(&mut harness, "the run to stop", |app| !app.is_running());
    fixture.runtime.block_on(dropped.notified());

    assert_eq!(harness.state().outcome(), Some(Outcome::Cancelled));
    assert_eq!(harness.state().statuses()[&request], BlockStatus::Cancelled, "the stopped block says so");
    assert!(harness.query_by_label("cancelled").is_some(), "on the canvas");
}

#[test]
fn a_secret_never_shows_in_the_console() {
    let secret = "sk-gui-UNIQUE-5e77";
    let fixture = fixture();
    let server = fixture.runtime.block_on(TestServer::start());
    let variables: Variables = [Variable::secret("auth", format!("Bearer {secret}"))].into_iter().collect();
    let mut harness = harness(&fixture, variables);
    build_request_flow(&mut harness, &server.url("/echo"), &[("Authorization", "{{auth}}")], "success");

    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());

    assert_eq!(server.seen()[0].headers["authorization"], format!("Bearer {secret}"));
    let text = console_text(harness.state());
    assert!(!text.contains(secret) && !text.contains("UNIQUE-5e77"), "{text}");
    assert!(text.contains("*****"), "the echoed secret is masked: {text}");
}

#[test]
fn opening_an_example_and_saving_without_edits_writes_the_same_bytes() {
    let fixture = fixture();
    let example = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows/openai-first-model.flow.json");
    let original = std::fs::read(&example).unwrap();
    let copy = fixture.flow_path.with_file_name("copy.flow.json");
    std::fs::write(&copy, &original).unwrap();
    let mut harness = fixture.app(AppOptions { flow: Some(copy.clone()), ..AppOptions::default() }, 3);
    assert_eq!(harness.state().title(), "Switchyard — OpenAI: list models, then fetch the first (copy.flow.json)");
    std::fs::write(&copy, b"overwritten").unwrap();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run_steps(2);
    assert_eq!(std::fs::read(&copy).unwrap(), original);

    harness.state_mut().document_mut().add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::new(0.0, 0.0));
    harness.run_steps(2);
    assert!(harness.state().title().ends_with(" •"), "unsaved marker: {}", harness.state().title());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run_steps(2);
    assert!(!harness.state().title().ends_with('•'), "{}", harness.state().title());
    let saved = switchyard_flow::load(&copy).unwrap();
    assert!(saved.block("log").is_some());
}
