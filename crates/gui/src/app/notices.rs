//! The notices part (`Notices`): the one-line notice in the top bar (`copied 1 block`,
//! `saved …`, `not saved: …`), which fades out after a few seconds (errors stay longer).

use egui::{RichText, Ui};

/// How long a notice stays before it fades (seconds of egui time).
const NOTICE_SECONDS: f64 = 4.0;
/// How long an error notice stays.
const NOTICE_ERROR_SECONDS: f64 = 10.0;

/// The top bar's notice and since when it is shown.
#[derive(Debug, Default)]
pub(super) struct Notices {
    /// The notice to show: its text, and whether it is an error.
    pub(super) current: Option<(String, bool)>,
    /// The notice last shown and since when (egui time), so it fades after a while.
    shown: Option<((String, bool), f64)>,
}

impl Notices {
    /// Shows `text` (in the failure colour when `is_error`) until it fades.
    pub(super) fn show(&mut self, text: impl Into<String>, is_error: bool) {
        self.current = Some((text.into(), is_error));
    }

    /// The last notice (`copied 1 block`, `saved …`), fading out after a few seconds
    /// (errors stay longer).
    pub(super) fn ui(&mut self, ui: &mut Ui) {
        let Some(notice) = &self.current else { return };
        let now = ui.input(|i| i.time);
        if self.shown.as_ref().is_none_or(|(shown, _)| shown != notice) {
            self.shown = Some((notice.clone(), now));
        }
        let since = self.shown.as_ref().map_or(now, |(_, since)| *since);
        let (text, is_error) = notice;
        let (stay, fade) = if *is_error { (NOTICE_ERROR_SECONDS, 1.0) } else { (NOTICE_SECONDS, 1.0) };
        let age = now - since;
        if age >= stay + fade {
            self.current = None;
            return;
        }
        let opacity = if age <= stay { 1.0 } else { (1.0 - (age - stay) / fade) as f32 };
        let color = if *is_error { crate::theme::failure_text(ui.visuals()) } else { ui.visuals().weak_text_color() };
        ui.label(RichText::new(text).color(color.gamma_multiply(opacity)).small());
        if age <= stay {
            ui.ctx().request_repaint_after(std::time::Duration::from_secs_f64(stay - age));
        } else {
            ui.ctx().request_repaint();
        }
    }
}
