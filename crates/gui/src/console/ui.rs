//! The console's drawing: toolbar, the list of rows (painted, one widget per row) and
//! the details pane, which holds the response viewer (`viewer.rs`).

use std::sync::Arc;

use egui::containers::menu::{MenuButton, MenuConfig};
use egui::text::{LayoutJob, TextWrapping};
use egui::{
    Align, Button, Color32, FontId, Galley, Layout, Painter, PopupCloseBehavior, Pos2, Rect, RichText, ScrollArea,
    Sense, TextEdit, TextStyle, Ui, WidgetInfo, WidgetType, vec2,
};
use serde_json::Value;
use switchyard_engine::wording::plural;

use super::viewer::{Shown, Viewer};
use super::{Console, ConsoleLine, Level, LineTarget};

/// Width of the toolbar's filter box, in points.
const FILTER_WIDTH: f32 = 200.0;
/// Widest the block column of the list gets, in points (it is as wide as the longest
/// block id so far, up to this); longer block ids are elided.
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
const DETAILS_WIDTH: f32 = 320.0;
/// Narrowest the details pane gets, in points; it is also never wider than 60% of the
/// console, and starts at no more than 40% of it, so the messages keep room.
const MIN_DETAILS_WIDTH: f32 = 160.0;

impl Console {
    /// Draws the console in all of `ui`: toolbar, list and details pane. Returns where
    /// the line the user clicked this frame points, if it names a block (the app selects
    /// that block on the canvas, and the field at fault in the inspector).
    pub fn ui(&mut self, ui: &mut Ui) -> Option<LineTarget> {
        self.toolbar_ui(ui);
        ui.separator();
        let max_details_width = (ui.available_width() * 0.6).max(MIN_DETAILS_WIDTH);
        egui::Panel::right(ui.id().with("switchyard-console-details"))
            .resizable(true)
            .default_size(DETAILS_WIDTH.min(ui.available_width() * 0.4).max(MIN_DETAILS_WIDTH))
            .size_range(MIN_DETAILS_WIDTH..=max_details_width)
            .show(ui, |ui| {
                crate::look::hold_width(ui);
                let (viewer, shown) = self.viewer_and_shown();
                viewer.pane_ui(ui, shown);
            });
        let clicked = self.list_ui(ui);
        let (viewer, shown) = self.viewer_and_shown();
        viewer.window_ui(ui.ctx(), shown);
        clicked
    }

    /// The viewer, and the selected line as it shows it.
    /// A line whose value is compacted has it parsed again here, once.
    fn viewer_and_shown(&mut self) -> (&mut Viewer, Option<Shown<'_>>) {
        if let Some(index) = self.selected {
            self.line_value(index);
        }
        let Console { lines, selected, generation, line_bytes, viewer, reparsed, .. } = self;
        let shown = selected.and_then(|index| {
            let line = lines.get(index)?;
            let value = match (&line.value, &line.compacted, reparsed.as_ref()) {
                (Some(value), _, _) => Some(&**value),
                (None, Some(text), Some((key, Some(value)))) if *key == super::held::text_key(text) => Some(&**value),
                _ => None,
            };
            Some(Shown { generation: *generation, index, line, value, bytes: line_bytes.get(&index).copied() })
        });
        (viewer, shown)
    }

    /// The toolbar: filter box, the Levels menu (a checkbox per level), Clear, Clear on
    /// run, Copy and the line count. It is one row that fits the console at the app's
    /// default size and never wraps (a narrower console scrolls it sideways), so the
    /// list below never moves.
    fn toolbar_ui(&mut self, ui: &mut Ui) {
        ScrollArea::horizontal().id_salt("switchyard-console-toolbar").show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Filter");
                let filter_box = ui
                    .add(
                        TextEdit::singleline(&mut self.filter)
                            .hint_text("block, message, level or body")
                            .desired_width(FILTER_WIDTH),
                    )
                    .labelled_by(label.id);
                if filter_box.changed() {
                    self.refilter();
                }
                self.levels_menu(ui);
                ui.separator();
                if ui.button("Clear").on_hover_text("Remove every line").clicked() {
                    self.clear();
                }
                ui.checkbox(&mut self.clear_on_run, "Clear on run")
                    .on_hover_text("Start each run on an empty console; otherwise a line separates the runs");
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
        });
    }

    /// `Levels` (`Levels (2 hidden)` when some are off): a menu with a checkbox per
    /// level, in its colour, that stays open while they are ticked, and Show all.
    fn levels_menu(&mut self, ui: &mut Ui) {
        let hidden = Level::ALL.iter().filter(|level| !self.is_level_shown(**level)).count();
        let title = if hidden == 0 { "Levels".to_owned() } else { format!("Levels ({hidden} hidden)") };
        let config = MenuConfig::new().close_behavior(PopupCloseBehavior::CloseOnClickOutside);
        let (response, _) = MenuButton::new(title).config(config).ui(ui, |ui| {
            for level in Level::ALL {
                let mut shown = self.is_level_shown(level);
                let text = RichText::new(level.label()).color(level.color(ui.visuals()));
                if ui.checkbox(&mut shown, text).changed() {
                    self.set_level_shown(level, shown);
                }
            }
            ui.separator();
            if ui.add_enabled(hidden > 0, Button::new("Show all")).clicked() {
                for level in Level::ALL {
                    self.set_level_shown(level, true);
                }
            }
        });
        response.on_hover_text("Which levels of line are shown");
    }

    /// The list of lines that pass the filter, one fixed-height row each. Returns where
    /// a clicked line points.
    fn list_ui(&mut self, ui: &mut Ui) -> Option<LineTarget> {
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
        let block_width = painter
            .layout_no_wrap(self.widest_block.clone(), body.clone(), Color32::WHITE)
            .size()
            .x
            .min(BLOCK_COLUMN_WIDTH);
        let fonts = RowFonts { body, mono, time_width, level_width, block_width };

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
                            clicked = line.block.clone().map(|block| LineTarget { block, field: line.field.clone() });
                        }
                    }
                });
        });
        clicked
    }
}

/// The fonts and fixed column widths of the list's rows, computed once per frame.
struct RowFonts {
    body: FontId,
    mono: FontId,
    time_width: f32,
    level_width: f32,
    block_width: f32,
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
    column(line.block.as_deref().unwrap_or(""), &fonts.body, text_color, fonts.block_width);
    column(line.level.as_str(), &fonts.body, line.level.color(visuals), fonts.level_width);

    let mut message_right = rect.right() - COLUMN_GAP / 2.0;
    let preview = match (&line.value, &line.compacted) {
        (Some(value), _) => Some(value_preview(value)),
        (None, Some(compacted)) => Some(compacted_preview(compacted.start())),
        (None, None) if line.value_dropped => Some(DROPPED_PREVIEW.to_owned()),
        (None, None) => None,
    };
    if let Some(preview) = preview {
        let galley = single_line_galley(painter, &preview, &fonts.mono, weak_color, VALUE_PREVIEW_WIDTH);
        let top_left = Pos2::new(message_right - galley.size().x, rect.center().y - galley.size().y / 2.0);
        message_right = top_left.x - COLUMN_GAP;
        painter.galley(top_left, galley, weak_color);
    }
    paint_text(painter, Pos2::new(x, rect.center().y), &line.message, &fonts.body, text_color, message_right - x);
    response
}

/// What a row shows where its value was, once the console's budget dropped it.
const DROPPED_PREVIEW: &str = "(dropped)";

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

/// [`value_preview`] of a value kept as compact JSON text, read from the text.
fn compacted_preview(text: &str) -> String {
    match text.as_bytes().first() {
        Some(b'{') => "{…}".to_owned(),
        Some(b'[') => "[…]".to_owned(),
        _ if text.chars().nth(VALUE_PREVIEW_CHARS).is_some() => {
            let start: String = text.chars().take(VALUE_PREVIEW_CHARS).collect();
            format!("{start}…")
        }
        _ => text.to_owned(),
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

#[cfg(test)]
mod tests {
    use egui::accesskit::Role;
    use egui::{OutputCommand, Vec2};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use serde_json::json;

    use super::{VALUE_PREVIEW_CHARS, value_preview};
    use crate::console::tests::{log, ms, sample_console};
    use crate::console::{Console, Level};

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

    // --- UI, driven through egui_kittest ---

    /// The harness state: the console and every block id its `ui` returned.
    struct State {
        console: Console,
        clicked: Vec<String>,
        fields: Vec<Option<String>>,
    }

    fn harness(console: Console) -> Harness<'static, State> {
        Harness::builder().with_size(Vec2::new(1000.0, 400.0)).build_ui_state(
            |ui, state: &mut State| {
                if let Some(target) = state.console.ui(ui) {
                    state.clicked.push(target.block);
                    state.fields.push(target.field);
                }
            },
            State { console, clicked: Vec::new(), fields: Vec::new() },
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
        harness.get_by_label("Levels").click();
        harness.run();
        harness.get_by_label("Request").click();
        harness.run();
        assert!(!harness.state().console.is_level_shown(Level::Request));
        assert!(!has_row(&harness, "GET https://api.example.com/users"));
        assert!(has_row(&harness, "success: 200 · 84 ms"));
        // The menu stays open for the next tick, and its button says what is hidden.
        assert!(harness.query_by_label("Levels (1 hidden)").is_some());
        harness.get_by_label("Show all").click();
        harness.run();
        assert!(has_row(&harness, "GET https://api.example.com/users"));
        assert!(harness.query_by_label("Levels").is_some());
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
    fn ui_selected_value_is_a_json_tree_open_one_level() {
        let mut harness = harness(sample_console());
        harness.run();
        assert!(harness.query_by_label("\"count\"").is_none());
        harness
            .get_by(|node| node.role() == Role::Button && node.label().is_some_and(|l| l.contains("print log users")))
            .click();
        harness.run();
        // The root is open, so its keys and scalar values show (nested ones stay
        // collapsed until clicked: `viewer_tests` checks that and what stays open).
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
