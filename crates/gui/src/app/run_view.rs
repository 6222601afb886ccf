//! Runs and what they leave (`RunView`): starting a run (after `Flow::validate`), applying the
//! runner's messages each frame (console lines, block statuses, the values wires
//! carried and the values that reached each block, for the inspector's previews), and
//! the markers on wires that carried a value. When a run ends, the large values it and
//! earlier runs left become deflated JSON text in the console and the previews alike
//! (`Console::compact_runs`, `Previews::compact`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use egui::{Color32, Pos2, RichText, Ui, Vec2};
use switchyard_engine::Event;
use switchyard_flow::{Port, PortRef};

use super::{SwitchyardApp, display_name};
use crate::LineTarget;
use crate::canvas::BlockStatus;
use crate::look::RUNNING;
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
    /// Why the last Run did not start, as the top bar says it (`not run: …`).
    pub(super) not_run: Option<String>,
    /// Whether what the canvas shows is from an earlier run (the last Run did not start).
    pub(super) earlier: bool,
    /// A run was started and has reported nothing yet: what the last run left stays
    /// until it does (a run that cannot start marks it from an earlier run instead).
    pub(super) clear_pending: bool,
    /// The texts of large values being written on a worker thread, when a run has
    /// ended (`SwitchyardApp::start_compaction`).
    pub(super) compacting: Option<std::sync::mpsc::Receiver<crate::console::Written>>,
}

/// Longest text a wire marker shows of the value it carried, in bytes before cutting.
const CARRIED_TEXT: usize = 400;

/// The first [`CARRIED_TEXT`] bytes of a value's compact JSON, and `…` when there is
/// more: written into a bounded buffer, never the whole value (a response of megabytes
/// would be written out whole only to be cut).
fn carried_text(value: &serde_json::Value) -> String {
    /// Takes bytes until it holds `CARRIED_TEXT`, then refuses more (which ends the write).
    struct Bounded(Vec<u8>);
    impl std::io::Write for Bounded {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let room = CARRIED_TEXT + 4 - self.0.len();
            if room == 0 {
                return Err(std::io::Error::other("enough"));
            }
            let taken = bytes.len().min(room);
            self.0.extend_from_slice(bytes.get(..taken).unwrap_or_default());
            Ok(taken)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Bounded(Vec::with_capacity(CARRIED_TEXT + 4));
    let complete = serde_json::to_writer(&mut out, value).is_ok();
    let text = String::from_utf8_lossy(&out.0);
    if complete && text.len() <= CARRIED_TEXT {
        return text.into_owned();
    }
    let mut cut = CARRIED_TEXT.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", text.get(..cut).unwrap_or_default())
}

/// Where a problem of a flow file points, when it is a block's field
/// (`blocks.ID.FIELD…`): the block and the field.
fn problem_target(place: &switchyard_flow::Place) -> Option<LineTarget> {
    let switchyard_flow::Place::Path(path) = place else { return None };
    let rest = path.strip_prefix("blocks.")?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let block = rest.get(..end)?.to_owned();
    let field = rest.get(end..).and_then(|field| field.strip_prefix('.')).map(|field| field_root(field).to_owned());
    Some(LineTarget { block, field: field.filter(|field| !field.is_empty()) })
}

/// The field a path inside a block names: `checks[0]` for `checks[0][1]`, `headers[2]`
/// for `headers[2][1]`, `body` for `body.json.name`.
fn field_root(path: &str) -> &str {
    let name_end = path.find(['.', '[']).unwrap_or(path.len());
    let end = match path.get(name_end..) {
        Some(rest) if rest.starts_with('[') => rest.find(']').map_or(name_end, |close| name_end + close + 1),
        _ => name_end,
    };
    path.get(..end).unwrap_or(path)
}

impl SwitchyardApp {
    /// Checks the flow and starts running it. A flow that cannot run says why: in the
    /// console (the line selects the block and field at fault), in the top bar (`not run:
    /// …`), and on the canvas, whose results are then marked as from an earlier run.
    pub(super) fn start_run(&mut self, ctx: &egui::Context) {
        // Text typed that does not parse is not what the block holds: running the last
        // valid value instead would say `ok` about something the user did not write.
        if let Some(draft) = self.inspector.unparsed_draft() {
            let message = super::unparsed_message("not run", &draft);
            let target = LineTarget { block: draft.block.to_owned(), field: Some(draft.field.to_owned()) };
            self.console.push_error_at(message.clone(), Some(target.clone()));
            self.run_not_started(message);
            self.select_target(target);
            return;
        }
        let flow = self.document.to_flow();
        // The rules a flow file is held to: one start block, wires that fit, valid jq.
        if let Err(problems) = flow.validate() {
            let name = display_name(&flow.name);
            let mut first = None;
            for problem in &problems {
                let message = format!("not run: {name}: {problem}");
                let target = problem_target(&problem.place);
                self.console.push_error_at(message.clone(), target.clone());
                first.get_or_insert((message, target));
            }
            let Some((mut message, target)) = first else { return };
            if problems.len() > 1 {
                message.push_str(&format!(" (and {} more in the console)", problems.len() - 1));
            }
            self.run_not_started(message);
            if let Some(target) = target {
                self.select_target(target);
            }
            return;
        }
        self.run.not_run = None;
        self.run.clear_pending = true;
        self.console.start_run();
        let wake = ctx.clone();
        self.runner.set_base_dir(self.document.path.as_deref().and_then(std::path::Path::parent).map(Into::into));
        self.runner.set_environment(self.settings.selected_environment().map(str::to_owned));
        self.run.wires.clone_from(&flow.wires);
        self.runner.start(flow, self.source.clone(), move || wake.request_repaint());
    }

    /// The Run just asked for did not start, for `message`: the top bar says so, and
    /// what the canvas shows is from an earlier run.
    fn run_not_started(&mut self, message: String) {
        // Over as much as it will be (a screenshot taken after the first run waits no more).
        self.run.runs_finished = self.run.runs_finished.max(1);
        self.run.not_run = Some(message);
        self.run.clear_pending = false;
        self.run.earlier = !self.run.statuses.is_empty();
    }

    /// Selects the block a console line points at and focuses its field in the inspector.
    pub(super) fn select_target(&mut self, target: LineTarget) {
        if self.document.node_of(&target.block).is_none() {
            return;
        }
        if let Some(field) = &target.field {
            self.inspector.focus_field(&target.block, field);
        }
        self.canvas.selected = Some(target.block);
    }

    /// Forgets what the last run left (a new run, another flow).
    pub(super) fn clear_run_view(&mut self) {
        self.run.statuses.clear();
        self.run.carried.clear();
        self.run.outcome = None;
        self.run.counts = None;
        self.run.stale.clear();
        self.run.earlier = false;
        self.run.not_run = None;
        self.previews.clear();
    }

    /// A run has ended: every run's large values are written as text (the selected
    /// line's excepted) on a worker thread, put in place when done
    /// ([`SwitchyardApp::poll_compaction`]). A compaction still going on is given up:
    /// this one writes what it would have.
    fn start_compaction(&mut self, ctx: &egui::Context) {
        let mut job = self.console.compaction_job();
        job.also(self.previews.parsed_values());
        if job.is_empty() {
            self.run.compacting = None;
            // What the console let go of (values dropped past its budget, a clear).
            if self.console.take_let_go() > 0 {
                crate::runner::give_back_freed_memory();
            }
            return;
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        let wake = ctx.clone();
        let spawned = std::thread::Builder::new().name("switchyard-compaction".to_owned()).spawn(move || {
            // The app may have closed meanwhile; nobody to tell then.
            let _ = sender.send(job.write());
            wake.request_repaint();
        });
        self.run.compacting = spawned.is_ok().then_some(receiver);
        if spawned.is_err() {
            // No thread to be had: done here, at the cost of a frame.
            let compaction = self.console.compact_runs();
            self.apply_compaction(compaction);
        }
    }

    /// Puts in place the texts a compaction wrote, once it is done.
    fn poll_compaction(&mut self) {
        let Some(receiver) = &self.run.compacting else { return };
        let written = match receiver.try_recv() {
            Ok(written) => written,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.run.compacting = None;
                return;
            }
        };
        self.run.compacting = None;
        let compaction = self.console.apply_compaction(written);
        self.apply_compaction(compaction);
    }

    /// The console has made text of large values: the previews share the texts (unless
    /// a new run has started: they hold its values then), and what the console let go
    /// of (that, values dropped past its budget, a clear) goes back to the system once
    /// nothing holds it.
    fn apply_compaction(&mut self, compaction: crate::console::Compaction) {
        if !self.run.clear_pending && !self.runner.is_running() {
            self.previews.compact(&compaction.texts);
        }
        drop(compaction);
        if self.console.take_let_go() > 0 {
            crate::runner::give_back_freed_memory();
        }
    }

    /// Applies what the runner reported since the last frame, and puts in place what a
    /// compaction wrote.
    pub(super) fn poll_run(&mut self, ctx: &egui::Context) {
        self.poll_compaction();
        for (elapsed, message) in self.runner.poll() {
            if std::mem::take(&mut self.run.clear_pending) && !matches!(message, RunMessage::Error(_)) {
                // The run has started: what the last one left goes.
                let wires = std::mem::take(&mut self.run.wires);
                self.clear_run_view();
                self.run.wires = wires;
            }
            match message {
                RunMessage::Event(event) => self.apply_event(elapsed, event),
                RunMessage::Masks(masks) => self.previews.set_masks(masks),
                RunMessage::Error(message) => {
                    // The variables could not be read (the store, the keychain): nothing ran.
                    let target = self.secret_reference();
                    let message = format!("not run: {message}");
                    self.console.push_error_at(message.clone(), target);
                    self.run_not_started(message);
                }
                RunMessage::Ended => {
                    self.run.runs_finished += 1;
                    self.start_compaction(ctx);
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

    /// The first templated field of the flow that uses a secret (a global of type
    /// secret): where a run that could not read the keychain points.
    fn secret_reference(&self) -> Option<LineTarget> {
        let globals = self.settings.globals();
        let flow = self.document.to_flow();
        flow.blocks.iter().find_map(|block| {
            let switchyard_flow::BlockKind::SendRequest(request) = &block.kind else { return None };
            request.templated_fields().into_iter().find_map(|(field, text)| {
                switchyard_flow::template::references(text)
                    .any(|name| globals.get(name).copied().unwrap_or(false))
                    .then(|| LineTarget { block: block.id.clone(), field: Some(field_root(&field).to_owned()) })
            })
        })
    }

    fn apply_event(&mut self, elapsed: Duration, event: Event) {
        match &event {
            Event::BlockStarted { block, .. } => {
                self.run.statuses.insert(block.clone(), BlockStatus::Running);
            }
            Event::BlockFinished { block, port, value, summary, .. } => {
                self.run
                    .statuses
                    .insert(block.clone(), BlockStatus::Finished { port: *port, summary: summary.clone() });
                let from = PortRef::new(block.as_str(), *port);
                // The value reached every block wired to this port (masked by the engine).
                for wire in self.run.wires.iter().filter(|wire| wire.from == from && wire.to.port == Port::In) {
                    self.previews.reached(&wire.to.block, Arc::clone(value));
                }
                self.previews.fired(block, Arc::clone(value));
                self.run.carried.insert(from, carried_text(value));
            }
            Event::BlockFailed { block, field, message } => {
                let status = BlockStatus::Failed { field: field.clone(), message: message.clone() };
                self.run.statuses.insert(block.clone(), status);
            }
            Event::RunFinished { outcome, counts, .. } => {
                self.run.outcome = Some(*outcome);
                self.run.counts = Some(*counts);
            }
            _ => {}
        }
        // Last: the console takes the event, and shares its values rather than copying them.
        self.console.push_event(elapsed, event);
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
            let Some(middle) = middles.get(&pins).map(|middle| self.canvas.to_global * *middle) else { continue };
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;
    use switchyard_flow::Place;

    use super::{CARRIED_TEXT, carried_text, field_root, problem_target};
    use crate::LineTarget;

    #[test]
    fn carried_text_is_the_value_or_its_start_cut_on_a_character() {
        assert_eq!(carried_text(&json!({"a": 1})), r#"{"a":1}"#);
        let long = json!({"text": "é".repeat(10_000)});
        let text = carried_text(&long);
        assert!(text.ends_with('…'));
        assert!(text.len() <= CARRIED_TEXT + '…'.len_utf8(), "{}", text.len());
        assert!(text.starts_with(r#"{"text":"éé"#));
    }

    #[test]
    fn a_problem_points_at_its_block_and_field() {
        let target = |path: &str| problem_target(&Place::Path(path.to_owned()));
        let at = |block: &str, field: Option<&str>| {
            Some(LineTarget { block: block.to_owned(), field: field.map(str::to_owned) })
        };
        assert_eq!(target("blocks.ready.condition"), at("ready", Some("condition")));
        assert_eq!(target("blocks.fetch.checks[0][1]"), at("fetch", Some("checks[0]")));
        assert_eq!(target("blocks.fetch.headers[2][1]"), at("fetch", Some("headers[2]")));
        assert_eq!(target("blocks.fetch"), at("fetch", None));
        assert_eq!(target("wires[0]"), None);
        assert_eq!(problem_target(&Place::LineColumn { line: 1, column: 2 }), None);
        assert_eq!(field_root("body.json.name"), "body");
        assert_eq!(field_root("url"), "url");
    }
}
