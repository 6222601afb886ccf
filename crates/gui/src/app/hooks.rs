//! What automation drives and reads: the accessors tests use, and the hooks part
//! (`Hooks`): a run as the app opens, the screenshot a CI run or the README asks for,
//! the first run's response shown, and the start-up benchmark's first-frame report.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

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
        self.session.check_dirty = true;
        &mut self.document
    }

    /// The console (for tests).
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// Whether the large values of ended runs are being written as text (for tests).
    pub fn is_compacting(&self) -> bool {
        self.run.compacting.is_some()
    }

    /// What the last run did to each block (for tests).
    pub fn statuses(&self) -> &HashMap<String, BlockStatus> {
        &self.run.statuses
    }

    /// Where block `id` was drawn on the screen last frame (its header, body and ports).
    pub fn block_rect(&self, id: &str) -> Option<egui::Rect> {
        self.canvas.node_rects.get(id).copied()
    }

    /// The canvas's graph → screen transform (block widgets are laid out in graph space).
    pub fn canvas_transform(&self) -> TSTransform {
        self.canvas.to_global
    }

    /// The wire under the pointer last frame (drawn highlighted; right-click opens its menu).
    pub fn hovered_wire(&self) -> Option<&switchyard_flow::Wire> {
        self.canvas.hovered_wire.as_ref()
    }

    /// The widths of the palette and inspector and the console's height, as drawn.
    pub fn panel_sizes(&self) -> (f32, f32, f32) {
        (self.layout.panels.palette, self.layout.panels.inspector, self.layout.panels.console)
    }

    /// The theme chosen in View → Theme (kept in eframe's storage).
    pub fn theme_preference(&self) -> egui::ThemePreference {
        self.layout.theme_preference()
    }

    /// The block shown in the inspector.
    pub fn selected_block(&self) -> Option<&str> {
        self.canvas.selected.as_deref()
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
        &self.session.title
    }
}

/// What automation asked for when the app started: a run at once, a screenshot, the
/// first run's last response shown, the time to the first frame.
#[derive(Debug)]
pub(super) struct Hooks {
    run_on_start: bool,
    screenshot: Option<PathBuf>,
    screenshot_requested: bool,
    /// Whether the screenshot waits for a run or the settings panel (else a few frames).
    screenshot_waits: bool,
    /// Frames drawn so far, for a screenshot that waits for nothing.
    frames_drawn: u32,
    /// Show the first run's last response in the viewer's window (`show_response`).
    show_response: bool,
    /// The frame it was shown at (the screenshot waits a few frames after it).
    response_shown_at: Option<u32>,
    report_first_frame: Option<Instant>,
}

impl Hooks {
    /// The hooks of [`super::AppOptions`]' fields of the same names.
    pub(super) fn new(
        run_on_start: bool,
        screenshot: Option<PathBuf>,
        open_settings: bool,
        show_response: bool,
        report_first_frame: Option<Instant>,
    ) -> Self {
        Self {
            run_on_start,
            screenshot,
            screenshot_requested: false,
            screenshot_waits: run_on_start || open_settings,
            frames_drawn: 0,
            show_response,
            response_shown_at: None,
            report_first_frame,
        }
    }

    /// Whether to run the flow now (once: on the first frame, with `run_on_start`).
    pub(super) fn take_run_on_start(&mut self) -> bool {
        std::mem::take(&mut self.run_on_start)
    }

    /// At the frame's end: the response shown, the screenshot taken, the first frame
    /// reported, when asked for and their time has come. `runs_finished` counts the runs
    /// over; `settings_settled` says the variables panel has loaded.
    pub(super) fn update(
        &mut self,
        ctx: &egui::Context,
        runs_finished: u32,
        settings_settled: bool,
        console: &mut Console,
    ) {
        self.show_response_step(runs_finished, console);
        self.screenshot_step(ctx, runs_finished, settings_settled);
        self.report_first_frame(ctx);
    }

    /// With `show_response`, once the first run has ended: its last response selected
    /// and shown in the viewer's window.
    fn show_response_step(&mut self, runs_finished: u32, console: &mut Console) {
        if self.show_response && self.response_shown_at.is_none() && runs_finished > 0 {
            console.show_last_response();
            self.response_shown_at = Some(self.frames_drawn);
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context, runs_finished: u32, settings_settled: bool) {
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
        let ready = runs_finished > 0 || settings_settled || settled;
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
    fn report_first_frame(&mut self, ctx: &egui::Context) {
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
