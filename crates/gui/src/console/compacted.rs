//! A large value of an ended run kept small: its compact JSON text, deflated (a JSON
//! response shrinks to about a tenth of its text, a hundredth of its parsed size), and
//! read back whole when its line is selected.

use std::io::{Read as _, Write as _};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde_json::Value;

/// How much of the text's start is kept for the row's preview, in bytes.
const START_BYTES: usize = 256;

/// A value as deflated compact JSON text, with the start of that text.
#[derive(Debug, PartialEq, Eq)]
pub struct Compacted {
    deflated: Box<[u8]>,
    text_len: usize,
    start: String,
}

impl Compacted {
    /// `value` as compact JSON text, deflated at the fast level; none if it cannot be
    /// written.
    pub fn of(value: &Value) -> Option<Self> {
        let text = serde_json::to_vec(value).ok()?;
        let start = String::from_utf8_lossy(text.get(..text.len().min(START_BYTES)).unwrap_or_default()).into_owned();
        let mut encoder = DeflateEncoder::new(Vec::with_capacity(text.len() / 8), Compression::fast());
        encoder.write_all(&text).ok()?;
        let deflated = encoder.finish().ok()?.into_boxed_slice();
        Some(Self { deflated, text_len: text.len(), start })
    }

    /// The value again: the text inflated (never past its known length) and parsed.
    /// `None` if it does not parse (a document nested past serde_json's 128 levels).
    pub fn value(&self) -> Option<Value> {
        let mut text = Vec::with_capacity(self.text_len);
        let limit = u64::try_from(self.text_len).ok()?.saturating_add(1);
        DeflateDecoder::new(&*self.deflated).take(limit).read_to_end(&mut text).ok()?;
        if text.len() != self.text_len {
            return None;
        }
        serde_json::from_slice(&text).ok()
    }

    /// The bytes it holds.
    pub fn held_bytes(&self) -> usize {
        self.deflated.len() + self.start.len() + std::mem::size_of::<Self>()
    }

    /// The length of the JSON text, in bytes.
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    /// The start of the JSON text (at most 256 bytes; a character cut there shows as
    /// `�`).
    pub fn start(&self) -> &str {
        &self.start
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_value_comes_back_as_it_was_and_smaller() {
        let value = json!({"items": (0..2_000).map(|i| json!({"id": i, "name": format!("user {i}"), "ok": true})).collect::<Vec<_>>(), "é": "\u{1b}"});
        let compacted = Compacted::of(&value).unwrap();
        assert_eq!(compacted.value(), Some(value.clone()));
        assert_eq!(compacted.text_len(), serde_json::to_vec(&value).unwrap().len());
        assert!(
            compacted.held_bytes() * 5 < compacted.text_len(),
            "{} of {}",
            compacted.held_bytes(),
            compacted.text_len()
        );
        assert!(compacted.start().starts_with("{\"items\":[{\"id\":0,"), "{}", compacted.start());
        assert_eq!(compacted.start().len(), 256);
    }

    #[test]
    fn a_text_that_does_not_match_its_length_reads_as_none() {
        let mut compacted = Compacted::of(&json!([1, 2, 3])).unwrap();
        compacted.text_len -= 1;
        assert_eq!(compacted.value(), None);
    }
}
