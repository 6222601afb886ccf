//! `log`: its look (its label) and its form (label and level).

use egui::{Color32, TextEdit, Ui};
use switchyard_flow::{LogBlock, LogLevel};

use super::{BlockView, BodyLine};
use crate::inspector::{Drafts, Scope};
use crate::look::NEUTRAL;

impl BlockView for LogBlock {
    fn accent(&self) -> Color32 {
        NEUTRAL
    }

    fn body(&self) -> Option<BodyLine> {
        BodyLine::words(self.label.clone().unwrap_or_else(|| "Log".to_owned()))
    }

    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, _: &mut Drafts) {
        ui.label("Writes each value it receives to the console, then passes it on through out.");
        let label = ui.label("Label");
        let mut text = self.label.clone().unwrap_or_default();
        let response = ui.add(
            TextEdit::singleline(&mut text)
                .id(scope.id("label"))
                .hint_text("shown with each logged value")
                .desired_width(f32::INFINITY),
        );
        response.labelled_by(label.id);
        if text != self.label.as_deref().unwrap_or_default() {
            self.label = (!text.is_empty()).then_some(text);
        }
        ui.horizontal(|ui| {
            ui.label("Level");
            for level in LogLevel::ALL {
                let response = ui.selectable_value(&mut self.level, level, level.as_str());
                if level == LogLevel::Error {
                    response.on_hover_text("a value reaching this block makes the run failed");
                }
            }
        });
    }
}
