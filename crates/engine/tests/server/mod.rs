//! A real HTTP server on 127.0.0.1 for engine tests: it records every request it
//! receives and offers the behaviours the tests need (echo, status, slow, big, redirect).

#![allow(dead_code)] // each test binary uses a different part of the server

pub mod encode;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use tokio::sync::{Barrier, Notify};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    barrier: Arc<Barrier>,
    /// Notified when a request to /slow arrives, and when its handler is dropped.
    slow_arrived: Arc<Notify>,
    slow_dropped: Arc<Notify>,
}

pub struct TestServer {
    pub addr: SocketAddr,
    shared: Shared,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with_barrier(3).await
    }

    /// A server whose `/barrier` answers only once `parties` requests are waiting there.
    pub async fn start_with_barrier(parties: usize) -> Self {
        Self::start_on("127.0.0.1", parties).await
    }

    /// A server on another loopback address (`127.0.0.2`): another host, as far as
    /// `allowed_hosts` is concerned.
    pub async fn start_at(ip: &str) -> Self {
        Self::start_on(ip, 3).await
    }

    async fn start_on(ip: &str, parties: usize) -> Self {
        let shared = Shared {
            seen: Arc::default(),
            barrier: Arc::new(Barrier::new(parties)),
            slow_arrived: Arc::default(),
            slow_dropped: Arc::default(),
        };
        let app = Router::new()
            .route("/echo", any(echo))
            .route("/status/{code}", any(status))
            .route("/slow", any(slow))
            .route("/big/{bytes}", any(big))
            .route("/big-chunked/{bytes}", any(big_chunked))
            .route("/redirect", any(redirect))
            .route("/barrier", any(barrier))
            .route("/token", any(token))
            .route("/items/{id}", any(echo))
            .route("/text", any(text))
            .route("/v1/models", any(models))
            .route("/reflect", any(reflect))
            .route("/denied", any(denied))
            .route("/login", any(login))
            .fallback(echo)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn slow_arrived(&self) -> Arc<Notify> {
        Arc::clone(&self.shared.slow_arrived)
    }

    pub fn slow_dropped(&self) -> Arc<Notify> {
        Arc::clone(&self.shared.slow_dropped)
    }
}

fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Seen {
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    shared.seen.lock().unwrap().push(seen.clone());
    seen
}

/// Echoes the whole request back as JSON, and the Authorization header in a header.
async fn echo(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let seen = record(&shared, &method, &uri, &headers, &body);
    let auth = seen.headers.get("authorization").cloned().unwrap_or_default();
    let value = json!({
        "method": seen.method, "path": seen.path, "query": seen.query,
        "headers": seen.headers, "body": seen.body,
    });
    ([("x-echo-authorization", auth)], axum::Json(value)).into_response()
}

async fn status(
    State(shared): State<Shared>,
    Path(code): Path<u16>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    (StatusCode::from_u16(code).unwrap(), axum::Json(json!({"code": code}))).into_response()
}

struct DropSignal(Arc<Notify>);
impl Drop for DropSignal {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

/// Never answers; tells the test when the request arrived and when the client gave up.
async fn slow(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    let _guard = DropSignal(Arc::clone(&shared.slow_dropped));
    shared.slow_arrived.notify_one();
    std::future::pending::<()>().await;
    StatusCode::OK.into_response()
}

async fn big(Path(bytes): Path<usize>) -> Response {
    vec![b'x'; bytes].into_response()
}

/// A body of `bytes` bytes with no Content-Length: the limit must hold while streaming.
async fn big_chunked(Path(bytes): Path<usize>) -> Response {
    let chunks = (0..bytes.div_ceil(65_536)).map(move |i| {
        let len = 65_536.min(bytes - i * 65_536);
        Ok::<_, std::io::Error>(Bytes::from(vec![b'y'; len]))
    });
    Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
}

async fn redirect(
    State(shared): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    let to = query.get("to").cloned().unwrap_or_default();
    let code = query.get("code").and_then(|c| c.parse().ok()).unwrap_or(302);
    (StatusCode::from_u16(code).unwrap(), [(header::LOCATION, to)]).into_response()
}

/// Answers only when all parties have arrived: proves requests are in flight together.
async fn barrier(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    shared.barrier.wait().await;
    axum::Json(json!({"together": true})).into_response()
}

async fn token(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    axum::Json(json!({"access_token": "tok-123", "items": [{"id": 7}, {"id": 8}]})).into_response()
}

/// Like OpenAI's `GET /v1/models`.
async fn models(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    axum::Json(json!({"object": "list", "data": [{"id": "gpt-test-1", "object": "model"}, {"id": "gpt-test-2", "object": "model"}]}))
        .into_response()
}

/// Answers `{"authenticated": true, "token": …}` with a part of the request in an
/// encoding (`?from=token&enc=pct-mixed`, see `encode::reflect`), as auth-echo
/// endpoints do.
async fn reflect(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let seen = record(&shared, &method, &uri, &headers, &body);
    let (from, enc) = encode::reflect_params(&seen.query);
    let auth = seen.headers.get("authorization").cloned().unwrap_or_default();
    let token = encode::reflect(&from, &enc, &auth, &seen.query, &seen.body);
    axum::Json(json!({"authenticated": true, "token": token})).into_response()
}

/// The token `/login` hands out: the run knows it only once a flow captures it.
pub const LOGIN_TOKEN: &str = "lgn-Captured-Tk-5e8a1";

/// A login: answers `{"access_token": LOGIN_TOKEN, "user": {"id": 42}}` and, as some
/// servers do, the token again in a header and a cookie.
async fn login(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, &method, &uri, &headers, &body);
    (
        [("x-session", LOGIN_TOKEN.to_owned()), ("set-cookie", format!("session={LOGIN_TOKEN}; HttpOnly"))],
        axum::Json(json!({"access_token": LOGIN_TOKEN, "token_type": "bearer", "user": {"id": 42}})),
    )
        .into_response()
}

/// A 401 page that quotes the credential it was given (the part of the Authorization
/// header after its scheme) in encoding `?enc=` (see `encode::encode`), in an HTML
/// body and in the `WWW-Authenticate` header, as a login page reflecting its input does.
async fn denied(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let seen = record(&shared, &method, &uri, &headers, &body);
    let (_, enc) = encode::reflect_params(&seen.query);
    let auth = seen.headers.get("authorization").cloned().unwrap_or_default();
    let token = encode::encode(&enc, auth.split_once(' ').map_or("", |(_, token)| token));
    let page = format!("<html><body><p>The token <code>{token}</code> is not valid.</p></body></html>");
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{token}\"");
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()), (header::WWW_AUTHENTICATE, challenge)],
        page,
    )
        .into_response()
}

async fn text() -> Response {
    "plain words".into_response()
}

/// The JSON value of an axum response, for assertions.
#[allow(dead_code)]
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}
