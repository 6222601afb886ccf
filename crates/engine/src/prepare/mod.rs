//! Preparing a Send Request: every template resolved, auth and body built, and the
//! secrets it carries found and checked against their hosts, before anything is sent.
//!
//! [`prepare`] is a pure function of its [`Inputs`] (the block, the variables, the value
//! that reached it, the run's masks, the clock): it sends nothing and changes nothing,
//! so it is tested without a server. Its errors ([`RequestError`]) carry the block, the
//! field and the kind; their text is composed once, by [`RequestError::message`].
//!
//! Modules: `error` ([`RequestError`]), `body` (a rendered body and the bounded writer
//! it is made with), `custody` (the secrets a request carries, and their hosts).
//! Rendering the templates, auth and body is here.

mod body;
mod custody;
mod error;

use std::borrow::Cow;
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

use body::{Limited, default_content_type};
pub(crate) use body::{PreparedBody, PreparedPart};
use custody::secret_shape_problem;
pub(crate) use custody::{carried_secrets, check_hosts};
pub(crate) use error::RequestError;

use crate::redact::Redactor;
use crate::value::ErrorKind;

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
                    // A `Content-Type` the block sets in `headers` wins, as an explicit
                    // header does in Postman and curl: one is sent, never two.
                    Some(content_type) => {
                        let content_type = self.render("body.content_type", content_type)?;
                        if !headers.contains_key(CONTENT_TYPE) {
                            self.insert_header(headers, "body.content_type", "Content-Type", &content_type)?;
                        }
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

#[cfg(test)]
mod tests;
