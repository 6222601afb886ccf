//! The run loop through its public API: what an observer is told, `bail`, the step
//! limit, cancellation, an observer whose output fails, the kept events and the
//! summary's outcomes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::io;
use std::sync::Arc;

use common::{Notes, Told, flow, logging, requesting, write};
use serde_json::json;
use switchyard_runner::report::{FlowOutcome, Overall};
use switchyard_runner::{Error, LoadedFlow, RunConfig, RunSummary, load_flows, run_flows};
use switchyard_vault::{Variable, Variables};
use tokio_util::sync::CancellationToken;

fn config() -> RunConfig {
    RunConfig { max_steps: 100, max_connections: 8, jobs: 1, bail: false, keep_events: None }
}

async fn run(
    flows: &[LoadedFlow],
    variables: Variables,
    config: &RunConfig,
    stop: &CancellationToken,
    notes: &mut Notes,
) -> Result<RunSummary, Error> {
    let engine = config.engine()?;
    run_flows(&engine, flows, &Arc::new(variables), config, stop, notes).await
}

fn outcomes(summary: &RunSummary) -> Vec<FlowOutcome> {
    summary.flows.iter().map(|flow| flow.outcome()).collect()
}

#[tokio::test]
async fn the_observer_is_told_each_flow_start_its_events_and_its_end_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.flow.json", &logging("first", "x", "info"));
    let b = write(dir.path(), "b.flow.json", &logging("second", "x", "info"));
    let flows = load_flows(&[a, b]).unwrap();
    let mut notes = Notes::default();
    let summary = run(&flows, Variables::new(), &config(), &CancellationToken::new(), &mut notes).await.unwrap();

    let told = notes.told.borrow().clone();
    let started = |index, name: &str| Told::Started { index, name: name.to_owned(), undefined: Vec::new() };
    let finished = |index| Told::Finished { index, outcome: "ok".to_owned() };
    assert_eq!(told.first(), Some(&started(0, "first")));
    let end_of_first = told.iter().position(|t| *t == finished(0)).unwrap();
    assert_eq!(told.get(end_of_first + 1), Some(&started(1, "second")), "one at a time: {told:?}");
    assert_eq!(told.last(), Some(&finished(1)));
    let events: Vec<&str> = told
        .iter()
        .filter_map(|t| match t {
            Told::Event { index: 0, event } => Some(event.as_str()),
            _ => None,
        })
        .collect();
    assert!(events.contains(&"log") && events.last() == Some(&"run_finished"), "{events:?}");

    assert_eq!(outcomes(&summary), [FlowOutcome::Ok, FlowOutcome::Ok]);
    assert_eq!(summary.outcome(), Overall::Ok);
    assert!(summary.all_ok() && !summary.cancelled);
    let ran = summary.flows[0].ran.as_ref().unwrap();
    assert!(ran.events.is_empty(), "no events are kept without a report");
}

#[tokio::test]
async fn events_are_kept_for_the_reports_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.flow.json", &logging("first", "x", "info"));
    let flows = load_flows(&[path]).unwrap();
    let config = RunConfig { keep_events: Some(1024), ..config() };
    let summary =
        run(&flows, Variables::new(), &config, &CancellationToken::new(), &mut Notes::default()).await.unwrap();
    let ran = summary.flows[0].ran.as_ref().unwrap();
    let kept: Vec<String> = ran
        .events
        .iter()
        .map(|timed| serde_json::to_value(&timed.event).unwrap()["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept.last().map(String::as_str), Some("run_finished"), "{kept:?}");
    assert!(kept.iter().any(|event| event == "log"), "{kept:?}");
}

#[tokio::test]
async fn bail_starts_no_flow_after_one_that_is_not_ok() {
    let dir = tempfile::tempdir().unwrap();
    let failing = write(dir.path(), "a.flow.json", &logging("fails", "bad", "error"));
    let fine = write(dir.path(), "b.flow.json", &logging("fine", "x", "info"));
    let flows = load_flows(&[failing, fine]).unwrap();

    let bail = RunConfig { bail: true, ..config() };
    let mut notes = Notes::default();
    let summary = run(&flows, Variables::new(), &bail, &CancellationToken::new(), &mut notes).await.unwrap();
    assert_eq!(outcomes(&summary), [FlowOutcome::Failed, FlowOutcome::NotRun]);
    assert_eq!(summary.outcome(), Overall::Failed);
    assert!(!summary.all_ok());
    assert!(!notes.told.borrow().iter().any(|t| matches!(t, Told::Started { index: 1, .. })));

    let summary =
        run(&flows, Variables::new(), &config(), &CancellationToken::new(), &mut Notes::default()).await.unwrap();
    assert_eq!(outcomes(&summary), [FlowOutcome::Failed, FlowOutcome::Ok], "without bail every flow runs");
}

#[tokio::test]
async fn a_wired_loop_stops_at_the_step_limit() {
    let dir = tempfile::tempdir().unwrap();
    let looping = flow(
        "loop",
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "log": {"type": "log", "at": [200, 0]},
            "log2": {"type": "log", "at": [400, 0]}
        }),
        json!([["start.out", "log.in"], ["log.out", "log2.in"], ["log2.out", "log.in"]]),
    );
    let flows = load_flows(&[write(dir.path(), "loop.flow.json", &looping)]).unwrap();
    let config = RunConfig { max_steps: 5, ..config() };
    let summary =
        run(&flows, Variables::new(), &config, &CancellationToken::new(), &mut Notes::default()).await.unwrap();
    assert_eq!(outcomes(&summary), [FlowOutcome::Limit]);
    assert_eq!(summary.outcome(), Overall::Failed);
}

#[tokio::test]
async fn a_cancelled_run_starts_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.flow.json", &logging("first", "x", "info"));
    let flows = load_flows(&[path]).unwrap();
    let stop = CancellationToken::new();
    stop.cancel();
    let mut notes = Notes::default();
    let summary = run(&flows, Variables::new(), &config(), &stop, &mut notes).await.unwrap();
    assert_eq!(outcomes(&summary), [FlowOutcome::NotRun]);
    assert!(summary.cancelled);
    assert_eq!(summary.outcome(), Overall::Cancelled);
    assert!(notes.told.borrow().is_empty());
}

#[tokio::test]
async fn an_observer_whose_reader_went_away_cancels_the_run_but_not_the_callers_token() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.flow.json", &logging("first", "x", "info"));
    let b = write(dir.path(), "b.flow.json", &logging("second", "x", "info"));
    let flows = load_flows(&[a, b]).unwrap();
    let stop = CancellationToken::new();
    let mut notes = Notes { fail: Some(io::ErrorKind::BrokenPipe), ..Notes::default() };
    let summary = run(&flows, Variables::new(), &config(), &stop, &mut notes).await.unwrap();
    assert!(summary.cancelled);
    assert_eq!(summary.flows[1].outcome(), FlowOutcome::NotRun, "no flow starts once the output is gone");
    assert!(!stop.is_cancelled(), "the caller's token is the caller's");
}

#[tokio::test]
async fn an_observer_that_cannot_write_for_another_reason_is_an_environment_error() {
    let dir = tempfile::tempdir().unwrap();
    let flows = load_flows(&[write(dir.path(), "a.flow.json", &logging("first", "x", "info"))]).unwrap();
    let mut notes = Notes { fail: Some(io::ErrorKind::StorageFull), ..Notes::default() };
    let error = run(&flows, Variables::new(), &config(), &CancellationToken::new(), &mut notes).await.unwrap_err();
    assert!(matches!(error, Error::Environment(_)), "{error:?}");
    assert!(error.to_string().contains("cannot write the run's output"), "{error}");
}

#[tokio::test]
async fn the_observer_learns_which_names_are_undefined() {
    let dir = tempfile::tempdir().unwrap();
    // Port 9 (discard) is never reached: the undefined name fails the request first.
    let path = write(dir.path(), "a.flow.json", &requesting("calls", "http://127.0.0.1:9/{{known}}/{{missing}}"));
    let flows = load_flows(&[path]).unwrap();
    let variables: Variables = [Variable::plain("known", "k")].into_iter().collect();
    let mut notes = Notes::default();
    let summary = run(&flows, variables, &config(), &CancellationToken::new(), &mut notes).await.unwrap();
    let told = notes.told.borrow();
    assert_eq!(
        told.first(),
        Some(&Told::Started { index: 0, name: "calls".to_owned(), undefined: vec!["missing".to_owned()] })
    );
    assert_eq!(outcomes(&summary), [FlowOutcome::Failed]);
}

#[tokio::test]
async fn with_jobs_several_flows_start_before_any_ends() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.flow.json", &logging("first", "x", "info"));
    let b = write(dir.path(), "b.flow.json", &logging("second", "x", "info"));
    let c = write(dir.path(), "c.flow.json", &logging("third", "x", "info"));
    let flows = load_flows(&[a, b, c]).unwrap();
    let config = RunConfig { jobs: 2, ..config() };
    let mut notes = Notes::default();
    let summary = run(&flows, Variables::new(), &config, &CancellationToken::new(), &mut notes).await.unwrap();
    let told = notes.told.borrow();
    let starts: Vec<usize> = told
        .iter()
        .take(2)
        .filter_map(|t| match t {
            Told::Started { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(starts, [0, 1], "two at once: {told:?}");
    let third = told.iter().position(|t| matches!(t, Told::Started { index: 2, .. })).unwrap();
    assert!(told.iter().take(third).any(|t| matches!(t, Told::Finished { .. })), "the third waits for a place");
    assert_eq!(outcomes(&summary), [FlowOutcome::Ok; 3]);
}

/// An observer that shows nothing and can be sent between threads.
struct Quiet;

impl switchyard_runner::FlowObserver for Quiet {
    fn event(&mut self, _event: &switchyard_engine::Event) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl switchyard_runner::Observer for Quiet {
    type Flow = Quiet;

    fn flow_started(&mut self, _index: usize, _flow: &LoadedFlow, _undefined: Vec<String>) -> Quiet {
        Quiet
    }

    fn flow_finished(
        &mut self,
        _index: usize,
        _observer: Quiet,
        _ran: &switchyard_runner::report::Ran,
    ) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_a_sendable_observer_can_be_spawned_on_any_thread() {
    let dir = tempfile::tempdir().unwrap();
    let flows = load_flows(&[write(dir.path(), "a.flow.json", &logging("first", "x", "info"))]).unwrap();
    let config = RunConfig { keep_events: Some(1024), ..config() };
    let engine = config.engine().unwrap();
    let variables = Arc::new(Variables::new());
    // What a server front end does: each run a task of its own on a multi-threaded runtime.
    let summary = tokio::spawn(async move {
        let stop = CancellationToken::new();
        run_flows(&engine, &flows, &variables, &config, &stop, &mut Quiet).await
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(summary.outcome(), Overall::Ok);
    assert!(!summary.flows[0].ran.as_ref().unwrap().events.is_empty(), "events kept on another thread");
}
