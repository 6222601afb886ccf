//! The open flow as the canvas holds it: an egui-snarl graph of blocks, plus the wires
//! in file order, and the conversion to and from the flow crate's [`Flow`].
//!
//! The file format stays the flow crate's: a document is built from a `Flow` and turned
//! back into one, never saved in egui-snarl's serde layout. Blocks keep their file order
//! (a sequence number per node) and wires theirs (a list kept beside the graph), so
//! opening a flow and saving it without edits writes the same bytes.

use std::path::PathBuf;

use egui::Pos2;
use egui_snarl::{InPinId, NodeId, OutPinId, Snarl};
use switchyard_flow::{Block, BlockKind, BlockType, Defaults, Flow, PortRef, Wire};

/// A block on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockNode {
    /// Order of the block in the file (new blocks go last).
    pub seq: u64,
    /// The block; its `at` is refreshed from the canvas on [`Document::to_flow`].
    pub block: Block,
}

/// A kind of block the palette offers: one of the flow crate's block types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewBlock(pub &'static BlockType);

impl NewBlock {
    /// Every kind, in palette order.
    pub fn all() -> impl Iterator<Item = NewBlock> {
        BlockType::ALL.into_iter().map(NewBlock)
    }

    /// The name shown in the palette and menus.
    pub fn label(self) -> &'static str {
        self.0.label
    }

    fn id_stem(self) -> &'static str {
        match self.0.name {
            "send_request" => "request",
            "for_each" => "each",
            name => name,
        }
    }

    fn kind(self) -> BlockKind {
        self.0.new_block()
    }
}

/// The flow being edited.
pub struct Document {
    /// The graph the canvas draws and edits.
    pub snarl: Snarl<BlockNode>,
    /// The wires in file order (kept in step with the graph's connections).
    pub wires: Vec<Wire>,
    /// The flow's name.
    pub name: String,
    /// The flow's `defaults`, kept as loaded (the canvas does not edit them).
    pub defaults: Defaults,
    /// Where it was loaded from or last saved to.
    pub path: Option<PathBuf>,
    /// The canonical text last loaded or saved: the document is unsaved when it differs.
    saved: String,
    next_seq: u64,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document").field("name", &self.name).field("path", &self.path).finish_non_exhaustive()
    }
}

impl Document {
    /// A document showing `flow`, as loaded from `path`.
    pub fn from_flow(flow: Flow, path: Option<PathBuf>) -> Self {
        // A new or example flow counts as saved until it is changed: closing it
        // untouched asks nothing.
        let saved = flow.to_json();
        let mut snarl = Snarl::new();
        let mut next_seq = 0;
        for block in &flow.blocks {
            let pos = Pos2::new(block.at[0], block.at[1]);
            snarl.insert_node(pos, BlockNode { seq: next_seq, block: block.clone() });
            next_seq += 1;
        }
        let mut document = Self {
            snarl,
            wires: Vec::new(),
            name: flow.name.clone(),
            defaults: flow.defaults.clone(),
            path,
            saved,
            next_seq,
        };
        for wire in flow.wires {
            if let Some((from, to)) = document.pins(&wire) {
                document.snarl.connect(from, to);
                document.wires.push(wire);
            }
        }
        document
    }

    /// The flow as it stands: blocks in file order with their canvas positions, wires
    /// in file order.
    pub fn to_flow(&self) -> Flow {
        let blocks = in_file_order(self.snarl.nodes_info().map(placed));
        Flow { name: self.name.clone(), defaults: self.defaults.clone(), blocks, wires: self.wires.clone() }
    }

    /// Whether the flow differs from what was last loaded or saved.
    pub fn is_dirty(&self) -> bool {
        !self.is_saved_as(&self.to_flow())
    }

    /// Whether `flow` (this document's, from [`Document::to_flow`]) is what was last
    /// loaded or saved.
    pub fn is_saved_as(&self, flow: &Flow) -> bool {
        flow.to_json() == self.saved
    }

    /// Records that the flow was saved as `text` to `path`.
    pub fn mark_saved(&mut self, path: PathBuf, text: String) {
        self.path = Some(path);
        self.saved = text;
    }

    /// Block `block_id`, if the flow has it.
    pub fn block(&self, block_id: &str) -> Option<&Block> {
        self.snarl.nodes().map(|node| &node.block).find(|block| block.id == block_id)
    }

    /// The node that holds block `block_id`.
    pub fn node_of(&self, block_id: &str) -> Option<NodeId> {
        self.snarl.node_ids().find(|(_, node)| node.block.id == block_id).map(|(id, _)| id)
    }

    /// The pins a wire connects, if both blocks and ports exist.
    pub fn pins(&self, wire: &Wire) -> Option<(OutPinId, InPinId)> {
        let from_node = self.node_of(&wire.from.block)?;
        let to_node = self.node_of(&wire.to.block)?;
        let from_kind = &self.snarl.get_node(from_node)?.block.kind;
        let to_kind = &self.snarl.get_node(to_node)?.block.kind;
        let output = from_kind.outputs().iter().position(|p| *p == wire.from.port)?;
        let input = to_kind.inputs().iter().position(|p| *p == wire.to.port)?;
        Some((OutPinId { node: from_node, output }, InPinId { node: to_node, input }))
    }

    /// Adds a block of `kind` at `pos` with a fresh id; returns its node.
    pub fn add_block(&mut self, kind: NewBlock, pos: Pos2) -> NodeId {
        let id = self.fresh_id(kind.id_stem());
        let block = Block { id, at: [pos.x, pos.y], kind: kind.kind() };
        self.insert(block, pos)
    }

    /// Inserts `block` as it is (its id must be unused) at `pos`.
    pub fn insert(&mut self, block: Block, pos: Pos2) -> NodeId {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.snarl.insert_node(pos, BlockNode { seq, block })
    }

    /// Why `new` cannot be the id of block `old`, if it cannot: ids are
    /// `[A-Za-z0-9_-]+` and unique.
    pub fn rename_problem(&self, old: &str, new: &str) -> Option<String> {
        if new.is_empty() {
            Some("Enter an id.".to_owned())
        } else if !switchyard_flow::is_valid_block_id(new) {
            Some(format!("`{new}` is not a valid id: use letters, digits, `_` and `-`."))
        } else if new != old && self.block(new).is_some() {
            Some(format!("Another block is called `{new}`: choose another id."))
        } else {
            None
        }
    }

    /// Renames block `old` to `new`; the wires follow it. Returns false (changing
    /// nothing) when there is no such block or `new` cannot be its id.
    pub fn rename_block(&mut self, old: &str, new: &str) -> bool {
        if old == new || self.rename_problem(old, new).is_some() {
            return false;
        }
        let Some(node) = self.node_of(old).and_then(|node| self.snarl.get_node_mut(node)) else { return false };
        new.clone_into(&mut node.block.id);
        for wire in &mut self.wires {
            for end in [&mut wire.from.block, &mut wire.to.block] {
                if end == old {
                    new.clone_into(end);
                }
            }
        }
        true
    }

    /// An id not used by any block: `stem`, `stem-2`, `stem-3`, …
    pub fn fresh_id(&self, stem: &str) -> String {
        let taken = |id: &str| self.snarl.nodes().any(|n| n.block.id == id);
        if !taken(stem) {
            return stem.to_owned();
        }
        // A copy of `request-2` is `request-3`, not `request-2-2`.
        let stem = match stem.rsplit_once('-') {
            Some((base, n)) if !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
            _ => stem,
        };
        (2..).map(|n| format!("{stem}-{n}")).find(|id| !taken(id)).unwrap_or_else(|| stem.to_owned())
    }

    /// Connects two pins (an output to an input) and records the wire. Returns false
    /// when they were already connected or do not exist.
    pub fn connect(snarl: &mut Snarl<BlockNode>, wires: &mut Vec<Wire>, from: OutPinId, to: InPinId) -> bool {
        let Some(wire) = wire_between(snarl, from, to) else { return false };
        if wires.contains(&wire) || !snarl.connect(from, to) {
            return false;
        }
        wires.push(wire);
        true
    }

    /// Removes the wire between two pins.
    pub fn disconnect(snarl: &mut Snarl<BlockNode>, wires: &mut Vec<Wire>, from: OutPinId, to: InPinId) {
        if let Some(wire) = wire_between(snarl, from, to) {
            wires.retain(|w| *w != wire);
        }
        snarl.disconnect(from, to);
    }

    /// Removes a block and every wire to or from it.
    pub fn remove_node(&mut self, node: NodeId) -> Option<Block> {
        let block = self.snarl.get_node(node)?.block.clone();
        self.wires.retain(|w| w.from.block != block.id && w.to.block != block.id);
        self.snarl.remove_node(node);
        Some(block)
    }
}

impl Document {
    /// Makes the graph show `flow` (an undo or redo step), keeping the nodes of blocks
    /// that stay (their canvas selection and editing state) and the file order of
    /// `flow`. The saved text and path stay: the document is unsaved if `flow` differs.
    pub fn restore(&mut self, flow: &Flow) {
        let wanted: std::collections::HashSet<&str> = flow.blocks.iter().map(|b| b.id.as_str()).collect();
        let stale: Vec<NodeId> =
            self.snarl.node_ids().filter(|(_, n)| !wanted.contains(n.block.id.as_str())).map(|(id, _)| id).collect();
        for node in stale {
            self.snarl.remove_node(node);
        }
        let connected: Vec<(OutPinId, InPinId)> = self.snarl.wires().collect();
        for (from, to) in connected {
            self.snarl.disconnect(from, to);
        }
        for (seq, block) in (0..).zip(&flow.blocks) {
            let pos = Pos2::new(block.at[0], block.at[1]);
            match self.node_of(&block.id) {
                Some(node) => {
                    if let Some(info) = self.snarl.get_node_info_mut(node) {
                        info.pos = pos;
                        info.value = BlockNode { seq, block: block.clone() };
                    }
                }
                None => {
                    self.snarl.insert_node(pos, BlockNode { seq, block: block.clone() });
                }
            }
        }
        self.next_seq = flow.blocks.len() as u64;
        self.name = flow.name.clone();
        self.defaults = flow.defaults.clone();
        self.wires.clear();
        for wire in &flow.wires {
            if let Some((from, to)) = self.pins(wire) {
                self.snarl.connect(from, to);
                self.wires.push(wire.clone());
            }
        }
    }

    /// The blocks of `nodes` and the wires between them, as a flow fragment (what Copy
    /// puts on the clipboard, in the flow format).
    pub fn fragment(&self, nodes: &[NodeId]) -> Flow {
        let blocks = in_file_order(nodes.iter().filter_map(|node| self.snarl.get_node_info(*node)).map(placed));
        let inside = |id: &str| blocks.iter().any(|b| b.id == id);
        let wires = self.wires.iter().filter(|w| inside(&w.from.block) && inside(&w.to.block)).cloned().collect();
        Flow { name: "copied blocks".to_owned(), defaults: Defaults::default(), blocks, wires }
    }

    /// Adds the blocks of `fragment` with fresh ids, moved by `offset`, and the wires
    /// between them. A Start block is left out when the flow has one already (a flow
    /// has exactly one). Returns the new nodes and how many Start blocks were left out.
    pub fn paste(&mut self, fragment: &Flow, offset: egui::Vec2) -> (Vec<NodeId>, usize) {
        let has_start = self.snarl.nodes().any(|n| matches!(n.block.kind, BlockKind::Start(_)));
        let mut renamed = std::collections::HashMap::new();
        let mut nodes = Vec::new();
        let mut skipped = 0;
        for block in &fragment.blocks {
            if has_start && matches!(block.kind, BlockKind::Start(_)) {
                skipped += 1;
                continue;
            }
            let mut block = block.clone();
            let id = self.fresh_id(&block.id);
            renamed.insert(block.id.clone(), id.clone());
            block.id = id;
            let pos = Pos2::new(block.at[0], block.at[1]) + offset;
            block.at = [pos.x, pos.y];
            nodes.push(self.insert(block, pos));
        }
        for wire in &fragment.wires {
            let (Some(from), Some(to)) = (renamed.get(&wire.from.block), renamed.get(&wire.to.block)) else { continue };
            let wire = Wire { from: PortRef::new(from, wire.from.port), to: PortRef::new(to, wire.to.port) };
            if let Some((from, to)) = self.pins(&wire) {
                Document::connect(&mut self.snarl, &mut self.wires, from, to);
            }
        }
        (nodes, skipped)
    }
}

/// A node's block with its canvas position, and its place in the file.
fn placed(info: &egui_snarl::Node<BlockNode>) -> (u64, Block) {
    let mut block = info.value.block.clone();
    block.at = [info.pos.x, info.pos.y];
    (info.value.seq, block)
}

/// The blocks in file order, each once.
fn in_file_order(blocks: impl Iterator<Item = (u64, Block)>) -> Vec<Block> {
    let mut blocks: Vec<(u64, Block)> = blocks.collect();
    blocks.sort_by_key(|(seq, _)| *seq);
    blocks.dedup_by_key(|(seq, _)| *seq);
    blocks.into_iter().map(|(_, block)| block).collect()
}

/// The wire two pins make, as the file names it.
pub fn wire_between(snarl: &Snarl<BlockNode>, from: OutPinId, to: InPinId) -> Option<Wire> {
    let from_block = &snarl.get_node(from.node)?.block;
    let to_block = &snarl.get_node(to.node)?.block;
    let from_port = from_block.kind.outputs().get(from.output)?;
    let to_port = to_block.kind.inputs().get(to.input)?;
    Some(Wire { from: PortRef::new(&from_block.id, *from_port), to: PortRef::new(&to_block.id, *to_port) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> (PathBuf, String) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        (path, text)
    }

    #[test]
    fn every_example_flow_converts_back_to_the_same_bytes() {
        for name in
            ["openai-models.flow.json", "openai-first-model.flow.json", "postman-me.flow.json", "boomi-flows.flow.json"]
        {
            let (path, text) = example(name);
            let flow = switchyard_flow::load(&path).unwrap();
            let document = Document::from_flow(flow, Some(path));
            assert_eq!(document.to_flow().to_json(), text, "{name}");
            assert!(!document.is_dirty(), "{name}");
        }
    }

    #[test]
    fn edits_make_the_document_dirty_and_keep_file_order() {
        let (path, _) = example("openai-models.flow.json");
        let mut document = Document::from_flow(switchyard_flow::load(&path).unwrap(), Some(path));
        let node = document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::new(10.0, 20.0));
        assert!(document.is_dirty());
        assert_eq!(document.snarl.get_node(node).unwrap().block.id, "log");
        let again = document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::new(10.0, 20.0));
        assert_eq!(document.snarl.get_node(again).unwrap().block.id, "log-2");
        let flow = document.to_flow();
        assert_eq!(flow.blocks.last().unwrap().id, "log-2");
        assert_eq!(flow.blocks[0].id, "start");

        let start = document.node_of("start").unwrap();
        let log = document.node_of("log").unwrap();
        let from = OutPinId { node: start, output: 0 };
        let to = InPinId { node: log, input: 0 };
        assert!(Document::connect(&mut document.snarl, &mut document.wires, from, to));
        assert!(!Document::connect(&mut document.snarl, &mut document.wires, from, to), "no duplicate wire");
        assert_eq!(document.wires.last().unwrap().to.block, "log");
        Document::disconnect(&mut document.snarl, &mut document.wires, from, to);
        assert!(!document.wires.iter().any(|w| w.to.block == "log"));

        let models = document.node_of("models").unwrap();
        document.remove_node(models);
        assert!(!document.wires.iter().any(|w| w.to.block == "models" || w.from.block == "models"));
        assert!(switchyard_flow::Flow::from_json(&document.to_flow().to_json(), "t").is_ok());
    }

    #[test]
    fn restore_shows_an_earlier_flow_and_keeps_nodes_that_stay() {
        let (path, text) = example("openai-first-model.flow.json");
        let mut document = Document::from_flow(switchyard_flow::load(&path).unwrap(), Some(path));
        let before = document.to_flow();
        let start = document.node_of("start").unwrap();
        document.snarl.get_node_info_mut(start).unwrap().pos = Pos2::new(500.0, 500.0);
        let first = before.blocks[1].id.clone();
        document.remove_node(document.node_of(&first).unwrap());
        document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::ZERO);
        document.name = "renamed".to_owned();
        assert!(document.is_dirty());

        document.restore(&before);
        assert_eq!(document.to_flow(), before);
        assert_eq!(document.to_flow().to_json(), text);
        assert_eq!(document.node_of("start"), Some(start), "a block that stays keeps its node");
        assert!(!document.is_dirty());
        let wires: Vec<_> = document.snarl.wires().collect();
        assert_eq!(wires.len(), before.wires.len(), "the graph's connections follow the wires");
    }

    #[test]
    fn copied_blocks_paste_with_fresh_ids_and_their_inner_wires() {
        let (path, _) = example("openai-first-model.flow.json");
        let mut document = Document::from_flow(switchyard_flow::load(&path).unwrap(), Some(path));
        let flow = document.to_flow();
        let nodes: Vec<NodeId> = flow.blocks.iter().map(|b| document.node_of(&b.id).unwrap()).collect();
        let fragment = document.fragment(&nodes);
        assert_eq!(fragment.blocks.len(), flow.blocks.len());
        assert_eq!(fragment.wires, flow.wires);
        // Through the clipboard's text and back.
        let fragment = Flow::fragment_from_json(&fragment.to_json()).unwrap();

        let (pasted, skipped) = document.paste(&fragment, egui::Vec2::new(40.0, 40.0));
        assert_eq!(skipped, 1, "the flow has a start block already");
        assert_eq!(pasted.len(), flow.blocks.len() - 1);
        let after = document.to_flow();
        assert_eq!(after.blocks.len(), flow.blocks.len() * 2 - 1);
        let new_ids: Vec<&str> = after.blocks[flow.blocks.len()..].iter().map(|b| b.id.as_str()).collect();
        for id in &new_ids {
            assert!(!flow.blocks.iter().any(|b| b.id == *id), "{id} is fresh");
        }
        let original = &flow.blocks[1];
        let copy = &after.blocks[flow.blocks.len()];
        assert_eq!(copy.kind, original.kind);
        assert_eq!(copy.at, [original.at[0] + 40.0, original.at[1] + 40.0]);
        // Wires between copied blocks come along; the one from the left-out start does not.
        let inner = flow.wires.iter().filter(|w| w.from.block != "start").count();
        assert_eq!(after.wires.len(), flow.wires.len() + inner);
        assert!(Flow::from_json(&after.to_json(), "t").is_ok(), "still a valid flow");
    }

    #[test]
    fn fresh_ids_count_up_from_the_stem() {
        let mut document = Document::from_flow(Flow::new("t"), None);
        document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::ZERO);
        document.add_block(NewBlock(&switchyard_flow::LogBlock::TYPE), Pos2::ZERO);
        assert_eq!(document.fresh_id("log-2"), "log-3");
        assert_eq!(document.fresh_id("log"), "log-3");
        assert_eq!(document.fresh_id("api-v2"), "api-v2");
    }
}
