//! `set`: its look (`name = value`, locked when secret) and its form.

use egui::{Color32, RichText, TextEdit, Ui};
use switchyard_flow::Set;

use super::{BlockView, BodyLine, DATA, description_ui};
use crate::inspector::{Drafts, Scope, Shape, expression_ui};
use crate::look::FAILURE;

impl BlockView for Set {
    fn tag(&self) -> Option<&'static str> {
        Some("SET")
    }

    fn accent(&self) -> Color32 {
        DATA
    }

    fn body(&self) -> Option<BodyLine> {
        let lock = if self.secret { " 🔒" } else { "" };
        BodyLine::code(format!("{}{lock} = {}", self.name, self.value.as_str()))
    }

    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, _: &mut Drafts) {
        description_ui(ui, &Set::TYPE);
        let label = ui.label("Name");
        ui.add(TextEdit::singleline(&mut self.name).id(scope.id("set-name")).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if !switchyard_flow::template::is_valid_name(&self.name) {
            ui.label(RichText::new("a name is letters, digits, `_`, `.` and `-`").small().color(FAILURE));
        }
        let shape = if self.secret { Shape::Secret } else { Shape::Value };
        expression_ui(ui, scope, "value", "Value", &mut self.value, ".body.access_token", shape);
        ui.checkbox(&mut self.secret, "Secret: masked everywhere from now on, never seen by expressions");
        ui.label(
            RichText::new(format!("later blocks use it as {{{{{}}}}} and ${}", self.name, self.name)).small().weak(),
        );
    }
}
