//! What automation drives and reads: the accessors tests use, the screenshot a CI run
//! or the README asks for, and the start-up benchmark's first-frame report.

use std::collections::HashMap;
use std::io::Write as _;

use egui::emath::TSTransform;
use switchyard_engine::Outcome;

use super::SwitchyardApp;
use crate::canvas::BlockStatus;
use crate::console::Console;
use crate::document::Document;

impl SwitchyardApp {
    /// The document (for tests).
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The document, to change it as the canvas would (for tests).
    pub fn document_mut(&mut self) -> &mut Document {
        self.check_dirty = true;
        &mut self.document
    }

    /// The console (for tests).
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// What the last run did to each block (for tests).
    pub fn statuses(&self) -> &HashMap<String, BlockStatus> {
        &self.run.statuses
    }

    /// Where block `id` was drawn on the screen last frame (its header, body and ports).
    pub fn block_rect(&self, id: &str) -> Option<egui::Rect> {
        self.node_rects.get(id).copied()
    }

    /// The canvas's graph → screen transform (block widgets are laid out in graph space).
    pub fn canvas_transform(&self) -> TSTransform {
        self.to_global
    }

    /// The wire under the pointer last frame (drawn highlighted; right-click opens its menu).
    pub fn hovered_wire(&self) -> Option<&switchyard_flow::Wire> {
        self.hovered_wire.as_ref()
    }

    /// The widths of the palette and inspector and the console's height, as drawn.
    pub fn panel_sizes(&self) -> (f32, f32, f32) {
        (self.panels.palette, self.panels.inspector, self.panels.console)
    }

    /// The theme chosen in View → Theme (kept in eframe's storage).
    pub fn theme_preference(&self) -> egui::ThemePreference {
        self.egui_ctx.options(|o| o.theme_preference)
    }

    /// The block shown in the inspector.
    pub fn selected_block(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// How the last run ended.
    pub fn outcome(&self) -> Option<Outcome> {
        self.run.outcome
    }

    /// Whether a run is going on.
    pub fn is_running(&self) -> bool {
        self.runner.is_running()
    }

    /// The environment runs use (the top bar's picker), if any.
    pub fn selected_environment(&self) -> Option<&str> {
        self.settings.selected_environment()
    }

    /// The window title: `Switchyard — NAME`, then ` — ENV` when an environment is
    /// picked, and ` •` while unsaved.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// With `show_response`, once the first run has ended: its last response selected
    /// and shown in the viewer's window.
    pub(super) fn show_response_step(&mut self) {
        if self.show_response && self.response_shown_at.is_none() && self.run.runs_finished > 0 {
            self.console.show_last_response();
            self.response_shown_at = Some(self.frames_drawn);
        }
    }

    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(path) = self.screenshot.clone() else { return };
        let image = ctx.input(|i| {
            i.events.iter().find_map(|e| match e {
                egui::Event::Screenshot { image, .. } => Some(image.clone()),
                _ => None,
            })
        });
        if let Some(image) = image {
            if let Err(error) = crate::screenshot::save_png(&image, &path) {
                // Diagnostics for the person who asked for a screenshot; a closed stderr
                // leaves nobody to tell, so a failed write is dropped, not a panic.
                let _ = writeln!(std::io::stderr(), "error: cannot save the screenshot: {error}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        self.frames_drawn = self.frames_drawn.saturating_add(1);
        let settled = !self.screenshot_waits && self.frames_drawn >= SCREENSHOT_AFTER_FRAMES;
        let ready = self.run.runs_finished > 0 || self.settings.is_settled() || settled;
        // A response shown in the viewer is given a few frames to lay out its window.
        let response_ready = !self.show_response
            || self.response_shown_at.is_some_and(|at| self.frames_drawn >= at.saturating_add(SCREENSHOT_AFTER_FRAMES));
        if ready && response_ready && !self.screenshot_requested {
            self.screenshot_requested = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::UserData::default()));
        }
        ctx.request_repaint();
    }

    /// With `report_first_frame`: the time to the end of the first frame on stderr, then quit.
    pub(super) fn report_first_frame(&mut self, ctx: &egui::Context) {
        if let Some(started) = self.report_first_frame.take() {
            let ms = started.elapsed().as_secs_f64() * 1e3;
            // A closed stderr leaves nobody to tell; it must not panic the app.
            let _ = writeln!(std::io::stderr(), "first frame after {ms:.1} ms");
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

/// A screenshot that waits for no run is taken after this many frames (fonts loaded,
/// the flow fitted to the canvas).
const SCREENSHOT_AFTER_FRAMES: u32 = 10;
