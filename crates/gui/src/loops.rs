//! Which blocks sit on a loop: a wired loop is legal (a polling loop, a retry), but the
//! canvas marks it so that it is seen. A block is on a loop when its wires lead back to
//! it: it shares a strongly connected component with another block, or is wired to
//! itself.

use std::collections::{HashMap, HashSet};

use switchyard_flow::Wire;

/// The ids of the blocks on a loop of `wires`. Linear in blocks and wires (Kosaraju's
/// two passes, iterative so a long chain cannot overflow the stack).
pub fn blocks_on_loops(wires: &[Wire]) -> HashSet<String> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut forward: Vec<Vec<usize>> = Vec::new();
    let mut backward: Vec<Vec<usize>> = Vec::new();
    let mut on_loop = HashSet::new();
    let mut edges = Vec::with_capacity(wires.len());
    for wire in wires {
        let from = lookup(&mut index, &mut names, &wire.from.block);
        let to = lookup(&mut index, &mut names, &wire.to.block);
        if from == to {
            on_loop.insert(wire.from.block.clone());
        }
        edges.push((from, to));
    }
    forward.resize(names.len(), Vec::new());
    backward.resize(names.len(), Vec::new());
    for &(from, to) in &edges {
        if let (Some(out), Some(back)) = (forward.get_mut(from), backward.get_mut(to)) {
            out.push(to);
            back.push(from);
        }
    }
    // Pass 1: the order in which a depth-first search finishes each block.
    let count = names.len();
    let mut visited = vec![false; count];
    let mut finished = Vec::with_capacity(count);
    for root in 0..count {
        if visited.get(root).copied().unwrap_or(true) {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        if let Some(seen) = visited.get_mut(root) {
            *seen = true;
        }
        while let Some((block, next)) = stack.pop() {
            let successors = forward.get(block).map_or(&[][..], Vec::as_slice);
            if let Some(&successor) = successors.get(next) {
                stack.push((block, next + 1));
                if visited.get(successor) == Some(&false) {
                    if let Some(seen) = visited.get_mut(successor) {
                        *seen = true;
                    }
                    stack.push((successor, 0));
                }
            } else {
                finished.push(block);
            }
        }
    }
    // Pass 2: on the reversed graph, in reverse finishing order, each search is one
    // component.
    let mut component = vec![usize::MAX; count];
    for (label, &root) in finished.iter().rev().enumerate() {
        if component.get(root) != Some(&usize::MAX) {
            continue;
        }
        let mut members = vec![root];
        let mut stack = vec![root];
        if let Some(c) = component.get_mut(root) {
            *c = label;
        }
        while let Some(block) = stack.pop() {
            for &predecessor in backward.get(block).map_or(&[][..], Vec::as_slice) {
                if let Some(c) = component.get_mut(predecessor)
                    && *c == usize::MAX
                {
                    *c = label;
                    members.push(predecessor);
                    stack.push(predecessor);
                }
            }
        }
        if members.len() > 1 {
            on_loop.extend(members.into_iter().filter_map(|m| names.get(m).map(|n| (*n).to_owned())));
        }
    }
    on_loop
}

fn lookup<'w>(index: &mut HashMap<&'w str, usize>, names: &mut Vec<&'w str>, name: &'w str) -> usize {
    if let Some(&i) = index.get(name) {
        return i;
    }
    names.push(name);
    index.insert(name, names.len() - 1);
    names.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_flow::{Port, PortRef};

    fn wire(from: &str, to: &str) -> Wire {
        Wire { from: PortRef::new(from, Port::Out), to: PortRef::new(to, Port::In) }
    }

    #[test]
    fn blocks_whose_wires_lead_back_to_them_are_on_a_loop() {
        let wires = [
            wire("start", "poll"),
            wire("poll", "wait"),
            wire("wait", "poll"),
            wire("poll", "done"),
            wire("self", "self"),
        ];
        let mut on_loop: Vec<_> = blocks_on_loops(&wires).into_iter().collect();
        on_loop.sort();
        assert_eq!(on_loop, ["poll", "self", "wait"]);
        assert!(blocks_on_loops(&[wire("a", "b"), wire("b", "c"), wire("a", "c")]).is_empty());
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let mut wires: Vec<_> = (0..100_000).map(|i| wire(&format!("b{i}"), &format!("b{}", i + 1))).collect();
        assert!(blocks_on_loops(&wires).is_empty());
        wires.push(wire("b100000", "b0"));
        assert_eq!(blocks_on_loops(&wires).len(), 100_001);
    }
}
