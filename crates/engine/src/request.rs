//! One Send Request block run: resolve templates, check secret custody, send,
//! follow redirects, read the body within the size limit, and classify errors.

use std::error::Error as _;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use switchyard_flow::template::{self, Unresolved};
use switchyard_flow::{ApiKeyLocation, Auth, Body, Part, Port, SendRequest};
use switchyard_vault::{Variable, Variables};
use url::Url;

use crate::blocks::Fired;
use crate::emitter::Emitter;
use crate::event::Event;
use crate::value::{ErrorKind, ErrorValue, ResponseValue};

/// A request error: its kind, the message for the user, and a short summary.
#[derive(Debug)]
struct RequestError {
    kind: ErrorKind,
    message: String,
    summary: String,
}

impl RequestError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), summary: kind.short().to_owned() }
    }
}

/// Everything one Send Request run needs.
pub(crate) struct RequestRun<'a> {
    pub client: &'a reqwest::Client,
    pub block: &'a str,
    pub request: &'a SendRequest,
    pub variables: &'a Variables,
    pub input: &'a Value,
    pub emitter: &'a Emitter,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Where relative file paths start (the flow file's folder); `None`: the current one.
    pub base_dir: Option<&'a Path>,
}

/// A request ready to send, with the secrets it carries.
struct Prepared<'a> {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<PreparedBody>,
    secrets: Vec<&'a Variable>,
}

/// A rendered body. A multipart body is kept as its parts, so that a redirect that
/// keeps the body (307, 308) can build the form again.
enum PreparedBody {
    Bytes(Vec<u8>),
    Multipart(Vec<(String, PreparedPart)>),
}

enum PreparedPart {
    Text(String),
    File { file_name: String, bytes: Vec<u8> },
}

impl PreparedBody {
    /// Every byte run that will leave with the body: each part's name, text and file.
    fn runs(&self) -> Vec<&[u8]> {
        match self {
            PreparedBody::Bytes(bytes) => vec![bytes.as_slice()],
            PreparedBody::Multipart(parts) => parts
                .iter()
                .flat_map(|(name, part)| {
                    let content = match part {
                        PreparedPart::Text(text) => text.as_bytes(),
                        PreparedPart::File { bytes, .. } => bytes.as_slice(),
                    };
                    let file_name = match part {
                        PreparedPart::File { file_name, .. } => file_name.as_bytes(),
                        PreparedPart::Text(_) => &[],
                    };
                    [name.as_bytes(), content, file_name]
                })
                .collect(),
        }
    }

    fn attach(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
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

struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    url: Url,
}

impl RequestRun<'_> {
    /// Runs the block to completion. Cancellation is by dropping the future.
    pub async fn execute(self) -> Fired {
        let started = Instant::now();
        let mut url_text = String::new();
        let result = match self.prepare(&mut url_text) {
            Ok(prepared) => {
                url_text = prepared.url.to_string();
                let timeout = Duration::from_millis(self.request.timeout_ms);
                match tokio::time::timeout(timeout, self.exchange(prepared)).await {
                    Ok(result) => result,
                    Err(_) => Err(RequestError::new(
                        ErrorKind::Timeout,
                        format!("no complete response within {} ms (timeout_ms)", self.request.timeout_ms),
                    )),
                }
            }
            Err(error) => Err(error),
        };
        let duration_ms = elapsed_ms(started);
        match result {
            Ok(response) => self.fire_response(response, duration_ms),
            Err(error) => Fired {
                port: Port::Failure,
                value: ResponseValue {
                    status: None,
                    headers: Map::new(),
                    body: Value::Null,
                    duration_ms,
                    url: url_text,
                    error: Some(ErrorValue { kind: error.kind, message: error.message, checks: Vec::new() }),
                }
                .to_value(),
                summary: error.summary,
                responded: false,
            },
        }
    }

    fn fire_response(&self, response: Response, duration_ms: u64) -> Fired {
        let status = response.status.as_u16();
        let success = self.request.is_success(status);
        let value = ResponseValue {
            status: Some(status),
            headers: headers_value(&response.headers),
            body: body_value(&response.headers, &response.body),
            duration_ms,
            url: response.url.to_string(),
            error: None,
        }
        .to_value();
        Fired {
            port: if success { Port::Success } else { Port::Failure },
            value,
            summary: format!("{status} · {duration_ms} ms"),
            responded: true,
        }
    }

    /// Renders one templated field, remembering which secrets it used.
    fn render<'v>(&'v self, field: &str, text: &str, secrets: &mut Vec<&'v Variable>) -> Result<String, RequestError> {
        let mut refused: Option<(&str, &'static str)> = None;
        let rendered = template::render(text, |name| {
            if let Some(path) = template::input_path(name) {
                return template::lookup_path(self.input, path).map(template::value_to_text);
            }
            if template::is_dynamic_name(name) {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                let millis = u64::try_from(now.as_millis()).unwrap_or(u64::MAX);
                return template::dynamic_value(name, millis, &mut || fastrand::u64(..));
            }
            let variable = self.variables.get(name)?;
            if variable.value.is_secret() {
                if let Some(problem) = secret_shape_problem(variable.value.expose()) {
                    refused.get_or_insert((variable.name.as_str(), problem));
                }
                if !secrets.iter().any(|s| s.name == variable.name) {
                    secrets.push(variable);
                }
            }
            Some(variable.value.expose().to_owned())
        });
        if let Some((name, problem)) = refused {
            // The value is never part of the message: only its name and what is wrong.
            return Err(RequestError {
                kind: ErrorKind::InvalidRequest,
                message: format!(
                    "block `{}`: {field} uses secret `{{{{{name}}}}}`, which {problem}; nothing was sent. \
                     Store the value without it (a token file read with a trailing newline is the usual cause)",
                    self.block
                ),
                summary: format!("secret {{{{{name}}}}} {problem}"),
            });
        }
        rendered.map_err(|Unresolved { name }| {
            let hint = if template::input_path(&name).is_some() {
                "the value that reached this block has no such field".to_owned()
            } else {
                format!("define it with --var {name}=… or --secret {name}=…, or as a global variable")
            };
            RequestError {
                kind: ErrorKind::UnresolvedVariable,
                message: format!("block `{}`: {field} uses `{{{{{name}}}}}`, which is not defined: {hint}", self.block),
                summary: format!("unresolved {{{{{name}}}}}"),
            }
        })
    }

    fn render_pairs<'v>(
        &'v self,
        field: &str,
        pairs: &[(String, String)],
        secrets: &mut Vec<&'v Variable>,
    ) -> Result<Vec<(String, String)>, RequestError> {
        pairs
            .iter()
            .enumerate()
            .map(|(index, (name, value))| {
                let place = format!("{field}[{index}]");
                Ok((self.render(&place, name, secrets)?, self.render(&place, value, secrets)?))
            })
            .collect()
    }

    fn render_json<'v>(
        &'v self,
        value: &Value,
        place: &str,
        secrets: &mut Vec<&'v Variable>,
    ) -> Result<Value, RequestError> {
        Ok(match value {
            Value::String(text) => Value::String(self.render(place, text, secrets)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.render_json(item, &format!("{place}[{i}]"), secrets))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, item) in map {
                    out.insert(key.clone(), self.render_json(item, &format!("{place}.{key}"), secrets)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// Resolves every template and builds the request; checks where secrets may go.
    fn prepare(&self, url_text: &mut String) -> Result<Prepared<'_>, RequestError> {
        let request = self.request;
        let mut secrets = Vec::new();
        let rendered_url = self.render("url", &request.url, &mut secrets)?;
        *url_text = rendered_url.clone();
        let mut url = Url::parse(rendered_url.trim()).map_err(|error| {
            RequestError::new(
                ErrorKind::InvalidUrl,
                format!("block `{}`: url `{rendered_url}` is not a valid URL: {error}", self.block),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(RequestError::new(
                ErrorKind::InvalidUrl,
                format!("block `{}`: url `{rendered_url}` is not an http:// or https:// URL with a host", self.block),
            ));
        }
        let query = self.render_pairs("query", &request.query, &mut secrets)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let method = Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            RequestError::new(
                ErrorKind::InvalidRequest,
                format!("block `{}`: invalid method `{}`", self.block, request.method),
            )
        })?;

        let mut headers = HeaderMap::new();
        for (index, (name, value)) in
            self.render_pairs("headers", &request.headers, &mut secrets)?.into_iter().enumerate()
        {
            self.insert_header(&mut headers, &format!("headers[{index}]"), &name, &value)?;
        }
        match &request.auth {
            None => {}
            Some(Auth::Bearer { token }) => {
                let token = self.render("auth.token", token, &mut secrets)?;
                self.insert_header(&mut headers, "auth.token", "Authorization", &format!("Bearer {token}"))?;
            }
            Some(Auth::ApiKey { name, value, location }) => {
                let name = self.render("auth.name", name, &mut secrets)?;
                let value = self.render("auth.value", value, &mut secrets)?;
                match location {
                    ApiKeyLocation::Header => self.insert_header(&mut headers, "auth.value", &name, &value)?,
                    ApiKeyLocation::Query => {
                        url.query_pairs_mut().append_pair(&name, &value);
                    }
                }
            }
            Some(Auth::Basic { username, password }) => {
                let mut auth_secrets = Vec::new();
                let username = self.render("auth.username", username, &mut auth_secrets)?;
                let password = self.render("auth.password", password, &mut auth_secrets)?;
                let credential = STANDARD.encode(format!("{username}:{password}"));
                // The base64 of `user:secret` is masked whole, as a form of each secret in it.
                for secret in &auth_secrets {
                    self.emitter.mask_literal_for(&secret.name, credential.clone());
                }
                for secret in auth_secrets {
                    if !secrets.iter().any(|s| s.name == secret.name) {
                        secrets.push(secret);
                    }
                }
                self.insert_header(&mut headers, "auth", "Authorization", &format!("Basic {credential}"))?;
            }
        }
        self.userinfo_to_basic(&mut url, &mut headers, &mut secrets)?;
        let body = match &request.body {
            None => None,
            Some(Body::Json(value)) => {
                let rendered = self.render_json(value, "body.json", &mut secrets)?;
                default_content_type(&mut headers, "application/json");
                Some(PreparedBody::Bytes(serde_json::to_vec(&rendered).unwrap_or_default()))
            }
            Some(Body::Text { text, content_type }) => {
                let text = self.render("body.text", text, &mut secrets)?;
                match content_type {
                    Some(content_type) => {
                        let content_type = self.render("body.content_type", content_type, &mut secrets)?;
                        self.insert_header(&mut headers, "body.content_type", "Content-Type", &content_type)?;
                    }
                    None => default_content_type(&mut headers, "text/plain; charset=utf-8"),
                }
                Some(PreparedBody::Bytes(text.into_bytes()))
            }
            Some(Body::Form(pairs)) => {
                let pairs = self.render_pairs("body.form", pairs, &mut secrets)?;
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
                default_content_type(&mut headers, "application/x-www-form-urlencoded");
                Some(PreparedBody::Bytes(encoded.into_bytes()))
            }
            Some(Body::Multipart(parts)) => {
                // reqwest sets the multipart type with its boundary; a second one would clash.
                headers.remove(CONTENT_TYPE);
                Some(self.multipart(parts, &mut secrets)?)
            }
        };
        self.carried_secrets(&mut secrets, &url, &headers, body.as_ref());
        self.check_hosts(&secrets, &url)?;
        Ok(Prepared { method, url, headers, body, secrets })
    }

    /// Adds to `secrets` every secret any form of which is in what is about to be sent
    /// (URL, header names and values, body), wherever it came from: a template, or a
    /// value an earlier response echoed (`{{input.…}}`).
    fn carried_secrets<'v>(
        &'v self,
        secrets: &mut Vec<&'v Variable>,
        url: &Url,
        headers: &HeaderMap,
        body: Option<&PreparedBody>,
    ) {
        if !self.emitter.has_secrets() {
            return;
        }
        let mut names = self.emitter.secrets_in(url.as_str().as_bytes());
        for (name, value) in headers {
            names.extend(self.emitter.secrets_in(name.as_str().as_bytes()));
            names.extend(self.emitter.secrets_in(value.as_bytes()));
        }
        for run in body.map(PreparedBody::runs).unwrap_or_default() {
            names.extend(self.emitter.secrets_in(run));
        }
        for name in names {
            if let Some(variable) = self.variables.get(&name)
                && !secrets.iter().any(|s| s.name == variable.name)
            {
                secrets.push(variable);
            }
        }
    }

    /// Turns a URL's userinfo (`http://user:pass@host/`) into the Basic header the HTTP
    /// client would build from it, so that it is masked (its base64 too) and bound to
    /// hosts exactly like `auth.type: basic`. An `Authorization` already set wins.
    fn userinfo_to_basic<'v>(
        &'v self,
        url: &mut Url,
        headers: &mut HeaderMap,
        secrets: &mut Vec<&'v Variable>,
    ) -> Result<(), RequestError> {
        if url.username().is_empty() && url.password().is_none() {
            return Ok(());
        }
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8().map(|t| t.into_owned());
        let (Ok(username), Ok(password)) = (decode(url.username()), decode(url.password().unwrap_or_default())) else {
            return Err(RequestError::new(
                ErrorKind::InvalidUrl,
                format!("block `{}`: the user name or password in the url is not valid UTF-8 once decoded", self.block),
            ));
        };
        // Neither call fails on an http(s) URL with a host, which `prepare` checked.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let credential = STANDARD.encode(format!("{username}:{password}"));
        let owners: Vec<String> =
            self.emitter.secrets_in(format!("{username}:{password}").as_bytes()).into_iter().collect();
        for name in &owners {
            self.emitter.mask_literal_for(name, credential.clone());
            if let Some(variable) = self.variables.get(name)
                && !secrets.iter().any(|s| s.name == variable.name)
            {
                secrets.push(variable);
            }
        }
        if !headers.contains_key(AUTHORIZATION) {
            self.insert_header(headers, "url", "Authorization", &format!("Basic {credential}"))?;
        }
        Ok(())
    }

    /// Renders a multipart body's names and text values and reads its files, which are
    /// relative to the flow file's folder.
    fn multipart<'v>(
        &'v self,
        parts: &[(String, Part)],
        secrets: &mut Vec<&'v Variable>,
    ) -> Result<PreparedBody, RequestError> {
        let mut prepared = Vec::with_capacity(parts.len());
        for (index, (name, part)) in parts.iter().enumerate() {
            let place = format!("body.multipart[{index}]");
            let name = self.render(&place, name, secrets)?;
            let part = match part {
                Part::Text(text) => PreparedPart::Text(self.render(&place, text, secrets)?),
                Part::File(file) => {
                    let path = match self.base_dir {
                        Some(dir) => dir.join(file),
                        None => Path::new(file).to_owned(),
                    };
                    let bytes = std::fs::read(&path).map_err(|error| {
                        RequestError::new(
                            ErrorKind::InvalidRequest,
                            format!("block `{}`: {place}: cannot read file `{}`: {error}", self.block, path.display()),
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
            RequestError::new(
                ErrorKind::InvalidRequest,
                format!("block `{}`: {field}: `{name}` is not a valid header name", self.block),
            )
        })?;
        let mut header_value = HeaderValue::from_str(value).map_err(|_| {
            RequestError::new(
                ErrorKind::InvalidRequest,
                format!("block `{}`: {field}: the value of header `{name}` has characters not allowed in a header (such as a line break)", self.block),
            )
        })?;
        header_value.set_sensitive(true);
        headers.append(header_name, header_value);
        Ok(())
    }

    /// Refuses to send a secret to a host outside its `allowed_hosts`.
    fn check_hosts(&self, secrets: &[&Variable], url: &Url) -> Result<(), RequestError> {
        let host = url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        for secret in secrets {
            if !secret.host_allowed(host) {
                return Err(RequestError::new(
                    ErrorKind::HostNotAllowed,
                    format!(
                        "block `{}`: this request carries secret `{{{{{}}}}}` (in a template or in a value echoed by a server), which may only be sent to {}, not to {host}; nothing was sent",
                        self.block,
                        secret.name,
                        secret.allowed_hosts.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Sends the request and follows redirects by hand, so that a request carrying a
    /// secret never goes to another origin.
    async fn exchange(&self, prepared: Prepared<'_>) -> Result<Response, RequestError> {
        let Prepared { mut method, mut url, mut headers, mut body, mut secrets } = prepared;
        let mut hops = 0;
        loop {
            self.emitter.send(Event::RequestSent {
                block: self.block.to_owned(),
                method: method.to_string(),
                url: url.to_string(),
                headers: headers_list(&headers),
            });
            let sent_at = Instant::now();
            let mut builder = self.client.request(method.clone(), url.clone()).headers(headers.clone());
            if let Some(body) = &body {
                builder = body.attach(builder);
            }
            let response = builder.send().await.map_err(|error| classify(self.block, &url, &error))?;
            let status = response.status();
            let location = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned);
            let next = match location {
                Some(location)
                    if status.is_redirection()
                        && self.request.follow_redirects
                        && status != StatusCode::NOT_MODIFIED =>
                {
                    Some(url.join(&location).map_err(|error| {
                        RequestError::new(
                            ErrorKind::InvalidUrl,
                            format!(
                                "block `{}`: the server redirected to `{location}`, which is not a valid URL: {error}",
                                self.block
                            ),
                        )
                    })?)
                }
                _ => None,
            };
            let Some(next) = next else {
                let response_headers = response.headers().clone();
                let body = self.read_body(response).await?;
                self.emitter.send(Event::ResponseReceived {
                    block: self.block.to_owned(),
                    status: status.as_u16(),
                    duration_ms: elapsed_ms(sent_at),
                    bytes: body.len() as u64,
                });
                return Ok(Response { status, headers: response_headers, body, url });
            };
            hops += 1;
            if hops > self.max_redirects {
                return Err(RequestError::new(
                    ErrorKind::TooManyRedirects,
                    format!("block `{}`: more than {} redirects; last to {next}", self.block, self.max_redirects),
                ));
            }
            // A Location can carry a secret too (a server echoing it into the URL).
            self.carried_secrets(&mut secrets, &next, &HeaderMap::new(), None);
            if next.origin() != url.origin() {
                if let Some(secret) = secrets.first() {
                    return Err(RequestError::new(
                        ErrorKind::RedirectBlocked,
                        format!(
                            "block `{}`: the server redirected to another origin ({}), and this request carries secret `{{{{{}}}}}`; the redirect was not followed and nothing was sent there",
                            self.block,
                            next.origin().ascii_serialization(),
                            secret.name
                        ),
                    ));
                }
                headers.remove(AUTHORIZATION);
                headers.remove(COOKIE);
            }
            if matches!(next.scheme(), "http" | "https") {
                self.check_hosts(&secrets, &next)?;
            } else {
                return Err(RequestError::new(
                    ErrorKind::InvalidUrl,
                    format!("block `{}`: the server redirected to `{next}`, which is not http(s)", self.block),
                ));
            }
            let keeps_body = matches!(status, StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT);
            if !keeps_body && (status == StatusCode::SEE_OTHER || method == Method::POST) {
                if method != Method::HEAD {
                    method = Method::GET;
                }
                body = None;
                headers.remove(CONTENT_TYPE);
            }
            url = next;
        }
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, RequestError> {
        let limit = self.max_body_bytes;
        let too_large = |size: String| {
            RequestError::new(
                ErrorKind::BodyTooLarge,
                format!(
                    "block `{}`: the response body {size}, over the {} limit; reading stopped",
                    self.block,
                    readable_size(limit)
                ),
            )
        };
        if let Some(length) = response.content_length().filter(|&length| length > limit) {
            return Err(too_large(format!("is {} (its Content-Length)", readable_size(length))));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| classify(self.block, response.url(), &error))? {
            let seen = (body.len() + chunk.len()) as u64;
            if seen > limit {
                return Err(too_large(format!("reached {} before its end", readable_size(seen))));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// `10 MiB`, `1.5 KiB (1,536 bytes)`, `999 bytes`: binary units, exact bytes when rounded.
fn readable_size(bytes: u64) -> String {
    let exact = {
        let digits = bytes.to_string();
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        grouped
    };
    for (unit, name) in [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if bytes >= unit {
            if bytes.is_multiple_of(unit) {
                return format!("{} {name}", bytes / unit);
            }
            #[allow(clippy::cast_precision_loss)] // for display, to one decimal
            let value = bytes as f64 / unit as f64;
            return format!("{value:.1} {name} ({exact} bytes)");
        }
    }
    format!("{exact} bytes")
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

fn default_content_type(headers: &mut HeaderMap, content_type: &'static str) {
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn headers_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect()
}

/// Response headers as an object; repeated headers are joined with `, `.
fn headers_value(headers: &HeaderMap) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match map.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                map.insert(name.to_string(), Value::String(value));
            }
        }
    }
    map
}

/// The body as parsed JSON when the response says it is JSON and it parses, else text.
fn body_value(headers: &HeaderMap, body: &[u8]) -> Value {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if (essence == "application/json" || essence.ends_with("+json"))
        && let Ok(value) = serde_json::from_slice::<Value>(body)
    {
        return value;
    }
    Value::String(String::from_utf8_lossy(body).into_owned())
}

/// Sorts a reqwest error into an [`ErrorKind`] with a readable message.
fn classify(block: &str, url: &Url, error: &reqwest::Error) -> RequestError {
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let root = causes.last().cloned().unwrap_or_else(|| error.to_string());
    let all = causes.join(": ").to_ascii_lowercase();
    let target = format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or_default());
    let (kind, what) = if all.contains("dns error") || all.contains("failed to lookup address") {
        (ErrorKind::Dns, format!("cannot resolve host `{}`", url.host_str().unwrap_or_default()))
    } else if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        (ErrorKind::Tls, format!("TLS with {target} failed"))
    } else if error.is_connect() {
        (ErrorKind::Connect, format!("cannot connect to {target}"))
    } else if error.is_builder() {
        (ErrorKind::InvalidRequest, "the request could not be built".to_owned())
    } else {
        (ErrorKind::Network, format!("the exchange with {target} broke off"))
    };
    RequestError::new(kind, format!("block `{block}`: {what}: {root}"))
}
