//! `--report-json FILE`: `{"outcome", "flows": [{"file", "name", "outcome",
//! "duration_ms", "events": [...]}]}`. The events are the ones `--format json` prints,
//! masked by the engine and again with the run's final secrets, bodies longer than
//! `--report-body-limit` cut with a marker ([`super::keep`]). A flow that sent more
//! events than a report keeps has `"events_left_out": N` (its first events and its
//! `run_finished` are kept). A flow that never started has outcome `not_run`,
//! `duration_ms` 0 and no events.

use serde::Serialize;
use switchyard_engine::Event;

use super::{FlowOutcome, FlowReport, Overall};

#[derive(Serialize)]
struct Report<'a> {
    outcome: Overall,
    flows: Vec<Flow<'a>>,
}

#[derive(Serialize)]
struct Flow<'a> {
    file: &'a str,
    name: &'a str,
    outcome: FlowOutcome,
    duration_ms: u64,
    events: Vec<&'a Event>,
    #[serde(skip_serializing_if = "is_zero")]
    events_left_out: u64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// The report, pretty-printed, ending in a newline.
pub fn render(flows: &[FlowReport], cancelled: bool) -> String {
    let report = Report {
        outcome: super::overall(flows, cancelled),
        flows: flows
            .iter()
            .map(|flow| Flow {
                file: &flow.file,
                name: &flow.name,
                outcome: flow.outcome(),
                duration_ms: flow.ran.as_ref().map_or(0, |ran| ran.summary.duration_ms),
                events: flow.ran.iter().flat_map(|ran| ran.events.iter().map(|timed| &timed.event)).collect(),
                events_left_out: flow.ran.as_ref().map_or(0, |ran| ran.left_out),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
