//! What the console holds of the lines' values, and how it keeps within its budget:
//! each value (or compacted text) counted once however many lines share it, the large
//! values of every run turned into deflated compact JSON text when a run ends
//! (`compacted.rs`; the selected line's excepted), the oldest dropped past the budget.
//!
//! Making a 6.6 MB response text takes about 200 ms (debug build, optimised
//! dependencies): the app does it on a worker thread ([`CompactionJob::write`]) and
//! puts the texts in place on the UI thread ([`Console::apply_compaction`]). Parsing it
//! again when its line is selected ([`Console::line_value`]) is on the UI thread, about
//! 30–60 ms; one parsed value is kept at a time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::compacted::Compacted;
use super::{Console, Held};

/// Values at least this large (estimated, in memory) are kept as text.
const COMPACT_FROM: usize = 64 * 1024;
/// Values nested deeper than this stay parsed: the text could not be parsed again
/// (serde_json refuses documents nested past 128 levels).
const COMPACT_DEPTH: usize = 120;

impl Console {
    /// A run has ended: the large values of every run's lines (the one that just ended
    /// included) are kept as compact JSON text from now on (each shared value written
    /// once, and the text shared by its lines), parsed again only when such a line is
    /// selected ([`Console::line_value`]). The selected line keeps its value as it is
    /// (the viewer shows it), and so does a value nested too deep to be parsed again.
    /// The filter then no longer searches the words of the values made text, nor of the
    /// selected line's when it would have been made text (their lines' text it does).
    /// Returns the estimated bytes of parsed values let go (freed unless something else
    /// still holds them) and the texts written, with the values they were written from,
    /// for others holding those values to share the texts (the inspector's previews).
    ///
    /// All on the calling thread; the app writes the texts on a worker thread instead
    /// ([`Console::compaction_job`], [`CompactionJob::write`],
    /// [`Console::apply_compaction`]).
    pub fn compact_runs(&mut self) -> Compaction {
        let written = self.compaction_job().write();
        self.apply_compaction(written)
    }

    /// The values [`Console::compact_runs`] would make text now: the large ones of every
    /// line but the selected one, each once.
    pub fn compaction_job(&self) -> CompactionJob {
        let mut seen = HashSet::new();
        let mut values = Vec::new();
        for (index, line) in self.lines.iter().enumerate().skip(self.keep_from) {
            let Some(value) = &line.value else { continue };
            let key = held_key(value);
            if self.selected != Some(index)
                && self.held.get(&key).is_some_and(|held| held.bytes >= COMPACT_FROM)
                && seen.insert(key)
            {
                values.push(Arc::clone(value));
            }
        }
        CompactionJob { values, others: Vec::new() }
    }

    /// Keeps the texts a [`CompactionJob`] wrote in place of their values, in the lines
    /// that still hold those values and are not selected now; then as
    /// [`Console::compact_runs`].
    pub fn apply_compaction(&mut self, written: Written) -> Compaction {
        let texts: HashMap<usize, Arc<Compacted>> =
            written.iter().map(|(value, text)| (held_key(value), Arc::clone(text))).collect();
        let mut freed = 0;
        let mut changed = false;
        for index in self.keep_from..self.lines.len() {
            let Some(line) = self.lines.get(index) else { break };
            let Some(value) = &line.value else { continue };
            let key = held_key(value);
            if self.selected == Some(index) {
                // Kept parsed for the viewer; its words are left out of the search as
                // the other large values of its run are.
                if self.words_len.get(index).is_some_and(|&words| words > 0)
                    && self.held.get(&key).is_some_and(|held| held.bytes >= COMPACT_FROM)
                    && depth_at_most(value, COMPACT_DEPTH)
                {
                    let words = self.words_len.get_mut(index).map_or(0, std::mem::take);
                    self.held_bytes = self.held_bytes.saturating_sub(words);
                    changed = true;
                }
                continue;
            }
            let Some(text) = texts.get(&key).cloned() else { continue };
            if self.held.get(&key).is_some_and(|held| held.lines == 1) {
                freed += self.held.get(&key).map_or(0, |held| held.bytes);
            }
            self.release(key);
            self.hold_key(text_key(&text), || text.held_bytes());
            let words = self.words_len.get_mut(index).map_or(0, std::mem::take);
            self.held_bytes = self.held_bytes.saturating_sub(words);
            if let Some(line) = self.lines.get_mut(index) {
                line.value = None;
                line.compacted = Some(text);
            }
            changed = true;
        }
        if changed {
            self.rebuild_search_text();
        }
        Compaction { freed, texts: written }
    }

    /// The estimated bytes of values and texts the console let go of (no line holds
    /// them any more: dropped past the budget, compacted, cleared) since the last call:
    /// memory freed unless something else still holds it, for the app to give back to
    /// the system.
    pub fn take_let_go(&mut self) -> usize {
        std::mem::take(&mut self.let_go)
    }

    /// The value of the line at `index` as the viewer shows it: its own, or its
    /// compacted text inflated and parsed again (about 30 ms for a 6.6 MB text). The parsed value is
    /// kept for one line at a time, the one asked for last (the selected one), outside
    /// the budget.
    pub fn line_value(&mut self, index: usize) -> Option<Arc<Value>> {
        let line = self.lines.get(index)?;
        let Some(text) = &line.compacted else {
            self.reparsed = None;
            return line.value.clone();
        };
        let key = text_key(text);
        match &self.reparsed {
            Some((parsed, value)) if *parsed == key => value.clone(),
            _ => {
                let value = text.value().map(Arc::new);
                self.reparsed = Some((key, value.clone()));
                value
            }
        }
    }

    /// Counts `value` as held by one more line.
    pub(super) fn hold(&mut self, value: &Arc<Value>) {
        self.hold_key(held_key(value), || estimated_size(value));
    }

    /// Counts what `key` names as held by one more line (`size` tells its bytes the
    /// first time).
    fn hold_key(&mut self, key: usize, size: impl FnOnce() -> usize) {
        let held = self.held.entry(key).or_insert_with(|| Held { lines: 0, bytes: 0 });
        if held.lines == 0 {
            held.bytes = size();
            self.held_bytes += held.bytes;
        }
        held.lines += 1;
    }

    /// Counts what `key` names (a value, a compacted text) as held by one line fewer.
    fn release(&mut self, key: usize) {
        let Some(held) = self.held.get_mut(&key) else { return };
        held.lines = held.lines.saturating_sub(1);
        if held.lines == 0 {
            self.held_bytes = self.held_bytes.saturating_sub(held.bytes);
            self.let_go += held.bytes;
            self.held.remove(&key);
        }
    }

    /// Drops the values of the oldest lines until the response data held is at most
    /// `target` bytes (the lines stay, marked), then says which runs lost theirs.
    pub(super) fn keep_within(&mut self, target: usize) {
        if self.held_bytes <= target {
            return;
        }
        let mut dropped_runs = Vec::new();
        let mut index = self.keep_from;
        while self.held_bytes > target && index < self.lines.len() {
            let Some(line) = self.lines.get_mut(index) else { break };
            let (value, text) = (line.value.take(), line.compacted.take());
            if value.is_some() || text.is_some() {
                line.value_dropped = true;
                let run = line.run;
                if dropped_runs.last() != Some(&run) {
                    dropped_runs.push(run);
                }
                if let Some(value) = &value {
                    self.release(held_key(value));
                }
                if let Some(text) = &text {
                    self.release(text_key(text));
                    // Its address may name another text later.
                    self.reparsed = None;
                }
                let words = self.words_len.get_mut(index).map_or(0, std::mem::take);
                self.held_bytes = self.held_bytes.saturating_sub(words);
            }
            index += 1;
        }
        self.keep_from = index;
        self.rebuild_search_text();
        for run in dropped_runs {
            if run > self.noted_run || run == 0 {
                self.noted_run = run;
                let whose = if run == 0 { "earlier lines".to_owned() } else { format!("run {run}") };
                let size = switchyard_engine::wording::size(self.budget as u64);
                self.add_note(format!(
                    "values of {whose} dropped: the console keeps at most {size} of response data (View → Console)"
                ));
            }
        }
    }
}

/// The values a compaction is to make text ([`Console::compaction_job`]), to be
/// written on any thread ([`CompactionJob::write`]).
#[derive(Debug)]
pub struct CompactionJob {
    /// The console's large values.
    values: Vec<Arc<Value>>,
    /// Values others hold ([`CompactionJob::also`]), written if they are large.
    others: Vec<Arc<Value>>,
}

/// Texts a [`CompactionJob`] wrote, each with the value it was written from.
pub type Written = Vec<(Arc<Value>, Arc<Compacted>)>;

impl CompactionJob {
    /// Writes `values` too (those held elsewhere, by the inspector's previews) if they
    /// are large, each once: a value the console holds as well gets the same text.
    pub fn also(&mut self, values: impl IntoIterator<Item = Arc<Value>>) {
        let mut seen: HashSet<usize> = self.values.iter().chain(&self.others).map(held_key).collect();
        self.others.extend(values.into_iter().filter(|value| seen.insert(held_key(value))));
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.others.is_empty()
    }

    /// Writes each value as deflated compact JSON text, but those nested too deep to be
    /// parsed again and the small ones of others (about 200 ms for a 6.6 MB response in
    /// a debug build).
    pub fn write(self) -> Written {
        let own = self.values.into_iter().filter_map(|value| {
            let text = depth_at_most(&value, COMPACT_DEPTH).then(|| Compacted::of(&value)).flatten()?;
            Some((value, Arc::new(text)))
        });
        let others = self.others.into_iter().filter_map(|value| {
            let text = compact_if_large(&value)?;
            Some((value, Arc::new(text)))
        });
        own.chain(others).collect()
    }
}

/// What [`Console::compact_runs`] did.
#[derive(Debug, Default)]
pub struct Compaction {
    /// The estimated bytes of parsed values the console let go.
    pub freed: usize,
    /// Each value made text, with its text. Holding them keeps the values alive: drop
    /// them before giving memory back.
    pub texts: Vec<(Arc<Value>, Arc<Compacted>)>,
}

/// `value` as deflated compact JSON text if it is large (at least 64 KiB in memory,
/// estimated) and can be parsed again (nested at most 120 levels), as the console keeps
/// such values.
fn compact_if_large(value: &Value) -> Option<Compacted> {
    (estimated_size(value) >= COMPACT_FROM && depth_at_most(value, COMPACT_DEPTH))
        .then(|| Compacted::of(value))
        .flatten()
}

/// What names a value in `Console::held`: its address.
fn held_key(value: &Arc<Value>) -> usize {
    Arc::as_ptr(value) as usize
}

/// What names a compacted text in `Console::held`: its address (never a live value's).
pub(super) fn text_key(text: &Arc<Compacted>) -> usize {
    Arc::as_ptr(text) as usize
}

/// Whether `value` nests at most `limit` arrays and objects deep. Walks it with its own
/// stack; stops at the first place past the limit.
fn depth_at_most(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 0)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(object) => Box::new(object.values()),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => continue,
        };
        if depth >= limit {
            return false;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    true
}

/// About how many bytes of memory `value` takes (the `Value` itself, its strings, its
/// arrays' and objects' storage). Walks the value with its own stack; linear in its size.
fn estimated_size(value: &Value) -> usize {
    /// An object entry beside its key and value: the ordered map's hash and index slot.
    const ENTRY_OVERHEAD: usize = 16;
    let value_size = std::mem::size_of::<Value>();
    let mut total = value_size;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) => total += text.capacity(),
            Value::Array(items) => {
                total += items.capacity() * value_size;
                stack.extend(items.iter());
            }
            Value::Object(object) => {
                for (key, child) in object {
                    total += std::mem::size_of::<String>() + key.capacity() + value_size + ENTRY_OVERHEAD;
                    stack.push(child);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    total
}
