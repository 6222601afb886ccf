//! Viewport culling and the zoomed-out level of detail (a Switchyard addition, see
//! `SWITCHYARD.md`).
//!
//! Laying a node out costs child `Ui`s, frames, text and the viewer's callbacks. A node
//! whose last known rect lies outside the viewport is not laid out: its pins are
//! published from [`NodeCache`], the positions (relative to the node's position) the
//! last full layout found, so wires to it still end in the right place.

use std::collections::HashMap;

use egui::{Color32, Context, Id, Pos2, Rect, Vec2};
use smallvec::SmallVec;

use crate::{InPin, InPinId, NodeId, OutPin, OutPinId, Snarl};

use super::{PinResponse, WireStyle};

/// A pin as the last full layout of its node left it.
#[derive(Clone, Copy)]
struct CachedPin {
    /// Centre, relative to the node's position.
    offset: Vec2,
    wire_color: Color32,
    wire_style: WireStyle,
}

impl CachedPin {
    fn new(response: &PinResponse, node_pos: Pos2) -> Self {
        CachedPin {
            offset: response.pos - node_pos,
            wire_color: response.wire_color,
            wire_style: response.wire_style,
        }
    }

    fn response(self, node_pos: Pos2) -> PinResponse {
        PinResponse {
            pos: node_pos + self.offset,
            wire_color: self.wire_color,
            wire_style: self.wire_style,
        }
    }
}

/// What the last full layout of a node found: enough to skip laying it out.
#[derive(Clone)]
pub struct NodeCache {
    /// The node's frame rect, relative to the node's position.
    rect: Rect,
    /// Whether the node was open.
    open: bool,
    inputs: SmallVec<[CachedPin; 4]>,
    outputs: SmallVec<[CachedPin; 4]>,
}

impl NodeCache {
    /// Records a node just laid out at `node_pos` (rounded as the layout rounds it).
    /// `None` when a pin did not report a position (the node went away mid-layout).
    pub fn record(
        node: NodeId,
        node_pos: Pos2,
        rect: Rect,
        open: bool,
        counts: (usize, usize),
        input_info: &HashMap<InPinId, PinResponse>,
        output_info: &HashMap<OutPinId, PinResponse>,
    ) -> Option<Self> {
        let inputs = (0..counts.0)
            .map(|input| {
                let r = input_info.get(&InPinId { node, input })?;
                Some(CachedPin::new(r, node_pos))
            })
            .collect::<Option<_>>()?;
        let outputs = (0..counts.1)
            .map(|output| {
                let r = output_info.get(&OutPinId { node, output })?;
                Some(CachedPin::new(r, node_pos))
            })
            .collect::<Option<_>>()?;
        Some(NodeCache {
            rect: rect.translate(-node_pos.to_vec2()),
            open,
            inputs,
            outputs,
        })
    }

    /// Whether the cache still describes a node with this openness and pin counts.
    pub fn matches(&self, open: bool, counts: (usize, usize)) -> bool {
        self.open == open && self.inputs.len() == counts.0 && self.outputs.len() == counts.1
    }

    /// The node's frame rect if it is at `node_pos`.
    pub fn rect(&self, node_pos: Pos2) -> Rect {
        self.rect.translate(node_pos.to_vec2())
    }

    /// Positions of the node's pins (at `node_pos`) and their wire colours and styles.
    pub fn pins(
        &self,
        node_pos: Pos2,
    ) -> (
        impl Iterator<Item = PinResponse> + '_,
        impl Iterator<Item = PinResponse> + '_,
    ) {
        (
            self.inputs.iter().map(move |pin| pin.response(node_pos)),
            self.outputs.iter().map(move |pin| pin.response(node_pos)),
        )
    }

    /// Publishes the node's pins (at `node_pos`) for the wires, as a layout would.
    pub fn publish(
        &self,
        node: NodeId,
        node_pos: Pos2,
        input_info: &mut HashMap<InPinId, PinResponse>,
        output_info: &mut HashMap<OutPinId, PinResponse>,
    ) {
        let (inputs, outputs) = self.pins(node_pos);
        for (input, r) in inputs.enumerate() {
            input_info.insert(InPinId { node, input }, r);
        }
        for (output, r) in outputs.enumerate() {
            output_info.insert(OutPinId { node, output }, r);
        }
    }
}

/// Every node's [`NodeCache`], kept in the context's temporary data between frames.
#[derive(Clone, Default)]
pub struct CullCache {
    nodes: Vec<Option<NodeCache>>,
}

impl CullCache {
    /// Takes the cache out of the context (put it back with [`CullCache::store`]).
    pub fn load(cx: &Context, id: Id) -> Self {
        cx.data_mut(|d| d.remove_temp::<Self>(id))
            .unwrap_or_default()
    }

    pub fn store(self, cx: &Context, id: Id) {
        cx.data_mut(|d| d.insert_temp(id, self));
    }

    pub fn get(&self, node: NodeId) -> Option<&NodeCache> {
        self.nodes.get(node.0).and_then(Option::as_ref)
    }

    pub fn set(&mut self, node: NodeId, cache: Option<NodeCache>) {
        if node.0 >= self.nodes.len() {
            if cache.is_none() {
                return;
            }
            self.nodes.resize(node.0 + 1, None);
        }
        if let Some(slot) = self.nodes.get_mut(node.0) {
            *slot = cache;
        }
    }

    /// Forgets nodes that are no longer in the graph.
    pub fn retain<T>(&mut self, snarl: &Snarl<T>) {
        for (idx, slot) in self.nodes.iter_mut().enumerate() {
            if slot.is_some() && !snarl.nodes.contains(idx) {
                *slot = None;
            }
        }
    }
}

/// The wires of every pin, indexed once instead of scanning all wires per pin
/// (`InPin::new` / `OutPin::new` are O(wires), which made a frame O(nodes × wires)).
#[derive(Default)]
pub struct PinIndex {
    /// Number of wires when the index was built: rebuilt when a viewer callback changed it.
    wires: Option<usize>,
    remote_outputs: HashMap<InPinId, SmallVec<[OutPinId; 2]>>,
    remote_inputs: HashMap<OutPinId, SmallVec<[InPinId; 2]>>,
}

impl PinIndex {
    fn refresh<T>(&mut self, snarl: &Snarl<T>) {
        if self.wires == Some(snarl.wires.len()) {
            return;
        }
        self.remote_outputs.clear();
        self.remote_inputs.clear();
        for wire in snarl.wires.iter() {
            self.remote_outputs
                .entry(wire.in_pin)
                .or_default()
                .push(wire.out_pin);
            self.remote_inputs
                .entry(wire.out_pin)
                .or_default()
                .push(wire.in_pin);
        }
        self.wires = Some(snarl.wires.len());
    }

    /// The node's input pins with their remotes, as `InPin::new` gives them.
    pub fn inputs<T>(&mut self, snarl: &Snarl<T>, node: NodeId, count: usize) -> Vec<InPin> {
        self.refresh(snarl);
        (0..count)
            .map(|input| {
                let id = InPinId { node, input };
                let remotes = self
                    .remote_outputs
                    .get(&id)
                    .map_or_else(Vec::new, |r| r.to_vec());
                InPin { id, remotes }
            })
            .collect()
    }

    /// The node's output pins with their remotes, as `OutPin::new` gives them.
    pub fn outputs<T>(&mut self, snarl: &Snarl<T>, node: NodeId, count: usize) -> Vec<OutPin> {
        self.refresh(snarl);
        (0..count)
            .map(|output| {
                let id = OutPinId { node, output };
                let remotes = self
                    .remote_inputs
                    .get(&id)
                    .map_or_else(Vec::new, |r| r.to_vec());
                OutPin { id, remotes }
            })
            .collect()
    }
}
