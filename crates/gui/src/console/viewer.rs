//! The response viewer: the selected console line with room to read it, in the
//! console's details pane or in its own resizable window.
//!
//! A response (or a request) is shown as what it is: status, time and size on top, the
//! full URL wrapped, then tabs. **Body** is a JSON tree (whose expansion is kept per
//! block, so clicking another line or the same block's line in the next run keeps what
//! was open), or the body as pretty or raw text; **Headers** is a table; **Whole value**
//! is the value the block fired, as a tree. Any other value (a logged one, a check's
//! result) is the Body view alone. A search box highlights matches (the tree opens to
//! them); a right-click on a tree node or a header copies its value or path; Copy body
//! copies the whole body. Every value here came from a masked event, so whatever is
//! shown or copied is masked as the console is.

use std::sync::Arc;

use egui::text::LayoutJob;
use egui::{Button, Id, Label, RichText, ScrollArea, TextEdit, TextFormat, TextStyle, Ui};
use egui_json_tree::render::{DefaultRender, RenderContext};
use egui_json_tree::{DefaultExpand, JsonTree, JsonTreeStyle};
use serde_json::{Map, Value};
use switchyard_engine::{ErrorView, ResponseView, wording};

use super::{ConsoleLine, Level};

/// Most bytes of a body the Pretty and Raw views lay out (Copy body copies it all).
pub(super) const TEXT_VIEW_LIMIT: usize = 256 * 1024;
/// Most search matches highlighted in the text views (all of them are counted).
const HIGHLIGHT_LIMIT: usize = 1_000;
/// The window's size when it first opens, in points.
const WINDOW_SIZE: [f32; 2] = [760.0, 560.0];

/// Which part of an HTTP value the viewer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(super) enum Tab {
    /// The body (or, for a value that is no HTTP message, the value).
    #[default]
    Body,
    /// The headers, as a table.
    Headers,
    /// The whole value the block fired, as a tree.
    Whole,
}

/// How the body is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(super) enum BodyView {
    /// A collapsible JSON tree.
    #[default]
    Tree,
    /// Indented JSON, or a text body as it is.
    Pretty,
    /// Compact JSON, or a text body as it is.
    Raw,
}

/// The viewer's state, kept by the console across frames and lines.
#[derive(Debug, Default)]
pub(super) struct Viewer {
    /// Whether the viewer is in its own window (the pane then says so).
    pub(super) window_open: bool,
    tab: Tab,
    view: BodyView,
    /// The search box's text.
    search: String,
    /// The text view of the body last drawn, so it is not rebuilt every frame.
    text: Option<TextView>,
}

/// Which line a viewer shows: the console's generation and the line's index (both name
/// it uniquely) and the response's size, when a `ResponseReceived` told it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shown<'a> {
    pub(super) generation: u64,
    pub(super) index: usize,
    pub(super) line: &'a ConsoleLine,
    /// The line's value: its own, or its compacted text parsed again.
    pub(super) value: Option<&'a Value>,
    pub(super) bytes: Option<u64>,
}

/// A body laid out as text, and what the search found in it.
#[derive(Debug)]
struct TextView {
    key: (u64, usize, BodyView, String, bool),
    job: Arc<LayoutJob>,
    matches: usize,
    cut: bool,
}

/// The parts of a response (read through the engine's [`ResponseView`]) or of the
/// console's request value (`{"method", "url", "headers"}`, made in `wording.rs`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Http<'a> {
    pub(super) status: Option<u64>,
    pub(super) method: Option<&'a str>,
    pub(super) url: Option<&'a str>,
    pub(super) duration_ms: Option<u64>,
    pub(super) headers: &'a Map<String, Value>,
    pub(super) body: Option<&'a Value>,
    pub(super) error: Option<ErrorView<'a>>,
}

impl<'a> Http<'a> {
    /// The HTTP parts of `value`, when it is a response or a request.
    pub(super) fn of(value: &'a Value) -> Option<Self> {
        if let Some(response) = ResponseView::of(value) {
            return Some(Http {
                status: response.status.map(u64::from),
                method: None,
                url: response.url,
                duration_ms: response.duration_ms,
                headers: response.headers,
                body: Some(response.body),
                error: response.error,
            });
        }
        let object = value.as_object()?;
        Some(Http {
            status: None,
            method: Some(object.get("method")?.as_str()?),
            url: object.get("url").and_then(Value::as_str),
            duration_ms: None,
            headers: object.get("headers")?.as_object()?,
            body: None,
            error: None,
        })
    }

    /// `200 · 84 ms · 1.5 KiB (1,536 bytes)`: what is known of status, time and size.
    pub(super) fn summary(&self, bytes: Option<u64>) -> String {
        let mut parts = Vec::new();
        if let Some(status) = self.status {
            parts.push(status.to_string());
        }
        if let Some(ms) = self.duration_ms {
            parts.push(wording::duration(ms));
        }
        if let Some(bytes) = bytes {
            parts.push(wording::size(bytes));
        }
        parts.join(" · ")
    }
}

impl Viewer {
    /// Closes the window, if it is open; returns whether it was (Esc closes it).
    pub(super) fn close_window(&mut self) -> bool {
        std::mem::take(&mut self.window_open)
    }

    /// The viewer in the console's details pane: the line, or a note that it is shown
    /// in its window.
    pub(super) fn pane_ui(&mut self, ui: &mut Ui, shown: Option<Shown<'_>>) {
        let Some(shown) = shown else {
            ui.weak("Click a line to see it in full.");
            return;
        };
        if self.window_open {
            ui.horizontal(|ui| line_header(ui, shown.line));
            ui.weak("Shown in its own window.");
            if ui.button("Show here").clicked() {
                self.window_open = false;
            }
            return;
        }
        self.line_ui(ui, shown, true);
    }

    /// The viewer's own window, when it is open: resizable, showing the selected line.
    pub(super) fn window_ui(&mut self, ctx: &egui::Context, shown: Option<Shown<'_>>) {
        if !self.window_open {
            return;
        }
        let title = match shown.and_then(|shown| shown.line.block.as_deref()) {
            Some(block) => format!("Response viewer — {block}"),
            None => "Response viewer".to_owned(),
        };
        let mut open = true;
        egui::Window::new(title)
            .id(Id::new("switchyard-response-viewer"))
            .open(&mut open)
            .resizable(true)
            .default_size(WINDOW_SIZE)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .show(ctx, |ui| match shown {
                Some(shown) => self.line_ui(ui, shown, false),
                None => {
                    ui.weak("Click a console line to see it here.");
                }
            });
        self.window_open &= open;
    }

    /// The line: its header, and its value as an HTTP message or a plain value.
    fn line_ui(&mut self, ui: &mut Ui, shown: Shown<'_>, in_pane: bool) {
        ui.horizontal(|ui| {
            line_header(ui, shown.line);
            if in_pane && shown.value.is_some() {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("⬈ Window").on_hover_text("Show this in its own window, with more room").clicked() {
                        self.window_open = true;
                    }
                });
            }
        });
        ui.add(Label::new(&shown.line.message).wrap());
        if shown.line.value_dropped {
            ui.separator();
            ui.weak(
                "Its value was dropped to keep the console within its budget of response data; \
                 newer runs keep theirs (View → Console sets the budget).",
            );
        }
        if shown.value.is_none() && shown.line.compacted.is_some() {
            ui.separator();
            ui.weak("Its value, kept as text since its run ended, could not be read again.");
        }
        let Some(value) = shown.value else { return };
        ui.separator();
        match Http::of(value) {
            Some(http) => self.http_ui(ui, shown, value, &http),
            None => self.body_ui(ui, shown, value),
        }
    }

    /// A response or request: summary, URL, error, then the tabs.
    fn http_ui(&mut self, ui: &mut Ui, shown: Shown<'_>, value: &Value, http: &Http<'_>) {
        let summary = http.summary(shown.bytes);
        if !summary.is_empty() {
            ui.label(RichText::new(summary).strong().color(shown.line.level.color(ui.visuals())));
        }
        if let Some(url) = http.url {
            let text = match http.method {
                Some(method) => format!("{method} {url}"),
                None => url.to_owned(),
            };
            ui.add(Label::new(RichText::new(text).monospace()).wrap());
        }
        if let Some(error) = http.error {
            let text = error.message.map_or_else(|| error.value.to_string(), str::to_owned);
            ui.add(Label::new(RichText::new(text).color(Level::Failure.color(ui.visuals()))).wrap());
        }
        let body = http.body;
        if body.is_none() && self.tab == Tab::Body {
            self.tab = Tab::Headers;
        }
        ui.horizontal_wrapped(|ui| {
            if body.is_some() {
                ui.selectable_value(&mut self.tab, Tab::Body, "Body");
            }
            ui.selectable_value(&mut self.tab, Tab::Headers, format!("Headers ({})", http.headers.len()));
            ui.selectable_value(&mut self.tab, Tab::Whole, "Whole value");
        });
        match (self.tab, body) {
            (Tab::Body, Some(body)) => self.body_ui(ui, shown, body),
            (Tab::Whole, _) => self.body_ui(ui, shown, value),
            _ => headers_ui(ui, http.headers),
        }
    }

    /// The body (or any value): view switch, search, copy, then the tree or the text.
    fn body_ui(&mut self, ui: &mut Ui, shown: Shown<'_>, body: &Value) {
        // Wrapped, so a narrow pane never grows to fit its controls.
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.view, BodyView::Tree, "Tree");
            ui.selectable_value(&mut self.view, BodyView::Pretty, "Pretty");
            ui.selectable_value(&mut self.view, BodyView::Raw, "Raw");
            ui.separator();
            let label = ui.label("Search");
            ui.add(TextEdit::singleline(&mut self.search).hint_text("in the body").desired_width(140.0))
                .labelled_by(label.id);
            if ui.add(Button::new("Copy body")).on_hover_text("Copy the whole body, as Pretty shows it").clicked() {
                ui.ctx().copy_text(body_text(body, BodyView::Pretty));
            }
        });
        let search = self.search.trim().to_owned();
        if self.view == BodyView::Tree {
            let tree_id = Id::new(("switchyard-viewer-tree", shown.line.block.as_deref(), shown.line.level, self.tab));
            let expand =
                if search.is_empty() { DefaultExpand::ToLevel(0) } else { DefaultExpand::SearchResults(&search) };
            ScrollArea::both().id_salt("switchyard-viewer-body").auto_shrink(false).show(ui, |ui| {
                JsonTree::new(tree_id, body)
                    .default_expand(expand)
                    .style(JsonTreeStyle::new().abbreviate_root(true))
                    .on_render(copy_menu)
                    .show(ui);
            });
            return;
        }
        let key = (shown.generation, shown.index, self.view, search.clone(), ui.visuals().dark_mode);
        if self.text.as_ref().is_none_or(|text| text.key != key) {
            let font = TextStyle::Monospace.resolve(ui.style());
            let format = TextFormat { font_id: font, color: ui.visuals().text_color(), ..TextFormat::default() };
            let highlight = TextFormat { background: ui.visuals().selection.bg_fill, ..format.clone() };
            let text = body_text(body, self.view);
            let (job, matches, cut) = highlighted(&text, &search, &format, &highlight);
            self.text = Some(TextView { key, job: Arc::new(job), matches, cut });
        }
        let Some(text) = &self.text else { return };
        if !search.is_empty() {
            ui.weak(if text.matches == 1 { "1 match".to_owned() } else { format!("{} matches", text.matches) });
        }
        if text.cut {
            ui.weak(format!(
                "Showing the first {}; Copy body copies all of it.",
                wording::size(TEXT_VIEW_LIMIT as u64)
            ));
        }
        ScrollArea::vertical().id_salt("switchyard-viewer-text").auto_shrink(false).show(ui, |ui| {
            ui.add(Label::new(Arc::clone(&text.job)).wrap().selectable(true));
        });
    }
}

/// The line's time, block and level, on one row.
fn line_header(ui: &mut Ui, line: &ConsoleLine) {
    if !line.time.is_empty() {
        ui.monospace(&line.time);
    }
    if let Some(block) = &line.block {
        ui.strong(block);
    }
    ui.colored_label(line.level.color(ui.visuals()), line.level.as_str());
}

/// The headers as a two-column striped table; a right-click on a row copies its value.
fn headers_ui(ui: &mut Ui, headers: &Map<String, Value>) {
    if headers.is_empty() {
        ui.weak("No headers.");
        return;
    }
    ScrollArea::vertical().id_salt("switchyard-viewer-headers").auto_shrink(false).show(ui, |ui| {
        egui::Grid::new("switchyard-viewer-headers-grid").striped(true).num_columns(2).show(ui, |ui| {
            for (name, value) in headers {
                let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                ui.label(RichText::new(name).monospace().strong());
                let cell = ui.add(Label::new(RichText::new(&text).monospace()).wrap());
                cell.context_menu(|ui| {
                    if ui.button("Copy value").clicked() {
                        ui.ctx().copy_text(text.clone());
                        ui.close();
                    }
                    if ui.button("Copy header").clicked() {
                        ui.ctx().copy_text(format!("{name}: {text}"));
                        ui.close();
                    }
                });
                ui.end_row();
            }
        });
    });
}

/// A tree node drawn as usual, with a right-click menu: Copy value, Copy path.
fn copy_menu(ui: &mut Ui, context: RenderContext<'_, '_, Value>) {
    let response = context.render_default(ui);
    let value = context.value();
    let path = context.pointer().to_json_pointer_string();
    response.context_menu(|ui| {
        if ui.button("Copy value").clicked() {
            ui.ctx().copy_text(body_text(value, BodyView::Pretty));
            ui.close();
        }
        if ui.button("Copy path").clicked() {
            ui.ctx().copy_text(if path.is_empty() { "/".to_owned() } else { path.clone() });
            ui.close();
        }
    });
}

/// A value as text: a string as it is, anything else as indented (Pretty) or compact
/// (Raw and Tree) JSON.
pub(super) fn body_text(value: &Value, view: BodyView) -> String {
    match value {
        Value::String(text) => text.clone(),
        other if view == BodyView::Pretty => serde_json::to_string_pretty(other).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// Lays out at most [`TEXT_VIEW_LIMIT`] bytes of `text` with every match of `search`
/// (ASCII letters matched in any case) highlighted, up to [`HIGHLIGHT_LIMIT`]. Returns
/// the job, how many matches the shown text has and whether the text was cut. One pass.
pub(super) fn highlighted(
    text: &str,
    search: &str,
    format: &TextFormat,
    highlight: &TextFormat,
) -> (LayoutJob, usize, bool) {
    let mut end = text.len().min(TEXT_VIEW_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let shown = text.get(..end).unwrap_or("");
    let mut job = LayoutJob::default();
    let mut matches = 0;
    let mut done = 0;
    if !search.is_empty() {
        // ASCII lowercasing keeps every byte where it is, so positions carry over.
        let lowered = shown.to_ascii_lowercase();
        let needle = search.to_ascii_lowercase();
        let mut from = 0;
        while let Some(found) = lowered.get(from..).and_then(|rest| rest.find(&needle)) {
            let start = from + found;
            let stop = start + needle.len();
            matches += 1;
            if matches <= HIGHLIGHT_LIMIT {
                job.append(shown.get(done..start).unwrap_or(""), 0.0, format.clone());
                job.append(shown.get(start..stop).unwrap_or(""), 0.0, highlight.clone());
                done = stop;
            }
            from = stop;
        }
    }
    job.append(shown.get(done..).unwrap_or(""), 0.0, format.clone());
    (job, matches, end < text.len())
}

/// Whether `piece` is one of the job's highlighted sections (for tests).
#[cfg(test)]
pub(super) fn is_highlighted(job: &LayoutJob, piece: &str) -> bool {
    job.sections.iter().any(|section| {
        section.format.background != egui::Color32::TRANSPARENT
            && job.text.get(section.byte_range.start.0..section.byte_range.end.0) == Some(piece)
    })
}
