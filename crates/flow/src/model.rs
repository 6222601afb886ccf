//! The flow document as plain data: blocks, their fields, ports and wires.

use std::collections::BTreeSet;

use crate::blocks::BlockKind;
use crate::port::{PortRef, Wire};
use crate::template;

/// The file format version this program reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// How many bytes a rendered request may take when neither its block nor the flow's
/// `defaults` say (64 MiB).
pub const DEFAULT_MAX_REQUEST_BYTES: u64 = 64 * 1024 * 1024;

/// A whole flow: its name, its blocks in file order, and the wires between their ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The flow's display name.
    pub name: String,
    /// What applies to every `send_request` of the flow unless the block says otherwise.
    pub defaults: Defaults,
    /// The blocks, in the order they appear in the file.
    pub blocks: Vec<Block>,
    /// The wires, each from an output port to an input port.
    pub wires: Vec<Wire>,
}

/// The flow's top-level `defaults` object: settings for every `send_request` in it.
/// Every field is optional; an absent one leaves the block's own setting or the default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Defaults {
    /// The most bytes a rendered request may take (see [`SendRequest::max_request_bytes`](crate::SendRequest)).
    pub max_request_bytes: Option<u64>,
}

impl Defaults {
    /// Whether nothing is set (the file then has no `defaults`).
    pub fn is_empty(&self) -> bool {
        self == &Defaults::default()
    }
}

/// One block on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Unique id, `[A-Za-z0-9_-]+`.
    pub id: String,
    /// Canvas position `[x, y]`.
    pub at: [f32; 2],
    /// What the block does, with its fields.
    pub kind: BlockKind,
}

impl Flow {
    /// An empty flow with a Start block, ready to be built on.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            defaults: Defaults::default(),
            blocks: vec![Block {
                id: "start".to_owned(),
                at: [40.0, 120.0],
                kind: BlockKind::Start(crate::blocks::Start),
            }],
            wires: Vec::new(),
        }
    }

    /// The most bytes `request`, rendered, may take: its own limit, else the flow's
    /// `defaults`, else [`DEFAULT_MAX_REQUEST_BYTES`].
    pub fn max_request_bytes(&self, request: &crate::SendRequest) -> u64 {
        request.max_request_bytes.or(self.defaults.max_request_bytes).unwrap_or(DEFAULT_MAX_REQUEST_BYTES)
    }

    /// The block with this id.
    pub fn block(&self, id: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.id == id)
    }

    /// The Start block, if the flow has one.
    pub fn start(&self) -> Option<&Block> {
        self.blocks.iter().find(|b| matches!(b.kind, BlockKind::Start(_)))
    }

    /// The input ports wired to `from`, in file order.
    pub fn targets<'a>(&'a self, from: &'a PortRef) -> impl Iterator<Item = &'a PortRef> + 'a {
        self.wires.iter().filter(move |w| &w.from == from).map(|w| &w.to)
    }

    /// Every run variable the flow sets itself (`set` blocks and captures), sorted.
    pub fn defined_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for block in &self.blocks {
            names.extend(block.kind.variables_set().into_iter().map(|(name, _)| name.to_owned()));
        }
        names
    }

    /// Every variable name the flow's templates refer to (except `input…`), sorted.
    pub fn variable_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for block in &self.blocks {
            if let BlockKind::SendRequest(request) = &block.kind {
                for (_, text) in request.templated_fields() {
                    for name in template::references(text) {
                        if template::input_path(name).is_none() && !template::is_dynamic_name(name) {
                            names.insert(name.to_owned());
                        }
                    }
                }
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::{Auth, Body, SendRequest, StatusPattern};

    #[test]
    fn status_patterns_match_by_digit_and_wildcard() {
        let two_xx = StatusPattern::parse("2xx").unwrap();
        assert!(two_xx.matches(200) && two_xx.matches(299));
        assert!(!two_xx.matches(304));
        assert!(!two_xx.matches(20) && !two_xx.matches(2000), "only three-digit statuses");
        let exact = StatusPattern::parse("304").unwrap();
        assert!(exact.matches(304) && !exact.matches(305));
        let thirty = StatusPattern::parse("30X").unwrap();
        assert_eq!(thirty.as_str(), "30x");
        assert!(thirty.matches(301) && !thirty.matches(310));
    }

    #[test]
    fn status_pattern_rejects_malformed_text() {
        for bad in ["", "2x", "2xxx", "x00", "600", "2x0", "abc", "099"] {
            assert!(StatusPattern::parse(bad).is_none(), "{bad} should be refused");
        }
    }

    #[test]
    fn variable_names_cover_every_templated_field_but_input() {
        let mut request = SendRequest::new("https://{{host}}/v1?x={{input.body.id}}");
        request.headers.push(("Authorization".into(), "{{auth}}".into()));
        request.body = Some(Body::Json(serde_json::json!({"a": ["<<nested>>"]})));
        request.auth = Some(Auth::Basic { username: "{{user}}".into(), password: "{{ pw }}".into() });
        let mut flow = Flow::new("t");
        flow.blocks.push(Block { id: "r".into(), at: [0.0, 0.0], kind: BlockKind::SendRequest(request) });
        let names: Vec<_> = flow.variable_names().into_iter().collect();
        assert_eq!(names, ["auth", "host", "nested", "pw", "user"]);
    }
}
