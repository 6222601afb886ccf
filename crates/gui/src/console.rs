//! The run console: the bottom panel of the app, which shows what a run did, line by line.
//!
//! [`Console`] turns the engine's [`Event`]s into [`ConsoleLine`]s ([`Console::push`]) and
//! app-level errors into error lines ([`Console::push_error`]), and draws them
//! ([`Console::ui`]): a toolbar (filter box, one toggle per [`Level`], Clear, Copy, line
//! count), the list of lines (time, block, level, message, and a short preview of the
//! line's value: `{…}`, `[…]` or a scalar), and on the right a details pane with the
//! selected line in full and its value (the response, the logged value) as a collapsible
//! JSON tree, collapsed at first.
//!
//! It stays smooth at 100,000 lines: every row of the list has the same height, so only
//! the rows on screen are laid out (`ScrollArea::show_rows`); a value is never drawn in
//! the list, only in the details pane and for one line at a time; and the indices of the
//! lines that pass the filter are cached, extended as lines arrive and rebuilt only when
//! the filter or the level toggles change.
//!
//! Events arrive masked by the engine (secrets replaced by `*****`): the console shows
//! them as they are and never has anything to unmask. Text in them comes from the flow
//! and from servers, so block ids and messages are shown with control characters escaped
//! (`\n`, `\u{1b}`, by [`switchyard_flow::escape_controls`], as the CLI does); each line
//! is one row, and nothing can pass for another line.

use std::sync::Arc;
use std::time::Duration;

use egui::text::{LayoutJob, TextWrapping};
use egui::{
    Align, Button, Color32, FontId, Galley, Label, Layout, Painter, Pos2, Rect, RichText, ScrollArea, Sense, TextEdit,
    TextStyle, Ui, Visuals, WidgetInfo, WidgetType, vec2,
};
use egui_json_tree::{DefaultExpand, JsonTree, JsonTreeStyle};
use serde_json::{Map, Value};
use switchyard_engine::{Counts, Event, Outcome};
use switchyard_flow::{Port, escape_controls};

/// Width of the block column in the list, in points; longer block ids are elided.
const BLOCK_COLUMN_WIDTH: f32 = 140.0;
/// Horizontal gap between the list's columns, in points.
const COLUMN_GAP: f32 = 10.0;
/// Extra height of a list row above the text height, in points.
const ROW_PADDING: f32 = 4.0;
/// Widest a row's value preview gets, in points.
const VALUE_PREVIEW_WIDTH: f32 = 160.0;
/// Longest string value a row previews, in characters, before cutting it short.
const VALUE_PREVIEW_CHARS: usize = 40;
/// Initial width of the details pane, in points.
const DETAILS_WIDTH: f32 = 360.0;
/// Narrowest the details pane gets, in points; it is also never wider than 60% of the console.
const MIN_DETAILS_WIDTH: f32 = 160.0;

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
    /// How important the line is.
    pub level: Level,
    /// One line of text: control characters escaped (`\n`, `\u{1b}`).
    pub message: String,
    /// The value that goes with the line (the response, the logged value), if any.
    pub value: Option<Value>,
}

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
    /// What the filter searches, for every line one after another: block, level and
    /// message, lowercased, each followed by a newline (which no field and no filter
    /// contains, so a match never spans two fields). A filter change is then one
    /// substring scan of this text rather than one search per line.
    search_text: String,
    /// Where each line's part of `search_text` starts.
    search_starts: Vec<usize>,
    /// Each line's level, kept apart from the lines so a filter change reads 1 byte per
    /// line rather than a whole [`ConsoleLine`].
    levels: Vec<Level>,
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
}

impl Default for Console {
    fn default() -> Self {
        Self {
            lines: Vec::new(),
            search_text: String::new(),
            search_starts: Vec::new(),
            levels: Vec::new(),
            filter: String::new(),
            needle: String::new(),
            shown: [true; Level::ALL.len()],
            filtered: Vec::new(),
            selected: None,
            generation: 0,
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
    /// result.
    pub fn push(&mut self, elapsed: Duration, event: &Event) {
        if let Some((block, level, message, value)) = describe(event) {
            let block = block.map(|block| escape_controls(&block).into_owned());
            let message = escape_controls(&message).into_owned();
            self.add(ConsoleLine { time: format_elapsed(elapsed), block, level, message, value });
        }
    }

    /// Adds an app-level error line (e.g. `cannot read the globals store: …`). Its line
    /// breaks and tabs are the app's own layout and become spaces; any other control
    /// character is escaped.
    pub fn push_error(&mut self, message: impl Into<String>) {
        let message: String = message.into();
        self.add(ConsoleLine {
            time: String::new(),
            block: None,
            level: Level::Error,
            message: one_line(&message),
            value: None,
        });
    }

    /// Removes every line. The filter and the level toggles stay as they are.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.search_text.clear();
        self.search_starts.clear();
        self.levels.clear();
        self.filtered.clear();
        self.selected = None;
        self.generation = self.generation.wrapping_add(1);
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

    /// Sets the filter: a line is shown when its block, message or level contains the
    /// text, ignoring case (and its level is toggled on). An empty filter shows all.
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

    /// Draws the console in all of `ui`: toolbar, list and details pane. Returns the
    /// block id of the line the user clicked this frame, if that line has one (the app
    /// selects that block on the canvas).
    pub fn ui(&mut self, ui: &mut Ui) -> Option<String> {
        self.toolbar_ui(ui);
        ui.separator();
        let max_details_width = (ui.available_width() * 0.6).max(MIN_DETAILS_WIDTH);
        egui::Panel::right(ui.id().with("switchyard-console-details"))
            .resizable(true)
            .default_size(DETAILS_WIDTH.min(max_details_width))
            .size_range(MIN_DETAILS_WIDTH..=max_details_width)
            .show(ui, |ui| self.details_ui(ui));
        self.list_ui(ui)
    }

    /// Appends a line and, when it passes the filter, its index to the cache.
    fn add(&mut self, line: ConsoleLine) {
        let start = self.search_text.len();
        for field in [line.block.as_deref().unwrap_or(""), line.level.as_str(), &line.message] {
            self.search_text.push_str(&field.to_lowercase());
            self.search_text.push('\n');
        }
        let text = self.search_text.get(start..).unwrap_or("");
        if self.is_level_shown(line.level) && text.contains(self.needle.as_str()) {
            self.filtered.push(self.lines.len());
        }
        self.search_starts.push(start);
        self.levels.push(line.level);
        self.lines.push(line);
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

    /// The toolbar: filter box, level toggles, Clear, Copy and the line count.
    fn toolbar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Filter");
            let filter_box = ui
                .add(TextEdit::singleline(&mut self.filter).hint_text("block, message or level").desired_width(180.0))
                .labelled_by(label.id);
            if filter_box.changed() {
                self.refilter();
            }
            ui.separator();
            for level in Level::ALL {
                let mut shown = self.is_level_shown(level);
                let text = if shown {
                    RichText::new(level.label())
                } else {
                    RichText::new(level.label()).weak().strikethrough()
                };
                let toggle = ui.toggle_value(&mut shown, text).on_hover_text(format!("Show {} lines", level.as_str()));
                if toggle.changed() {
                    self.set_level_shown(level, shown);
                }
            }
            ui.separator();
            if ui.button("Clear").on_hover_text("Remove every line").clicked() {
                self.clear();
            }
            let copy = ui
                .add_enabled(!self.filtered.is_empty(), Button::new("Copy"))
                .on_hover_text("Copy the lines shown, tab-separated");
            if copy.clicked() {
                ui.ctx().copy_text(self.visible_text());
            }
            let count = if self.filtered.len() == self.lines.len() {
                plural(self.lines.len() as u64, "line")
            } else {
                format!("{} of {}", self.filtered.len(), plural(self.lines.len() as u64, "line"))
            };
            ui.weak(count);
        });
    }

    /// The list of lines that pass the filter, one fixed-height row each. Returns the
    /// block id of a clicked line.
    fn list_ui(&mut self, ui: &mut Ui) -> Option<String> {
        let body = TextStyle::Body.resolve(ui.style());
        let mono = TextStyle::Monospace.resolve(ui.style());
        let row_height =
            ui.text_style_height(&TextStyle::Body).max(ui.text_style_height(&TextStyle::Monospace)) + ROW_PADDING;
        let painter = ui.painter().clone();
        let time_width = painter.layout_no_wrap("00:00.000".to_owned(), mono.clone(), Color32::WHITE).size().x;
        let level_width = Level::ALL
            .iter()
            .map(|level| painter.layout_no_wrap(level.as_str().to_owned(), body.clone(), Color32::WHITE).size().x)
            .fold(0.0, f32::max);
        let fonts = RowFonts { body, mono, time_width, level_width };

        let mut clicked = None;
        ui.scope(|ui| {
            ui.spacing_mut().item_spacing.y = 0.0;
            ScrollArea::vertical()
                .id_salt("switchyard-console-lines")
                .auto_shrink(false)
                .stick_to_bottom(true)
                .show_rows(ui, row_height, self.filtered.len(), |ui, rows| {
                    for row in rows {
                        let Some(&index) = self.filtered.get(row) else { continue };
                        let Some(line) = self.lines.get(index) else { continue };
                        let selected = self.selected == Some(index);
                        let response = row_ui(ui, line, row, selected, row_height, &fonts);
                        if response.clicked() {
                            self.selected = Some(index);
                            clicked = line.block.clone();
                        }
                    }
                });
        });
        clicked
    }

    /// The details pane: the selected line in full and its value as a JSON tree.
    fn details_ui(&self, ui: &mut Ui) {
        let Some((index, line)) = self.selected.and_then(|index| self.lines.get(index).map(|line| (index, line)))
        else {
            ui.weak("Click a line to see it in full.");
            return;
        };
        ui.horizontal(|ui| {
            if !line.time.is_empty() {
                ui.monospace(&line.time);
            }
            if let Some(block) = &line.block {
                ui.strong(block);
            }
            ui.colored_label(line.level.color(ui.visuals()), line.level.as_str());
        });
        ui.add(Label::new(&line.message).wrap());
        let Some(value) = &line.value else { return };
        ui.separator();
        ScrollArea::both().id_salt("switchyard-console-value").auto_shrink(false).show(ui, |ui| {
            JsonTree::new(ui.id().with(("value", self.generation, index)), value)
                .default_expand(DefaultExpand::None)
                .style(JsonTreeStyle::new().abbreviate_root(true))
                .show(ui);
        });
    }
}

/// The fonts and fixed column widths of the list's rows, computed once per frame.
struct RowFonts {
    body: FontId,
    mono: FontId,
    time_width: f32,
    level_width: f32,
}

/// Draws one row of the list (time, block, level, message, and `{…}` when the line has
/// a value) by painting its text directly: one widget per row, so rows stay cheap.
fn row_ui(
    ui: &mut Ui,
    line: &ConsoleLine,
    row: usize,
    selected: bool,
    height: f32,
    fonts: &RowFonts,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    response.widget_info(|| {
        let parts = [line.time.as_str(), line.block.as_deref().unwrap_or(""), line.level.as_str(), &line.message];
        let label = parts.iter().filter(|part| !part.is_empty()).copied().collect::<Vec<_>>().join(" ");
        WidgetInfo::selected(WidgetType::SelectableLabel, true, selected, label)
    });
    if !ui.is_rect_visible(rect) {
        return response;
    }

    let visuals = ui.visuals();
    let painter = ui.painter();
    if selected {
        painter.rect_filled(rect, 0.0, visuals.selection.bg_fill);
    } else if response.hovered() {
        painter.rect_filled(rect, 0.0, visuals.widgets.hovered.weak_bg_fill);
    } else if row % 2 == 1 {
        painter.rect_filled(rect, 0.0, visuals.faint_bg_color);
    }

    let text_color = visuals.text_color();
    let weak_color = visuals.weak_text_color();
    let mut x = rect.left() + COLUMN_GAP / 2.0;
    let mut column = |text: &str, font: &FontId, color: Color32, width: f32| {
        paint_text(painter, Pos2::new(x, rect.center().y), text, font, color, width);
        x += width + COLUMN_GAP;
    };
    column(&line.time, &fonts.mono, weak_color, fonts.time_width);
    column(line.block.as_deref().unwrap_or(""), &fonts.body, text_color, BLOCK_COLUMN_WIDTH);
    column(line.level.as_str(), &fonts.body, line.level.color(visuals), fonts.level_width);

    let mut message_right = rect.right() - COLUMN_GAP / 2.0;
    if let Some(value) = &line.value {
        let galley = single_line_galley(painter, &value_preview(value), &fonts.mono, weak_color, VALUE_PREVIEW_WIDTH);
        let top_left = Pos2::new(message_right - galley.size().x, rect.center().y - galley.size().y / 2.0);
        message_right = top_left.x - COLUMN_GAP;
        painter.galley(top_left, galley, weak_color);
    }
    paint_text(painter, Pos2::new(x, rect.center().y), &line.message, &fonts.body, text_color, message_right - x);
    response
}

/// What a row shows of its value, right-aligned: `{…}` for an object, `[…]` for an
/// array, the value itself for anything else (a long string cut short).
fn value_preview(value: &Value) -> String {
    match value {
        Value::Object(_) => "{…}".to_owned(),
        Value::Array(_) => "[…]".to_owned(),
        Value::String(text) if text.chars().nth(VALUE_PREVIEW_CHARS).is_some() => {
            let start: String = text.chars().take(VALUE_PREVIEW_CHARS).collect();
            format!("{}…", Value::String(start))
        }
        scalar => scalar.to_string(),
    }
}

/// Paints one line of text from `left_center`, elided with `…` past `max_width`.
fn paint_text(painter: &Painter, left_center: Pos2, text: &str, font: &FontId, color: Color32, max_width: f32) {
    if text.is_empty() || max_width <= 0.0 {
        return;
    }
    let galley = single_line_galley(painter, text, font, color, max_width);
    let rect = Rect::from_min_size(Pos2::new(left_center.x, left_center.y - galley.size().y / 2.0), galley.size());
    let rect = Layout::left_to_right(Align::Center).align_size_within_rect(galley.size(), rect);
    painter.galley(rect.min, galley, color);
}

/// One line of text laid out, elided with `…` past `max_width` (egui caches the layout).
fn single_line_galley(painter: &Painter, text: &str, font: &FontId, color: Color32, max_width: f32) -> Arc<Galley> {
    let mut job = LayoutJob::simple_singleline(text.to_owned(), font.clone(), color);
    job.wrap = TextWrapping::truncate_at_width(max_width);
    painter.layout_job(job)
}

/// The parts of the line an event maps to (block, level, message, value), or `None`
/// for the events the console does not show.
fn describe(event: &Event) -> Option<(Option<String>, Level, String, Option<Value>)> {
    match event {
        Event::RunStarted { flow, blocks } => {
            Some((None, Level::Info, format!("run started: {flow} ({})", plural(*blocks as u64, "block")), None))
        }
        Event::BlockStarted { .. } | Event::ResponseReceived { .. } => None,
        Event::RequestSent { block, method, url, headers } => Some((
            Some(block.clone()),
            Level::Request,
            format!("{method} {url}"),
            Some(request_value(method, url, headers)),
        )),
        Event::Log { block, label, value } => {
            let message = label.as_deref().filter(|label| !label.trim().is_empty()).unwrap_or("logged").to_owned();
            Some((Some(block.clone()), Level::Log, message, Some(value.clone())))
        }
        Event::Warning { block, message } => Some((block.clone(), Level::Warning, message.clone(), None)),
        Event::BlockFinished { block, port, value, wired, summary } => match port {
            Port::Success => {
                let message = if summary.is_empty() { "success".to_owned() } else { format!("success: {summary}") };
                Some((Some(block.clone()), Level::Success, message, Some(value.clone())))
            }
            Port::Failure => Some((
                Some(block.clone()),
                Level::Failure,
                failure_message(summary, value, *wired),
                Some(value.clone()),
            )),
            Port::True | Port::False => Some((Some(block.clone()), Level::Info, format!("→ {port}"), None)),
            Port::In | Port::Out | Port::Item => None,
        },
        Event::BlockFailed { block, message, .. } => {
            Some((Some(block.clone()), Level::Failure, format!("{message} (the run fails)"), None))
        }
        Event::ItemStarted { block, index, total } => {
            Some((Some(block.clone()), Level::Info, format!("item {index} / {total}"), None))
        }
        Event::VariableSet { block, name, value, .. } => {
            Some((Some(block.clone()), Level::Info, format!("{name} set"), Some(value.clone())))
        }
        Event::CheckResult { block, name, passed, result } => {
            let (level, outcome) = if *passed { (Level::Success, "held") } else { (Level::Failure, "did not hold") };
            Some((Some(block.clone()), level, format!("check \"{name}\" {outcome}"), Some(result.clone())))
        }
        Event::RunFinished { outcome, counts, duration_ms } => {
            let level = match outcome {
                Outcome::Ok => Level::Success,
                Outcome::Failed | Outcome::Limit => Level::Failure,
                Outcome::Cancelled => Level::Info,
            };
            Some((None, level, run_finished_message(*outcome, counts, *duration_ms), None))
        }
    }
}

/// `failure: SUMMARY — ERROR MESSAGE`, with ` (unhandled)` when no wire took the failure.
fn failure_message(summary: &str, value: &Value, wired: bool) -> String {
    let error = value.get("error").and_then(|error| error.get("message")).and_then(Value::as_str).unwrap_or("");
    let mut message = String::from("failure");
    if !summary.is_empty() {
        message.push_str(": ");
        message.push_str(summary);
    }
    if !error.is_empty() && !summary.contains(error) {
        message.push_str(" — ");
        message.push_str(error);
    }
    if !wired {
        message.push_str(" (unhandled)");
    }
    message
}

/// `run ok · 3 blocks · 2 responses · 1 failed (1 unhandled) · 1 logged · 84 ms`; the
/// failed and logged counts only when not zero.
fn run_finished_message(outcome: Outcome, counts: &Counts, duration_ms: u64) -> String {
    let mut parts = vec![
        match outcome {
            Outcome::Limit => "run stopped at the step limit".to_owned(),
            _ => format!("run {}", outcome.as_str()),
        },
        plural(counts.blocks_run, "block"),
        plural(counts.responses, "response"),
    ];
    if counts.failed > 0 {
        let mut failed = format!("{} failed", counts.failed);
        if counts.unhandled > 0 {
            failed.push_str(&format!(" ({} unhandled)", counts.unhandled));
        }
        parts.push(failed);
    }
    if counts.logged > 0 {
        parts.push(format!("{} logged", counts.logged));
    }
    parts.push(format_duration_ms(duration_ms));
    parts.join(" · ")
}

/// The value shown with a request line: method, URL and headers (already masked).
/// Repeated header names are joined with `, `, as HTTP allows.
fn request_value(method: &str, url: &str, headers: &[(String, String)]) -> Value {
    let mut header_map = Map::new();
    for (name, value) in headers {
        let joined = match header_map.get(name).and_then(Value::as_str) {
            Some(previous) => format!("{previous}, {value}"),
            None => value.clone(),
        };
        header_map.insert(name.clone(), Value::String(joined));
    }
    let mut request = Map::new();
    request.insert("method".to_owned(), Value::String(method.to_owned()));
    request.insert("url".to_owned(), Value::String(url.to_owned()));
    request.insert("headers".to_owned(), Value::Object(header_map));
    Value::Object(request)
}

/// `mm:ss.mmm`; minutes go past 59 rather than wrap.
fn format_elapsed(elapsed: Duration) -> String {
    let millis = elapsed.as_millis();
    format!("{:02}:{:02}.{:03}", millis / 60_000, (millis / 1_000) % 60, millis % 1_000)
}

/// `84 ms` under a second, `1.25 s` from there on.
fn format_duration_ms(duration_ms: u64) -> String {
    if duration_ms < 1_000 { format!("{duration_ms} ms") } else { format!("{:.2} s", duration_ms as f64 / 1_000.0) }
}

/// `1 block`, `3 blocks`.
fn plural(count: u64, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// An app message on one line: its line breaks and tabs become spaces, any other
/// control character is escaped, so every line is one row.
fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    escape_controls(&spaced).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::accesskit::Role;
    use egui::{OutputCommand, Vec2};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use serde_json::json;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn success(block: &str, summary: &str, value: Value) -> Event {
        Event::BlockFinished {
            block: block.to_owned(),
            port: Port::Success,
            value,
            wired: true,
            summary: summary.to_owned(),
        }
    }

    fn log(block: &str, label: Option<&str>, value: Value) -> Event {
        Event::Log { block: block.to_owned(), label: label.map(str::to_owned), value }
    }

    /// A console holding a typical run: start, request, success, log, finish.
    fn sample_console() -> Console {
        let mut console = Console::new();
        console.push(ms(0), &Event::RunStarted { flow: "Users".to_owned(), blocks: 3 });
        console.push(
            ms(12),
            &Event::RequestSent {
                block: "fetch_users".to_owned(),
                method: "GET".to_owned(),
                url: "https://api.example.com/users".to_owned(),
                headers: vec![],
            },
        );
        console.push(ms(96), &success("fetch_users", "200 · 84 ms", json!({"status": 200, "body": {"count": 2}})));
        console.push(ms(97), &log("print", Some("users"), json!({"count": 2})));
        console.push(
            ms(98),
            &Event::RunFinished {
                outcome: Outcome::Ok,
                counts: Counts { blocks_run: 3, responses: 1, succeeded: 1, logged: 1, ..Counts::default() },
                duration_ms: 98,
            },
        );
        console
    }

    fn messages(console: &Console) -> Vec<&str> {
        console.lines().iter().map(|line| line.message.as_str()).collect()
    }

    #[test]
    fn run_started_maps_to_info_line_with_name_and_block_count() {
        let mut console = Console::new();
        console.push(ms(0), &Event::RunStarted { flow: "Users".to_owned(), blocks: 3 });
        let line = &console.lines()[0];
        assert_eq!(line.time, "00:00.000");
        assert_eq!(line.level, Level::Info);
        assert_eq!(line.block, None);
        assert_eq!(line.message, "run started: Users (3 blocks)");
        assert_eq!(line.value, None);
    }

    #[test]
    fn time_is_minutes_seconds_and_millis_since_run_start() {
        let mut console = Console::new();
        console.push(ms(1_234), &Event::RunStarted { flow: "f".to_owned(), blocks: 1 });
        console.push(ms(61_005), &Event::RunStarted { flow: "f".to_owned(), blocks: 1 });
        assert_eq!(console.lines()[0].time, "00:01.234");
        assert_eq!(console.lines()[0].message, "run started: f (1 block)");
        assert_eq!(console.lines()[1].time, "01:01.005");
    }

    #[test]
    fn block_started_and_response_received_add_no_line() {
        let mut console = Console::new();
        console.push(ms(1), &Event::BlockStarted { block: "a".to_owned(), kind: "send_request".to_owned(), step: 1 });
        console.push(ms(2), &Event::ResponseReceived { block: "a".to_owned(), status: 200, duration_ms: 1, bytes: 10 });
        assert!(console.is_empty());
        assert_eq!(console.len(), 0);
    }

    #[test]
    fn request_sent_maps_to_request_line_with_method_url_and_headers() {
        let mut console = Console::new();
        console.push(
            ms(5),
            &Event::RequestSent {
                block: "fetch".to_owned(),
                method: "POST".to_owned(),
                url: "https://api.example.com/items?page=2".to_owned(),
                headers: vec![("Accept".to_owned(), "a/b".to_owned()), ("Accept".to_owned(), "c/d".to_owned())],
            },
        );
        let line = &console.lines()[0];
        assert_eq!(line.level, Level::Request);
        assert_eq!(line.block.as_deref(), Some("fetch"));
        assert_eq!(line.message, "POST https://api.example.com/items?page=2");
        assert_eq!(
            line.value,
            Some(json!({
                "method": "POST",
                "url": "https://api.example.com/items?page=2",
                "headers": {"Accept": "a/b, c/d"}
            }))
        );
    }

    #[test]
    fn log_maps_to_log_line_with_label_or_logged_and_the_value() {
        let mut console = Console::new();
        console.push(ms(1), &log("print", Some("user id"), json!(42)));
        console.push(ms(2), &log("print", None, json!({"a": [1, 2]})));
        assert_eq!(messages(&console), ["user id", "logged"]);
        assert!(console.lines().iter().all(|line| line.level == Level::Log));
        assert_eq!(console.lines()[0].value, Some(json!(42)));
        assert_eq!(console.lines()[1].value, Some(json!({"a": [1, 2]})));
    }

    #[test]
    fn warning_maps_to_warning_line_with_its_block() {
        let mut console = Console::new();
        console.push(
            ms(1),
            &Event::Warning { block: Some("fetch".to_owned()), message: "secret api_key expired".to_owned() },
        );
        console.push(ms(2), &Event::Warning { block: None, message: "general".to_owned() });
        let lines = console.lines();
        assert_eq!(lines[0].level, Level::Warning);
        assert_eq!(lines[0].block.as_deref(), Some("fetch"));
        assert_eq!(lines[0].message, "secret api_key expired");
        assert_eq!(lines[1].block, None);
    }

    #[test]
    fn success_maps_to_success_line_with_summary_and_response_value() {
        let mut console = Console::new();
        let response =
            json!({"status": 200, "headers": {}, "body": {"ok": true}, "duration_ms": 84, "url": "https://x"});
        console.push(ms(90), &success("fetch", "200 · 84 ms", response.clone()));
        let line = &console.lines()[0];
        assert_eq!(line.level, Level::Success);
        assert_eq!(line.block.as_deref(), Some("fetch"));
        assert_eq!(line.message, "success: 200 · 84 ms");
        assert_eq!(line.value, Some(response));
    }

    #[test]
    fn failure_maps_to_failure_line_with_summary_and_error_message() {
        let mut console = Console::new();
        let value = json!({"error": {"kind": "connect", "message": "connection refused by 127.0.0.1:9"}});
        console.push(
            ms(3),
            &Event::BlockFinished {
                block: "fetch".to_owned(),
                port: Port::Failure,
                value: value.clone(),
                wired: true,
                summary: "connect error".to_owned(),
            },
        );
        let line = &console.lines()[0];
        assert_eq!(line.level, Level::Failure);
        assert_eq!(line.message, "failure: connect error — connection refused by 127.0.0.1:9");
        assert_eq!(line.value, Some(value));
    }

    #[test]
    fn unhandled_failure_without_error_says_so_and_does_not_repeat_the_summary() {
        let mut console = Console::new();
        console.push(
            ms(3),
            &Event::BlockFinished {
                block: "fetch".to_owned(),
                port: Port::Failure,
                value: json!({"status": 404, "error": {"kind": "timeout", "message": "timeout"}}),
                wired: false,
                summary: "timeout".to_owned(),
            },
        );
        console.push(
            ms(4),
            &Event::BlockFinished {
                block: "fetch".to_owned(),
                port: Port::Failure,
                value: json!({"status": 404}),
                wired: false,
                summary: "404 · 12 ms".to_owned(),
            },
        );
        assert_eq!(messages(&console), ["failure: timeout (unhandled)", "failure: 404 · 12 ms (unhandled)"]);
    }

    #[test]
    fn out_port_of_start_and_log_adds_no_line() {
        let mut console = Console::new();
        for block in ["start", "print"] {
            console.push(
                ms(1),
                &Event::BlockFinished {
                    block: block.to_owned(),
                    port: Port::Out,
                    value: Value::Null,
                    wired: true,
                    summary: String::new(),
                },
            );
        }
        assert!(console.is_empty());
    }

    #[test]
    fn run_finished_level_and_message_follow_the_outcome() {
        let mut console = Console::new();
        let counts =
            Counts { blocks_run: 3, responses: 2, succeeded: 1, failed: 1, unhandled: 1, logged: 2, errors: 0 };
        for (outcome, duration_ms) in
            [(Outcome::Ok, 412), (Outcome::Failed, 1_250), (Outcome::Cancelled, 5), (Outcome::Limit, 9)]
        {
            console.push(ms(duration_ms), &Event::RunFinished { outcome, counts, duration_ms });
        }
        let levels: Vec<Level> = console.lines().iter().map(|line| line.level).collect();
        assert_eq!(levels, [Level::Success, Level::Failure, Level::Info, Level::Failure]);
        assert_eq!(
            messages(&console),
            [
                "run ok · 3 blocks · 2 responses · 1 failed (1 unhandled) · 2 logged · 412 ms",
                "run failed · 3 blocks · 2 responses · 1 failed (1 unhandled) · 2 logged · 1.25 s",
                "run cancelled · 3 blocks · 2 responses · 1 failed (1 unhandled) · 2 logged · 5 ms",
                "run stopped at the step limit · 3 blocks · 2 responses · 1 failed (1 unhandled) · 2 logged · 9 ms",
            ]
        );
        let quiet = Counts { blocks_run: 1, responses: 1, ..Counts::default() };
        console.push(ms(1), &Event::RunFinished { outcome: Outcome::Ok, counts: quiet, duration_ms: 1 });
        assert_eq!(console.lines()[4].message, "run ok · 1 block · 1 response · 1 ms");
    }

    #[test]
    fn masked_values_stay_masked() {
        let mut console = Console::new();
        console.push(
            ms(1),
            &Event::RequestSent {
                block: "fetch".to_owned(),
                method: "GET".to_owned(),
                url: "https://api.example.com/?key=*****".to_owned(),
                headers: vec![("Authorization".to_owned(), "Bearer *****".to_owned())],
            },
        );
        console.push(ms(2), &log("print", Some("token *****"), json!({"token": "*****"})));
        let text = console.visible_text();
        assert!(text.contains("https://api.example.com/?key=*****"), "{text}");
        assert!(text.contains("token *****"), "{text}");
        assert_eq!(
            console.lines()[0].value.as_ref().and_then(|v| v.pointer("/headers/Authorization")),
            Some(&json!("Bearer *****"))
        );
        assert_eq!(console.lines()[1].value, Some(json!({"token": "*****"})));
    }

    #[test]
    fn push_error_adds_error_line_without_time_or_block() {
        let mut console = Console::new();
        console.push_error("cannot read the globals store: permission denied");
        let line = &console.lines()[0];
        assert_eq!(line.level, Level::Error);
        assert_eq!(line.time, "");
        assert_eq!(line.block, None);
        assert_eq!(console.visible_text(), "\t\terror\tcannot read the globals store: permission denied");
    }

    #[test]
    fn newlines_and_tabs_in_messages_become_spaces() {
        let mut console = Console::new();
        console.push_error("first\nsecond\tthird\u{1b}[2J");
        assert_eq!(console.lines()[0].message, "first second third\\u{1b}[2J");
    }

    #[test]
    fn control_characters_from_a_run_are_shown_escaped() {
        let mut console = Console::new();
        console.push(ms(0), &Event::RunStarted { flow: "F\u{1b}]0;title\u{7}".to_owned(), blocks: 1 });
        console.push(
            ms(1),
            &Event::Warning { block: Some("b\n".to_owned()), message: "x\n00:00.000\tfake\tinfo\tok".to_owned() },
        );
        let lines = console.lines();
        assert_eq!(lines[0].message, "run started: F\\u{1b}]0;title\\u{7} (1 block)");
        assert_eq!(lines[1].block.as_deref(), Some("b\\n"));
        assert_eq!(lines[1].message, "x\\n00:00.000\\tfake\\tinfo\\tok");
        assert_eq!(console.visible_text().lines().count(), 2, "{}", console.visible_text());
    }

    #[test]
    fn visible_text_is_one_tab_separated_line_per_visible_line() {
        let console = sample_console();
        assert_eq!(
            console.visible_text(),
            [
                "00:00.000\t\tinfo\trun started: Users (3 blocks)",
                "00:00.012\tfetch_users\trequest\tGET https://api.example.com/users",
                "00:00.096\tfetch_users\tsuccess\tsuccess: 200 · 84 ms",
                "00:00.097\tprint\tlog\tusers",
                "00:00.098\t\tsuccess\trun ok · 3 blocks · 1 response · 1 logged · 98 ms",
            ]
            .join("\n")
        );
    }

    #[test]
    fn filter_matches_block_message_and_level_ignoring_case() {
        let mut console = sample_console();
        console.set_filter("FETCH_users");
        assert_eq!(console.visible_len(), 2);
        console.set_filter("api.example");
        assert_eq!(console.visible_len(), 1);
        console.set_filter(" LOG ");
        assert_eq!(console.visible_len(), 2, "the log line, and the run line's \"1 logged\"");
        console.set_filter("request");
        assert_eq!(console.visible_text(), "00:00.012\tfetch_users\trequest\tGET https://api.example.com/users");
        console.set_filter("no such text");
        assert_eq!(console.visible_len(), 0);
        assert_eq!(console.visible_text(), "");
        console.set_filter("");
        assert_eq!(console.visible_len(), 5);
    }

    #[test]
    fn filter_lists_each_matching_line_once_in_order() {
        let mut console = Console::new();
        console.push_error("aaa aaa");
        console.push_error("bbb");
        console.push_error("a");
        console.set_filter("a");
        assert_eq!(console.visible_text(), "\t\terror\taaa aaa\n\t\terror\ta");
        console.set_filter("error\ta");
        assert_eq!(console.visible_len(), 0, "a filter never matches across fields");
    }

    #[test]
    fn filter_ignores_case_beyond_ascii() {
        let mut console = Console::new();
        console.push_error("Ärger mit der Größe");
        console.push_error("other");
        console.set_filter("ärger");
        assert_eq!(console.visible_len(), 1);
        console.set_filter("GRÖSSE");
        assert_eq!(console.visible_len(), 0, "no case folding of ß to ss, only lowercasing");
        console.set_filter("GRÖßE");
        assert_eq!(console.visible_len(), 1);
    }

    #[test]
    fn row_previews_scalars_and_abbreviates_objects_arrays_and_long_strings() {
        assert_eq!(value_preview(&json!({"a": 1})), "{…}");
        assert_eq!(value_preview(&json!([1, 2])), "[…]");
        assert_eq!(value_preview(&json!(42)), "42");
        assert_eq!(value_preview(&json!(null)), "null");
        assert_eq!(value_preview(&json!("*****")), "\"*****\"");
        let long = "x".repeat(1_000);
        assert_eq!(value_preview(&json!(long)), format!("\"{}\"…", "x".repeat(VALUE_PREVIEW_CHARS)));
    }

    #[test]
    fn level_toggles_hide_and_show_their_lines() {
        let mut console = sample_console();
        console.set_level_shown(Level::Success, false);
        assert!(!console.is_level_shown(Level::Success));
        assert_eq!(console.visible_len(), 3);
        assert!(!console.visible_text().contains("\tsuccess\t"));
        console.set_level_shown(Level::Info, false);
        console.set_filter("users");
        assert_eq!(console.visible_len(), 2, "{}", console.visible_text());
        console.set_level_shown(Level::Success, true);
        assert_eq!(console.visible_len(), 3);
    }

    #[test]
    fn lines_pushed_while_filtered_are_filtered_as_they_arrive() {
        let mut console = Console::new();
        console.set_filter("fetch");
        console.set_level_shown(Level::Log, false);
        console.push(ms(1), &success("fetch", "200 · 1 ms", json!({})));
        console.push(ms(2), &success("other", "200 · 1 ms", json!({})));
        console.push(ms(3), &log("fetch", None, json!(1)));
        assert_eq!(console.len(), 3);
        assert_eq!(console.visible_text(), "00:00.001\tfetch\tsuccess\tsuccess: 200 · 1 ms");
    }

    #[test]
    fn clear_removes_every_line_and_keeps_the_filter() {
        let mut console = sample_console();
        console.set_filter("fetch");
        console.clear();
        assert!(console.is_empty());
        assert_eq!(console.visible_len(), 0);
        assert_eq!(console.filter(), "fetch");
        console.push(ms(1), &success("fetch", "200 · 1 ms", json!({})));
        console.push(ms(1), &success("other", "200 · 1 ms", json!({})));
        assert_eq!(console.visible_len(), 1);
    }

    // --- UI, driven through egui_kittest ---

    /// The harness state: the console and every block id its `ui` returned.
    struct State {
        console: Console,
        clicked: Vec<String>,
    }

    fn harness(console: Console) -> Harness<'static, State> {
        Harness::builder().with_size(Vec2::new(1000.0, 400.0)).build_ui_state(
            |ui, state: &mut State| {
                if let Some(block) = state.console.ui(ui) {
                    state.clicked.push(block);
                }
            },
            State { console, clicked: Vec::new() },
        )
    }

    /// Whether a list row whose label contains `text` is on screen.
    fn has_row(harness: &Harness<'_, State>, text: &str) -> bool {
        harness
            .query_all_by(|node| node.role() == Role::Button && node.label().is_some_and(|label| label.contains(text)))
            .next()
            .is_some()
    }

    #[test]
    fn ui_shows_each_line_with_time_block_level_and_message() {
        let mut harness = harness(sample_console());
        harness.run();
        assert!(has_row(&harness, "00:00.096 fetch_users success success: 200 · 84 ms"));
        assert!(has_row(&harness, "00:00.000 info run started: Users (3 blocks)"));
        assert!(harness.query_by_label("5 lines").is_some());
    }

    #[test]
    fn ui_clear_button_removes_the_lines() {
        let mut harness = harness(sample_console());
        harness.run();
        assert!(has_row(&harness, "GET https://api.example.com/users"));
        harness.get_by_label("Clear").click();
        harness.run();
        assert!(!has_row(&harness, "GET https://api.example.com/users"));
        assert!(harness.state().console.is_empty());
        assert!(harness.query_by_label("0 lines").is_some());
    }

    #[test]
    fn ui_typing_in_filter_hides_non_matching_lines() {
        let mut harness = harness(sample_console());
        harness.run();
        harness.get_by_label("Filter").focus();
        harness.run();
        harness.get_by_label("Filter").type_text("print");
        harness.run();
        assert_eq!(harness.state().console.filter(), "print");
        assert!(has_row(&harness, "print log users"));
        assert!(!has_row(&harness, "GET https://api.example.com/users"));
        assert!(harness.query_by_label("1 of 5 lines").is_some());
    }

    #[test]
    fn ui_level_toggle_hides_that_level() {
        let mut harness = harness(sample_console());
        harness.run();
        harness.get_by_label("Request").click();
        harness.run();
        assert!(!harness.state().console.is_level_shown(Level::Request));
        assert!(!has_row(&harness, "GET https://api.example.com/users"));
        assert!(has_row(&harness, "success: 200 · 84 ms"));
        harness.get_by_label("Request").click();
        harness.run();
        assert!(has_row(&harness, "GET https://api.example.com/users"));
    }

    #[test]
    fn ui_clicking_a_line_returns_its_block_and_selects_it() {
        let mut harness = harness(sample_console());
        harness.run();
        harness
            .get_by(|node| node.role() == Role::Button && node.label().is_some_and(|l| l.contains("success: 200")))
            .click();
        harness.run();
        assert_eq!(harness.state().clicked, ["fetch_users"]);
        let selected = harness.state().console.selected_line().map(|line| line.message.clone());
        assert_eq!(selected.as_deref(), Some("success: 200 · 84 ms"));
    }

    #[test]
    fn ui_clicking_a_line_without_block_returns_nothing() {
        let mut harness = harness(sample_console());
        harness.run();
        harness
            .get_by(|node| node.role() == Role::Button && node.label().is_some_and(|l| l.contains("run started")))
            .click();
        harness.run();
        assert!(harness.state().clicked.is_empty());
        assert!(harness.state().console.selected_line().is_some());
    }

    #[test]
    fn ui_selected_value_is_a_collapsed_json_tree_that_expands() {
        let mut harness = harness(sample_console());
        harness.run();
        assert!(harness.query_by_label("\"count\"").is_none());
        harness
            .get_by(|node| node.role() == Role::Button && node.label().is_some_and(|l| l.contains("print log users")))
            .click();
        harness.run();
        // Collapsed: the root shows as `{...}` and its keys are hidden.
        assert!(harness.query_by_label("{...}").is_some());
        assert!(harness.query_by_label("\"count\"").is_none());
        // The tree's toggle button has no accessible label (egui_json_tree only labels it in
        // its own tests): it is the unlabelled node just left of the `{...}`.
        let root = harness.get_by_label("{...}").rect();
        let toggle = harness
            .get_all_by_role(Role::Unknown)
            .find(|node| {
                let rect = node.rect();
                (rect.center().y - root.center().y).abs() < 4.0 && (root.left() - rect.right()).abs() < 4.0
            })
            .expect("the JSON tree's expand toggle");
        toggle.click();
        harness.run();
        assert!(harness.query_by_label("\"count\"").is_some());
        assert!(harness.query_by_label("2").is_some());
    }

    #[test]
    fn ui_copy_puts_the_visible_lines_on_the_clipboard() {
        let mut console = sample_console();
        console.set_filter("fetch_users");
        let mut harness = harness(console);
        harness.run();
        harness.get_by_label("Copy").click();
        harness.step();
        let copied: Vec<&String> = harness
            .output()
            .platform_output
            .commands
            .iter()
            .filter_map(|command| match command {
                OutputCommand::CopyText(text) => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(
            copied,
            [&"00:00.012\tfetch_users\trequest\tGET https://api.example.com/users\n00:00.096\tfetch_users\tsuccess\tsuccess: 200 · 84 ms".to_owned()]
        );
    }

    #[test]
    fn ui_follows_new_lines_when_scrolled_to_the_bottom() {
        let mut console = Console::new();
        for i in 0..500 {
            console.push(ms(i), &log("print", Some(&format!("value {i}")), json!(i)));
        }
        let mut harness = harness(console);
        harness.run();
        assert!(has_row(&harness, "print log value 499"));
        assert!(!has_row(&harness, "print log value 0"));
        harness.state_mut().console.push(ms(600), &log("print", Some("value 500"), json!(500)));
        harness.run();
        assert!(has_row(&harness, "print log value 500"));
    }

    #[test]
    fn ui_draws_only_the_visible_rows_of_100k_lines() {
        let mut console = Console::new();
        for i in 0..100_000 {
            console.push(ms(i), &log("print", Some(&format!("value {i}")), json!(i)));
        }
        let mut harness = harness(console);
        harness.run();
        let rows = harness
            .query_all_by(|node| node.role() == Role::Button && node.label().is_some_and(|l| l.contains(" print log ")))
            .count();
        assert!((1..100).contains(&rows), "{rows} rows drawn");
        assert!(has_row(&harness, "value 99999"));
    }
}
