//! Property tests of the flow reader: mutated copies of the example flows never make it
//! panic; what it accepts writes back and reads again to the same flow; and what it
//! refuses is reported one problem per line, with no raw control character.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use proptest::prelude::*;
use switchyard_flow::{Flow, FlowError};

/// The example flows, as bytes.
fn examples() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    let examples: Vec<Vec<u8>> = files
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    assert!(!examples.is_empty(), "no example flows in {dir}");
    examples
}

/// What a mutation inserts: JSON punctuation, odd values, control characters, a BOM,
/// names of the format and near misses.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "1e999",
    "-0",
    "18446744073709551616",
    "\"\\u0000\"",
    "\\n",
    "\u{1b}]0;x\u{7}",
    "\u{feff}",
    "\"type\"",
    "\"send_request\"",
    "\"lgo\"",
    "\"start\"",
    "\"wires\"",
    "\"blocks\"",
    ".in",
    ".out",
    "\"{{a}}\"",
    "\"<<<<\"",
    "é",
    "\u{202e}",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    Replace { at: usize, byte: u8 },
    Duplicate { at: usize, len: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace { at, byte }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let at = |at: usize, bytes: &Vec<u8>| if bytes.is_empty() { 0 } else { at % (bytes.len() + 1) };
    match *mutation {
        Mutation::Delete { at: a, len } => {
            let a = at(a, bytes);
            let end = (a + len).min(bytes.len());
            bytes.drain(a..end);
        }
        Mutation::Insert { at: a, token } => {
            let a = at(a, bytes);
            bytes.splice(a..a, TOKENS[token].bytes());
        }
        Mutation::Replace { at: a, byte } => {
            if !bytes.is_empty() {
                let a = a % bytes.len();
                bytes[a] = byte;
            }
        }
        Mutation::Duplicate { at: a, len } => {
            let a = at(a, bytes);
            let end = (a + len).min(bytes.len());
            let copy = bytes[a..end].to_vec();
            bytes.splice(end..end, copy);
        }
        Mutation::Truncate { at: a } => {
            let a = at(a, bytes);
            bytes.truncate(a);
        }
    }
}

/// The reader's verdict on `bytes`, through the same path as a file (`load`).
fn load(bytes: &[u8]) -> Result<Flow, FlowError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.json");
    std::fs::write(&path, bytes).unwrap();
    switchyard_flow::load(&path)
}

/// 256 cases, or `PROPTEST_CASES` for a deeper search by hand.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutated_flows_are_read_or_refused_without_panicking(
        example in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let examples = examples();
        let mut bytes = examples[example.index(examples.len())].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        match load(&bytes) {
            Ok(flow) => {
                let written = flow.to_json();
                let again = Flow::from_json(&written, "rewritten").expect("what was accepted reads back");
                prop_assert_eq!(&again, &flow);
                prop_assert_eq!(again.to_json(), written, "the canonical layout is stable");
            }
            Err(error) => {
                let text = error.to_string();
                prop_assert!(!text.is_empty());
                prop_assert!(
                    !text.chars().any(|c| switchyard_flow::needs_escape(c) && c != '\n'),
                    "a control character reached the message: {:?}", text
                );
                if let FlowError::Invalid { problems, .. } = &error {
                    prop_assert_eq!(text.lines().count(), problems.len(), "one line per problem: {:?}", text);
                }
            }
        }
    }
}
