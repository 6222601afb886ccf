//! Shared helpers for the end-to-end tests: a real HTTP server on `127.0.0.1:0`, flow
//! files in a temporary directory, and running the built `switchyard` binary.
//!
//! Each test binary uses some of these, so unused ones are allowed.
#![allow(dead_code)]
// Test helpers: a failed setup step should panic, failing the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The encodings a server may echo a secret back in (shared with the engine's tests).
#[path = "../../../engine/tests/server/encode.rs"]
pub mod encode;

/// How long a child may run before the watchdog kills it. A safety net against a
/// hung test, never a timing assumption: every test finishes long before it.
const WATCHDOG: Duration = Duration::from_secs(120);

/// One request as the test server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// The raw query string (still percent-encoded), empty when there is none.
    pub query: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The request body, as lossy UTF-8 text.
    pub body: String,
}

impl Received {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    stuck: mpsc::Sender<()>,
    together: Arc<tokio::sync::Barrier>,
}

/// The token `/login` answers with: a run knows it only once a flow captures it.
pub const LOGIN_TOKEN: &str = "e2e-Login-Captured-4b9d";

/// A local HTTP server, one per test, on its own thread and runtime.
///
/// Routes: `/json` answers `{"hello": "world", "items": [1, 2, 3]}`; `/status/CODE`
/// answers with that status; `/echo` answers 200 with the request's method, path,
/// query and headers as JSON, and its `Authorization` header echoed in the
/// `x-echo-authorization` response header; `/stuck` never answers (and reports that
/// it got the request, see [`TestServer::wait_until_stuck`]); `/together` answers 200
/// once two requests are waiting there at the same time; `/reflect?from=…&enc=…`
/// answers `{"authenticated": true, "token": …}` with a part of the request in an
/// encoding (see [`encode::reflect`]); `/login` answers `{"access_token":
/// LOGIN_TOKEN, "token_type": "bearer", "user": {"id": 7}}`; any path under `/api/` answers 200
/// `{"ok": true, "path": …}`. Every request is recorded, body included.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
    stuck: mpsc::Receiver<()>,
    /// Stops it when dropped.
    _server: RouterServer,
}

/// A local server with the routes of `app` on `127.0.0.1:0`, on a thread of its own
/// (so a test's child process and the server never share a runtime), for as long as it
/// lives: dropping it stops the server and joins the thread.
pub struct RouterServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RouterServer {
    /// Starts serving `app`.
    pub fn start(app: Router) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    served = axum::serve(listener, app) => served.unwrap(),
                    _ = shutdown_rx => {}
                }
            });
        });
        Self { base, shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for RouterServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl TestServer {
    /// Starts the server.
    pub fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let (stuck_tx, stuck) = mpsc::channel();
        let state = Shared {
            received: Arc::clone(&received),
            stuck: stuck_tx,
            together: Arc::new(tokio::sync::Barrier::new(2)),
        };
        let server = RouterServer::start(Router::new().fallback(handle).with_state(state));
        Self { base: server.base.clone(), received, stuck, _server: server }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Blocks until a request has reached `/stuck`.
    pub fn wait_until_stuck(&self) {
        self.stuck.recv_timeout(WATCHDOG).expect("no request reached /stuck");
    }
}

async fn handle(State(state): State<Shared>, request: Request) -> Response {
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let body = axum::body::to_bytes(request.into_body(), 16 * 1024 * 1024).await.unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let received = Received { method, path, query, headers, body };
    state.received.lock().unwrap().push(received.clone());

    let path = received.path.as_str();
    if path == "/reflect" {
        let (from, enc) = encode::reflect_params(&received.query);
        let authorization = received.header("authorization").unwrap_or_default();
        let token = encode::reflect(&from, &enc, authorization, &received.query, &received.body);
        return axum::Json(json!({"authenticated": true, "token": token})).into_response();
    }
    if path == "/login" {
        return axum::Json(json!({"access_token": LOGIN_TOKEN, "token_type": "bearer", "user": {"id": 7}}))
            .into_response();
    }
    if path == "/json" {
        return axum::Json(json!({"hello": "world", "items": [1, 2, 3]})).into_response();
    }
    if path == "/echo" {
        let headers: serde_json::Map<String, Value> =
            received.headers.iter().map(|(n, v)| (n.clone(), Value::String(v.clone()))).collect();
        let mut response = axum::Json(json!({
            "method": received.method,
            "path": received.path,
            "query": received.query,
            "headers": headers,
        }))
        .into_response();
        if let Some(authorization) = received.header("authorization") {
            response
                .headers_mut()
                .insert(HeaderName::from_static("x-echo-authorization"), HeaderValue::from_str(authorization).unwrap());
        }
        return response;
    }
    if path.starts_with("/api/") {
        return axum::Json(json!({"ok": true, "path": path})).into_response();
    }
    if path == "/together" {
        // Only two requests in flight at once get past this (a safety net, not a timing).
        return match tokio::time::timeout(WATCHDOG / 2, state.together.wait()).await {
            Ok(_) => axum::Json(json!({"together": true})).into_response(),
            Err(_) => (StatusCode::GATEWAY_TIMEOUT, "alone").into_response(),
        };
    }
    if path == "/stuck" {
        let _ = state.stuck.send(());
        std::future::pending::<()>().await;
    }
    if let Some(code) = path.strip_prefix("/status/") {
        let status = StatusCode::from_u16(code.parse().unwrap()).unwrap();
        return (status, axum::Json(json!({"status": status.as_u16()}))).into_response();
    }
    (StatusCode::NOT_FOUND, "no such route").into_response()
}

/// A v1 flow document named "E2E flow" with these blocks and wires.
pub fn flow(blocks: Value, wires: Value) -> Value {
    json!({"switchyard": 1, "name": "E2E flow", "blocks": blocks, "wires": wires})
}

/// Writes `document` as pretty JSON to `dir/name` and returns the path.
pub fn write_flow(dir: &Path, name: &str, document: &Value) -> PathBuf {
    write_file(dir, name, &serde_json::to_string_pretty(document).unwrap())
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The `switchyard` binary with a clean environment for tests: no colour, and a
/// config directory of its own under `home`.
pub fn switchyard(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command.env("NO_COLOR", "1").env("SWITCHYARD_HOME", home).env_remove("CLICOLOR_FORCE");
    command
}

/// What a finished `switchyard` process left behind.
#[derive(Debug)]
pub struct Finished {
    /// The exit code.
    pub code: i32,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

impl Finished {
    /// Both streams, for "appears nowhere" checks.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs `command` to completion (stdin closed) and collects its output.
pub fn run(command: &mut Command) -> Finished {
    wait(spawn(command))
}

/// Starts `command` with stdin closed and stdout/stderr captured.
pub fn spawn(command: &mut Command) -> Child {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

/// Waits for `child` (killing it if the watchdog fires) and collects its output.
pub fn wait(mut child: Child) -> Finished {
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let stdout_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).unwrap();
        text
    });
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = match done_rx.recv_timeout(WATCHDOG) {
        Ok(status) => status.unwrap(),
        Err(_) => {
            send_signal(pid, "KILL");
            panic!("switchyard did not finish within {WATCHDOG:?}; killed it");
        }
    };
    Finished {
        code: status.code().expect("switchyard was killed by a signal"),
        stdout: stdout_reader.join().unwrap(),
        stderr: stderr_reader.join().unwrap(),
    }
}

/// Sends `signal` (`INT`, `KILL`) to process `pid` with `kill(1)`.
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Standard base64 with padding, for checking that a Basic credential is masked.
#[allow(unused_imports)] // each test binary uses a different part of this module
pub use encode::base64_standard as base64;

/// Runs `command` to completion with `input` on its stdin (as a pipe, not a terminal).
pub fn run_with_stdin(command: &mut Command, input: &str) -> Finished {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A command that ends before it reads its input (it refused its arguments) closes
    // the pipe: that is its answer, not the test's failure.
    if let Err(error) = stdin.write_all(input.as_bytes()) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    drop(stdin);
    wait(child)
}

/// Every file under `dir`, recursively, as lossy text: for "appears in no file" checks.
pub fn all_files_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&all_files_text(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

/// A D-Bus address where nothing listens: the keychain is unavailable.
pub const NO_DBUS: &str = "unix:path=/nonexistent/switchyard-test-bus";

/// Every string in `text` as a reader could see it: the text, each JSON line's
/// strings, and those percent-decoded (with and without `+` as a space), lower-cased.
pub fn readings(text: &str) -> Vec<String> {
    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k.clone());
                strings(v, out);
            }),
            _ => {}
        }
    }
    let mut texts = vec![text.to_owned()];
    for line in text.lines() {
        // Human output prints values as JSON after a label; JSON output is JSON lines.
        let json = line.find(['{', '[', '"']).map_or(line, |at| &line[at..]);
        if let Ok(value) = serde_json::from_str::<Value>(json) {
            strings(&value, &mut texts);
        }
    }
    let mut out = Vec::new();
    for t in texts {
        out.push(encode::unpercent(&t));
        out.push(encode::unpercent(&t.replace('+', " ")));
        out.push(t);
    }
    out.into_iter().map(|t| t.to_lowercase()).collect()
}

/// Fails when any encoding of any of `secrets` shows in `text` (case-insensitively).
pub fn assert_no_form(text: &str, secrets: &[&str]) {
    let readings = readings(text);
    for secret in secrets {
        for enc in encode::ENCODINGS {
            let form = encode::encode(enc, secret).to_lowercase();
            for reading in &readings {
                assert!(!reading.contains(&form), "the {enc} form of {secret:?} leaked: {form:?} in\n{text}");
            }
        }
    }
}
