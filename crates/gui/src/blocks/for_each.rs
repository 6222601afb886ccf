//! `for_each`: its look (its items, and how many at once) and its form.

use egui::{Color32, DragValue, RichText, Ui};
use switchyard_flow::ForEach;

use super::{BlockView, BodyLine, LOGIC, description_ui};
use crate::inspector::{Drafts, Scope, Shape, expression_ui};

impl BlockView for ForEach {
    fn accent(&self) -> Color32 {
        LOGIC
    }

    fn body(&self) -> Option<BodyLine> {
        let at_once = if self.concurrency > 1 { format!(" · {} at once", self.concurrency) } else { String::new() };
        BodyLine::code(format!("{}{at_once}", self.items.as_str()))
    }

    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, _: &mut Drafts) {
        description_ui(ui, &ForEach::TYPE);
        expression_ui(ui, scope, "items", "Items", &mut self.items, ".body.data", Shape::Value);
        ui.horizontal(|ui| {
            ui.label("At once");
            ui.add(DragValue::new(&mut self.concurrency).range(1..=256));
        });
        ui.label(RichText::new("1: each element's branch ends before the next starts").small().weak());
    }
}
