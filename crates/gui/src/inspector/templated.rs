//! The templated text field: a widget that colours `{{name}}` references (defined,
//! undefined) and completes names after `{{` from a popup of the globals and the
//! `input…` references. What it offers and how a name is filled in are the pure
//! functions of `completion.rs`; the colouring is `references.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use eframe::egui::text::{CCursor, CCursorRange};
use eframe::egui::{
    self, Align, Button, Context, EventFilter, FontSelection, Frame, Galley, Id, Key, Layout, Modifiers, Order, Pos2,
    Rect, Response, RichText, ScrollArea, TextBuffer, TextEdit, TextStyle, Ui, UiKind, Widget,
};

use super::completion::{INPUT_SUGGESTIONS, InputSuggestion, Suggestion, complete, completion_query, matches};
use super::references::highlight_job;

/// How a templated text field is laid out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    /// 1 for a single-line field, more for a multi-line one.
    pub(crate) rows: usize,
    /// Monospace font (JSON).
    pub(crate) is_monospace: bool,
    /// Desired width in points.
    pub(crate) width: f32,
}

impl Look {
    pub(crate) fn line(width: f32) -> Self {
        Self { rows: 1, is_monospace: false, width }
    }

    pub(crate) fn full_line() -> Self {
        Self::line(f32::INFINITY)
    }
}

/// A text field that colours its `{{name}}` / `<<name>>` references: defined ones in one
/// colour, undefined ones red and underlined. Typing `{{` opens the completion popup
/// under it (see [`completion_popup`]); accepting a name reports the field changed.
///
/// `ui.add(TemplatedField::new(&mut text, id, &is_defined, &globals).hint(…).look(…))`.
pub(crate) struct TemplatedField<'a> {
    text: &'a mut String,
    id: Id,
    hint: &'static str,
    look: Look,
    /// Whether a variable name has a value.
    is_defined: &'a dyn Fn(&str) -> bool,
    /// The global variables' names, each with whether it is a secret: what `{{` offers.
    globals: &'a BTreeMap<String, bool>,
    /// The `input…` names `{{` offers, with what each reads.
    inputs: &'static [InputSuggestion],
}

impl<'a> TemplatedField<'a> {
    /// A full-width single-line field editing `text`, its state kept under `id`.
    pub(crate) fn new(
        text: &'a mut String,
        id: Id,
        is_defined: &'a dyn Fn(&str) -> bool,
        globals: &'a BTreeMap<String, bool>,
    ) -> Self {
        Self { text, id, hint: "", look: Look::full_line(), is_defined, globals, inputs: INPUT_SUGGESTIONS }
    }

    /// The `input…` names `{{` offers (by default the response's).
    pub(crate) fn inputs(mut self, inputs: &'static [InputSuggestion]) -> Self {
        self.inputs = inputs;
        self
    }

    /// The grey text shown while the field is empty.
    pub(crate) fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    /// Rows, font and width.
    pub(crate) fn look(mut self, look: Look) -> Self {
        self.look = look;
        self
    }
}

impl Widget for TemplatedField<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let TemplatedField { text, id, hint, look, is_defined, globals, inputs } = self;
        let font = if look.is_monospace { FontSelection::Style(TextStyle::Monospace) } else { FontSelection::Default };
        let is_multiline = look.rows > 1;
        let ctx = ui.ctx().clone();

        // An open popup takes its keys before the field (or the app) sees them.
        let was_focused = ui.memory(|memory| memory.has_focus(id));
        let mut accepted = false;
        if was_focused && let Some(popup) = completion_popup(&ctx, id, text, globals, inputs) {
            accepted = completion_keys(&ctx, id, text, &popup);
        }

        let layout_font = font.clone();
        let mut layouter = |ui: &Ui, buffer: &dyn TextBuffer, wrap_width: f32| -> Arc<Galley> {
            let job = highlight_job(ui, buffer.as_str(), is_defined, &layout_font, is_multiline, wrap_width);
            ui.fonts_mut(|fonts| fonts.layout_job(job))
        };
        let edit = if is_multiline {
            TextEdit::multiline(&mut *text).desired_rows(look.rows)
        } else {
            TextEdit::singleline(&mut *text)
        };
        let output = edit.id(id).hint_text(hint).font(font).desired_width(look.width).layouter(&mut layouter).show(ui);
        let mut response = output.response.response.clone();

        // The popup for the text as it is now. It is drawn in the frame the field lost
        // focus too, as a click on a suggestion takes the focus away from the field first.
        if (was_focused || response.has_focus())
            && let Some(popup) = completion_popup(&ctx, id, text, globals, inputs)
        {
            // Next frame, Tab and Escape stay with the field (and so with the popup)
            // instead of moving or dropping the focus.
            let filter = EventFilter { tab: true, horizontal_arrows: true, vertical_arrows: true, escape: true };
            ui.memory_mut(|memory| memory.set_focus_lock_filter(id, filter));
            let anchor = popup_anchor(&output, response.rect, is_multiline);
            if let Some(index) = completion_popup_ui(&ctx, id, anchor, response.rect.width(), &popup)
                && let Some(suggestion) = popup.suggestions.get(index)
                && accept_completion(&ctx, id, text, &suggestion.name)
            {
                accepted = true;
                ui.memory_mut(|memory| memory.request_focus(id));
            }
        }
        if accepted {
            response.mark_changed();
        }
        response
    }
}

/// Where the popup's top-left corner goes: under the cursor, within the field's width;
/// for a single-line field, under the field.
fn popup_anchor(output: &egui::text_edit::TextEditOutput, field: Rect, is_multiline: bool) -> Pos2 {
    let Some(cursor) = output.state.cursor.char_range().map(|range| range.primary) else {
        return field.left_bottom();
    };
    let at = output.galley_pos + output.galley.pos_from_cursor(cursor).left_bottom().to_vec2();
    let y = if is_multiline { at.y.clamp(field.top(), field.bottom()) } else { field.bottom() };
    Pos2::new(at.x.clamp(field.left(), field.right()), y)
}

/// The popup of one field in one frame: what it offers and which entry is highlighted.
#[derive(Debug)]
struct Popup {
    suggestions: Vec<Suggestion>,
    highlight: usize,
    /// The highlight moved by keyboard: scroll it into view.
    scroll: bool,
}

/// What the popup of a field remembers between frames (egui temp data, per field).
#[derive(Debug, Clone, Default)]
struct CompletionMemo {
    /// Char index where the name being completed starts.
    start: usize,
    /// The partial name typed so far.
    partial: String,
    highlight: usize,
    scroll: bool,
    /// Escape closed the popup for this `{{`.
    dismissed: bool,
}

fn memo_id(field: Id) -> Id {
    field.with("completion")
}

/// The popup of field `id` for `text` and the field's cursor, if one should show: the
/// cursor (no selection) is right after `{{` and a partial name, the user has not closed
/// it with Escape, and some name matches.
fn completion_popup(
    ctx: &Context,
    id: Id,
    text: &str,
    globals: &BTreeMap<String, bool>,
    inputs: &[InputSuggestion],
) -> Option<Popup> {
    let memo_id = memo_id(id);
    let query = TextEdit::load_state(ctx, id)
        .and_then(|state| state.cursor.char_range())
        .filter(|range| range.primary.index == range.secondary.index)
        .and_then(|range| completion_query(text, range.primary.index.0));
    let Some((start, partial)) = query else {
        ctx.data_mut(|data| data.remove::<CompletionMemo>(memo_id));
        return None;
    };
    let mut memo = ctx
        .data(|data| data.get_temp::<CompletionMemo>(memo_id))
        .filter(|memo| memo.start == start)
        .unwrap_or_else(|| CompletionMemo { start, ..CompletionMemo::default() });
    if memo.partial != partial {
        memo.partial.clone_from(&partial);
        memo.highlight = 0;
    }
    let (highlight, scroll, dismissed) = (memo.highlight, memo.scroll, memo.dismissed);
    memo.scroll = false;
    ctx.data_mut(|data| data.insert_temp(memo_id, memo));
    if dismissed {
        return None;
    }
    let suggestions = matches(globals, inputs, &partial);
    let last = suggestions.len().checked_sub(1)?;
    Some(Popup { suggestions, highlight: highlight.min(last), scroll })
}

/// Takes the popup's keys from this frame's input: Up/Down move the highlight, Enter or
/// Tab accept it, Escape closes the popup. Returns true when a name was filled in.
fn completion_keys(ctx: &Context, id: Id, text: &mut String, popup: &Popup) -> bool {
    let (down, up, enter, tab, escape) = ctx.input_mut(|input| {
        (
            input.count_and_consume_key(Modifiers::NONE, Key::ArrowDown),
            input.count_and_consume_key(Modifiers::NONE, Key::ArrowUp),
            input.consume_key(Modifiers::NONE, Key::Enter),
            input.consume_key(Modifiers::NONE, Key::Tab),
            input.consume_key(Modifiers::NONE, Key::Escape),
        )
    });
    let memo_id = memo_id(id);
    let update = |change: &dyn Fn(&mut CompletionMemo)| {
        ctx.data_mut(|data| change(data.get_temp_mut_or_default::<CompletionMemo>(memo_id)));
    };
    if escape {
        update(&|memo| memo.dismissed = true);
        return false;
    }
    if enter || tab {
        return popup.suggestions.get(popup.highlight).is_some_and(|s| accept_completion(ctx, id, text, &s.name));
    }
    let len = popup.suggestions.len();
    if len > 0 && (down > 0 || up > 0) {
        let highlight = (popup.highlight + down % len + len - up % len) % len;
        update(&|memo| {
            memo.highlight = highlight;
            memo.scroll = true;
        });
    }
    false
}

/// Fills in `name` at the cursor of field `id` and puts the cursor after its `}}`.
fn accept_completion(ctx: &Context, id: Id, text: &mut String, name: &str) -> bool {
    let mut state = TextEdit::load_state(ctx, id).unwrap_or_default();
    let Some(cursor) = state.cursor.char_range().map(|range| range.primary.index.0) else {
        return false;
    };
    let Some((completed, cursor)) = complete(text, cursor, name) else {
        return false;
    };
    *text = completed;
    state.cursor.set_char_range(Some(CCursorRange::one(CCursor::new(cursor))));
    TextEdit::store_state(ctx, id, state);
    ctx.data_mut(|data| data.remove::<CompletionMemo>(memo_id(id)));
    true
}

/// Draws the popup at `anchor` without taking the focus; returns the suggestion clicked.
fn completion_popup_ui(ctx: &Context, id: Id, anchor: Pos2, field_width: f32, popup: &Popup) -> Option<usize> {
    let mut clicked = None;
    egui::Area::new(id.with("completion popup"))
        .kind(UiKind::Popup)
        .order(Order::Foreground)
        .fixed_pos(anchor)
        .constrain(true)
        .show(ctx, |ui| {
            Frame::popup(ui.style()).show(ui, |ui| {
                let width = field_width.clamp(180.0, 320.0);
                ui.set_width(width);
                ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
                    ui.with_layout(Layout::top_down_justified(Align::LEFT), |ui| {
                        for (index, suggestion) in popup.suggestions.iter().enumerate() {
                            let selected = index == popup.highlight;
                            let button = Button::selectable(selected, RichText::new(&suggestion.name).monospace())
                                .right_text(RichText::new(suggestion.kind.tag()).small().weak());
                            let response = ui.add(button);
                            if selected && popup.scroll {
                                response.scroll_to_me(None);
                            }
                            if response.clicked() {
                                clicked = Some(index);
                            }
                        }
                    });
                });
            });
        });
    clicked
}
