//! One Send Request block run: resolve templates, check secret custody, send,
//! follow redirects, read the body within the size limit, classify errors, and mask
//! what came back before anything else sees it (the ingress rule, SECURITY.md).

use std::error::Error as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use switchyard_flow::{Port, SendRequest};
use switchyard_vault::Variables;
use url::Url;

use crate::emitter::Emitter;
use crate::event::Event;
use crate::prepare::{self, Inputs, Prepared, RequestError};
use crate::step::Fired;
use crate::value::{ErrorKind, ErrorValue, ResponseValue};

/// Everything one Send Request run needs.
pub(crate) struct RequestRun<'a> {
    pub client: &'a reqwest::Client,
    pub block: &'a str,
    pub request: &'a SendRequest,
    pub variables: &'a Variables,
    pub input: &'a Value,
    pub emitter: &'a Emitter,
    pub max_body_bytes: u64,
    /// The most bytes the rendered request may take.
    pub max_request_bytes: u64,
    pub max_redirects: usize,
    /// Where relative file paths start (the flow file's folder); `None`: the current one.
    pub base_dir: Option<&'a Path>,
}

struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    url: Url,
    /// From sending the last hop to the end of its body.
    exchange_ms: u64,
}

/// What one Send Request run came to, before its captures and checks.
pub(crate) struct Exchanged {
    /// The port and value to fire. The value is masked at ingress: every form of every
    /// secret the run knows is already replaced by the mask.
    pub fired: Fired,
    /// The `ResponseReceived` event when a response came: sent by the caller once the
    /// response's secret captures are in the mask (`blocks/send_request.rs`).
    pub received: Option<Event>,
}

impl<'a> RequestRun<'a> {
    /// Runs the block to completion, and masks what came in. Cancellation is by
    /// dropping the future.
    pub async fn execute(self) -> Exchanged {
        let mut exchanged = self.exchange_all().await;
        // Ingress: what came from outside (status, headers, body, the final URL, an
        // error that quotes a server's Location) is masked before any block,
        // expression or event sees it. Only the request that was sent held a secret.
        // The value is this run's alone yet: masked in place, not copied.
        self.emitter.redactor().redact_value(Arc::make_mut(&mut exchanged.fired.value));
        exchanged
    }

    async fn exchange_all(&self) -> Exchanged {
        let started = Instant::now();
        let mut url_text = String::new();
        let result = match self.prepare(&mut url_text) {
            Ok(prepared) => {
                url_text = prepared.url.to_string();
                let timeout = Duration::from_millis(self.request.timeout_ms);
                match tokio::time::timeout(timeout, self.exchange(prepared)).await {
                    Ok(result) => result,
                    Err(_) => Err(RequestError::new(
                        self.block,
                        Some("timeout_ms"),
                        ErrorKind::Timeout,
                        format!("no complete response within {} ms", self.request.timeout_ms),
                    )),
                }
            }
            Err(error) => Err(error),
        };
        let duration_ms = elapsed_ms(started);
        match result {
            Ok(response) => {
                let received = Event::ResponseReceived {
                    block: self.block.to_owned(),
                    status: response.status.as_u16(),
                    duration_ms: response.exchange_ms,
                    bytes: response.body.len() as u64,
                };
                Exchanged { fired: self.fire_response(response, duration_ms), received: Some(received) }
            }
            Err(error) => Exchanged {
                fired: Fired {
                    port: Port::Failure,
                    value: Arc::new(
                        ResponseValue {
                            status: None,
                            headers: Map::new(),
                            body: Value::Null,
                            duration_ms,
                            url: url_text,
                            error: Some(ErrorValue { kind: error.kind, message: error.message(), checks: Vec::new() }),
                        }
                        .into_value(),
                    ),
                    summary: error.summary,
                    responded: false,
                },
                received: None,
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
        .into_value();
        Fired {
            port: if success { Port::Success } else { Port::Failure },
            value: Arc::new(value),
            summary: format!("{status} · {duration_ms} ms"),
            responded: true,
        }
    }

    /// Prepares the request ([`prepare::prepare`]) with the run's masks as they are
    /// now, then adds the derived credentials it made to them.
    fn prepare(&self, url_text: &mut String) -> Result<Prepared<'a>, RequestError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let prepared = {
            let redactor = self.emitter.redactor();
            let inputs = Inputs {
                block: self.block,
                request: self.request,
                variables: self.variables,
                input: self.input,
                redactor: &redactor,
                base_dir: self.base_dir,
                now_ms: u64::try_from(now.as_millis()).unwrap_or(u64::MAX),
                random: || fastrand::u64(..),
                max_request_bytes: self.max_request_bytes,
            };
            prepare::prepare(&inputs, url_text)?
        };
        for (name, credential) in &prepared.masks {
            self.emitter.mask_literal_for(name, credential.clone());
        }
        Ok(prepared)
    }

    /// Sends the request and follows redirects by hand, so that a request carrying a
    /// secret never goes to another origin.
    async fn exchange(&self, prepared: Prepared<'_>) -> Result<Response, RequestError> {
        let Prepared { mut method, mut url, mut headers, mut body, mut secrets, .. } = prepared;
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
                            self.block,
                            None,
                            ErrorKind::InvalidUrl,
                            format!("the server redirected to `{location}`, which is not a valid URL: {error}"),
                        )
                    })?)
                }
                _ => None,
            };
            let Some(next) = next else {
                let mut response = response;
                let response_headers = std::mem::take(response.headers_mut());
                let body = self.read_body(response).await?;
                let exchange_ms = elapsed_ms(sent_at);
                return Ok(Response { status, headers: response_headers, body, url, exchange_ms });
            };
            hops += 1;
            if hops > self.max_redirects {
                return Err(RequestError::new(
                    self.block,
                    None,
                    ErrorKind::TooManyRedirects,
                    format!("more than {} redirects; last to {next}", self.max_redirects),
                ));
            }
            // A Location can carry a secret too (a server echoing it into the URL).
            prepare::carried_secrets(
                &self.emitter.redactor(),
                self.variables,
                &mut secrets,
                &next,
                &HeaderMap::new(),
                None,
            );
            if next.origin() != url.origin() {
                if let Some(secret) = secrets.first() {
                    return Err(RequestError::new(
                        self.block,
                        None,
                        ErrorKind::RedirectBlocked,
                        format!(
                            "the server redirected to another origin ({}), and this request carries secret `{{{{{}}}}}`; the redirect was not followed and nothing was sent there",
                            next.origin().ascii_serialization(),
                            secret.name
                        ),
                    ));
                }
                headers.remove(AUTHORIZATION);
                headers.remove(COOKIE);
            }
            if matches!(next.scheme(), "http" | "https") {
                prepare::check_hosts(self.block, &secrets, &next)?;
            } else {
                return Err(RequestError::new(
                    self.block,
                    None,
                    ErrorKind::InvalidUrl,
                    format!("the server redirected to `{next}`, which is not http(s)"),
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
                self.block,
                None,
                ErrorKind::BodyTooLarge,
                format!("the response body {size}, over the {} limit; reading stopped", readable_size(limit)),
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

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn headers_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect()
}

/// Response headers as an object; repeated headers are joined with `, `.
fn headers_value(headers: &HeaderMap) -> Map<String, Value> {
    let mut map = Map::with_capacity(headers.keys_len());
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        // One lookup per header: a repeated one is appended to the first.
        match map.entry(name.as_str()) {
            serde_json::map::Entry::Occupied(mut entry) => {
                if let Value::String(existing) = entry.get_mut() {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
            }
            serde_json::map::Entry::Vacant(entry) => {
                entry.insert(Value::String(value.into_owned()));
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
    RequestError::new(block, None, kind, format!("{what}: {root}"))
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderValue, SET_COOKIE};
    use serde_json::json;

    use super::*;

    #[test]
    fn repeated_response_headers_are_joined_in_one_entry() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.append(SET_COOKIE, HeaderValue::from_static("a=1"));
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2"));
        headers.insert("x-bytes", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let value = Value::Object(headers_value(&headers));
        assert_eq!(
            value,
            json!({"content-type": "application/json", "set-cookie": "a=1, b=2", "x-bytes": "caf\u{fffd}"})
        );
    }
}
