//! The canvas: how blocks, ports and wires look and behave in egui-snarl.
//!
//! [`CanvasViewer`] decides each block's title, body and pins (Success green, Failure
//! red), which connections are allowed (egui-snarl only ever wires an output to an
//! input), the right-click menus, and what a run left on each block and wire. It does
//! not add or remove blocks itself: it collects requests the app applies after the
//! frame, so every change goes through one place.

use std::collections::HashMap;

use egui::emath::TSTransform;
use egui::{Color32, Pos2, RichText, Stroke, Ui};
use egui_snarl::ui::{PinInfo, SnarlPin, SnarlViewer};
use egui_snarl::{InPin, InPinId, NodeId, OutPin, OutPinId, Snarl};
use switchyard_flow::{BlockKind, Wire};

use crate::document::{BlockNode, Document, NewBlock};

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

/// What a run did to a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockStatus {
    /// It is running now.
    Running,
    /// It fired `port`; `summary` is `200 · 84 ms`, `timeout`, `unresolved {{auth}}`.
    Finished {
        /// The port it fired.
        port: String,
        /// One line for display.
        summary: String,
    },
}

/// A change the canvas asks the app to make after the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum CanvasRequest {
    /// Add a block of this kind at this graph position.
    Add(NewBlock, Pos2),
    /// Delete this block.
    Delete(NodeId),
    /// Duplicate this block.
    Duplicate(NodeId),
}

/// The egui-snarl viewer for Switchyard blocks.
pub struct CanvasViewer<'a> {
    /// The document's wires, kept in step with the graph.
    pub wires: &'a mut Vec<Wire>,
    /// What the last run did to each block, by block id.
    pub statuses: &'a HashMap<String, BlockStatus>,
    /// The selected block id.
    pub selected: Option<&'a str>,
    /// Changes for the app to apply.
    pub requests: Vec<CanvasRequest>,
    /// Whether a wire was added or removed this frame.
    pub wires_changed: bool,
    /// Graph → screen transform of this frame, for dropping palette blocks.
    pub to_global: TSTransform,
    /// A transform to apply this frame instead of the current one (fit to view).
    pub fit: Option<TSTransform>,
    /// Where each drawn block's header, body and ports landed on screen this frame
    /// (a click there selects the block).
    pub node_rects: HashMap<NodeId, egui::Rect>,
    /// Where each drawn port's label landed (graph space): the port sits just outside
    /// it. The app puts the marker of a wire that carried a value half-way between.
    pub input_rects: HashMap<InPinId, egui::Rect>,
    /// See `input_rects`.
    pub output_rects: HashMap<OutPinId, egui::Rect>,
}

fn method_color(method: &str) -> Color32 {
    match method {
        "GET" => Color32::from_rgb(0x3f, 0xb9, 0x50),
        "POST" => Color32::from_rgb(0xf5, 0xb0, 0x41),
        "PUT" | "PATCH" => Color32::from_rgb(0x5a, 0x9c, 0xf8),
        "DELETE" => Color32::from_rgb(0xe5, 0x48, 0x4d),
        _ => Color32::from_rgb(0xa0, 0x80, 0xe0),
    }
}

/// Whether a node at graph position `pos` is far outside the visible part of the
/// canvas. egui-snarl lays out every node every frame (it needs pin positions for the
/// wires); such nodes get only their pins, which keeps big flows cheap to draw.
fn far_offscreen(ui: &Ui, snarl: &Snarl<BlockNode>, node: NodeId) -> bool {
    snarl.get_node_info(node).is_some_and(|info| !ui.clip_rect().expand(480.0).contains(info.pos))
}

/// The transform that shows every block inside `view` (screen rect), at most at
/// scale 1. Block sizes are estimated: positions are all the graph knows before layout.
pub fn fit_transform(snarl: &Snarl<BlockNode>, view: egui::Rect) -> Option<TSTransform> {
    const BLOCK: egui::Vec2 = egui::vec2(380.0, 110.0);
    let bounds = snarl
        .nodes_pos_ids()
        .fold(egui::Rect::NOTHING, |rect, (_, pos, _)| rect.union(egui::Rect::from_min_size(pos, BLOCK)));
    if !bounds.is_positive() || !view.is_positive() {
        return None;
    }
    let view = view.shrink(24.0);
    let scale = (view.width() / bounds.width()).min(view.height() / bounds.height()).clamp(0.25, 1.0);
    let translation = view.center().to_vec2() - bounds.center().to_vec2() * scale;
    Some(TSTransform::new(translation, scale))
}

/// The block of `node`, unless it is far off-screen (then only its pins are drawn).
fn near_block<'s>(ui: &Ui, snarl: &'s Snarl<BlockNode>, node: NodeId) -> Option<&'s switchyard_flow::Block> {
    if far_offscreen(ui, snarl, node) {
        return None;
    }
    snarl.get_node(node).map(|n| &n.block)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

impl SnarlViewer<BlockNode> for CanvasViewer<'_> {
    fn title(&mut self, node: &BlockNode) -> String {
        node.block.id.clone()
    }

    fn node_frame(
        &mut self,
        default: egui::Frame,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        snarl: &Snarl<BlockNode>,
    ) -> egui::Frame {
        let Some(block) = snarl.get_node(node).map(|n| &n.block) else { return default };
        if self.statuses.get(&block.id) == Some(&BlockStatus::Running) {
            default.stroke(Stroke::new(2.5, RUNNING))
        } else if self.selected == Some(block.id.as_str()) {
            default.stroke(Stroke::new(2.0, SELECTED))
        } else {
            default
        }
    }

    fn show_header(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        snarl: &mut Snarl<BlockNode>,
    ) {
        let Some(block) = near_block(ui, snarl, node) else { return };
        let kind = match &block.kind {
            BlockKind::Start => "START",
            BlockKind::SendRequest(_) => "REQUEST",
            BlockKind::Log(_) => "LOG",
        };
        ui.horizontal(|ui| {
            ui.label(RichText::new(kind).small().weak());
            ui.label(RichText::new(&block.id).strong());
        });
        self.note(node, ui.min_rect());
    }

    fn has_body(&mut self, node: &BlockNode) -> bool {
        !matches!(node.block.kind, BlockKind::Start)
    }

    fn show_body(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        snarl: &mut Snarl<BlockNode>,
    ) {
        let Some(block) = near_block(ui, snarl, node) else { return };
        ui.vertical(|ui| {
            ui.set_max_width(260.0);
            match &block.kind {
                BlockKind::SendRequest(request) => {
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(&request.method).monospace().strong().color(method_color(&request.method)),
                        );
                        ui.label(RichText::new(shorten(&request.url, 30)).monospace()).on_hover_text(&request.url);
                    });
                }
                BlockKind::Log(log) => {
                    ui.label(RichText::new(log.label.as_deref().unwrap_or("Log")).italics());
                }
                BlockKind::Start => {}
            }
            match self.statuses.get(&block.id) {
                Some(BlockStatus::Running) => {
                    ui.label(RichText::new("running…").color(RUNNING));
                }
                Some(BlockStatus::Finished { port, summary }) if !summary.is_empty() => {
                    let color = match port.as_str() {
                        "success" => SUCCESS,
                        "failure" => FAILURE,
                        _ => NEUTRAL,
                    };
                    ui.label(RichText::new(summary).color(color).small());
                }
                _ => {}
            }
        });
        self.note(node, ui.min_rect());
    }

    fn inputs(&mut self, node: &BlockNode) -> usize {
        node.block.kind.inputs().len()
    }

    fn outputs(&mut self, node: &BlockNode) -> usize {
        node.block.kind.outputs().len()
    }

    fn show_input(&mut self, pin: &InPin, ui: &mut Ui, snarl: &mut Snarl<BlockNode>) -> impl SnarlPin + 'static {
        if !far_offscreen(ui, snarl, pin.id.node) {
            ui.label(RichText::new("in").small());
            self.note(pin.id.node, ui.min_rect());
            self.input_rects.insert(pin.id, ui.min_rect());
        }
        PinInfo::circle().with_fill(NEUTRAL)
    }

    fn show_output(&mut self, pin: &OutPin, ui: &mut Ui, snarl: &mut Snarl<BlockNode>) -> impl SnarlPin + 'static {
        let port = snarl.get_node(pin.id.node).and_then(|n| n.block.kind.outputs().get(pin.id.output).copied());
        if far_offscreen(ui, snarl, pin.id.node) {
            let color = match port {
                Some("success") => SUCCESS,
                Some("failure") => FAILURE,
                _ => NEUTRAL,
            };
            return PinInfo::circle().with_fill(color).with_wire_color(color);
        }
        let info = match port {
            Some("success") => {
                ui.label(RichText::new("Success").small().color(SUCCESS));
                PinInfo::circle().with_fill(SUCCESS).with_wire_color(SUCCESS)
            }
            Some("failure") => {
                ui.label(RichText::new("Failure").small().color(FAILURE));
                PinInfo::circle().with_fill(FAILURE).with_wire_color(FAILURE)
            }
            _ => {
                ui.label(RichText::new("out").small());
                PinInfo::circle().with_fill(NEUTRAL)
            }
        };
        self.note(pin.id.node, ui.min_rect());
        self.output_rects.insert(pin.id, ui.min_rect());
        info
    }

    fn connect(&mut self, from: &OutPin, to: &InPin, snarl: &mut Snarl<BlockNode>) {
        if Document::connect(snarl, self.wires, from.id, to.id) {
            self.wires_changed = true;
        }
    }

    fn disconnect(&mut self, from: &OutPin, to: &InPin, snarl: &mut Snarl<BlockNode>) {
        Document::disconnect(snarl, self.wires, from.id, to.id);
        self.wires_changed = true;
    }

    fn drop_outputs(&mut self, pin: &OutPin, snarl: &mut Snarl<BlockNode>) {
        for remote in pin.remotes.clone() {
            Document::disconnect(snarl, self.wires, pin.id, remote);
        }
        self.wires_changed = true;
    }

    fn drop_inputs(&mut self, pin: &InPin, snarl: &mut Snarl<BlockNode>) {
        for remote in pin.remotes.clone() {
            Document::disconnect(snarl, self.wires, remote, pin.id);
        }
        self.wires_changed = true;
    }

    fn has_graph_menu(&mut self, _pos: Pos2, _snarl: &mut Snarl<BlockNode>) -> bool {
        true
    }

    fn show_graph_menu(&mut self, pos: Pos2, ui: &mut Ui, _snarl: &mut Snarl<BlockNode>) {
        ui.label("Add block");
        for kind in NewBlock::ALL {
            if ui.button(kind.label()).clicked() {
                self.requests.push(CanvasRequest::Add(kind, pos));
                ui.close();
            }
        }
    }

    fn has_node_menu(&mut self, _node: &BlockNode) -> bool {
        true
    }

    fn show_node_menu(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        _snarl: &mut Snarl<BlockNode>,
    ) {
        if ui.button("Duplicate").clicked() {
            self.requests.push(CanvasRequest::Duplicate(node));
            ui.close();
        }
        if ui.button("Delete").clicked() {
            self.requests.push(CanvasRequest::Delete(node));
            ui.close();
        }
    }

    fn current_transform(&mut self, to_global: &mut TSTransform, _snarl: &mut Snarl<BlockNode>) {
        if let Some(fit) = self.fit.take() {
            *to_global = fit;
        }
        self.to_global = *to_global;
    }
}

impl CanvasViewer<'_> {
    fn note(&mut self, node: NodeId, rect: egui::Rect) {
        let entry = self.node_rects.entry(node).or_insert(rect);
        *entry = entry.union(rect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    #[test]
    fn fit_shows_every_block_inside_the_view_and_never_magnifies() {
        let flow = switchyard_flow::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../flows/openai-first-model.flow.json"
        )))
        .unwrap();
        let document = Document::from_flow(flow, None);
        let view = egui::Rect::from_min_size(Pos2::new(150.0, 30.0), egui::vec2(600.0, 400.0));
        let fit = fit_transform(&document.snarl, view).unwrap();
        assert!(fit.scaling <= 1.0 && fit.scaling > 0.25, "{}", fit.scaling);
        for (_, pos, _) in document.snarl.nodes_pos_ids() {
            let corner = fit * (pos + egui::vec2(380.0, 110.0));
            assert!(view.contains(fit * pos) && view.contains(corner), "{pos:?} is outside the view");
        }
        let wide = egui::Rect::from_min_size(Pos2::ZERO, egui::vec2(5000.0, 5000.0));
        assert_eq!(fit_transform(&document.snarl, wide).unwrap().scaling, 1.0);
    }
}
