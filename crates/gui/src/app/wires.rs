//! Wire edits on the canvas: Insert Log (from the menu of a right-clicked wire, which
//! `CanvasState` draws), and a block added where a new wire was dropped on the empty canvas, already
//! wired to the pins the wire came from. Each is one action, so one undo step.

use egui::{Pos2, Vec2};
use egui_snarl::{InPinId, OutPinId};

use super::SwitchyardApp;
use crate::document::{Document, NewBlock};
use crate::wiring::DraggedFrom;

/// Where a block added at a dropped wire's end goes, from the drop point: its input's
/// port there (a wire from an output), or its output's (a wire from an input), for a
/// block of a typical size (header and first port row, a narrow block's width).
const IN_PORT: Vec2 = Vec2::new(8.0, 42.0);
const OUT_PORT: Vec2 = Vec2::new(150.0, 42.0);

impl SwitchyardApp {
    /// Puts a Log block at `at` in the middle of a wire: from → Log → to, one undo step.
    pub(super) fn insert_log(&mut self, from: egui_snarl::OutPinId, to: egui_snarl::InPinId, at: Pos2) {
        let document = &mut self.document;
        let wire = crate::document::wire_between(&document.snarl, from, to);
        if !wire.is_some_and(|wire| document.wires.contains(&wire)) {
            return;
        }
        Document::disconnect(&mut document.snarl, &mut document.wires, from, to);
        let log = document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), at - Vec2::new(60.0, 20.0));
        let log_in = egui_snarl::InPinId { node: log, input: 0 };
        let log_out = egui_snarl::OutPinId { node: log, output: 0 };
        Document::connect(&mut document.snarl, &mut document.wires, from, log_in);
        Document::connect(&mut document.snarl, &mut document.wires, log_out, to);
        self.canvas.selected = document.snarl.get_node(log).map(|n| n.block.id.clone());
        self.session.check_dirty = true;
    }

    /// Adds a block of `kind` at a dropped wire's end (`at`, graph space) and wires it:
    /// each output the wire came from to its input, or its first output to each input.
    /// Selected, as any added block; one undo step.
    pub(super) fn add_wired_block(&mut self, kind: NewBlock, at: Pos2, from: DraggedFrom) {
        let corner = match from {
            DraggedFrom::Outputs(_) => at - IN_PORT,
            DraggedFrom::Inputs(_) => at - OUT_PORT,
        };
        let document = &mut self.document;
        let node = document.add_block(kind, corner);
        match from {
            DraggedFrom::Outputs(pins) if !kind.0.inputs.is_empty() => {
                for pin in pins {
                    Document::connect(&mut document.snarl, &mut document.wires, pin, InPinId { node, input: 0 });
                }
            }
            DraggedFrom::Inputs(pins) if !kind.0.outputs.is_empty() => {
                for pin in pins {
                    Document::connect(&mut document.snarl, &mut document.wires, OutPinId { node, output: 0 }, pin);
                }
            }
            _ => {}
        }
        self.canvas.selected = document.snarl.get_node(node).map(|n| n.block.id.clone());
        self.session.check_dirty = true;
    }
}
