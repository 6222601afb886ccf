//! Runs and what they leave (`RunView`): starting a run (after `Flow::validate`), applying the
//! runner's messages each frame (console lines, block statuses, the values wires
//! carried and the values that reached each block, for the inspector's previews), and
//! the markers on wires that carried a value.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use egui::{Color32, Pos2, RichText, Ui, Vec2};
use switchyard_engine::Event;
use switchyard_flow::{Port, PortRef};

use super::{SwitchyardApp, display_name};
use crate::canvas::{BlockStatus, RUNNING};
use crate::runner::RunMessage;

/// What the last run left: block results, the values wires carried and that reached
/// each block, its outcome.
#[derive(Debug, Default)]
pub(super) struct RunView {
    pub(super) statuses: HashMap<String, BlockStatus>,
    /// A short text of the value each output port last fired (hover on its wires).
    pub(super) carried: HashMap<PortRef, String>,
    pub(super) outcome: Option<switchyard_engine::Outcome>,
    /// What the last run did (its failures, handled or not).
    pub(super) counts: Option<switchyard_engine::Counts>,
    /// Blocks edited since the run: what it left on them is stale.
    pub(super) stale: std::collections::HashSet<String>,
    /// The wires of the flow as it was started: where fired values went.
    pub(super) wires: Vec<switchyard_flow::Wire>,
    pub(super) runs_finished: u32,
}

/// Longest text a wire marker shows of the value it carried, in bytes before cutting.
const CARRIED_TEXT: usize = 400;

impl SwitchyardApp {
    /// Checks the flow and starts running it; a flow that cannot run says why in the console.
    pub(super) fn start_run(&mut self, ctx: &egui::Context) {
        let flow = self.document.to_flow();
        // The rules a flow file is held to: one start block, wires that fit, valid jq.
        if let Err(problems) = flow.validate() {
            let error = switchyard_flow::FlowError::Invalid { file: display_name(&flow.name), problems };
            self.console.push_error(format!("the flow cannot run:\n{error}"));
            return;
        }
        self.clear_run_view();
        self.console.start_run();
        self.run.wires.clone_from(&flow.wires);
        let wake = ctx.clone();
        self.runner.set_base_dir(self.document.path.as_deref().and_then(std::path::Path::parent).map(Into::into));
        self.runner.set_environment(self.settings.selected_environment().map(str::to_owned));
        self.runner.start(flow, self.source.clone(), move || wake.request_repaint());
    }

    /// Forgets what the last run left (a new run, another flow).
    pub(super) fn clear_run_view(&mut self) {
        self.run.statuses.clear();
        self.run.carried.clear();
        self.run.outcome = None;
        self.run.counts = None;
        self.run.stale.clear();
        self.run.wires.clear();
        self.previews.clear();
    }

    /// Applies what the runner reported since the last frame.
    pub(super) fn poll_run(&mut self) {
        for (elapsed, message) in self.runner.poll() {
            match message {
                RunMessage::Event(event) => self.apply_event(elapsed, &event),
                RunMessage::Masks(masks) => self.previews.set_masks(masks),
                RunMessage::Error(message) => self.console.push_error(message),
                RunMessage::Ended => {
                    self.run.runs_finished += 1;
                    // Blocks still running when the run ended were stopped with it.
                    let cancelled = self.run.outcome == Some(switchyard_engine::Outcome::Cancelled);
                    self.run.statuses.retain(|_, status| cancelled || *status != BlockStatus::Running);
                    for status in self.run.statuses.values_mut() {
                        if *status == BlockStatus::Running {
                            *status = BlockStatus::Cancelled;
                        }
                    }
                }
            }
        }
    }

    fn apply_event(&mut self, elapsed: Duration, event: &Event) {
        self.console.push(elapsed, event);
        match event {
            Event::BlockStarted { block, .. } => {
                self.run.statuses.insert(block.clone(), BlockStatus::Running);
            }
            Event::BlockFinished { block, port, value, summary, .. } => {
                self.run
                    .statuses
                    .insert(block.clone(), BlockStatus::Finished { port: *port, summary: summary.clone() });
                let mut text = value.to_string();
                if text.len() > CARRIED_TEXT {
                    text = text.chars().take(CARRIED_TEXT).collect::<String>() + "…";
                }
                let from = PortRef::new(block.as_str(), *port);
                // The value reached every block wired to this port (masked by the engine).
                let shared = Arc::clone(value);
                for wire in self.run.wires.iter().filter(|wire| wire.from == from && wire.to.port == Port::In) {
                    self.previews.reached(&wire.to.block, Arc::clone(&shared));
                }
                self.previews.fired(block, shared);
                self.run.carried.insert(from, text);
            }
            Event::RunFinished { outcome, counts, .. } => {
                self.run.outcome = Some(*outcome);
                self.run.counts = Some(*counts);
            }
            _ => {}
        }
    }

    /// A marker half-way along each wire that carried a value in the last run; hovering
    /// it shows the value (already masked by the engine). `middles` are where egui-snarl
    /// drew each wire's middle this frame (graph space), so the marker stays on its wire
    /// however its pins moved: a collapsed block, a zoomed-out one, a self-wire's loop.
    pub(super) fn wire_markers(
        &self,
        ui: &mut Ui,
        middles: &HashMap<(egui_snarl::OutPinId, egui_snarl::InPinId), Pos2>,
    ) {
        if self.run.carried.is_empty() {
            return;
        }
        // A layer above the canvas's, so the markers take the hover.
        let layer = egui::LayerId::new(ui.layer_id().order, egui::Id::new("switchyard-wire-markers"));
        ui.ctx().set_sublayer(ui.layer_id(), layer);
        let clip = ui.clip_rect();
        let mut markers = ui.new_child(egui::UiBuilder::new().layer_id(layer).max_rect(ui.max_rect()));
        markers.set_clip_rect(clip);
        for wire in &self.document.wires {
            let Some(text) = self.run.carried.get(&wire.from) else { continue };
            let Some(pins) = self.document.pins(wire) else { continue };
            let Some(middle) = middles.get(&pins).map(|middle| self.to_global * *middle) else { continue };
            if !clip.contains(middle) {
                continue;
            }
            let rect = egui::Rect::from_center_size(middle, Vec2::splat(14.0));
            let id = egui::Id::new(("switchyard-wire-marker", &wire.from, &wire.to));
            let response = markers.interact(rect, id, egui::Sense::hover());
            let radius = if response.hovered() { 6.5 } else { 5.0 };
            markers.painter().circle(middle, radius, RUNNING, egui::Stroke::new(1.5, Color32::from_gray(20)));
            response.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Other, true, "value carried"));
            response.on_hover_text(RichText::new(text).monospace());
        }
    }
}
