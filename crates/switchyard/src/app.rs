//! `switchyard [FLOW]` with no subcommand: opens the desktop app.
//!
//! The app gets the process's tokio runtime handle for its runs, and the globals store
//! directory for variables. Without a display it fails with exit 3 and points to the
//! headless commands.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;
use switchyard_gui::AppOptions;
use switchyard_vault::Store;
use tokio::runtime::Runtime;

use crate::exit::{Exit, Fatal};

/// What the app is opened with.
#[derive(Debug, Default)]
pub struct OpenArgs {
    /// The flow to open.
    pub flow: Option<PathBuf>,
    /// Run the flow as soon as the window opens.
    pub run: bool,
    /// After the first run, save a screenshot of the window here and quit.
    pub screenshot: Option<PathBuf>,
    /// Open the global variables panel at start (with `screenshot`: save it once loaded).
    pub settings: bool,
    /// After the first run, show its last response in the viewer's window.
    pub show_response: bool,
    /// Report the time to the first frame (from this instant) and quit.
    pub report_first_frame: Option<std::time::Instant>,
}

/// Opens the desktop app and returns when its window is closed.
pub fn open(runtime: &Runtime, args: OpenArgs) -> Result<Exit, Fatal> {
    let config_dir = Store::config_dir().ok();
    let options = AppOptions {
        flow: args.flow,
        // Unsaved work is autosaved beside the globals, to be offered back after a crash.
        recovery_dir: config_dir.as_ref().map(|dir| dir.join("recovery")),
        config_dir,
        variables: switchyard_vault::Variables::new(),
        keychain: None,
        run_on_start: args.run,
        screenshot: args.screenshot,
        open_settings: args.settings,
        show_response: args.show_response,
        report_first_frame: args.report_first_frame,
        curl: Some(Arc::new(crate::curl_bridge::ImportCurl)),
        ..AppOptions::default()
    };
    switchyard_gui::run(options, runtime.handle().clone()).map_err(|error| {
        Fatal::environment(anyhow!(
            "cannot open the Switchyard window: {error}. Without a display, run flows headless with \
             `switchyard run FLOW` and validate them with `switchyard check FLOW…`"
        ))
    })?;
    Ok(Exit::Success)
}
