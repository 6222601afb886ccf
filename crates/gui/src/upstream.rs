//! What the flow itself gives a block before it runs: the variables set upstream of it
//! (by `set` blocks and by request captures), and where the value at its input comes
//! from (a For Each's element, or something else). The inspector uses both: a name set
//! upstream is defined, and `{{input…}}` inside a For Each branch is the element.

use std::collections::{BTreeMap, HashMap, HashSet};

use switchyard_flow::{Block, BlockKind, Port, Wire};

use crate::inspector::InputOrigin;

/// What the flow gives one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upstream {
    /// The variables set by blocks upstream of it (name → whether it is a secret).
    pub(crate) names: BTreeMap<String, bool>,
    /// Where the value at its input comes from.
    pub(crate) input: InputOrigin,
}

impl Upstream {
    /// What the flow of `blocks` and `wires` gives block `block_id`. Walks the wires
    /// backwards with its own list (each block once), so any flow, loops included, takes
    /// time linear in its size.
    pub(crate) fn of<'f>(blocks: impl IntoIterator<Item = &'f Block>, wires: &'f [Wire], block_id: &str) -> Self {
        let kinds: HashMap<&str, &BlockKind> =
            blocks.into_iter().map(|block| (block.id.as_str(), &block.kind)).collect();
        let mut into: HashMap<&str, Vec<&Wire>> = HashMap::new();
        for wire in wires {
            into.entry(wire.to.block.as_str()).or_default().push(wire);
        }
        let mut names = BTreeMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo = vec![block_id];
        while let Some(id) = todo.pop() {
            for wire in into.get(id).into_iter().flatten() {
                let from = wire.from.block.as_str();
                if !seen.insert(from) {
                    continue;
                }
                if let Some(kind) = kinds.get(from) {
                    for (name, secret) in names_set_by(kind) {
                        names.entry(name.to_owned()).or_insert(secret);
                    }
                }
                todo.push(from);
            }
        }
        Self { names, input: input_origin(&kinds, &into, block_id) }
    }
}

/// The variables a block sets when it runs, each with whether it is a secret.
fn names_set_by(kind: &BlockKind) -> Vec<(&str, bool)> {
    kind.variables_set().into_iter().filter(|(name, _)| !name.is_empty()).collect()
}

/// Where the value at `block_id`'s input comes from: a For Each's element when every
/// way into the block leads back, through blocks that pass their input on unchanged
/// (`BlockType::passes_input_on`), to a For Each's `item` port.
fn input_origin(kinds: &HashMap<&str, &BlockKind>, into: &HashMap<&str, Vec<&Wire>>, block_id: &str) -> InputOrigin {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo = vec![block_id];
    let mut any = false;
    while let Some(id) = todo.pop() {
        for wire in into.get(id).into_iter().flatten().filter(|wire| wire.to.port == Port::In) {
            let from = wire.from.block.as_str();
            let passes_on = kinds.get(from).is_some_and(|kind| kind.block_type().passes_input_on);
            if wire.from.port == Port::Item {
                any = true;
            } else if passes_on {
                if seen.insert(from) {
                    todo.push(from);
                }
            } else {
                return InputOrigin::Other;
            }
        }
    }
    if any { InputOrigin::Item } else { InputOrigin::Other }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchyard_flow::Flow;

    use super::*;

    fn flow(text: &str) -> Flow {
        Flow::from_json(text, "t.flow.json").unwrap()
    }

    fn of(flow: &Flow, block: &str) -> Upstream {
        Upstream::of(&flow.blocks, &flow.wires, block)
    }

    const WELCOME_LIKE: &str = r#"{"switchyard": 1, "name": "t", "blocks": {
        "start": {"type": "start", "at": [0, 0]},
        "name": {"type": "set", "at": [0, 0], "name": "name", "value": "\"Ada\""},
        "token": {"type": "set", "at": [0, 0], "name": "token", "value": "\"k\"", "secret": true},
        "hello": {"type": "send_request", "at": [0, 0], "url": "http://x/{{name}}"},
        "after": {"type": "set", "at": [0, 0], "name": "late"},
        "each": {"type": "for_each", "at": [0, 0], "items": "[1, 2]"},
        "log": {"type": "log", "at": [0, 0]},
        "inner": {"type": "send_request", "at": [0, 0], "url": "http://x/{{input}}"}
    }, "wires": [
        ["start.out", "name.in"], ["name.out", "token.in"], ["token.out", "hello.in"],
        ["hello.success", "after.in"], ["hello.success", "each.in"], ["each.item", "log.in"],
        ["log.out", "inner.in"]
    ]}"#;

    #[test]
    fn names_set_upstream_are_given_and_later_ones_are_not() {
        let flow = flow(WELCOME_LIKE);
        let hello = of(&flow, "hello");
        assert_eq!(
            hello.names.into_iter().collect::<Vec<_>>(),
            [("name".to_owned(), false), ("token".to_owned(), true)]
        );
        assert_eq!(hello.input, InputOrigin::Other, "its input is what Set passed on from Start");
        assert!(of(&flow, "start").names.is_empty());
        assert!(!of(&flow, "inner").names.contains_key("late"), "set on another branch");
    }

    #[test]
    fn names_captured_by_an_upstream_request_are_given() {
        let flow = flow(
            r#"{"switchyard": 1, "name": "t", "blocks": {
            "start": {"type": "start", "at": [0, 0]},
            "login": {"type": "send_request", "at": [0, 0], "url": "http://x/login",
                "captures": [["token", ".body.token", "secret"], ["user", ".body.user"]]},
            "me": {"type": "send_request", "at": [0, 0], "url": "http://x/me"},
            "other": {"type": "log", "at": [0, 0]}
        }, "wires": [["start.out", "login.in"], ["login.success", "me.in"], ["start.out", "other.in"]]}"#,
        );
        assert_eq!(
            of(&flow, "me").names.into_iter().collect::<Vec<_>>(),
            [("token".to_owned(), true), ("user".to_owned(), false)]
        );
        assert!(of(&flow, "login").names.is_empty(), "a request's captures are not defined before it runs");
        assert!(of(&flow, "other").names.is_empty(), "not upstream of it");
    }

    #[test]
    fn inside_a_for_each_branch_the_input_is_the_item() {
        let flow = flow(WELCOME_LIKE);
        assert_eq!(of(&flow, "log").input, InputOrigin::Item);
        assert_eq!(of(&flow, "inner").input, InputOrigin::Item, "through a Log, which passes it on");
        assert_eq!(of(&flow, "each").input, InputOrigin::Other);
    }
}
