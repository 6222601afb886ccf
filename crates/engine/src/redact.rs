//! Masking secret values, and their encoded forms, in everything a run reports.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use switchyard_vault::Variables;

use crate::event::Event;

/// What a secret is replaced with.
pub const MASK: &str = "*****";

/// The characters the `url` crate percent-encodes in a query (WHATWG query set).
const QUERY: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'\'');
/// The characters the `url` crate percent-encodes in a path segment.
const PATH: &AsciiSet = &QUERY.remove(b'\'').add(b'?').add(b'`').add(b'{').add(b'}');

/// Replaces every known secret text with [`MASK`].
#[derive(Clone, Default)]
pub struct Redactor {
    /// Texts to mask, longest first so a longer form is masked before its parts.
    needles: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} forms)", self.needles.len())
    }
}

impl Redactor {
    /// A redactor for every secret in `variables`.
    pub fn for_variables(variables: &Variables) -> Self {
        let mut redactor = Self::default();
        for variable in variables.secrets() {
            redactor.add_secret(variable.value.expose());
        }
        redactor
    }

    /// Whether there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Masks `secret` and the forms it takes on the wire: URL-encoded (form, query,
    /// path and strict styles, either hex case), base64, and JSON-escaped.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut forms = vec![
            secret.to_owned(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
            utf8_percent_encode(secret, QUERY).to_string(),
            utf8_percent_encode(secret, PATH).to_string(),
            STANDARD.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
        ];
        if let Ok(quoted) = serde_json::to_string(secret) {
            forms.push(quoted.trim_matches('"').to_owned());
        }
        let lower_hex: Vec<String> = forms.iter().filter(|f| f.contains('%')).map(|f| lowercase_hex(f)).collect();
        forms.extend(lower_hex);
        for form in forms {
            self.add_literal(form);
        }
    }

    /// Masks exactly `text` (for a derived credential such as a Basic header's base64).
    pub fn add_literal(&mut self, text: String) {
        if !text.is_empty() && !self.needles.contains(&text) {
            self.needles.push(text);
            self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        }
    }

    /// `text` with every secret form replaced by the mask.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), MASK);
            }
        }
        out
    }

    fn contains_secret(&self, text: &str) -> bool {
        self.needles.iter().any(|n| text.contains(n.as_str()))
    }

    /// Masks secrets in every string, object key and number of `value`.
    pub fn redact_value(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(text) => {
                if self.contains_secret(text) {
                    *text = self.redact(text);
                }
            }
            Value::Number(number) => {
                let text = number.to_string();
                if self.contains_secret(&text) {
                    *value = Value::String(self.redact(&text));
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

    /// The event with every field masked.
    pub fn redact_event(&self, event: Event) -> Event {
        if self.is_empty() {
            return event;
        }
        let block = event.block().map(str::to_owned);
        let mut value = match serde_json::to_value(&event) {
            Ok(value) => value,
            Err(_) => return masked_placeholder(block),
        };
        self.redact_value(&mut value);
        serde_json::from_value(value).unwrap_or_else(|_| masked_placeholder(block))
    }
}

/// Stands in for an event that could not be masked field by field (a masked number
/// where a number is required): better a warning than a leak.
fn masked_placeholder(block: Option<String>) -> Event {
    Event::Warning { block, message: "an event was withheld because it contained a secret value".to_owned() }
}

fn lowercase_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for hex in chars.by_ref().take(2) {
                out.push(hex.to_ascii_lowercase());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use switchyard_vault::Variable;

    const SECRET: &str = "sk-Tëst/9+ab c&d=e";

    fn redactor() -> Redactor {
        Redactor::for_variables(&[Variable::secret("auth", SECRET), Variable::plain("host", "h")].into_iter().collect())
    }

    #[test]
    fn raw_and_encoded_forms_are_masked() {
        let r = redactor();
        let encoded = [
            SECRET.to_owned(),
            url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect(),
            lowercase_hex(&utf8_percent_encode(SECRET, NON_ALPHANUMERIC).to_string()),
            STANDARD.encode(SECRET),
            url::Url::parse(&format!("http://h/?k={SECRET}"))
                .unwrap()
                .query()
                .unwrap()
                .trim_start_matches("k=")
                .to_owned(),
        ];
        for form in encoded {
            let out = r.redact(&format!("before {form} after"));
            assert_eq!(out, format!("before {MASK} after"), "form {form}");
        }
    }

    #[test]
    fn values_are_masked_in_strings_keys_and_numbers() {
        let mut r = Redactor::default();
        r.add_secret("424242");
        let mut value = json!({"echo": "x424242", "424242": [424242, 1], "n": 7});
        r.redact_value(&mut value);
        assert_eq!(value, json!({"echo": format!("x{MASK}"), MASK: [MASK, 1], "n": 7}));
    }

    #[test]
    fn events_are_masked_in_every_field() {
        let r = redactor();
        let event = Event::RequestSent {
            block: "b".into(),
            method: "GET".into(),
            url: format!("http://h/?k={}", utf8_percent_encode(SECRET, NON_ALPHANUMERIC)),
            headers: vec![("Authorization".into(), format!("Bearer {SECRET}"))],
        };
        let text = serde_json::to_string(&r.redact_event(event)).unwrap();
        assert!(!text.contains("sk-T"), "{text}");
        assert_eq!(text.matches(MASK).count(), 2, "{text}");
        let numbers = Event::ResponseReceived { block: "b".into(), status: 200, duration_ms: 1, bytes: 2 };
        assert_eq!(r.redact_event(numbers.clone()), numbers);
    }

    #[test]
    fn event_whose_number_would_leak_is_withheld() {
        let mut r = Redactor::default();
        r.add_secret("200");
        let event = Event::ResponseReceived { block: "b".into(), status: 200, duration_ms: 1, bytes: 2 };
        assert!(matches!(r.redact_event(event), Event::Warning { .. }));
    }

    #[test]
    fn debug_does_not_print_secrets() {
        assert!(!format!("{:?}", redactor()).contains("sk-"));
    }
}
