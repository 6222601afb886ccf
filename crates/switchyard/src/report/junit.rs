//! `--report-junit FILE`: JUnit XML as Jenkins, GitLab and GitHub's test reporters read
//! it, written with `quick-junit` (DESIGN §8).
//!
//! A `testsuite` per flow, named by the flow's `name`, with its file as a property; a
//! `testcase` per Send Request block run (named by the block id) and per check (`BLOCK:
//! CHECK NAME`), with `time` in seconds and a `failure` whose `type` is the error kind
//! (`timeout`, `check_failed`, `status`, …) and whose message is the masked message.
//! An expression error is an `error` case named by its block. A run that hit the step
//! limit or was cancelled gets an `error` case `run`; a flow that never started, one
//! `skipped` case `run`.

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
        let mut suite = TestSuite::new(escape_controls(&flow.name));
        suite.add_property(Property::new("file", escape_controls(&flow.file)));
        match &flow.ran {
            None => {
                let mut status = TestCaseStatus::skipped();
                status.set_message("not run: an earlier flow was not ok (--bail), or the run was cancelled");
                suite.add_test_case(TestCase::new("run", status));
            }
            Some(ran) => {
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
                            status.set_type(kind.as_str()).set_message(escape_controls(message));
                            status
                        }
                    };
                    let mut test_case = TestCase::new(escape_controls(&case.name), status);
                    test_case.set_classname(escape_controls(&flow.name));
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
