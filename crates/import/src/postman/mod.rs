//! Postman Collection v2.0 / v2.1 and environment exports.
//!
//! A collection becomes one chain (see `layout::chain`): requests depth first through
//! folders. Both versions are read by shape rather than by their schema URL: auth
//! attributes as a v2.1 list of `{key, value}` or a v2.0 object, URLs as text or an
//! object, headers as a list or a block of `Name: value` lines.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};
use switchyard_flow::{ApiKeyLocation, Auth, Body, Part, SendRequest, template};

use crate::credentials::{Credentials, has_reference, is_credential_header, is_credential_name, take_userinfo};
use crate::curl::decode_query_text;
use crate::layout::{self, Ids, Link};
use crate::{ImportError, Imported, ImportedVariable, Report, SecretText, VariableValue, escape};

/// Reads a Postman collection (v2.0 or v2.1) exported as JSON. `file` names it in errors.
pub fn postman_collection(text: &str, file: &str) -> Result<Imported, ImportError> {
    let root = parse_json(text, file)?;
    let Some(top) = root.as_object() else {
        return Err(ImportError::new(file, "", "expected a Postman collection (a JSON object with `info` and `item`)"));
    };
    if top.contains_key("requests") && !top.contains_key("item") {
        return Err(ImportError::new(
            file,
            "requests",
            "this is a Postman Collection v1 export: export it again from Postman as Collection v2.1",
        ));
    }
    let Some(info) = top.get("info").and_then(Value::as_object) else {
        return Err(ImportError::new(file, "info", "missing `info`: is this a Postman collection?"));
    };
    if let Some(schema) = info.get("schema").and_then(Value::as_str)
        && !(schema.contains("v2.0") || schema.contains("v2.1"))
    {
        return Err(ImportError::new(
            file,
            "info.schema",
            format!("unsupported schema `{schema}`: Switchyard reads Postman Collection v2.0 and v2.1"),
        ));
    }
    let name = match info.get("name") {
        Some(Value::String(name)) => name.clone(),
        _ => return Err(ImportError::new(file, "info.name", "missing the collection's name")),
    };
    let Some(items) = top.get("item").and_then(Value::as_array) else {
        return Err(ImportError::new(file, "item", "missing `item`, the collection's list of requests"));
    };

    let mut walker = Walker::new(file);
    walker.collection_variables(top.get("variable"))?;
    walker.scripts(top.get("event"), "the collection", "each request");
    walker.items(items, "item", &[], auth_of(top.get("auth")), None)?;

    let Walker { links, mut report, credentials, variables, auth_names, .. } = walker;
    let used: BTreeSet<String> = links
        .iter()
        .flat_map(|link| link.request.templated_fields().into_iter().map(|(_, text)| text.to_owned()))
        .flat_map(|text| template::references(&text).map(str::to_owned).collect::<Vec<_>>())
        .filter(|name| template::input_path(name).is_none() && !template::is_dynamic_name(name))
        .collect();
    if links.is_empty() {
        report.warn("the collection has no requests");
    }
    let mut flow = layout::chain(&name, links);
    let mut all: Vec<ImportedVariable> = variables
        .into_iter()
        .map(|(mut variable, secret_type)| {
            let credential = secret_type || is_credential_name(&variable.name) || auth_names.contains(&variable.name);
            let plain = match &variable.value {
                VariableValue::Plain(text) if credential => Some(text.clone()),
                _ => None,
            };
            if let Some(text) = plain {
                variable.value = VariableValue::Secret(SecretText::new(text));
                variable.origin = format!("{}, looks like a credential", variable.origin);
            }
            variable
        })
        .collect();
    all.extend(credentials.into_variables());
    crate::credentials::scrub(&mut flow, &all);
    let defined: HashSet<&str> = all.iter().map(|v| v.name.as_str()).collect();
    let undefined: Vec<String> = used.iter().filter(|n| !defined.contains(n.as_str())).map(|n| escape(n)).collect();
    if !undefined.is_empty() {
        report.warn(format!(
            "the flow uses variables the collection does not define (an environment's?): {}",
            undefined.join(", ")
        ));
    }
    Ok(Imported { flow, report, variables: all })
}

/// Reads a Postman environment export: its enabled variables, type `secret` as secrets.
pub fn postman_environment(text: &str, file: &str) -> Result<(String, Vec<ImportedVariable>, Report), ImportError> {
    let root = parse_json(text, file)?;
    let Some(top) = root.as_object() else {
        return Err(ImportError::new(file, "", "expected a Postman environment (a JSON object with `values`)"));
    };
    let Some(values) = top.get("values").and_then(Value::as_array) else {
        return Err(ImportError::new(file, "values", "missing `values`: is this a Postman environment export?"));
    };
    let name = top.get("name").and_then(Value::as_str).unwrap_or("environment").to_owned();
    let mut report = Report::default();
    let mut out = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let place = format!("values[{index}]");
        let Some(entry) = value.as_object() else {
            return Err(ImportError::new(file, place, "expected a variable `{\"key\": …, \"value\": …}`"));
        };
        let Some(key) = entry.get("key").and_then(Value::as_str) else {
            return Err(ImportError::new(file, format!("{place}.key"), "missing the variable's name"));
        };
        if !template::is_valid_name(key) {
            report.warn(format!("variable `{key}` skipped: a name is made of A-Z a-z 0-9 _ . -"));
            continue;
        }
        if entry.get("enabled") == Some(&Value::Bool(false)) {
            report.warn(format!("variable `{key}` skipped: it is disabled"));
            continue;
        }
        let text = entry.get("value").map(scalar_text).unwrap_or_default();
        let secret = entry.get("type").and_then(Value::as_str) == Some("secret");
        let value = if secret { VariableValue::Secret(SecretText::new(text)) } else { VariableValue::Plain(text) };
        out.push(ImportedVariable { name: key.to_owned(), value, origin: escape(&format!("environment `{name}`")) });
    }
    Ok((escape(&name), out, report))
}

fn parse_json(text: &str, file: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let message = message.split(" at line").next().unwrap_or(&message).to_owned();
        ImportError::new(
            file,
            format!("line {}, column {}", error.line(), error.column()),
            format!("not valid JSON: {message}"),
        )
    })
}

/// A JSON scalar as text: strings as they are, numbers and booleans written out.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The auth object, or `None` when it is absent or `null` (inherit).
fn auth_of(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value.and_then(Value::as_object).filter(|auth| auth.get("type").and_then(Value::as_str) != Some("inherit"))
}

/// An auth attribute: v2.1 `"bearer": [{"key": "token", "value": …}]` or v2.0
/// `"bearer": {"token": …}`.
fn auth_attribute(auth: &Map<String, Value>, kind: &str, key: &str) -> Option<String> {
    match auth.get(kind)? {
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_object)
            .find(|attribute| attribute.get("key").and_then(Value::as_str) == Some(key))
            .and_then(|attribute| attribute.get("value"))
            .map(scalar_text),
        Value::Object(map) => map.get(key).map(scalar_text),
        _ => None,
    }
}

/// Whether a `{key, value, disabled}` entry is switched off.
fn is_disabled(entry: &Map<String, Value>) -> bool {
    entry.get("disabled") == Some(&Value::Bool(true))
}

struct Walker<'f> {
    file: &'f str,
    ids: Ids,
    links: Vec<Link>,
    rows: usize,
    report: Report,
    credentials: Credentials,
    /// Collection variables, with whether Postman typed them `secret`.
    variables: Vec<(ImportedVariable, bool)>,
    /// Names used in an auth field or a credential header: credentials.
    auth_names: HashSet<String>,
}

impl<'f> Walker<'f> {
    fn new(file: &'f str) -> Self {
        Self {
            file,
            ids: Ids::new(&["start", "done", "failed"]),
            links: Vec::new(),
            rows: 0,
            report: Report::default(),
            credentials: Credentials::default(),
            variables: Vec::new(),
            auth_names: HashSet::new(),
        }
    }

    fn collection_variables(&mut self, value: Option<&Value>) -> Result<(), ImportError> {
        let Some(value) = value else { return Ok(()) };
        let Some(list) = value.as_array() else {
            return Err(ImportError::new(self.file, "variable", "expected a list of variables"));
        };
        for (index, entry) in list.iter().enumerate() {
            let Some(entry) = entry.as_object() else {
                return Err(ImportError::new(self.file, format!("variable[{index}]"), "expected a variable object"));
            };
            let Some(key) = entry.get("key").and_then(Value::as_str) else { continue };
            if !template::is_valid_name(key) {
                self.report.warn(format!("collection variable `{key}` skipped: a name is made of A-Z a-z 0-9 _ . -"));
                continue;
            }
            if is_disabled(entry) {
                continue;
            }
            let text = entry.get("value").map(scalar_text).unwrap_or_default();
            let secret = entry.get("type").and_then(Value::as_str) == Some("secret");
            self.credentials.reserve(key);
            self.variables.push((
                ImportedVariable {
                    name: key.to_owned(),
                    value: VariableValue::Plain(text),
                    origin: "collection variable".to_owned(),
                },
                secret,
            ));
        }
        Ok(())
    }

    fn scripts(&mut self, events: Option<&Value>, owner: &str, applies: &str) {
        let Some(events) = events.and_then(Value::as_array) else { return };
        for event in events.iter().filter_map(Value::as_object) {
            let listen = event.get("listen").and_then(Value::as_str).unwrap_or("script");
            let exec = event.get("script").and_then(|script| script.get("exec"));
            let lines = match exec {
                Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).flat_map(str::lines).collect(),
                Some(Value::String(text)) => text.lines().collect(),
                _ => Vec::new(),
            };
            let count = lines.iter().filter(|line| !line.trim().is_empty()).count();
            if count == 0 {
                continue;
            }
            let kind = match listen {
                "prerequest" => "pre-request script",
                "test" => "test script",
                _ => "script",
            };
            let plural = if count == 1 { "" } else { "s" };
            self.report.scripts.push(escape(&format!("{owner}: {kind} not run ({count} line{plural}, for {applies})")));
        }
    }

    fn items(
        &mut self,
        items: &[Value],
        place: &str,
        folders: &[String],
        auth: Option<&Map<String, Value>>,
        row: Option<usize>,
    ) -> Result<(), ImportError> {
        let mut row = row;
        for (index, item) in items.iter().enumerate() {
            let place = format!("{place}[{index}]");
            let Some(item) = item.as_object() else {
                return Err(ImportError::new(self.file, place, "expected a request or a folder (an object)"));
            };
            let name = item.get("name").and_then(Value::as_str).unwrap_or("request").to_owned();
            let mut path = folders.to_vec();
            path.push(name.clone());
            let full = path.join(" / ");
            if let Some(children) = item.get("item") {
                let Some(children) = children.as_array() else {
                    return Err(ImportError::new(self.file, format!("{place}.item"), "expected a list of items"));
                };
                self.scripts(item.get("event"), &format!("folder `{full}`"), "each request in it");
                let folder_auth = auth_of(item.get("auth")).or(auth);
                self.items(children, &format!("{place}.item"), &path, folder_auth, None)?;
            } else if let Some(request) = item.get("request") {
                let row = *row.get_or_insert_with(|| {
                    self.rows += 1;
                    self.rows - 1
                });
                let id = self.ids.unique(&name);
                let mut request = self.request(request, &format!("{place}.request"), &full, auth)?;
                self.scripts(item.get("event"), &format!("request `{full}` (block `{id}`)"), "this request");
                request.checks = status_checks(&test_lines(item.get("event")));
                if !request.checks.is_empty() {
                    let count = request.checks.len();
                    let plural = if count == 1 { "" } else { "s" };
                    self.report.scripts.push(escape(&format!(
                        "request `{full}` (block `{id}`): {count} status test{plural} became check{plural}"
                    )));
                }
                self.report.requests.push(escape(&format!("{} {} → block `{id}`", request.method, request.url)));
                self.links.push(Link { id, row, request });
            } else {
                self.report.warn(format!("`{full}` ({place}) is neither a request nor a folder: skipped"));
            }
        }
        Ok(())
    }

    fn request(
        &mut self,
        value: &Value,
        place: &str,
        name: &str,
        inherited: Option<&Map<String, Value>>,
    ) -> Result<SendRequest, ImportError> {
        let fields = match value {
            Value::String(url) => {
                let (url, query) = split_raw_url(url);
                let (url, userinfo) = userinfo_of(&url, None);
                let mut request = SendRequest::new(self.path_variables(&url, &HashMap::new(), name));
                request.query = query;
                request.auth = self.auth(inherited, name);
                self.finish(&mut request, userinfo, name);
                return Ok(request);
            }
            Value::Object(fields) => fields,
            _ => return Err(ImportError::new(self.file, place, "expected a request object or a URL")),
        };
        let (mut request, userinfo) = match fields.get("url") {
            None | Some(Value::Null) => (SendRequest::new(""), None),
            Some(Value::String(url)) => {
                let (url, query) = split_raw_url(url);
                let (url, userinfo) = userinfo_of(&url, None);
                let mut request = SendRequest::new(self.path_variables(&url, &HashMap::new(), name));
                request.query = query;
                (request, userinfo)
            }
            Some(Value::Object(url)) => self.url(url, name),
            Some(_) => return Err(ImportError::new(self.file, format!("{place}.url"), "expected a URL")),
        };
        if request.url.is_empty() {
            self.report.warn(format!("request `{name}` has no URL"));
        }
        match fields.get("method").and_then(Value::as_str) {
            Some(method) if !method.is_empty() && method.chars().all(|c| c.is_ascii_alphabetic()) => {
                request.method = method.to_ascii_uppercase();
            }
            Some(method) => self.report.warn(format!("request `{name}`: method `{method}` is not valid; GET used")),
            None => {}
        }
        request.headers = self.headers(fields.get("header"), name);
        request.body = self.body(fields.get("body"), &mut request.headers, name);
        let auth = match fields.get("auth") {
            Some(Value::Object(auth)) if auth.get("type").and_then(Value::as_str) != Some("inherit") => Some(auth),
            _ => inherited,
        };
        request.auth = self.auth(auth, name);
        self.finish(&mut request, userinfo, name);
        Ok(request)
    }

    /// The last steps for every request: a URL's user and password become its Basic
    /// auth (unless it has auth of its own), credential-looking query parameters and
    /// body fields become `{{names}}`, and the names its auth uses are noted.
    fn finish(&mut self, request: &mut SendRequest, userinfo: Option<(String, String)>, name: &str) {
        if let Some((user, password)) = userinfo {
            if request.auth.is_some() {
                self.report.warn(format!(
                    "request `{name}`: the URL's user and password are left out: the request's own auth is used"
                ));
            } else {
                request.auth = Some(self.credentials.basic(&user, &password, &format!("the URL of request `{name}`")));
            }
        }
        self.credentials.fields(request, &format!("request `{name}`: "));
        self.note_auth_names(request);
    }

    /// Remembers the names used in the request's auth fields and credential headers.
    fn note_auth_names(&mut self, request: &SendRequest) {
        for (header, value) in &request.headers {
            if is_credential_header(header) {
                self.auth_names.extend(template::references(value).map(str::to_owned));
            }
        }
        for (_, text) in request.templated_fields().into_iter().filter(|(field, _)| field.starts_with("auth.")) {
            self.auth_names.extend(template::references(text).map(str::to_owned));
        }
    }

    fn url(&mut self, url: &Map<String, Value>, name: &str) -> (SendRequest, Option<(String, String)>) {
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
    fn path_variables(&mut self, url: &str, values: &HashMap<String, String>, request: &str) -> String {
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

    fn headers(&mut self, value: Option<&Value>, name: &str) -> Vec<(String, String)> {
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

    fn body(&mut self, value: Option<&Value>, headers: &mut Vec<(String, String)>, name: &str) -> Option<Body> {
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

    fn auth(&mut self, auth: Option<&Map<String, Value>>, name: &str) -> Option<Auth> {
        let auth = auth?;
        let kind = auth.get("type").and_then(Value::as_str).unwrap_or_default();
        let origin = format!("request `{name}`: {kind} auth");
        match kind {
            "noauth" | "" => None,
            "bearer" => {
                let token = auth_attribute(auth, "bearer", "token").unwrap_or_default();
                Some(Auth::Bearer { token: self.credentials.replace(&token, "token", &origin) })
            }
            "apikey" => {
                let key = auth_attribute(auth, "apikey", "key").unwrap_or_else(|| "X-API-Key".to_owned());
                let value = auth_attribute(auth, "apikey", "value").unwrap_or_default();
                let location = match auth_attribute(auth, "apikey", "in").as_deref() {
                    Some("query") => ApiKeyLocation::Query,
                    _ => ApiKeyLocation::Header,
                };
                let value = self.credentials.replace(&value, &key, &origin);
                Some(Auth::ApiKey { name: key, value, location })
            }
            "basic" => {
                let username = auth_attribute(auth, "basic", "username").unwrap_or_default();
                let password = auth_attribute(auth, "basic", "password").unwrap_or_default();
                let (username, password) = if password.is_empty() && !has_reference(&username) {
                    (self.credentials.replace(&username, "username", &origin), password)
                } else {
                    (username, self.credentials.replace(&password, "password", &origin))
                };
                Some(Auth::Basic { username, password })
            }
            other => {
                self.report.warn(format!(
                    "request `{name}`: auth type `{other}` is not supported; the request is imported without auth"
                ));
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

/// Splits `base?a=1&b` into the base and its query pairs, each decoded once (Postman
/// keeps them as typed). A `#fragment` is dropped.
fn split_raw_url(raw: &str) -> (String, Vec<(String, String)>) {
    let raw = raw.split('#').next().unwrap_or_default();
    match raw.split_once('?') {
        None => (raw.to_owned(), Vec::new()),
        Some((base, query)) => {
            let pairs = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((key, value)) => (decode_query_text(key), decode_query_text(value)),
                    None => (decode_query_text(pair), String::new()),
                })
                .collect();
            (base.to_owned(), pairs)
        }
    }
}

/// A URL's user and password taken out of it (`https://bob:pw@host` → `https://host`),
/// from the URL itself or from Postman's `url.auth` (`{"user", "password"}`).
fn userinfo_of(url: &str, auth: Option<&Value>) -> (String, Option<(String, String)>) {
    let (url, userinfo) = match take_userinfo(url) {
        Some((url, user, password)) => (url, Some((user, password))),
        None => (url.to_owned(), None),
    };
    let from_object = auth.and_then(Value::as_object).and_then(|auth| {
        let user = auth.get("user").map(scalar_text).unwrap_or_default();
        let password = auth.get("password").map(scalar_text).unwrap_or_default();
        (!user.is_empty() || !password.is_empty()).then_some((user, password))
    });
    (url, from_object.or(userinfo))
}

/// The lines of the `test` scripts among `events`.
fn test_lines(events: Option<&Value>) -> Vec<String> {
    let Some(events) = events.and_then(Value::as_array) else { return Vec::new() };
    let mut lines = Vec::new();
    for event in events.iter().filter(|e| e.get("listen").and_then(Value::as_str) == Some("test")) {
        match event.get("script").and_then(|script| script.get("exec")) {
            Some(Value::Array(exec)) => {
                lines.extend(exec.iter().filter_map(Value::as_str).flat_map(str::lines).map(str::to_owned));
            }
            Some(Value::String(text)) => lines.extend(text.lines().map(str::to_owned)),
            _ => {}
        }
    }
    lines
}

/// The common Postman status tests as checks: `pm.response.to.have.status(N)` and
/// `pm.expect(pm.response.code).to.eql(N)` (or `.to.equal(N)`). Anything else stays a
/// script, listed in the report and not run.
fn status_checks(lines: &[String]) -> Vec<switchyard_flow::Check> {
    const CALLS: [&str; 3] =
        ["pm.response.to.have.status(", "pm.expect(pm.response.code).to.eql(", "pm.expect(pm.response.code).to.equal("];
    let mut checks: Vec<switchyard_flow::Check> = Vec::new();
    for line in lines {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        for call in CALLS {
            let mut rest = compact.as_str();
            while let Some(at) = rest.find(call) {
                let after = rest.get(at + call.len()..).unwrap_or_default();
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                let closed = after.get(digits.len()..).is_some_and(|tail| tail.starts_with(')'));
                if closed && (3..=3).contains(&digits.len()) {
                    let name = format!("status is {digits}");
                    if !checks.iter().any(|c| c.name == name) {
                        let condition = switchyard_flow::Expression::new(format!(".status == {digits}"));
                        checks.push(switchyard_flow::Check { name, condition });
                    }
                }
                rest = after;
            }
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_status_tests_become_checks_and_others_do_not() {
        let lines: Vec<String> = [
            "pm.test(\"ok\", function () {",
            "    pm.response.to.have.status(201);",
            "    pm.expect(pm.response.code).to.eql( 201 );",
            "    pm.expect(pm.response.code).to.equal(404)",
            "    pm.response.to.have.status(code);",
            "    pm.expect(pm.response.json().id).to.eql(7);",
            "});",
        ]
        .map(str::to_owned)
        .to_vec();
        let checks: Vec<(String, String)> =
            status_checks(&lines).into_iter().map(|c| (c.name, c.condition.as_str().to_owned())).collect();
        assert_eq!(
            checks,
            [
                ("status is 201".to_owned(), ".status == 201".to_owned()),
                ("status is 404".to_owned(), ".status == 404".to_owned())
            ]
        );
    }

    #[test]
    fn path_variables_take_their_values_and_ports_are_left_alone() {
        let mut walker = Walker::new("c.json");
        let values: HashMap<String, String> = [("id".to_owned(), "42".to_owned())].into();
        assert_eq!(
            walker.path_variables("http://localhost:8080/users/:id/posts/:post", &values, "r"),
            "http://localhost:8080/users/42/posts/{{post}}"
        );
        assert_eq!(walker.path_variables("{{base}}/a/:b", &HashMap::new(), "r"), "{{base}}/a/{{b}}");
        assert_eq!(walker.path_variables("https://x.test", &values, "r"), "https://x.test");
        let warnings = walker.report.warnings.join("\n");
        assert!(warnings.contains("path variable `:post` has no value: the URL uses `{{post}}`"), "{warnings}");
    }

    #[test]
    fn raw_urls_lose_their_query_to_pairs() {
        let (base, query) = split_raw_url("{{base}}/s?q=a b&flag&x=1#frag");
        assert_eq!(base, "{{base}}/s");
        assert_eq!(query, [("q".into(), "a b".into()), ("flag".into(), String::new()), ("x".into(), "1".into())]);
    }
}
