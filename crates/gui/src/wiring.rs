//! What a new wire may connect to, as the flow format has it (`switchyard_flow`'s
//! wires): a wire runs from an output to an input, at most once between the same two
//! ports; a wire from a block to itself is legal (a loop, drawn as a loop-back). The canvas asks these while
//! a wire is dragged (the ports it may end at are ringed), when it is dropped on a port
//! (a refusal says why), and when it is dropped on the empty canvas (the blocks that
//! fit, added there already wired).

use egui_snarl::ui::{AnyPin, AnyPins};
use egui_snarl::{InPin, InPinId, OutPin, OutPinId, Snarl};

use crate::document::{BlockNode, NewBlock};

/// The pins a dropped wire was dragged from: the new block is wired to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraggedFrom {
    /// Outputs: each is wired to the new block's input.
    Outputs(Vec<OutPinId>),
    /// Inputs: the new block's first output is wired to each.
    Inputs(Vec<InPinId>),
}

impl DraggedFrom {
    /// The pins egui-snarl reports.
    pub fn of(pins: &AnyPins<'_>) -> Self {
        match pins {
            AnyPins::Out(pins) => Self::Outputs(pins.to_vec()),
            AnyPins::In(pins) => Self::Inputs(pins.to_vec()),
        }
    }
}

/// Whether a new wire may run from `from` to `to`: not when the two are wired already
/// (the flow format refuses a wire that appears twice). Every output may otherwise
/// connect to every input, on another block or on its own.
pub fn can_connect(from: &OutPin, to: &InPin) -> bool {
    !from.remotes.contains(&to.id) && !to.remotes.contains(&from.id)
}

/// Whether a block of `kind` can be wired to the pins a wire was dragged from: it needs
/// an input for a wire from an output, an output for a wire from an input. A second
/// Start block is never offered (a flow has exactly one).
pub fn fits(kind: NewBlock, from: &DraggedFrom, has_start: bool) -> bool {
    if kind.0.name == switchyard_flow::Start::TYPE.name && has_start {
        return false;
    }
    match from {
        DraggedFrom::Outputs(_) => !kind.0.inputs.is_empty(),
        DraggedFrom::Inputs(_) => !kind.0.outputs.is_empty(),
    }
}

/// A port as the flow file names it: `fetch.success`.
pub fn port_name(snarl: &Snarl<BlockNode>, pin: AnyPin) -> String {
    let (node, port) = match pin {
        AnyPin::Out(pin) => {
            (pin.node, snarl.get_node(pin.node).and_then(|n| n.block.kind.outputs().get(pin.output).copied()))
        }
        AnyPin::In(pin) => {
            (pin.node, snarl.get_node(pin.node).and_then(|n| n.block.kind.inputs().get(pin.input).copied()))
        }
    };
    match (snarl.get_node(node), port) {
        (Some(node), Some(port)) => format!("{}.{}", node.block.id, port.as_str()),
        _ => "a port".to_owned(),
    }
}

/// The first of the pins a wire was dragged from, as [`AnyPin`].
fn first(from: &AnyPins<'_>) -> Option<AnyPin> {
    match from {
        AnyPins::Out(pins) => pins.first().map(|pin| AnyPin::Out(*pin)),
        AnyPins::In(pins) => pins.first().map(|pin| AnyPin::In(*pin)),
    }
}

/// Why wires dragged from `from` cannot end at `target`, where egui-snarl found they
/// cannot (a port on the same side, or a wire that exists already): one short line for
/// the status bar.
pub fn drop_problem(snarl: &Snarl<BlockNode>, from: &AnyPins<'_>, target: AnyPin) -> String {
    let source = first(from).map_or_else(|| "the wire".to_owned(), |pin| format!("`{}`", port_name(snarl, pin)));
    let target_name = port_name(snarl, target);
    match (from, target) {
        (AnyPins::Out(_), AnyPin::Out(_)) => {
            format!("cannot wire {source} to `{target_name}`: both are outputs; drop it on an input")
        }
        (AnyPins::In(_), AnyPin::In(_)) => {
            format!("cannot wire {source} to `{target_name}`: both are inputs; drop it on an output")
        }
        (AnyPins::Out(_), AnyPin::In(_)) | (AnyPins::In(_), AnyPin::Out(_)) => {
            format!("{source} is already wired to `{target_name}`")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use switchyard_flow::{Block, BlockKind, Flow, LogBlock, Port, PortRef, Wire};

    /// Start → show (a Log).
    fn document() -> Document {
        let mut flow = Flow::new("wiring");
        flow.blocks.push(Block { id: "show".to_owned(), at: [300.0, 0.0], kind: BlockKind::Log(LogBlock::default()) });
        flow.wires.push(Wire { from: PortRef::new("start", Port::Out), to: PortRef::new("show", Port::In) });
        Document::from_flow(flow, None)
    }

    #[test]
    fn an_output_connects_to_any_input_it_is_not_wired_to_its_own_block_included() {
        let document = document();
        let (start, show) = (document.node_of("start").unwrap(), document.node_of("show").unwrap());
        let pin = |node, output| document.snarl.out_pin(OutPinId { node, output });
        let input = |node| document.snarl.in_pin(InPinId { node, input: 0 });
        assert!(!can_connect(&pin(start, 0), &input(show)), "already wired");
        assert!(can_connect(&pin(show, 0), &input(show)), "a self-wire is legal");
    }

    #[test]
    fn a_dropped_wire_offers_the_blocks_that_fit() {
        let outputs = DraggedFrom::Outputs(Vec::new());
        let inputs = DraggedFrom::Inputs(Vec::new());
        let offered = |from: &DraggedFrom, has_start| {
            NewBlock::all().filter(|kind| fits(*kind, from, has_start)).map(NewBlock::label).collect::<Vec<_>>()
        };
        let from_output = offered(&outputs, true);
        assert!(from_output.contains(&"Log") && from_output.contains(&"Send Request"), "{from_output:?}");
        assert!(!from_output.contains(&"Start"), "Start has no input");
        assert!(!offered(&inputs, true).contains(&"Start"), "a flow has one Start block");
        assert!(offered(&inputs, false).contains(&"Start"), "one without may get it");
        assert_eq!(offered(&inputs, true).len(), NewBlock::all().count() - 1);
    }

    #[test]
    fn a_refused_drop_says_why() {
        let document = document();
        let (start, show) = (document.node_of("start").unwrap(), document.node_of("show").unwrap());
        let snarl = &document.snarl;
        let outputs = [OutPinId { node: start, output: 0 }];
        let inputs = [InPinId { node: show, input: 0 }];
        let onto_output = drop_problem(snarl, &AnyPins::Out(&outputs), AnyPin::Out(OutPinId { node: show, output: 0 }));
        assert!(onto_output.contains("`start.out` to `show.out`: both are outputs"), "{onto_output}");
        let onto_input = drop_problem(snarl, &AnyPins::In(&inputs), AnyPin::In(InPinId { node: show, input: 0 }));
        assert!(onto_input.contains("both are inputs"), "{onto_input}");
        let again = drop_problem(snarl, &AnyPins::Out(&outputs), AnyPin::In(inputs[0]));
        assert_eq!(again, "`start.out` is already wired to `show.in`");
    }
}
