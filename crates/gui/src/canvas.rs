//! The canvas: how blocks, ports and wires look and behave in egui-snarl.
//!
//! [`CanvasViewer`] decides each block's title, body and pins (Success green, Failure
//! red), which connections are allowed (`wiring.rs`: an output to an input, once; the
//! ports a dragged wire may end at are ringed, a refused drop says why, a drop on the
//! empty canvas offers the blocks that fit, wired), the right-click menus, and what a
//! run left on each block and wire. It
//! changes nothing itself: it queues [`Action`]s (add, delete, wire, unwire…) that the
//! app applies after the frame, so every change goes through one place.

use std::collections::{HashMap, HashSet};

use egui::emath::TSTransform;
use egui::{Color32, Pos2, RichText, Stroke, Ui};
use egui_snarl::ui::{AnyPin, AnyPins, PinInfo, SnarlPin, SnarlViewer};
use egui_snarl::{InPin, InPinId, NodeId, OutPin, OutPinId, Snarl};
use switchyard_flow::{BlockKind, Port};

use crate::action::Action;
use crate::document::{BlockNode, NewBlock};
use crate::look::{NEUTRAL, RUNNING, SELECTED, shorten};
use crate::wiring::DraggedFrom;

/// What a block whose expression failed shows under its fields.
const EXPRESSION_ERROR: &str = "expression error";

/// What a run did to a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockStatus {
    /// It is running now.
    Running,
    /// It fired `port`; `summary` is `200 · 84 ms`, `timeout`, `unresolved {{auth}}`.
    Finished {
        /// The port it fired.
        port: Port,
        /// One line for display.
        summary: String,
    },
    /// It was running when the run was stopped.
    Cancelled,
    /// It could not run: an expression of `field` failed (nothing was fired).
    Failed {
        /// The field whose expression failed (`condition`, `checks[0]`).
        field: String,
        /// What went wrong.
        message: String,
    },
}

/// The egui-snarl viewer for Switchyard blocks.
pub struct CanvasViewer<'a> {
    /// What the last run did to each block, by block id.
    pub statuses: &'a HashMap<String, BlockStatus>,
    /// The selected block id.
    pub selected: Option<&'a str>,
    /// The blocks edited since the last run: their results are stale.
    pub stale: &'a HashSet<String>,
    /// Whether every result shown is from an earlier run (the last Run did not start).
    pub earlier: bool,
    /// The blocks on a wired loop (marked in their header).
    pub loops: &'a HashSet<String>,
    /// The wire under the pointer this frame, if any.
    pub hovered_wire: Option<(OutPinId, InPinId)>,
    /// Changes for the app to apply after the frame.
    pub actions: &'a mut Vec<Action>,
    /// Graph → screen transform of this frame, for dropping palette blocks.
    pub to_global: TSTransform,
    /// A transform to apply this frame instead of the current one (fit to view).
    pub fit: Option<TSTransform>,
    /// Where each drawn block's header, body and ports landed this frame (graph space;
    /// the app reports them on screen through `SwitchyardApp::block_rect`).
    pub node_rects: HashMap<NodeId, egui::Rect>,
    /// The point half-way along each wire drawn this frame (graph space, as egui-snarl
    /// drew it: between its pins where they are, collapsed blocks and zoomed-out ones
    /// included, around the block for a self-wire). A wire that carried a value gets
    /// its marker there.
    pub wire_middles: HashMap<(OutPinId, InPinId), Pos2>,
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

/// Below this canvas scale text is unreadable: blocks are drawn as plain coloured
/// rects with their ports as dots (egui-snarl's level of detail).
pub const LOD_SCALE: f32 = 0.4;
/// The smallest scale a flow opens at to fit in view (text on blocks stays readable);
/// a flow that needs less opens at [`OPEN_SCALE`] on its Start block instead.
pub const MIN_FIT_SCALE: f32 = OPEN_SCALE;
/// The scale a flow too big to fit readably opens at: the canvas's small text
/// ([`crate::theme::CANVAS_SMALL`]) is then the UI's small size.
pub const OPEN_SCALE: f32 = crate::theme::UI_SMALL / crate::theme::CANVAS_SMALL;
/// How far the user may zoom out: far enough to see a 1,000-block flow whole.
pub const MIN_SCALE: f32 = 0.05;
/// A typical block's size, for placing a flow before it is laid out.
const ESTIMATED_BLOCK: egui::Vec2 = egui::vec2(380.0, 110.0);
/// Room left between the flow and the view's edges when placing it.
const FIT_MARGIN: f32 = 24.0;

/// Where blocks are estimated to be (their positions and a typical size): all the
/// graph knows before layout.
fn estimated_bounds(snarl: &Snarl<BlockNode>) -> egui::Rect {
    snarl
        .nodes_pos_ids()
        .fold(egui::Rect::NOTHING, |rect, (_, pos, _)| rect.union(egui::Rect::from_min_size(pos, ESTIMATED_BLOCK)))
}

/// The transform that shows every block inside `view` (screen rect), centred, at most
/// at scale 1 and at least at [`MIN_SCALE`].
pub fn whole_flow_transform(snarl: &Snarl<BlockNode>, view: egui::Rect) -> Option<TSTransform> {
    let bounds = estimated_bounds(snarl);
    if !bounds.is_positive() || !view.is_positive() {
        return None;
    }
    let view = view.shrink(FIT_MARGIN);
    let scale = (view.width() / bounds.width()).min(view.height() / bounds.height()).clamp(MIN_SCALE, 1.0);
    let translation = view.center().to_vec2() - bounds.center().to_vec2() * scale;
    Some(TSTransform::new(translation, scale))
}

/// The transform a flow opens with in `view` (screen rect): the whole flow if it fits
/// at scale [`MIN_FIT_SCALE`] or more (never magnified beyond 1); otherwise scale
/// [`OPEN_SCALE`] showing the flow's top-left corner, or the Start block if it would
/// be out of view there, and as much of the flow as possible. Block sizes are
/// estimated: positions are all the graph knows before layout.
pub fn fit_transform(snarl: &Snarl<BlockNode>, view: egui::Rect) -> Option<TSTransform> {
    let whole = whole_flow_transform(snarl, view)?;
    if whole.scaling >= MIN_FIT_SCALE {
        return Some(whole);
    }
    let bounds = estimated_bounds(snarl);
    let view = view.shrink(FIT_MARGIN);
    // Too big to read whole: the part of the graph `view` shows at OPEN_SCALE. It starts
    // at the flow's top-left corner, or if the Start block would be out of view there,
    // at the Start block, kept inside the flow's bounds.
    let shown = view.size() / OPEN_SCALE;
    let start = snarl
        .nodes_pos_ids()
        .find(|(_, _, node)| matches!(node.block.kind, BlockKind::Start(_)))
        .map_or(bounds.min, |(_, pos, _)| pos);
    let place = |start: f32, block: f32, min: f32, max: f32, len: f32| {
        let origin = if start + block <= min + len { min } else { start };
        origin.min(max - len).max(min)
    };
    let min = Pos2::new(
        place(start.x, ESTIMATED_BLOCK.x, bounds.min.x, bounds.max.x, shown.x),
        place(start.y, ESTIMATED_BLOCK.y, bounds.min.y, bounds.max.y, shown.y),
    );
    let translation = view.min.to_vec2() - min.to_vec2() * OPEN_SCALE;
    Some(TSTransform::new(translation, OPEN_SCALE))
}

/// A port's label, whole: it never wraps or is cut short (the block grows to hold it;
/// wrapped in a narrow pin column, `Success` showed as `Succes` beside its circle).
fn port_label_ui(ui: &mut Ui, text: RichText) {
    ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend));
}

/// The block of `node`.
fn block_of(snarl: &Snarl<BlockNode>, node: NodeId) -> Option<&switchyard_flow::Block> {
    snarl.get_node(node).map(|n| &n.block)
}

/// A block's colour when zoomed out too far to read it: Send Request blocks in their
/// method's colour, Start and Log blocks in their own, all muted against the canvas.
fn lod_fill(kind: &BlockKind) -> Color32 {
    let color = match kind {
        BlockKind::SendRequest(request) => method_color(&request.method),
        other => crate::blocks::accent(other),
    };
    Color32::from_gray(27).lerp_to_gamma(color, 0.6)
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
        let Some(block) = block_of(snarl, node) else { return };
        let tag = crate::blocks::tag(&block.kind);
        let on_loop = self.loops.contains(&block.id);
        ui.horizontal(|ui| {
            ui.label(crate::theme::canvas_small(tag).color(ui.visuals().weak_text_color()));
            ui.label(RichText::new(&block.id).strong());
            if on_loop {
                ui.label(crate::theme::canvas_small("⟳ loop").color(crate::theme::running_text(ui.visuals())))
                    .on_hover_text(
                        "This block is on a loop: its wires lead back to it. A run goes round until a \
                     branch leaves the loop, or stops at the step limit.",
                    );
            }
        });
        self.note(node, ui.min_rect());
    }

    fn node_lod_fill(&mut self, _default: Color32, node: NodeId, snarl: &Snarl<BlockNode>) -> Color32 {
        let Some(block) = block_of(snarl, node) else { return NEUTRAL };
        lod_fill(&block.kind)
    }

    fn has_body(&mut self, node: &BlockNode) -> bool {
        !matches!(node.block.kind, BlockKind::Start(_))
    }

    fn show_body(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        snarl: &mut Snarl<BlockNode>,
    ) {
        let Some(block) = block_of(snarl, node) else { return };
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
                other => crate::blocks::body_ui(ui, other),
            }
            let edited = self.stale.contains(&block.id);
            let stale = edited || self.earlier;
            let (stale_note, stale_hover) = if edited {
                ("before the edit", "The block changed since this run. Run the flow again to see a fresh result.")
            } else {
                (
                    "earlier run",
                    "The last Run did not start (the console says why): this result is from an earlier run.",
                )
            };
            // The result: its text, the port whose colour it takes, and what hovering says.
            let result = match self.statuses.get(&block.id) {
                Some(BlockStatus::Running) => {
                    ui.label(crate::theme::canvas_small("running…").color(crate::theme::running_text(ui.visuals())));
                    None
                }
                Some(BlockStatus::Cancelled) => {
                    ui.label(crate::theme::canvas_small("cancelled").color(crate::theme::running_text(ui.visuals())));
                    None
                }
                Some(BlockStatus::Finished { port, summary }) if !summary.is_empty() => {
                    Some((summary.as_str(), *port, None))
                }
                Some(BlockStatus::Failed { field, message }) => {
                    Some((EXPRESSION_ERROR, Port::Failure, Some(format!("{field}: {message}"))))
                }
                Some(BlockStatus::Finished { .. }) | None => None,
            };
            if let Some((summary, port, detail)) = result {
                if stale {
                    let text = crate::theme::canvas_small(format!("{summary} · {stale_note}"));
                    ui.label(text.color(ui.visuals().weak_text_color()).strikethrough()).on_hover_text(stale_hover);
                } else {
                    let color = crate::blocks::port_text_color(port, ui.visuals());
                    let label = ui.label(crate::theme::canvas_small(summary).color(color));
                    if let Some(detail) = detail {
                        label.on_hover_text(detail);
                    }
                }
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

    fn show_input(&mut self, pin: &InPin, ui: &mut Ui, _snarl: &mut Snarl<BlockNode>) -> impl SnarlPin + 'static {
        // A little room between the port's circle (left) and its label.
        ui.add_space(3.0);
        port_label_ui(ui, crate::theme::canvas_small(Port::In.as_str()).color(ui.visuals().text_color()));
        self.note(pin.id.node, ui.min_rect());
        PinInfo::circle().with_fill(NEUTRAL)
    }

    fn show_output(&mut self, pin: &OutPin, ui: &mut Ui, snarl: &mut Snarl<BlockNode>) -> impl SnarlPin + 'static {
        let port = snarl.get_node(pin.id.node).and_then(|n| n.block.kind.outputs().get(pin.id.output).copied());
        // Output rows are laid out right to left: room between the label and the circle.
        ui.add_space(3.0);
        let info = match port {
            Some(port) if port != Port::Out => {
                let color = crate::blocks::port_color(port);
                let text = crate::blocks::port_text_color(port, ui.visuals());
                port_label_ui(ui, crate::theme::canvas_small(crate::blocks::port_label(port)).color(text));
                PinInfo::circle().with_fill(color).with_wire_color(color)
            }
            _ => {
                port_label_ui(ui, crate::theme::canvas_small(Port::Out.as_str()).color(ui.visuals().text_color()));
                PinInfo::circle().with_fill(NEUTRAL)
            }
        };
        self.note(pin.id.node, ui.min_rect());
        info
    }

    fn connect(&mut self, from: &OutPin, to: &InPin, _snarl: &mut Snarl<BlockNode>) {
        self.actions.push(Action::Connect { from: from.id, to: to.id });
    }

    fn can_connect(&mut self, from: &OutPin, to: &InPin, _snarl: &Snarl<BlockNode>) -> bool {
        crate::wiring::can_connect(from, to)
    }

    fn dropped_wire_on_pin(&mut self, src_pins: AnyPins, pin: AnyPin, snarl: &mut Snarl<BlockNode>) {
        self.actions.push(Action::Refused(crate::wiring::drop_problem(snarl, &src_pins, pin)));
    }

    fn has_dropped_wire_menu(&mut self, _src_pins: AnyPins, _snarl: &mut Snarl<BlockNode>) -> bool {
        true
    }

    fn show_dropped_wire_menu(&mut self, pos: Pos2, ui: &mut Ui, src_pins: AnyPins, snarl: &mut Snarl<BlockNode>) {
        let from = DraggedFrom::of(&src_pins);
        let source = match &src_pins {
            AnyPins::Out(pins) => pins.first().map(|pin| AnyPin::Out(*pin)),
            AnyPins::In(pins) => pins.first().map(|pin| AnyPin::In(*pin)),
        };
        if let Some(source) = source {
            let name = crate::wiring::port_name(snarl, source);
            ui.label(RichText::new(format!("Add a block wired to {name}")).small().weak());
        }
        let has_start = snarl.nodes().any(|node| matches!(node.block.kind, BlockKind::Start(_)));
        for kind in NewBlock::all().filter(|kind| crate::wiring::fits(*kind, &from, has_start)) {
            if ui.button(kind.label()).on_hover_text(kind.0.description).clicked() {
                self.actions.push(Action::AddWiredBlock { kind, at: pos, from: from.clone() });
                ui.close();
            }
        }
    }

    fn wire_middle(&mut self, from: OutPinId, to: InPinId, middle: Pos2) {
        self.wire_middles.insert((from, to), middle);
    }

    fn disconnect(&mut self, from: &OutPin, to: &InPin, _snarl: &mut Snarl<BlockNode>) {
        self.actions.push(Action::Disconnect { from: from.id, to: to.id });
    }

    fn wire_secondary_clicked(&mut self, from: &OutPin, to: &InPin, pos: Pos2, _snarl: &mut Snarl<BlockNode>) {
        self.actions.push(Action::OpenWireMenu { from: from.id, to: to.id, at: pos });
    }

    fn hovered_wire(&mut self, from: OutPinId, to: InPinId) {
        self.hovered_wire = Some((from, to));
    }

    fn drop_outputs(&mut self, pin: &OutPin, _snarl: &mut Snarl<BlockNode>) {
        for &remote in &pin.remotes {
            self.actions.push(Action::Disconnect { from: pin.id, to: remote });
        }
    }

    fn drop_inputs(&mut self, pin: &InPin, _snarl: &mut Snarl<BlockNode>) {
        for &remote in &pin.remotes {
            self.actions.push(Action::Disconnect { from: remote, to: pin.id });
        }
    }

    fn has_graph_menu(&mut self, _pos: Pos2, _snarl: &mut Snarl<BlockNode>) -> bool {
        true
    }

    fn show_graph_menu(&mut self, pos: Pos2, ui: &mut Ui, _snarl: &mut Snarl<BlockNode>) {
        ui.label("Add block");
        for kind in NewBlock::all() {
            if ui.button(kind.label()).clicked() {
                self.actions.push(Action::AddBlock { kind, at: pos });
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
        snarl: &mut Snarl<BlockNode>,
    ) {
        let Some(block) = block_of(snarl, node) else { return };
        let is_request = matches!(block.kind, BlockKind::SendRequest(_));
        if is_request && ui.button("Copy as curl").clicked() {
            self.actions.push(Action::CopyAsCurl(block.id.clone()));
            ui.close();
        }
        if ui.button("Duplicate").clicked() {
            self.actions.push(Action::DuplicateBlock(block.id.clone()));
            ui.close();
        }
        if ui.button("Delete").clicked() {
            self.actions.push(Action::DeleteBlock(block.id.clone()));
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
    fn text_on_blocks_is_at_least_the_ui_small_size_at_the_scale_a_flow_opens_at() {
        for scale in [MIN_FIT_SCALE, OPEN_SCALE] {
            assert!(crate::theme::CANVAS_SMALL * scale >= crate::theme::UI_SMALL - 1e-3, "at {scale}");
        }
    }

    #[test]
    fn fit_shows_every_block_inside_the_view_and_never_magnifies() {
        let flow = switchyard_flow::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../flows/welcome.flow.json"
        )))
        .unwrap();
        let document = Document::from_flow(flow, None);
        // The canvas of a 1280 × 800 window.
        let view = egui::Rect::from_min_size(Pos2::new(150.0, 30.0), egui::vec2(960.0, 540.0));
        let fit = fit_transform(&document.snarl, view).unwrap();
        assert!(fit.scaling <= 1.0 && fit.scaling >= MIN_FIT_SCALE, "{}", fit.scaling);
        for (_, pos, _) in document.snarl.nodes_pos_ids() {
            let corner = fit * (pos + egui::vec2(380.0, 110.0));
            assert!(view.contains(fit * pos) && view.contains(corner), "{pos:?} is outside the view");
        }
        let wide = egui::Rect::from_min_size(Pos2::ZERO, egui::vec2(5000.0, 5000.0));
        assert_eq!(fit_transform(&document.snarl, wide).unwrap().scaling, 1.0);
    }

    /// A chain of `blocks` on a grid of `columns`, 360 × 140 apart, Start at `start`.
    fn grid(blocks: usize, columns: usize, start: [f32; 2]) -> Document {
        let mut flow = switchyard_flow::Flow::new("grid");
        flow.blocks[0].at = start;
        for i in 1..blocks {
            let at = [(i % columns) as f32 * 360.0, (i / columns) as f32 * 140.0];
            let kind = BlockKind::SendRequest(switchyard_flow::SendRequest::new("http://127.0.0.1:9/"));
            flow.blocks.push(switchyard_flow::Block { id: format!("r{i}"), at, kind });
        }
        Document::from_flow(flow, None)
    }

    fn start_pos(document: &Document) -> Pos2 {
        let start = document.node_of("start").unwrap();
        document.snarl.get_node_info(start).unwrap().pos
    }

    #[test]
    fn a_flow_that_only_fits_unreadably_opens_readable_at_its_start_block() {
        let view = egui::Rect::from_min_size(Pos2::new(150.0, 30.0), egui::vec2(960.0, 540.0));
        let document = grid(1000, 20, [0.0, 0.0]);
        let open = fit_transform(&document.snarl, view).unwrap();
        assert_eq!(open.scaling, OPEN_SCALE);
        let start = egui::Rect::from_min_size(start_pos(&document), egui::vec2(380.0, 110.0));
        assert!(view.contains_rect(open * start), "the Start block is in view: {:?}", open * start);
        assert!((open * start.min - view.min).length() < 40.0, "at the view's top-left corner");

        // A Start block below the first screenful: the view starts at it.
        let document = grid(1000, 20, [0.0, 20.0 * 140.0]);
        let open = fit_transform(&document.snarl, view).unwrap();
        let start = egui::Rect::from_min_size(start_pos(&document), egui::vec2(380.0, 110.0));
        assert!((open * start.min - view.min).length() < 40.0, "at the view's top-left corner");

        // A Start block at the flow's bottom-right: the view stays over the flow.
        let document = grid(1000, 20, [19.0 * 360.0, 49.0 * 140.0]);
        let open = fit_transform(&document.snarl, view).unwrap();
        let start = egui::Rect::from_min_size(start_pos(&document), egui::vec2(380.0, 110.0));
        assert!(view.contains_rect(open * start), "the Start block is in view: {:?}", open * start);
        assert!((open * start.max - view.max).length() < 40.0, "at the view's bottom-right corner");

        // Showing the whole flow zooms out past the level-of-detail scale.
        let whole = whole_flow_transform(&document.snarl, view).unwrap();
        assert!(whole.scaling < LOD_SCALE && whole.scaling >= MIN_SCALE, "{}", whole.scaling);
        for (_, pos, _) in document.snarl.nodes_pos_ids() {
            assert!(view.contains_rect(whole * egui::Rect::from_min_size(pos, egui::vec2(380.0, 110.0))));
        }
    }

    #[test]
    fn a_flow_that_fits_readably_opens_whole_and_one_that_does_not_opens_readable() {
        let view = egui::Rect::from_min_size(Pos2::new(150.0, 30.0), egui::vec2(960.0, 540.0));
        // 2 × 2 blocks: 740 × 250 graph points fit at scale 1.
        let document = grid(4, 2, [0.0, 0.0]);
        let open = fit_transform(&document.snarl, view).unwrap();
        assert!(open.scaling >= MIN_FIT_SCALE, "{}", open.scaling);
        assert_eq!(open, whole_flow_transform(&document.snarl, view).unwrap());
        // 3 × 2 blocks: 1,100 × 250 would fit at about 0.83, where text on blocks is
        // smaller than the UI's (it used to open so, down to 0.5): readable instead.
        let document = grid(6, 3, [0.0, 0.0]);
        assert!(whole_flow_transform(&document.snarl, view).unwrap().scaling < MIN_FIT_SCALE);
        assert_eq!(fit_transform(&document.snarl, view).unwrap().scaling, OPEN_SCALE);
    }
}
