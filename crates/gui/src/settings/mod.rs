//! The settings panel: the global variables of the store and its environments (the
//! store and the keychain are `switchyard_vault`'s; SECURITY.md says where secrets live).
//!
//! A window "Global variables" shows one scope at a time (the globals, or one
//! environment, picked at its top, where environments are also made, renamed and
//! deleted), lists every variable of it (name, type, value, allowed hosts,
//! expiry with an `expired` / `expires soon` badge) and adds, edits, renames and
//! deletes them. Secret values show as a mask; "Reveal" fetches one from the keychain
//! and shows it for [`REVEAL_SECONDS`] (read against egui's clock, `i.time`), then drops
//! it; closing the panel drops it too. When the keychain cannot be reached a banner
//! says why and what to do; plain variables keep working.
//!
//! Every store and keychain call runs in [`worker`] off the UI thread; the frame code
//! only drains its replies and shows progress and errors per row.
//!
//! It also holds the environment runs use (the top bar's picker): the names the
//! inspector marks and completes are the globals' with that environment's on top, as a
//! run sees them.
//!
//! Layout: this file holds the panel's state and applies the worker's replies;
//! `panel.rs` draws it (banners, list, editor), `scope.rs` the scope picker and the
//! environment editors, `form.rs` checks the form as you type, `worker.rs` runs the jobs.
//!
//! Custody of secret values: held as `SecretString` only while revealed, or as a
//! zeroed-on-drop buffer while typed into the form (dropped on save and cancel; the text
//! field's undo history is removed with it). Never logged, never in eframe's storage, and
//! `Debug` prints no values.

mod form;
mod panel;
mod scope;
mod worker;

pub use worker::StoreAs;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use switchyard_vault::{Date, Definition, FILE_NAME, Keychain, Kind, Variables};
use tokio::runtime::Handle;

use form::Form;
use panel::value_field_id;
use worker::{Action, Failure, Job, Reply, Snapshot, Worker};

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
    /// Naming a new environment.
    NewEnvironment { name: String, pending: bool, error: Option<String> },
    /// Renaming environment `old`.
    RenameEnvironment { old: String, new: String, pending: bool, error: Option<String> },
    /// Asking before deleting environment `name`.
    DeleteEnvironment { name: String, pending: bool, error: Option<String> },
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
        match self {
            Editor::Form { pending, .. }
            | Editor::Rename { pending, .. }
            | Editor::Delete { pending, .. }
            | Editor::NewEnvironment { pending, .. }
            | Editor::RenameEnvironment { pending, .. }
            | Editor::DeleteEnvironment { pending, .. } => *pending,
        }
    }

    fn set_error(&mut self, message: String) {
        match self {
            Editor::Form { pending, error, .. }
            | Editor::Rename { pending, error, .. }
            | Editor::Delete { pending, error, .. }
            | Editor::NewEnvironment { pending, error, .. }
            | Editor::RenameEnvironment { pending, error, .. }
            | Editor::DeleteEnvironment { pending, error, .. } => {
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
    /// Every name a run sees (the globals with the selected environment's on top), with
    /// whether it is a secret.
    globals: BTreeMap<String, bool>,
    /// The store's definitions as last read: the globals' and each environment's.
    snapshot: Snapshot,
    /// What the panel shows and edits: `None` the globals, else this environment.
    scope: Option<String>,
    /// The environment runs use (the top bar's picker); `None`: the globals only.
    selected: Option<String>,
    /// What the app should tell the user (an environment gone, a pasted credential
    /// stored), each with whether it is an error.
    notices: Vec<(String, bool)>,
    /// Pasted credentials the store kept under another name than the app expected
    /// (`from`, `to`): the block that refers to `from` is to refer to `to`.
    renamed: Vec<(String, String)>,
    /// None: there is no store (no config directory); `globals` are fixed.
    worker: Option<Worker>,
    store_path: Option<PathBuf>,
    /// The definitions of the panel's scope.
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
            .field("scope", &self.scope)
            .field("selected", &self.selected)
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
            snapshot: Snapshot::default(),
            scope: None,
            selected: None,
            notices: Vec::new(),
            renamed: Vec::new(),
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

    /// The plain value of `name` as a run sees it (the selected environment's, else the
    /// global's), once the definitions have loaded; `None` for a secret or an unknown
    /// name. (Copy as curl writes plain values into the command.)
    pub fn plain_value(&self, name: &str) -> Option<&str> {
        let environment = self.selected.as_deref().and_then(|env| self.snapshot.scope(Some(env))).unwrap_or_default();
        let definition = environment
            .iter()
            .find(|d| d.name == name)
            .or_else(|| self.snapshot.globals.iter().find(|d| d.name == name))?;
        if definition.kind == Kind::Default { definition.value.as_deref() } else { None }
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

    /// What Esc does to the panel: closes its form or question if one is open (unless
    /// it is saving), else the panel. Returns whether it closed something.
    pub fn escape(&mut self, ctx: &egui::Context) -> bool {
        if !self.open {
            return false;
        }
        match &self.editor {
            Some(editor) if editor.is_pending() => {}
            Some(_) => self.close_editor(ctx),
            None => self.close(ctx),
        }
        true
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
                    Ok(snapshot) => {
                        self.load_error = None;
                        self.set_snapshot(snapshot);
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
                    Ok(snapshot) => {
                        self.errors.remove(&name);
                        self.revealed.remove(&name);
                        self.set_snapshot(snapshot);
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
            Reply::Revealed { scope, name, result } => {
                self.busy.remove(&name);
                match result {
                    // A value that arrives after the panel closed, or for another
                    // scope than the one shown, is dropped here.
                    Ok(value) if self.open && scope == self.scope => {
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
            Reply::EnvironmentChanged { action, result } => self.environment_changed(ctx, action, result),
            Reply::SecretStored { name, result } => match result {
                Ok((stored, snapshot)) => {
                    self.set_snapshot(snapshot);
                    let hosts = match stored.allowed_hosts.as_slice() {
                        [] => "sent to any host".to_owned(),
                        hosts => format!("sent only to {}", hosts.join(", ")),
                    };
                    let notice = if stored.reused {
                        format!(
                            "the global secret `{}` holds this value already: the block uses it ({hosts})",
                            stored.name
                        )
                    } else if stored.name != name {
                        format!(
                            "`{name}` is taken by a global holding another value: stored `{}` as a secret in the \
                             keychain instead ({hosts})",
                            stored.name
                        )
                    } else {
                        format!("stored `{name}` as a secret in the keychain ({hosts})")
                    };
                    self.notices.push((notice, false));
                    if stored.name != name {
                        self.renamed.push((name, stored.name));
                    }
                }
                Err(failure) => {
                    self.note_keychain(&failure);
                    self.notices.push((format!("cannot store `{name}` as a secret: {}", failure.message), true));
                }
            },
        }
    }

    fn note_keychain(&mut self, failure: &Failure) {
        if let Some(reason) = &failure.keychain_unavailable {
            self.keychain = KeychainState::Unavailable(reason.clone());
        }
    }

    /// Takes in the store as a job read it: the panel's scope (back to the globals
    /// when its environment is gone), the selected environment (dropped, with a notice,
    /// when it is gone), and the names runs see.
    fn set_snapshot(&mut self, snapshot: Snapshot) {
        self.snapshot = snapshot;
        self.drop_missing_scopes();
        self.refresh();
    }

    /// Goes back to the globals where the panel's scope or the selected environment is
    /// not in the snapshot (deleted, maybe with `switchyard env rm`).
    fn drop_missing_scopes(&mut self) {
        if self.scope.as_deref().is_some_and(|env| !self.snapshot.environments.contains_key(env)) {
            self.scope = None;
            self.revealed.clear();
        }
        if let Some(env) = self.selected.take_if(|env| !self.snapshot.environments.contains_key(env.as_str())) {
            self.notices.push((format!("environment `{env}` no longer exists: runs use the globals only"), true));
        }
    }

    /// Recomputes what follows from the snapshot, the panel's scope and the selected
    /// environment: the list shown, the revealed values kept, the names runs see.
    fn refresh(&mut self) {
        if self.worker.is_none() {
            return;
        }
        self.definitions = self.snapshot.scope(self.scope.as_deref()).unwrap_or_default().to_vec();
        let definitions = &self.definitions;
        self.revealed.retain(|name, _| definitions.iter().any(|d| &d.name == name && d.kind == Kind::Secret));
        let on_top = self.selected.as_deref().and_then(|env| self.snapshot.scope(Some(env))).unwrap_or_default();
        self.globals =
            self.snapshot.globals.iter().chain(on_top).map(|d| (d.name.clone(), d.kind == Kind::Secret)).collect();
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

    fn row_action(&mut self, ctx: &egui::Context, action: RowAction) {
        let find = |name: &str| self.definitions.iter().find(|d| d.name == name).cloned();
        match action {
            RowAction::Reveal(name) => {
                self.send(Job::Reveal { scope: self.scope.clone(), name: name.clone() }, &name, "revealing…");
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
}
