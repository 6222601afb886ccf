//! Masking secret values, and every form they take, in everything a run reports.
//!
//! Matching works on decoded text rather than on a list of encodings. For each text
//! the [`Redactor`] looks for the secrets' forms in a few views of it, one linear pass
//! each, with one Aho-Corasick automaton (ASCII case-insensitive):
//!
//! 1. in the text as it is;
//! 2. in the text decoded once: percent escapes (`%XX`, either hex case, any mix of
//!    raw and encoded characters, `+` read as a space), JSON escapes (`\uXXXX`
//!    with surrogate pairs, `\/`, `\"`, `\\`, `\n`, …) and HTML/XML character
//!    references (`&lt;`, `&amp;`, `&quot;`, `&#39;`, `&#x27;`, any decimal or hex
//!    `&#…;` in either case, the named ones an escaper writes for ASCII) undone
//!    together;
//! 3. in that decoded again, up to four layers, while escapes remain (a value encoded
//!    twice, then put in a query; an HTML-escaped echo, percent-encoded);
//! 4. when the text, or any layer decoded from it, has two kinds of escape or more,
//!    with only some kinds undone (each alone; of three, each two together), up to
//!    four layers (a secret that itself holds `%0A`, `\n` or `&lt;`, echoed with
//!    escapes of other kinds, perhaps twice, perhaps percent-encoded once more), and
//!    with only `\/` undone when it has that (slashes escaped twice around a backslash
//!    of the secret's own).
//!
//! A match found in a decoded layer is mapped back to the stretch of the original
//! text it came from, escapes included, and that whole stretch is masked.
//!
//! The forms of a secret are the value itself (and, for a `SCHEME CREDENTIAL` value
//! such as `Bearer sk-…`, the credential on its own, and for `Basic …` the decoded
//! `user:password` and password), with `+` read as a space, its Unicode upper and
//! lower case, and its base64 in the standard and URL-safe alphabets, padded or not,
//! also as it appears inside a longer base64 text (the three byte alignments). A
//! derived credential (the base64 of a Basic header) is added with
//! [`Redactor::add_literal`].
//!
//! A redactor with nothing to mask costs nothing: every entry point returns at once.
//!
//! Modules: `forms` (the forms of a secret, added as patterns), `decode` (the decoding
//! layers and how a match maps back to the original text), `events` (masking an event).
//! Masking a text or a value, and the redactor's state, are here.

mod decode;
mod events;
mod forms;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use decode::for_each_match;
use serde_json::Value;
use switchyard_vault::Variables;

/// What a secret is replaced with.
pub const MASK: &str = "*****";

/// Replaces every known secret text, in any form, with [`MASK`].
#[derive(Clone, Default)]
pub struct Redactor {
    /// The secrets' names, by owner index (`""` for one added without a name).
    owners: Vec<String>,
    /// Every form to look for, each with the owners it belongs to.
    patterns: Vec<Vec<u8>>,
    pattern_owners: Vec<Vec<usize>>,
    /// Where each pattern is in `patterns`, to keep them unique.
    index: HashMap<Vec<u8>, usize>,
    /// The automaton over `patterns`; `None` when there are none.
    matcher: Option<Arc<AhoCorasick>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets, {} forms)", self.owners.len(), self.patterns.len())
    }
}

impl Redactor {
    /// A redactor for every secret in `variables`.
    pub fn for_variables(variables: &Variables) -> Self {
        let mut redactor = Self::default();
        for variable in variables.secrets() {
            let owner = redactor.owner(&variable.name);
            redactor.add_forms(owner, variable.value.expose());
        }
        redactor.rebuild();
        redactor
    }

    /// Whether there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Masks `secret` and every form it takes (see the [module documentation](self)).
    pub fn add_secret(&mut self, secret: &str) {
        let owner = self.owner("");
        self.add_forms(owner, secret);
        self.rebuild();
    }

    /// Masks exactly `text` (a derived credential such as a Basic header's base64),
    /// and its base64 alignments. It belongs to no named secret.
    pub fn add_literal(&mut self, text: String) {
        self.add_literal_for("", text);
    }

    /// Masks exactly `text` as a form of the secret called `name`, so that
    /// [`Redactor::secrets_in`] reports `name` where `text` is found.
    pub fn add_literal_for(&mut self, name: &str, text: String) {
        if text.is_empty() {
            return;
        }
        let owner = self.owner(name);
        self.add_pattern(owner, text.into_bytes());
        self.rebuild();
    }

    /// `text` with every secret form replaced by the mask.
    pub fn redact(&self, text: &str) -> String {
        self.redact_cow(text).into_owned()
    }

    /// `text` with every secret form replaced by the mask; borrowed when nothing was.
    pub fn redact_cow<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let Some(matcher) = &self.matcher else {
            // No automaton although there are forms (it could not be built): fail closed.
            return if self.is_empty() || text.is_empty() { Cow::Borrowed(text) } else { Cow::Owned(MASK.to_owned()) };
        };
        let mut ranges = Vec::new();
        for_each_match(matcher, text.as_bytes(), &mut |range, _| ranges.push(range));
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(mask_ranges(text, ranges))
    }

    /// Whether any form of any secret is in `text`.
    pub fn contains_secret(&self, text: &str) -> bool {
        let Some(matcher) = &self.matcher else { return !self.is_empty() && !text.is_empty() };
        let mut found = false;
        for_each_match(matcher, text.as_bytes(), &mut |_, _| found = true);
        found
    }

    /// The names of the secrets any form of which is in `text` (unnamed ones left out).
    pub fn secrets_in(&self, text: &[u8]) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        let Some(matcher) = &self.matcher else {
            names.extend(self.owners.iter().filter(|name| !name.is_empty()).cloned());
            return names;
        };
        for_each_match(matcher, text, &mut |_, pattern| {
            for &owner in self.pattern_owners.get(pattern).map(Vec::as_slice).unwrap_or_default() {
                if let Some(name) = self.owners.get(owner).filter(|name| !name.is_empty()) {
                    names.insert(name.clone());
                }
            }
        });
        names
    }

    /// Masks secrets in every string, object key and number of `value`.
    pub fn redact_value(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(text) => {
                if let Cow::Owned(masked) = self.redact_cow(text) {
                    *text = masked;
                }
            }
            Value::Number(number) => {
                let text = number.to_string();
                if let Cow::Owned(masked) = self.redact_cow(&text) {
                    *value = Value::String(masked);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.redact_value(item)),
            Value::Object(map) => {
                if map.keys().any(|k| self.contains_secret(k)) {
                    let entries = std::mem::take(map);
                    for (key, item) in entries {
                        map.insert(self.redact(&key), item);
                    }
                }
                map.values_mut().for_each(|item| self.redact_value(item));
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    /// Whether any string, object key or number of `value` holds a secret.
    fn value_has_secret(&self, value: &Value) -> bool {
        let mut pending = vec![value];
        while let Some(value) = pending.pop() {
            let found = match value {
                Value::String(text) => self.contains_secret(text),
                Value::Number(number) => self.contains_secret(&number.to_string()),
                Value::Array(items) => {
                    pending.extend(items);
                    false
                }
                Value::Object(map) => {
                    pending.extend(map.values());
                    map.keys().any(|key| self.contains_secret(key))
                }
                Value::Null | Value::Bool(_) => false,
            };
            if found {
                return true;
            }
        }
        false
    }

    fn redact_string(&self, text: &mut String) {
        if let Cow::Owned(masked) = self.redact_cow(text) {
            *text = masked;
        }
    }
}

/// `text` with the (possibly overlapping) `ranges` each replaced by one mask.
fn mask_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.sort_by_key(|range| (range.start, range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut current: Option<Range<usize>> = None;
    let flush = |range: Range<usize>, out: &mut String, at: &mut usize| {
        let start = floor_boundary(text, range.start.max(*at));
        let end = ceil_boundary(text, range.end);
        if end <= start {
            return;
        }
        out.push_str(text.get(*at..start).unwrap_or_default());
        out.push_str(MASK);
        *at = end.max(*at);
    };
    for range in ranges {
        match &mut current {
            Some(open) if range.start <= open.end => open.end = open.end.max(range.end),
            _ => {
                if let Some(done) = current.replace(range) {
                    flush(done, &mut out, &mut at);
                }
            }
        }
    }
    if let Some(done) = current {
        flush(done, &mut out, &mut at);
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}
