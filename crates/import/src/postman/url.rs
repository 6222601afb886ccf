//! A request's URL: the text or object form, its query, path variables and the user
//! and password a URL may carry.

use std::collections::HashMap;

use serde_json::{Map, Value};
use switchyard_flow::{SendRequest, template};

use super::Walker;
use super::shape::{is_disabled, scalar_text, split_raw_url, userinfo_of};
use crate::credentials::is_credential_name;
use crate::percent::decode_query_text;

impl Walker<'_> {
    pub(super) fn url(&mut self, url: &Map<String, Value>, name: &str) -> (SendRequest, Option<(String, String)>) {
        let raw = url.get("raw").and_then(Value::as_str).unwrap_or_default();
        let (raw_base, raw_query) = split_raw_url(raw);
        let (raw_base, userinfo) = userinfo_of(&raw_base, url.get("auth"));
        let base = match url.get("host") {
            Some(host) => {
                let host = match host {
                    Value::Array(parts) => parts.iter().map(scalar_text).collect::<Vec<_>>().join("."),
                    other => scalar_text(other),
                };
                let protocol = match url.get("protocol").and_then(Value::as_str) {
                    Some(protocol) => format!("{protocol}://"),
                    None => match raw.find("://") {
                        Some(end) if !raw.get(..end).unwrap_or_default().contains('{') => {
                            raw.get(..end + 3).unwrap_or_default().to_owned()
                        }
                        _ if host.starts_with("{{") => String::new(),
                        _ => "http://".to_owned(),
                    },
                };
                let port = url.get("port").map(scalar_text).filter(|p| !p.is_empty());
                let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                let path = match url.get("path") {
                    Some(Value::Array(segments)) => segments
                        .iter()
                        .map(|segment| match segment {
                            Value::Object(segment) => segment.get("value").map(scalar_text).unwrap_or_default(),
                            other => scalar_text(other),
                        })
                        .collect::<Vec<_>>()
                        .join("/"),
                    Some(Value::String(path)) => path.trim_start_matches('/').to_owned(),
                    _ => String::new(),
                };
                let path = if path.is_empty() && !raw_base.ends_with('/') { path } else { format!("/{path}") };
                format!("{protocol}{host}{port}{path}")
            }
            None => raw_base,
        };
        let mut values = HashMap::new();
        for variable in url.get("variable").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object)
        {
            // v2.0 exports name a path variable by `id`, v2.1 by `key`.
            let Some(key) = variable.get("key").or_else(|| variable.get("id")).and_then(Value::as_str) else {
                continue;
            };
            values.insert(key.to_owned(), variable.get("value").map(scalar_text).unwrap_or_default());
        }
        let mut request = SendRequest::new(self.path_variables(&base, &values, name));
        request.query = match url.get("query").and_then(Value::as_array) {
            Some(query) => query
                .iter()
                .filter_map(Value::as_object)
                .filter(|entry| !is_disabled(entry))
                .filter_map(|entry| {
                    let key = entry.get("key").map(scalar_text)?;
                    Some((key, entry.get("value").map(scalar_text).unwrap_or_default()))
                })
                .map(|(key, value)| (decode_query_text(&key), decode_query_text(&value)))
                .collect(),
            None => raw_query,
        };
        (request, userinfo)
    }

    /// `{{base}}/users/:id` with `id` = `42` → `{{base}}/users/42`: a path variable
    /// belongs to its request, so its value goes into the URL (a credential-looking one
    /// as a `{{name}}`). One with no value becomes `{{id}}`, named in the report. Only
    /// path segments count, not a scheme or a port.
    pub(super) fn path_variables(&mut self, url: &str, values: &HashMap<String, String>, request: &str) -> String {
        let path_start = match url.find("://") {
            Some(scheme_end) => url.get(scheme_end + 3..).and_then(|rest| rest.find('/')).map(|i| scheme_end + 3 + i),
            None => url.find('/'),
        };
        let Some(path_start) = path_start else { return url.to_owned() };
        let (head, path) = url.split_at(path_start);
        let mut segments = Vec::new();
        for segment in path.split('/') {
            let Some(name) = segment.strip_prefix(':').filter(|name| template::is_valid_name(name)) else {
                segments.push(segment.to_owned());
                continue;
            };
            match values.get(name).filter(|value| !value.is_empty()) {
                Some(value) if is_credential_name(name) => {
                    let origin = format!("request `{request}`: path variable `:{name}`");
                    segments.push(self.credentials.replace(value, name, &origin));
                }
                Some(value) => segments.push(value.clone()),
                None => {
                    self.report.warn(format!(
                        "request `{request}`: path variable `:{name}` has no value: the URL uses `{{{{{name}}}}}` \
                         (give it with --var {name}=… or define it)"
                    ));
                    segments.push(format!("{{{{{name}}}}}"));
                }
            }
        }
        format!("{head}{}", segments.join("/"))
    }
}
