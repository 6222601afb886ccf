//! The JSON of a flow file as the reader walks it: a plain tree in file order.
//!
//! A flow file is read into this tree, not into `serde_json::Value`: its strings are
//! borrowed from the file's text wherever they hold no escape, and its objects are
//! small vectors of entries instead of hashed ordered maps, so reading a 1,000-block
//! flow allocates and hashes little. Repeated keys are refused while reading (a repeated
//! block id would otherwise silently replace the first). Only the values the model
//! keeps as JSON (a request's `body.json`) become a `serde_json::Value`, in file order.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// An object with more entries than this keeps an index of its keys (for repeated
/// keys and lookups); a smaller one is scanned, which is quicker.
const SCANNED: usize = 16;

/// One JSON value of a flow file.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its entries in file order, each key once.
#[derive(Debug, Default)]
pub(crate) struct Object<'a> {
    entries: Vec<(Cow<'a, str>, Node<'a>)>,
    /// Where each key is, once there are more than [`SCANNED`] entries.
    index: Option<HashMap<Cow<'a, str>, usize>>,
}

impl<'a> Object<'a> {
    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.position(key).and_then(|at| self.entries.get(at)).map(|(_, value)| value)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(key, _)| key.as_ref())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.entries.iter().map(|(key, value)| (key.as_ref(), value))
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(name, _)| name.as_ref() == key),
        }
    }

    /// Adds an entry whose key is not there yet.
    fn push(&mut self, key: Cow<'a, str>, value: Node<'a>) {
        let at = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), at);
        } else if at == SCANNED {
            let mut index: HashMap<Cow<'a, str>, usize> = HashMap::with_capacity(SCANNED * 2);
            for (position, (name, _)) in self.entries.iter().enumerate() {
                index.insert(name.clone(), position);
            }
            index.insert(key.clone(), at);
            self.index = Some(index);
        }
        self.entries.push((key, value));
    }
}

impl Node<'_> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Self]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The same JSON as a `serde_json::Value` (objects in file order).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.as_ref().to_owned()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(object) => {
                let mut map = Map::with_capacity(object.entries.len());
                for (key, value) in &object.entries {
                    map.insert(key.as_ref().to_owned(), value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// What kind of value this is, for messages (`a string`, `an object`).
    pub(crate) fn type_word(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

/// As JSON text (in messages that quote a value).
impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

/// Reads one [`Node`], refusing an object key that appears twice.
pub(crate) struct NodeSeed;

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Reads an object key, borrowed from the text when it has no escape.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(NodeSeed)? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut object = Object::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("key `{key}` appears twice in the same object")));
            }
            let value = map.next_value_seed(NodeSeed)?;
            object.push(key, value);
        }
        Ok(Node::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Node<'_>, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        NodeSeed.deserialize(&mut deserializer)
    }

    #[test]
    fn objects_keep_file_order_and_convert_to_the_same_json() {
        let text = r#"{"b": 1, "a": [true, null, 2.5, "x"], "c": {"z": {}, "y": -3}}"#;
        let node = read(text).unwrap();
        let value = node.to_value();
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(value.as_object().unwrap().keys().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(node.to_string(), r#"{"b":1,"a":[true,null,2.5,"x"],"c":{"z":{},"y":-3}}"#);
    }

    #[test]
    fn strings_are_borrowed_unless_they_hold_an_escape() {
        let Node::Object(object) = read(r#"{"plain": "text", "esc\u0061ped": "a\nb"}"#).unwrap() else { panic!() };
        assert!(matches!(object.get("plain"), Some(Node::String(Cow::Borrowed("text")))));
        match object.get("escaped") {
            Some(Node::String(Cow::Owned(text))) => assert_eq!(text, "a\nb"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_repeated_key_is_refused_in_small_and_large_objects() {
        assert!(read(r#"{"a": 1, "a": 2}"#).unwrap_err().to_string().contains("key `a` appears twice"));
        let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let large = format!("{{{}, \"k7\": 0}}", many.join(", "));
        assert!(read(&large).unwrap_err().to_string().contains("key `k7` appears twice"), "found with the index");
        let late = format!("{{{}, \"k99\": 0}}", many.join(", "));
        assert!(read(&late).unwrap_err().to_string().contains("key `k99` appears twice"));
    }

    #[test]
    fn keys_are_found_in_small_and_large_objects() {
        let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let text = format!("{{{}}}", many.join(", "));
        let Node::Object(large) = read(&text).unwrap() else { panic!() };
        for i in [0, 15, 16, 17, 99] {
            assert_eq!(large.get(&format!("k{i}")).map(Node::to_value), Some(Value::from(i)), "k{i}");
        }
        assert!(large.get("k100").is_none());
        assert_eq!(large.keys().count(), 100);
        let Node::Object(small) = read(r#"{"x": "y"}"#).unwrap() else { panic!() };
        assert_eq!(small.get("x").and_then(Node::as_str), Some("y"));
        assert!(!small.contains_key("z"));
    }
}
