//! Postman Collection v2.0 / v2.1 and environment exports.
//!
//! A collection becomes one chain (see `layout::chain`): requests depth first through
//! folders. Both versions are read by shape rather than by their schema URL: auth
//! attributes as a v2.1 list of `{key, value}` or a v2.0 object, URLs as text or an
//! object, headers as a list or a block of `Name: value` lines.
//!
//! Here: the entry points and the walk over items and folders (a request's method and
//! its last steps). Modules: `shape` (reading Postman's JSON shapes: scalars, switched-off
//! entries, inherited auth, a raw URL's query and user information), `url` (the URL
//! object, path variables), `body` (headers and bodies), `auth` (bearer, API key, basic),
//! `checks` (status tests as checks).

mod auth;
mod body;
mod checks;
mod shape;
mod url;

use std::collections::{BTreeSet, HashMap, HashSet};

use checks::{status_checks, test_lines};
use serde_json::{Map, Value};
use shape::{auth_of, is_disabled, scalar_text, split_raw_url, userinfo_of};
use switchyard_flow::{SendRequest, template};

use crate::credentials::{Credentials, is_credential_header, is_credential_name};
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
