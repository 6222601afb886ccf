//! Block ids (slugs made unique) and the canvas layout of imported flows.

use std::collections::{HashMap, HashSet};

use switchyard_flow::{Block, BlockKind, Flow, LogBlock, Port, PortRef, SendRequest, Wire};

/// DESIGN §9's slug: lower case, every run of characters outside `[a-z0-9]` one `-`,
/// no leading or trailing `-`; empty becomes `request`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "request".to_owned() } else { out }
}

/// Hands out unique block ids: the slug, then `-2`, `-3`, … for repeats.
pub(crate) struct Ids {
    taken: HashSet<String>,
    next_suffix: HashMap<String, u64>,
}

impl Ids {
    /// Ids with `reserved` already taken.
    pub(crate) fn new(reserved: &[&str]) -> Self {
        Self { taken: reserved.iter().map(|&id| id.to_owned()).collect(), next_suffix: HashMap::new() }
    }

    /// A fresh id for a block named `name`.
    pub(crate) fn unique(&mut self, name: &str) -> String {
        let base = slug(name);
        if self.taken.insert(base.clone()) {
            return base;
        }
        let suffix = self.next_suffix.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{suffix}");
            *suffix += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

const COLUMN: f32 = 320.0;
const ROW: f32 = 200.0;
const LEFT: f32 = 300.0;
const TOP: f32 = 120.0;

/// One request of a chain, with the row (folder) it is drawn in.
pub(crate) struct Link {
    pub id: String,
    pub row: usize,
    pub request: SendRequest,
}

fn wire(from: &str, from_port: Port, to: &str) -> Wire {
    Wire { from: PortRef::new(from, from_port), to: PortRef::new(to, Port::In) }
}

fn log(id: &str, at: [f32; 2]) -> Block {
    Block {
        id: id.to_owned(),
        at,
        kind: BlockKind::Log(LogBlock { label: Some(id.to_owned()), ..LogBlock::default() }),
    }
}

/// Start → each request in turn on `success`; every `failure` → Log `failed`; the last
/// `success` → Log `done`. Rows are folders; requests go left to right within a row.
pub(crate) fn chain(name: &str, links: Vec<Link>) -> Flow {
    let mut flow = Flow::new(name);
    let mut columns: HashMap<usize, usize> = HashMap::new();
    let mut last_at = [LEFT - COLUMN, TOP];
    let mut previous = ("start".to_owned(), Port::Out);
    let max_row = links.iter().map(|link| link.row).max().unwrap_or(0);
    let any = !links.is_empty();
    for link in links {
        let column = columns.entry(link.row).or_insert(0);
        let at = [LEFT + COLUMN * *column as f32, TOP + ROW * link.row as f32];
        *column += 1;
        last_at = at;
        flow.wires.push(wire(&previous.0, previous.1, &link.id));
        flow.wires.push(wire(&link.id, Port::Failure, "failed"));
        flow.blocks.push(Block { id: link.id.clone(), at, kind: BlockKind::SendRequest(link.request) });
        previous = (link.id, Port::Success);
    }
    flow.wires.push(wire(&previous.0, previous.1, "done"));
    flow.blocks.push(log("done", [last_at[0] + COLUMN, last_at[1]]));
    if any {
        flow.blocks.push(log("failed", [LEFT, TOP + ROW * (max_row + 1) as f32]));
    }
    flow
}

/// Start → Send Request `request` → Log `success` / Log `failure` (an imported curl command).
pub(crate) fn single(name: &str, request: SendRequest) -> Flow {
    let mut flow = Flow::new(name);
    flow.blocks.push(Block { id: "request".to_owned(), at: [LEFT, TOP], kind: BlockKind::SendRequest(request) });
    flow.blocks.push(log("success", [LEFT + COLUMN, TOP - 60.0]));
    flow.blocks.push(log("failure", [LEFT + COLUMN, TOP + 100.0]));
    flow.wires.push(wire("start", Port::Out, "request"));
    flow.wires.push(wire("request", Port::Success, "success"));
    flow.wires.push(wire("request", Port::Failure, "failure"));
    flow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_design() {
        assert_eq!(slug("Get user (v2)"), "get-user-v2");
        assert_eq!(slug("  --Hello__World--  "), "hello-world");
        assert_eq!(slug("Ünïcode ✓"), "n-code");
        assert_eq!(slug("!!!"), "request");
        assert_eq!(slug(""), "request");
    }

    #[test]
    fn repeated_names_get_numbered_ids_and_reserved_ids_are_avoided() {
        let mut ids = Ids::new(&["start", "done", "failed"]);
        let got: Vec<String> = ["A", "a", "Done", "a-2", "A"].iter().map(|n| ids.unique(n)).collect();
        assert_eq!(got, ["a", "a-2", "done-2", "a-2-2", "a-3"]);
    }
}
