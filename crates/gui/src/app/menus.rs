//! The top bar (menus, Run and Stop, the flow's name, the run's outcome, notices), the
//! keyboard shortcuts and their list. Everything here queues an [`Action`].

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use switchyard_engine::Outcome;

use super::{Action, Command, SwitchyardApp, display_name};
use crate::canvas::{FAILURE, RUNNING, SUCCESS};

impl SwitchyardApp {
    pub(super) fn top_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            self.menus(ui);
            if ui.button("⚙").on_hover_text("Global variables").clicked() {
                self.actions.push(Action::OpenSettings);
            }
            ui.separator();
            let running = self.runner.is_running();
            if ui.add_enabled(!running, egui::Button::new(RichText::new(Command::Run.label()).color(SUCCESS))).clicked()
            {
                self.actions.push(Action::Run);
            }
            if ui.add_enabled(running, egui::Button::new(RichText::new(Command::Stop.label()).color(FAILURE))).clicked()
            {
                self.actions.push(Action::Stop);
            }
            ui.separator();
            let marker = if self.is_unsaved() { " •" } else { "" };
            ui.label(RichText::new(format!("{}{marker}", display_name(&self.document.name))).strong()).on_hover_text(
                self.document.path.as_ref().map_or("not saved yet".to_owned(), |p| p.display().to_string()),
            );
            if running {
                ui.label(RichText::new("running…").color(RUNNING));
            } else if let Some(outcome) = self.run.outcome {
                let color = match outcome {
                    Outcome::Ok => SUCCESS,
                    Outcome::Failed | Outcome::Limit => FAILURE,
                    Outcome::Cancelled => RUNNING,
                };
                ui.label(RichText::new(format!("run {}", outcome.as_str())).color(color).strong());
            }
            if let Some((notice, is_error)) = &self.notice {
                let color = if *is_error { FAILURE } else { ui.visuals().weak_text_color() };
                ui.label(RichText::new(notice).color(color).small());
            }
        });
    }

    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        if self.prompt.is_some() || self.offer.is_some() || self.in_app_dialog.is_some() {
            return;
        }
        let typing = ctx.egui_wants_keyboard_input();
        // Shift variants first: Ctrl+Z would also match Ctrl+Shift+Z.
        let mut order = Command::ALL;
        order.sort_by_key(|c| !c.shortcut().is_some_and(|s| s.modifiers.shift));
        for command in order {
            let Some(shortcut) = command.shortcut() else { continue };
            if typing && command.is_canvas_edit() {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.actions.push(command.action());
            }
        }
        if !typing && ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Y))) {
            self.actions.push(Action::Redo);
        }
        // The window system turns Ctrl+C / Ctrl+V into copy and paste events.
        if !typing {
            let (copy, pasted) = ctx.input(|i| {
                let copy = i.events.iter().any(|e| matches!(e, egui::Event::Copy | egui::Event::Cut));
                let pasted = i.events.iter().find_map(|e| match e {
                    egui::Event::Paste(text) => Some(text.clone()),
                    _ => None,
                });
                (copy, pasted)
            });
            if copy {
                self.actions.push(Action::CopySelection);
            }
            if let Some(text) = pasted {
                self.actions.push(Action::Paste(text));
            }
        }
    }

    /// A menu entry that runs `command`, showing its shortcut.
    pub(super) fn menu_item(&mut self, ui: &mut Ui, command: Command, enabled: bool) {
        let shortcut = command.shortcut().map(|s| ui.ctx().format_shortcut(&s)).unwrap_or_default();
        if ui.add_enabled(enabled, egui::Button::new(command.label()).shortcut_text(shortcut)).clicked() {
            ui.close();
            self.actions.push(command.action());
        }
    }

    pub(super) fn menus(&mut self, ui: &mut Ui) {
        ui.menu_button("File", |ui| {
            self.menu_item(ui, Command::New, true);
            self.menu_item(ui, Command::Open, true);
            ui.menu_button("Open Recent", |ui| {
                if self.recent.paths().is_empty() {
                    ui.label(RichText::new("No recent flows").weak());
                }
                for path in self.recent.paths().to_vec() {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    if ui.button(name).on_hover_text(path.display().to_string()).clicked() {
                        ui.close();
                        self.actions.push(Action::OpenPath(path));
                    }
                }
            });
            ui.separator();
            self.menu_item(ui, Command::Save, true);
            self.menu_item(ui, Command::SaveAs, true);
            ui.separator();
            self.menu_item(ui, Command::Settings, true);
        });
        ui.menu_button("Edit", |ui| {
            let (undo, redo) = (self.history.can_undo(), self.history.can_redo());
            self.menu_item(ui, Command::Undo, undo);
            self.menu_item(ui, Command::Redo, redo);
            ui.separator();
            self.menu_item(ui, Command::Copy, true);
            let can_paste = self.clipboard.is_some();
            self.menu_item(ui, Command::Paste, can_paste);
            self.menu_item(ui, Command::Duplicate, true);
            self.menu_item(ui, Command::DeleteSelected, true);
        });
        ui.menu_button("View", |ui| {
            let whole = egui::Button::new(Command::ShowWholeFlow.label()).shortcut_text("double-click canvas");
            if ui.add(whole).clicked() {
                ui.close();
                self.actions.push(Action::ShowWholeFlow);
            }
        });
        ui.menu_button("Help", |ui| {
            self.menu_item(ui, Command::Shortcuts, true);
        });
    }

    /// Help → Keyboard shortcuts.
    pub(super) fn shortcuts_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_shortcuts;
        egui::Window::new("Keyboard shortcuts").open(&mut open).collapsible(false).resizable(false).show(ctx, |ui| {
            egui::Grid::new("shortcuts").num_columns(2).striped(true).show(ui, |ui| {
                for command in Command::ALL {
                    let Some(shortcut) = command.shortcut() else { continue };
                    ui.label(command.label().trim_start_matches(['▶', '■', ' ']));
                    ui.label(RichText::new(ctx.format_shortcut(&shortcut)).monospace());
                    ui.end_row();
                }
                ui.label("Redo (also)");
                ui.label(
                    RichText::new(ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Y))).monospace(),
                );
                ui.end_row();
            });
            ui.add_space(4.0);
            ui.label(
                RichText::new("Copy, paste, undo and Delete act on blocks unless a text field has the keyboard.")
                    .small()
                    .weak(),
            );
        });
        self.show_shortcuts = open;
    }
}
