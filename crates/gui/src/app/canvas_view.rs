//! The canvas side of the app: the canvas panel (drawn by `CanvasState`, with the
//! markers of carried values), the inspector panel, and the block edits the canvas's
//! actions make: add, edit, rename, delete, copy, paste (blocks or a curl command),
//! duplicate, Copy as curl. The wire edits (Insert Log, a block added where a wire was
//! dropped) are in `wires.rs`; the wire menu is `CanvasState`'s.

use crate::curl::Known;
use egui::{Pos2, RichText, Ui, Vec2};
use switchyard_engine::wording;
use switchyard_flow::{Block, BlockKind, Flow, template};

use super::{Action, PASTE_OFFSET, SwitchyardApp};
use crate::document::NewBlock;

impl SwitchyardApp {
    /// The inspector for the selected block. It edits a copy; an edit becomes an
    /// [`Action::EditBlock`], applied after the frame.
    pub(super) fn inspector_panel(&mut self, ui: &mut Ui) {
        ui.heading("Inspector");
        let Some(block) = self.canvas.selected.as_deref().and_then(|id| self.document.block(id)) else {
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
        self.welcome.ui(ui, &mut self.actions);
    }

    /// The selected block's id, editable: a valid, unused id is applied on Enter or
    /// when the field is left; otherwise what is wrong is shown and the text kept.
    fn block_id_ui(&mut self, ui: &mut Ui, block_id: &str) {
        if self.canvas.id_draft.as_ref().is_none_or(|(of, _)| of != block_id) {
            self.canvas.id_draft = Some((block_id.to_owned(), block_id.to_owned()));
        }
        let Some((_, text)) = &mut self.canvas.id_draft else { return };
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
        if self.canvas.selected.as_deref() == Some(old) {
            self.canvas.selected = Some(new.to_owned());
        }
        self.canvas.id_draft = None;
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
        self.session.edit_key = None;
        self.session.check_dirty = true;
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
            self.session.edit_key = Some(id.to_owned());
            self.session.check_dirty = true;
        }
    }

    /// The canvas: the flow, the markers of values its wires carried, what is drawn
    /// over it.
    pub(super) fn canvas_ui(&mut self, ui: &mut Ui) {
        let (response, middles) = self.canvas.graph_ui(ui, &mut self.document, &self.run, &mut self.actions);
        self.wire_markers(ui, &middles);
        self.canvas.overlays_ui(ui, &response, &self.document, &mut self.actions);
    }

    pub(super) fn add_block(&mut self, kind: NewBlock, at: Pos2) {
        let node = self.document.add_block(kind, at);
        self.canvas.selected = self.document.snarl.get_node(node).map(|n| n.block.id.clone());
        self.session.check_dirty = true;
    }

    /// Removes a block and its wires, and forgets its editing state and selection.
    pub(super) fn delete_block(&mut self, node: egui_snarl::NodeId) {
        if let Some(block) = self.document.remove_node(node) {
            self.inspector.forget(&block.id);
            if self.canvas.selected.as_deref() == Some(block.id.as_str()) {
                self.canvas.selected = None;
            }
            self.session.check_dirty = true;
        }
    }

    /// Copies the selected blocks and the wires between them to the clipboard, as a
    /// fragment in the flow format (pasting into a text editor shows readable JSON).
    pub(super) fn copy(&mut self, ctx: &egui::Context) {
        let nodes = self.canvas.selected_nodes(&self.document, ctx);
        if nodes.is_empty() {
            return;
        }
        let text = self.document.fragment(&nodes).to_json();
        ctx.copy_text(text.clone());
        self.canvas.copied(text);
        self.notices.show(format!("copied {}", wording::plural(nodes.len() as u64, "block")), false);
    }

    /// Pastes blocks from clipboard text (the flow format); other text is ignored. With
    /// the pointer over the canvas the blocks land there (their top-left corner at the
    /// pointer); else beside where they were copied from, a step further each time.
    pub(super) fn paste(&mut self, text: &str, ctx: &egui::Context) {
        let fragment = match Flow::fragment_from_json(text) {
            Ok(fragment) => fragment,
            Err(error) => {
                if text.trim_start().starts_with('{') {
                    self.notices.show(format!("cannot paste: {error}"), true);
                }
                return;
            }
        };
        let corner = fragment.blocks.iter().map(|b| Pos2::new(b.at[0], b.at[1])).reduce(|a, b| a.min(b));
        let offset = self.canvas.paste_offset(ctx, corner);
        self.insert_fragment(&fragment, offset);
    }

    /// A pasted curl command becomes a Send Request block at the pointer. A literal
    /// credential in it becomes a `{{name}}`; the notice says how to store it, and the
    /// app offers to store it as a secret right away.
    pub(super) fn paste_curl(&mut self, text: &str, ctx: &egui::Context) {
        let cwd = std::env::current_dir().unwrap_or_default();
        let flow_dir = self.document.path.as_deref().and_then(std::path::Path::parent);
        let Some(curl) = self.curl.clone() else {
            self.notices.show("cannot paste a curl command here: this build has no curl import".to_owned(), true);
            return;
        };
        let pasted = match curl.import(text, &cwd, flow_dir) {
            Ok(pasted) => pasted,
            Err(message) => {
                self.notices.show(format!("cannot paste the curl command: {message}"), true);
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
        let pointer = ctx.pointer_latest_pos().map_or(Pos2::new(300.0, 120.0), |p| self.canvas.to_global.inverse() * p);
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
        let block_id = self.canvas.selected.clone().unwrap_or(pasted_id);
        self.offer_credentials(super::credential::CredentialOffer::new(credentials, &url, &block_id));
        let message = match notes.as_slice() {
            [] => "pasted the curl command as a Send Request block".to_owned(),
            notes => format!("pasted the curl command: {}", notes.join("; ")),
        };
        self.notices.show(message, !pasted.warnings.is_empty());
    }

    /// Puts a Send Request block on the clipboard as a curl command: plain globals
    /// filled in, secrets as `$NAME` shell references.
    pub(super) fn copy_as_curl(&mut self, block_id: &str, ctx: &egui::Context) {
        let Some(BlockKind::SendRequest(request)) = self.document.block(block_id).map(|block| &block.kind) else {
            return;
        };
        let Some(curl) = &self.curl else {
            self.notices.show("cannot copy as curl: this build has no curl export".to_owned(), true);
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
        self.notices.show(message, false);
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
            self.canvas.selected = Some(last.block.id.clone());
        }
        if skipped > 0 {
            self.notices.show("the flow has a Start block already: pasted without the copied one".to_owned(), false);
        }
        self.session.check_dirty = true;
    }
}
