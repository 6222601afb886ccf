//! The inspector: the right-hand panel that edits the selected block.
//!
//! [`Inspector::ui`] draws the editor for one block, changes the block in place and
//! reports whether it did, so the app can mark the flow unsaved and record an undo step.
//! Two fields are typed as text but stored parsed: a JSON body and the success statuses.
//! Their text lives here, per block id, as a `Draft`; while a draft does not parse, the
//! block keeps its last valid value and the panel says why in red.
//!
//! Layout: [`Inspector`] and its per-block `Drafts`; one `*_ui` function per part of the
//! panel (header, request line, name/value tables, body, auth, options, Log, Start);
//! `templated_edit`, the text field that colours `{{name}}` references, warns about
//! undefined ones and completes names after `{{` from a popup; under it the completion
//! popup and its pure functions (`completion_query`, `matches`, `complete`), then the
//! pure highlighting functions (`reference_spans`, `undefined_names`) and the layout job
//! they feed.

mod language;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use eframe::egui::text::{ByteIndex, CCursor, CCursorRange, LayoutJob, LayoutSection};
use eframe::egui::{
    self, Align, Button, Color32, ComboBox, Context, DragValue, EventFilter, FontSelection, Frame, Galley, Id, Key,
    Label, Layout, Modifiers, Order, Pos2, Rect, Response, RichText, ScrollArea, Stroke, TextBuffer, TextEdit,
    TextFormat, TextStyle, Ui, UiKind,
};
use serde_json::Value;
use switchyard_flow::template::{self, Segment};
use switchyard_flow::{ApiKeyLocation, Auth, Block, BlockKind, Body, LogBlock, Part, SendRequest, StatusPattern};

/// The methods offered in the method menu; a file may hold any other alphabetic method.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Width of a table row's remove button, kept free when sizing its text fields.
const REMOVE_BUTTON_WIDTH: f32 = 24.0;

/// Edits the selected block, keeping per block the text of fields stored in parsed form.
///
/// The drafts are keyed by block id: call [`Inspector::forget`] when a block is deleted
/// and [`Inspector::reset`] when the whole flow is replaced.
#[derive(Debug, Default)]
pub struct Inspector {
    drafts: HashMap<String, Drafts>,
}

impl Inspector {
    /// Draws the editor for `block`; returns true when the user changed it (the app then
    /// marks the flow unsaved and records undo).
    ///
    /// `is_defined` says whether a variable name has a value (a global variable, or a
    /// `--var`); `{{input…}}` references always count as defined. `globals` (name → is
    /// secret) are what typing `{{` in a templated field offers to complete.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        block: &mut Block,
        is_defined: &dyn Fn(&str) -> bool,
        globals: &BTreeMap<String, bool>,
    ) -> bool {
        let before = block.clone();
        let drafts = self.drafts.entry(block.id.clone()).or_default();
        let scope = Scope { id: Id::new(("inspector", block.id.as_str())), is_defined, globals };
        ScrollArea::vertical().id_salt(("inspector", block.id.as_str())).auto_shrink([false, false]).show(ui, |ui| {
            header_ui(ui, block);
            ui.separator();
            match &mut block.kind {
                BlockKind::Start => start_ui(ui),
                BlockKind::SendRequest(request) => request_ui(ui, &scope, request, drafts),
                BlockKind::Log(log) => log_ui(ui, &scope, log),
                other => language::form_ui(ui, &scope, other),
            }
        });
        *block != before
    }

    /// Forgets the editing state for a block (it was deleted, or the flow was replaced).
    pub fn forget(&mut self, block_id: &str) {
        self.drafts.remove(block_id);
    }

    /// Forgets the editing state of every block (a new or reloaded flow).
    pub fn reset(&mut self) {
        self.drafts.clear();
    }
}

/// The editing state of one block.
#[derive(Debug, Default)]
struct Drafts {
    /// The JSON body as typed.
    json: Option<Draft<Value>>,
    /// The success statuses as typed (`2xx, 304`).
    statuses: Option<Draft<Vec<StatusPattern>>>,
    /// Bodies of other kinds, kept when the user switches kind so switching back restores them.
    set_aside_bodies: Vec<Body>,
    /// Auth helpers of other kinds, kept the same way.
    set_aside_auth: Vec<Auth>,
}

/// Text typed for a field that the block stores parsed.
#[derive(Debug)]
struct Draft<T> {
    /// The text in the field.
    text: String,
    /// The block's value the text was last in step with. When the block changes under the
    /// panel (undo, a reloaded file), the text is written afresh from the block.
    synced: T,
    /// Why the text does not parse, while it does not.
    error: Option<String>,
}

impl<T: Clone + PartialEq> Draft<T> {
    /// The draft in `slot`, rewritten from `value` unless it is in step with it.
    fn in_step<'d>(slot: &'d mut Option<Self>, value: &T, format: impl FnOnce(&T) -> String) -> &'d mut Self {
        if slot.as_ref().is_some_and(|draft| draft.synced != *value) {
            *slot = None;
        }
        slot.get_or_insert_with(|| Draft { text: format(value), synced: value.clone(), error: None })
    }

    /// Parses the text; on success stores the value in `target` too.
    fn commit<E: ToString>(&mut self, target: &mut T, parse: impl FnOnce(&str) -> Result<T, E>) {
        match parse(&self.text) {
            Ok(value) => {
                target.clone_from(&value);
                self.synced = value;
                self.error = None;
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }
}

/// What every part of the panel needs: the block's id space and the variable lookup.
struct Scope<'a> {
    /// Base of the ids of this block's widgets, so their state follows the block.
    id: Id,
    /// Whether a variable name is defined.
    is_defined: &'a dyn Fn(&str) -> bool,
    /// The global variables' names, each with whether it is a secret (for completion).
    globals: &'a BTreeMap<String, bool>,
}

impl Scope<'_> {
    fn id(&self, part: impl egui::AsIdSalt) -> Id {
        self.id.with(part)
    }
}

/// How a templated text field is laid out.
#[derive(Debug, Clone, Copy)]
struct Look {
    /// 1 for a single-line field, more for a multi-line one.
    rows: usize,
    /// Monospace font (JSON).
    is_monospace: bool,
    /// Desired width in points.
    width: f32,
}

impl Look {
    fn line(width: f32) -> Self {
        Self { rows: 1, is_monospace: false, width }
    }

    fn full_line() -> Self {
        Self::line(f32::INFINITY)
    }
}

fn header_ui(ui: &mut Ui, block: &Block) {
    ui.heading(type_title(&block.kind));
    ui.horizontal(|ui| {
        ui.weak("id");
        ui.add(Label::new(RichText::new(&block.id).monospace()).selectable(true)).on_hover_text(
            "The block's id names it in wires, run logs and error messages. It is set when the block is created.",
        );
    });
}

fn type_title(kind: &BlockKind) -> &'static str {
    kind.block_type().label
}

fn start_ui(ui: &mut Ui) {
    ui.label("Fires its out port once, with the value null, when the run starts. Wire it to the first block to run.");
}

fn log_ui(ui: &mut Ui, scope: &Scope<'_>, log: &mut LogBlock) {
    ui.label("Writes each value it receives to the console, then passes it on through out.");
    let label = ui.label("Label");
    let mut text = log.label.clone().unwrap_or_default();
    let response = ui.add(
        TextEdit::singleline(&mut text)
            .id(scope.id("label"))
            .hint_text("shown with each logged value")
            .desired_width(f32::INFINITY),
    );
    response.labelled_by(label.id);
    if text != log.label.as_deref().unwrap_or_default() {
        log.label = (!text.is_empty()).then_some(text);
    }
}

fn request_ui(ui: &mut Ui, scope: &Scope<'_>, request: &mut SendRequest, drafts: &mut Drafts) {
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
    auth_ui(ui, scope, &mut request.auth, &mut drafts.set_aside_auth);
    ui.separator();
    options_ui(ui, scope, request, &mut drafts.statuses);
    ui.separator();
    language::checks_ui(ui, scope, &mut request.checks);
}

fn method_ui(ui: &mut Ui, scope: &Scope<'_>, method: &mut String) {
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
enum Table {
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
fn pairs_ui(ui: &mut Ui, scope: &Scope<'_>, table: Table, pairs: &mut Vec<(String, String)>) {
    let noun = table.noun();
    let lower = noun.to_lowercase();
    let mut remove = None;
    let spacing = ui.spacing().item_spacing.x;
    let name_width = ((ui.available_width() - REMOVE_BUTTON_WIDTH - 2.0 * spacing) * 0.4).floor().max(40.0);
    for (index, (name, value)) in pairs.iter_mut().enumerate() {
        let number = index + 1;
        let id = scope.id((table.key(), index));
        ui.horizontal(|ui| {
            let response = templated_edit(ui, scope, name, id.with("name"), "Name", Look::line(name_width));
            set_accessible_label(ui, response.id, &format!("{noun} {number} name"));
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
    }
    let texts = pairs.iter().flat_map(|(name, value)| [name.as_str(), value.as_str()]);
    undefined_warning_ui(ui, &undefined_names(texts, scope.is_defined));
}

/// The kinds of request body, as offered in the body menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
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

fn body_ui(ui: &mut Ui, scope: &Scope<'_>, body: &mut Option<Body>, drafts: &mut Drafts) {
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
fn multipart_ui(ui: &mut Ui, scope: &Scope<'_>, parts: &mut Vec<(String, Part)>) {
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
fn json_body_ui(ui: &mut Ui, scope: &Scope<'_>, value: &mut Value, slot: &mut Option<Draft<Value>>) {
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
fn json_string_leaves<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(items) => items.iter().for_each(|item| json_string_leaves(item, out)),
        Value::Object(map) => map.values().for_each(|item| json_string_leaves(item, out)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The kinds of auth helper, as offered in the auth menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthKind {
    None,
    Bearer,
    ApiKey,
    Basic,
}

impl AuthKind {
    const ALL: [AuthKind; 4] = [AuthKind::None, AuthKind::Bearer, AuthKind::ApiKey, AuthKind::Basic];

    fn of(auth: &Auth) -> Self {
        match auth {
            Auth::Bearer { .. } => AuthKind::Bearer,
            Auth::ApiKey { .. } => AuthKind::ApiKey,
            Auth::Basic { .. } => AuthKind::Basic,
        }
    }

    fn label(self) -> &'static str {
        match self {
            AuthKind::None => "No auth",
            AuthKind::Bearer => "Bearer token",
            AuthKind::ApiKey => "API key",
            AuthKind::Basic => "Basic auth",
        }
    }

    /// A new, empty helper of this kind.
    fn empty(self) -> Option<Auth> {
        match self {
            AuthKind::None => None,
            AuthKind::Bearer => Some(Auth::Bearer { token: String::new() }),
            AuthKind::ApiKey => {
                Some(Auth::ApiKey { name: String::new(), value: String::new(), location: ApiKeyLocation::Header })
            }
            AuthKind::Basic => Some(Auth::Basic { username: String::new(), password: String::new() }),
        }
    }
}

fn auth_ui(ui: &mut Ui, scope: &Scope<'_>, auth: &mut Option<Auth>, set_aside: &mut Vec<Auth>) {
    let current = auth.as_ref().map_or(AuthKind::None, AuthKind::of);
    let mut chosen = current;
    ui.horizontal(|ui| {
        let label = ui.strong("Auth");
        ComboBox::from_id_salt(scope.id("auth kind"))
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                for kind in AuthKind::ALL {
                    ui.selectable_value(&mut chosen, kind, kind.label());
                }
            })
            .response
            .labelled_by(label.id);
    });
    if chosen != current {
        switch_kind(auth, set_aside, AuthKind::of, chosen, AuthKind::empty(chosen));
    }
    match auth {
        None => {}
        Some(Auth::Bearer { token }) => {
            labelled_templated_ui(ui, scope, "Token", token, "{{token}}");
            literal_secret_note_ui(ui, token);
        }
        Some(Auth::ApiKey { name, value, location }) => {
            labelled_templated_ui(ui, scope, "Key name", name, "X-Api-Key");
            labelled_templated_ui(ui, scope, "Key value", value, "{{api_key}}");
            literal_secret_note_ui(ui, value);
            ui.horizontal(|ui| {
                ui.label("Send in");
                ui.radio_value(location, ApiKeyLocation::Header, "Header");
                ui.radio_value(location, ApiKeyLocation::Query, "Query parameter");
            });
        }
        Some(Auth::Basic { username, password }) => {
            labelled_templated_ui(ui, scope, "Username", username, "{{username}}");
            labelled_templated_ui(ui, scope, "Password", password, "{{password}}");
            literal_secret_note_ui(ui, password);
        }
    }
}

/// Replaces `slot` by a value of kind `to`: the one set aside earlier if there is one,
/// else `empty`. The value it held is set aside in turn.
fn switch_kind<T, K: PartialEq>(
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

/// A label, a full-width templated field labelled by it, and its undefined-name warning.
fn labelled_templated_ui(ui: &mut Ui, scope: &Scope<'_>, label: &str, text: &mut String, hint: &'static str) {
    let label_response = ui.label(label);
    templated_edit(ui, scope, text, scope.id(label), hint, Look::full_line()).labelled_by(label_response.id);
    undefined_warning_ui(ui, &undefined_names([text.as_str()], scope.is_defined));
}

/// A note under an auth field that holds literal text rather than a `{{name}}`.
fn literal_secret_note_ui(ui: &mut Ui, text: &str) {
    if !text.is_empty() && template::references(text).next().is_none() {
        ui.label(
            RichText::new("Tip: keep secrets in a secret global variable and write {{name}} here.").small().weak(),
        )
        .on_hover_text("Flow files are plain text; secret variables live in the OS keychain and are masked in logs.");
    }
}

fn options_ui(
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

fn format_statuses(patterns: &[StatusPattern]) -> String {
    patterns.iter().map(StatusPattern::as_str).collect::<Vec<_>>().join(", ")
}

/// Reads `2xx, 304` (commas and/or spaces) into patterns; at least one is needed.
fn parse_statuses(text: &str) -> Result<Vec<StatusPattern>, String> {
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

/// Sets the label screen readers (and egui_kittest's `get_by_label`) use for a widget
/// that has no visible label of its own, such as a table cell.
fn set_accessible_label(ui: &Ui, id: Id, label: &str) {
    ui.ctx().accesskit_node_builder(id, |node| node.set_label(label));
}

/// A text field that colours its `{{name}}` / `<<name>>` references: defined ones in one
/// colour, undefined ones red and underlined. Typing `{{` opens the completion popup
/// under it (see [`completion_popup`]); accepting a name reports the field changed.
fn templated_edit(
    ui: &mut Ui,
    scope: &Scope<'_>,
    text: &mut String,
    id: Id,
    hint: &'static str,
    look: Look,
) -> Response {
    let font = if look.is_monospace { FontSelection::Style(TextStyle::Monospace) } else { FontSelection::Default };
    let is_multiline = look.rows > 1;
    let is_defined = scope.is_defined;
    let ctx = ui.ctx().clone();

    // An open popup takes its keys before the field (or the app) sees them.
    let was_focused = ui.memory(|memory| memory.has_focus(id));
    let mut accepted = false;
    if was_focused && let Some(popup) = completion_popup(&ctx, id, text, scope.globals) {
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

    // The popup for the text as it is now. It is drawn in the frame the field lost focus
    // too, as a click on a suggestion takes the focus away from the field first.
    if (was_focused || response.has_focus())
        && let Some(popup) = completion_popup(&ctx, id, text, scope.globals)
    {
        // Next frame, Tab and Escape stay with the field (and so with the popup) instead
        // of moving or dropping the focus.
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

/// Names offered after `{{` besides the globals: the value at the block's input.
const INPUT_SUGGESTIONS: [(&str, &str); 3] =
    [("input", "the value at the input"), ("input.body", "the response body"), ("input.status", "the response status")];

/// What the popup says about a suggested name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SuggestionKind {
    /// A global variable of type default.
    Plain,
    /// A global variable of type secret.
    Secret,
    /// A built-in `input…` reference, with what it reads.
    Input(&'static str),
}

impl SuggestionKind {
    /// The tag shown to the right of the name.
    fn tag(self) -> &'static str {
        match self {
            SuggestionKind::Plain => "variable",
            SuggestionKind::Secret => "🔒 secret",
            SuggestionKind::Input(what) => what,
        }
    }
}

/// A name the completion popup offers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Suggestion {
    name: String,
    kind: SuggestionKind,
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
fn completion_popup(ctx: &Context, id: Id, text: &str, globals: &BTreeMap<String, bool>) -> Option<Popup> {
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
    let suggestions = matches(globals, &partial);
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

/// Whether `c` may appear in a variable name (`[A-Za-z0-9_.-]`).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// When the text before char index `cursor` is `{{`, optional spaces and a partial name,
/// the char index where the name starts and the partial name.
fn completion_query(text: &str, cursor: usize) -> Option<(usize, String)> {
    let before: Vec<char> = text.chars().take(cursor).collect();
    if before.len() != cursor {
        return None;
    }
    let name_len = before.iter().rev().take_while(|c| is_name_char(**c)).count();
    let start = cursor - name_len;
    let spaces = before.iter().take(start).rev().take_while(|c| **c == ' ').count();
    let open = start - spaces;
    let braces = before.get(open.checked_sub(2)?..open)?;
    (braces == ['{', '{']).then(|| (start, before.get(start..).unwrap_or_default().iter().collect()))
}

/// The names offered for `partial`, case-insensitively: those starting with it, then
/// those containing it; globals (sorted by name) before the `input` references in each.
fn matches(globals: &BTreeMap<String, bool>, partial: &str) -> Vec<Suggestion> {
    let needle = partial.to_lowercase();
    let globals = globals.iter().filter(|(name, _)| template::input_path(name).is_none()).map(|(name, &is_secret)| {
        Suggestion { name: name.clone(), kind: if is_secret { SuggestionKind::Secret } else { SuggestionKind::Plain } }
    });
    let inputs = INPUT_SUGGESTIONS
        .iter()
        .map(|&(name, what)| Suggestion { name: name.to_owned(), kind: SuggestionKind::Input(what) });
    let (mut prefixed, mut containing) = (Vec::new(), Vec::new());
    for suggestion in globals.chain(inputs) {
        let name = suggestion.name.to_lowercase();
        if name.starts_with(&needle) {
            prefixed.push(suggestion);
        } else if name.contains(&needle) {
            containing.push(suggestion);
        }
    }
    prefixed.append(&mut containing);
    prefixed
}

/// `text` with the name at char index `cursor` (the partial name before it, name chars
/// after it, and a `}}` that already closes it) replaced by `name}}`, and the char index
/// just after that `}}`. None when the cursor is not completing a name.
fn complete(text: &str, cursor: usize, name: &str) -> Option<(String, usize)> {
    let (start, _) = completion_query(text, cursor)?;
    let after: Vec<char> = text.chars().skip(cursor).collect();
    let name_rest = after.iter().take_while(|c| is_name_char(**c)).count();
    let spaces = after.iter().skip(name_rest).take_while(|c| **c == ' ').count();
    let closes = after.get(name_rest + spaces..name_rest + spaces + 2) == Some(&['}', '}'][..]);
    let end = cursor + if closes { name_rest + spaces + 2 } else { name_rest };
    let mut completed: String = text.chars().take(start).collect();
    completed.push_str(name);
    completed.push_str("}}");
    let new_cursor = completed.chars().count();
    completed.extend(text.chars().skip(end));
    Some((completed, new_cursor))
}

/// `⚠ {{auth}} is not defined` under a field, with how to define it on hover.
fn undefined_warning_ui(ui: &mut Ui, names: &[String]) {
    let Some(message) = undefined_message(names) else {
        return;
    };
    let color = ui.visuals().warn_fg_color;
    let example = names.first().map_or("NAME", String::as_str);
    ui.label(RichText::new(message).small().color(color)).on_hover_text(format!(
        "A run fails this block without sending the request while a name has no value. Define it as a global \
         variable in Settings (type secret for keys and tokens), or on the command line: \
         `switchyard run FLOW --var {example}=VALUE` (or --secret-env {example}=ENV_VAR for a secret)."
    ));
}

/// `⚠ {{a}} is not defined`, `⚠ {{a}} and {{b}} are not defined`, `⚠ {{a}}, {{b}} and {{c}} …`.
fn undefined_message(names: &[String]) -> Option<String> {
    let refs: Vec<String> = names.iter().map(|name| format!("{{{{{name}}}}}")).collect();
    let (last, rest) = refs.split_last()?;
    Some(if rest.is_empty() {
        format!("⚠ {last} is not defined")
    } else {
        format!("⚠ {} and {last} are not defined", rest.join(", "))
    })
}

/// Whether a reference has a value: `input…` always does, other names per `is_defined`.
fn counts_as_defined(name: &str, is_defined: &dyn Fn(&str) -> bool) -> bool {
    template::input_path(name).is_some() || template::is_dynamic_name(name) || is_defined(name)
}

/// The names referenced in `texts` that are not defined, each once, in order of appearance.
fn undefined_names<'t>(texts: impl IntoIterator<Item = &'t str>, is_defined: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for text in texts {
        for name in template::references(text) {
            if !counts_as_defined(name, is_defined) && !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// What a stretch of a templated text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpanKind {
    /// Literal text.
    Text,
    /// A reference to a defined name (or to `input…`).
    Defined,
    /// A reference to a name with no value.
    Undefined,
}

/// A byte range of a templated text and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    range: Range<usize>,
    kind: SpanKind,
}

/// Splits `text` into literal stretches and references, covering it end to end.
fn reference_spans(text: &str, is_defined: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for segment in template::parse(text) {
        let (len, kind) = match segment {
            Segment::Text(literal) => (literal.len(), SpanKind::Text),
            Segment::Var { name, raw } => {
                let kind = if counts_as_defined(name, is_defined) { SpanKind::Defined } else { SpanKind::Undefined };
                (raw.len(), kind)
            }
        };
        spans.push(Span { range: start..start + len, kind });
        start += len;
    }
    spans
}

fn byte_range(range: Range<usize>) -> Range<ByteIndex> {
    ByteIndex(range.start)..ByteIndex(range.end)
}

/// The colour of a defined reference, readable on the theme's text field background.
fn defined_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(0x5f, 0xd3, 0xc4) } else { Color32::from_rgb(0x00, 0x73, 0x6b) }
}

/// The layout of a templated text with its references coloured.
fn highlight_job(
    ui: &Ui,
    text: &str,
    is_defined: &dyn Fn(&str) -> bool,
    font: &FontSelection,
    is_multiline: bool,
    wrap_width: f32,
) -> LayoutJob {
    let font_id = font.clone().resolve(ui.style());
    let visuals = ui.visuals();
    let plain = visuals.override_text_color.unwrap_or_else(|| visuals.widgets.inactive.text_color());
    let error = visuals.error_fg_color;
    let defined = defined_color(ui);
    let line_height = ui.fonts_mut(|fonts| fonts.row_height(&font_id)) + ui.spacing().extra_text_line_spacing;
    let format = |kind: SpanKind| {
        let mut format = TextFormat { font_id: font_id.clone(), color: plain, ..TextFormat::default() };
        format.line_height = Some(line_height);
        match kind {
            SpanKind::Text => {}
            SpanKind::Defined => format.color = defined,
            SpanKind::Undefined => {
                format.color = error;
                format.underline = Stroke::new(1.0, error);
            }
        }
        format
    };
    let mut sections: Vec<LayoutSection> = reference_spans(text, is_defined)
        .into_iter()
        .map(|span| LayoutSection { leading_space: 0.0, byte_range: byte_range(span.range), format: format(span.kind) })
        .collect();
    if sections.is_empty() {
        sections.push(LayoutSection {
            leading_space: 0.0,
            byte_range: byte_range(0..text.len()),
            format: format(SpanKind::Text),
        });
    }
    let mut job = LayoutJob {
        text: text.to_owned(),
        sections,
        break_on_newline: is_multiline,
        keep_trailing_whitespace: true,
        ..LayoutJob::default()
    };
    job.wrap.max_width = if is_multiline { wrap_width } else { f32::INFINITY };
    job
}

#[cfg(test)]
mod tests {
    use eframe::egui::{Key, Modifiers};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use serde_json::json;
    use switchyard_flow::{Auth, Block, BlockKind, Body, LogBlock, SendRequest, StatusPattern};

    use super::*;

    /// What the test app holds: the inspector, the block it edits, and what it reported.
    struct Panel {
        inspector: Inspector,
        block: Block,
        changes: usize,
        defined: Vec<&'static str>,
        globals: BTreeMap<String, bool>,
    }

    fn request_block(request: SendRequest) -> Block {
        Block { id: "list-models".to_owned(), at: [0.0, 0.0], kind: BlockKind::SendRequest(request) }
    }

    fn harness(block: Block, defined: Vec<&'static str>) -> Harness<'static, Panel> {
        let globals = defined.iter().map(|name| ((*name).to_owned(), false)).collect();
        harness_with_globals(block, defined, globals)
    }

    fn harness_with_globals(
        block: Block,
        defined: Vec<&'static str>,
        globals: BTreeMap<String, bool>,
    ) -> Harness<'static, Panel> {
        Harness::builder().with_size([480.0, 1600.0]).build_ui_state(
            |ui, panel: &mut Panel| {
                let defined = panel.defined.clone();
                if panel.inspector.ui(ui, &mut panel.block, &|name| defined.contains(&name), &panel.globals) {
                    panel.changes += 1;
                }
            },
            Panel { inspector: Inspector::default(), block, changes: 0, defined, globals },
        )
    }

    fn request<'h>(harness: &'h Harness<'_, Panel>) -> &'h SendRequest {
        match &harness.state().block.kind {
            BlockKind::SendRequest(request) => request,
            other => panic!("expected a send_request block, found {other:?}"),
        }
    }

    /// Focuses the field labelled `label`, selects all its text and types `text` over it.
    fn replace_text(harness: &mut Harness<'_, Panel>, label: &str, text: &str) {
        harness.get_by_label(label).focus();
        harness.run();
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        harness.run();
        harness.get_by_label(label).type_text(text);
        harness.run();
    }

    fn choose(harness: &mut Harness<'_, Panel>, menu: &str, option: &str) {
        harness.get_by_label(menu).click();
        harness.run();
        harness.get_by_label(option).click();
        harness.run();
    }

    #[test]
    fn typing_in_the_url_field_changes_the_block_and_reports_it() {
        let mut harness = harness(request_block(SendRequest::new("https://old.test")), vec![]);
        assert_eq!(harness.state().changes, 0, "drawing alone must not count as a change");
        replace_text(&mut harness, "URL", "https://api.test/v1/models");
        assert_eq!(request(&harness).url, "https://api.test/v1/models");
        assert!(harness.state().changes > 0);
    }

    #[test]
    fn method_menu_sets_the_method() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
        choose(&mut harness, "Method", "POST");
        assert_eq!(request(&harness).method, "POST");
    }

    #[test]
    fn header_rows_are_added_filled_and_removed() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec!["auth"]);
        harness.get_by_label("+ Header").click();
        harness.run();
        assert_eq!(request(&harness).headers, [(String::new(), String::new())]);
        replace_text(&mut harness, "Header 1 name", "Authorization");
        replace_text(&mut harness, "Header 1 value", "{{auth}}");
        assert_eq!(request(&harness).headers, [("Authorization".to_owned(), "{{auth}}".to_owned())]);

        harness.get_by_label("Remove header 1").click();
        harness.run();
        assert!(request(&harness).headers.is_empty());
    }

    #[test]
    fn query_rows_are_added_and_filled() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
        harness.get_by_label("+ Query").click();
        harness.run();
        replace_text(&mut harness, "Query 1 name", "limit");
        replace_text(&mut harness, "Query 1 value", "10");
        assert_eq!(request(&harness).query, [("limit".to_owned(), "10".to_owned())]);
    }

    #[test]
    fn invalid_json_body_shows_the_error_and_leaves_the_block_unchanged() {
        let mut start = SendRequest::new("https://a.test");
        start.body = Some(Body::Json(json!({"a": 1})));
        let mut harness = harness(request_block(start), vec![]);

        replace_text(&mut harness, "JSON body", "{\"a\": ");
        assert_eq!(request(&harness).body, Some(Body::Json(json!({"a": 1}))));
        assert!(harness.query_by_label_contains("Invalid JSON").is_some(), "the serde_json error is shown");

        replace_text(&mut harness, "JSON body", "{\"user\": \"{{name}}\", \"n\": [1, 2]}");
        assert_eq!(request(&harness).body, Some(Body::Json(json!({"user": "{{name}}", "n": [1, 2]}))));
        assert!(harness.query_by_label_contains("Invalid JSON").is_none(), "the error goes once the JSON is valid");
    }

    #[test]
    fn body_menu_switches_kind_and_switching_back_restores_the_old_body() {
        let mut start = SendRequest::new("https://a.test");
        start.body = Some(Body::Json(json!({"keep": true})));
        let mut harness = harness(request_block(start), vec![]);

        choose(&mut harness, "Body", "Text");
        assert_eq!(request(&harness).body, Some(Body::Text { text: String::new(), content_type: None }));
        replace_text(&mut harness, "Text body", "hello {{input.body.name}}");
        replace_text(&mut harness, "Content type", "text/csv");
        assert_eq!(
            request(&harness).body,
            Some(Body::Text {
                text: "hello {{input.body.name}}".to_owned(),
                content_type: Some("text/csv".to_owned())
            })
        );

        choose(&mut harness, "Body", "JSON");
        assert_eq!(request(&harness).body, Some(Body::Json(json!({"keep": true}))));
        choose(&mut harness, "Body", "No body");
        assert_eq!(request(&harness).body, None);
    }

    #[test]
    fn form_body_is_a_name_value_table() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
        choose(&mut harness, "Body", "Form (urlencoded)");
        harness.get_by_label("+ Field").click();
        harness.run();
        replace_text(&mut harness, "Field 1 name", "grant_type");
        replace_text(&mut harness, "Field 1 value", "client_credentials");
        assert_eq!(
            request(&harness).body,
            Some(Body::Form(vec![("grant_type".to_owned(), "client_credentials".to_owned())]))
        );
    }

    #[test]
    fn success_statuses_are_parsed_and_invalid_text_leaves_them_unchanged() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
        replace_text(&mut harness, "Success statuses", "2xx, 404");
        let expected: Vec<StatusPattern> = ["2xx", "404"].into_iter().filter_map(StatusPattern::parse).collect();
        assert_eq!(request(&harness).success_status, expected);

        replace_text(&mut harness, "Success statuses", "9zz");
        assert_eq!(request(&harness).success_status, expected);
        assert!(harness.query_by_label_contains("`9zz` is not a status pattern").is_some());
    }

    #[test]
    fn undefined_reference_shows_a_warning_and_a_defined_one_does_not() {
        let mut undefined = SendRequest::new("https://a.test");
        undefined.headers.push(("Authorization".to_owned(), "{{auth}}".to_owned()));
        let harness_undefined = harness(request_block(undefined.clone()), vec![]);
        assert!(harness_undefined.query_by_label("⚠ {{auth}} is not defined").is_some());

        let harness_defined = harness(request_block(undefined), vec!["auth"]);
        assert!(harness_defined.query_by_label_contains("is not defined").is_none());
    }

    #[test]
    fn bearer_auth_is_chosen_and_its_token_edited() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec!["token"]);
        choose(&mut harness, "Auth", "Bearer token");
        replace_text(&mut harness, "Token", "{{token}}");
        assert_eq!(request(&harness).auth, Some(Auth::Bearer { token: "{{token}}".to_owned() }));
        assert!(harness.query_by_label_contains("is not defined").is_none());
    }

    #[test]
    fn api_key_auth_goes_in_the_query_when_chosen() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
        choose(&mut harness, "Auth", "API key");
        replace_text(&mut harness, "Key name", "api_key");
        replace_text(&mut harness, "Key value", "{{key}}");
        harness.get_by_label("Query parameter").click();
        harness.run();
        assert_eq!(
            request(&harness).auth,
            Some(Auth::ApiKey {
                name: "api_key".to_owned(),
                value: "{{key}}".to_owned(),
                location: ApiKeyLocation::Query
            })
        );
        assert!(harness.query_by_label("⚠ {{key}} is not defined").is_some());
    }

    #[test]
    fn follow_redirects_checkbox_toggles_the_field() {
        let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
        harness.get_by_label("Follow redirects").click();
        harness.run();
        assert!(!request(&harness).follow_redirects);
    }

    #[test]
    fn log_label_is_edited_and_empty_text_clears_it() {
        let block = Block { id: "log".to_owned(), at: [0.0, 0.0], kind: BlockKind::Log(LogBlock::default()) };
        let mut harness = harness(block, vec![]);
        replace_text(&mut harness, "Label", "models");
        assert_eq!(harness.state().block.kind, BlockKind::Log(LogBlock { label: Some("models".to_owned()) }));

        harness.get_by_label("Label").focus();
        harness.run();
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        harness.key_press(Key::Backspace);
        harness.run();
        assert_eq!(harness.state().block.kind, BlockKind::Log(LogBlock { label: None }));
    }

    #[test]
    fn start_block_shows_its_type_id_and_note() {
        let block = Block { id: "start".to_owned(), at: [0.0, 0.0], kind: BlockKind::Start };
        let harness = harness(block, vec![]);
        assert!(harness.query_by_label("Start").is_some());
        assert!(harness.query_by_label("start").is_some());
        assert!(harness.query_by_label_contains("when the run starts").is_some());
    }

    #[test]
    fn block_changed_elsewhere_rewrites_the_json_text() {
        let mut start = SendRequest::new("https://a.test");
        start.body = Some(Body::Json(json!({"v": 1})));
        let mut harness = harness(request_block(start), vec![]);
        replace_text(&mut harness, "JSON body", "{");
        if let BlockKind::SendRequest(request) = &mut harness.state_mut().block.kind {
            request.body = Some(Body::Json(json!({"v": 2})));
        }
        harness.run();
        let text = harness.get_by_label("JSON body").value().unwrap_or_default();
        assert!(text.contains("\"v\": 2"), "the text follows the block after an undo: {text}");
        assert!(harness.query_by_label_contains("Invalid JSON").is_none());
    }

    #[test]
    fn forget_drops_the_drafts_of_a_block() {
        let mut inspector = Inspector::default();
        inspector.drafts.insert("a".to_owned(), Drafts::default());
        inspector.drafts.insert("b".to_owned(), Drafts::default());
        inspector.forget("a");
        assert!(!inspector.drafts.contains_key("a") && inspector.drafts.contains_key("b"));
        inspector.reset();
        assert!(inspector.drafts.is_empty());
    }

    fn only_host(name: &str) -> bool {
        name == "host"
    }

    #[test]
    fn spans_mark_defined_undefined_and_input_references() {
        let text = "https://{{host}}/{{ missing }}?id=<<input.body.id>>";
        let spans = reference_spans(text, &only_host);
        let described: Vec<(&str, SpanKind)> =
            spans.iter().map(|span| (text.get(span.range.clone()).unwrap_or("?"), span.kind)).collect();
        assert_eq!(
            described,
            [
                ("https://", SpanKind::Text),
                ("{{host}}", SpanKind::Defined),
                ("/", SpanKind::Text),
                ("{{ missing }}", SpanKind::Undefined),
                ("?id=", SpanKind::Text),
                ("<<input.body.id>>", SpanKind::Defined),
            ]
        );
    }

    #[test]
    fn spans_cover_multibyte_text_and_leave_malformed_references_plain() {
        let text = "é {{ bad name }} {{host}}ü";
        let spans = reference_spans(text, &only_host);
        assert_eq!(spans.first().map(|span| span.range.start), Some(0));
        assert_eq!(spans.last().map(|span| span.range.end), Some(text.len()));
        assert!(spans.windows(2).all(|pair| matches!(pair, [a, b] if a.range.end == b.range.start)));
        let references: Vec<&str> = spans
            .iter()
            .filter(|span| span.kind != SpanKind::Text)
            .filter_map(|span| text.get(span.range.clone()))
            .collect();
        assert_eq!(references, ["{{host}}"]);
        assert!(reference_spans("", &only_host).is_empty());
    }

    #[test]
    fn undefined_names_are_listed_once_in_order_without_input() {
        let texts = ["{{b}} {{host}} {{a}}", "{{b}} {{input}} {{input.status}} {{inputs}}"];
        assert_eq!(undefined_names(texts, &only_host), ["b", "a", "inputs"]);
    }

    #[test]
    fn warning_message_names_every_undefined_reference() {
        assert_eq!(undefined_message(&[]), None);
        assert_eq!(undefined_message(&["auth".to_owned()]).as_deref(), Some("⚠ {{auth}} is not defined"));
        let three = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(undefined_message(&three).as_deref(), Some("⚠ {{a}}, {{b}} and {{c}} are not defined"));
    }

    #[test]
    fn statuses_parse_with_commas_or_spaces_and_refuse_bad_or_empty_text() {
        let parsed = parse_statuses("2xx, 304 30x").unwrap_or_default();
        assert_eq!(format_statuses(&parsed), "2xx, 304, 30x");
        assert!(parse_statuses("2xx, 9zz").is_err());
        assert!(parse_statuses(" , ").is_err());
    }

    #[test]
    fn highlight_job_keeps_the_text_and_colours_undefined_references_as_errors() {
        let harness = Harness::new_ui_state(
            |ui, job: &mut LayoutJob| {
                *job = highlight_job(ui, "a {{host}} {{nope}}", &only_host, &FontSelection::Default, false, 100.0);
            },
            LayoutJob::default(),
        );
        let job = harness.state();
        assert_eq!(job.text, "a {{host}} {{nope}}");
        let error = egui::Visuals::dark().error_fg_color;
        let colours: Vec<(Range<usize>, bool)> = job
            .sections
            .iter()
            .map(|section| {
                (section.byte_range.start.0..section.byte_range.end.0, section.format.underline.color == error)
            })
            .collect();
        assert_eq!(colours, [(0..2, false), (2..10, false), (10..11, false), (11..19, true)]);
    }

    /// Globals for the completion tests: two plain, one secret.
    fn completion_globals() -> BTreeMap<String, bool> {
        [("base_url", false), ("auth", true), ("user_name", false)]
            .into_iter()
            .map(|(name, secret)| (name.to_owned(), secret))
            .collect()
    }

    fn completion_harness(block: Block) -> Harness<'static, Panel> {
        harness_with_globals(block, vec!["base_url", "auth", "user_name"], completion_globals())
    }

    /// Focuses the field labelled `label` (its cursor at the end) and types `text`.
    fn type_into(harness: &mut Harness<'_, Panel>, label: &str, text: &str) {
        harness.get_by_label(label).focus();
        harness.run();
        harness.get_by_label(label).type_text(text);
        harness.run();
    }

    fn names(suggestions: &[Suggestion]) -> Vec<&str> {
        suggestions.iter().map(|suggestion| suggestion.name.as_str()).collect()
    }

    #[test]
    fn completion_query_finds_a_partial_name_right_after_braces() {
        assert_eq!(completion_query("https://x/{{", 12), Some((12, String::new())));
        assert_eq!(completion_query("https://x/{{au", 14), Some((12, "au".to_owned())));
        assert_eq!(completion_query("{{  input.bo", 12), Some((4, "input.bo".to_owned())));
        assert_eq!(completion_query("{{a-b_c.d", 9), Some((2, "a-b_c.d".to_owned())));
        assert_eq!(completion_query("é{{na", 5), Some((3, "na".to_owned())), "indexes are in chars");
        assert_eq!(completion_query("{{auth}}x", 4), Some((2, "au".to_owned())), "inside a reference");
        assert_eq!(completion_query("{{auth}}", 8), None, "after a closed reference");
        assert_eq!(completion_query("{au", 3), None);
        assert_eq!(completion_query("{{a b", 5), None, "a space inside the name");
        assert_eq!(completion_query("{{a!", 4), None);
        assert_eq!(completion_query("{{", 1), None);
        assert_eq!(completion_query("{{a", 9), None, "a cursor past the end");
        assert_eq!(completion_query("", 0), None);
    }

    #[test]
    fn matches_put_prefixes_before_contains_case_insensitively_and_mark_secrets() {
        let globals = completion_globals();
        let all = matches(&globals, "");
        assert_eq!(names(&all), ["auth", "base_url", "user_name", "input", "input.body", "input.status"]);
        assert_eq!(all.first().map(|s| s.kind), Some(SuggestionKind::Secret));
        assert_eq!(all.get(1).map(|s| s.kind), Some(SuggestionKind::Plain));
        assert!(matches!(all.get(3).map(|s| s.kind), Some(SuggestionKind::Input(_))));

        assert_eq!(
            names(&matches(&globals, "U")),
            ["user_name", "auth", "base_url", "input", "input.body", "input.status"]
        );
        assert_eq!(names(&matches(&globals, "Th")), ["auth"]);
        assert_eq!(names(&matches(&globals, "input.")), ["input.body", "input.status"]);
        assert_eq!(names(&matches(&globals, "NAME")), ["user_name"]);
        assert!(matches(&globals, "zzz").is_empty());

        let reserved: BTreeMap<String, bool> = [("input".to_owned(), false)].into_iter().collect();
        assert_eq!(names(&matches(&reserved, "input")), ["input", "input.body", "input.status"]);
    }

    #[test]
    fn complete_replaces_the_partial_name_and_keeps_one_closing_pair() {
        assert_eq!(complete("https://x/{{au", 14, "auth"), Some(("https://x/{{auth}}".to_owned(), 18)));
        assert_eq!(complete("{{}}", 2, "auth"), Some(("{{auth}}".to_owned(), 8)), "no second }}");
        assert_eq!(complete("{{au}}/x", 4, "auth"), Some(("{{auth}}/x".to_owned(), 8)));
        assert_eq!(complete("{{au }}/x", 4, "auth"), Some(("{{auth}}/x".to_owned(), 8)));
        assert_eq!(complete("{{auth}}", 4, "auth"), Some(("{{auth}}".to_owned(), 8)), "the rest of the name goes");
        assert_eq!(complete("{{ b/x", 4, "base_url"), Some(("{{ base_url}}/x".to_owned(), 13)));
        assert_eq!(complete("é{{n", 4, "name"), Some(("é{{name}}".to_owned(), 9)));
        assert_eq!(complete("{{au} x", 4, "auth"), Some(("{{auth}}} x".to_owned(), 8)), "one brace is not a closing");
        assert_eq!(complete("no braces", 3, "auth"), None);
    }

    /// The size and pixels each char is drawn with, alone at the start of a line (so at the
    /// same sub-pixel offset), in the default proportional font.
    fn glyph_pixels(chars: &'static [char]) -> Vec<([usize; 2], Vec<Color32>)> {
        let harness = Harness::new_ui_state(
            |ui, glyphs: &mut Vec<([usize; 2], Vec<Color32>)>| {
                let font = egui::FontId::proportional(14.0);
                let galleys: Vec<Arc<Galley>> = chars
                    .iter()
                    .map(|c| ui.fonts_mut(|fonts| fonts.layout_no_wrap(c.to_string(), font.clone(), Color32::WHITE)))
                    .collect();
                let atlas = ui.fonts_mut(|fonts| fonts.image());
                *glyphs = galleys
                    .iter()
                    .flat_map(|galley| galley.rows.iter().flat_map(|row| row.glyphs.iter()))
                    .map(|glyph| {
                        let ([x0, y0], [x1, y1]) = (glyph.uv_rect.min, glyph.uv_rect.max);
                        let (x0, y0, x1, y1) = (usize::from(x0), usize::from(y0), usize::from(x1), usize::from(y1));
                        let pixels = (y0..y1)
                            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                            .map(|(x, y)| atlas.pixels[y * atlas.size[0] + x])
                            .collect();
                        ([x1 - x0, y1 - y0], pixels)
                    })
                    .collect();
            },
            Vec::new(),
        );
        harness.state().clone()
    }

    #[test]
    fn secret_tag_glyph_is_in_the_default_fonts() {
        // `Fonts::has_glyph` says no for every char of the face that holds the replacement
        // glyph (⚠ and ✖ too), so compare what is drawn with what chars no font has get.
        let glyphs = glyph_pixels(&['🔒', '\u{10FFFD}', '\u{10FFFC}']);
        let [lock, missing, also_missing] = glyphs.as_slice() else {
            panic!("three glyphs expected, got {}", glyphs.len())
        };
        assert_eq!(missing, also_missing, "chars no font has are drawn as the same replacement glyph");
        assert_ne!(lock, missing, "🔒 is drawn as itself, not as the replacement");
        assert!(lock.1.iter().any(|pixel| pixel.a() > 0), "🔒 has ink");
        assert!(SuggestionKind::Secret.tag().starts_with('🔒'));
    }

    #[test]
    fn typing_braces_offers_globals_and_enter_fills_in_the_highlighted_one() {
        let mut harness = completion_harness(request_block(SendRequest::new("https://x/")));
        assert!(harness.query_by_label("auth 🔒 secret").is_none(), "no popup before {{{{");
        type_into(&mut harness, "URL", "{{");
        assert!(harness.query_by_label("auth 🔒 secret").is_some(), "the secret is marked");
        assert!(harness.query_by_label("base_url variable").is_some());
        assert!(harness.query_by_label("input.body the response body").is_some());

        harness.get_by_label("URL").type_text("U");
        harness.run();
        assert!(harness.query_by_label("auth 🔒 secret").is_some(), "auth contains u");
        harness.key_press(Key::ArrowDown);
        harness.run();
        harness.key_press(Key::Enter);
        harness.run();
        assert_eq!(request(&harness).url, "https://x/{{auth}}", "user_name first, Down moved to auth");
        assert!(harness.query_by_label("auth 🔒 secret").is_none(), "the popup closed");
        assert!(harness.get_by_label("URL").is_focused(), "the field keeps the focus");

        harness.get_by_label("URL").type_text("/next");
        harness.run();
        assert_eq!(request(&harness).url, "https://x/{{auth}}/next", "the cursor is after }}");
    }

    #[test]
    fn up_wraps_and_tab_accepts_in_a_header_value() {
        let mut start = SendRequest::new("https://a.test");
        start.headers.push(("Authorization".to_owned(), "Bearer ".to_owned()));
        let mut harness = completion_harness(request_block(start));
        type_into(&mut harness, "Header 1 value", "{{ ");
        harness.key_press(Key::ArrowUp);
        harness.run();
        harness.key_press(Key::Tab);
        harness.run();
        assert_eq!(request(&harness).headers, [("Authorization".to_owned(), "Bearer {{ input.status}}".to_owned())]);
        assert!(harness.get_by_label("Header 1 value").is_focused(), "Tab did not move the focus");
    }

    #[test]
    fn escape_closes_the_popup_and_leaves_the_text_and_focus() {
        let mut harness = completion_harness(request_block(SendRequest::new("https://x/")));
        type_into(&mut harness, "URL", "{{ba");
        assert!(harness.query_by_label("base_url variable").is_some());
        harness.key_press(Key::Escape);
        harness.run();
        assert!(harness.query_by_label("base_url variable").is_none());
        assert_eq!(request(&harness).url, "https://x/{{ba");
        assert!(harness.get_by_label("URL").is_focused());

        harness.get_by_label("URL").type_text("s");
        harness.run();
        assert!(harness.query_by_label("base_url variable").is_none(), "stays closed for this {{{{");
        harness.key_press(Key::Enter);
        harness.run();
        assert_eq!(request(&harness).url, "https://x/{{bas", "Enter is the field's again");

        harness.get_by_label("URL").focus();
        harness.run();
        harness.get_by_label("URL").type_text("e}} {{");
        harness.run();
        assert!(harness.query_by_label("base_url variable").is_some(), "a new {{{{ opens it again");
    }

    #[test]
    fn clicking_a_suggestion_fills_it_into_the_json_body() {
        let mut start = SendRequest::new("https://a.test");
        start.body = Some(Body::Json(json!({})));
        let mut harness = completion_harness(request_block(start));
        replace_text(&mut harness, "JSON body", "{\"user\": \"{{user");
        harness.get_by_label("user_name variable").click();
        harness.run();
        harness.get_by_label("JSON body").type_text("\"}");
        harness.run();
        assert_eq!(request(&harness).body, Some(Body::Json(json!({"user": "{{user_name}}"}))));
    }

    #[test]
    fn a_partial_name_without_matches_shows_no_popup_and_enter_types_a_newline() {
        let mut start = SendRequest::new("https://a.test");
        start.body = Some(Body::Text { text: String::new(), content_type: None });
        let mut harness = completion_harness(request_block(start));
        type_into(&mut harness, "Text body", "{{zz");
        assert!(harness.query_all_by_label_contains("variable").next().is_none());
        harness.key_press(Key::Enter);
        harness.run();
        assert_eq!(request(&harness).body, Some(Body::Text { text: "{{zz\n".to_owned(), content_type: None }));
    }
}
