//! How each block type looks on the canvas: its tag, accent colour, the line its body
//! shows, and the labels and colours of its ports. (Its form is in the inspector.)

use egui::{Color32, RichText, Ui};
use switchyard_flow::{BlockKind, Port};

use crate::canvas::{FAILURE, NEUTRAL, SUCCESS, shorten};

/// Logic blocks (If, For Each, Delay).
const LOGIC: Color32 = Color32::from_rgb(0xc0, 0x8c, 0xf0);
/// Data blocks (Evaluate, Set, Collect).
const DATA: Color32 = Color32::from_rgb(0x6c, 0xc4, 0xd8);

/// The small upper-case tag before a block's id (`REQUEST`, `IF`, `FOR EACH`).
pub fn tag(kind: &BlockKind) -> String {
    match kind {
        BlockKind::SendRequest(_) => "REQUEST".to_owned(),
        BlockKind::Set(_) => "SET".to_owned(),
        other => other.block_type().label.to_uppercase(),
    }
}

/// A block type's colour, for its zoomed-out shape.
pub fn accent(kind: &BlockKind) -> Color32 {
    match kind {
        BlockKind::Start(_) => SUCCESS,
        BlockKind::If(_) | BlockKind::ForEach(_) | BlockKind::Delay(_) => LOGIC,
        BlockKind::Evaluate(_) | BlockKind::Set(_) | BlockKind::Collect(_) => DATA,
        BlockKind::SendRequest(_) | BlockKind::Log(_) => NEUTRAL,
    }
}

/// The body line of every block but Send Request (which shows its method and URL).
pub fn body_ui(ui: &mut Ui, kind: &BlockKind) {
    let text = match kind {
        BlockKind::Log(log) => log.label.clone().unwrap_or_else(|| "Log".to_owned()),
        BlockKind::If(block) => block.condition.as_str().to_owned(),
        BlockKind::Evaluate(block) => block.expression.as_str().to_owned(),
        BlockKind::Set(block) => {
            let lock = if block.secret { " 🔒" } else { "" };
            format!("{}{lock} = {}", block.name, block.value.as_str())
        }
        BlockKind::Delay(block) => format!("wait {}", switchyard_engine::wording::duration(block.ms)),
        BlockKind::ForEach(block) => {
            let at_once =
                if block.concurrency > 1 { format!(" · {} at once", block.concurrency) } else { String::new() };
            format!("{}{at_once}", block.items.as_str())
        }
        BlockKind::Collect(_) => "into a list".to_owned(),
        BlockKind::Start(_) | BlockKind::SendRequest(_) => return,
    };
    let short = shorten(&text, 34);
    let response = match kind {
        BlockKind::Log(_) | BlockKind::Collect(_) | BlockKind::Delay(_) => ui.label(RichText::new(short).italics()),
        _ => ui.label(RichText::new(short).monospace()),
    };
    response.on_hover_text(text);
}

/// An output port's label on the canvas.
pub fn port_label(port: Port) -> &'static str {
    match port {
        Port::Success => "Success",
        Port::Failure => "Failure",
        Port::True => "True",
        Port::False => "False",
        Port::Item => "Item",
        Port::In => "in",
        Port::Out => "out",
    }
}

/// The colour of a port's label and of results it fired, readable in the theme.
pub fn port_text_color(port: Port, visuals: &egui::Visuals) -> Color32 {
    match port {
        Port::Success | Port::True => crate::theme::success_text(visuals),
        Port::Failure | Port::False => crate::theme::failure_text(visuals),
        other => crate::theme::readable(port_color(other), visuals),
    }
}

/// A port's colour (and its wires').
pub fn port_color(port: Port) -> Color32 {
    match port {
        Port::Success | Port::True => SUCCESS,
        Port::Failure | Port::False => FAILURE,
        Port::Item => LOGIC,
        Port::In | Port::Out => NEUTRAL,
    }
}
