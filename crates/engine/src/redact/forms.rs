//! The forms of a secret: the value, its credential part, its Unicode cases and its
//! base64 in both alphabets (also inside a longer base64 text), each added to the
//! redactor's patterns.

use std::sync::Arc;

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use super::Redactor;

/// A derived part (the credential of `SCHEME CREDENTIAL`, a Basic password) shorter
/// than this is not masked on its own: it would mask ordinary words.
pub(super) const MIN_PART: usize = 4;
/// A base64 form taken out of a longer base64 text is used from this length on.
const MIN_BASE64_CORE: usize = 8;

impl Redactor {
    pub(super) fn owner(&mut self, name: &str) -> usize {
        match self.owners.iter().position(|owner| owner == name) {
            Some(index) => index,
            None => {
                self.owners.push(name.to_owned());
                self.owners.len() - 1
            }
        }
    }

    /// Adds the forms of `secret`, its credential part, and for Basic its decoded parts.
    pub(super) fn add_forms(&mut self, owner: usize, secret: &str) {
        if secret.is_empty() {
            return;
        }
        self.add_value_forms(owner, secret);
        let trimmed = secret.trim();
        if trimmed != secret && !trimmed.is_empty() {
            self.add_value_forms(owner, trimmed);
        }
        if let Some((scheme, credential)) = scheme_credential(trimmed) {
            if credential.len() >= MIN_PART {
                self.add_value_forms(owner, credential);
            }
            if scheme.eq_ignore_ascii_case("basic")
                && let Ok(decoded) = STANDARD
                    .decode(credential.trim_end_matches('='))
                    .or_else(|_| STANDARD_NO_PAD.decode(credential.trim_end_matches('=')))
                && let Ok(decoded) = String::from_utf8(decoded)
            {
                if decoded.len() >= MIN_PART {
                    self.add_value_forms(owner, &decoded);
                }
                if let Some((_, password)) = decoded.split_once(':')
                    && password.len() >= MIN_PART
                {
                    self.add_value_forms(owner, password);
                }
            }
        }
    }

    /// The value, its Unicode cases, and its base64 forms (each also with `+` as a space).
    fn add_value_forms(&mut self, owner: usize, value: &str) {
        let mut cases = vec![value.to_owned()];
        if !value.is_ascii() {
            // Case mappings that change length (`ß` → `SS` → `ss`) are covered by the
            // round trips too.
            let (lower, upper) = (value.to_lowercase(), value.to_uppercase());
            cases.extend([upper.to_lowercase(), lower.to_uppercase(), lower, upper]);
            cases.dedup();
        }
        for case in cases {
            // A server that escapes `/` as `\/` but leaves backslashes alone keeps a
            // secret's own `\f` or `\n` as text, which decoding would read as an escape:
            // look for that form as it is.
            if case.contains('/') && case.contains('\\') {
                self.add_pattern(owner, case.replace('/', "\\/").into_bytes());
            }
            self.add_pattern(owner, case.into_bytes());
        }
        for alphabet in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            self.add_pattern(owner, alphabet.encode(value).into_bytes());
        }
        self.add_base64_cores(owner, value.as_bytes());
    }

    /// Adds the base64 of `bytes` as it appears inside a longer base64 text: for each
    /// of the three alignments, the characters that depend on `bytes` alone.
    fn add_base64_cores(&mut self, owner: usize, bytes: &[u8]) {
        for shift in 0..3usize {
            let mut shifted = vec![0u8; shift];
            shifted.extend_from_slice(bytes);
            let first_bit = shift * 8;
            let end_bit = (shift + bytes.len()) * 8;
            for alphabet in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                let encoded = alphabet.encode(&shifted);
                let core: Vec<u8> = encoded
                    .bytes()
                    .enumerate()
                    .filter(|(i, _)| i * 6 >= first_bit && i * 6 + 6 <= end_bit)
                    .map(|(_, c)| c)
                    .collect();
                if core.len() >= MIN_BASE64_CORE {
                    self.add_pattern(owner, core);
                }
            }
        }
    }

    /// Adds `pattern`, and when it has a `+`, the same with spaces: decoding reads `+`
    /// as a space (form style), so that is how a `+` looks in a decoded layer.
    pub(super) fn add_pattern(&mut self, owner: usize, pattern: Vec<u8>) {
        if pattern.contains(&b'+') {
            let spaced = pattern.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
            self.add_one_pattern(owner, spaced);
        }
        self.add_one_pattern(owner, pattern);
    }

    fn add_one_pattern(&mut self, owner: usize, pattern: Vec<u8>) {
        if pattern.is_empty() {
            return;
        }
        match self.index.get(&pattern) {
            Some(&at) => {
                if let Some(owners) = self.pattern_owners.get_mut(at)
                    && !owners.contains(&owner)
                {
                    owners.push(owner);
                }
            }
            None => {
                self.index.insert(pattern.clone(), self.patterns.len());
                self.patterns.push(pattern);
                self.pattern_owners.push(vec![owner]);
            }
        }
    }

    pub(super) fn rebuild(&mut self) {
        // An automaton that cannot be built (never seen: the patterns are few and
        // small) leaves `matcher` empty with patterns present: everything is masked then.
        self.matcher = if self.patterns.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&self.patterns)
                .ok()
                .map(Arc::new)
        };
    }
}

/// `Bearer tok` → (`Bearer`, `tok`): one leading word, a space, and the rest.
fn scheme_credential(secret: &str) -> Option<(&str, &str)> {
    let (scheme, credential) = secret.split_once(' ')?;
    let credential = credential.trim();
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    (!scheme.is_empty() && scheme.len() <= 32 && scheme.chars().all(word) && !credential.is_empty())
        .then_some((scheme, credential))
}
