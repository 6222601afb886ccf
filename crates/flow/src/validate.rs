//! The rules on a flow as a model: one Start block, wires from an output to an input
//! of blocks that exist, every expression valid, every Collect inside a For Each. The
//! reader applies them after reading a file; the app applies them to what is on the
//! canvas ([`Flow::validate`]).

use std::collections::{HashMap, HashSet, VecDeque};

use crate::blocks::BlockKind;
use crate::error::{Problem, SUGGESTION_BUDGET, Suggester};
use crate::model::Flow;
use crate::port::{Port, PortDirection, PortRef};
use crate::read::is_valid_block_id;

/// What the reader knows that the model does not.
pub(crate) struct Context<'a> {
    /// A fragment (copied blocks) may have no Start block.
    pub fragment: bool,
    /// Blocks already reported by the reader: wires to them add nothing.
    pub broken_blocks: &'a HashSet<String>,
    /// For each wire of the model, its index in the file (else its own index).
    pub wire_places: &'a [usize],
}

impl Flow {
    /// Checks the flow against every rule of format v1 that is not about JSON shapes.
    /// Each problem names its place (`blocks.ID.FIELD`, `wires[N]`).
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        let broken = HashSet::new();
        let context = Context { fragment: false, broken_blocks: &broken, wire_places: &[] };
        let mut problems = Vec::new();
        check(self, &context, &mut problems, &mut Suggester::new(SUGGESTION_BUDGET));
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// Adds every rule broken by `flow` to `problems`.
pub(crate) fn check(flow: &Flow, context: &Context<'_>, problems: &mut Vec<Problem>, suggester: &mut Suggester) {
    let mut index: HashMap<&str, &BlockKind> = HashMap::with_capacity(flow.blocks.len());
    // Expressions already found valid: a flow repeating one is compiled once for it.
    let mut valid: HashSet<&str> = HashSet::new();
    for block in &flow.blocks {
        // The place is written out only where there is something to report.
        let path = || format!("blocks.{}", block.id);
        if !is_valid_block_id(&block.id) {
            problems.push(Problem::at(
                path(),
                format!("invalid block id `{}`: use letters, digits, `_` and `-`", block.id),
            ));
        }
        if index.insert(block.id.as_str(), &block.kind).is_some() {
            problems.push(Problem::at(path(), format!("two blocks have the id `{}`", block.id)));
        }
        block.kind.validate(&path, problems, &mut valid);
    }
    check_start(flow, context, problems);
    check_wires(flow, context, &index, problems, suggester);
    check_collects(flow, problems);
}

fn check_start(flow: &Flow, context: &Context<'_>, problems: &mut Vec<Problem>) {
    let starts: Vec<&str> =
        flow.blocks.iter().filter(|b| matches!(b.kind, BlockKind::Start(_))).map(|b| b.id.as_str()).collect();
    match starts.as_slice() {
        [_] => {}
        [] if context.fragment => {}
        [] if problems.is_empty() && context.broken_blocks.is_empty() => {
            problems.push(Problem::at("blocks", "the flow has no `start` block; add exactly one"));
        }
        [] => {}
        [_, rest @ ..] => {
            for id in rest {
                problems
                    .push(Problem::at(format!("blocks.{id}"), "a flow has exactly one `start` block; this is another"));
            }
        }
    }
}

fn check_wires(
    flow: &Flow,
    context: &Context<'_>,
    index: &HashMap<&str, &BlockKind>,
    problems: &mut Vec<Problem>,
    suggester: &mut Suggester,
) {
    let mut seen = HashSet::with_capacity(flow.wires.len());
    // The hint for each missing block id, looked up once however many wires name it.
    let mut missing: HashMap<&str, Option<String>> = HashMap::new();
    let mut checker = Ends { index, context, suggester, missing: &mut missing, flow };
    for (position, wire) in flow.wires.iter().enumerate() {
        let place = context.wire_places.get(position).copied().unwrap_or(position);
        let path = || format!("wires[{place}]");
        let ends = [(&wire.from, PortDirection::Output, 0), (&wire.to, PortDirection::Input, 1)];
        let mut good = true;
        for (end, wanted, side) in ends {
            if let Some(problem) = checker.check(end, wanted) {
                problems.push(Problem { place: crate::error::Place::Path(format!("{}[{side}]", path())), ..problem });
                good = false;
            } else if context.broken_blocks.contains(&end.block) {
                good = false;
            }
        }
        if good && !seen.insert(wire) {
            problems.push(Problem::at(path(), format!("the wire {} → {} appears twice", wire.from, wire.to)));
        }
    }
}

/// Checks one end of a wire against the blocks.
struct Ends<'f, 'c> {
    index: &'c HashMap<&'f str, &'f BlockKind>,
    context: &'c Context<'c>,
    suggester: &'c mut Suggester,
    missing: &'c mut HashMap<&'f str, Option<String>>,
    flow: &'f Flow,
}

impl<'f> Ends<'f, '_> {
    fn check(&mut self, end: &'f PortRef, wanted: PortDirection) -> Option<Problem> {
        let Some(kind) = self.index.get(end.block.as_str()) else {
            if self.context.broken_blocks.contains(&end.block) {
                return None;
            }
            let flow = self.flow;
            let suggester = &mut *self.suggester;
            let hint = self
                .missing
                .entry(end.block.as_str())
                .or_insert_with(|| suggester.suggest(&end.block, flow.blocks.iter().map(|b| b.id.as_str())))
                .clone();
            return Some(Problem::at("", format!("no block `{}` in this flow", end.block)).with_suggestion(hint));
        };
        let block_id = &end.block;
        match kind.port_direction(end.port) {
            Some(direction) if direction == wanted => None,
            Some(PortDirection::Input) => Some(Problem::at(
                "",
                format!("`{end}` is an input; a wire starts at an output ({})", ports(block_id, kind.outputs())),
            )),
            Some(PortDirection::Output) => Some(Problem::at(
                "",
                format!("`{end}` is an output; a wire ends at an input ({})", ports(block_id, kind.inputs())),
            )),
            None => {
                let all = kind.inputs().iter().chain(kind.outputs()).map(|p| p.as_str());
                let hint = self.suggester.suggest(end.port.as_str(), all).map(|p| format!("{block_id}.{p}"));
                Some(
                    Problem::at("", format!("a {} block has no port `{}`", kind.type_name(), end.port))
                        .with_suggestion(hint),
                )
            }
        }
    }
}

/// Every Collect must be reachable from some For Each's `item` port.
fn check_collects(flow: &Flow, problems: &mut Vec<Problem>) {
    if !flow.blocks.iter().any(|b| matches!(b.kind, BlockKind::Collect(_))) {
        return;
    }
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for wire in &flow.wires {
        next.entry(wire.from.block.as_str()).or_default().push(wire.to.block.as_str());
    }
    // Breadth first from every For Each's item port, each block visited once: linear.
    let mut reached: HashSet<&str> = HashSet::new();
    let mut queue: VecDeque<&str> = flow
        .wires
        .iter()
        .filter(|w| w.from.port == Port::Item)
        .filter(|w| matches!(flow.block(&w.from.block).map(|b| &b.kind), Some(BlockKind::ForEach(_))))
        .map(|w| w.to.block.as_str())
        .collect();
    while let Some(block) = queue.pop_front() {
        if reached.insert(block) {
            queue.extend(next.get(block).into_iter().flatten().copied());
        }
    }
    for block in &flow.blocks {
        if matches!(block.kind, BlockKind::Collect(_)) && !reached.contains(block.id.as_str()) {
            problems.push(Problem::at(
                format!("blocks.{}", block.id),
                "a collect block gathers the elements of a for_each: wire it after a for_each's `item` port",
            ));
        }
    }
}

fn ports(block_id: &str, ports: &[Port]) -> String {
    if ports.is_empty() {
        return "none on this block".to_owned();
    }
    ports.iter().map(|p| format!("`{block_id}.{p}`")).collect::<Vec<_>>().join(", ")
}
