//! Files and the session: New, Open, Save, Save As through the file dialogs (answers
//! arrive in a later frame), the prompt before unsaved work is lost, the offer to
//! restore work from a crash, and recording each change in the undo history (with an
//! autosave to the recovery file a moment after the last one).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use switchyard_flow::Flow;

use super::{Action, Answer, Fit, SwitchyardApp, display_name};
use crate::LineTarget;
use crate::document::Document;
use crate::file_dialog::{InAppAnswer, InAppDialog};
use crate::files::{DialogAnswer, DialogRequest, ago, suggested_file_name, with_flow_extension};
use crate::history::History;

/// What Save and Run say when text typed in the inspector does not parse:
/// `not saved: the JSON body of `request` is not valid (…); fix it or undo the edit`.
pub(super) fn unparsed_message(refused: &str, draft: &crate::UnparsedDraft<'_>) -> String {
    let crate::UnparsedDraft { block, what, error, .. } = draft;
    format!("{refused}: the {what} of `{block}` is not valid ({error}); fix it or undo the edit")
}

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

impl SwitchyardApp {
    /// Does `then`, first asking what to do with unsaved work, if there is any.
    pub(super) fn request(&mut self, then: Then, ctx: &egui::Context) {
        if self.is_unsaved() && then != Then::Nothing {
            self.prompt = Some(then);
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
            Then::Open => self.ask_file(DialogPurpose::Open, ctx),
            Then::OpenPath(path) => self.open_path(path),
            Then::OpenExample(example) => {
                self.notice = Some((format!("opened the example {}", example.file), false));
                self.replace_document(Document::from_flow(example.flow(), None));
            }
            Then::Close => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Gives up the unsaved work: its recovery file goes too.
    pub(super) fn discard_changes(&mut self) {
        if let Some(recovery) = &self.recovery {
            recovery.discard(self.document.path.as_deref());
        }
    }

    pub(super) fn open_path(&mut self, path: PathBuf) {
        let path = crate::files::absolute(path);
        match switchyard_flow::load(&path) {
            Ok(flow) => {
                self.recent.add(path.clone());
                self.notice = Some((format!("opened {}", path.display()), false));
                self.replace_document(Document::from_flow(flow, Some(path)));
            }
            Err(error) => {
                if !path.exists() {
                    self.recent.remove(&path);
                }
                self.console.push_error(format!("cannot open the flow: {error}"));
                self.notice = Some((format!("not opened: {}", path.display()), true));
            }
        }
    }

    /// Shows another flow: a fresh history, no run results, and the offer to restore
    /// unsaved work if a recovery file holds some for it.
    pub(super) fn replace_document(&mut self, document: Document) {
        self.document = document;
        let flow = self.document.to_flow();
        self.offer = self
            .recovery
            .as_ref()
            .and_then(|r| r.find(self.document.path.as_deref()))
            .filter(|found| found.flow != flow);
        self.history = History::new(flow);
        self.inspector.reset();
        self.selected = None;
        self.clear_run_view();
        self.fit_pending = Some(Fit::Open);
        self.autosaved = true;
        self.check_dirty = true;
    }

    /// Opens a file dialog on a blocking thread; the answer arrives in a later frame.
    pub(super) fn ask_file(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
        if self.dialog.is_some() || self.in_app_dialog.is_some() {
            return;
        }
        let folder = self
            .document
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .or_else(|| self.recent.paths().first().and_then(|p| p.parent()))
            .map(PathBuf::from);
        let request = match purpose {
            DialogPurpose::Open => DialogRequest::Open { folder },
            DialogPurpose::SaveAs(_) => {
                let file_name = match &self.document.path {
                    Some(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    None => suggested_file_name(&self.document.name),
                };
                DialogRequest::Save { folder, file_name }
            }
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let dialogs = Arc::clone(&self.dialogs);
        let wake = ctx.clone();
        let asked = request.clone();
        self.runner.handle().spawn_blocking(move || {
            // The app may have closed meanwhile; nobody to tell then.
            let _ = tx.send(dialogs.ask(&asked));
            wake.request_repaint();
        });
        self.dialog = Some((purpose, rx, request));
    }

    /// Takes the answer of an open file dialog: a system one, or the app's own where the
    /// system has none.
    pub(super) fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some((purpose, rx, request)) = &self.dialog else { return };
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => DialogAnswer::Cancelled,
        };
        let (purpose, request) = (purpose.clone(), request.clone());
        self.dialog = None;
        match answer {
            DialogAnswer::Chosen(path) => self.dialog_answered(purpose, path, ctx),
            DialogAnswer::Cancelled => {}
            DialogAnswer::Unavailable => {
                self.notice =
                    Some(("no system file dialog (no XDG portal or zenity): using Switchyard's own".to_owned(), false));
                let dialog = InAppDialog::new(&request, self.runner.handle().clone(), ctx);
                self.in_app_dialog = Some((purpose, dialog));
            }
        }
    }

    /// Draws the app's own file dialog, if open, and takes its answer.
    pub(super) fn in_app_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some((purpose, dialog)) = &mut self.in_app_dialog else { return };
        let Some(answer) = dialog.ui(ctx) else { return };
        let purpose = purpose.clone();
        self.in_app_dialog = None;
        if let InAppAnswer::Chosen(path) = answer {
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
            None => self.ask_file(DialogPurpose::SaveAs(then), ctx),
        }
    }

    /// Saves the flow to `path` (atomically: a temporary file, then a rename).
    pub(super) fn save_to(&mut self, path: PathBuf) -> bool {
        let path = crate::files::absolute(path);
        // Text typed in a field the block stores parsed (a JSON body) is kept as typed
        // until it parses: refuse to save what would drop it, and show where it is.
        if let Some(draft) = self.inspector.unparsed_draft() {
            let message = unparsed_message("not saved", &draft);
            let target = LineTarget { block: draft.block.to_owned(), field: Some(draft.field.to_owned()) };
            self.console.push_error_at(message.clone(), Some(target.clone()));
            self.notice = Some((message, true));
            self.select_target(target);
            return false;
        }
        let flow = self.document.to_flow();
        match switchyard_flow::save(&path, &flow) {
            Ok(()) => {
                if let Some(recovery) = &self.recovery {
                    recovery.discard(self.document.path.as_deref());
                    recovery.discard(Some(&path));
                }
                self.document.mark_saved(path.clone(), flow.to_json());
                self.recent.add(path.clone());
                self.notice = Some((format!("saved {}", path.display()), false));
                self.autosaved = true;
                self.refresh_dirty();
                true
            }
            Err(error) => {
                self.console.push_error(error.to_string());
                self.notice = Some((format!("not saved: {error}"), true));
                false
            }
        }
    }

    /// Whether there is work a close or an open would lose: changes not saved, or text
    /// typed in the inspector that the block does not hold yet (invalid JSON).
    pub(super) fn is_unsaved(&self) -> bool {
        self.dirty || self.inspector.unparsed_draft().is_some()
    }

    pub(super) fn refresh_dirty(&mut self) {
        self.dirty = self.document.is_dirty();
    }

    /// Records the flow in the undo history if it changed, and autosaves unsaved work
    /// to the recovery file a moment after the last change.
    pub(super) fn track_changes(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        let key = self.edit_key.take();
        if std::mem::take(&mut self.check_dirty) {
            let flow = self.document.to_flow();
            if self.history.record(flow, key.as_deref(), now) {
                self.last_change = now;
                self.autosaved = false;
            }
            let was_dirty = self.dirty;
            self.dirty = !self.document.is_saved_as(self.history.current());
            if was_dirty && !self.dirty {
                // Back to what is saved (an undo): nothing to recover.
                self.discard_changes();
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
        if let Err(error) = recovery.write(self.document.path.as_deref(), self.history.current()) {
            self.console.push_error(format!(
                "cannot autosave unsaved work to {}: {error}",
                recovery.file_for(self.document.path.as_deref()).display()
            ));
        }
    }

    /// Shows an undo or redo state.
    pub(super) fn show_state(&mut self, flow: &Flow) {
        self.document.restore(flow);
        // The inspector's drafts (a JSON body as typed) belong to the state left behind.
        self.inspector.reset();
        if self.selected.as_deref().is_some_and(|id| self.document.node_of(id).is_none()) {
            self.selected = None;
        }
        self.check_dirty = true;
    }

    /// Carries out the answer to "Save changes?".
    pub(super) fn answer_unsaved(&mut self, answer: Answer, ctx: &egui::Context) {
        let Some(then) = self.prompt.take() else { return };
        match answer {
            Answer::Save => self.save(then, ctx),
            Answer::DontSave => {
                self.discard_changes();
                self.perform(then, ctx);
            }
            Answer::Cancel => {}
        }
    }

    /// Restores the unsaved work found from a crash, or discards it.
    pub(super) fn answer_recovery(&mut self, restore: bool) {
        let Some(found) = self.offer.take() else { return };
        if restore {
            self.show_state(&found.flow);
            self.notice = Some(("restored unsaved work".to_owned(), false));
        } else {
            self.discard_changes();
        }
    }

    /// Save changes? before losing unsaved work; and the offer to restore work from a crash.
    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) {
        if self.prompt.is_some() {
            let name = display_name(&self.document.name);
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
                self.actions.push(Action::AnswerUnsaved(answer));
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
                self.actions.push(Action::AnswerRecovery(restore));
            }
        }
    }
}
