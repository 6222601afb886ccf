//! Masking an event: every text and value it carries.

use std::sync::Arc;

use super::Redactor;
use crate::event::Event;

impl Redactor {
    /// The event with every field masked: each string and value in place, so an event
    /// without a secret costs one scan of its text and no copy.
    /// An event whose typed number would show a secret (one that is all digits) is
    /// withheld: a warning takes its place.
    pub fn redact_event(&self, mut event: Event) -> Event {
        if self.is_empty() {
            return event;
        }
        let numbers: &[u64] = match &event {
            Event::RunStarted { blocks, .. } => &[*blocks as u64],
            Event::BlockStarted { step, .. } => &[*step],
            Event::ResponseReceived { status, duration_ms, bytes, .. } => &[u64::from(*status), *duration_ms, *bytes],
            Event::ItemStarted { index, total, .. } => &[*index as u64, *total as u64],
            _ => &[],
        };
        if numbers.iter().any(|number| self.contains_secret(&number.to_string())) {
            let block = event.block().map(|block| self.redact(block));
            let message = "an event was withheld because it contained a secret value".to_owned();
            return Event::Warning { block, message };
        }
        match &mut event {
            Event::RunStarted { flow, .. } => self.redact_string(flow),
            Event::BlockStarted { block, kind, .. } => {
                self.redact_string(block);
                self.redact_string(kind);
            }
            Event::RequestSent { block, method, url, headers } => {
                for text in [block, method, url] {
                    self.redact_string(text);
                }
                for (name, value) in headers {
                    self.redact_string(name);
                    self.redact_string(value);
                }
            }
            Event::ResponseReceived { block, .. } => self.redact_string(block),
            Event::Log { block, label, value, .. } => {
                self.redact_string(block);
                if let Some(label) = label {
                    self.redact_string(label);
                }
                self.redact_value(value);
            }
            Event::Warning { block, message } => {
                if let Some(block) = block {
                    self.redact_string(block);
                }
                self.redact_string(message);
            }
            Event::BlockFinished { block, value, summary, .. } => {
                self.redact_string(block);
                // Shared with the blocks it goes to, which need it as it is: copied
                // only when there is something to mask.
                if self.value_has_secret(value) {
                    self.redact_value(Arc::make_mut(value));
                }
                self.redact_string(summary);
            }
            Event::BlockFailed { block, field, message } => {
                for text in [block, field, message] {
                    self.redact_string(text);
                }
            }
            Event::ItemStarted { block, .. } => self.redact_string(block),
            Event::VariableSet { block, name, value, .. } | Event::CheckResult { block, name, result: value, .. } => {
                self.redact_string(block);
                self.redact_string(name);
                self.redact_value(value);
            }
            Event::RunFinished { .. } => {}
        }
        event
    }
}
