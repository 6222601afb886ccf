//! The jq fields of the block forms ([`expression_ui`], used by the forms in
//! `src/blocks/`) and a Send Request's checks and captures. jq fields are checked as you type: an error shows its
//! column and message under the field, and once it compiles, a preview of what it gives
//! for the last value that reached the block (`preview.rs`).

use eframe::egui::{self, RichText, TextEdit, Ui};
use switchyard_flow::expr::Program;
use switchyard_flow::{Capture, Check, Expression};

use super::preview::{Against, Shape};
use super::{Scope, set_accessible_label};
use crate::look::FAILURE;

/// A Send Request's checks: `[name, condition]` rows.
pub(super) fn checks_ui(ui: &mut Ui, scope: &Scope<'_>, checks: &mut Vec<Check>) {
    ui.strong("Checks");
    ui.label(RichText::new("Success fires only when the status matches and every check holds.").small().weak());
    let mut remove = None;
    for (index, check) in checks.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.add(
                TextEdit::singleline(&mut check.name)
                    .id(scope.id(("check-name", index)))
                    .hint_text("name")
                    .desired_width(110.0),
            );
            if ui.small_button("✖").on_hover_text("Remove this check").clicked() {
                remove = Some(index);
            }
        });
        let field = Field { key: &format!("checks[{index}]"), against: Against::Response, shape: Shape::Check };
        expression_field(ui, scope, field, &mut check.condition, ".body.data | length > 0");
    }
    if let Some(index) = remove {
        checks.remove(index);
    }
    if ui.button("+ Check").clicked() {
        checks
            .push(Check { name: format!("check {}", checks.len() + 1), condition: Expression::from(".status == 200") });
    }
}

/// A Send Request's captures: `[name, expression]` rows, each maybe secret.
pub(super) fn captures_ui(ui: &mut Ui, scope: &Scope<'_>, captures: &mut Vec<Capture>) {
    ui.strong("Captures");
    ui.label(
        RichText::new(
            "When the status matches, each expression's value on the response is kept as {{name}} for later blocks.",
        )
        .small()
        .weak(),
    );
    let mut remove = None;
    for (index, capture) in captures.iter_mut().enumerate() {
        let number = index + 1;
        ui.horizontal(|ui| {
            let name = ui.add(
                TextEdit::singleline(&mut capture.name)
                    .id(scope.id(("capture-name", index)))
                    .hint_text("name")
                    .desired_width(110.0),
            );
            set_accessible_label(ui, name.id, &format!("Capture {number} name"));
            ui.checkbox(&mut capture.secret, "secret")
                .on_hover_text("Masked everywhere from this response on, never seen by expressions");
            let button = ui.small_button("✖").on_hover_text("Remove this capture");
            set_accessible_label(ui, button.id, &format!("Remove capture {number}"));
            if button.clicked() {
                remove = Some(index);
            }
        });
        if !switchyard_flow::template::is_valid_name(&capture.name) {
            ui.label(RichText::new("a name is letters, digits, `_`, `.` and `-`").small().color(FAILURE));
        }
        let shape = if capture.secret { Shape::Secret } else { Shape::Value };
        let key = format!("captures[{index}]");
        let field = Field { key: &key, against: Against::Response, shape };
        let response = expression_field(ui, scope, field, &mut capture.expression, ".body.token");
        set_accessible_label(ui, response.id, &format!("Capture {number} expression"));
    }
    if let Some(index) = remove.filter(|&index| index < captures.len()) {
        captures.remove(index);
    }
    if ui.button("+ Capture").clicked() {
        captures.push(Capture {
            name: format!("captured_{}", captures.len() + 1),
            expression: Expression::from(".body"),
            secret: false,
        });
    }
}

/// Which jq field of the block a text field edits, and how its preview reads.
#[derive(Debug, Clone, Copy)]
struct Field<'k> {
    /// The field's name in the file (`condition`, `checks[0]`).
    key: &'k str,
    against: Against,
    shape: Shape,
}

/// A labelled jq field `key` of the block's input (`hint` shows while it is empty).
pub(crate) fn expression_ui(
    ui: &mut Ui,
    scope: &Scope<'_>,
    key: &str,
    title: &str,
    expression: &mut Expression,
    hint: &str,
    shape: Shape,
) {
    let label = ui.label(title);
    let response = expression_field(ui, scope, Field { key, against: Against::Input, shape }, expression, hint);
    response.labelled_by(label.id);
}

/// A jq field, checked as you type, with its preview under it.
fn expression_field(
    ui: &mut Ui,
    scope: &Scope<'_>,
    field: Field<'_>,
    expression: &mut Expression,
    hint: &str,
) -> egui::Response {
    let mut text = expression.as_str().to_owned();
    let response = ui.add(
        TextEdit::multiline(&mut text)
            .id(scope.id(field.key))
            .code_editor()
            .desired_rows(1)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    );
    if text != expression.as_str() {
        *expression = Expression::new(text);
    }
    match Program::check(expression.as_str()) {
        Ok(()) => {
            if let Some(previews) = scope.previews {
                previews.ui(ui, scope.block_id, field.key, expression.as_str(), field.against, field.shape);
            }
        }
        Err(error) => {
            let column = error.column(expression.as_str());
            ui.label(RichText::new(format!("column {column}: {}", error.message)).small().color(FAILURE));
        }
    }
    response
}
