//! Environments in the settings panel and for runs: the scope picker at the panel's top
//! (the globals or one environment), the new / rename / delete environment editors, the
//! worker's answers to them, and the environment runs use (the top bar's picker).
//! Nothing here touches the store or the keychain: each change is a [`Job`].

use egui::{RichText, Ui};
use secrecy::SecretString;
use switchyard_vault::{Kind, is_valid_environment_name};

use super::worker::{EnvironmentAction, Failure, Job, Snapshot};
use super::{Editor, Settings, StoreAs};

/// What the scope picker calls the globals.
pub(super) const GLOBALS: &str = "Globals";

impl Settings {
    /// Whether there is a store (a config directory) to keep variables and environments in.
    pub fn has_store(&self) -> bool {
        self.worker.is_some()
    }

    /// Every environment's name, sorted (none until the store has been read).
    pub fn environments(&self) -> impl Iterator<Item = &str> {
        self.snapshot.environments.keys().map(String::as_str)
    }

    /// The environment runs use; `None`: the globals only.
    pub fn selected_environment(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Picks the environment runs use (the top bar). A name the store turns out not to
    /// have is dropped, with a notice, once the store has been read. Without a store
    /// there are no environments: always `None`.
    pub fn select_environment(&mut self, environment: Option<String>) {
        if self.worker.is_none() {
            return;
        }
        self.selected = environment;
        if self.loaded && self.load_error.is_none() {
            self.drop_missing_scopes();
        }
        self.refresh();
    }

    /// What happened in the background that the user should hear about (an
    /// environment gone, a pasted credential stored or not), each with whether it is an
    /// error. Each notice is returned once.
    pub fn take_notices(&mut self) -> Vec<(String, bool)> {
        std::mem::take(&mut self.notices)
    }

    /// Whether a global variable `name` exists (as the store was last read).
    pub fn has_global(&self, name: &str) -> bool {
        self.snapshot.globals.iter().any(|d| d.name == name)
    }

    /// Stores a pasted credential, which the app expects as the global secret `name`, in
    /// the keychain, on the worker, as `how` says: never over another value unless the
    /// user chose to replace it (then value and `allowed_hosts` change together). The
    /// result comes back as a notice ([`Settings::take_notices`]), and as a rename
    /// ([`Settings::take_renamed`]) when it went under another name. False when there is
    /// no store or its worker is gone (nothing was sent).
    pub fn store_secret(&mut self, name: &str, value: SecretString, allowed_hosts: Vec<String>, how: StoreAs) -> bool {
        self.worker
            .as_ref()
            .is_some_and(|worker| worker.send(Job::StoreSecret { name: name.to_owned(), value, allowed_hosts, how }))
    }

    /// Pasted credentials stored under another name than the app expected, as
    /// (`expected`, `stored as`); each is returned once.
    pub fn take_renamed(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.renamed)
    }

    /// Shows another scope in the panel: the editor, revealed values and errors of the
    /// one before are dropped.
    fn set_scope(&mut self, ctx: &egui::Context, scope: Option<String>) {
        if scope == self.scope {
            return;
        }
        self.close_editor(ctx);
        self.revealed.clear();
        self.errors.clear();
        self.scope = scope;
        self.refresh();
    }

    /// The row at the panel's top: which scope it shows, and the environment actions.
    pub(super) fn scope_ui(&mut self, ui: &mut Ui) {
        let locked = self.editor.as_ref().is_some_and(Editor::is_pending) || !self.busy.is_empty();
        let mut chosen: Option<Option<String>> = None;
        let mut editor = None;
        ui.horizontal(|ui| {
            ui.add_enabled_ui(!locked, |ui| {
                let label = ui.label("Variables of");
                let shown = self.scope.as_deref().unwrap_or(GLOBALS).to_owned();
                egui::ComboBox::from_id_salt("switchyard-settings-scope")
                    .selected_text(RichText::new(shown).strong())
                    .show_ui(ui, |ui| {
                        if ui.selectable_label(self.scope.is_none(), GLOBALS).clicked() {
                            chosen = Some(None);
                        }
                        for name in self.snapshot.environments.keys() {
                            if ui.selectable_label(self.scope.as_ref() == Some(name), name).clicked() {
                                chosen = Some(Some(name.clone()));
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id)
                    .on_hover_text("the globals, or an environment: its variables replace globals of the same name");
                let can_change = self.loaded && self.load_error.is_none();
                if ui.add_enabled(can_change, egui::Button::new("New environment…")).clicked() {
                    editor = Some(Editor::NewEnvironment { name: String::new(), pending: false, error: None });
                }
                if let Some(scope) = &self.scope {
                    if ui.button("Rename environment…").clicked() {
                        editor = Some(Editor::RenameEnvironment {
                            old: scope.clone(),
                            new: scope.clone(),
                            pending: false,
                            error: None,
                        });
                    }
                    if ui.button("Delete environment…").clicked() {
                        editor = Some(Editor::DeleteEnvironment { name: scope.clone(), pending: false, error: None });
                    }
                }
            });
        });
        if let Some(scope) = chosen {
            self.set_scope(ui.ctx(), scope);
        }
        if let Some(editor) = editor {
            self.close_editor(ui.ctx());
            self.editor = Some(editor);
        }
    }

    /// The new / rename / delete environment editors. Returns the job to send when the
    /// user confirmed, and whether they cancelled.
    pub(super) fn environment_editor_ui(&self, ui: &mut Ui, editor: &mut Editor) -> (Option<Job>, bool) {
        let mut job = None;
        let mut cancel = false;
        let exists = |name: &str| self.snapshot.environments.contains_key(name);
        match editor {
            Editor::NewEnvironment { name, pending, error } => {
                ui.label(RichText::new("New environment").strong());
                let problem = environment_name_problem(name, exists);
                name_field(ui, "Environment name", name, !*pending);
                if let Some(problem) = &problem
                    && !name.trim().is_empty()
                {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                ui.weak("Its variables replace globals of the same name when it is picked in the top bar.");
                super::panel::status_line(ui, *pending, "creating…", error.as_deref());
                ui.horizontal(|ui| {
                    if ui.add_enabled(problem.is_none() && !*pending, egui::Button::new("Create")).clicked() {
                        job = Some(Job::CreateEnvironment { name: name.trim().to_owned() });
                        *pending = true;
                        *error = None;
                    }
                    cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                });
            }
            Editor::RenameEnvironment { old, new, pending, error } => {
                ui.label(RichText::new(format!("Rename environment `{old}`")).strong());
                let problem = if new.trim() == old.as_str() {
                    Some("Type the new name.".to_owned())
                } else {
                    environment_name_problem(new, exists)
                };
                name_field(ui, "New environment name", new, !*pending);
                if let Some(problem) = &problem
                    && new.trim() != old.as_str()
                {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                ui.weak("Its secrets move in the keychain too. Runs started with `--env` and the old name must be changed by hand.");
                super::panel::status_line(ui, *pending, "renaming…", error.as_deref());
                ui.horizontal(|ui| {
                    if ui.add_enabled(problem.is_none() && !*pending, egui::Button::new("Rename")).clicked() {
                        job = Some(Job::RenameEnvironment { old: old.clone(), new: new.trim().to_owned() });
                        *pending = true;
                        *error = None;
                    }
                    cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                });
            }
            Editor::DeleteEnvironment { name, pending, error } => {
                let definitions = self.snapshot.scope(Some(name)).unwrap_or_default();
                let secrets = definitions.iter().filter(|d| d.kind == Kind::Secret).count();
                ui.label(RichText::new(format!("Delete environment `{name}`?")).strong());
                let count = match definitions.len() {
                    0 => "It has no variables.".to_owned(),
                    1 => "Its 1 variable is deleted with it.".to_owned(),
                    n => format!("Its {n} variables are deleted with it."),
                };
                let keychain = if secrets > 0 { " Its secret values are removed from the keychain too." } else { "" };
                ui.label(format!("{count}{keychain} This cannot be undone."));
                super::panel::status_line(ui, *pending, "deleting…", error.as_deref());
                ui.horizontal(|ui| {
                    let delete = egui::Button::new(RichText::new("Delete").color(ui.visuals().error_fg_color));
                    if ui.add_enabled(!*pending, delete).clicked() {
                        job = Some(Job::RemoveEnvironment { name: name.clone() });
                        *pending = true;
                        *error = None;
                    }
                    cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                });
            }
            Editor::Form { .. } | Editor::Rename { .. } | Editor::Delete { .. } => {}
        }
        (job, cancel)
    }

    /// The worker's answer to an environment change: the panel shows the environment
    /// made or renamed, the globals after a delete; the selected environment follows a
    /// rename and is dropped with a delete.
    pub(super) fn environment_changed(
        &mut self,
        ctx: &egui::Context,
        action: EnvironmentAction,
        result: Result<Snapshot, Failure>,
    ) {
        let for_editor = self.editor.as_ref().is_some_and(|editor| {
            editor.is_pending()
                && matches!(
                    editor,
                    Editor::NewEnvironment { .. } | Editor::RenameEnvironment { .. } | Editor::DeleteEnvironment { .. }
                )
        });
        match result {
            Ok(snapshot) => {
                if for_editor {
                    self.close_editor(ctx);
                }
                let scope = match &action {
                    EnvironmentAction::Create { name } => Some(name.clone()),
                    EnvironmentAction::Rename { old, new } => {
                        if self.selected.as_ref() == Some(old) {
                            self.selected = Some(new.clone());
                        }
                        if self.scope.as_ref() == Some(old) { Some(new.clone()) } else { self.scope.clone() }
                    }
                    EnvironmentAction::Remove { name } => {
                        if self.selected.as_ref() == Some(name) {
                            self.selected = None;
                            self.notices
                                .push((format!("deleted environment `{name}`: runs use the globals only"), false));
                        }
                        if self.scope.as_ref() == Some(name) { None } else { self.scope.clone() }
                    }
                };
                if scope != self.scope {
                    self.revealed.clear();
                    self.errors.clear();
                    self.scope = scope;
                }
                self.set_snapshot(snapshot);
            }
            Err(failure) => {
                self.note_keychain(&failure);
                let message = match &action {
                    EnvironmentAction::Create { name } => {
                        format!("Cannot create environment `{name}`: {}", failure.message)
                    }
                    EnvironmentAction::Rename { old, new } => {
                        format!("Cannot rename environment `{old}` to `{new}`: {}", failure.message)
                    }
                    EnvironmentAction::Remove { name } => {
                        format!("Cannot delete environment `{name}`: {}", failure.message)
                    }
                };
                match &mut self.editor {
                    Some(editor) if for_editor => editor.set_error(message),
                    _ => self.notices.push((message, true)),
                }
            }
        }
    }
}

/// What is wrong with `name` for a new environment, if anything.
fn environment_name_problem(name: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        Some("Type a name.".to_owned())
    } else if !is_valid_environment_name(name) {
        Some("Use letters, digits, `_`, `.` and `-` only.".to_owned())
    } else if exists(name) {
        Some(format!("An environment `{name}` exists already."))
    } else {
        None
    }
}

/// A labelled one-line name field.
fn name_field(ui: &mut Ui, label: &str, text: &mut String, enabled: bool) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add_enabled(enabled, egui::TextEdit::singleline(text).desired_width(220.0).font(egui::TextStyle::Monospace))
            .labelled_by(label.id);
    });
}
