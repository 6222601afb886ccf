//! What the reports keep of a flow's events while it runs, within bounds, and how it is
//! made ready to write when the flow has ended.
//!
//! - **Bodies are cut.** A string longer than the report body limit
//!   (`--report-body-limit`, default [`DEFAULT_BODY_LIMIT`]) is cut to the limit, and
//!   an array or object whose JSON is longer than the limit, none of whose values is,
//!   and that has more than [`RECORD_ENTRIES`] of them, becomes the start of its JSON
//!   text, cut the same way: an 8 MB response body keeps its first MiB, the response's
//!   status and headers stay as they are. The cut text ends with a marker saying how
//!   many bytes were left out ([`marker`]).
//! - **Events are bounded.** A flow keeps at most [`MAX_EVENTS`] events, and all
//!   flows of a run together at most [`RUN_BUDGET`] bytes of them (an estimate of
//!   what they hold); once a flow reaches either bound, its later events are counted
//!   and left out, except its closing `run_finished`. So a wired loop of a million
//!   steps keeps what a report can show, and memory stays flat.
//! - **Masked with what the run knew at its end.** Events are masked by the engine as
//!   they are sent, with the secrets known then; a secret learned later in the run (a
//!   `set` with `secret: true`) may be in earlier events. [`Keeper::finish`] masks
//!   every kept event again with the run's final redactor, and only then cuts bodies
//!   to the limit.
//!
//! Why cutting happens twice: a text is cut when kept to the limit plus [`GUARD`]
//! bytes, and to the limit after the final masking. A secret learned late that
//! straddles the limit is then still whole when it is masked, so no part of it is
//! shown (for any secret shorter than the guard). A kept cut text carries its original
//! size after a [`SENTINEL`] character until [`Keeper::finish`] turns it into the
//! marker.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use switchyard_engine::{Event, Redactor};

use super::Timed;

/// The default of `--report-body-limit`: 1 MiB.
pub const DEFAULT_BODY_LIMIT: u64 = 1024 * 1024;

/// Most events one flow keeps for the reports.
pub const MAX_EVENTS: usize = 50_000;

/// Most bytes (estimated) all flows of a run keep for the reports together.
pub const RUN_BUDGET: u64 = 256 * 1024 * 1024;

/// How much more than the limit a text keeps until the final masking.
pub const GUARD: usize = 64 * 1024;

/// An array or object with at most this many entries is kept as a record (its big
/// values cut one by one) rather than turned into text.
pub const RECORD_ENTRIES: usize = 16;

/// What an event costs besides its text, for the budget.
const EVENT_OVERHEAD: u64 = 160;

/// Ends a kept cut text, followed by the original size in bytes. A noncharacter: no
/// text a server sends is expected to hold it, and were one to, its text would only be
/// shown cut at the limit.
const SENTINEL: char = '\u{10FFFE}';

/// The bytes the reports may still keep, shared by every flow of a run (on one thread
/// or several).
#[derive(Debug, Clone)]
pub struct Budget(Arc<AtomicU64>);

impl Budget {
    /// The budget of a whole run: [`RUN_BUDGET`].
    pub fn for_run() -> Self {
        Self::new(RUN_BUDGET)
    }

    fn new(bytes: u64) -> Self {
        Self(Arc::new(AtomicU64::new(bytes)))
    }

    /// Takes `bytes` when there are that many left.
    fn take(&self, bytes: u64) -> bool {
        self.0.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(bytes)).is_ok()
    }
}

/// Keeps a flow's events for the reports, within bounds (see the module docs).
#[derive(Debug)]
pub struct Keeper {
    limit: usize,
    budget: Budget,
    events: Vec<Timed>,
    left_out: u64,
}

/// A flow's events as the reports write them: masked with the run's final secrets,
/// bodies cut to the limit.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    /// The events kept, in the order they came.
    pub events: Vec<Timed>,
    /// Events not kept (a bound was reached); the last, `run_finished`, always is.
    pub left_out: u64,
}

impl Keeper {
    /// Keeps events with bodies cut at `limit` bytes, taking from `budget`.
    pub fn new(limit: u64, budget: Budget) -> Self {
        Self { limit: usize::try_from(limit).unwrap_or(usize::MAX), budget, events: Vec::new(), left_out: 0 }
    }

    /// Keeps `event`, its long texts cut (to the limit and the guard), or counts it as
    /// left out once a bound is reached.
    pub fn keep(&mut self, at_ms: u64, mut event: Event) {
        let last = matches!(event, Event::RunFinished { .. });
        if !last && (self.left_out > 0 || self.events.len() >= MAX_EVENTS) {
            self.left_out += 1;
            return;
        }
        let keep = self.limit.saturating_add(GUARD);
        strings_of_event(&mut event, &mut |text| cut_string(text, self.limit, keep));
        let limit = self.limit;
        values_of_event(&mut event, &|value| size_at_most(value, limit) > limit, &mut |value| {
            cut_value(value, limit, keep)
        });
        if !self.budget.take(estimate(&event)) && !last {
            self.left_out += 1;
            return;
        }
        self.events.push(Timed { at_ms, event });
    }

    /// The kept events masked with `redactor` (the run's secrets at its end), then cut
    /// to the limit with a marker.
    pub fn finish(self, redactor: Option<&Redactor>) -> Kept {
        let limit = self.limit;
        let events = self
            .events
            .into_iter()
            .map(|Timed { at_ms, event }| {
                let mut event = match redactor {
                    Some(redactor) => redactor.redact_event(event),
                    None => event,
                };
                strings_of_event(&mut event, &mut |text| finish_string(text, limit));
                values_of_event(&mut event, &holds_sentinel, &mut |value| finish_strings(value, limit));
                Timed { at_ms, event }
            })
            .collect();
        Kept { events, left_out: self.left_out }
    }
}

/// The marker that ends a cut text: `left_out` bytes were not kept.
pub fn marker(left_out: Option<u64>) -> String {
    match left_out {
        Some(bytes) => format!(" … [{bytes} more bytes left out of this report: --report-body-limit]"),
        None => " … [more bytes left out of this report: --report-body-limit]".to_owned(),
    }
}

/// Calls `visit` on every free-text field of `event` (not its JSON values).
fn strings_of_event(event: &mut Event, visit: &mut dyn FnMut(&mut String) -> bool) {
    match event {
        Event::RequestSent { url, headers, .. } => {
            visit(url);
            for (_, value) in headers {
                visit(value);
            }
        }
        Event::Log { label: Some(label), .. } => {
            visit(label);
        }
        Event::Warning { message, .. } | Event::BlockFailed { message, .. } => {
            visit(message);
        }
        Event::BlockFinished { summary, .. } => {
            visit(summary);
        }
        Event::RunStarted { flow, .. } => {
            visit(flow);
        }
        _ => {}
    }
}

/// Calls `visit` on every JSON value of `event` for which `needs` is true; a value
/// shared with the run is copied only then (most values are small and stay shared).
fn values_of_event(event: &mut Event, needs: &dyn Fn(&Value) -> bool, visit: &mut dyn FnMut(&mut Value) -> bool) {
    match event {
        Event::VariableSet { value, .. } | Event::CheckResult { result: value, .. } if needs(value) => {
            visit(value);
        }
        Event::Log { value, .. } | Event::BlockFinished { value, .. } if needs(value) => {
            let mut copy = Value::clone(value);
            if visit(&mut copy) {
                *value = Arc::new(copy);
            }
        }
        _ => {}
    }
}

/// Whether any string of `value` holds the sentinel.
fn holds_sentinel(value: &Value) -> bool {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) if text.contains(SENTINEL) => return true,
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    false
}

/// Cuts `text` to `keep` bytes with its size noted, when it is longer than `limit`.
/// Returns whether it changed.
fn cut_string(text: &mut String, limit: usize, keep: usize) -> bool {
    if text.len() <= limit {
        return false;
    }
    let total = text.len();
    text.truncate(floor_char_boundary(text, keep));
    text.push(SENTINEL);
    text.push_str(&total.to_string());
    true
}

/// Cuts the long texts and big containers of `value` (see the module docs), without
/// recursion. Returns whether it changed.
fn cut_value(value: &mut Value, limit: usize, keep: usize) -> bool {
    let mut changed = false;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        if size_at_most(value, limit) <= limit {
            continue;
        }
        match value {
            Value::String(text) => changed |= cut_string(text, limit, keep),
            Value::Array(_) | Value::Object(_) => {
                let entries = match value {
                    Value::Array(items) => items.len(),
                    Value::Object(map) => map.len(),
                    _ => 0,
                };
                let any_big = children(value).any(|child| size_at_most(child, limit) > limit);
                if any_big {
                    pending.extend(children_mut(value).filter(|child| size_at_most(child, limit) > limit));
                } else if entries > RECORD_ENTRIES {
                    *value = Value::String(json_text_cut(value, keep));
                    changed = true;
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    changed
}

fn children(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        Value::Object(map) => Box::new(map.values()),
        _ => Box::new(std::iter::empty()),
    }
}

fn children_mut(value: &mut Value) -> Box<dyn Iterator<Item = &mut Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter_mut()),
        Value::Object(map) => Box::new(map.values_mut()),
        _ => Box::new(std::iter::empty()),
    }
}

/// The compact JSON of `value`, cut to `keep` bytes, with its whole size noted.
fn json_text_cut(value: &Value, keep: usize) -> String {
    let mut writer = Prefix { kept: Vec::new(), cap: keep, total: 0 };
    // Writing to `Prefix` never fails; a value that cannot be written (none can) keeps
    // what was written.
    let _ = serde_json::to_writer(&mut writer, value);
    let mut text = match String::from_utf8(writer.kept) {
        Ok(text) => text,
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let mut bytes = error.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).unwrap_or_default()
        }
    };
    text.push(SENTINEL);
    text.push_str(&writer.total.to_string());
    text
}

/// Keeps the first `cap` bytes written to it, and counts them all.
struct Prefix {
    kept: Vec<u8>,
    cap: usize,
    total: u64,
}

impl io::Write for Prefix {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.cap.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(buf.get(..room.min(buf.len())).unwrap_or_default());
        self.total += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Turns a kept cut text into the text cut at `limit` and the marker. Returns whether
/// it changed.
fn finish_string(text: &mut String, limit: usize) -> bool {
    let Some(at) = text.rfind(SENTINEL) else { return false };
    let total: Option<u64> = text.get(at + SENTINEL.len_utf8()..).and_then(|size| size.parse().ok());
    let end = floor_char_boundary(text, limit.min(at));
    text.truncate(end);
    let left_out = total.map(|total| total.saturating_sub(limit as u64));
    text.push_str(&marker(left_out));
    true
}

/// [`finish_string`] on every string of `value`, without recursion.
fn finish_strings(value: &mut Value, limit: usize) -> bool {
    let mut changed = false;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) => changed |= finish_string(text, limit),
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(map) => pending.extend(map.values_mut()),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    changed
}

/// The size of `value`'s compact JSON, about (escapes not counted), counted only until
/// it passes `bound`: the answer is then `bound + 1` or a little more.
fn size_at_most(value: &Value, bound: usize) -> usize {
    let mut size = 0usize;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        size = size.saturating_add(match value {
            Value::Null | Value::Bool(_) => 5,
            Value::Number(_) => 8,
            Value::String(text) => text.len() + 2,
            Value::Array(items) => {
                pending.extend(items);
                items.len() + 2
            }
            Value::Object(map) => {
                let keys: usize = map.keys().map(|key| key.len() + 4).sum();
                pending.extend(map.values());
                keys + 2
            }
        });
        if size > bound {
            return size;
        }
    }
    size
}

/// What keeping `event` costs, about, in bytes (its text, and a little per event).
fn estimate(event: &Event) -> u64 {
    let text: usize = match event {
        Event::RunStarted { flow, .. } => flow.len(),
        Event::BlockStarted { block, kind, .. } => block.len() + kind.as_str().len(),
        Event::RequestSent { block, method, url, headers } => {
            block.len() + method.len() + url.len() + headers.iter().map(|(n, v)| n.len() + v.len() + 48).sum::<usize>()
        }
        Event::ResponseReceived { block, .. } | Event::ItemStarted { block, .. } => block.len(),
        Event::Log { block, label, value, .. } => {
            block.len() + label.as_ref().map_or(0, String::len) + size_at_most(value, usize::MAX)
        }
        Event::Warning { block, message } => block.as_ref().map_or(0, String::len) + message.len(),
        Event::BlockFinished { block, value, summary, .. } => {
            block.len() + summary.len() + size_at_most(value, usize::MAX)
        }
        Event::BlockFailed { block, field, message } => block.len() + field.len() + message.len(),
        Event::VariableSet { block, name, value, .. } | Event::CheckResult { block, name, result: value, .. } => {
            block.len() + name.len() + size_at_most(value, usize::MAX)
        }
        Event::RunFinished { .. } => 0,
    };
    EVENT_OVERHEAD + text as u64
}

/// The largest char boundary of `text` at or below `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use switchyard_engine::{Counts, Outcome};
    use switchyard_flow::{BlockTypeName, Port};

    use super::*;

    fn finished(value: Value) -> Event {
        Event::BlockFinished {
            block: "call".into(),
            port: Port::Success,
            value: Arc::new(value),
            wired: true,
            summary: "200".into(),
        }
    }

    fn value_of(event: &Event) -> &Value {
        match event {
            Event::BlockFinished { value, .. } => value,
            Event::Log { value, .. } => value,
            other => panic!("no value in {other:?}"),
        }
    }

    #[test]
    fn a_long_body_is_cut_with_how_much_was_left_out_and_the_rest_stays() {
        let mut keeper = Keeper::new(100, Budget::for_run());
        let body = "é".repeat(5_000); // 10,000 bytes
        keeper.keep(1, finished(json!({"status": 200, "headers": {"a": "b"}, "body": body})));
        let kept = keeper.finish(None);
        let value = value_of(&kept.events[0].event);
        assert_eq!(value["status"], 200);
        assert_eq!(value["headers"], json!({"a": "b"}));
        let body = value["body"].as_str().unwrap();
        assert!(body.starts_with(&"é".repeat(50)), "{body}");
        assert!(body.ends_with(&marker(Some(9_900))), "{body}");
        assert!(!body.contains(SENTINEL));
    }

    #[test]
    fn a_big_parsed_body_becomes_the_start_of_its_json() {
        let mut keeper = Keeper::new(200, Budget::for_run());
        let items: Vec<Value> = (0..1_000).map(|i| json!({"id": i})).collect();
        let total = serde_json::to_string(&items).unwrap().len() as u64;
        keeper.keep(
            1,
            Event::Log {
                block: "log".into(),
                label: None,
                level: Default::default(),
                value: Arc::new(json!({"body": items})),
            },
        );
        let kept = keeper.finish(None);
        let body = value_of(&kept.events[0].event)["body"].as_str().unwrap().to_owned();
        assert!(body.starts_with("[{\"id\":0},{\"id\":1}"), "{body}");
        assert!(body.ends_with(&marker(Some(total - 200))), "{body}");
    }

    #[test]
    fn small_values_stay_shared_and_whole() {
        let mut keeper = Keeper::new(1024, Budget::for_run());
        let value = Arc::new(json!({"status": 200, "body": "x".repeat(1000)}));
        let event = Event::BlockFinished {
            block: "call".into(),
            port: Port::Success,
            value: Arc::clone(&value),
            wired: true,
            summary: String::new(),
        };
        keeper.keep(1, event);
        let kept = keeper.finish(None);
        let Event::BlockFinished { value: kept_value, .. } = &kept.events[0].event else { panic!() };
        assert!(Arc::ptr_eq(kept_value, &value));
    }

    #[test]
    fn a_secret_learned_late_that_straddles_the_limit_is_masked_whole() {
        let secret = "late-secret-0123456789";
        let mut keeper = Keeper::new(100, Budget::for_run());
        let body = format!("{}{secret}{}", "a".repeat(90), "b".repeat(500));
        keeper.keep(
            1,
            Event::Log { block: "log".into(), label: None, level: Default::default(), value: Arc::new(json!(body)) },
        );
        let mut redactor = Redactor::default();
        redactor.add_secret(secret);
        let kept = keeper.finish(Some(&redactor));
        let text = value_of(&kept.events[0].event).as_str().unwrap();
        assert!(!text.contains("late-sec"), "{text}");
        assert!(text.starts_with(&format!("{}{}", "a".repeat(90), switchyard_engine::MASK)), "{text}");
    }

    #[test]
    fn events_past_the_bound_are_counted_and_the_last_is_kept() {
        let mut keeper = Keeper::new(1024, Budget::for_run());
        for step in 0..(MAX_EVENTS as u64 + 10) {
            keeper.keep(step, Event::BlockStarted { block: "loop".into(), kind: BlockTypeName::Log, step });
        }
        keeper.keep(0, Event::RunFinished { outcome: Outcome::Limit, counts: Counts::default(), duration_ms: 1 });
        let kept = keeper.finish(None);
        assert_eq!(kept.events.len(), MAX_EVENTS + 1);
        assert_eq!(kept.left_out, 10);
        assert!(matches!(kept.events.last().unwrap().event, Event::RunFinished { .. }));
    }

    #[test]
    fn the_run_budget_is_shared_by_its_flows() {
        let budget = Budget::new(10 * EVENT_OVERHEAD);
        let (mut a, mut b) = (Keeper::new(1024, budget.clone()), Keeper::new(1024, budget));
        for step in 0..6 {
            a.keep(step, Event::ItemStarted { block: String::new(), index: 1, total: 1 });
            b.keep(step, Event::ItemStarted { block: String::new(), index: 1, total: 1 });
        }
        let (a, b) = (a.finish(None), b.finish(None));
        assert_eq!(a.events.len() + b.events.len(), 10);
        assert_eq!(a.left_out + b.left_out, 2);
    }

    #[test]
    fn a_long_url_or_message_is_cut_too() {
        let mut keeper = Keeper::new(10, Budget::for_run());
        keeper.keep(1, Event::Warning { block: None, message: "m".repeat(100) });
        let kept = keeper.finish(None);
        let Event::Warning { message, .. } = &kept.events[0].event else { panic!() };
        assert_eq!(message, &format!("{}{}", "m".repeat(10), marker(Some(90))));
    }
}
