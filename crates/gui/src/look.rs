//! The look the canvas, the blocks, the inspector and the console share: the colours
//! of ports and run states, text shortened to a width, and side panels held to their
//! width. Nothing here knows the app; the app and its widgets use it.

use egui::Color32;

/// Success ports and wires.
pub const SUCCESS: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
/// Failure ports and wires.
pub const FAILURE: Color32 = Color32::from_rgb(0xe5, 0x48, 0x4d);
/// Other ports.
pub const NEUTRAL: Color32 = Color32::from_rgb(0x8b, 0x9b, 0xb4);
/// The block that is running.
pub const RUNNING: Color32 = Color32::from_rgb(0xf5, 0xb0, 0x41);
/// The selected block.
pub const SELECTED: Color32 = Color32::from_rgb(0x5a, 0x9c, 0xf8);

/// `text` cut to `max` characters with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Makes a side panel's content exactly as wide as the panel: egui's panels otherwise
/// follow their content's width (shrinking to a short hint, widening for a wide form).
pub(crate) fn hold_width(ui: &mut egui::Ui) {
    let width = ui.available_width();
    ui.set_min_width(width);
    ui.set_max_width(width);
}
