//! Undo and redo: snapshots of the flow after each change.
//!
//! The app records the flow as it stands whenever something may have changed it (a
//! canvas edit, a drag that ended, an inspector edit); a record equal to the current
//! state is ignored. Typing in one block's inspector within a short time makes one step,
//! not one per keystroke.

use switchyard_flow::Flow;

/// How many steps back are kept.
const LIMIT: usize = 200;
/// Inspector edits to one block closer together than this (seconds) make one step.
const COALESCE_SECONDS: f64 = 1.0;

/// The undo and redo stacks around the current state.
#[derive(Debug)]
pub struct History {
    undo: Vec<Flow>,
    current: Flow,
    redo: Vec<Flow>,
    /// What made the current state, and when (for joining keystrokes into one step).
    last: Option<(String, f64)>,
}

impl History {
    /// A history starting at `flow`, with nothing to undo.
    pub fn new(flow: Flow) -> Self {
        Self { undo: Vec::new(), current: flow, redo: Vec::new(), last: None }
    }

    /// The current state.
    pub fn current(&self) -> &Flow {
        &self.current
    }

    /// Records `flow` as the new state if it differs from the current one. `key` names
    /// an edit that may join the previous step (the block whose field is being typed
    /// in); `now` is the time in seconds. Returns whether a change was recorded.
    pub fn record(&mut self, flow: Flow, key: Option<&str>, now: f64) -> bool {
        if flow == self.current {
            return false;
        }
        let joins = match (&self.last, key) {
            (Some((last_key, at)), Some(key)) => last_key == key && now - at < COALESCE_SECONDS,
            _ => false,
        };
        if !joins {
            self.undo.push(std::mem::replace(&mut self.current, flow));
            if self.undo.len() > LIMIT {
                self.undo.remove(0);
            }
        } else {
            self.current = flow;
        }
        self.last = key.map(|key| (key.to_owned(), now));
        self.redo.clear();
        true
    }

    /// Steps back: the state to show, if there is one.
    pub fn undo(&mut self) -> Option<Flow> {
        let previous = self.undo.pop()?;
        self.redo.push(std::mem::replace(&mut self.current, previous));
        self.last = None;
        Some(self.current.clone())
    }

    /// Steps forward again after an undo.
    pub fn redo(&mut self) -> Option<Flow> {
        let next = self.redo.pop()?;
        self.undo.push(std::mem::replace(&mut self.current, next));
        self.last = None;
        Some(self.current.clone())
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Flow {
        Flow::new(name)
    }

    #[test]
    fn undo_and_redo_walk_the_recorded_states() {
        let mut history = History::new(named("a"));
        assert!(!history.can_undo());
        assert!(history.record(named("b"), None, 0.0));
        assert!(history.record(named("c"), None, 0.1));
        assert!(!history.record(named("c"), None, 0.2), "no change, no step");
        assert_eq!(history.undo().map(|f| f.name.clone()), Some("b".to_owned()));
        assert_eq!(history.undo().map(|f| f.name.clone()), Some("a".to_owned()));
        assert!(history.undo().is_none());
        assert_eq!(history.redo().map(|f| f.name.clone()), Some("b".to_owned()));
        // A new change after an undo drops what could be redone.
        assert!(history.record(named("d"), None, 1.0));
        assert!(!history.can_redo());
        assert_eq!(history.undo().map(|f| f.name.clone()), Some("b".to_owned()));
    }

    #[test]
    fn typing_in_one_block_is_one_step_until_a_pause() {
        let mut history = History::new(named("a"));
        history.record(named("ab"), Some("r1"), 0.0);
        history.record(named("abc"), Some("r1"), 0.5);
        history.record(named("abcd"), Some("r1"), 0.9);
        history.record(named("abcde"), Some("r1"), 2.5);
        history.record(named("x"), Some("r2"), 2.6);
        assert_eq!(history.undo().map(|f| f.name.clone()), Some("abcde".to_owned()));
        assert_eq!(history.undo().map(|f| f.name.clone()), Some("abcd".to_owned()));
        assert_eq!(history.undo().map(|f| f.name.clone()), Some("a".to_owned()));
    }

    #[test]
    fn old_steps_are_dropped_beyond_the_limit() {
        let mut history = History::new(named("0"));
        for i in 1..=LIMIT + 10 {
            history.record(named(&i.to_string()), None, i as f64);
        }
        let mut steps = 0;
        while history.undo().is_some() {
            steps += 1;
        }
        assert_eq!(steps, LIMIT);
        assert_eq!(history.current().name, "10");
    }
}
