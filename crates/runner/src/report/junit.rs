//! `--report-junit FILE`: JUnit XML as Jenkins, GitLab and GitHub's test reporters read
//! it, written with `quick-junit` (docs/cli.md).
//!
//! A `testsuite` per flow, named by the flow's `name`, with its file as a property; a
//! `testcase` per Send Request block run (named by the block id) and per check (`BLOCK:
//! CHECK NAME`), with `time` in seconds and a `failure` whose `type` is the error kind
//! (`timeout`, `check_failed`, `status`, …) and whose message is the masked message.
//! An expression error is an `error` case named by its block. A run that hit the step
//! limit or was cancelled gets an `error` case `run`; a flow that never started, one
//! `skipped` case `run`. A flow that sent more events than a report keeps
//! ([`super::keep`]) has the property `events_left_out`: its later cases are not listed.
//!
//! The file is always XML 1.0 that parses: every text from a flow or a server goes
//! through [`xml_text`], which shows control characters escaped (`\u{1b}`) and so
//! every character XML 1.0 does not allow (`\u{fffe}`, `\u{ffff}`).

use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use switchyard_engine::Outcome;
use switchyard_flow::escape_controls;

use super::{CaseKind, FlowReport, cases};

/// The report as XML.
pub fn render(flows: &[FlowReport]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("switchyard");
    let mut total = Duration::ZERO;
    for flow in flows {
        let mut suite = TestSuite::new(xml_text(&flow.name));
        suite.add_property(Property::new("file", xml_text(&flow.file)));
        match &flow.ran {
            None => {
                let mut status = TestCaseStatus::skipped();
                status.set_message("not run: an earlier flow was not ok (--bail), or the run was cancelled");
                suite.add_test_case(TestCase::new("run", status));
            }
            Some(ran) => {
                if ran.left_out > 0 {
                    suite.add_property(Property::new("events_left_out", ran.left_out.to_string()));
                }
                let duration = Duration::from_millis(ran.summary.duration_ms);
                suite.set_time(duration);
                total += duration;
                for case in cases(&ran.events) {
                    let status = match &case.failure {
                        None => TestCaseStatus::success(),
                        Some((kind, message)) => {
                            let error = matches!(case.kind, CaseKind::BlockError);
                            let mut status = TestCaseStatus::non_success(if error {
                                NonSuccessKind::Error
                            } else {
                                NonSuccessKind::Failure
                            });
                            status.set_type(xml_text(kind)).set_message(xml_text(message));
                            status
                        }
                    };
                    let mut test_case = TestCase::new(xml_text(&case.name), status);
                    test_case.set_classname(xml_text(&flow.name));
                    test_case.set_time(Duration::from_millis(case.duration_ms));
                    suite.add_test_case(test_case);
                }
                let stopped = match ran.summary.outcome {
                    Outcome::Limit => Some(("limit", "the run stopped at the step limit (raise it with --max-steps)")),
                    Outcome::Cancelled => Some(("cancelled", "the run was cancelled")),
                    Outcome::Ok | Outcome::Failed => None,
                };
                if let Some((kind, message)) = stopped {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                    status.set_type(kind).set_message(message);
                    suite.add_test_case(TestCase::new("run", status));
                }
            }
        }
        report.add_test_suite(suite);
    }
    report.set_time(total);
    report.to_string()
}

/// `text` as XML 1.0 allows it: control characters shown escaped (`\u{1b}`, `\n`), and
/// so the noncharacters U+FFFE and U+FFFF (the other characters XML 1.0 forbids are
/// control characters or surrogates, which a Rust string cannot hold).
pub fn xml_text(text: &str) -> String {
    let text = escape_controls(text);
    if !text.contains(['\u{fffe}', '\u{ffff}']) {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_xml_char(c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_xml_forbids_is_shown_escaped() {
        let text = "a\u{fffe}b\u{ffff}c\u{1}d\u{1b}e\tf\u{10fffe}g\u{fffd}";
        let shown = xml_text(text);
        assert_eq!(shown, "a\\u{fffe}b\\u{ffff}c\\u{1}d\\u{1b}e\\tf\u{10fffe}g\u{fffd}");
        assert!(shown.chars().all(is_xml_char));
    }
}
