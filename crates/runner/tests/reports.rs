//! The reports of a run the runner ran: outcomes as their names, JUnit that parses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::sync::Arc;

use common::{logging, write};
use switchyard_runner::report::write::write_report;
use switchyard_runner::report::{json, junit};
use switchyard_runner::{Error, RunConfig, load_flows, run_flows};
use switchyard_vault::Variables;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_failed_and_a_flow_not_run_are_reported_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let failing = write(dir.path(), "a.flow.json", &logging("fails", "bad", "error"));
    let fine = write(dir.path(), "b.flow.json", &logging("fine", "x", "info"));
    let flows = load_flows(&[failing, fine]).unwrap();
    let config = RunConfig { max_steps: 100, max_connections: 8, jobs: 1, bail: true, keep_events: Some(1024) };
    let engine = config.engine().unwrap();
    let stop = CancellationToken::new();
    let mut notes = common::Notes::default();
    let summary = run_flows(&engine, &flows, &Arc::new(Variables::new()), &config, &stop, &mut notes).await.unwrap();

    let report: serde_json::Value = serde_json::from_str(&json::render(&summary.flows, summary.cancelled)).unwrap();
    assert_eq!(report["outcome"], "failed");
    assert_eq!(report["flows"][0]["outcome"], "failed");
    assert_eq!(report["flows"][1]["outcome"], "not_run");
    assert_eq!(report["flows"][1]["events"], serde_json::json!([]));

    let xml = junit::render(&summary.flows).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = document.descendants().filter(|node| node.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 2);
    assert!(suites[0].descendants().any(|node| node.has_tag_name("failure")), "the error log fails a case: {xml}");
    assert!(suites[1].descendants().any(|node| node.has_tag_name("skipped")), "{xml}");
}

#[cfg(unix)]
#[test]
fn a_report_through_a_link_replaces_the_file_it_names_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.xml");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.xml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    write_report(&link, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn a_report_is_not_written_over_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let error = write_report(dir.path(), b"x").unwrap_err();
    assert!(matches!(error, Error::Environment(_)), "{error:?}");
    assert!(error.to_string().contains("it is a folder"), "{error}");
}
