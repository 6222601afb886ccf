//! The canvas side of the app: the palette, the canvas (egui-snarl, whose viewer
//! queues actions), the inspector panel, and the block edits those actions make: add,
//! edit, delete, copy, paste (blocks or a curl command), duplicate, Copy as curl. The
//! wire edits (the wire menu, Insert Log, a block added where a wire was dropped) are
//! in `wires.rs`.

use std::collections::HashMap;

use crate::curl::Known;
use egui::{Color32, Pos2, RichText, Ui, Vec2};
use egui_snarl::ui::{SnarlStyle, SnarlWidget, get_selected_nodes};
use switchyard_engine::wording;
use switchyard_flow::{Block, BlockKind, Flow, template};

use super::{Action, CANVAS_ID, Fit, PASTE_OFFSET, SwitchyardApp};
use crate::canvas::CanvasViewer;
use crate::document::NewBlock;

impl SwitchyardApp {
    pub(super) fn palette(&mut self, ui: &mut Ui) {
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

    /// The inspector for the selected block. It edits a copy; an edit becomes an
    /// [`Action::EditBlock`], applied after the frame.
    pub(super) fn inspector_panel(&mut self, ui: &mut Ui) {
        ui.heading("Inspector");
        let Some(block) = self.selected.as_deref().and_then(|id| self.document.block(id)) else {
            self.flow_ui(ui);
            return;
        };
        let mut block = block.clone();
        self.block_id_ui(ui, &block.id);
        self.capture_suggestion_ui(ui, &block.id);
        // Names are the globals', and those the flow sets before this block (Set blocks
        // and captures upstream of it): both are defined when the block runs.
        let blocks = self.document.snarl.nodes().map(|node| &node.block);
        let upstream = crate::upstream::Upstream::of(blocks, &self.document.wires, &block.id);
        let mut names = self.settings.globals().clone();
        for (name, secret) in &upstream.names {
            names.entry(name.clone()).or_insert(*secret);
        }
        let is_defined = |name: &str| template::input_path(name).is_some() || names.contains_key(name);
        self.inspector.set_input_origin(upstream.input);
        if self.inspector.ui_with_previews(ui, &mut block, &is_defined, &names, &self.previews) {
            self.actions.push(Action::EditBlock { id: block.id.clone(), block: Box::new(block) });
        }
    }

    /// The zoom buttons and the zoom level, over the canvas's bottom-left corner: an
    /// area in the middle order, above the panels but under any window that opened
    /// after it (the response viewer, the variables panel), not in the foreground.
    fn zoom_ui(&mut self, ui: &mut Ui) {
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
                            self.actions.push(Action::Zoom(1.0 / ZOOM_STEP));
                        }
                        ui.label(RichText::new(zoom_text(scale)).small().monospace())
                            .on_hover_text("Ctrl+scroll zooms; double-click the background to see the whole flow");
                        if ui.small_button("+").on_hover_text("Zoom in").clicked() {
                            self.actions.push(Action::Zoom(ZOOM_STEP));
                        }
                        if ui.small_button("Fit").on_hover_text("Show the whole flow").clicked() {
                            self.actions.push(Action::ShowWholeFlow);
                        }
                    });
                });
            });
    }

    /// With nothing selected, the inspector shows the flow: its name, editable.
    fn flow_ui(&mut self, ui: &mut Ui) {
        let mut name = self.document.name.clone();
        ui.horizontal(|ui| {
            let label = ui.label("Flow name");
            let field = egui::TextEdit::singleline(&mut name).hint_text("Untitled flow").desired_width(f32::INFINITY);
            if ui.add(field).labelled_by(label.id).changed() {
                self.actions.push(Action::RenameFlow(name.clone()));
            }
        });
        if let Some(file) = &self.document.path {
            ui.label(RichText::new(file.display().to_string()).small().weak());
        } else {
            ui.label(RichText::new("not saved to a file yet").small().weak());
        }
        ui.add_space(8.0);
        ui.label(RichText::new("Select a block to edit it.").weak());
        self.welcome_hint_ui(ui);
    }

    /// The selected block's id, editable: a valid, unused id is applied on Enter or
    /// when the field is left; otherwise what is wrong is shown and the text kept.
    fn block_id_ui(&mut self, ui: &mut Ui, block_id: &str) {
        if self.id_draft.as_ref().is_none_or(|(of, _)| of != block_id) {
            self.id_draft = Some((block_id.to_owned(), block_id.to_owned()));
        }
        let Some((_, text)) = &mut self.id_draft else { return };
        let response = ui
            .horizontal(|ui| {
                let label = ui.label("Block id");
                let field = egui::TextEdit::singleline(text).font(egui::TextStyle::Monospace).desired_width(180.0);
                ui.add(field)
                    .labelled_by(label.id)
                    .on_hover_text("Names the block in wires, run logs and error messages: letters, digits, _ and -.")
            })
            .inner;
        let new = text.trim().to_owned();
        let problem = self.document.rename_problem(block_id, &new);
        if let Some(problem) = &problem {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {problem}"));
        }
        if response.lost_focus() && problem.is_none() && new != block_id {
            self.actions.push(Action::RenameBlock { old: block_id.to_owned(), new });
        }
    }

    /// Renames a block: wires, the selection, the inspector's drafts and the last run's
    /// results follow it. One undo step.
    pub(super) fn rename_block(&mut self, old: &str, new: &str) {
        if !self.document.rename_block(old, new) {
            return;
        }
        if self.selected.as_deref() == Some(old) {
            self.selected = Some(new.to_owned());
        }
        self.id_draft = None;
        self.inspector.forget(old);
        let run = &mut self.run;
        if let Some(status) = run.statuses.remove(old) {
            run.statuses.insert(new.to_owned(), status);
        }
        if run.stale.remove(old) {
            run.stale.insert(new.to_owned());
        }
        run.carried = std::mem::take(&mut run.carried)
            .into_iter()
            .map(|(mut port, value)| {
                if port.block == old {
                    new.clone_into(&mut port.block);
                }
                (port, value)
            })
            .collect();
        self.edit_key = None;
        self.check_dirty = true;
    }

    /// Replaces a block by its edited copy; keystrokes in one block join one undo step.
    pub(super) fn edit_block(&mut self, id: &str, block: Block) {
        let Some(node) = self.document.node_of(id) else { return };
        let Some(node) = self.document.snarl.get_node_mut(node) else { return };
        if node.block.id == block.id && node.block != block {
            node.block = block;
            if self.run.statuses.contains_key(id) {
                self.run.stale.insert(id.to_owned());
            }
            self.edit_key = Some(id.to_owned());
            self.check_dirty = true;
        }
    }

    pub(super) fn canvas(&mut self, ui: &mut Ui) {
        self.canvas_rect = Some(ui.max_rect());
        let loops = crate::loops::blocks_on_loops(&self.document.wires);
        let mut viewer = CanvasViewer {
            statuses: &self.run.statuses,
            stale: &self.run.stale,
            earlier: self.run.earlier,
            loops: &loops,
            hovered_wire: None,
            wire_middles: HashMap::new(),
            selected: self.selected.as_deref(),
            actions: &mut self.actions,
            to_global: self.to_global,
            node_rects: HashMap::new(),
            fit: match self.fit_pending.take() {
                Some(Fit::Open) => crate::canvas::fit_transform(&self.document.snarl, ui.max_rect()),
                Some(Fit::Whole) => crate::canvas::whole_flow_transform(&self.document.snarl, ui.max_rect()),
                Some(Fit::Zoom(factor)) => Some(zoomed(self.to_global, factor, ui.max_rect().center())),
                None => None,
            },
        };
        // Text on blocks is not selectable: a drag on a label moves the block.
        ui.style_mut().interaction.selectable_labels = false;
        let response = SnarlWidget::new()
            .id(egui::Id::new(CANVAS_ID))
            .style(canvas_style(ui.visuals().dark_mode))
            .show(&mut self.document.snarl, &mut viewer, ui);
        self.to_global = viewer.to_global;
        let hovered = viewer.hovered_wire;
        self.hovered_wire =
            hovered.and_then(|(from, to)| crate::document::wire_between(&self.document.snarl, from, to));
        // Blocks are laid out in graph coordinates; the canvas layer maps them to the screen.
        let to_global = self.to_global;
        let (node_rects, middles) = (viewer.node_rects, viewer.wire_middles);
        self.node_rects = node_rects
            .into_iter()
            .filter_map(|(node, rect)| Some((self.document.snarl.get_node(node)?.block.id.clone(), to_global * rect)))
            .collect();
        self.wire_markers(ui, &middles);
        self.wire_menu_ui(ui);

        if response.clicked_by(egui::PointerButton::Primary) {
            self.actions.push(Action::Deselect);
        }
        self.zoom_ui(ui);
        self.palette_drop(ui);
        let selection = get_selected_nodes(egui::Id::new(CANVAS_ID), ui.ctx());
        if selection != self.canvas_selection {
            if let Some(node) = selection.last().and_then(|n| self.document.snarl.get_node(*n)) {
                self.actions.push(Action::Select(node.block.id.clone()));
            }
            self.canvas_selection = selection;
        }
        // Moving a block changes the flow without a callback: check when a drag ends.
        if ui.input(|i| i.pointer.any_released()) {
            self.actions.push(Action::DragEnded);
        }
    }

    /// A block dragged from the palette: drawn under the pointer, added where it is
    /// released over the canvas (released elsewhere, nothing happens).
    fn palette_drop(&mut self, ui: &mut Ui) {
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
                self.actions.push(Action::AddBlock { kind, at: self.to_global.inverse() * pos });
            }
        }
    }

    pub(super) fn add_block(&mut self, kind: NewBlock, at: Pos2) {
        let node = self.document.add_block(kind, at);
        self.selected = self.document.snarl.get_node(node).map(|n| n.block.id.clone());
        self.check_dirty = true;
    }

    /// Removes a block and its wires, and forgets its editing state and selection.
    pub(super) fn delete_block(&mut self, node: egui_snarl::NodeId) {
        if let Some(block) = self.document.remove_node(node) {
            self.inspector.forget(&block.id);
            if self.selected.as_deref() == Some(block.id.as_str()) {
                self.selected = None;
            }
            self.check_dirty = true;
        }
    }

    /// The blocks selected on the canvas, else the one in the inspector.
    pub(super) fn selected_nodes(&self, ctx: &egui::Context) -> Vec<egui_snarl::NodeId> {
        let mut nodes = get_selected_nodes(egui::Id::new(CANVAS_ID), ctx);
        nodes.retain(|node| self.document.snarl.get_node(*node).is_some());
        if nodes.is_empty()
            && let Some(node) = self.selected.as_deref().and_then(|id| self.document.node_of(id))
        {
            nodes.push(node);
        }
        nodes
    }

    /// Copies the selected blocks and the wires between them to the clipboard, as a
    /// fragment in the flow format (pasting into a text editor shows readable JSON).
    pub(super) fn copy(&mut self, ctx: &egui::Context) {
        let nodes = self.selected_nodes(ctx);
        if nodes.is_empty() {
            return;
        }
        let text = self.document.fragment(&nodes).to_json();
        ctx.copy_text(text.clone());
        self.clipboard = Some(text);
        self.pastes = 0;
        self.notice = Some((format!("copied {}", wording::plural(nodes.len() as u64, "block")), false));
    }

    /// Pastes blocks from clipboard text (the flow format); other text is ignored. With
    /// the pointer over the canvas the blocks land there (their top-left corner at the
    /// pointer); else beside where they were copied from, a step further each time.
    pub(super) fn paste(&mut self, text: &str, ctx: &egui::Context) {
        let fragment = match Flow::fragment_from_json(text) {
            Ok(fragment) => fragment,
            Err(error) => {
                if text.trim_start().starts_with('{') {
                    self.notice = Some((format!("cannot paste: {error}"), true));
                }
                return;
            }
        };
        self.pastes += 1;
        let pointer = ctx.pointer_latest_pos().filter(|p| self.canvas_rect.is_some_and(|rect| rect.contains(*p)));
        let corner = fragment.blocks.iter().map(|b| Pos2::new(b.at[0], b.at[1])).reduce(|a, b| a.min(b));
        let offset = match (pointer, corner) {
            (Some(pointer), Some(corner)) => self.to_global.inverse() * pointer - corner,
            _ => PASTE_OFFSET * self.pastes as f32,
        };
        self.insert_fragment(&fragment, offset);
    }

    /// A pasted curl command becomes a Send Request block at the pointer. A literal
    /// credential in it becomes a `{{name}}`; the notice says how to store it, and the
    /// app offers to store it as a secret right away.
    pub(super) fn paste_curl(&mut self, text: &str, ctx: &egui::Context) {
        let cwd = std::env::current_dir().unwrap_or_default();
        let flow_dir = self.document.path.as_deref().and_then(std::path::Path::parent);
        let Some(curl) = self.curl.clone() else {
            self.notice = Some(("cannot paste a curl command here: this build has no curl import".to_owned(), true));
            return;
        };
        let pasted = match curl.import(text, &cwd, flow_dir) {
            Ok(pasted) => pasted,
            Err(message) => {
                self.notice = Some((format!("cannot paste the curl command: {message}"), true));
                return;
            }
        };
        let mut block = pasted.block;
        let url = if let BlockKind::SendRequest(request) = &block.kind { request.url.clone() } else { String::new() };
        // A name a global has already is not reused for another value: `token-2`.
        let settings = &self.settings;
        let (credentials, mut notes) =
            super::credential::free_names(pasted.credentials, &mut block, &|name| settings.has_global(name));
        notes.extend(
            credentials.iter().map(|c| format!("store `{}` as a secret in Settings ({})", c.name(), c.origin())),
        );
        notes.extend(pasted.warnings.iter().cloned());
        let pointer = ctx.pointer_latest_pos().map_or(Pos2::new(300.0, 120.0), |p| self.to_global.inverse() * p);
        block.at = [pointer.x, pointer.y];
        let pasted_id = block.id.clone();
        let fragment = Flow {
            name: "pasted curl".to_owned(),
            defaults: Default::default(),
            blocks: vec![block],
            wires: Vec::new(),
        };
        self.insert_fragment(&fragment, Vec2::ZERO);
        // The block may have been given a fresh id (`request-2`): it is the one selected.
        let block_id = self.selected.clone().unwrap_or(pasted_id);
        self.offer_credentials(super::credential::CredentialOffer::new(credentials, &url, &block_id));
        let message = match notes.as_slice() {
            [] => "pasted the curl command as a Send Request block".to_owned(),
            notes => format!("pasted the curl command: {}", notes.join("; ")),
        };
        self.notice = Some((message, !pasted.warnings.is_empty()));
    }

    /// Puts a Send Request block on the clipboard as a curl command: plain globals
    /// filled in, secrets as `$NAME` shell references.
    pub(super) fn copy_as_curl(&mut self, block_id: &str, ctx: &egui::Context) {
        let Some(BlockKind::SendRequest(request)) = self.document.block(block_id).map(|block| &block.kind) else {
            return;
        };
        let Some(curl) = &self.curl else {
            self.notice = Some(("cannot copy as curl: this build has no curl export".to_owned(), true));
            return;
        };
        let settings = &self.settings;
        let lookup = |name: &str| match settings.globals().get(name) {
            Some(true) => Known::Secret,
            Some(false) => Known::Plain(settings.plain_value(name).unwrap_or_default().to_owned()),
            None => Known::Unknown,
        };
        let base_dir = self.document.path.as_deref().and_then(std::path::Path::parent);
        let export = curl.export(request, &lookup, base_dir);
        ctx.copy_text(export.command.clone());
        let message = match export.warnings.as_slice() {
            [] => "copied as curl".to_owned(),
            warnings => format!("copied as curl: {}", warnings.join("; ")),
        };
        self.notice = Some((message, false));
    }

    pub(super) fn duplicate(&mut self, nodes: &[egui_snarl::NodeId]) {
        if nodes.is_empty() {
            return;
        }
        let fragment = self.document.fragment(nodes);
        self.insert_fragment(&fragment, PASTE_OFFSET);
    }

    pub(super) fn insert_fragment(&mut self, fragment: &Flow, offset: Vec2) {
        let (nodes, skipped) = self.document.paste(fragment, offset);
        if let Some(last) = nodes.last().and_then(|n| self.document.snarl.get_node(*n)) {
            self.selected = Some(last.block.id.clone());
        }
        if skipped > 0 {
            self.notice = Some(("the flow has a Start block already: pasted without the copied one".to_owned(), false));
        }
        self.check_dirty = true;
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
    style.wire_target_stroke = Some(egui::Stroke::new(2.0, crate::canvas::SELECTED));
    style
}

/// How much one click on a zoom button zooms.
const ZOOM_STEP: f32 = 1.25;
/// The most the zoom buttons magnify (egui-snarl's own limit).
const MAX_ZOOM: f32 = 2.0;

/// `to_global` zoomed by `factor` around `center` (screen), within the canvas's limits.
fn zoomed(to_global: egui::emath::TSTransform, factor: f32, center: Pos2) -> egui::emath::TSTransform {
    let scale = (to_global.scaling * factor).clamp(crate::canvas::MIN_SCALE, MAX_ZOOM);
    let ratio = scale / to_global.scaling;
    // The graph point under `center` stays there.
    let translation = center.to_vec2() - (center.to_vec2() - to_global.translation) * ratio;
    egui::emath::TSTransform::new(translation, scale)
}

/// The zoom level as the corner shows it: `88%`.
fn zoom_text(scale: f32) -> String {
    format!("{:.0}%", scale * 100.0)
}
