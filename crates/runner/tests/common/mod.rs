//! Flow files for the runner's tests, and an observer that writes down what it is told.

#![allow(dead_code, reason = "each test file uses some of these")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Value, json};
use switchyard_engine::Event;
use switchyard_runner::report::Ran;
use switchyard_runner::{FlowObserver, LoadedFlow, Observer};

/// A flow document named `name` with these blocks and wires.
pub fn flow(name: &str, blocks: Value, wires: Value) -> Value {
    json!({"switchyard": 1, "name": name, "blocks": blocks, "wires": wires})
}

/// start → log (at `level`, labelled `label`).
pub fn logging(name: &str, label: &str, level: &str) -> Value {
    flow(
        name,
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "log": {"type": "log", "at": [200, 0], "label": label, "level": level}
        }),
        json!([["start.out", "log.in"]]),
    )
}

/// start → a request to `url` (its templates name variables).
pub fn requesting(name: &str, url: &str) -> Value {
    flow(
        name,
        json!({
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [200, 0], "url": url}
        }),
        json!([["start.out", "call.in"]]),
    )
}

/// Writes `document` to `dir/name`.
pub fn write(dir: &Path, name: &str, document: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(document).unwrap()).unwrap();
    path
}

/// What an [`Observer`] was told, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Told {
    Started { index: usize, name: String, undefined: Vec<String> },
    Event { index: usize, event: String },
    Finished { index: usize, outcome: String },
}

/// An observer that writes down what it is told; its flows' observers fail to write
/// with `fail` when set.
#[derive(Debug, Default)]
pub struct Notes {
    pub told: Rc<RefCell<Vec<Told>>>,
    pub fail: Option<io::ErrorKind>,
}

/// One flow's part of [`Notes`].
pub struct FlowNotes {
    index: usize,
    told: Rc<RefCell<Vec<Told>>>,
    fail: Option<io::ErrorKind>,
}

impl FlowObserver for FlowNotes {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        if let Some(kind) = self.fail {
            return Err(io::Error::from(kind));
        }
        let name = serde_json::to_value(event).unwrap()["event"].as_str().unwrap().to_owned();
        self.told.borrow_mut().push(Told::Event { index: self.index, event: name });
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Observer for Notes {
    type Flow = FlowNotes;

    fn flow_started(&mut self, index: usize, flow: &LoadedFlow, undefined: Vec<String>) -> FlowNotes {
        self.told.borrow_mut().push(Told::Started { index, name: flow.flow.name.clone(), undefined });
        FlowNotes { index, told: Rc::clone(&self.told), fail: self.fail }
    }

    fn flow_finished(&mut self, index: usize, _observer: FlowNotes, ran: &Ran) -> io::Result<()> {
        let outcome = ran.summary.outcome.as_str().to_owned();
        self.told.borrow_mut().push(Told::Finished { index, outcome });
        Ok(())
    }
}
