//! `if`: its look (its condition) and its form.

use egui::{Color32, RichText, Ui};
use switchyard_flow::If;

use super::{BlockView, BodyLine, LOGIC, description_ui};
use crate::inspector::{Drafts, Scope, Shape, expression_ui};

impl BlockView for If {
    fn accent(&self) -> Color32 {
        LOGIC
    }

    fn body(&self) -> Option<BodyLine> {
        BodyLine::code(self.condition.as_str())
    }

    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, _: &mut Drafts) {
        description_ui(ui, &If::TYPE);
        expression_ui(ui, scope, "condition", "Condition", &mut self.condition, ".status == 200", Shape::Condition);
        ui.label(RichText::new("true unless the value is false or null (jq truthiness)").small().weak());
    }
}
