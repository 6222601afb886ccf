//! A request's headers and body: raw (JSON or text), URL-encoded and multipart forms,
//! GraphQL.

use serde_json::{Map, Value};
use switchyard_flow::{Body, Part};

use super::Walker;
use super::shape::{is_disabled, scalar_text};
use crate::credentials::is_credential_header;

impl Walker<'_> {
    pub(super) fn headers(&mut self, value: Option<&Value>, name: &str) -> Vec<(String, String)> {
        let pairs: Vec<(String, String)> = match value {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_object)
                .filter(|entry| !is_disabled(entry))
                .filter_map(|entry| {
                    Some((entry.get("key").map(scalar_text)?, entry.get("value").map(scalar_text).unwrap_or_default()))
                })
                .collect(),
            Some(Value::String(block)) => block
                .lines()
                .filter_map(|line| line.split_once(':'))
                .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
                .collect(),
            _ => Vec::new(),
        };
        pairs
            .into_iter()
            .filter(|(key, _)| !key.trim().is_empty())
            .map(|(key, value)| {
                let value = if is_credential_header(&key) {
                    self.credentials.header(&key, &value, &format!("request `{name}`: header `{key}`"))
                } else {
                    value
                };
                (key, value)
            })
            .collect()
    }

    pub(super) fn body(
        &mut self,
        value: Option<&Value>,
        headers: &mut Vec<(String, String)>,
        name: &str,
    ) -> Option<Body> {
        let body = value?.as_object()?;
        if is_disabled(body) {
            return None;
        }
        let content_type = headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.to_ascii_lowercase());
        let mode = body.get("mode").and_then(Value::as_str).unwrap_or_default();
        match mode {
            "raw" => {
                let text = body.get("raw").map(scalar_text).unwrap_or_default();
                let language = body
                    .get("options")
                    .and_then(|o| o.get("raw"))
                    .and_then(|r| r.get("language"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if text.is_empty() {
                    return None;
                }
                let says_json = language == "json" || content_type.as_deref().is_some_and(|c| c.contains("json"));
                if says_json && let Ok(json) = serde_json::from_str::<Value>(&text) {
                    return Some(Body::Json(json));
                }
                let content_type = match (&content_type, language) {
                    (Some(_), _) => None,
                    (None, "json") => Some("application/json"),
                    (None, "xml") => Some("application/xml"),
                    (None, "html") => Some("text/html"),
                    (None, "javascript") => Some("application/javascript"),
                    _ => None,
                };
                Some(Body::Text { text, content_type: content_type.map(str::to_owned) })
            }
            "urlencoded" => Some(Body::Form(enabled_pairs(body.get("urlencoded")))),
            "formdata" => {
                headers.retain(|(key, value)| {
                    !(key.eq_ignore_ascii_case("content-type")
                        && value.to_ascii_lowercase().starts_with("multipart/form-data"))
                });
                let mut parts = Vec::new();
                for entry in body.get("formdata").and_then(Value::as_array).into_iter().flatten() {
                    let Some(entry) = entry.as_object().filter(|e| !is_disabled(e)) else { continue };
                    let Some(key) = entry.get("key").map(scalar_text) else { continue };
                    if entry.get("type").and_then(Value::as_str) == Some("file") {
                        let src = match entry.get("src") {
                            Some(Value::Array(list)) => {
                                if list.len() > 1 {
                                    self.report.warn(format!(
                                        "request `{name}`: form field `{key}` has {} files; only the first is kept",
                                        list.len()
                                    ));
                                }
                                list.first().map(scalar_text)
                            }
                            Some(other) => Some(scalar_text(other)),
                            None => None,
                        };
                        match src.filter(|s| !s.is_empty()) {
                            Some(src) => {
                                self.report.warn(format!(
                                    "request `{name}`: form field `{key}` sends file `{src}`: check that path \
                                     (relative to the flow file)"
                                ));
                                parts.push((key, Part::File(src)));
                            }
                            None => self
                                .report
                                .warn(format!("request `{name}`: form field `{key}` is a file with no path: left out")),
                        }
                    } else {
                        parts.push((key, Part::Text(entry.get("value").map(scalar_text).unwrap_or_default())));
                    }
                }
                Some(Body::Multipart(parts))
            }
            "graphql" => {
                let graphql = body.get("graphql").and_then(Value::as_object);
                let query = graphql.and_then(|g| g.get("query")).map(scalar_text).unwrap_or_default();
                let variables = match graphql.and_then(|g| g.get("variables")) {
                    Some(Value::String(text)) if text.trim().is_empty() => Value::Object(Map::new()),
                    Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                        Ok(value) => value,
                        Err(_) => {
                            self.report.warn(format!(
                                "request `{name}`: the GraphQL variables are not valid JSON; sent as a string"
                            ));
                            Value::String(text.clone())
                        }
                    },
                    Some(Value::Null) | None => Value::Object(Map::new()),
                    Some(other) => other.clone(),
                };
                let mut json = Map::new();
                json.insert("query".to_owned(), Value::String(query));
                json.insert("variables".to_owned(), variables);
                Some(Body::Json(Value::Object(json)))
            }
            "file" => {
                self.report
                    .warn(format!("request `{name}`: a body read from a file is not imported; add the body by hand"));
                None
            }
            "" => None,
            other => {
                self.report.warn(format!("request `{name}`: body mode `{other}` is not imported"));
                None
            }
        }
    }
}

fn enabled_pairs(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|entry| !is_disabled(entry))
        .filter_map(|entry| {
            Some((entry.get("key").map(scalar_text)?, entry.get("value").map(scalar_text).unwrap_or_default()))
        })
        .collect()
}
