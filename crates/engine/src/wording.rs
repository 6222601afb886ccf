//! The words both front ends use for a run, so the console and the terminal say the
//! same thing: durations, sizes, plurals, a failure's message, the run summary.
//! The renderers say nothing per block type: what a block's run came to is the one-line
//! summary its executor (`blocks/NAME.rs`) puts on the port it fired, in these words.
//!
//! Its symbols (`✔`, `✖`, `■`, `·`) are ones the app's fonts draw as well as a
//! terminal does: egui's default fonts have no `✓`, `✗` or `✘`.

use serde_json::Value;

use crate::event::{Counts, Outcome};
use crate::value::ErrorView;

/// `1 block`, `2 blocks`.
pub fn plural(count: u64, noun: &str) -> String {
    if count == 1 { format!("{count} {noun}") } else { format!("{count} {noun}s") }
}

/// `84 ms`, `1.42 s`.
pub fn duration(ms: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // for display, to two decimals
    let seconds = ms as f64 / 1e3;
    if ms < 1_000 { format!("{ms} ms") } else { format!("{seconds:.2} s") }
}

/// `512 B`, `1.2 kB`, `3.4 MB`.
pub fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // for display, to one decimal
    let value = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", value / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", value / 1e6),
        _ => format!("{:.1} GB", value / 1e9),
    }
}

/// What kind of value this is, in a few words: `null`, `true`, `a number`, `a string`,
/// `3 items`, `an object`.
pub fn value_kind(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => "a number".to_owned(),
        Value::String(_) => "a string".to_owned(),
        Value::Array(items) => plural(items.len() as u64, "item"),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// The message of a failure value (a Send Request's), unless the block's summary
/// already says it.
pub fn failure_message(value: &Value, summary: &str) -> Option<String> {
    let message = ErrorView::of(value)?.message?;
    (!message.is_empty() && !summary.contains(message)).then(|| message.to_owned())
}

/// The run's headline (`✔ ok`, `✖ failed`, `■ cancelled`, `✖ limit: …`) and its details
/// (`1 unhandled failure`, `1 error logged`, `3 blocks`, `2 requests (1 ✔, 1 ✖)`, `142 ms`).
pub fn run_summary(outcome: Outcome, counts: &Counts, duration_ms: u64, max_steps: u64) -> (String, Vec<String>) {
    let headline = match outcome {
        Outcome::Ok => "✔ ok".to_owned(),
        Outcome::Failed => "✖ failed".to_owned(),
        Outcome::Cancelled => "■ cancelled".to_owned(),
        Outcome::Limit => format!("✖ limit: stopped after {} (raise it with --max-steps)", plural(max_steps, "step")),
    };
    let mut details = Vec::new();
    if outcome == Outcome::Failed || counts.unhandled > 0 {
        if counts.unhandled > 0 || (counts.errors == 0 && counts.error_logs == 0) {
            details.push(plural(counts.unhandled, "unhandled failure"));
        }
        if counts.errors > 0 {
            details.push(plural(counts.errors, "block error"));
        }
    }
    if counts.error_logs > 0 {
        details.push(format!("{} logged", plural(counts.error_logs, "error")));
    }
    details.push(plural(counts.blocks_run, "block"));
    let requests = counts.succeeded + counts.failed;
    if requests > 0 {
        details.push(format!("{} ({} ✔, {} ✖)", plural(requests, "request"), counts.succeeded, counts.failed));
    }
    details.push(duration(duration_ms));
    (headline, details)
}

/// The run summary on one line, as the terminal shows it (without colour):
/// `✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · 142 ms`.
pub fn run_summary_line(outcome: Outcome, counts: &Counts, duration_ms: u64, max_steps: u64) -> String {
    let (headline, details) = run_summary(outcome, counts, duration_ms, max_steps);
    let mut line = headline;
    for detail in details {
        line.push_str(" · ");
        line.push_str(&detail);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_durations_and_plurals_are_short() {
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1_240), "1.2 kB");
        assert_eq!(size(3_400_000), "3.4 MB");
        assert_eq!(duration(84), "84 ms");
        assert_eq!(duration(1_420), "1.42 s");
        assert_eq!(plural(1, "block"), "1 block");
        assert_eq!(plural(0, "block"), "0 blocks");
        assert_eq!(value_kind(&serde_json::json!([1, 2, 3])), "3 items");
    }

    #[test]
    fn the_summary_names_unhandled_failures_and_block_errors() {
        let counts = Counts { blocks_run: 3, failed: 1, unhandled: 1, errors: 1, ..Counts::default() };
        let (headline, details) = run_summary(Outcome::Failed, &counts, 42, 10);
        assert_eq!(headline, "✖ failed");
        assert_eq!(details, ["1 unhandled failure", "1 block error", "3 blocks", "1 request (0 ✔, 1 ✖)", "42 ms"]);
    }

    #[test]
    fn the_summary_names_values_logged_at_level_error() {
        let counts = Counts { blocks_run: 4, failed: 1, logged: 1, error_logs: 1, ..Counts::default() };
        let (headline, details) = run_summary(Outcome::Failed, &counts, 42, 10);
        assert_eq!(headline, "✖ failed");
        assert_eq!(details, ["1 error logged", "4 blocks", "1 request (0 ✔, 1 ✖)", "42 ms"]);
    }

    #[test]
    fn the_summary_line_is_the_headline_then_each_detail() {
        let counts = Counts { blocks_run: 3, succeeded: 1, ..Counts::default() };
        assert_eq!(run_summary_line(Outcome::Ok, &counts, 142, 10), "✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · 142 ms");
    }
}
