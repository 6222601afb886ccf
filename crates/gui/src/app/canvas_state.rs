//! The canvas part (`CanvasState`): how the canvas is viewed (its graph → screen
//! transform, a pending fit or zoom), what is selected, where blocks and the hovered wire
//! were drawn last frame, the open wire menu, a block dragged from the palette, and what
//! Copy put on the clipboard. It draws the palette, the canvas (egui-snarl, whose viewer
//! queues actions), the wire menu, the zoom corner and a palette drag; the edits those
//! actions make are the app's (`canvas_view.rs`, `wires.rs`).

use std::collections::HashMap;

use egui::emath::TSTransform;
use egui::{Color32, Pos2, RichText, Ui, Vec2};
use egui_snarl::ui::{SnarlStyle, SnarlWidget, get_selected_nodes};
use egui_snarl::{InPinId, OutPinId};
use switchyard_flow::Wire;

use super::run_view::RunView;
use super::{Action, PASTE_OFFSET};
use crate::canvas::CanvasViewer;
use crate::document::{Document, NewBlock};

/// egui's id of the canvas widget (its selection is kept under it).
const CANVAS_ID: &str = "switchyard-canvas";

/// How the canvas places the flow when asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Fit {
    /// As a flow opens: whole if readable, else readable from its Start block.
    Open,
    /// Every block in view, however small.
    Whole,
    /// Zoomed in (factor above 1) or out around the canvas's centre.
    Zoom(f32),
}

/// The menu of a right-clicked wire: Delete, Insert Log here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct WireMenu {
    pub(super) from: OutPinId,
    pub(super) to: InPinId,
    /// Where it was clicked, in graph coordinates.
    pub(super) at: Pos2,
}

/// Where the wires' middles were drawn this frame (graph space), by their pins.
pub(super) type WireMiddles = HashMap<(egui_snarl::OutPinId, egui_snarl::InPinId), Pos2>;

/// How the canvas is viewed and what is selected on it.
pub(super) struct CanvasState {
    /// The graph → screen transform of the last frame.
    pub(super) to_global: TSTransform,
    /// Where the canvas was on screen last frame (a paste lands at the pointer over it).
    rect: Option<egui::Rect>,
    /// What the snarl widget had selected last frame (to notice changes).
    snarl_selection: Vec<egui_snarl::NodeId>,
    /// The block shown in the inspector.
    pub(super) selected: Option<String>,
    /// How to place the flow in the canvas on the next frame (after opening one, or
    /// when asked to show it whole).
    pub(super) fit_pending: Option<Fit>,
    /// Where each block was drawn on screen last frame, by block id.
    pub(super) node_rects: HashMap<String, egui::Rect>,
    /// The wire under the pointer last frame.
    pub(super) hovered_wire: Option<Wire>,
    /// The open menu of a right-clicked wire.
    pub(super) wire_menu: Option<WireMenu>,
    /// The block being dragged from the palette.
    palette_drag: Option<NewBlock>,
    /// What Copy put on the clipboard (the flow format), and how often it was pasted.
    clipboard: Option<String>,
    pastes: u32,
    /// The block id field's text while it is edited: (the block's id, the text).
    pub(super) id_draft: Option<(String, String)>,
}

impl Default for CanvasState {
    fn default() -> Self {
        Self {
            to_global: TSTransform::IDENTITY,
            rect: None,
            snarl_selection: Vec::new(),
            selected: None,
            fit_pending: Some(Fit::Open),
            node_rects: HashMap::new(),
            hovered_wire: None,
            wire_menu: None,
            palette_drag: None,
            clipboard: None,
            pastes: 0,
            id_draft: None,
        }
    }
}

impl CanvasState {
    /// The palette: the block types, grouped; dragging one onto the canvas adds it.
    pub(super) fn palette_ui(&mut self, ui: &mut Ui) {
        ui.heading("Blocks");
        ui.label(RichText::new("Drag onto the canvas, or right-click the canvas.").small().weak());
        ui.add_space(6.0);
        for group in switchyard_flow::Group::ALL {
            ui.label(RichText::new(group.label()).small().strong());
            for kind in NewBlock::all().filter(|k| k.0.group == group) {
                let id = egui::Id::new(("palette", kind.label()));
                let entry = egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_min_width(ui.available_width());
                    ui.label(kind.label());
                });
                // Any drag that starts on an entry carries its block, however quick: the
                // drag belongs to the widget it started on, wherever the pointer is now.
                let response = ui
                    .interact(entry.response.rect, id, egui::Sense::click_and_drag())
                    .on_hover_cursor(egui::CursorIcon::Grab)
                    .on_hover_text(kind.0.description);
                if response.drag_started() || (response.dragged() && self.palette_drag.is_none()) {
                    self.palette_drag = Some(kind);
                }
                ui.add_space(2.0);
            }
            ui.add_space(6.0);
        }
    }

    /// The flow on the canvas (egui-snarl), with what the last run left on it; notes
    /// where blocks and the hovered wire were drawn. Returns the widget's response and
    /// where each wire's middle was drawn, for the markers of carried values.
    pub(super) fn graph_ui(
        &mut self,
        ui: &mut Ui,
        document: &mut Document,
        run: &RunView,
        actions: &mut Vec<Action>,
    ) -> (egui::Response, WireMiddles) {
        self.rect = Some(ui.max_rect());
        let loops = crate::loops::blocks_on_loops(&document.wires);
        let mut viewer = CanvasViewer {
            statuses: &run.statuses,
            stale: &run.stale,
            earlier: run.earlier,
            loops: &loops,
            hovered_wire: None,
            wire_middles: HashMap::new(),
            selected: self.selected.as_deref(),
            actions,
            to_global: self.to_global,
            node_rects: HashMap::new(),
            fit: match self.fit_pending.take() {
                Some(Fit::Open) => crate::canvas::fit_transform(&document.snarl, ui.max_rect()),
                Some(Fit::Whole) => crate::canvas::whole_flow_transform(&document.snarl, ui.max_rect()),
                Some(Fit::Zoom(factor)) => Some(zoomed(self.to_global, factor, ui.max_rect().center())),
                None => None,
            },
        };
        // Text on blocks is not selectable: a drag on a label moves the block.
        ui.style_mut().interaction.selectable_labels = false;
        let response = SnarlWidget::new()
            .id(egui::Id::new(CANVAS_ID))
            .style(canvas_style(ui.visuals().dark_mode))
            .show(&mut document.snarl, &mut viewer, ui);
        self.to_global = viewer.to_global;
        let hovered = viewer.hovered_wire;
        self.hovered_wire = hovered.and_then(|(from, to)| crate::document::wire_between(&document.snarl, from, to));
        // Blocks are laid out in graph coordinates; the canvas layer maps them to the screen.
        let to_global = self.to_global;
        let (node_rects, middles) = (viewer.node_rects, viewer.wire_middles);
        self.node_rects = node_rects
            .into_iter()
            .filter_map(|(node, rect)| Some((document.snarl.get_node(node)?.block.id.clone(), to_global * rect)))
            .collect();
        (response, middles)
    }

    /// What is drawn over the canvas after the flow: the wire menu, the zoom corner, a
    /// block dragged from the palette; and what the frame's clicks, selection and drags
    /// ask for.
    pub(super) fn overlays_ui(
        &mut self,
        ui: &mut Ui,
        response: &egui::Response,
        document: &Document,
        actions: &mut Vec<Action>,
    ) {
        self.wire_menu_ui(ui, document, actions);
        if response.clicked_by(egui::PointerButton::Primary) {
            actions.push(Action::Deselect);
        }
        self.zoom_ui(ui, actions);
        self.palette_drop(ui, actions);
        let selection = get_selected_nodes(egui::Id::new(CANVAS_ID), ui.ctx());
        if selection != self.snarl_selection {
            if let Some(node) = selection.last().and_then(|n| document.snarl.get_node(*n)) {
                actions.push(Action::Select(node.block.id.clone()));
            }
            self.snarl_selection = selection;
        }
        // Moving a block changes the flow without a callback: check when a drag ends.
        if ui.input(|i| i.pointer.any_released()) {
            actions.push(Action::DragEnded);
        }
    }

    /// The menu of a right-clicked wire, at the click: Delete, Insert Log here.
    fn wire_menu_ui(&mut self, ui: &mut Ui, document: &Document, actions: &mut Vec<Action>) {
        let Some(menu) = self.wire_menu else { return };
        let wire = crate::document::wire_between(&document.snarl, menu.from, menu.to);
        let Some(wire) = wire.filter(|wire| document.wires.contains(wire)) else {
            self.wire_menu = None;
            return;
        };
        let at = self.to_global * menu.at;
        let area = egui::Area::new(egui::Id::new("switchyard-wire-menu"))
            .order(egui::Order::Foreground)
            .fixed_pos(at)
            .show(ui.ctx(), |ui| {
                egui::Frame::menu(ui.style()).show(ui, |ui| {
                    ui.label(
                        RichText::new(format!("{} {} → {}", wire.from.block, wire.from.port.as_str(), wire.to.block))
                            .small()
                            .weak(),
                    );
                    if ui.button("Delete wire").clicked() {
                        actions.push(Action::Disconnect { from: menu.from, to: menu.to });
                        self.wire_menu = None;
                    }
                    if ui.button("Insert Log here").clicked() {
                        actions.push(Action::InsertLog { from: menu.from, to: menu.to, at: menu.at });
                        self.wire_menu = None;
                    }
                });
            });
        let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
        if area.response.clicked_elsewhere() || escape {
            self.wire_menu = None;
        }
    }

    /// The zoom buttons and the zoom level, over the canvas's bottom-left corner: an
    /// area in the middle order, above the panels but under any window that opened
    /// after it (the response viewer, the variables panel), not in the foreground.
    fn zoom_ui(&self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let corner = ui.max_rect().left_bottom() + Vec2::new(8.0, -8.0);
        let scale = self.to_global.scaling;
        egui::Area::new(egui::Id::new("switchyard-zoom"))
            .pivot(egui::Align2::LEFT_BOTTOM)
            .fixed_pos(corner)
            .order(egui::Order::Middle)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).inner_margin(4).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui.small_button("−").on_hover_text("Zoom out").clicked() {
                            actions.push(Action::Zoom(1.0 / ZOOM_STEP));
                        }
                        ui.label(RichText::new(zoom_text(scale)).small().monospace())
                            .on_hover_text("Ctrl+scroll zooms; double-click the background to see the whole flow");
                        if ui.small_button("+").on_hover_text("Zoom in").clicked() {
                            actions.push(Action::Zoom(ZOOM_STEP));
                        }
                        if ui.small_button("Fit").on_hover_text("Show the whole flow").clicked() {
                            actions.push(Action::ShowWholeFlow);
                        }
                    });
                });
            });
    }

    /// A block dragged from the palette: drawn under the pointer, added where it is
    /// released over the canvas (released elsewhere, nothing happens).
    fn palette_drop(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(kind) = self.palette_drag else { return };
        let pointer = ui.ctx().pointer_latest_pos();
        if let Some(pos) = pointer {
            let layer = egui::LayerId::new(egui::Order::Tooltip, egui::Id::new("switchyard-palette-drag"));
            let painter = ui.ctx().layer_painter(layer);
            let text = format!("+ {}", kind.label());
            let galley =
                painter.layout_no_wrap(text, egui::FontId::proportional(14.0), ui.visuals().strong_text_color());
            let rect = egui::Rect::from_min_size(pos + Vec2::new(8.0, 8.0), galley.size()).expand(6.0);
            painter.rect_filled(rect, 4.0, ui.visuals().window_fill);
            painter.rect_stroke(rect, 4.0, ui.visuals().window_stroke, egui::StrokeKind::Inside);
            painter.galley(rect.min + Vec2::splat(6.0), galley, Color32::PLACEHOLDER);
            ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
        }
        if ui.input(|i| i.pointer.any_released() || !i.pointer.any_down()) {
            self.palette_drag = None;
            if let Some(pos) = pointer.filter(|pos| ui.max_rect().contains(*pos)) {
                actions.push(Action::AddBlock { kind, at: self.to_global.inverse() * pos });
            }
        }
    }

    /// Notes what Copy put on the clipboard (the flow format): pastes of it start again
    /// beside the copied blocks.
    pub(super) fn copied(&mut self, text: String) {
        self.clipboard = Some(text);
        self.pastes = 0;
    }

    /// What Copy put on the clipboard, if anything.
    pub(super) fn copied_text(&self) -> Option<&str> {
        self.clipboard.as_deref()
    }

    /// How far pasted blocks move from where they were (`corner`: their top-left, graph
    /// space): to the pointer when it is over the canvas, else beside where they were
    /// copied from, a step further each time.
    pub(super) fn paste_offset(&mut self, ctx: &egui::Context, corner: Option<Pos2>) -> Vec2 {
        self.pastes += 1;
        let pointer = ctx.pointer_latest_pos().filter(|p| self.rect.is_some_and(|rect| rect.contains(*p)));
        match (pointer, corner) {
            (Some(pointer), Some(corner)) => self.to_global.inverse() * pointer - corner,
            _ => PASTE_OFFSET * self.pastes as f32,
        }
    }

    /// The blocks selected on the canvas, else the one in the inspector.
    pub(super) fn selected_nodes(&self, document: &Document, ctx: &egui::Context) -> Vec<egui_snarl::NodeId> {
        let mut nodes = get_selected_nodes(egui::Id::new(CANVAS_ID), ctx);
        nodes.retain(|node| document.snarl.get_node(*node).is_some());
        if nodes.is_empty()
            && let Some(node) = self.selected.as_deref().and_then(|id| document.node_of(id))
        {
            nodes.push(node);
        }
        nodes
    }
}

fn canvas_style(dark_mode: bool) -> SnarlStyle {
    let mut style = SnarlStyle::new();
    let grid = if dark_mode { Color32::from_gray(45) } else { Color32::from_gray(218) };
    style.bg_pattern_stroke = Some(egui::Stroke::new(1.0, grid));
    style.lod_scale = Some(crate::canvas::LOD_SCALE);
    style.min_scale = Some(crate::canvas::MIN_SCALE);
    // Wires are easy to hover and right-click: a band of about 10 points.
    style.wire_hit_distance = Some(5.0);
    // While a new wire is dragged, the ports it may connect to are ringed in the accent.
    style.wire_target_stroke = Some(egui::Stroke::new(2.0, crate::look::SELECTED));
    style
}

/// How much one click on a zoom button zooms.
const ZOOM_STEP: f32 = 1.25;
/// The most the zoom buttons magnify (egui-snarl's own limit).
const MAX_ZOOM: f32 = 2.0;

/// `to_global` zoomed by `factor` around `center` (screen), within the canvas's limits.
fn zoomed(to_global: TSTransform, factor: f32, center: Pos2) -> TSTransform {
    let scale = (to_global.scaling * factor).clamp(crate::canvas::MIN_SCALE, MAX_ZOOM);
    let ratio = scale / to_global.scaling;
    // The graph point under `center` stays there.
    let translation = center.to_vec2() - (center.to_vec2() - to_global.translation) * ratio;
    TSTransform::new(translation, scale)
}

/// The zoom level as the corner shows it: `88%`.
fn zoom_text(scale: f32) -> String {
    format!("{:.0}%", scale * 100.0)
}
