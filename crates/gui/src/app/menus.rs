//! The top bar (menus, Run and Stop, the flow's name, the run's outcome, notices), the
//! keyboard shortcuts and their list. Everything here queues an [`Action`].

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use switchyard_engine::Outcome;

use super::{Action, Command, SwitchyardApp, display_name};

/// Most characters of `not run: …` the top bar shows (the whole message on hover).
const NOT_RUN_CHARS: usize = 90;

/// `message`, cut to `max` characters with `…`.
fn shorten_message(message: &str, max: usize) -> String {
    if message.chars().nth(max).is_none() {
        return message.to_owned();
    }
    let mut short: String = message.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// How a run ended, as the top bar says it: `run ok`, `run ok · 1 failure handled` (the
/// count in the failure colour), `run failed · 1 unhandled failure`, `run cancelled`.
pub(super) fn outcome_text(
    outcome: Outcome,
    counts: &switchyard_engine::Counts,
    visuals: &egui::Visuals,
    font: &egui::FontId,
) -> egui::text::LayoutJob {
    use switchyard_engine::wording::plural;
    let weak = visuals.weak_text_color();
    let (success, failure, running) =
        (crate::theme::success_text(visuals), crate::theme::failure_text(visuals), crate::theme::running_text(visuals));
    let mut job = egui::text::LayoutJob::default();
    let mut add = |text: &str, color: egui::Color32| {
        let format = egui::TextFormat { color, font_id: font.clone(), ..Default::default() };
        job.append(text, 0.0, format);
    };
    add("run ", weak);
    match outcome {
        Outcome::Ok => {
            add("ok", success);
            if counts.failed > 0 {
                add(" · ", weak);
                add(&format!("{} handled", plural(counts.failed, "failure")), failure);
            }
        }
        Outcome::Failed => {
            add("failed", failure);
            if counts.unhandled > 0 {
                add(" · ", weak);
                add(&plural(counts.unhandled, "unhandled failure"), failure);
            }
            if counts.errors > 0 {
                add(" · ", weak);
                add(&plural(counts.errors, "block error"), failure);
            }
        }
        Outcome::Cancelled => add("cancelled", running),
        Outcome::Limit => add("stopped at the step limit", failure),
    }
    job
}

impl SwitchyardApp {
    pub(super) fn top_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            self.menus(ui);
            if ui.button("⚙").on_hover_text("Global variables").clicked() {
                self.actions.push(Action::OpenSettings);
            }
            self.environment_picker(ui);
            ui.separator();
            let running = self.runner.is_running();
            if ui
                .add_enabled(
                    !running,
                    egui::Button::new(
                        RichText::new(Command::Run.label()).color(crate::theme::success_text(ui.visuals())),
                    ),
                )
                .clicked()
            {
                self.actions.push(Action::Run);
            }
            if ui
                .add_enabled(
                    running,
                    egui::Button::new(
                        RichText::new(Command::Stop.label()).color(crate::theme::failure_text(ui.visuals())),
                    ),
                )
                .clicked()
            {
                self.actions.push(Action::Stop);
            }
            ui.separator();
            let marker = if self.is_unsaved() { " •" } else { "" };
            ui.label(RichText::new(format!("{}{marker}", display_name(&self.document.name))).strong()).on_hover_text(
                self.document.path.as_ref().map_or("not saved yet".to_owned(), |p| p.display().to_string()),
            );
            if running {
                ui.label(RichText::new("running…").color(crate::theme::running_text(ui.visuals())));
            } else if let Some(message) = &self.run.not_run {
                // The last Run did not start: say so, not how an earlier run ended.
                let color = crate::theme::failure_text(ui.visuals());
                ui.label(RichText::new(shorten_message(message, NOT_RUN_CHARS)).color(color))
                    .on_hover_text(format!("{message}\n\nClick its line in the console to go to the block."));
            } else if let Some(outcome) = self.run.outcome {
                let counts = self.run.counts.unwrap_or_default();
                let font = egui::TextStyle::Body.resolve(ui.style());
                let job = outcome_text(outcome, &counts, ui.visuals(), &font);
                let label = ui.label(job);
                if !self.run.stale.is_empty() {
                    label.on_hover_text("Blocks were edited since this run: their results are out of date.");
                }
            }
            self.notices.ui(ui);
        });
    }

    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        let escape_left_to_others = ctx.input(|i| i.key_pressed(Key::Escape)) && self.escape(ctx);
        if self.session.is_modal_open() {
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
            if command == Command::Stop && escape_left_to_others {
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

    /// Esc closes what is open, the innermost first, and only stops a run when nothing
    /// is: a menu, context menu or list (egui closes it), a text field (which lets go
    /// of the keyboard), the wire menu, a dialog, the global variables panel (its form
    /// first), the response viewer's window, the shortcuts window. What it closes here
    /// uses the key up; returns whether it is left to what is drawn later in the frame
    /// (which then closes).
    fn escape(&mut self, ctx: &egui::Context) -> bool {
        let left_to_others = egui::Popup::is_any_open(ctx)
            || ctx.egui_wants_keyboard_input()
            || self.canvas.wire_menu.is_some()
            || self.session.is_in_app_dialog_open()
            || self.session.offer.is_some();
        if left_to_others {
            // Drawn later in this frame, they see the key and close; a run goes on.
            return true;
        }
        let closed = if self.session.prompt.is_some() {
            self.actions.push(Action::AnswerUnsaved(super::Answer::Cancel));
            true
        } else if self.credentials.offer.is_some() {
            self.actions.push(Action::AnswerCredential(false));
            true
        } else if self.settings.escape(ctx) || self.console.close_viewer_window() {
            true
        } else if self.show_shortcuts {
            self.show_shortcuts = false;
            true
        } else {
            false
        };
        if closed {
            ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        }
        false
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
                if self.session.recent.paths().is_empty() {
                    ui.label(RichText::new("No recent flows").weak());
                }
                for path in self.session.recent.paths().to_vec() {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    if ui.button(name).on_hover_text(path.display().to_string()).clicked() {
                        ui.close();
                        self.actions.push(Action::OpenPath(path));
                    }
                }
            });
            ui.menu_button("Examples", |ui| {
                for example in crate::examples::EXAMPLES {
                    let needs = format!("Needs {}.", example.needs);
                    if ui.button(example.title()).on_hover_text(needs).clicked() {
                        ui.close();
                        self.actions.push(Action::OpenExample(example));
                    }
                }
            });
            ui.separator();
            self.menu_item(ui, Command::Save, true);
            self.menu_item(ui, Command::SaveAs, true);
            ui.separator();
            self.menu_item(ui, Command::Settings, true);
            ui.separator();
            self.menu_item(ui, Command::Quit, true);
        });
        ui.menu_button("Edit", |ui| {
            let (undo, redo) = (self.session.history.can_undo(), self.session.history.can_redo());
            self.menu_item(ui, Command::Undo, undo);
            self.menu_item(ui, Command::Redo, redo);
            ui.separator();
            let has_selection = !self.canvas.selected_nodes(&self.document, ui.ctx()).is_empty();
            self.menu_item(ui, Command::Copy, has_selection);
            let can_paste = self.canvas.copied_text().is_some();
            self.menu_item(ui, Command::Paste, can_paste);
            self.menu_item(ui, Command::Duplicate, has_selection);
            self.menu_item(ui, Command::DeleteSelected, has_selection);
        });
        ui.menu_button("View", |ui| {
            let whole = egui::Button::new(Command::ShowWholeFlow.label()).shortcut_text("double-click canvas");
            if ui.add(whole).clicked() {
                ui.close();
                self.actions.push(Action::ShowWholeFlow);
            }
            ui.separator();
            crate::theme::menu_ui(ui);
            ui.separator();
            ui.menu_button("Console", |ui| self.console_menu(ui));
        });
        ui.menu_button("Help", |ui| {
            self.menu_item(ui, Command::Shortcuts, true);
        });
    }

    /// View → Console: how much response data the console keeps.
    fn console_menu(&mut self, ui: &mut Ui) {
        const MIB: usize = 1024 * 1024;
        let mut mib = self.console.budget() / MIB;
        ui.horizontal(|ui| {
            let label = ui.label("Keep response data up to");
            let field = egui::DragValue::new(&mut mib).range(1..=65_536).suffix(" MiB").speed(4.0);
            let response = ui.add(field).labelled_by(label.id).on_hover_text(
                "The values of console lines (responses, logged values) the console keeps in memory. \
                 Past it, the oldest lines keep their text and lose their values, and a line says so.",
            );
            if response.changed() {
                self.actions.push(Action::SetConsoleBudget(mib.saturating_mul(MIB)));
            }
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
            ui.add_space(6.0);
            ui.strong("On the canvas");
            egui::Grid::new("gestures").num_columns(2).striped(true).show(ui, |ui| {
                for (what, how) in CANVAS_GESTURES {
                    ui.label(*what);
                    ui.label(RichText::new(*how).monospace());
                    ui.end_row();
                }
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

/// The canvas's mouse gestures, as the shortcuts window lists them.
const CANVAS_GESTURES: &[(&str, &str)] = &[
    ("Pan", "drag the background, or scroll"),
    ("Zoom", "Ctrl+scroll"),
    ("Select several blocks", "Shift+drag"),
    ("Show the whole flow", "double-click the background"),
    ("Add a block", "drag from the palette, or right-click the background"),
    ("Block menu (duplicate, delete, copy as curl)", "right-click a block"),
    ("Wire two blocks", "drag from an output port to an input port (or the block)"),
    ("Add a block already wired", "drop a new wire on the background"),
    ("Move a port's wires", "Ctrl+drag from the port (drop on nothing to remove them)"),
    ("Wire menu (delete, insert Log)", "right-click a wire"),
    ("Select nothing", "click the background"),
];
