//! The Switchyard desktop app: build flows on a canvas, run them, watch the console.
//!
//! [`run`] opens the window (eframe, glow renderer) with a [`SwitchyardApp`]. The app
//! holds the open flow as a [`document::Document`] (an egui-snarl graph converted to and
//! from the flow crate's `Flow`), runs it through the engine on the tokio runtime whose
//! handle it is given ([`runner`]), and shows events in the [`Console`].
//!
//! Widgets queue [`Action`]s while a frame is drawn; [`SwitchyardApp::apply`] carries them
//! out after it, the one place the app's state changes (and undo is recorded).
//!
//! Modules: `app` (layout and applying actions, made of parts: session, canvas state,
//! notices, automation hooks, …), `action` (what the user can ask for, as data), `look`
//! (the shared colours and `shorten`), `canvas` (the egui-snarl viewer), `blocks` (how
//! each block type looks), `document` (graph ⇄ flow), `inspector` (editing a block,
//! expression previews), `console` (the log console), `settings` (global variables),
//! `history` (undo), `files` (dialogs, recovery), `file_dialog` (the in-app dialog), `runner` (runs off the UI thread),
//! `screenshot`, `theme` (looks of both themes), `loops` (blocks on a wired loop),
//! `wiring` (what a new wire may connect to, what a dropped one offers),
//! `examples` (the bundled example flows, the welcome flow first).

// Print macros panic on a closed stdout or stderr: the app writes with `writeln!`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod action;
mod app;
mod blocks;
mod canvas;
mod console;
mod curl;
pub mod document;
pub mod examples;
mod file_dialog;
pub mod files;
mod history;
mod inspector;
mod look;
mod loops;
mod runner;
mod screenshot;
mod settings;
mod theme;
mod upstream;
mod wiring;

pub use app::{Action, Answer, AppOptions, Command, EXAMPLE_FLOW, SwitchyardApp};
pub use canvas::BlockStatus;
pub use console::{Console, ConsoleLine, Level, LineTarget};
pub use curl::{CopiedCurl, CurlTranslator, Known, PastedCredential, PastedCurl};
pub use inspector::{InputOrigin, Inspector, UnparsedDraft};
pub use runner::{RunMessage, Runner, VariablesSource};
pub use settings::Settings;

/// Opens the app window and runs until it is closed. Runs go on `handle`.
pub fn run(options: AppOptions, handle: tokio::runtime::Handle) -> eframe::Result {
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Switchyard")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        // Under `$SWITCHYARD_HOME` when it is set, as the globals are.
        persistence_path: files::state_file(std::env::var_os("SWITCHYARD_HOME").as_deref()),
        ..Default::default()
    };
    eframe::run_native(
        "switchyard",
        native,
        Box::new(move |cc| {
            let app = SwitchyardApp::new(&cc.egui_ctx, handle, options, cc.storage);
            Ok(Box::new(app))
        }),
    )
}
