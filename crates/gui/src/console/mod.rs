//! The run console: the bottom panel of the app, which shows what a run did, line by line.
//!
//! [`Console`] turns the engine's [`Event`]s into [`ConsoleLine`]s ([`Console::push`]) and
//! app-level errors into error lines ([`Console::push_error`]), and draws them
//! ([`Console::ui`]): a toolbar on one row (filter box, the Levels menu with a checkbox
//! per [`Level`], Clear, Clear on run, Copy, line count), the list of lines (time,
//! block, level, message, and a short preview of the line's value: `{…}`, `[…]` or a
//! scalar), and on the right a details pane with the selected line in the response
//! viewer (`viewer.rs`: status, time, size, URL, the body as a JSON tree or text, the
//! headers; in the pane or its own window).
//!
//! It stays smooth at 100,000 lines: every row of the list has the same height, so only
//! the rows on screen are laid out (`ScrollArea::show_rows`); a value is never drawn in
//! the list, only in the details pane and for one line at a time; and the indices of the
//! lines that pass the filter are cached, extended as lines arrive and rebuilt only when
//! the filter or the level toggles change.
//!
//! Memory: a line's value is the `Arc<Value>` the engine fired (a Log line's is the
//! response it logged), held once however many lines show it. When a run ends, the
//! large values of every run (the selected line's excepted) become deflated JSON text,
//! parsed again when such a line is selected (`held.rs`); past the budget of response
//! data (View → Console) the oldest lines lose their values.
//!
//! Events arrive masked by the engine (secrets replaced by `*****`): the console shows
//! them as they are and never has anything to unmask. Text in them comes from the flow
//! and from servers, so block ids and messages are shown with control characters escaped
//! (`\n`, `\u{1b}`, by [`switchyard_flow::escape_controls`], as the CLI does); each line
//! is one row, and nothing can pass for another line.
//!
//! Layout: this file is the model (lines, filter, selection); `held.rs` what it holds
//! of the lines' values (the budget, compaction); `wording.rs` what each event says
//! (through the engine's shared wording); `ui.rs` draws the toolbar and the list;
//! `viewer.rs` the selected line.

mod compacted;
mod held;
mod ui;
mod viewer;
mod wording;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use egui::{Color32, Visuals};
use serde_json::Value;
use switchyard_engine::{Event, ResponseView};
use switchyard_flow::escape_controls;

pub use compacted::Compacted;
pub use held::{Compaction, Written};
use wording::{describe, format_elapsed, one_line};

/// How important a console line is, and which colour its level tag gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// The run started or ended without success or failure (cancelled).
    Info,
    /// A request left for the server.
    Request,
    /// A block fired `success`, or the run ended `ok`.
    Success,
    /// A block fired `failure`, or the run ended `failed` or at the step limit.
    Failure,
    /// Something the user should know that does not fail the run.
    Warning,
    /// An error in the app itself, outside any run (a store that cannot be read).
    Error,
    /// A value written by a Log block.
    Log,
}

impl Level {
    /// Every level, in the order the toolbar shows their toggles.
    pub const ALL: [Level; 7] =
        [Level::Info, Level::Request, Level::Success, Level::Failure, Level::Warning, Level::Error, Level::Log];

    /// The level's name as the list and the copied text show it: `info`, `request`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Request => "request",
            Level::Success => "success",
            Level::Failure => "failure",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Log => "log",
        }
    }

    /// The level's name as its toolbar toggle shows it: `Info`, `Request`, …
    pub fn label(self) -> &'static str {
        match self {
            Level::Info => "Info",
            Level::Request => "Request",
            Level::Success => "Success",
            Level::Failure => "Failure",
            Level::Warning => "Warning",
            Level::Error => "Error",
            Level::Log => "Log",
        }
    }

    /// The colour of the level's tag, readable on the given theme's background.
    pub fn color(self, visuals: &Visuals) -> Color32 {
        let dark = visuals.dark_mode;
        let pick = |on_dark: Color32, on_light: Color32| if dark { on_dark } else { on_light };
        match self {
            Level::Info => visuals.weak_text_color(),
            Level::Request => pick(Color32::from_rgb(110, 170, 255), Color32::from_rgb(20, 90, 200)),
            Level::Success => pick(Color32::from_rgb(90, 200, 120), Color32::from_rgb(0, 130, 60)),
            Level::Failure => pick(Color32::from_rgb(240, 100, 100), Color32::from_rgb(190, 30, 30)),
            Level::Warning => visuals.warn_fg_color,
            Level::Error => visuals.error_fg_color,
            Level::Log => pick(Color32::from_rgb(190, 150, 255), Color32::from_rgb(120, 60, 200)),
        }
    }

    /// The level's position in [`Level::ALL`].
    fn index(self) -> usize {
        self as usize
    }
}

/// One line of the console.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleLine {
    /// Time since the run started, `mm:ss.mmm` (`00:01.234`); empty for app errors.
    pub time: String,
    /// The block the line is about, if any.
    pub block: Option<String>,
    /// The field of that block the line points at (`body`, `condition`, `checks[0]`),
    /// if any: clicking the line selects the block and this field.
    pub field: Option<String>,
    /// How important the line is.
    pub level: Level,
    /// One line of text: control characters escaped (`\n`, `\u{1b}`).
    pub message: String,
    /// The value that goes with the line (the response, the logged value), if any. It
    /// is shared with the run that fired it (never copied). Once its run has ended a
    /// large one is kept as `compacted` text instead, and it is dropped when the
    /// console's budget of response data is spent on newer lines.
    pub value: Option<Arc<Value>>,
    /// A large value of an ended run, kept as deflated compact JSON text (a JSON
    /// response takes about a hundredth of its parsed size; shared by the lines that
    /// shared the value) and parsed again when the line is selected. `value` is then
    /// `None`.
    pub compacted: Option<Arc<Compacted>>,
    /// Whether the line had a value that was dropped to keep the console within its
    /// budget (the line itself stays).
    pub value_dropped: bool,
    /// The run the line belongs to (1 for the first run; 0 before any run).
    pub run: u64,
}

/// Where a clicked console line points: a block, and the field at fault when it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineTarget {
    /// The block id.
    pub block: String,
    /// The block's field (`body`, `condition`, `checks[0]`), if the line names one.
    pub field: Option<String>,
}

/// How much response data (the values of lines) the console keeps by default.
pub const DEFAULT_BUDGET: usize = 256 * 1024 * 1024;

impl ConsoleLine {
    /// The line as [`Console::visible_text`] writes it: time, block, level, message, tab-separated.
    fn tab_separated(&self) -> String {
        format!("{}\t{}\t{}\t{}", self.time, self.block.as_deref().unwrap_or(""), self.level.as_str(), self.message)
    }
}

/// The run console: a list of lines built from engine events, with a filter, level
/// toggles, Clear and Copy. See the [module documentation](self).
#[derive(Debug)]
pub struct Console {
    /// Every line, oldest first.
    lines: Vec<ConsoleLine>,
    /// What the filter searches, for every line one after another: block, level,
    /// message and the words of its value ([`push_search_words`]), lowercased, each
    /// followed by a newline (which no field and no filter
    /// contains, so a match never spans two fields). A filter change is then one
    /// substring scan of this text rather than one search per line.
    search_text: String,
    /// Where each line's part of `search_text` starts.
    search_starts: Vec<usize>,
    /// Each line's level, kept apart from the lines so a filter change reads 1 byte per
    /// line rather than a whole [`ConsoleLine`].
    levels: Vec<Level>,
    /// Whether each line's value was a response with a status when it came.
    responses: Vec<bool>,
    /// The filter box's text, as typed.
    filter: String,
    /// The filter text, trimmed and lowercased, as matched.
    needle: String,
    /// Whether lines of each level (indexed by [`Level::index`]) are shown.
    shown: [bool; Level::ALL.len()],
    /// Indices into `lines` of the lines that pass the filter, in order.
    filtered: Vec<usize>,
    /// Index into `lines` of the selected line.
    selected: Option<usize>,
    /// Counts the clears, so the JSON trees of a new line never reuse an old line's state.
    generation: u64,
    /// Runs started since the app opened (the separator between runs names the number).
    runs: u64,
    /// Whether starting a run clears the console (the toolbar's "Clear on run").
    pub clear_on_run: bool,
    /// The longest block id of any line so far (in characters): the list's block column
    /// is as wide as it (up to a limit).
    widest_block: String,
    /// Body sizes from `ResponseReceived`, by block, until that block's finish line.
    pending_bytes: HashMap<String, u64>,
    /// The body size of each line that finished a request, by line index.
    line_bytes: HashMap<usize, u64>,
    /// The response viewer (details pane and window).
    viewer: viewer::Viewer,
    /// The values the lines hold, each counted once however many lines share it: by
    /// address, how many lines hold it and its estimated size in memory.
    held: HashMap<usize, Held>,
    /// The estimated bytes of `held`, plus the search words of the lines holding them.
    held_bytes: usize,
    /// Each line's search words' length, counted in `held_bytes` while it has a value
    /// (0 for a value whose words are left out: the selected line of an ended run).
    words_len: Vec<usize>,
    /// The most bytes of response data `held_bytes` may reach (View → Console).
    budget: usize,
    /// Lines before this index hold no value any more: where dropping goes on.
    keep_from: usize,
    /// The last run whose dropped values a note line told about.
    noted_run: u64,
    /// The selected line's compacted value, parsed again for the viewer: the compacted
    /// text's address (which names it) and the value (`None` when it did not parse).
    reparsed: Option<(usize, Option<Arc<Value>>)>,
    /// Estimated bytes of values and texts no line holds any more since
    /// [`Console::take_let_go`] was last called (dropped, compacted, cleared).
    let_go: usize,
}

/// A value the console holds: how many lines share it, and its estimated size.
#[derive(Debug, Clone, Copy)]
struct Held {
    lines: usize,
    bytes: usize,
}

impl Default for Console {
    fn default() -> Self {
        Self {
            lines: Vec::new(),
            search_text: String::new(),
            search_starts: Vec::new(),
            levels: Vec::new(),
            responses: Vec::new(),
            filter: String::new(),
            needle: String::new(),
            shown: [true; Level::ALL.len()],
            filtered: Vec::new(),
            selected: None,
            generation: 0,
            runs: 0,
            clear_on_run: false,
            widest_block: String::new(),
            pending_bytes: HashMap::new(),
            line_bytes: HashMap::new(),
            viewer: viewer::Viewer::default(),
            held: HashMap::new(),
            held_bytes: 0,
            words_len: Vec::new(),
            budget: DEFAULT_BUDGET,
            keep_from: 0,
            noted_run: 0,
            reparsed: None,
            let_go: 0,
        }
    }
}

impl Console {
    /// An empty console showing every level.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the line an engine event maps to, if any; `elapsed` is the time since the run
    /// started. Block starts and responses are not shown: the block's finish carries the
    /// result. The event's values are copied; [`Console::push_event`] takes them.
    pub fn push(&mut self, elapsed: Duration, event: &Event) {
        self.push_event(elapsed, event.clone());
    }

    /// [`Console::push`], taking the event: its values move into the line (a value the
    /// engine shares is shared, never copied).
    pub fn push_event(&mut self, elapsed: Duration, event: Event) {
        match &event {
            Event::ResponseReceived { block, bytes, .. } => {
                self.pending_bytes.insert(block.clone(), *bytes);
            }
            Event::BlockFinished { block, .. } => {
                if let Some(bytes) = self.pending_bytes.remove(block) {
                    self.line_bytes.insert(self.lines.len(), bytes);
                }
            }
            _ => {}
        }
        if let Some(described) = describe(event) {
            let block = described.block.map(|block| escape_controls(&block).into_owned());
            let message = escape_controls(&described.message).into_owned();
            self.add(ConsoleLine {
                time: format_elapsed(elapsed),
                block,
                field: described.field,
                level: described.level,
                message,
                value: described.value,
                compacted: None,
                value_dropped: false,
                run: self.runs,
            });
        }
    }

    /// The body size of the line at `index`, when it finished a request that got a response.
    pub fn response_bytes(&self, index: usize) -> Option<u64> {
        self.line_bytes.get(&index).copied()
    }

    /// Closes the response viewer's window, if it is open; returns whether it was.
    pub fn close_viewer_window(&mut self) -> bool {
        self.viewer.close_window()
    }

    /// Selects the last line whose value is a successful response (else any response)
    /// and shows it in the viewer's window; returns whether there was one.
    pub fn show_last_response(&mut self) -> bool {
        // Read from what was noted when the line came: its value may be text by now.
        let is_response = |index: &usize| self.responses.get(*index).copied().unwrap_or(false);
        let is_success = |index: &usize| self.levels.get(*index) == Some(&Level::Success);
        let last = (0..self.lines.len())
            .rev()
            .find(|index| is_success(index) && is_response(index))
            .or_else(|| (0..self.lines.len()).rev().find(is_response));
        self.selected = last;
        self.viewer.window_open |= last.is_some();
        last.is_some()
    }

    /// Whether the response viewer is in its own window.
    pub fn viewer_window_open(&self) -> bool {
        self.viewer.window_open
    }

    /// Adds an app-level error line (e.g. `cannot read the globals store: …`). Its line
    /// breaks and tabs are the app's own layout and become spaces; any other control
    /// character is escaped.
    pub fn push_error(&mut self, message: impl Into<String>) {
        self.push_error_at(message, None);
    }

    /// [`Console::push_error`] about a block's field: clicking the line selects them.
    pub fn push_error_at(&mut self, message: impl Into<String>, target: Option<LineTarget>) {
        let message: String = message.into();
        let (block, field) = match target {
            Some(LineTarget { block, field }) => (Some(escape_controls(&block).into_owned()), field),
            None => (None, None),
        };
        self.add(ConsoleLine {
            time: String::new(),
            block,
            field,
            level: Level::Error,
            message: one_line(&message),
            value: None,
            compacted: None,
            value_dropped: false,
            run: self.runs,
        });
    }

    /// A run starts: with "Clear on run" the console is cleared; otherwise, when lines
    /// of earlier runs are there, a separator line (`── run 2 ──`) sets this run's lines,
    /// whose times start again at zero, apart from them.
    pub fn start_run(&mut self) {
        self.runs += 1;
        if self.clear_on_run {
            self.clear();
        } else if !self.lines.is_empty() {
            let message = format!("── run {} ──", self.runs);
            self.add_note(message);
        }
    }

    /// Removes every line. The filter and the level toggles stay as they are.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.search_text.clear();
        self.search_starts.clear();
        self.levels.clear();
        self.responses.clear();
        self.filtered.clear();
        self.pending_bytes.clear();
        self.line_bytes.clear();
        self.widest_block.clear();
        self.selected = None;
        self.held.clear();
        self.let_go += std::mem::take(&mut self.held_bytes);
        self.words_len.clear();
        self.keep_from = 0;
        self.reparsed = None;
        self.generation = self.generation.wrapping_add(1);
    }

    /// The most bytes of response data the console keeps (see [`Console::set_budget`]).
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Sets how much response data (the values of lines: responses, logged values) the
    /// console keeps, in bytes of memory (estimated). Past it, the oldest lines' values
    /// are dropped (the lines stay, saying so), down to three quarters of it so the
    /// search text is rebuilt seldom.
    pub fn set_budget(&mut self, bytes: usize) {
        self.budget = bytes;
        self.keep_within(bytes);
    }

    /// The estimated bytes of response data the console holds now (each shared value
    /// once, plus the search words of the lines holding values).
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// How many lines there are, shown or not.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are no lines at all.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Every line, oldest first, shown or not.
    pub fn lines(&self) -> &[ConsoleLine] {
        &self.lines
    }

    /// How many lines pass the filter and the level toggles.
    pub fn visible_len(&self) -> usize {
        self.filtered.len()
    }

    /// The lines that pass the filter and the level toggles, one per line, each as
    /// time, block, level and message separated by tabs. This is what Copy copies.
    pub fn visible_text(&self) -> String {
        let mut text = String::new();
        for line in self.filtered.iter().filter_map(|&index| self.lines.get(index)) {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&line.tab_separated());
        }
        text
    }

    /// The filter box's text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Sets the filter: a line is shown when its block, message, level or value (the
    /// response's body and headers, the logged value: its keys and scalars, separated
    /// by spaces) contains the text, ignoring case (and its level is toggled on). An
    /// empty filter shows all.
    pub fn set_filter(&mut self, filter: impl Into<String>) {
        self.filter = filter.into();
        self.refilter();
    }

    /// Whether lines of this level are shown.
    pub fn is_level_shown(&self, level: Level) -> bool {
        self.shown.get(level.index()).copied().unwrap_or(true)
    }

    /// Shows or hides the lines of this level.
    pub fn set_level_shown(&mut self, level: Level, shown: bool) {
        if let Some(slot) = self.shown.get_mut(level.index()) {
            *slot = shown;
        }
        self.refilter();
    }

    /// The selected line, if any.
    pub fn selected_line(&self) -> Option<&ConsoleLine> {
        self.selected.and_then(|index| self.lines.get(index))
    }

    /// Selects the line at `index` in [`Console::lines`] (its value shows in the details
    /// pane), or none with `None` or an index past the end.
    pub fn select(&mut self, index: Option<usize>) {
        self.selected = index.filter(|&index| index < self.lines.len());
    }

    /// An info line of the console's own (a run's separator, a note).
    fn add_note(&mut self, message: String) {
        self.add(ConsoleLine {
            time: String::new(),
            block: None,
            field: None,
            level: Level::Info,
            message,
            value: None,
            compacted: None,
            value_dropped: false,
            run: self.runs,
        });
    }

    /// Appends a line and, when it passes the filter, its index to the cache; then keeps
    /// the response data within the budget.
    fn add(&mut self, line: ConsoleLine) {
        let start = self.search_text.len();
        let words = push_line_search_text(&line, true, &mut self.search_text);
        let text = self.search_text.get(start..).unwrap_or("");
        if self.is_level_shown(line.level) && text.contains(self.needle.as_str()) {
            self.filtered.push(self.lines.len());
        }
        if let Some(block) = &line.block
            && block.chars().count() > self.widest_block.chars().count()
        {
            self.widest_block.clone_from(block);
        }
        if let Some(value) = &line.value {
            self.hold(value);
            self.held_bytes += words;
        }
        self.words_len.push(if line.value.is_some() { words } else { 0 });
        self.search_starts.push(start);
        self.levels.push(line.level);
        self.responses
            .push(line.value.as_deref().and_then(ResponseView::of).is_some_and(|response| response.status.is_some()));
        self.lines.push(line);
        if self.held_bytes > self.budget {
            self.keep_within(self.budget / 4 * 3);
        }
    }

    /// Rebuilds the search text from the lines (after values were dropped), then the
    /// filter's cache.
    fn rebuild_search_text(&mut self) {
        let mut text = String::with_capacity(self.search_text.len() / 2);
        let mut starts = Vec::with_capacity(self.lines.len());
        for (index, line) in self.lines.iter().enumerate() {
            starts.push(text.len());
            let words = self.words_len.get(index).is_some_and(|&len| len > 0);
            push_line_search_text(line, words, &mut text);
        }
        self.search_text = text;
        self.search_starts = starts;
        self.refilter();
    }

    /// Rebuilds the cache of lines that pass the filter; called when the filter or the
    /// level toggles change, never per frame.
    fn refilter(&mut self) {
        self.needle = escape_controls(self.filter.trim()).to_lowercase();
        let shown = self.shown;
        let is_shown = |level: Level| shown.get(level.index()).copied().unwrap_or(true);
        let mut filtered = Vec::new();
        if self.needle.is_empty() {
            filtered
                .extend(self.levels.iter().enumerate().filter(|(_, level)| is_shown(**level)).map(|(index, _)| index));
        } else {
            // Find the next match, step forward to the line it is in, note that line and go
            // on from the start of the one after it.
            let mut index = 0;
            let mut from = 0;
            while let Some(found) = self.search_text.get(from..).and_then(|rest| rest.find(self.needle.as_str())) {
                let position = from + found;
                while self.search_starts.get(index + 1).is_some_and(|&next_start| next_start <= position) {
                    index += 1;
                }
                if self.levels.get(index).is_some_and(|level| is_shown(*level)) {
                    filtered.push(index);
                }
                index += 1;
                match self.search_starts.get(index) {
                    Some(&next_start) => from = next_start,
                    None => break,
                }
            }
        }
        self.filtered = filtered;
    }
}

/// Appends a line's part of the search text (block, level, message, then, with `words`,
/// the words of its value, each lowercased and followed by a newline); returns the
/// length of the value's words.
fn push_line_search_text(line: &ConsoleLine, words: bool, out: &mut String) -> usize {
    for field in [line.block.as_deref().unwrap_or(""), line.level.as_str(), &line.message] {
        out.push_str(&field.to_lowercase());
        out.push('\n');
    }
    let Some(value) = line.value.as_ref().filter(|_| words) else { return 0 };
    let start = out.len();
    push_search_words(value, out);
    out.push('\n');
    out.len() - start
}

/// Appends what the filter finds in a value: its keys and its scalars (strings as they
/// are), lowercased, separated by spaces, with line breaks and other control characters
/// as spaces (a field of `search_text` never holds a newline). Walks the value with its
/// own stack, so a deep value cannot overflow the thread's; linear in its size.
fn push_search_words(value: &Value, out: &mut String) {
    let push = |text: &str, out: &mut String| {
        out.extend(text.chars().flat_map(|c| {
            let c = if c.is_control() { ' ' } else { c };
            c.to_lowercase()
        }));
        out.push(' ');
    };
    enum Item<'a> {
        Key(&'a str),
        Value(&'a Value),
    }
    let mut stack = vec![Item::Value(value)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Key(key) => push(key, out),
            Item::Value(Value::Object(object)) => {
                for (key, child) in object.iter().rev() {
                    stack.push(Item::Value(child));
                    stack.push(Item::Key(key));
                }
            }
            Item::Value(Value::Array(items)) => stack.extend(items.iter().rev().map(Item::Value)),
            Item::Value(Value::String(text)) => push(text, out),
            Item::Value(Value::Null) => {}
            Item::Value(scalar) => push(&scalar.to_string(), out),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod viewer_tests;
