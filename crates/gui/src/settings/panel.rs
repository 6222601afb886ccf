//! The panel's drawing: banners, the scope picker (`scope.rs`), the list of variables
//! of that scope with their row buttons, and the add / edit / rename / delete editor
//! under it. Clicks become `RowAction`s and jobs
//! for the worker; nothing here touches the store or the keychain.

use egui::{Align, Color32, Id, Layout, RichText, Ui, Vec2};
use secrecy::ExposeSecret as _;
use switchyard_engine::MASK;
use switchyard_vault::{Date, Definition, Expiry, Kind};

use super::form::{self, Form, Mode, name_problem};
use super::worker::Job;
use super::{COLUMNS, Editor, KeychainState, REVEAL_WIDTH, RowAction, Settings};

impl Settings {
    /// The panel's contents: banners, the list, Add variable, the editor.
    pub(super) fn ui(&mut self, ui: &mut Ui, now: f64) {
        self.banners(ui);
        if self.worker.is_none() {
            self.no_store_ui(ui);
            return;
        }
        self.scope_ui(ui);
        ui.add_space(4.0);
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
            if self.scope.is_some() {
                ui.weak("An environment's variables replace globals of the same name in runs with it picked in the top bar.");
            }
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
            match &self.scope {
                None => ui.weak("No global variables yet. Add one, then use it in any flow as {{name}}."),
                Some(env) => ui.weak(format!(
                    "No variables in environment `{env}` yet. Add one: with `{env}` picked in the top bar, \
                     it replaces a global of the same name."
                )),
            };
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

    fn editor_ui(&mut self, ui: &mut Ui) {
        let Some(mut editor) = self.editor.take() else { return };
        let exists = |name: &str| self.definitions.iter().any(|d| d.name == name);
        let scope = self.scope.clone();
        let mut environment_job = None;
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
                    let shown = form.shown_problems(&problems);
                    let entered = form_fields(ui, form, &shown, keychain_unavailable, self.today, !*pending);
                    status_line(ui, *pending, "saving…", error.as_deref());
                    ui.horizontal(|ui| {
                        // Save stays enabled: pressed with something missing, it says what.
                        let save = ui.add_enabled(!*pending, egui::Button::new("Save")).clicked();
                        if (save || entered) && !*pending {
                            form.tried_to_save = true;
                        }
                        if (save || entered) && problems.is_empty() && !*pending {
                            let (definition, value) = form.submit();
                            let name = definition.name.clone();
                            let is_new = form.mode == Mode::Add;
                            let job = Job::Save { scope: scope.clone(), definition, value, is_new };
                            submit = Some((job, name, "saving…"));
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
                            let job =
                                Job::Rename { scope: scope.clone(), old: old.clone(), new: new.trim().to_owned() };
                            submit = Some((job, old.clone(), "renaming…"));
                            *pending = true;
                            *error = None;
                        }
                        cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                    });
                }
                Editor::Delete { name, pending, error } => {
                    let secret = self.definitions.iter().any(|d| &d.name == name && d.kind == Kind::Secret);
                    let extra = if secret { " Its value is removed from the keychain too." } else { "" };
                    ui.label(RichText::new(format!("Delete `{name}`?")).strong());
                    ui.label(format!("This cannot be undone.{extra}"));
                    status_line(ui, *pending, "deleting…", error.as_deref());
                    ui.horizontal(|ui| {
                        let delete = egui::Button::new(RichText::new("Delete").color(ui.visuals().error_fg_color));
                        if ui.add_enabled(!*pending, delete).clicked() {
                            let job = Job::Delete { scope: scope.clone(), name: name.clone() };
                            submit = Some((job, name.clone(), "deleting…"));
                            *pending = true;
                            *error = None;
                        }
                        cancel = ui.add_enabled(!*pending, egui::Button::new("Cancel")).clicked();
                    });
                }
                Editor::NewEnvironment { .. } | Editor::RenameEnvironment { .. } | Editor::DeleteEnvironment { .. } => {
                    (environment_job, cancel) = self.environment_editor_ui(ui, &mut editor);
                }
            }
        });
        self.editor = Some(editor);
        if cancel {
            self.close_editor(ui.ctx());
        } else if let Some(job) = environment_job {
            if !self.worker.as_ref().is_some_and(|worker| worker.send(job))
                && let Some(editor) = &mut self.editor
            {
                editor.set_error("the background worker is gone: restart Switchyard".to_owned());
            }
        } else if let Some((job, name, doing)) = submit
            && !self.send(job, &name, doing)
            && let Some(editor) = &mut self.editor
        {
            editor.set_error("the background worker is gone: restart Switchyard".to_owned());
        }
    }
}

/// The id of the form's value field, so its state (undo history) can be removed.
pub(super) fn value_field_id() -> Id {
    Id::new("switchyard-settings-value")
}

/// The add / edit form's fields, then the problems to show. The fields never move: the
/// label column is as wide as its widest label whatever the type, and problems are
/// listed under the fields rather than between them. The first field takes the focus
/// when the form opens. Returns whether Enter was pressed in a one-line field.
fn form_fields(
    ui: &mut Ui,
    form: &mut Form,
    problems: &form::Problems,
    keychain_unavailable: bool,
    today: Date,
    enabled: bool,
) -> bool {
    let error_color = ui.visuals().error_fg_color;
    let mut entered = false;
    let mut enter_in = |ui: &Ui, response: &egui::Response| {
        if response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter)) {
            entered = true;
        }
    };
    let label_width = ["Name", "Type", "Value", "Allowed hosts", "Expires"]
        .iter()
        .map(|label| {
            let font = egui::TextStyle::Body.resolve(ui.style());
            ui.fonts_mut(|fonts| fonts.layout_no_wrap((*label).to_owned(), font, Color32::WHITE).size().x)
        })
        .fold(0.0, f32::max);
    let wants_focus = std::mem::take(&mut form.wants_focus);
    ui.add_enabled_ui(enabled, |ui| {
        egui::Grid::new("switchyard-settings-form")
            .num_columns(2)
            .min_col_width(label_width)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let label = ui.label("Name");
                match form.mode {
                    Mode::Add => {
                        let response = ui
                            .add(
                                egui::TextEdit::singleline(&mut form.name)
                                    .hint_text("api_token")
                                    .desired_width(260.0)
                                    .font(egui::TextStyle::Monospace),
                            )
                            .labelled_by(label.id);
                        if wants_focus {
                            response.request_focus();
                        }
                        enter_in(ui, &response);
                    }
                    Mode::Edit { .. } => {
                        ui.monospace(&form.name).on_hover_text("use Rename… to change the name");
                    }
                }
                ui.end_row();

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
                let response = ui
                    .add(
                        egui::TextEdit::singleline(form.value.text_mut())
                            .id(value_field_id())
                            .password(secret)
                            .hint_text(hint)
                            .desired_width(360.0)
                            .font(egui::TextStyle::Monospace),
                    )
                    .labelled_by(label.id);
                if wants_focus && form.mode != Mode::Add {
                    response.request_focus();
                }
                enter_in(ui, &response);
                ui.end_row();

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

                    let label = ui.label("Expires");
                    ui.horizontal(|ui| {
                        let response = ui
                            .add(
                                egui::TextEdit::singleline(&mut form.expires)
                                    .hint_text("YYYY-MM-DD (optional)")
                                    .desired_width(150.0)
                                    .font(egui::TextStyle::Monospace),
                            )
                            .labelled_by(label.id);
                        enter_in(ui, &response);
                        if let Ok(Some(date)) = form::parse_expires(&form.expires) {
                            expiry_badge(ui, date, today);
                        }
                    });
                    ui.end_row();
                }
            });
        for problem in [&problems.name, &problems.value, &problems.hosts, &problems.expires].into_iter().flatten() {
            ui.colored_label(error_color, format!("⚠ {problem}"));
        }
    });
    entered
}

/// "saving…" with a spinner, or the last error.
pub(super) fn status_line(ui: &mut Ui, pending: bool, doing: &str, error: Option<&str>) {
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
