//! Files and the session: New, Open, Save, Save As through the file dialogs (answers
//! arrive in a later frame), the prompt before unsaved work is lost, the offer to
//! restore work from a crash, and recording each change in the undo history (with an
//! autosave to the recovery file a moment after the last one).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use switchyard_flow::Flow;
use tokio::runtime::Handle;

use super::canvas_state::Fit;
use super::notices::Notices;
use super::{Action, Answer, SwitchyardApp, display_name};
use crate::LineTarget;
use crate::console::Console;
use crate::document::Document;
use crate::file_dialog::{InAppAnswer, InAppDialog};
use crate::files::{
    DialogAnswer, DialogRequest, FileDialogs, RecentFiles, Recovered, Recovery, ago, suggested_file_name,
    with_flow_extension,
};
use crate::history::History;

/// What to do once unsaved work is saved or given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Then {
    /// Nothing more.
    Nothing,
    /// Start a new flow.
    New,
    /// Ask for a flow to open.
    Open,
    /// Open this flow.
    OpenPath(PathBuf),
    /// Open this bundled example (it has no file until saved).
    OpenExample(crate::examples::Example),
    /// Close the window.
    Close,
}

/// Why a file dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DialogPurpose {
    Open,
    SaveAs(Then),
}

/// The session part (`Session`): the open flow's undo history and whether it is saved,
/// the file dialogs (a system one answered on a blocking thread, or the app's own), the
/// recent files, the unsaved-work prompt, the recovery file and its autosave, and the
/// window title.
pub(super) struct Session {
    pub(super) history: History,
    /// The block whose inspector field changed this frame (joins keystrokes into one step).
    pub(super) edit_key: Option<String>,
    pub(super) dirty: bool,
    /// Something may have changed the flow: compare with the saved text at the frame's end.
    pub(super) check_dirty: bool,
    pub(super) title: String,
    dialogs: Arc<dyn FileDialogs>,
    dialog: Option<(DialogPurpose, std::sync::mpsc::Receiver<DialogAnswer>, DialogRequest)>,
    /// The app's own file dialog, open where the system has none.
    in_app_dialog: Option<(DialogPurpose, InAppDialog)>,
    pub(super) recent: RecentFiles,
    /// Unsaved work waits on this answer: save, don't save, or cancel.
    pub(super) prompt: Option<Then>,
    /// The window may close now (the user answered the prompt).
    pub(super) allow_close: bool,
    pub(super) recovery: Option<Recovery>,
    /// Unsaved work found from an earlier session, offered for restoring.
    pub(super) offer: Option<Recovered>,
    autosave_after: Duration,
    /// When the flow last changed (egui time, seconds), and whether that state is autosaved.
    last_change: f64,
    pub(super) autosaved: bool,
}

impl Session {
    /// A session starting with `history`'s flow, saved as far as it knows.
    pub(super) fn new(
        history: History,
        dialogs: Arc<dyn FileDialogs>,
        recent: RecentFiles,
        recovery: Option<Recovery>,
        offer: Option<Recovered>,
        autosave_after: Duration,
    ) -> Self {
        Self {
            history,
            edit_key: None,
            dirty: false,
            check_dirty: true,
            title: String::new(),
            dialogs,
            dialog: None,
            in_app_dialog: None,
            recent,
            prompt: None,
            allow_close: false,
            recovery,
            offer,
            autosave_after,
            last_change: 0.0,
            autosaved: true,
        }
    }

    /// Gives up the unsaved work: its recovery file goes too.
    pub(super) fn discard_changes(&self, path: Option<&std::path::Path>) {
        if let Some(recovery) = &self.recovery {
            recovery.discard(path);
        }
    }

    pub(super) fn refresh_dirty(&mut self, document: &Document) {
        self.dirty = document.is_dirty();
    }

    /// Records the flow in the undo history if it changed, and autosaves unsaved work
    /// to the recovery file a moment after the last change.
    pub(super) fn track_changes(&mut self, ctx: &egui::Context, document: &Document, console: &mut Console) {
        let now = ctx.input(|i| i.time);
        let key = self.edit_key.take();
        if std::mem::take(&mut self.check_dirty) {
            let flow = document.to_flow();
            if self.history.record(flow, key.as_deref(), now) {
                self.last_change = now;
                self.autosaved = false;
            }
            let was_dirty = self.dirty;
            self.dirty = !document.is_saved_as(self.history.current());
            if was_dirty && !self.dirty {
                // Back to what is saved (an undo): nothing to recover.
                self.discard_changes(document.path.as_deref());
                self.autosaved = true;
            }
        }
        let Some(recovery) = &self.recovery else { return };
        if !self.dirty || self.autosaved {
            return;
        }
        let wait = self.autosave_after.as_secs_f64() - (now - self.last_change);
        if wait > 0.0 {
            ctx.request_repaint_after(Duration::from_secs_f64(wait));
            return;
        }
        self.autosaved = true;
        if let Err(error) = recovery.write(document.path.as_deref(), self.history.current()) {
            console.push_error(format!(
                "cannot autosave unsaved work to {}: {error}",
                recovery.file_for(document.path.as_deref()).display()
            ));
        }
    }

    /// Sets the window title when it changed: the flow's name and file, the environment,
    /// and ` •` while unsaved.
    pub(super) fn update_title(
        &mut self,
        ctx: &egui::Context,
        unsaved: bool,
        document: &Document,
        environment: Option<&str>,
    ) {
        let marker = if unsaved { " •" } else { "" };
        let environment = environment.map(|env| format!(" — {env}")).unwrap_or_default();
        let file = document
            .path
            .as_deref()
            .and_then(std::path::Path::file_name)
            .map(|name| format!(" ({})", name.to_string_lossy()))
            .unwrap_or_default();
        let title = format!("Switchyard — {}{file}{environment}{marker}", display_name(&document.name));
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// Save changes? before losing unsaved work; and the offer to restore work from a crash.
    pub(super) fn ui(&self, ctx: &egui::Context, flow_name: &str, actions: &mut Vec<Action>) {
        if self.prompt.is_some() {
            let name = display_name(flow_name);
            let mut answer = None;
            egui::Modal::new(egui::Id::new("unsaved-prompt")).show(ctx, |ui| {
                ui.set_max_width(380.0);
                ui.heading("Save changes?");
                ui.label(format!("“{name}” has changes that are not saved."));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        answer = Some(Answer::Save);
                    }
                    if ui.button("Don't save").clicked() {
                        answer = Some(Answer::DontSave);
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(Answer::Cancel);
                    }
                });
            });
            if let Some(answer) = answer {
                actions.push(Action::AnswerUnsaved(answer));
            }
        }
        if let Some(found) = &self.offer {
            let name = display_name(&found.flow.name);
            let when = ago(found.saved_at, std::time::SystemTime::now());
            let mut answer = None;
            egui::Modal::new(egui::Id::new("recovery-offer")).show(ctx, |ui| {
                ui.set_max_width(420.0);
                ui.heading("Restore unsaved work?");
                ui.label(format!("Switchyard did not close properly. Changes to “{name}” from {when} were not saved."));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Restore").clicked() {
                        answer = Some(true);
                    }
                    if ui.button("Discard").clicked() {
                        answer = Some(false);
                    }
                });
            });
            if let Some(restore) = answer {
                actions.push(Action::AnswerRecovery(restore));
            }
        }
    }

    /// Whether a window that holds the keyboard is open: the unsaved-work prompt, the
    /// recovery offer, the app's own file dialog.
    pub(super) fn is_modal_open(&self) -> bool {
        self.prompt.is_some() || self.offer.is_some() || self.in_app_dialog.is_some()
    }

    /// Whether the app's own file dialog is open.
    pub(super) fn is_in_app_dialog_open(&self) -> bool {
        self.in_app_dialog.is_some()
    }

    /// Opens a file dialog on a blocking thread; the answer arrives in a later frame.
    pub(super) fn ask_file(
        &mut self,
        purpose: DialogPurpose,
        ctx: &egui::Context,
        document: &Document,
        handle: &Handle,
    ) {
        if self.dialog.is_some() || self.in_app_dialog.is_some() {
            return;
        }
        let folder = document
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .or_else(|| self.recent.paths().first().and_then(|p| p.parent()))
            .map(PathBuf::from);
        let request = match purpose {
            DialogPurpose::Open => DialogRequest::Open { folder },
            DialogPurpose::SaveAs(_) => {
                let file_name = match &document.path {
                    Some(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    None => suggested_file_name(&document.name),
                };
                DialogRequest::Save { folder, file_name }
            }
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let dialogs = Arc::clone(&self.dialogs);
        let wake = ctx.clone();
        let asked = request.clone();
        handle.spawn_blocking(move || {
            // The app may have closed meanwhile; nobody to tell then.
            let _ = tx.send(dialogs.ask(&asked));
            wake.request_repaint();
        });
        self.dialog = Some((purpose, rx, request));
    }

    /// Takes the answer of an open file dialog: a system one, or the app's own where the
    /// system has none. Returns what was chosen, and why the dialog was open.
    pub(super) fn poll_dialog(
        &mut self,
        ctx: &egui::Context,
        handle: &Handle,
        notices: &mut Notices,
    ) -> Option<(DialogPurpose, PathBuf)> {
        let Some((purpose, rx, request)) = &self.dialog else { return None };
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(std::sync::mpsc::TryRecvError::Empty) => return None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => DialogAnswer::Cancelled,
        };
        let (purpose, request) = (purpose.clone(), request.clone());
        self.dialog = None;
        match answer {
            DialogAnswer::Chosen(path) => return Some((purpose, path)),
            DialogAnswer::Cancelled => {}
            DialogAnswer::Unavailable => {
                notices
                    .show("no system file dialog (no XDG portal or zenity): using Switchyard's own".to_owned(), false);
                let dialog = InAppDialog::new(&request, handle.clone(), ctx);
                self.in_app_dialog = Some((purpose, dialog));
            }
        }
        None
    }

    /// Draws the app's own file dialog, if open, and takes its answer: what was chosen,
    /// and why the dialog was open.
    pub(super) fn in_app_dialog_ui(&mut self, ctx: &egui::Context) -> Option<(DialogPurpose, PathBuf)> {
        let Some((purpose, dialog)) = &mut self.in_app_dialog else { return None };
        let answer = dialog.ui(ctx)?;
        let purpose = purpose.clone();
        self.in_app_dialog = None;
        match answer {
            InAppAnswer::Chosen(path) => Some((purpose, path)),
            _ => None,
        }
    }
}

impl SwitchyardApp {
    /// Does `then`, first asking what to do with unsaved work, if there is any.
    pub(super) fn request(&mut self, then: Then, ctx: &egui::Context) {
        if self.is_unsaved() && then != Then::Nothing {
            self.session.prompt = Some(then);
        } else {
            self.perform(then, ctx);
        }
    }

    /// Does `then`: unsaved work, if any, was saved or given up.
    pub(super) fn perform(&mut self, then: Then, ctx: &egui::Context) {
        match then {
            Then::Nothing => {}
            Then::New => {
                let document = Document::from_flow(Flow::new("Untitled flow"), None);
                self.replace_document(document);
            }
            Then::Open => self.session.ask_file(DialogPurpose::Open, ctx, &self.document, self.runner.handle()),
            Then::OpenPath(path) => self.open_path(path),
            Then::OpenExample(example) => {
                self.notices.show(format!("opened the example {}", example.file), false);
                self.replace_document(Document::from_flow(example.flow(), None));
            }
            Then::Close => {
                self.session.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    pub(super) fn open_path(&mut self, path: PathBuf) {
        let path = crate::files::absolute(path);
        match switchyard_flow::load(&path) {
            Ok(flow) => {
                self.session.recent.add(path.clone());
                self.notices.show(format!("opened {}", path.display()), false);
                self.replace_document(Document::from_flow(flow, Some(path)));
            }
            Err(error) => {
                if !path.exists() {
                    self.session.recent.remove(&path);
                }
                self.console.push_error(format!("cannot open the flow: {error}"));
                self.notices.show(format!("not opened: {}", path.display()), true);
            }
        }
    }

    /// Shows another flow: a fresh history, no run results, and the offer to restore
    /// unsaved work if a recovery file holds some for it.
    pub(super) fn replace_document(&mut self, document: Document) {
        self.document = document;
        let flow = self.document.to_flow();
        self.session.offer = self
            .session
            .recovery
            .as_ref()
            .and_then(|r| r.find(self.document.path.as_deref()))
            .filter(|found| found.flow != flow);
        self.session.history = History::new(flow);
        self.inspector.reset();
        self.canvas.selected = None;
        self.clear_run_view();
        self.canvas.fit_pending = Some(Fit::Open);
        self.session.autosaved = true;
        self.session.check_dirty = true;
    }

    /// Takes the answer of a file dialog, the system's or the app's own, and acts on it.
    pub(super) fn poll_dialog(&mut self, ctx: &egui::Context) {
        let handle = self.runner.handle().clone();
        if let Some((purpose, path)) = self.session.poll_dialog(ctx, &handle, &mut self.notices) {
            self.dialog_answered(purpose, path, ctx);
        }
    }

    /// Draws the app's own file dialog, if open, and acts on its answer.
    pub(super) fn in_app_dialog_ui(&mut self, ctx: &egui::Context) {
        if let Some((purpose, path)) = self.session.in_app_dialog_ui(ctx) {
            self.dialog_answered(purpose, path, ctx);
        }
    }

    fn dialog_answered(&mut self, purpose: DialogPurpose, path: PathBuf, ctx: &egui::Context) {
        match purpose {
            DialogPurpose::Open => self.open_path(path),
            DialogPurpose::SaveAs(then) => {
                if self.save_to(with_flow_extension(path)) {
                    self.perform(then, ctx);
                }
            }
        }
    }

    /// Saves to the flow's file (asking where if it has none), then does `then`.
    pub(super) fn save(&mut self, then: Then, ctx: &egui::Context) {
        match self.document.path.clone() {
            Some(path) => {
                if self.save_to(path) {
                    self.perform(then, ctx);
                }
            }
            None => self.session.ask_file(DialogPurpose::SaveAs(then), ctx, &self.document, self.runner.handle()),
        }
    }

    /// Saves the flow to `path` (atomically: a temporary file, then a rename).
    pub(super) fn save_to(&mut self, path: PathBuf) -> bool {
        let path = crate::files::absolute(path);
        // Text typed in a field the block stores parsed (a JSON body) is kept as typed
        // until it parses: refuse to save what would drop it, and show where it is.
        if let Some(draft) = self.inspector.unparsed_draft() {
            let message = super::unparsed_message("not saved", &draft);
            let target = LineTarget { block: draft.block.to_owned(), field: Some(draft.field.to_owned()) };
            self.console.push_error_at(message.clone(), Some(target.clone()));
            self.notices.show(message, true);
            self.select_target(target);
            return false;
        }
        let flow = self.document.to_flow();
        match switchyard_flow::save(&path, &flow) {
            Ok(()) => {
                if let Some(recovery) = &self.session.recovery {
                    recovery.discard(self.document.path.as_deref());
                    recovery.discard(Some(&path));
                }
                self.document.mark_saved(path.clone(), flow.to_json());
                self.session.recent.add(path.clone());
                self.notices.show(format!("saved {}", path.display()), false);
                self.session.autosaved = true;
                self.session.refresh_dirty(&self.document);
                true
            }
            Err(error) => {
                self.console.push_error(error.to_string());
                self.notices.show(format!("not saved: {error}"), true);
                false
            }
        }
    }

    /// Whether there is work a close or an open would lose: changes not saved, or text
    /// typed in the inspector that the block does not hold yet (invalid JSON).
    pub(super) fn is_unsaved(&self) -> bool {
        self.session.dirty || self.inspector.unparsed_draft().is_some()
    }

    /// Shows an undo or redo state.
    pub(super) fn show_state(&mut self, flow: &Flow) {
        self.document.restore(flow);
        // The inspector's drafts (a JSON body as typed) belong to the state left behind.
        self.inspector.reset();
        if self.canvas.selected.as_deref().is_some_and(|id| self.document.node_of(id).is_none()) {
            self.canvas.selected = None;
        }
        self.session.check_dirty = true;
    }

    /// Carries out the answer to "Save changes?".
    pub(super) fn answer_unsaved(&mut self, answer: Answer, ctx: &egui::Context) {
        let Some(then) = self.session.prompt.take() else { return };
        match answer {
            Answer::Save => self.save(then, ctx),
            Answer::DontSave => {
                self.session.discard_changes(self.document.path.as_deref());
                self.perform(then, ctx);
            }
            Answer::Cancel => {}
        }
    }

    /// Restores the unsaved work found from a crash, or discards it.
    pub(super) fn answer_recovery(&mut self, restore: bool) {
        let Some(found) = self.session.offer.take() else { return };
        if restore {
            self.show_state(&found.flow);
            self.notices.show("restored unsaved work".to_owned(), false);
        } else {
            self.session.discard_changes(self.document.path.as_deref());
        }
    }
}
