//! The settings panel: the global variables of the store (DESIGN §4).
//!
//! A window "Global variables" lists every variable (name, type, value, allowed hosts,
//! expiry with an `expired` / `expires soon` badge) and adds, edits, renames and
//! deletes them. Secret values show as a mask; "Reveal" fetches one from the keychain
//! and shows it for [`REVEAL_SECONDS`] (read against egui's clock, `i.time`), then drops
//! it; closing the panel drops it too. When the keychain cannot be reached a banner
//! says why and what to do; plain variables keep working.
//!
//! Every store and keychain call runs in [`worker`] off the UI thread; the frame code
//! only drains its replies and shows progress and errors per row.
//!
//! Custody of secret values: held as `SecretString` only while revealed, or as a
//! zeroed-on-drop buffer while typed into the form (dropped on save and cancel; the text
//! field's undo history is removed with it). Never logged, never in eframe's storage, and
//! `Debug` prints no values.

mod form;
mod worker;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use egui::{Align, Color32, Id, Layout, RichText, Ui, Vec2};
use secrecy::{ExposeSecret as _, SecretString};
use switchyard_engine::MASK;
use switchyard_vault::{Date, Definition, Expiry, FILE_NAME, Keychain, Kind, Variables};
use tokio::runtime::Handle;

use form::{Form, Mode, name_problem};
use worker::{Action, Failure, Job, Reply, Worker};

/// How long a revealed secret stays on screen, in seconds.
pub const REVEAL_SECONDS: f64 = 30.0;

/// Frames the panel waits, once settled, before it counts as ready for a screenshot.
const SETTLE_FRAMES: u32 = 4;

/// The list's columns (titles in capitals: the form's field labels are "Name", "Value"…).
const COLUMNS: [(&str, f32); 6] =
    [("NAME", 160.0), ("TYPE", 58.0), ("VALUE", 250.0), ("ALLOWED HOSTS", 200.0), ("EXPIRES", 170.0), ("", 200.0)];

/// The room Reveal (or Hide and the seconds left) takes in the value column.
const REVEAL_WIDTH: f32 = 96.0;

/// What is known about the keychain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeychainState {
    /// Not asked yet (the panel has not been opened).
    Unknown,
    /// Being asked.
    Checking,
    /// It answered.
    Present,
    /// It cannot be reached, for this reason.
    Unavailable(String),
}

/// A secret on screen until `until` (egui time, seconds).
struct Revealed {
    value: SecretString,
    until: f64,
}

/// The form or question below the list.
#[derive(Debug)]
enum Editor {
    /// Adding or editing a variable.
    Form { form: Form, pending: bool, error: Option<String> },
    /// Renaming `old`.
    Rename { old: String, new: String, pending: bool, error: Option<String> },
    /// Asking before deleting `name`.
    Delete { name: String, pending: bool, error: Option<String> },
}

impl Editor {
    /// The variable a pending change of this editor is about.
    fn pending_target(&self) -> Option<&str> {
        match self {
            Editor::Form { form, pending: true, .. } => Some(form.name.trim()),
            Editor::Rename { old, pending: true, .. } => Some(old),
            Editor::Delete { name, pending: true, .. } => Some(name),
            _ => None,
        }
    }

    fn is_pending(&self) -> bool {
        self.pending_target().is_some()
    }

    fn set_error(&mut self, message: String) {
        match self {
            Editor::Form { pending, error, .. }
            | Editor::Rename { pending, error, .. }
            | Editor::Delete { pending, error, .. } => {
                *pending = false;
                *error = Some(message);
            }
        }
    }
}

/// A click in the list, applied after drawing it.
enum RowAction {
    Reveal(String),
    Hide(String),
    Edit(String),
    Rename(String),
    Delete(String),
    Dismiss(String),
}

/// The global variables panel.
pub struct Settings {
    open: bool,
    /// Every global's name, with whether it is a secret.
    globals: BTreeMap<String, bool>,
    /// None: there is no store (no config directory); `globals` are fixed.
    worker: Option<Worker>,
    store_path: Option<PathBuf>,
    definitions: Vec<Definition>,
    loaded: bool,
    loading: bool,
    load_error: Option<String>,
    keychain: KeychainState,
    /// Per variable: what is going on in the background ("saving…").
    busy: BTreeMap<String, &'static str>,
    /// Per variable: the last thing that went wrong, with what to do.
    errors: BTreeMap<String, String>,
    revealed: BTreeMap<String, Revealed>,
    editor: Option<Editor>,
    today: Date,
    settled_frames: u32,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("open", &self.open)
            .field("globals", &self.globals)
            .field("revealed", &self.revealed.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The panel for the store in `dir` (None: no store; `fixed` are the variables runs
    /// get instead), with secrets in `keychain`. Nothing is read on the calling thread:
    /// the definitions (never the keychain) are loaded in the background at once, so
    /// [`Settings::globals`] fills in soon after.
    pub fn new(
        ctx: &egui::Context,
        handle: Handle,
        dir: Option<PathBuf>,
        keychain: Keychain,
        fixed: &Variables,
    ) -> Self {
        let globals = fixed.iter().map(|v| (v.name.clone(), v.value.is_secret())).collect();
        let store_path = dir.as_ref().map(|dir| dir.join(FILE_NAME));
        let worker = dir.map(|dir| Worker::start(ctx, &handle, dir, keychain));
        let mut settings = Self {
            open: false,
            globals,
            worker,
            store_path,
            definitions: Vec::new(),
            loaded: false,
            loading: false,
            load_error: None,
            keychain: KeychainState::Unknown,
            busy: BTreeMap::new(),
            errors: BTreeMap::new(),
            revealed: BTreeMap::new(),
            editor: None,
            today: Date::today(),
            settled_frames: 0,
        };
        settings.load();
        settings
    }

    /// Opens the panel: reloads the list and asks whether the keychain is there.
    pub fn open(&mut self) {
        if self.open {
            return;
        }
        self.open = true;
        self.today = Date::today();
        self.settled_frames = 0;
        self.load();
        if let Some(worker) = &self.worker {
            if self.keychain == KeychainState::Unknown {
                self.keychain = KeychainState::Checking;
            }
            worker.send(Job::Probe);
        }
    }

    /// Whether the panel is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The globals' names, each with whether it is a secret. Kept up to date after
    /// every add, rename and delete.
    pub fn globals(&self) -> &BTreeMap<String, bool> {
        &self.globals
    }

    /// The plain value of global `name`, once the definitions have loaded; `None` for a
    /// secret or an unknown name. (Copy as curl writes plain values into the command.)
    pub fn plain_value(&self, name: &str) -> Option<&str> {
        self.definitions.iter().find(|d| d.name == name && d.kind == Kind::Default).and_then(|d| d.value.as_deref())
    }

    /// Whether the panel is open and has had a few frames with nothing left to load or
    /// check (for the app's `--settings --screenshot`).
    pub fn is_settled(&self) -> bool {
        self.open && self.settled_frames >= SETTLE_FRAMES
    }

    fn load(&mut self) {
        if let Some(worker) = &self.worker
            && worker.send(Job::Load)
        {
            self.loading = true;
        }
    }

    /// Closes the panel and drops every revealed value and the form.
    fn close(&mut self, ctx: &egui::Context) {
        self.open = false;
        self.revealed.clear();
        self.close_editor(ctx);
        self.errors.clear();
    }

    /// Drops the editor, its typed value, and the value field's undo history.
    fn close_editor(&mut self, ctx: &egui::Context) {
        self.editor = None;
        ctx.data_mut(|data| data.remove::<egui::text_edit::TextEditState>(value_field_id()));
    }

    /// Takes in background results, hides revealed values whose time is up, and draws
    /// the panel when it is open. Call once per frame.
    pub fn show(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        self.drain(ctx, now);
        self.hide_expired(ctx, now);
        if !self.open {
            return;
        }
        let mut open = true;
        // Centred across, near the top: the list stays put when the form opens below it.
        let width: f32 = COLUMNS.iter().map(|(_, width)| width + 8.0).sum();
        let screen = ctx.content_rect();
        let top_left = egui::pos2((screen.center().x - width / 2.0).max(screen.left()), screen.top() + 70.0);
        egui::Window::new("Global variables")
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_pos(top_left)
            .default_width(width)
            .show(ctx, |ui| self.ui(ui, now));
        if !open {
            self.close(ctx);
            return;
        }
        let settled = self.loaded && !self.loading && self.busy.is_empty() && self.keychain != KeychainState::Checking;
        self.settled_frames = if settled { self.settled_frames.saturating_add(1) } else { 0 };
    }

    fn drain(&mut self, ctx: &egui::Context, now: f64) {
        let mut replies = Vec::new();
        if let Some(worker) = &mut self.worker {
            while let Some(reply) = worker.try_recv() {
                replies.push(reply);
            }
        }
        for reply in replies {
            self.apply(reply, ctx, now);
        }
    }

    fn apply(&mut self, reply: Reply, ctx: &egui::Context, now: f64) {
        match reply {
            Reply::Loaded(result) => {
                self.loading = false;
                self.loaded = true;
                match result {
                    Ok(definitions) => {
                        self.load_error = None;
                        self.set_definitions(definitions);
                    }
                    Err(failure) => self.load_error = Some(failure.message),
                }
            }
            Reply::Probed(Ok(())) => self.keychain = KeychainState::Present,
            Reply::Probed(Err(reason)) => self.keychain = KeychainState::Unavailable(reason),
            Reply::Changed { name, action, result } => {
                self.busy.remove(&name);
                let for_editor = self.editor.as_ref().and_then(Editor::pending_target) == Some(name.as_str());
                match result {
                    Ok(definitions) => {
                        self.errors.remove(&name);
                        self.revealed.remove(&name);
                        self.set_definitions(definitions);
                        if for_editor {
                            self.close_editor(ctx);
                        }
                    }
                    Err(failure) => {
                        self.note_keychain(&failure);
                        let mut message = match &action {
                            Action::Save => format!("Cannot save `{name}`: {}", failure.message),
                            Action::Rename { new } => format!("Cannot rename `{name}` to `{new}`: {}", failure.message),
                            Action::Delete => format!("Cannot delete `{name}`: {}", failure.message),
                        };
                        match &mut self.editor {
                            Some(editor) if for_editor => {
                                if let Editor::Form { form, .. } = editor
                                    && form.kind == Kind::Secret
                                    && form.value.is_empty()
                                    && !form.keeps_stored_secret()
                                {
                                    message.push_str(" (type the value again to retry)");
                                }
                                editor.set_error(message);
                            }
                            _ => {
                                self.errors.insert(name, message);
                            }
                        }
                    }
                }
            }
            Reply::Revealed { name, result } => {
                self.busy.remove(&name);
                match result {
                    // A value that arrives after the panel closed is dropped here.
                    Ok(value) if self.open => {
                        self.errors.remove(&name);
                        self.revealed.insert(name, Revealed { value, until: now + REVEAL_SECONDS });
                    }
                    Ok(_) => {}
                    Err(failure) => {
                        self.note_keychain(&failure);
                        self.errors.insert(name.clone(), format!("Cannot reveal `{name}`: {}", failure.message));
                    }
                }
            }
        }
    }

    fn note_keychain(&mut self, failure: &Failure) {
        if let Some(reason) = &failure.keychain_unavailable {
            self.keychain = KeychainState::Unavailable(reason.clone());
        }
    }

    fn set_definitions(&mut self, definitions: Vec<Definition>) {
        self.globals = definitions.iter().map(|d| (d.name.clone(), d.kind == Kind::Secret)).collect();
        let globals = &self.globals;
        self.revealed.retain(|name, _| globals.get(name) == Some(&true));
        self.definitions = definitions;
    }

    /// Drops revealed values whose time is up; wakes the UI when the next one is due
    /// (and every second, for the countdown).
    fn hide_expired(&mut self, ctx: &egui::Context, now: f64) {
        self.revealed.retain(|_, revealed| revealed.until > now);
        if let Some(next) = self.revealed.values().map(|r| r.until - now).reduce(f64::min) {
            ctx.request_repaint_after(Duration::from_secs_f64(next.clamp(0.0, 1.0)));
        }
    }

    fn send(&mut self, job: Job, name: &str, doing: &'static str) -> bool {
        let sent = self.worker.as_ref().is_some_and(|worker| worker.send(job));
        if sent {
            self.busy.insert(name.to_owned(), doing);
            self.errors.remove(name);
        } else {
            self.errors.insert(name.to_owned(), "the background worker is gone: restart Switchyard".to_owned());
        }
        sent
    }

    fn ui(&mut self, ui: &mut Ui, now: f64) {
        self.banners(ui);
        if self.worker.is_none() {
            self.no_store_ui(ui);
            return;
        }
        self.list_ui(ui, now);
        ui.add_space(6.0);
        let can_add = self.load_error.is_none() && !self.editor.as_ref().is_some_and(Editor::is_pending);
        ui.horizontal(|ui| {
            if ui.add_enabled(can_add, egui::Button::new("Add variable")).clicked() {
                self.close_editor(ui.ctx());
                self.editor = Some(Editor::Form { form: Form::add(), pending: false, error: None });
            }
            if !self.loaded || self.loading {
                ui.add(egui::Spinner::new());
                ui.weak("loading…");
            }
        });
        self.editor_ui(ui);
        ui.add_space(4.0);
        if let Some(path) = &self.store_path {
            ui.weak(format!(
                "Use a variable in any flow as {{{{name}}}}. Plain values are stored in {}; \
                 secret values only in the OS keychain.",
                path.display()
            ));
        }
    }

    fn banners(&mut self, ui: &mut Ui) {
        if let KeychainState::Unavailable(reason) = &self.keychain {
            banner(ui, ui.visuals().warn_fg_color, |ui| {
                ui.label(RichText::new("⚠ No keychain: secret variables cannot be stored or revealed.").strong());
                ui.label(format!("Why: {reason}."));
                ui.label(
                    "What to do: start or unlock your keychain (on Linux a Secret Service such as \
                     gnome-keyring or KWallet; install one if there is none), then restart Switchyard. \
                     Meanwhile, pass secrets to runs with `switchyard run FLOW --secret-env NAME=ENV_VAR`. \
                     Plain variables still work.",
                );
            });
            ui.add_space(6.0);
        }
        if let Some(error) = &self.load_error {
            banner(ui, ui.visuals().error_fg_color, |ui| {
                ui.label(RichText::new("⚠ Cannot read the global variables.").strong());
                ui.label(error);
            });
            ui.add_space(6.0);
        }
    }

    fn no_store_ui(&self, ui: &mut Ui) {
        ui.label(
            "There is no place to store global variables: no configuration directory was found. \
             Set SWITCHYARD_HOME to a directory and restart Switchyard.",
        );
        if !self.globals.is_empty() {
            ui.add_space(4.0);
            ui.label("Variables given to this window:");
            for (name, secret) in &self.globals {
                ui.monospace(format!("{name}  ({})", if *secret { "secret" } else { "default" }));
            }
        }
    }

    fn list_ui(&mut self, ui: &mut Ui, now: f64) {
        if self.loaded && self.definitions.is_empty() && self.load_error.is_none() {
            ui.weak("No global variables yet. Add one, then use it in any flow as {{name}}.");
            return;
        }
        if self.definitions.is_empty() {
            return;
        }
        ui.horizontal(|ui| {
            for (title, width) in COLUMNS {
                cell(ui, width, |ui| {
                    ui.label(RichText::new(title).small().strong());
                });
            }
        });
        ui.separator();
        let mut actions = Vec::new();
        egui::ScrollArea::vertical().max_height(360.0).auto_shrink([false, true]).show(ui, |ui| {
            for definition in &self.definitions {
                self.row_ui(ui, definition, now, &mut actions);
            }
        });
        for action in actions {
            self.row_action(ui.ctx(), action);
        }
    }

    fn row_ui(&self, ui: &mut Ui, definition: &Definition, now: f64, actions: &mut Vec<RowAction>) {
        let name = &definition.name;
        let is_secret = definition.kind == Kind::Secret;
        let revealed = self.revealed.get(name);
        ui.horizontal(|ui| {
            cell(ui, COLUMNS[0].1, |ui| {
                ui.add(egui::Label::new(RichText::new(name).monospace()).truncate());
            });
            cell(ui, COLUMNS[1].1, |ui| {
                ui.label(definition.kind.as_str());
            });
            cell(ui, COLUMNS[2].1, |ui| {
                if !is_secret {
                    match definition.value.as_deref() {
                        Some(value) if !value.is_empty() => {
                            ui.add(egui::Label::new(RichText::new(value).monospace()).truncate());
                        }
                        _ => {
                            ui.weak("(empty)");
                        }
                    }
                    return;
                }
                // The mask or the revealed value, then Reveal / Hide with the time left.
                cell(ui, COLUMNS[2].1 - REVEAL_WIDTH, |ui| match revealed {
                    Some(revealed) => {
                        ui.add(egui::Label::new(RichText::new(revealed.value.expose_secret()).monospace()).truncate());
                    }
                    None => {
                        ui.monospace(MASK);
                    }
                });
                match revealed {
                    Some(revealed) => {
                        if ui.button("Hide").clicked() {
                            actions.push(RowAction::Hide(name.clone()));
                        }
                        ui.weak(format!("{:.0} s", (revealed.until - now).ceil().max(0.0)))
                            .on_hover_text("hidden again after 30 seconds, or when this panel closes");
                    }
                    None => {
                        let available = !matches!(self.keychain, KeychainState::Unavailable(_));
                        let reveal = ui
                            .add_enabled(available && !self.busy.contains_key(name), egui::Button::new("Reveal"))
                            .on_hover_text("show the value from the keychain for 30 seconds")
                            .on_disabled_hover_text("no keychain: the value cannot be read");
                        if reveal.clicked() {
                            actions.push(RowAction::Reveal(name.clone()));
                        }
                    }
                }
            });
            cell(ui, COLUMNS[3].1, |ui| {
                if !is_secret {
                    ui.weak("—");
                } else if definition.allowed_hosts.is_empty() {
                    ui.weak("any host");
                } else {
                    ui.add(egui::Label::new(definition.allowed_hosts.join(", ")).truncate());
                }
            });
            cell(ui, COLUMNS[4].1, |ui| match definition.expires {
                Some(date) => {
                    ui.label(date.to_string());
                    expiry_badge(ui, date, self.today);
                }
                None => {
                    ui.weak("—");
                }
            });
            cell(ui, COLUMNS[5].1, |ui| {
                if let Some(doing) = self.busy.get(name) {
                    ui.add(egui::Spinner::new());
                    ui.weak(*doing);
                    return;
                }
                let editing = self.editor.as_ref().is_some_and(Editor::is_pending);
                ui.add_enabled_ui(!editing, |ui| {
                    if ui.button("Edit…").clicked() {
                        actions.push(RowAction::Edit(name.clone()));
                    }
                    if ui.button("Rename…").clicked() {
                        actions.push(RowAction::Rename(name.clone()));
                    }
                    if ui.button("Delete…").clicked() {
                        actions.push(RowAction::Delete(name.clone()));
                    }
                });
            });
        });
        if let Some(error) = self.errors.get(name) {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
                if ui.small_button("Dismiss").clicked() {
                    actions.push(RowAction::Dismiss(name.clone()));
                }
            });
        }
    }

    fn row_action(&mut self, ctx: &egui::Context, action: RowAction) {
        let find = |name: &str| self.definitions.iter().find(|d| d.name == name).cloned();
        match action {
            RowAction::Reveal(name) => {
                self.send(Job::Reveal { name: name.clone() }, &name, "revealing…");
            }
            RowAction::Hide(name) => {
                self.revealed.remove(&name);
            }
            RowAction::Edit(name) => {
                if let Some(definition) = find(&name) {
                    self.close_editor(ctx);
                    self.editor = Some(Editor::Form { form: Form::edit(&definition), pending: false, error: None });
                }
            }
            RowAction::Rename(name) => {
                self.close_editor(ctx);
                self.editor = Some(Editor::Rename { new: name.clone(), old: name, pending: false, error: None });
            }
            RowAction::Delete(name) => {
                self.close_editor(ctx);
                self.editor = Some(Editor::Delete { name, pending: false, error: None });
            }
            RowAction::Dismiss(name) => {
                self.errors.remove(&name);
            }
        }
    }

    fn editor_ui(&mut self, ui: &mut Ui) {
        let Some(mut editor) = self.editor.take() else { return };
        let exists = |name: &str| self.globals.contains_key(name);
        let keychain_unavailable = matches!(self.keychain, KeychainState::Unavailable(_));
        let mut submit: Option<(Job, String, &'static str)> = None;
        let mut cancel = false;
        ui.add_space(6.0);
        egui::Frame::group(ui.style()).inner_margin(10).show(ui, |ui| {
            ui.set_width(ui.available_width());
            match &mut editor {
                Editor::Form { form, pending, error } => {
                    let title = match form.mode {
                        Mode::Add => "New variable".to_owned(),
                        Mode::Edit { .. } => format!("Edit `{}`", form.name),
                    };
                    ui.label(RichText::new(title).small().strong());
                    let problems = form.problems(exists);
                    form_fields(ui, form, &problems, keychain_unavailable, self.today, !*pending);
                    status_line(ui, *pending, "saving…", error.as_deref());
                    ui.horizontal(|ui| {
                        if ui.add_enabled(problems.is_empty() && !*pending, egui::Button::new("Save")).clicked() {
                            let (definition, value) = form.submit();
                            let name = definition.name.clone();
                            let is_new = form.mode == Mode::Add;
                            submit = Some((Job::Save { definition, value, is_new }, name, "saving…"));
                            *pending = true;
                            *error = None;
                        }
                        cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                    });
                }
                Editor::Rename { old, new, pending, error } => {
                    ui.label(RichText::new(format!("Rename `{old}`")).strong());
                    let problem = if new.trim() == old.as_str() {
                        Some("Type the new name.".to_owned())
                    } else {
                        name_problem(new, exists)
                    };
                    ui.horizontal(|ui| {
                        let label = ui.label("New name");
                        ui.add_enabled(
                            !*pending,
                            egui::TextEdit::singleline(new).desired_width(220.0).font(egui::TextStyle::Monospace),
                        )
                        .labelled_by(label.id);
                    });
                    if let Some(problem) = &problem
                        && new.trim() != old.as_str()
                    {
                        ui.colored_label(ui.visuals().error_fg_color, problem);
                    }
                    ui.weak("Flows that use the old name must be changed by hand.");
                    status_line(ui, *pending, "renaming…", error.as_deref());
                    ui.horizontal(|ui| {
                        if ui.add_enabled(problem.is_none() && !*pending, egui::Button::new("Rename")).clicked() {
                            let job = Job::Rename { old: old.clone(), new: new.trim().to_owned() };
                            submit = Some((job, old.clone(), "renaming…"));
                            *pending = true;
                            *error = None;
                        }
                        cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                    });
                }
                Editor::Delete { name, pending, error } => {
                    let secret = self.globals.get(name.as_str()) == Some(&true);
                    let extra = if secret { " Its value is removed from the keychain too." } else { "" };
                    ui.label(RichText::new(format!("Delete `{name}`?")).strong());
                    ui.label(format!("This cannot be undone.{extra}"));
                    status_line(ui, *pending, "deleting…", error.as_deref());
                    ui.horizontal(|ui| {
                        let delete = egui::Button::new(RichText::new("Delete").color(ui.visuals().error_fg_color));
                        if ui.add_enabled(!*pending, delete).clicked() {
                            submit = Some((Job::Delete { name: name.clone() }, name.clone(), "deleting…"));
                            *pending = true;
                            *error = None;
                        }
                        cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                    });
                }
            }
        });
        self.editor = Some(editor);
        if cancel {
            self.close_editor(ui.ctx());
        } else if let Some((job, name, doing)) = submit
            && !self.send(job, &name, doing)
            && let Some(editor) = &mut self.editor
        {
            editor.set_error("the background worker is gone: restart Switchyard".to_owned());
        }
    }
}

/// The id of the form's value field, so its state (undo history) can be removed.
fn value_field_id() -> Id {
    Id::new("switchyard-settings-value")
}

/// The add / edit form's fields, with each problem under its field.
fn form_fields(
    ui: &mut Ui,
    form: &mut Form,
    problems: &form::Problems,
    keychain_unavailable: bool,
    today: Date,
    enabled: bool,
) {
    let error_color = ui.visuals().error_fg_color;
    let problem_row = |ui: &mut Ui, problem: &Option<String>| {
        if let Some(problem) = problem {
            ui.label("");
            ui.colored_label(error_color, problem);
            ui.end_row();
        }
    };
    ui.add_enabled_ui(enabled, |ui| {
        egui::Grid::new("switchyard-settings-form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let label = ui.label("Name");
            match form.mode {
                Mode::Add => {
                    ui.add(
                        egui::TextEdit::singleline(&mut form.name)
                            .hint_text("api_token")
                            .desired_width(260.0)
                            .font(egui::TextStyle::Monospace),
                    )
                    .labelled_by(label.id);
                }
                Mode::Edit { .. } => {
                    ui.monospace(&form.name).on_hover_text("use Rename… to change the name");
                }
            }
            ui.end_row();
            problem_row(ui, &problems.name);

            ui.label("Type");
            ui.horizontal(|ui| {
                ui.radio_value(&mut form.kind, Kind::Default, "default (in globals.json)");
                let secret = ui
                    .add_enabled(
                        !keychain_unavailable || form.kind == Kind::Secret,
                        egui::RadioButton::new(form.kind == Kind::Secret, "secret (in the keychain)"),
                    )
                    .on_disabled_hover_text("no keychain: secrets cannot be stored");
                if secret.clicked() {
                    form.kind = Kind::Secret;
                }
            });
            ui.end_row();

            let label = ui.label("Value");
            let secret = form.kind == Kind::Secret;
            let hint = if form.keeps_stored_secret() {
                "leave empty to keep the stored value"
            } else if secret {
                "the secret (hidden as you type)"
            } else {
                "the value"
            };
            ui.add(
                egui::TextEdit::singleline(form.value.text_mut())
                    .id(value_field_id())
                    .password(secret)
                    .hint_text(hint)
                    .desired_width(360.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id);
            ui.end_row();
            problem_row(ui, &problems.value);

            if secret {
                let label = ui.label("Allowed hosts");
                ui.add(
                    egui::TextEdit::multiline(&mut form.hosts)
                        .hint_text("any host; or api.example.com, *.example.com (comma or one per line)")
                        .desired_rows(2)
                        .desired_width(360.0),
                )
                .labelled_by(label.id);
                ui.end_row();
                problem_row(ui, &problems.hosts);

                let label = ui.label("Expires");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut form.expires)
                            .hint_text("YYYY-MM-DD (optional)")
                            .desired_width(150.0)
                            .font(egui::TextStyle::Monospace),
                    )
                    .labelled_by(label.id);
                    if let Ok(Some(date)) = form::parse_expires(&form.expires) {
                        expiry_badge(ui, date, today);
                    }
                });
                ui.end_row();
                problem_row(ui, &problems.expires);
            }
        });
    });
}

/// "saving…" with a spinner, or the last error.
fn status_line(ui: &mut Ui, pending: bool, doing: &str, error: Option<&str>) {
    if pending {
        ui.horizontal(|ui| {
            ui.add(egui::Spinner::new());
            ui.weak(doing);
        });
    } else if let Some(error) = error {
        ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
    }
}

/// `expired` (red) or `expires soon` (amber) next to an expiry date; nothing when it
/// is further away.
fn expiry_badge(ui: &mut Ui, date: Date, today: Date) {
    let (text, color, hover) = match date.expiry(today) {
        Expiry::Expired => {
            let days = today.days_since_epoch() - date.days_since_epoch();
            let ago = if days == 1 { "yesterday".to_owned() } else { format!("{days} days ago") };
            ("expired", ui.visuals().error_fg_color, format!("expired {ago}: runs warn when they use it"))
        }
        Expiry::Soon { days } => {
            let when = match days {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                _ => format!("in {days} days"),
            };
            ("expires soon", ui.visuals().warn_fg_color, format!("expires {when}"))
        }
        Expiry::Later => return,
    };
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4)
        .inner_margin(egui::Margin::symmetric(4, 0))
        .show(ui, |ui| ui.label(RichText::new(text).small().color(color)))
        .response
        .on_hover_text(hover);
}

/// A framed notice in `color`.
fn banner(ui: &mut Ui, color: Color32, add_contents: impl FnOnce(&mut Ui)) {
    egui::Frame::new()
        .fill(color.gamma_multiply(0.12))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4)
        .inner_margin(8)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add_contents(ui);
        });
}

/// A fixed-width cell of a list row.
fn cell(ui: &mut Ui, width: f32, add_contents: impl FnOnce(&mut Ui)) {
    let height = ui.spacing().interact_size.y;
    ui.allocate_ui_with_layout(Vec2::new(width, height), Layout::left_to_right(Align::Center), |ui| {
        ui.set_width(width);
        ui.set_clip_rect(ui.max_rect().intersect(ui.clip_rect()));
        add_contents(ui);
    });
}
