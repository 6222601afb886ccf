//! `evaluate`: its look (its expression) and its form.

use egui::{Color32, RichText, Ui};
use switchyard_flow::Evaluate;

use super::{BlockView, BodyLine, DATA, description_ui};
use crate::inspector::{Drafts, Scope, Shape, expression_ui};

impl BlockView for Evaluate {
    fn accent(&self) -> Color32 {
        DATA
    }

    fn body(&self) -> Option<BodyLine> {
        BodyLine::code(self.expression.as_str())
    }

    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, _: &mut Drafts) {
        description_ui(ui, &Evaluate::TYPE);
        expression_ui(ui, scope, "expression", "Expression", &mut self.expression, "{id: .body.id}", Shape::Value);
        ui.label(RichText::new("it must give one value; wrap a stream in […]").small().weak());
    }
}
