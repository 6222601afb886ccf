//! Preparing a Send Request: every template resolved, auth and body built, and the
//! secrets it carries found and checked against their hosts, before anything is sent.
//!
//! [`prepare`] is a pure function of its [`Inputs`] (the block, the variables, the value
//! that reached it, the run's masks, the clock): it sends nothing and changes nothing,
//! so it is tested without a server. Its errors ([`RequestError`]) carry the block, the
//! field and the kind; their text is composed once, by [`RequestError::message`].

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};
use switchyard_flow::template::{self, RenderError, Unresolved};
use switchyard_flow::{ApiKeyLocation, Auth, Body, Part, SendRequest};
use switchyard_vault::{Variable, Variables};
use url::Url;

use crate::redact::Redactor;
use crate::value::ErrorKind;

/// Why a request failed: the block, the field (when one is to blame), the kind, and
/// what went wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestError {
    pub block: String,
    /// `url`, `headers[2]`, `auth.token`, `body.multipart[0]`; `None` for the exchange.
    pub field: Option<String>,
    pub kind: ErrorKind,
    /// What went wrong, without the block or the field.
    pub detail: String,
    /// A few words for the block's result on the canvas; the kind's by default.
    pub summary: String,
}

impl RequestError {
    pub fn new(block: &str, field: Option<&str>, kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            block: block.to_owned(),
            field: field.map(str::to_owned),
            kind,
            detail: detail.into(),
            summary: kind.short().to_owned(),
        }
    }

    fn summary(mut self, summary: String) -> Self {
        self.summary = summary;
        self
    }

    /// `block `login`: headers[1]: …`: the one place the text is put together.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block `{}`: ", self.block)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.detail)
    }
}

/// Everything a request is prepared from.
pub(crate) struct Inputs<'a, 'r> {
    pub block: &'a str,
    pub request: &'a SendRequest,
    pub variables: &'a Variables,
    /// The value that reached the block (`{{input.…}}`).
    pub input: &'a Value,
    /// The run's masks so far: which secrets a text carries.
    pub redactor: &'r Redactor,
    /// Where relative file paths start (the flow file's folder); `None`: the current one.
    pub base_dir: Option<&'a Path>,
    /// Milliseconds since the Unix epoch, for `{{$timestamp}}` and the like.
    pub now_ms: u64,
    /// Random numbers for `{{$guid}}`, `{{$randomInt}}`.
    pub random: fn() -> u64,
    /// The most bytes the rendered request (URL, query, headers, auth, body) may take.
    pub max_request_bytes: u64,
}

/// A request ready to send, with the secrets it carries.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<PreparedBody>,
    pub secrets: Vec<&'a Variable>,
    /// Derived credentials to mask from now on, each as a form of the named secret
    /// (the base64 of a Basic `user:password`).
    pub masks: Vec<(String, String)>,
}

/// A rendered body. A multipart body is kept as its parts, so that a redirect that
/// keeps the body (307, 308) can build the form again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PreparedBody {
    Bytes(Vec<u8>),
    Multipart(Vec<(String, PreparedPart)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PreparedPart {
    Text(String),
    File { file_name: String, bytes: Vec<u8> },
}

impl PreparedBody {
    /// Every byte run that will leave with the body: each part's name, text and file.
    pub fn runs(&self) -> Vec<&[u8]> {
        match self {
            PreparedBody::Bytes(bytes) => vec![bytes.as_slice()],
            PreparedBody::Multipart(parts) => parts
                .iter()
                .flat_map(|(name, part)| match part {
                    PreparedPart::Text(text) => [name.as_bytes(), text.as_bytes(), &[]],
                    PreparedPart::File { file_name, bytes } => {
                        [name.as_bytes(), bytes.as_slice(), file_name.as_bytes()]
                    }
                })
                .collect(),
        }
    }

    pub fn attach(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            PreparedBody::Bytes(bytes) => builder.body(bytes.clone()),
            PreparedBody::Multipart(parts) => {
                let form = parts.iter().fold(reqwest::multipart::Form::new(), |form, (name, part)| match part {
                    PreparedPart::Text(text) => form.text(name.clone(), text.clone()),
                    PreparedPart::File { file_name, bytes } => form.part(
                        name.clone(),
                        reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.clone()),
                    ),
                });
                builder.multipart(form)
            }
        }
    }
}

/// Resolves every template and builds the request; finds the secrets it carries and
/// refuses one bound to other hosts. `url_text` receives the rendered URL as soon as
/// it is known, for the failure value of a request that goes no further.
pub(crate) fn prepare<'a>(inputs: &Inputs<'a, '_>, url_text: &mut String) -> Result<Prepared<'a>, RequestError> {
    let room = usize::try_from(inputs.max_request_bytes).unwrap_or(usize::MAX);
    let mut preparing = Preparing { inputs, secrets: Vec::new(), masks: Vec::new(), room };
    let prepared = preparing.prepare(url_text)?;
    Ok(prepared)
}

/// The work in progress: the secrets found so far, and the masks to add.
struct Preparing<'i, 'a, 'r> {
    inputs: &'i Inputs<'a, 'r>,
    secrets: Vec<&'a Variable>,
    masks: Vec<(String, String)>,
    /// Bytes the request may still take: each rendered text is counted as it is made,
    /// and one that would pass the limit is refused before it is built.
    room: usize,
}

impl<'a> Preparing<'_, 'a, '_> {
    fn error(&self, field: &str, kind: ErrorKind, detail: impl Into<String>) -> RequestError {
        RequestError::new(self.inputs.block, Some(field), kind, detail)
    }

    /// The request would take more than `max_request_bytes`.
    fn too_large(&self, field: &str) -> RequestError {
        let limit = self.inputs.max_request_bytes;
        self.error(
            field,
            ErrorKind::RequestTooLarge,
            format!(
                "the request would take more than {limit} bytes (`max_request_bytes`, on the block or in the \
                 flow's `defaults`); nothing was sent"
            ),
        )
    }

    /// Counts `len` bytes against the room left, or refuses them.
    fn spend(&mut self, field: &str, len: usize) -> Result<(), RequestError> {
        match self.room.checked_sub(len) {
            Some(left) => {
                self.room = left;
                Ok(())
            }
            None => Err(self.too_large(field)),
        }
    }

    fn carry(&mut self, variable: &'a Variable) {
        if !self.secrets.iter().any(|s| s.name == variable.name) {
            self.secrets.push(variable);
        }
    }

    fn prepare(&mut self, url_text: &mut String) -> Result<Prepared<'a>, RequestError> {
        let request = self.inputs.request;
        let rendered_url = self.render("url", &request.url)?;
        url_text.clone_from(&rendered_url);
        let mut url = Url::parse(rendered_url.trim()).map_err(|error| {
            self.error("url", ErrorKind::InvalidUrl, format!("`{rendered_url}` is not a valid URL: {error}"))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(self.error(
                "url",
                ErrorKind::InvalidUrl,
                format!("`{rendered_url}` is not an http:// or https:// URL with a host"),
            ));
        }
        let query = self.render_pairs("query", &request.query)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let method = Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            self.error("method", ErrorKind::InvalidRequest, format!("`{}` is not an HTTP method", request.method))
        })?;

        let mut headers = HeaderMap::new();
        for (index, (name, value)) in self.render_pairs("headers", &request.headers)?.into_iter().enumerate() {
            self.insert_header(&mut headers, &format!("headers[{index}]"), &name, &value)?;
        }
        self.auth(&mut url, &mut headers)?;
        self.userinfo_to_basic(&mut url, &mut headers)?;
        let body = self.body(&mut headers)?;
        let inputs = self.inputs;
        carried_secrets(inputs.redactor, inputs.variables, &mut self.secrets, &url, &headers, body.as_ref());
        check_hosts(inputs.block, &self.secrets, &url)?;
        Ok(Prepared {
            method,
            url,
            headers,
            body,
            secrets: std::mem::take(&mut self.secrets),
            masks: std::mem::take(&mut self.masks),
        })
    }

    /// Renders one templated field, remembering which secrets it used.
    fn render(&mut self, field: &str, text: &str) -> Result<String, RequestError> {
        let inputs = self.inputs;
        let mut refused: Option<(&str, &'static str)> = None;
        let mut used: Vec<&'a Variable> = Vec::new();
        let rendered = template::render_within(text, self.room, |name| {
            if let Some(path) = template::input_path(name) {
                return template::lookup_path(inputs.input, path)
                    .map(|value| Cow::Owned(template::value_to_text(value)));
            }
            if template::is_dynamic_name(name) {
                let mut random = inputs.random;
                return template::dynamic_value(name, inputs.now_ms, &mut random).map(Cow::Owned);
            }
            let variable = inputs.variables.get(name)?;
            if variable.value.is_secret() {
                if let Some(problem) = secret_shape_problem(variable.value.expose()) {
                    refused.get_or_insert((variable.name.as_str(), problem));
                }
                used.push(variable);
            }
            Some(Cow::Borrowed(variable.value.expose()))
        });
        for variable in used {
            self.carry(variable);
        }
        if let Some((name, problem)) = refused {
            // The value is never part of the message: only its name and what is wrong.
            return Err(self
                .error(
                    field,
                    ErrorKind::InvalidRequest,
                    format!(
                        "uses secret `{{{{{name}}}}}`, which {problem}; nothing was sent. \
                         Store the value without it (a token file read with a trailing newline is the usual cause)"
                    ),
                )
                .summary(format!("secret {{{{{name}}}}} {problem}")));
        }
        let rendered = rendered.map_err(|error| match error {
            RenderError::Unresolved(unresolved) => Ok(unresolved),
            RenderError::TooLarge { .. } => Err(self.too_large(field)),
        });
        let rendered = match rendered {
            Ok(text) => text,
            Err(Err(too_large)) => return Err(too_large),
            Err(Ok(unresolved)) => return Err(self.unresolved(field, unresolved)),
        };
        self.room -= rendered.len().min(self.room);
        Ok(rendered)
    }

    fn unresolved(&self, field: &str, Unresolved { name }: Unresolved) -> RequestError {
        {
            let hint = if template::input_path(&name).is_some() {
                "the value that reached this block has no such field".to_owned()
            } else {
                format!("define it with --var {name}=… or --secret {name}=…, or as a global variable")
            };
            self.error(
                field,
                ErrorKind::UnresolvedVariable,
                format!("uses `{{{{{name}}}}}`, which is not defined: {hint}"),
            )
            .summary(format!("unresolved {{{{{name}}}}}"))
        }
    }

    fn render_pairs(&mut self, field: &str, pairs: &[(String, String)]) -> Result<Vec<(String, String)>, RequestError> {
        let mut rendered = Vec::with_capacity(pairs.len());
        for (index, (name, value)) in pairs.iter().enumerate() {
            let place = format!("{field}[{index}]");
            rendered.push((self.render(&place, name)?, self.render(&place, value)?));
        }
        Ok(rendered)
    }

    fn render_json(&mut self, value: &Value, place: &str) -> Result<Value, RequestError> {
        Ok(match value {
            Value::String(text) => Value::String(self.render(place, text)?),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.render_json(item, &format!("{place}[{i}]"))?);
                }
                Value::Array(out)
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, item) in map {
                    out.insert(key.clone(), self.render_json(item, &format!("{place}.{key}"))?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    fn auth(&mut self, url: &mut Url, headers: &mut HeaderMap) -> Result<(), RequestError> {
        match &self.inputs.request.auth {
            None => {}
            Some(Auth::Bearer { token }) => {
                let token = self.render("auth.token", token)?;
                self.insert_header(headers, "auth.token", "Authorization", &format!("Bearer {token}"))?;
            }
            Some(Auth::ApiKey { name, value, location }) => {
                let name = self.render("auth.name", name)?;
                let value = self.render("auth.value", value)?;
                match location {
                    ApiKeyLocation::Header => self.insert_header(headers, "auth.value", &name, &value)?,
                    ApiKeyLocation::Query => {
                        url.query_pairs_mut().append_pair(&name, &value);
                    }
                }
            }
            Some(Auth::Basic { username, password }) => {
                // The secrets these two fields use, apart from those found before.
                let before = std::mem::take(&mut self.secrets);
                let rendered = self
                    .render("auth.username", username)
                    .and_then(|username| self.render("auth.password", password).map(|password| (username, password)));
                let used = std::mem::replace(&mut self.secrets, before);
                let (username, password) = rendered?;
                let credential = STANDARD.encode(format!("{username}:{password}"));
                // The base64 of `user:secret` is masked whole, as a form of each secret in it.
                for variable in used {
                    self.masks.push((variable.name.clone(), credential.clone()));
                    self.carry(variable);
                }
                self.insert_header(headers, "auth", "Authorization", &format!("Basic {credential}"))?;
            }
        }
        Ok(())
    }

    /// Turns a URL's userinfo (`http://user:pass@host/`) into the Basic header the HTTP
    /// client would build from it, so that it is masked (its base64 too) and bound to
    /// hosts exactly like `auth.type: basic`. An `Authorization` already set wins.
    fn userinfo_to_basic(&mut self, url: &mut Url, headers: &mut HeaderMap) -> Result<(), RequestError> {
        if url.username().is_empty() && url.password().is_none() {
            return Ok(());
        }
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8().map(|t| t.into_owned());
        let (Ok(username), Ok(password)) = (decode(url.username()), decode(url.password().unwrap_or_default())) else {
            return Err(self.error(
                "url",
                ErrorKind::InvalidUrl,
                "the user name or password in it is not valid UTF-8 once decoded",
            ));
        };
        // Neither call fails on an http(s) URL with a host, which `prepare` checked.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let credential = STANDARD.encode(format!("{username}:{password}"));
        let inputs = self.inputs;
        for name in inputs.redactor.secrets_in(format!("{username}:{password}").as_bytes()) {
            if let Some(variable) = inputs.variables.get(&name) {
                self.carry(variable);
            }
            self.masks.push((name, credential.clone()));
        }
        if !headers.contains_key(AUTHORIZATION) {
            self.insert_header(headers, "url", "Authorization", &format!("Basic {credential}"))?;
        }
        Ok(())
    }

    fn body(&mut self, headers: &mut HeaderMap) -> Result<Option<PreparedBody>, RequestError> {
        Ok(match &self.inputs.request.body {
            None => None,
            Some(Body::Json(value)) => {
                // The JSON text takes its strings again, escaped: it is counted whole.
                let room = self.room;
                let rendered = self.render_json(value, "body.json")?;
                self.room = room;
                let mut text = Limited { bytes: Vec::new(), room };
                if serde_json::to_writer(&mut text, &rendered).is_err() {
                    return Err(self.too_large("body.json"));
                }
                self.spend("body.json", text.bytes.len())?;
                default_content_type(headers, "application/json");
                Some(PreparedBody::Bytes(text.bytes))
            }
            Some(Body::Text { text, content_type }) => {
                let text = self.render("body.text", text)?;
                match content_type {
                    Some(content_type) => {
                        let content_type = self.render("body.content_type", content_type)?;
                        self.insert_header(headers, "body.content_type", "Content-Type", &content_type)?;
                    }
                    None => default_content_type(headers, "text/plain; charset=utf-8"),
                }
                Some(PreparedBody::Bytes(text.into_bytes()))
            }
            Some(Body::Form(pairs)) => {
                let room = self.room;
                let pairs = self.render_pairs("body.form", pairs)?;
                self.room = room;
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
                self.spend("body.form", encoded.len())?;
                default_content_type(headers, "application/x-www-form-urlencoded");
                Some(PreparedBody::Bytes(encoded.into_bytes()))
            }
            Some(Body::Multipart(parts)) => {
                // reqwest sets the multipart type with its boundary; a second one would clash.
                headers.remove(CONTENT_TYPE);
                Some(self.multipart(parts)?)
            }
        })
    }

    /// Renders a multipart body's names and text values and reads its files, which are
    /// relative to the flow file's folder.
    fn multipart(&mut self, parts: &[(String, Part)]) -> Result<PreparedBody, RequestError> {
        let mut prepared = Vec::with_capacity(parts.len());
        for (index, (name, part)) in parts.iter().enumerate() {
            let place = format!("body.multipart[{index}]");
            let name = self.render(&place, name)?;
            let part = match part {
                Part::Text(text) => PreparedPart::Text(self.render(&place, text)?),
                Part::File(file) => {
                    let path = match self.inputs.base_dir {
                        Some(dir) => dir.join(file),
                        None => Path::new(file).to_owned(),
                    };
                    // A file larger than the room left is refused before it is read.
                    let size = std::fs::metadata(&path).map(|meta| meta.len()).unwrap_or(0);
                    if usize::try_from(size).map_or(true, |size| size > self.room) {
                        return Err(self.too_large(&place));
                    }
                    let bytes = std::fs::read(&path).map_err(|error| {
                        self.error(
                            &place,
                            ErrorKind::InvalidRequest,
                            format!("cannot read file `{}`: {error}", path.display()),
                        )
                    })?;
                    let file_name = Path::new(file)
                        .file_name()
                        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
                    PreparedPart::File { file_name, bytes }
                }
            };
            prepared.push((name, part));
        }
        Ok(PreparedBody::Multipart(prepared))
    }

    fn insert_header(&self, headers: &mut HeaderMap, field: &str, name: &str, value: &str) -> Result<(), RequestError> {
        let header_name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            self.error(field, ErrorKind::InvalidRequest, format!("`{name}` is not a valid header name"))
        })?;
        let mut header_value = HeaderValue::from_str(value).map_err(|_| {
            self.error(
                field,
                ErrorKind::InvalidRequest,
                format!("the value of header `{name}` has characters not allowed in a header (such as a line break)"),
            )
        })?;
        header_value.set_sensitive(true);
        headers.append(header_name, header_value);
        Ok(())
    }
}

/// Adds to `secrets` every secret any form of which is in what is about to be sent
/// (URL, header names and values, body), wherever it came from: a template, or a
/// value an earlier response echoed (`{{input.…}}`).
pub(crate) fn carried_secrets<'v>(
    redactor: &Redactor,
    variables: &'v Variables,
    secrets: &mut Vec<&'v Variable>,
    url: &Url,
    headers: &HeaderMap,
    body: Option<&PreparedBody>,
) {
    if redactor.is_empty() {
        return;
    }
    let mut names = redactor.secrets_in(url.as_str().as_bytes());
    for (name, value) in headers {
        names.extend(redactor.secrets_in(name.as_str().as_bytes()));
        names.extend(redactor.secrets_in(value.as_bytes()));
    }
    for run in body.map(PreparedBody::runs).unwrap_or_default() {
        names.extend(redactor.secrets_in(run));
    }
    for name in names {
        if let Some(variable) = variables.get(&name)
            && !secrets.iter().any(|s| s.name == variable.name)
        {
            secrets.push(variable);
        }
    }
}

/// Refuses to send a secret to a host outside its `allowed_hosts`.
pub(crate) fn check_hosts(block: &str, secrets: &[&Variable], url: &Url) -> Result<(), RequestError> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    for secret in secrets {
        if !secret.host_allowed(host) {
            return Err(RequestError::new(
                block,
                None,
                ErrorKind::HostNotAllowed,
                format!(
                    "this request carries secret `{{{{{}}}}}` (in a template or in a value echoed by a server), \
                     which may only be sent to {}, not to {host}; nothing was sent",
                    secret.name,
                    secret.allowed_hosts.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// What is wrong with a secret's value for sending, if anything: a trailing newline
/// (the usual mistake with a token file or a CI variable), another control character,
/// or white space at either end, each of which the URL parser or the HTTP client
/// would drop or refuse, so that what is sent would no longer match what is masked.
fn secret_shape_problem(value: &str) -> Option<&'static str> {
    if value.ends_with(['\n', '\r']) {
        Some("ends with a newline")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character")
    } else if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        Some("starts or ends with white space")
    } else {
        None
    }
}

/// A writer that keeps at most `room` bytes and refuses more.
struct Limited {
    bytes: Vec<u8>,
    room: usize,
}

impl std::io::Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.room.saturating_sub(self.bytes.len()) {
            return Err(std::io::Error::other("over the request size limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn default_content_type(headers: &mut HeaderMap, content_type: &'static str) {
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_flow::{Block, BlockKind, Flow};

    fn request(json: &str) -> SendRequest {
        let text = format!(
            r#"{{"switchyard":1,"name":"t","blocks":{{"start":{{"type":"start"}},"req":{{"type":"send_request",{json}}}}},"wires":[["start.out","req.in"]]}}"#
        );
        let flow = Flow::from_json(&text, "t.json").expect("test flow");
        let block: &Block = flow.blocks.iter().find(|b| b.id == "req").expect("req block");
        match &block.kind {
            BlockKind::SendRequest(request) => request.clone(),
            _ => unreachable!("req is a send_request"),
        }
    }

    fn variables(list: &[Variable]) -> Variables {
        let mut variables = Variables::new();
        for variable in list {
            variables.insert(variable.clone());
        }
        variables
    }

    fn prepared<'a>(
        request: &'a SendRequest,
        variables: &'a Variables,
        redactor: &Redactor,
        input: &'a Value,
    ) -> Result<Prepared<'a>, RequestError> {
        let inputs = Inputs {
            block: "req",
            request,
            variables,
            input,
            redactor,
            base_dir: None,
            now_ms: 1_700_000_000_000,
            random: || 4,
            max_request_bytes: switchyard_flow::DEFAULT_MAX_REQUEST_BYTES,
        };
        prepare(&inputs, &mut String::new())
    }

    #[test]
    fn a_request_past_its_limit_is_refused_while_it_is_rendered() {
        let variables = variables(&[Variable::plain("big", "x".repeat(600))]);
        let redactor = Redactor::default();
        for (json, field) in [
            (r#""method":"POST","url":"http://h.test/","body":{"text":"{{big}}{{big}}"}"#, "body.text"),
            (r#""method":"POST","url":"http://h.test/","body":{"json":{"a":"{{big}}","b":"{{big}}"}}"#, "body.json.b"),
            (
                r#""method":"POST","url":"http://h.test/","body":{"form":[["a","{{big}}"],["b","{{big}}"]]}"#,
                "body.form[1]",
            ),
            (r#""url":"http://h.test/","headers":[["A","{{big}}"],["B","{{big}}"]]"#, "headers[1]"),
            (r#""url":"http://h.test/{{big}}","query":[["q","{{big}}"]]"#, "query[0]"),
        ] {
            let request = request(json);
            let inputs = Inputs {
                block: "req",
                request: &request,
                variables: &variables,
                input: &Value::Null,
                redactor: &redactor,
                base_dir: None,
                now_ms: 0,
                random: || 4,
                max_request_bytes: 1000,
            };
            let error = prepare(&inputs, &mut String::new()).expect_err(field);
            assert_eq!(error.kind, ErrorKind::RequestTooLarge, "{field}: {error}");
            assert_eq!(error.field.as_deref(), Some(field), "{error}");
            assert!(error.message().contains("1000 bytes"), "{error}");
            // Within the limit the same request is built.
            let inputs = Inputs { max_request_bytes: 1300, ..inputs };
            assert!(prepare(&inputs, &mut String::new()).is_ok(), "{field}");
        }
    }

    fn header<'h>(prepared: &'h Prepared<'_>, name: &str) -> &'h str {
        prepared.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    #[test]
    fn templates_reach_url_query_headers_and_json_body() {
        let request = request(
            r#""method":"POST","url":"http://h.test/{{id}}","query":[["q","{{input.body.n}}"]],
            "headers":[["X-Id","{{id}}"]],"body":{"json":{"id":"{{id}}","n":1}}"#,
        );
        let variables = variables(&[Variable::plain("id", "42")]);
        let input = serde_json::json!({"body": {"n": 7}});
        let redactor = Redactor::default();
        let prepared = prepared(&request, &variables, &redactor, &input).expect("prepared");
        assert_eq!(prepared.method, Method::POST);
        assert_eq!(prepared.url.as_str(), "http://h.test/42?q=7");
        assert_eq!(header(&prepared, "x-id"), "42");
        assert_eq!(header(&prepared, "content-type"), "application/json");
        assert_eq!(prepared.body, Some(PreparedBody::Bytes(br#"{"id":"42","n":1}"#.to_vec())));
        assert!(prepared.secrets.is_empty());
    }

    #[test]
    fn an_undefined_name_names_block_field_and_kind() {
        let request = request(r#""method":"GET","url":"http://h.test/","headers":[["A","x"],["B","{{nope}}"]]"#);
        let (variables, redactor) = (Variables::new(), Redactor::default());
        let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("unresolved");
        assert_eq!(error.block, "req");
        assert_eq!(error.field.as_deref(), Some("headers[1]"));
        assert_eq!(error.kind, ErrorKind::UnresolvedVariable);
        assert_eq!(error.summary, "unresolved {{nope}}");
        assert!(error.message().starts_with("block `req`: headers[1]: uses `{{nope}}`, which is not defined"));
    }

    #[test]
    fn a_line_break_in_a_header_value_is_refused_in_its_field() {
        let request = request(r#""method":"GET","url":"http://h.test/","headers":[["X","{{v}}"]]"#);
        let variables = variables(&[Variable::plain("v", "a\r\nInjected: 1")]);
        let redactor = Redactor::default();
        let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("refused");
        assert_eq!((error.field.as_deref(), error.kind), (Some("headers[0]"), ErrorKind::InvalidRequest));
    }

    #[test]
    fn bad_urls_and_methods_are_their_fields_errors() {
        let (variables, redactor) = (Variables::new(), Redactor::default());
        for (json, field, kind) in [
            (r#""method":"GET","url":"not a url""#, "url", ErrorKind::InvalidUrl),
            (r#""method":"GET","url":"ftp://h.test/""#, "url", ErrorKind::InvalidUrl),
        ] {
            let request = request(json);
            let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err(json);
            assert_eq!((error.field.as_deref(), error.kind), (Some(field), kind), "{json}");
        }
    }

    #[test]
    fn a_secret_bound_to_other_hosts_is_refused_and_never_in_the_message() {
        let request = request(r#""method":"GET","url":"http://evil.test/","auth":{"type":"bearer","token":"{{key}}"}"#);
        let mut key = Variable::secret("key", "sk-prepare-7Qz");
        key.allowed_hosts = vec!["api.test".to_owned()];
        let variables = variables(&[key]);
        let redactor = Redactor::for_variables(&variables);
        let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("host");
        assert_eq!(error.kind, ErrorKind::HostNotAllowed);
        assert!(error.message().contains("`{{key}}`") && !error.message().contains("sk-prepare"));
    }

    #[test]
    fn a_secret_echoed_into_the_input_is_carried_and_bound() {
        let request = request(r#""method":"GET","url":"http://evil.test/?t={{input.body.t}}""#);
        let mut key = Variable::secret("key", "sk-echoed-9Xw");
        key.allowed_hosts = vec!["api.test".to_owned()];
        let variables = variables(&[key]);
        let redactor = Redactor::for_variables(&variables);
        let input = serde_json::json!({"body": {"t": "sk-echoed-9Xw"}});
        let error = prepared(&request, &variables, &redactor, &input).expect_err("carried");
        assert_eq!(error.kind, ErrorKind::HostNotAllowed);
    }

    fn prepared_too<'a>(request: &'a SendRequest, variables: &'a Variables, redactor: &Redactor) -> Prepared<'a> {
        prepared(request, variables, redactor, &Value::Null).expect("prepared")
    }

    #[test]
    fn basic_auth_with_a_secret_masks_its_base64() {
        let request = request(
            r#""method":"GET","url":"http://api.test/","auth":{"type":"basic","username":"me","password":"{{pw}}"}"#,
        );
        let variables = variables(&[Variable::secret("pw", "hunter-22")]);
        let redactor = Redactor::for_variables(&variables);
        let prepared = prepared(&request, &variables, &redactor, &Value::Null).expect("prepared");
        // Also when the secret was already carried by an earlier field.
        let mut request_too = request.clone();
        request_too.headers.push(("X-Pw".to_owned(), "{{pw}}".to_owned()));
        let prepared_too = prepared_too(&request_too, &variables, &redactor);
        assert_eq!(prepared_too.masks.len(), 1);
        let credential = STANDARD.encode("me:hunter-22");
        assert_eq!(header(&prepared, "authorization"), format!("Basic {credential}"));
        assert_eq!(prepared.masks, vec![("pw".to_owned(), credential)]);
        assert_eq!(prepared.secrets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["pw"]);
    }

    #[test]
    fn a_missing_multipart_file_names_its_part() {
        let request = request(
            r#""method":"POST","url":"http://h.test/","body":{"multipart":[["a","x"],["f",{"file":"/no/such/file"}]]}"#,
        );
        let (variables, redactor) = (Variables::new(), Redactor::default());
        let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("file");
        assert_eq!((error.field.as_deref(), error.kind), (Some("body.multipart[1]"), ErrorKind::InvalidRequest));
        assert!(error.detail.contains("/no/such/file"));
    }

    #[test]
    fn a_secret_with_a_trailing_newline_is_refused_by_name() {
        let request = request(r#""method":"GET","url":"http://h.test/","auth":{"type":"bearer","token":"{{t}}"}"#);
        let variables = variables(&[Variable::secret("t", "tok-123\n")]);
        let redactor = Redactor::for_variables(&variables);
        let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("shape");
        assert_eq!((error.field.as_deref(), error.kind), (Some("auth.token"), ErrorKind::InvalidRequest));
        assert_eq!(error.summary, "secret {{t}} ends with a newline");
        assert!(!error.message().contains("tok-123"));
    }

    #[test]
    fn dynamic_values_come_from_the_inputs_clock() {
        let request = request(r#""method":"GET","url":"http://h.test/{{$timestamp}}""#);
        let (variables, redactor) = (Variables::new(), Redactor::default());
        let prepared = prepared(&request, &variables, &redactor, &Value::Null).expect("prepared");
        assert_eq!(prepared.url.as_str(), "http://h.test/1700000000");
    }
}
