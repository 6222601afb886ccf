//! The Send Request form: method and URL, the headers and query tables, the body (JSON,
//! text, form, multipart), auth (`auth.rs`), timeout, success statuses, redirects, and
//! the checks and captures (`language.rs`).

use eframe::egui::{self, ComboBox, DragValue, RichText, TextEdit, Ui};
use serde_json::Value;
use switchyard_flow::{Body, Part, SendRequest, StatusPattern};

use super::references::{undefined_names, undefined_warning_ui};
use super::{Draft, Drafts, Look, Scope, auth, language, set_accessible_label, templated_edit};

/// The methods offered in the method menu; a file may hold any other alphabetic method.
pub(super) const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Width of a table row's remove button, kept free when sizing its text fields.
pub(super) const REMOVE_BUTTON_WIDTH: f32 = 24.0;

/// A Send Request's form: request line, name/value tables, body, auth and options.
pub(crate) fn request_ui(ui: &mut Ui, scope: &Scope<'_>, request: &mut SendRequest, drafts: &mut Drafts) {
    method_ui(ui, scope, &mut request.method);
    let label = ui.label("URL");
    templated_edit(
        ui,
        scope,
        &mut request.url,
        scope.id("url"),
        "https://api.example.com/v1/{{path}}",
        Look::full_line(),
    )
    .labelled_by(label.id);
    undefined_warning_ui(ui, &undefined_names([request.url.as_str()], scope.is_defined));

    ui.separator();
    ui.strong("Headers");
    pairs_ui(ui, scope, Table::Headers, &mut request.headers);
    ui.separator();
    ui.strong("Query");
    pairs_ui(ui, scope, Table::Query, &mut request.query);
    ui.separator();
    body_ui(ui, scope, &mut request.body, drafts);
    ui.separator();
    auth::auth_ui(ui, scope, &mut request.auth, &mut drafts.set_aside_auth);
    ui.separator();
    options_ui(ui, scope, request, &mut drafts.statuses);
    ui.separator();
    language::checks_ui(ui, scope, &mut request.checks);
    ui.separator();
    language::captures_ui(ui, scope, &mut request.captures);
}

pub(super) fn method_ui(ui: &mut Ui, scope: &Scope<'_>, method: &mut String) {
    ui.horizontal(|ui| {
        let label = ui.label("Method");
        let current = method.clone();
        let response = ComboBox::from_id_salt(scope.id("method"))
            .selected_text(RichText::new(current.as_str()).monospace())
            .show_ui(ui, |ui| {
                for choice in METHODS {
                    ui.selectable_value(method, choice.to_owned(), choice);
                }
                if !METHODS.contains(&current.as_str()) {
                    ui.selectable_value(method, current.clone(), current.as_str());
                }
            })
            .response;
        response.labelled_by(label.id);
    });
}

/// The name/value tables of a request.
#[derive(Debug, Clone, Copy)]
pub(super) enum Table {
    Headers,
    Query,
    Form,
}

impl Table {
    /// What one row is called, capitalised: `Header`, `Query`, `Field`.
    fn noun(self) -> &'static str {
        match self {
            Table::Headers => "Header",
            Table::Query => "Query",
            Table::Form => "Field",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Table::Headers => "headers",
            Table::Query => "query",
            Table::Form => "form",
        }
    }
}

/// A table of name/value rows with a remove button each and an add button under it.
/// Rows are labelled for screen readers and tests: `Header 1 name`, `Remove header 1`.
pub(super) fn pairs_ui(ui: &mut Ui, scope: &Scope<'_>, table: Table, pairs: &mut Vec<(String, String)>) {
    let noun = table.noun();
    let lower = noun.to_lowercase();
    let mut remove = None;
    let spacing = ui.spacing().item_spacing.x;
    let room = ui.available_width() - REMOVE_BUTTON_WIDTH - 2.0 * spacing;
    // Wide enough to read `Authorization` whole, but never more than 60 % of the row.
    let readable = {
        let font = egui::TextStyle::Body.resolve(ui.style());
        let text = ui.fonts_mut(|fonts| fonts.layout_no_wrap("Authorization".to_owned(), font, egui::Color32::WHITE));
        text.size().x + 2.0 * ui.spacing().button_padding.x + 8.0
    };
    let name_width = (room * 0.4).max(readable).min(room * 0.6).floor().max(40.0);
    // `+ Header` asks for the new row's name field to take the focus in the next frame.
    let focus_key = scope.id((table.key(), "focus new row"));
    let focus_row = ui.data_mut(|data| data.remove_temp::<usize>(focus_key));
    for (index, (name, value)) in pairs.iter_mut().enumerate() {
        let number = index + 1;
        let id = scope.id((table.key(), index));
        ui.horizontal(|ui| {
            let response = templated_edit(ui, scope, name, id.with("name"), "Name", Look::line(name_width));
            set_accessible_label(ui, response.id, &format!("{noun} {number} name"));
            if focus_row == Some(index) {
                response.request_focus();
            }
            let value_width = (ui.available_width() - REMOVE_BUTTON_WIDTH - spacing).max(40.0);
            let response = templated_edit(ui, scope, value, id.with("value"), "Value", Look::line(value_width));
            set_accessible_label(ui, response.id, &format!("{noun} {number} value"));
            let button = ui.small_button("✖").on_hover_text(format!("Remove this {lower}"));
            set_accessible_label(ui, button.id, &format!("Remove {lower} {number}"));
            if button.clicked() {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = remove.filter(|&index| index < pairs.len()) {
        pairs.remove(index);
    }
    if ui.button(format!("+ {noun}")).clicked() {
        pairs.push((String::new(), String::new()));
        ui.data_mut(|data| data.insert_temp(focus_key, pairs.len().saturating_sub(1)));
        ui.ctx().request_repaint();
    }
    let texts = pairs.iter().flat_map(|(name, value)| [name.as_str(), value.as_str()]);
    undefined_warning_ui(ui, &undefined_names(texts, scope.is_defined));
}

/// The kinds of request body, as offered in the body menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyKind {
    None,
    Json,
    Text,
    Form,
    Multipart,
}

impl BodyKind {
    const ALL: [BodyKind; 5] = [BodyKind::None, BodyKind::Json, BodyKind::Text, BodyKind::Form, BodyKind::Multipart];

    fn of(body: &Body) -> Self {
        match body {
            Body::Json(_) => BodyKind::Json,
            Body::Text { .. } => BodyKind::Text,
            Body::Form(_) => BodyKind::Form,
            Body::Multipart(_) => BodyKind::Multipart,
        }
    }

    fn label(self) -> &'static str {
        match self {
            BodyKind::None => "No body",
            BodyKind::Json => "JSON",
            BodyKind::Text => "Text",
            BodyKind::Form => "Form (urlencoded)",
            BodyKind::Multipart => "Multipart (form-data)",
        }
    }

    /// A new, empty body of this kind.
    fn empty(self) -> Option<Body> {
        match self {
            BodyKind::None => None,
            BodyKind::Json => Some(Body::Json(Value::Object(serde_json::Map::new()))),
            BodyKind::Text => Some(Body::Text { text: String::new(), content_type: None }),
            BodyKind::Form => Some(Body::Form(Vec::new())),
            BodyKind::Multipart => Some(Body::Multipart(Vec::new())),
        }
    }
}

pub(super) fn body_ui(ui: &mut Ui, scope: &Scope<'_>, body: &mut Option<Body>, drafts: &mut Drafts) {
    let current = body.as_ref().map_or(BodyKind::None, BodyKind::of);
    let mut chosen = current;
    ui.horizontal(|ui| {
        let label = ui.strong("Body");
        ComboBox::from_id_salt(scope.id("body kind"))
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                for kind in BodyKind::ALL {
                    ui.selectable_value(&mut chosen, kind, kind.label());
                }
            })
            .response
            .labelled_by(label.id);
    });
    if chosen != current {
        switch_kind(body, &mut drafts.set_aside_bodies, BodyKind::of, chosen, BodyKind::empty(chosen));
    }
    // A JSON draft of a body switched to another kind is kept (switching back shows it)
    // but no longer holds a save back.
    drafts.json_in_use = matches!(body, Some(Body::Json(_)));
    match body {
        None => {}
        Some(Body::Json(value)) => json_body_ui(ui, scope, value, &mut drafts.json),
        Some(Body::Text { text, content_type }) => {
            let response = templated_edit(
                ui,
                scope,
                text,
                scope.id("body text"),
                "Body text; {{name}} references are filled in",
                Look { rows: 5, is_monospace: true, width: f32::INFINITY },
            );
            set_accessible_label(ui, response.id, "Text body");
            undefined_warning_ui(ui, &undefined_names([text.as_str()], scope.is_defined));
            ui.horizontal(|ui| {
                let label = ui.label("Content type");
                let mut typed = content_type.clone().unwrap_or_default();
                templated_edit(
                    ui,
                    scope,
                    &mut typed,
                    scope.id("content type"),
                    "text/plain; charset=utf-8",
                    Look::full_line(),
                )
                .labelled_by(label.id);
                if typed != content_type.as_deref().unwrap_or_default() {
                    *content_type = (!typed.is_empty()).then_some(typed);
                }
            });
            let content_type = content_type.as_deref().unwrap_or_default();
            undefined_warning_ui(ui, &undefined_names([content_type], scope.is_defined));
        }
        Some(Body::Form(pairs)) => pairs_ui(ui, scope, Table::Form, pairs),
        Some(Body::Multipart(parts)) => multipart_ui(ui, scope, parts),
    }
}

/// A multipart body: rows of a name and either a text value or a file path (relative
/// to the flow file), with a toggle between the two.
pub(super) fn multipart_ui(ui: &mut Ui, scope: &Scope<'_>, parts: &mut Vec<(String, Part)>) {
    let mut remove = None;
    let spacing = ui.spacing().item_spacing.x;
    let toggle_width = 44.0;
    let name_width =
        ((ui.available_width() - REMOVE_BUTTON_WIDTH - toggle_width - 3.0 * spacing) * 0.35).floor().max(40.0);
    for (index, (name, part)) in parts.iter_mut().enumerate() {
        let number = index + 1;
        let id = scope.id(("multipart", index));
        ui.horizontal(|ui| {
            let response = templated_edit(ui, scope, name, id.with("name"), "Name", Look::line(name_width));
            set_accessible_label(ui, response.id, &format!("Part {number} name"));
            let is_file = matches!(part, Part::File(_));
            let toggle = ui
                .add_sized([toggle_width, 18.0], egui::Button::new(if is_file { "File" } else { "Text" }))
                .on_hover_text("Switch between a text value and a file");
            set_accessible_label(ui, toggle.id, &format!("Part {number} kind"));
            if toggle.clicked() {
                *part = match std::mem::replace(part, Part::Text(String::new())) {
                    Part::Text(text) => Part::File(text),
                    Part::File(path) => Part::Text(path),
                };
            }
            let value_width = (ui.available_width() - REMOVE_BUTTON_WIDTH - spacing).max(40.0);
            match part {
                Part::Text(text) => {
                    let response = templated_edit(ui, scope, text, id.with("value"), "Value", Look::line(value_width));
                    set_accessible_label(ui, response.id, &format!("Part {number} value"));
                }
                Part::File(path) => {
                    let response = ui.add(
                        egui::TextEdit::singleline(path)
                            .id(id.with("file"))
                            .hint_text("path, relative to the flow file")
                            .desired_width(value_width),
                    );
                    set_accessible_label(ui, response.id, &format!("Part {number} file"));
                }
            }
            let button = ui.small_button("✖").on_hover_text("Remove this part");
            set_accessible_label(ui, button.id, &format!("Remove part {number}"));
            if button.clicked() {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = remove.filter(|&index| index < parts.len()) {
        parts.remove(index);
    }
    if ui.button("+ Part").clicked() {
        parts.push((String::new(), Part::Text(String::new())));
    }
    let texts = parts.iter().flat_map(|(name, part)| match part {
        Part::Text(text) => [name.as_str(), text.as_str()],
        Part::File(_) => [name.as_str(), ""],
    });
    undefined_warning_ui(ui, &undefined_names(texts, scope.is_defined));
}

/// The JSON body, edited as text: stored only while the text is valid JSON.
pub(super) fn json_body_ui(ui: &mut Ui, scope: &Scope<'_>, value: &mut Value, slot: &mut Option<Draft<Value>>) {
    let draft = Draft::in_step(slot, value, |value| serde_json::to_string_pretty(value).unwrap_or_default());
    let response = templated_edit(
        ui,
        scope,
        &mut draft.text,
        scope.id("body json"),
        "{\"name\": \"{{name}}\"}",
        Look { rows: 8, is_monospace: true, width: f32::INFINITY },
    );
    set_accessible_label(ui, response.id, "JSON body");
    if response.changed() {
        draft.commit(value, |text| serde_json::from_str::<Value>(text));
    }
    if let Some(error) = &draft.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("Invalid JSON: {error}"))
            .on_hover_text("The block keeps its last valid body until the text is valid JSON again.");
    }
    let mut leaves = Vec::new();
    json_string_leaves(value, &mut leaves);
    undefined_warning_ui(ui, &undefined_names(leaves, scope.is_defined));
}

/// The string leaves of a JSON value: the templated parts of a JSON body.
pub(super) fn json_string_leaves<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(items) => items.iter().for_each(|item| json_string_leaves(item, out)),
        Value::Object(map) => map.values().for_each(|item| json_string_leaves(item, out)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Replaces `slot` by a value of kind `to`: the one set aside earlier if there is one,
/// else `empty`. The value it held is set aside in turn.
pub(super) fn switch_kind<T, K: PartialEq>(
    slot: &mut Option<T>,
    set_aside: &mut Vec<T>,
    kind_of: impl Fn(&T) -> K,
    to: K,
    empty: Option<T>,
) {
    if let Some(old) = slot.take() {
        let old_kind = kind_of(&old);
        set_aside.retain(|kept| kind_of(kept) != old_kind);
        set_aside.push(old);
    }
    *slot = match set_aside.iter().position(|kept| kind_of(kept) == to) {
        Some(index) => Some(set_aside.swap_remove(index)),
        None => empty,
    };
}

pub(super) fn options_ui(
    ui: &mut Ui,
    scope: &Scope<'_>,
    request: &mut SendRequest,
    statuses: &mut Option<Draft<Vec<StatusPattern>>>,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Timeout");
        ui.add(DragValue::new(&mut request.timeout_ms).range(1..=u64::MAX).speed(10.0).suffix(" ms"))
            .labelled_by(label.id)
            .on_hover_text("How long the whole request may take before the block fails with a timeout.");
    });

    let label = ui.label("Success statuses");
    let draft = Draft::in_step(statuses, &request.success_status, |patterns| format_statuses(patterns));
    let response = ui.add(
        TextEdit::singleline(&mut draft.text)
            .id(scope.id("statuses"))
            .hint_text("2xx, 304")
            .desired_width(f32::INFINITY),
    );
    let changed = response.changed();
    response.labelled_by(label.id).on_hover_text(
        "Statuses that fire the success port, separated by commas: exact (304) or with x wildcards (2xx, 30x). \
         Any other status fires failure.",
    );
    if changed {
        draft.commit(&mut request.success_status, parse_statuses);
    }
    if let Some(error) = &draft.error {
        ui.colored_label(ui.visuals().error_fg_color, error)
            .on_hover_text("The block keeps its last valid statuses until the text is valid again.");
    }

    ui.checkbox(&mut request.follow_redirects, "Follow redirects")
        .on_hover_text("A request that carries a secret never follows a redirect to another origin.");
}

pub(super) fn format_statuses(patterns: &[StatusPattern]) -> String {
    patterns.iter().map(StatusPattern::as_str).collect::<Vec<_>>().join(", ")
}

/// Reads `2xx, 304` (commas and/or spaces) into patterns; at least one is needed.
pub(super) fn parse_statuses(text: &str) -> Result<Vec<StatusPattern>, String> {
    let mut patterns = Vec::new();
    for item in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|item| !item.is_empty()) {
        match StatusPattern::parse(item) {
            Some(pattern) => patterns.push(pattern),
            None => {
                return Err(format!(
                    "`{item}` is not a status pattern: write three characters, 100 to 599, \
                     with optional trailing x (200, 30x, 2xx)"
                ));
            }
        }
    }
    if patterns.is_empty() { Err("Enter at least one status pattern, such as 2xx.".to_owned()) } else { Ok(patterns) }
}

#[cfg(test)]
mod tests {
    use super::{format_statuses, parse_statuses};

    #[test]
    fn statuses_parse_with_commas_or_spaces_and_refuse_bad_or_empty_text() {
        let parsed = parse_statuses("2xx, 304 30x").unwrap_or_default();
        assert_eq!(format_statuses(&parsed), "2xx, 304, 30x");
        assert!(parse_statuses("2xx, 9zz").is_err());
        assert!(parse_statuses(" , ").is_err());
    }
}
