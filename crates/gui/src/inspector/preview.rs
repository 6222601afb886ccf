//! Expression previews: a jq field of the inspector evaluated against the last value
//! that reached its block in the last run (for a Send Request's checks: the last
//! response the block got), shown under the field.
//!
//! The values come from the run's events, so the engine has masked them already; what
//! an expression makes of them is masked again with the run's [`RunMasks`] (the redactor
//! of its secrets), and a `set` block marked secret shows only a mask. Run variables
//! (`$name`) exist only while a flow runs: in a preview they are `null`, and the panel
//! says so.
//!
//! Evaluation is bounded by the flow crate (`Program::run_one`: at most 500 ms and 2
//! million steps) but still too slow for a frame: it runs on a blocking thread of the
//! runtime, at most one job per field at a time, and its result comes back over a
//! channel and wakes the UI. A result is kept per field for the text and the value it
//! was made from; it is made again only when either changes.
//!
//! Memory: while a run goes on, the values are the `Arc`s the engine fired, shared
//! with the console. When it ends ([`Previews::compact`]) the large ones are kept as
//! the console's deflated JSON text of the same value (or a text of their own, for a
//! value the console keeps parsed; both written on the app's worker thread), never
//! parsed: a value is parsed again only when a
//! field of the block the inspector shows needs an evaluation, on the UI thread (about
//! 30–60 ms for a 6.6 MB response), and at most one parsed value is kept, dropped when
//! another block is shown.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::egui::{RichText, Ui};
use serde_json::{Map, Value};
use switchyard_engine::{MASK, Redactor};
use switchyard_flow::escape_controls;
use switchyard_flow::expr::{Program, is_identifier, is_truthy};
use tokio::runtime::Handle;

use crate::console::{Compacted, Written};
use crate::look::{FAILURE, shorten};
use crate::runner::RunMasks;

/// What the panel says while no run has reached the block.
pub const NOT_REACHED: &str = "run the flow to preview against the value that reaches this block";
/// What a check's preview says while the block has not had a response.
pub const NO_RESPONSE: &str = "run the flow to preview against the response this block gets";
/// Longest preview text, in characters.
const PREVIEW_CHARS: usize = 300;

/// Which value a field is evaluated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Against {
    /// The last value that reached the block's input (If, Evaluate, Set, For Each).
    Input,
    /// The last value the block fired: a Send Request's response, for its checks.
    Response,
}

/// How a field's result reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Any value (Evaluate's expression, For Each's items).
    Value,
    /// An If's condition: its value and which way it goes (jq truthiness).
    Condition,
    /// A Send Request's check: its value and whether it holds (only `true` does).
    Check,
    /// The value of a secret `set`: never shown.
    Secret,
}

/// A field's preview: which block and field, its text, what it is evaluated against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    block: String,
    field: String,
}

/// A finished evaluation, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    /// `Preview: …` or `Preview: error: …`, masked.
    line: String,
    is_error: bool,
    /// The `$names` the expression uses, which are null in a preview.
    unknown: Vec<String>,
}

/// What is known of one field's preview.
#[derive(Debug)]
struct Entry {
    /// The text and the value generation the result (or the job) is for.
    text: String,
    generation: u64,
    /// The finished result, if any (may be of an older text while a job runs).
    outcome: Option<Outcome>,
    /// A job is evaluating `text` at `generation` (while it runs, neither changes: a
    /// newer text or value waits for it, then gets its own job).
    running: bool,
}

/// A finished job: its field, the text and generation it evaluated, its outcome.
type Reply = (Key, String, u64, Outcome);

/// A value the last run left on a block: as it was fired, or (a large one, once the
/// run has ended) as deflated compact JSON text.
#[derive(Debug, Clone)]
enum Kept {
    Parsed(Arc<Value>),
    Text(Arc<Compacted>),
}

/// A value parsed again from its text: the block shown, the text's address (which
/// names it while the text is held) and the value (`None`: it did not parse).
type Reparsed = (String, usize, Option<Arc<Value>>);

/// The values the last run left on each block, and the previews made from them.
pub struct Previews {
    /// Where evaluations run.
    handle: Handle,
    wake: Arc<dyn Fn() + Send + Sync>,
    /// The last value that reached each block's input, with its generation.
    inputs: HashMap<String, (Kept, u64)>,
    /// The last value each block fired, with its generation.
    outputs: HashMap<String, (Kept, u64)>,
    /// The one value parsed again from its text.
    parsed: RefCell<Option<Reparsed>>,
    /// Counts recorded values: a value's generation tells a preview it changed.
    generation: u64,
    masks: Option<Arc<Redactor>>,
    entries: RefCell<HashMap<Key, Entry>>,
    sender: Sender<Reply>,
    replies: Receiver<Reply>,
}

impl std::fmt::Debug for Previews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Previews").field("blocks reached", &self.inputs.len()).finish_non_exhaustive()
    }
}

impl Previews {
    /// Previews evaluated on `handle`'s blocking threads; `wake` is called when one is done.
    pub fn new(handle: Handle, wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (sender, replies) = channel();
        Self {
            handle,
            wake: Arc::new(wake),
            inputs: HashMap::new(),
            outputs: HashMap::new(),
            parsed: RefCell::new(None),
            generation: 0,
            masks: None,
            entries: RefCell::new(HashMap::new()),
            sender,
            replies,
        }
    }

    /// Forgets the last run's values (a new run starts, or another flow opens).
    pub fn clear(&mut self) {
        self.inputs.clear();
        self.outputs.clear();
        *self.parsed.get_mut() = None;
        self.masks = None;
        // A job still running finds no entry for its reply and is dropped.
        self.entries.get_mut().clear();
    }

    /// The run's masks, for what previews make of its values.
    pub fn set_masks(&mut self, masks: RunMasks) {
        self.masks = Some(masks.0);
    }

    /// `value` (masked by the engine) reached the input of block `block`.
    pub fn reached(&mut self, block: &str, value: Arc<Value>) {
        self.generation += 1;
        self.inputs.insert(block.to_owned(), (Kept::Parsed(value), self.generation));
    }

    /// Block `block` fired `value` (masked by the engine).
    pub fn fired(&mut self, block: &str, value: Arc<Value>) {
        self.generation += 1;
        self.outputs.insert(block.to_owned(), (Kept::Parsed(value), self.generation));
    }

    /// The values kept parsed, each once: what the app asks the console's compaction to
    /// write as text too (`CompactionJob::also`).
    pub fn parsed_values(&self) -> Vec<Arc<Value>> {
        let mut seen = std::collections::HashSet::new();
        let kept = self.inputs.values().chain(self.outputs.values());
        kept.filter_map(|(kept, _)| match kept {
            Kept::Parsed(value) if seen.insert(Arc::as_ptr(value)) => Some(Arc::clone(value)),
            Kept::Parsed(_) | Kept::Text(_) => None,
        })
        .collect()
    }

    /// The run has ended and its large values were written as text (`written`: each
    /// with the value it was written from, the console's and the previews' own): they
    /// are kept as text from now on. A value keeps its generation: previews made from
    /// it stay. Small values stay parsed.
    pub fn compact(&mut self, written: &Written) {
        let texts: HashMap<*const Value, &Arc<Compacted>> =
            written.iter().map(|(value, text)| (Arc::as_ptr(value), text)).collect();
        for (kept, _) in self.inputs.values_mut().chain(self.outputs.values_mut()) {
            let Kept::Parsed(value) = kept else { continue };
            if let Some(text) = texts.get(&Arc::as_ptr(value)) {
                *kept = Kept::Text(Arc::clone(text));
            }
        }
        *self.parsed.get_mut() = None;
    }

    /// The value `kept` holds, for block `block` the inspector shows: parsed again from
    /// its text if it is one (kept until another value or block is asked for).
    fn value_of(&self, block: &str, kept: &Kept) -> Option<Arc<Value>> {
        let text = match kept {
            Kept::Parsed(value) => return Some(Arc::clone(value)),
            Kept::Text(text) => text,
        };
        let address = Arc::as_ptr(text) as usize;
        let mut parsed = self.parsed.borrow_mut();
        if let Some((shown, at, value)) = parsed.as_ref()
            && shown == block
            && *at == address
        {
            return value.clone();
        }
        // The old one goes before the new one is parsed.
        *parsed = None;
        let value = text.value().map(Arc::new);
        *parsed = Some((block.to_owned(), address, value.clone()));
        value
    }

    /// The inspector shows block `block`: a value parsed again for another block goes.
    fn showing(&self, block: &str) {
        let mut parsed = self.parsed.borrow_mut();
        if parsed.as_ref().is_some_and(|(shown, _, _)| shown != block) {
            *parsed = None;
        }
    }

    /// Takes the results of finished evaluations. Never blocks.
    pub fn poll(&mut self) {
        let entries = self.entries.get_mut();
        while let Ok((key, text, generation, outcome)) = self.replies.try_recv() {
            let Some(entry) = entries.get_mut(&key) else { continue };
            // A field has one job at a time, for the text and value its entry names: a
            // reply for anything else is from before the last `clear` and is dropped.
            if entry.text == text && entry.generation == generation {
                entry.running = false;
                entry.outcome = Some(outcome);
            }
        }
    }

    /// Shows the preview of `text`, field `field` of block `block`, under its field.
    pub(super) fn ui(&self, ui: &mut Ui, block: &str, field: &str, text: &str, against: Against, shape: Shape) {
        self.showing(block);
        let values = match against {
            Against::Input => &self.inputs,
            Against::Response => &self.outputs,
        };
        let Some((kept, generation)) = values.get(block) else {
            let note = if against == Against::Input { NOT_REACHED } else { NO_RESPONSE };
            ui.label(RichText::new(note).small().weak());
            return;
        };
        if text.trim().is_empty() {
            return;
        }
        let key = Key { block: block.to_owned(), field: field.to_owned() };
        let outcome = {
            let mut entries = self.entries.borrow_mut();
            let entry = entries.entry(key.clone()).or_insert_with(|| Entry {
                text: String::new(),
                generation: 0,
                outcome: None,
                running: false,
            });
            let current = entry.text == text && entry.generation == *generation;
            if !current && !entry.running {
                entry.text = text.to_owned();
                entry.generation = *generation;
                match self.value_of(block, kept) {
                    Some(value) => {
                        entry.running = true;
                        self.spawn(key, text, value, *generation, shape);
                    }
                    None => {
                        let line =
                            "Preview: error: the value, kept as text since the run ended, could not be read again";
                        entry.outcome = Some(Outcome { line: line.to_owned(), is_error: true, unknown: Vec::new() });
                    }
                }
            }
            // A result of an older text stays on screen until the new one is ready.
            entry.outcome.clone()
        };
        match outcome {
            Some(outcome) => {
                let color = if outcome.is_error { FAILURE } else { ui.visuals().text_color() };
                ui.label(RichText::new(&outcome.line).small().monospace().color(color));
                if let Some(note) = unknown_note(&outcome.unknown) {
                    ui.label(RichText::new(note).small().weak());
                }
            }
            None => {
                ui.label(RichText::new("Preview: evaluating…").small().weak());
            }
        }
    }

    /// Starts evaluating on a blocking thread; the result arrives through [`Previews::poll`].
    fn spawn(&self, key: Key, text: &str, input: Arc<Value>, generation: u64, shape: Shape) {
        let (sender, wake, masks) = (self.sender.clone(), Arc::clone(&self.wake), self.masks.clone());
        let text = text.to_owned();
        self.handle.spawn_blocking(move || {
            let outcome = evaluate(&text, &input, masks.as_deref(), shape);
            // The app may have closed meanwhile; nobody to tell then.
            let _ = sender.send((key, text, generation, outcome));
            wake();
        });
    }
}

/// Evaluates `text` on `input` with no run variables, and says the result in one line,
/// masked with `masks`.
fn evaluate(text: &str, input: &Value, masks: Option<&Redactor>, shape: Shape) -> Outcome {
    let unknown = dollar_names(text);
    let program = match Program::compile(text, unknown.iter().map(String::as_str)) {
        Ok(program) => program,
        // The form shows the compile error with its column already.
        Err(error) => return Outcome { line: format!("Preview: error: {}", error.message), is_error: true, unknown },
    };
    let mask = |text: &str| masks.map_or_else(|| text.to_owned(), |masks| masks.redact(text));
    match program.run_one(input, &Map::new()) {
        Ok(mut value) => {
            if let Some(masks) = masks {
                masks.redact_value(&mut value);
            }
            let shown = match shape {
                Shape::Secret => format!("{MASK} (a secret: its value is never shown)"),
                Shape::Value => shorten(&escape_controls(&value.to_string()), PREVIEW_CHARS),
                Shape::Condition => {
                    let way = if is_truthy(&value) { "true" } else { "false" };
                    format!("{} → {way}", shorten(&escape_controls(&value.to_string()), PREVIEW_CHARS))
                }
                Shape::Check => {
                    let way = if value == Value::Bool(true) { "holds" } else { "does not hold" };
                    format!("{} → {way}", shorten(&escape_controls(&value.to_string()), PREVIEW_CHARS))
                }
            };
            Outcome { line: format!("Preview: {shown}"), is_error: false, unknown }
        }
        Err(error) => {
            let message = shorten(&escape_controls(&mask(&error.message)), PREVIEW_CHARS);
            Outcome { line: format!("Preview: error: {message}"), is_error: true, unknown }
        }
    }
}

/// The note under a preview of an expression that uses run variables.
fn unknown_note(names: &[String]) -> Option<String> {
    let list: Vec<String> = names.iter().map(|name| format!("${name}")).collect();
    let (last, rest) = list.split_last()?;
    let (names, verb) =
        if rest.is_empty() { (last.clone(), "is") } else { (format!("{} and {last}", rest.join(", ")), "are") };
    Some(format!("{names} {verb} null in the preview: run variables exist only while the flow runs"))
}

/// Every `$name` in `text` but `$vars` and `$ENV`, each once, in order.
fn dollar_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = rest.get(at + 1..).unwrap_or_default();
        let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let name = after.get(..len).unwrap_or_default();
        if is_identifier(name)
            && !matches!(name, "vars" | "ENV")
            && !name.starts_with("__")
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
        rest = after.get(len..).unwrap_or_default();
    }
    names
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_value_a_condition_and_an_error_read_as_one_line() {
        let input = json!({"status": 200, "body": {"data": [1, 2, 3]}});
        let value = evaluate(".body.data | length", &input, None, Shape::Value);
        assert_eq!(value, Outcome { line: "Preview: 3".to_owned(), is_error: false, unknown: vec![] });
        let check = evaluate(".status", &input, None, Shape::Check);
        assert!(check.line.ends_with("→ does not hold"), "{}", check.line);
        let condition = evaluate(".status == 200", &input, None, Shape::Condition);
        assert_eq!(condition.line, "Preview: true → true");
        let error = evaluate(".status | keys", &input, None, Shape::Value);
        assert!(error.is_error && error.line.starts_with("Preview: error: "), "{error:?}");
    }

    #[test]
    fn run_variables_are_null_and_named() {
        let outcome = evaluate("{a: $token, b: $user, c: $token}", &json!(null), None, Shape::Value);
        assert_eq!(outcome.line, r#"Preview: {"a":null,"b":null,"c":null}"#);
        assert_eq!(outcome.unknown, ["token", "user"]);
        assert_eq!(
            unknown_note(&outcome.unknown).as_deref(),
            Some("$token and $user are null in the preview: run variables exist only while the flow runs")
        );
        assert_eq!(unknown_note(&[]), None);
    }

    #[test]
    fn what_an_expression_makes_of_a_secret_is_masked() {
        let mut variables = switchyard_vault::Variables::new();
        variables.insert(switchyard_vault::Variable::secret("api_key", "sk-live-123456"));
        let masks = Redactor::for_variables(&variables);
        // The engine masked the value; an expression rebuilds the secret from pieces.
        let input = json!({"a": "sk-live-", "b": "123456"});
        let outcome = evaluate(".a + .b", &input, Some(&masks), Shape::Value);
        assert_eq!(outcome.line, format!("Preview: \"{MASK}\""));
        let error = evaluate(".a + .b | error", &input, Some(&masks), Shape::Value);
        assert!(!error.line.contains("sk-live-123456"), "{error:?}");
        let secret = evaluate(".a", &input, None, Shape::Secret);
        assert!(!secret.line.contains("sk-live-") && secret.line.contains(MASK), "{secret:?}");
    }

    /// A response of about 400 KB in memory.
    fn large() -> Value {
        json!({"items": (0..3_000).map(|i| json!({"id": i, "name": format!("user {i}")})).collect::<Vec<_>>()})
    }

    fn text_of<'a>(values: &'a HashMap<String, (Kept, u64)>, block: &str) -> &'a Arc<Compacted> {
        match &values[block].0 {
            Kept::Text(text) => text,
            Kept::Parsed(_) => panic!("{block}'s value is still parsed"),
        }
    }

    #[test]
    fn past_the_run_large_values_are_text_parsed_again_for_the_block_shown_only() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut previews = Previews::new(runtime.handle().clone(), || {});
        let (shared, own, small) = (Arc::new(large()), Arc::new(large()), Arc::new(json!({"n": 1})));
        previews.fired("fetch", Arc::clone(&shared));
        previews.reached("show", Arc::clone(&shared));
        previews.fired("other", Arc::clone(&own));
        previews.reached("other", Arc::clone(&own));
        previews.fired("count", Arc::clone(&small));
        let generation = previews.outputs["fetch"].1;
        // The console made text of `shared`; `own` it keeps parsed (its selected line's,
        // say): the compaction writes it for the previews.
        let console_text = Arc::new(Compacted::of(&shared).unwrap());
        let mut job = crate::console::Console::new().compaction_job();
        let parsed = previews.parsed_values();
        assert_eq!(parsed.len(), 3, "each value once");
        job.also(parsed);
        let mut written = job.write();
        assert_eq!(written.len(), 2, "the small value is not written");
        written.retain(|(value, _)| !Arc::ptr_eq(value, &shared));
        written.push((Arc::clone(&shared), Arc::clone(&console_text)));
        previews.compact(&written);
        drop(written);

        assert!(Arc::ptr_eq(text_of(&previews.outputs, "fetch"), &console_text), "the console's text, shared");
        assert!(Arc::ptr_eq(text_of(&previews.inputs, "show"), &console_text));
        let (fired, reached) = (text_of(&previews.outputs, "other"), text_of(&previews.inputs, "other"));
        assert!(Arc::ptr_eq(fired, reached), "a text of its own, written once");
        assert!(matches!(&previews.outputs["count"].0, Kept::Parsed(value) if Arc::ptr_eq(value, &small)));
        assert_eq!(previews.outputs["fetch"].1, generation, "its previews stay");
        assert_eq!((Arc::strong_count(&shared), Arc::strong_count(&own)), (1, 1), "no parsed value held");

        // Parsed again for the block shown, equal, and once.
        let kept = previews.outputs["fetch"].0.clone();
        let value = previews.value_of("fetch", &kept).unwrap();
        assert_eq!(*value, *shared);
        assert!(Arc::ptr_eq(&value, &previews.value_of("fetch", &kept).unwrap()), "kept while it is shown");
        let evaluated = evaluate(".items | length", &value, None, Shape::Value);
        assert_eq!(evaluated.line, "Preview: 3000");
        drop(value);
        previews.showing("other");
        assert!(previews.parsed.borrow().is_none(), "dropped when another block is shown");
        let other = previews.outputs["other"].0.clone();
        assert_eq!(*previews.value_of("other", &other).unwrap(), *own);
        assert_eq!(
            previews.parsed.borrow().as_ref().map(|(block, _, _)| block.as_str()),
            Some("other"),
            "one at a time"
        );
        previews.clear();
        assert!(previews.parsed.borrow().is_none());
    }
}
