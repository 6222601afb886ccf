//! Runs flows for the app on the tokio runtime, never on the UI thread.
//!
//! [`Runner::start`] spawns the run on the runtime's handle; the variables (globals
//! store with the selected environment on top, and the keychain) are read there too,
//! on a blocking thread. Events come back over
//! a channel and each one wakes the UI with `request_repaint`; the frame code only
//! drains the channel ([`Runner::poll`]).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_engine::{Engine, EngineConfig, Event, Redactor};
use switchyard_flow::Flow;
use switchyard_vault::{Keychain, Store, Variables};
use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio_util::sync::CancellationToken;

/// Where a run's variables come from.
#[derive(Debug, Clone)]
pub enum VariablesSource {
    /// The globals store in this config directory, secrets from this keychain (with the
    /// environment set by [`Runner::set_environment`] on top).
    Store(PathBuf, Keychain),
    /// Exactly these (tests, and runs with no store).
    Fixed(Variables),
}

/// What a run reports to the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum RunMessage {
    /// An engine event (already masked).
    Event(Event),
    /// The run's masks, sent once its variables are read: what the app masks in what it
    /// derives from the run's values itself (the inspector's expression previews).
    Masks(RunMasks),
    /// The run could not start (the globals store or keychain failed).
    Error(String),
    /// The run is over (after its last event, or after an error).
    Ended,
}

/// The redactor of a run's secrets (the one the engine masks its events with, before
/// any `set` block adds to it). Its `Debug` prints counts, never a secret; two are equal
/// when they are the same one.
#[derive(Debug, Clone)]
pub struct RunMasks(pub Arc<Redactor>);

impl PartialEq for RunMasks {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

struct ActiveRun {
    /// Each message with the time since the run started, taken when it was sent.
    messages: UnboundedReceiver<(Duration, RunMessage)>,
    cancel: CancellationToken,
}

/// Starts, stops and listens to runs.
pub struct Runner {
    handle: Handle,
    engine: Option<Engine>,
    active: Option<ActiveRun>,
    /// The open flow file's folder: where its relative file paths start.
    base_dir: Option<std::path::PathBuf>,
    /// The store's environment whose variables go on top of the globals.
    environment: Option<String>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").field("running", &self.is_running()).finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner that spawns runs on `handle`.
    pub fn new(handle: Handle) -> Self {
        Self { handle, engine: None, active: None, base_dir: None, environment: None }
    }

    /// The runtime runs go on (the app puts other background work there too).
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Sets the folder relative file paths of the next runs start from (the flow
    /// file's folder; `None`: the current folder).
    pub fn set_base_dir(&mut self, dir: Option<std::path::PathBuf>) {
        self.base_dir = dir;
    }

    /// Sets the environment of the store whose variables the next runs get on top of
    /// the globals (`None`: the globals only). A [`VariablesSource::Fixed`] has none.
    pub fn set_environment(&mut self, environment: Option<String>) {
        self.environment = environment;
    }

    /// Whether a run is going on.
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// Starts a run of `flow`; `wake` is called after every message (the app passes
    /// `ctx.request_repaint`). A run already going on is cancelled first.
    pub fn start(&mut self, flow: Flow, source: VariablesSource, wake: impl Fn() + Send + Sync + 'static) {
        self.stop();
        let engine = match &self.engine {
            Some(engine) => engine.clone(),
            None => {
                let built = {
                    let _guard = self.handle.enter();
                    Engine::new(EngineConfig::default())
                };
                match built {
                    Ok(engine) => {
                        self.engine = Some(engine.clone());
                        engine
                    }
                    Err(error) => {
                        let (tx, rx) = mpsc::unbounded_channel();
                        // The receiver is held below: these sends cannot fail.
                        let _ = tx.send((Duration::ZERO, RunMessage::Error(error.to_string())));
                        let _ = tx.send((Duration::ZERO, RunMessage::Ended));
                        self.active = Some(ActiveRun { messages: rx, cancel: CancellationToken::new() });
                        wake();
                        return;
                    }
                }
            }
        };
        let engine = match &self.base_dir {
            Some(dir) => engine.with_base_dir(dir.clone()),
            None => engine,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let run_cancel = cancel.clone();
        let handle = self.handle.clone();
        let flow = Arc::new(flow);
        let started = Instant::now();
        let environment = self.environment.clone();
        self.handle.spawn(async move {
            let send = |message| {
                // The app may have closed; nothing to tell then.
                let _ = tx.send((started.elapsed(), message));
                wake();
            };
            let variables = match load_variables(&handle, &flow, source, environment).await {
                Ok(variables) => variables,
                Err(message) => {
                    send(RunMessage::Error(message));
                    send(RunMessage::Ended);
                    return;
                }
            };
            send(RunMessage::Masks(RunMasks(Arc::new(Redactor::for_variables(&variables)))));
            let mut run = engine.start(flow, Arc::new(variables));
            // Stop cancels the app's token, which cancels the run; its stream ends
            // after its `RunFinished`.
            let mut stopping = false;
            loop {
                tokio::select! {
                    () = run_cancel.cancelled(), if !stopping => {
                        stopping = true;
                        run.cancel.cancel();
                    }
                    event = run.next() => match event {
                        Some(event) => send(RunMessage::Event(event)),
                        None => break,
                    },
                }
            }
            send(RunMessage::Ended);
        });
        self.active = Some(ActiveRun { messages: rx, cancel });
    }

    /// Cancels the run going on, if any: in-flight requests are dropped at once.
    pub fn stop(&mut self) {
        if let Some(active) = &self.active {
            active.cancel.cancel();
        }
    }

    /// The messages that arrived since the last call, with the time since the run
    /// started. Never blocks.
    pub fn poll(&mut self) -> Vec<(Duration, RunMessage)> {
        let Some(active) = &mut self.active else { return Vec::new() };
        let mut out = Vec::new();
        let mut ended = false;
        while let Ok((elapsed, message)) = active.messages.try_recv() {
            ended |= message == RunMessage::Ended;
            out.push((elapsed, message));
        }
        if ended {
            self.active = None;
        }
        out
    }
}

async fn load_variables(
    handle: &Handle,
    flow: &Flow,
    source: VariablesSource,
    environment: Option<String>,
) -> Result<Variables, String> {
    match source {
        VariablesSource::Fixed(variables) => Ok(variables),
        VariablesSource::Store(dir, keychain) => {
            let referenced: BTreeSet<String> = flow.variable_names();
            // Reading the file and the keychain blocks: keep it off the runtime's workers.
            let loaded = handle
                .spawn_blocking(move || Store::open(&dir, keychain)?.variables_for(environment.as_deref(), &referenced))
                .await
                .map_err(|error| format!("reading the global variables stopped: {error}"))?;
            loaded.map_err(|error| error.to_string())
        }
    }
}

/// Gives memory the app has freed back to the system, where the allocator keeps it:
/// called after a run has ended and the console let go of the runs' large values.
///
/// glibc's malloc keeps freed memory in its arenas (one per thread that allocated: a
/// response is parsed on the runtime's worker threads and freed on the UI thread)
/// instead of returning it, so over many runs of large responses the resident set
/// grows with what was once in use, not with what is. `malloc_trim(0)` returns every
/// arena's free pages. It is a C call (hence the one `unsafe` block in the app); it
/// takes no pointer and changes no memory the program can see, only what the
/// allocator holds. Other allocators and systems give memory back on their own or
/// have no such call: there this does nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn give_back_freed_memory() {
    // SAFETY: malloc_trim only walks and releases the allocator's own free lists; it
    // takes no pointer and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// See the glibc version: elsewhere, nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn give_back_freed_memory() {}
