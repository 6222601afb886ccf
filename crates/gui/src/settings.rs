//! The settings panel: the global variables of the store (DESIGN §4).
//!
//! STUB: the panel itself is being built; for now it only knows the globals' names
//! (read off the UI thread) for marking undefined `{{names}}` in the inspector.

use std::collections::BTreeMap;
use std::path::PathBuf;

use switchyard_vault::{Keychain, Kind, Store, Variables};
use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedReceiver};

/// The global variables panel.
pub struct Settings {
    open: bool,
    globals: BTreeMap<String, bool>,
    names_rx: Option<UnboundedReceiver<BTreeMap<String, bool>>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("open", &self.open).finish_non_exhaustive()
    }
}

impl Settings {
    /// The panel for the store in `dir` (None: no store; `fixed` are the variables runs
    /// get instead), with secrets in `keychain`. Nothing is read on the calling thread.
    pub fn new(
        ctx: &egui::Context,
        handle: Handle,
        dir: Option<PathBuf>,
        _keychain: Keychain,
        fixed: &Variables,
    ) -> Self {
        let globals = fixed.iter().map(|v| (v.name.clone(), v.value.is_secret())).collect();
        let names_rx = dir.map(|dir| {
            let (tx, rx) = mpsc::unbounded_channel();
            let wake = ctx.clone();
            handle.spawn_blocking(move || {
                // Only the file: never the keychain.
                let names = Store::open(&dir, Keychain::unavailable("names only"))
                    .map(|store| store.definitions().map(|d| (d.name.clone(), d.kind == Kind::Secret)).collect())
                    .unwrap_or_default();
                let _ = tx.send(names);
                wake.request_repaint();
            });
            rx
        });
        Self { open: false, globals, names_rx }
    }

    /// Opens the panel.
    pub fn open(&mut self) {
        self.open = true;
    }

    /// Whether the panel is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The globals' names, each with whether it is a secret.
    pub fn globals(&self) -> &BTreeMap<String, bool> {
        &self.globals
    }

    /// Takes in background results and draws the panel when open.
    pub fn show(&mut self, _ctx: &egui::Context) {
        if let Some(rx) = &mut self.names_rx
            && let Ok(names) = rx.try_recv()
        {
            self.globals = names;
            self.names_rx = None;
        }
    }
}
