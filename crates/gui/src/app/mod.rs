//! The app: layout, the actions users take, and applying them.
//!
//! Layout: top bar (File menu, Run ▶ / Stop ■, flow name with an unsaved marker, the
//! run's outcome), palette on the left, inspector on the right, console at the bottom,
//! canvas in the middle. While a frame is drawn, widgets and shortcuts queue
//! [`Action`]s (buttons, menus and shortcuts through their [`Command`]); after it,
//! [`SwitchyardApp::apply`] carries each one out, and the undo history records what
//! changed: the one place the app's state changes.
//!
//! The app is made of parts, as egui's demo app is: [`SwitchyardApp`] holds the document,
//! the runner, the console, the inspector, the variables panel and the run's results,
//! and one part per concern, each in its own file with the state it keeps and what it
//! draws:
//!
//! - `session.rs`: `Session`, the file dialogs, recent files, the unsaved-work prompt,
//!   recovery and autosave, undo recording and the window title; and the app's file
//!   actions (New, Open, Save, Save As, undo states).
//! - `canvas_state.rs`: `CanvasState`, the canvas's transform, a pending fit or zoom,
//!   the selection, where blocks and the hovered wire were drawn, the wire menu, a
//!   palette drag, what Copy copied; it draws the palette and the canvas.
//! - `notices.rs`: `Notices`, the top bar's fading notice.
//! - `hooks.rs`: `Hooks`, what tests, screenshots and benchmarks ask for at start, and
//!   the accessors they read.
//! - `credential.rs`: `Credentials`, the offer to store a pasted credential as a secret.
//! - `welcome.rs`: `Welcome`, the first-launch hint.
//! - `panels.rs`: `Layout`, the panels' sizes and the stored theme.
//!
//! The edits actions make live beside the parts they touch: `canvas_view.rs` (the
//! inspector panel and the block edits: add, edit, rename, delete, copy, paste, Copy as
//! curl), `wires.rs` (Insert Log, a block added where a new wire was dropped),
//! `capture.rs` (Make it a capture), `run_view.rs` (runs and what they leave on the
//! canvas), `menus.rs` (top bar, menus, shortcuts), `environment.rs` (the environment
//! picker). The action vocabulary is [`crate::action`], below the app: widgets outside
//! it (the canvas viewer) queue actions without knowing the app.

mod canvas_state;
mod canvas_view;
mod capture;
mod credential;
mod environment;
mod hooks;
mod menus;
mod notices;
mod panels;
mod run_view;
mod session;
mod welcome;
mod wires;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use egui::{Ui, Vec2};
use tokio::runtime::Handle;

pub use crate::action::{Action, Answer, Command};
use run_view::RunView;
use session::{DialogPurpose, Then};

use canvas_state::CanvasState;
use credential::Credentials;
use hooks::Hooks;
use notices::Notices;
use panels::Layout;
use session::Session;
use welcome::Welcome;

use crate::console::Console;
use crate::document::Document;
use crate::files::{FileDialogs, NativeDialogs, RecentFiles, Recovery};
use crate::history::History;
use crate::inspector::{Inspector, Previews};
use crate::runner::{Runner, VariablesSource};
use crate::settings::Settings;

/// The OpenAI example flow (File → Examples; a first launch opens the welcome flow).
pub const EXAMPLE_FLOW: &str = include_str!("../../../../flows/openai-models.flow.json");
const LAST_FLOW_KEY: &str = "switchyard.last_flow";
const RECENT_KEY: &str = "switchyard.recent";
/// The console's budget of response data, in bytes (View → Console).
const CONSOLE_BUDGET_KEY: &str = "switchyard.console_budget";
const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);
/// Pasted and duplicated blocks land this far from the originals.
const PASTE_OFFSET: Vec2 = Vec2::new(40.0, 40.0);

/// How the app starts.
#[derive(Debug, Default)]
pub struct AppOptions {
    /// The flow to open; else the last one; else the bundled example.
    pub flow: Option<PathBuf>,
    /// Where the globals store lives (None: no store; runs get `variables` only).
    pub config_dir: Option<PathBuf>,
    /// Variables for runs when there is no store (tests).
    pub variables: switchyard_vault::Variables,
    /// The keychain for secrets (None: the system keychain). Tests pass keyring's mock store.
    pub keychain: Option<switchyard_vault::Keychain>,
    /// Run the flow as soon as the app opens.
    pub run_on_start: bool,
    /// After the first run ends, save a screenshot of the window here and quit (with
    /// neither `run_on_start` nor `open_settings`: once the window has settled, a few
    /// frames in, without a run).
    pub screenshot: Option<PathBuf>,
    /// Open the global variables panel at start. With `screenshot`, the screenshot is
    /// taken once the panel has loaded (no run needed).
    pub open_settings: bool,
    /// After the first run ends, select its last response in the console and show it in
    /// the response viewer's window (with `screenshot`: then save it; for documentation).
    pub show_response: bool,
    /// Print the time from this instant (process start) to the end of the first frame
    /// on stderr, and quit (for the start-up benchmark).
    pub report_first_frame: Option<std::time::Instant>,
    /// The Open and Save As dialogs (None: the operating system's). Tests script them.
    pub dialogs: Option<Arc<dyn FileDialogs>>,
    /// Turns pasted curl commands into blocks and blocks into curl (None: pasting a
    /// command says it cannot; the binary gives `switchyard_import`'s).
    pub curl: Option<Arc<dyn crate::CurlTranslator>>,
    /// Where unsaved work is autosaved to survive a crash (None: not autosaved).
    pub recovery_dir: Option<PathBuf>,
    /// How long after the last change unsaved work is autosaved (None: 2 seconds).
    pub autosave_after: Option<Duration>,
}

/// The Switchyard app: the document, the run and the panels' widgets, and the parts
/// that each keep one concern's state (the session, the canvas, notices, automation).
pub struct SwitchyardApp {
    document: Document,
    runner: Runner,
    console: Console,
    inspector: Inspector,
    /// What the last run left on each block, for the inspector's expression previews.
    previews: Previews,
    /// The actions queued this frame, applied after it.
    actions: Vec<Action>,
    run: RunView,
    source: VariablesSource,
    /// The global variables panel; it also knows the globals' names.
    settings: Settings,
    /// Files, dialogs, the unsaved-work prompt, recovery, undo and the title.
    session: Session,
    /// How the canvas is viewed and what is selected on it.
    canvas: CanvasState,
    /// The top bar's notice.
    notices: Notices,
    /// What tests, screenshots and benchmarks asked for.
    hooks: Hooks,
    /// Pasted credentials offered for the keychain, and those sent there.
    credentials: Credentials,
    /// The first-launch hint.
    welcome: Welcome,
    /// The panels' sizes and the theme kept in eframe's storage.
    layout: Layout,
    curl: Option<Arc<dyn crate::CurlTranslator>>,
    show_shortcuts: bool,
}

impl std::fmt::Debug for SwitchyardApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwitchyardApp").field("document", &self.document).finish_non_exhaustive()
    }
}

impl SwitchyardApp {
    /// The app, with runs on `handle`. `storage` is eframe's (for the last flow's path).
    pub fn new(
        ctx: &egui::Context,
        handle: Handle,
        options: AppOptions,
        storage: Option<&dyn eframe::Storage>,
    ) -> Self {
        crate::theme::apply(ctx);
        let mut console = Console::new();
        if let Some(budget) = storage.and_then(|s| s.get_string(CONSOLE_BUDGET_KEY)).and_then(|t| t.parse().ok()) {
            console.set_budget(budget);
        }
        let last = storage.and_then(|s| s.get_string(LAST_FLOW_KEY)).map(PathBuf::from);
        let mut recent =
            storage.and_then(|s| s.get_string(RECENT_KEY)).map(|t| RecentFiles::from_storage(&t)).unwrap_or_default();
        let mut opened_welcome = false;
        let document = match options.flow.clone().or(last).map(crate::files::absolute) {
            Some(path) => match switchyard_flow::load(&path) {
                Ok(flow) => {
                    recent.add(path.clone());
                    Document::from_flow(flow, Some(path))
                }
                Err(error) => {
                    console.push_error(format!("cannot open the flow: {error}"));
                    welcome_document()
                }
            },
            None => {
                opened_welcome = true;
                welcome_document()
            }
        };
        let welcome_dismissed = storage.and_then(|s| s.get_string(welcome::WELCOME_KEY)).is_some();
        let recovery = options.recovery_dir.clone().map(Recovery::new);
        let offer = recovery
            .as_ref()
            .and_then(|r| r.find(document.path.as_deref()))
            .filter(|found| found.flow != document.to_flow());
        let history = History::new(document.to_flow());
        let keychain = options.keychain.clone().unwrap_or_else(switchyard_vault::Keychain::system);
        let source = match &options.config_dir {
            Some(dir) => VariablesSource::Store(dir.clone(), keychain.clone()),
            None => VariablesSource::Fixed(options.variables.clone()),
        };
        let mut settings = Settings::new(ctx, handle.clone(), options.config_dir.clone(), keychain, &options.variables);
        if options.open_settings {
            settings.open();
        }
        settings.select_environment(storage.and_then(|s| s.get_string(environment::ENVIRONMENT_KEY)));
        let wake = ctx.clone();
        let previews = Previews::new(handle.clone(), move || wake.request_repaint());
        let welcome = Welcome { shown: opened_welcome && !welcome_dismissed, dismissed: welcome_dismissed };
        let session = Session::new(
            history,
            options.dialogs.unwrap_or_else(|| Arc::new(NativeDialogs)),
            recent,
            recovery,
            offer,
            options.autosave_after.unwrap_or(AUTOSAVE_AFTER),
        );
        let hooks = Hooks::new(
            options.run_on_start,
            options.screenshot,
            options.open_settings,
            options.show_response,
            options.report_first_frame,
        );
        let layout = Layout::new(ctx, storage);
        let mut app = Self {
            document,
            runner: Runner::new(handle),
            console,
            inspector: Inspector::new(crate::blocks::form_ui),
            previews,
            actions: Vec::new(),
            run: RunView::default(),
            source,
            settings,
            session,
            canvas: CanvasState::default(),
            notices: Notices::default(),
            hooks,
            credentials: Credentials::default(),
            welcome,
            layout,
            curl: options.curl,
            show_shortcuts: false,
        };
        app.session.dirty = app.document.is_dirty();
        app
    }

    /// Carries out an action (or a [`Command`]'s): the one place the app's state
    /// changes. Whatever changed the flow is recorded for undo at the frame's end.
    pub fn apply(&mut self, action: impl Into<Action>, ctx: &egui::Context) {
        match action.into() {
            Action::New => self.request(Then::New, ctx),
            Action::Open => self.request(Then::Open, ctx),
            Action::OpenPath(path) => self.request(Then::OpenPath(path), ctx),
            Action::OpenExample(example) => self.request(Then::OpenExample(example), ctx),
            Action::DismissWelcome => {
                self.welcome.shown = false;
                self.welcome.dismissed = true;
            }
            Action::Save => self.save(Then::Nothing, ctx),
            Action::SaveAs => {
                let purpose = DialogPurpose::SaveAs(Then::Nothing);
                self.session.ask_file(purpose, ctx, &self.document, self.runner.handle());
            }
            Action::AnswerUnsaved(answer) => self.answer_unsaved(answer, ctx),
            Action::AnswerRecovery(restore) => self.answer_recovery(restore),
            Action::AnswerCredential(store) => self.answer_credential(store),
            Action::SelectEnvironment(environment) => self.settings.select_environment(environment),
            Action::CloseRequested => {
                if self.is_unsaved() && !self.session.allow_close {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                    self.session.prompt = Some(Then::Close);
                }
            }
            Action::Quit => self.request(Then::Close, ctx),
            Action::Undo => {
                if let Some(flow) = self.session.history.undo() {
                    self.show_state(&flow);
                }
            }
            Action::Redo => {
                if let Some(flow) = self.session.history.redo() {
                    self.show_state(&flow);
                }
            }
            Action::AddBlock { kind, at } => self.add_block(kind, at),
            Action::EditBlock { id, block } => self.edit_block(&id, *block),
            Action::Connect { from, to } => {
                let document = &mut self.document;
                if Document::connect(&mut document.snarl, &mut document.wires, from, to) {
                    self.session.check_dirty = true;
                }
            }
            Action::Disconnect { from, to } => {
                let document = &mut self.document;
                Document::disconnect(&mut document.snarl, &mut document.wires, from, to);
                self.session.check_dirty = true;
            }
            Action::OpenWireMenu { from, to, at } => {
                self.canvas.wire_menu = Some(canvas_state::WireMenu { from, to, at })
            }
            Action::InsertLog { from, to, at } => self.insert_log(from, to, at),
            Action::MakeCapture(id) => self.make_capture(&id),
            Action::AddWiredBlock { kind, at, from } => self.add_wired_block(kind, at, from),
            Action::Refused(message) => self.notices.show(message, true),
            Action::DragEnded => self.session.check_dirty = true,
            Action::Select(id) => {
                if self.document.node_of(&id).is_some() {
                    self.canvas.selected = Some(id);
                }
            }
            Action::SelectField { block, field } => self.select_target(crate::LineTarget { block, field }),
            Action::Deselect => self.canvas.selected = None,
            Action::SetConsoleBudget(bytes) => self.console.set_budget(bytes),
            Action::RenameBlock { old, new } => self.rename_block(&old, &new),
            Action::RenameFlow(name) => {
                if name != self.document.name {
                    self.document.name = name;
                    self.session.edit_key = Some("flow name".to_owned());
                    self.session.check_dirty = true;
                }
            }
            Action::CopySelection => self.copy(ctx),
            Action::PasteCopied => {
                if let Some(text) = self.canvas.copied_text().map(str::to_owned) {
                    self.paste(&text, ctx);
                }
            }
            Action::Paste(text) => {
                if is_curl_command(&text) {
                    self.paste_curl(&text, ctx);
                } else {
                    self.paste(&text, ctx);
                }
            }
            Action::DuplicateSelection => {
                let nodes = self.canvas.selected_nodes(&self.document, ctx);
                self.duplicate(&nodes);
            }
            Action::DuplicateBlock(id) => {
                let nodes: Vec<_> = self.document.node_of(&id).into_iter().collect();
                self.duplicate(&nodes);
            }
            Action::DeleteSelection => {
                for node in self.canvas.selected_nodes(&self.document, ctx) {
                    self.delete_block(node);
                }
            }
            Action::DeleteBlock(id) => {
                if let Some(node) = self.document.node_of(&id) {
                    self.delete_block(node);
                }
            }
            Action::CopyAsCurl(id) => self.copy_as_curl(&id, ctx),
            Action::Run => self.start_run(ctx),
            Action::Stop => self.runner.stop(),
            Action::OpenSettings => self.settings.open(),
            Action::ShowShortcuts => self.show_shortcuts = !self.show_shortcuts,
            Action::ShowWholeFlow => {
                self.canvas.fit_pending = Some(canvas_state::Fit::Whole);
                ctx.request_repaint();
            }
            Action::Zoom(factor) => {
                self.canvas.fit_pending = Some(canvas_state::Fit::Zoom(factor));
                ctx.request_repaint();
            }
        }
    }

    /// Applies the actions queued while the frame was drawn, then records what changed
    /// the flow in the undo history.
    fn apply_queued(&mut self, ctx: &egui::Context) {
        let actions = std::mem::take(&mut self.actions);
        if !actions.is_empty() {
            ctx.request_repaint();
        }
        for action in actions {
            self.apply(action, ctx);
        }
        self.session.track_changes(ctx, &self.document, &mut self.console);
    }

    /// One frame of the whole app inside `ui`.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if let Some(theme) = self.layout.stored_theme.take() {
            ctx.set_theme(theme);
        }
        if self.hooks.take_run_on_start() {
            self.actions.push(Action::Run);
        }
        self.poll_run(&ctx);
        self.previews.poll();
        self.poll_dialog(&ctx);
        if ctx.input(|i| i.viewport().close_requested()) {
            self.actions.push(Action::CloseRequested);
        }
        self.shortcuts(&ctx);

        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        // Each panel keeps its size: what the user dragged it to (kept across restarts),
        // never what its content asks for (selecting a block moves nothing).
        let sizes = self.layout.panels;
        let palette = egui::Panel::left("palette")
            .resizable(true)
            .default_size(sizes.palette)
            .size_range(panels::PALETTE_RANGE)
            .show(ui, |ui| {
                crate::look::hold_width(ui);
                self.canvas.palette_ui(ui);
            });
        let inspector = egui::Panel::right("inspector")
            .resizable(true)
            .default_size(sizes.inspector)
            .size_range(panels::INSPECTOR_RANGE)
            .show(ui, |ui| {
                crate::look::hold_width(ui);
                self.inspector_panel(ui);
            });
        let console = egui::Panel::bottom("console")
            .resizable(true)
            .default_size(sizes.console)
            .size_range(panels::CONSOLE_RANGE)
            .show(ui, |ui| {
                if let Some(target) = self.console.ui(ui) {
                    self.actions.push(Action::SelectField { block: target.block, field: target.field });
                }
            });
        self.layout.panels = panels::PanelSizes {
            palette: palette.response.rect.width(),
            inspector: inspector.response.rect.width(),
            console: console.response.rect.height(),
        };
        egui::CentralPanel::default().show(ui, |ui| self.canvas_ui(ui));
        self.settings.show(&ctx);
        if let Some(notice) = self.settings.take_notices().pop() {
            self.notices.current = Some(notice);
        }
        for (from, to) in self.settings.take_renamed() {
            self.credential_renamed(&from, &to);
        }
        self.credentials.ui(&ctx, &mut self.actions);
        self.shortcuts_window(&ctx);
        self.session.ui(&ctx, &self.document.name, &mut self.actions);
        self.in_app_dialog_ui(&ctx);

        self.apply_queued(&ctx);
        let unsaved = self.is_unsaved();
        self.session.update_title(&ctx, unsaved, &self.document, self.settings.selected_environment());
        let settled = self.settings.is_settled();
        self.hooks.update(&ctx, self.run.runs_finished, settled, &mut self.console);
    }
}

/// The largest texture the app asks egui for (see `raw_input_hook`).
const MAX_TEXTURE_SIDE: usize = 2048;

impl eframe::App for SwitchyardApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // egui makes its glyph atlas as wide as the largest texture the GL driver takes
        // (16,384 on Mesa's llvmpipe), so the atlas and the driver's copy of it grow in
        // steps of several megabytes; the app's text needs a small part of 2,048².
        // Measured under Xvfb: 3.5 MB less resident memory when idle.
        raw_input.max_texture_side = Some(raw_input.max_texture_side.unwrap_or(MAX_TEXTURE_SIDE).min(MAX_TEXTURE_SIDE));
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // Only paths: never a variable, never a secret.
        // Absolute, so the next start finds the file from any folder.
        if let Some(path) = &self.document.path {
            storage.set_string(LAST_FLOW_KEY, crate::files::absolute(path.clone()).display().to_string());
        }
        storage.set_string(CONSOLE_BUDGET_KEY, self.console.budget().to_string());
        storage.set_string(RECENT_KEY, self.session.recent.to_storage());
        // The environment's name only: its values stay in the store and the keychain.
        match self.settings.selected_environment() {
            Some(environment) => storage.set_string(environment::ENVIRONMENT_KEY, environment.to_owned()),
            None => storage.remove_string(environment::ENVIRONMENT_KEY),
        }
        storage.set_string(panels::PANELS_KEY, self.layout.panels.to_storage());
        if self.welcome.dismissed {
            storage.set_string(welcome::WELCOME_KEY, "yes".to_owned());
        }
        let theme = self.theme_preference();
        storage.set_string(crate::theme::THEME_KEY, crate::theme::preference_to_storage(theme).to_owned());
    }
}

/// The welcome flow (bundled; no file until saved).
fn welcome_document() -> Document {
    Document::from_flow(crate::examples::WELCOME.flow(), None)
}

fn display_name(name: &str) -> String {
    if name.trim().is_empty() { "Untitled flow".to_owned() } else { name.to_owned() }
}

/// What Save and Run say when text typed in the inspector does not parse:
/// `not saved: the JSON body of `request` is not valid (…); fix it or undo the edit`.
fn unparsed_message(refused: &str, draft: &crate::UnparsedDraft<'_>) -> String {
    let crate::UnparsedDraft { block, what, error, .. } = draft;
    format!("{refused}: the {what} of `{block}` is not valid ({error}); fix it or undo the edit")
}

/// Whether pasted text is a curl command (`curl …`, also `curl.exe`).
fn is_curl_command(text: &str) -> bool {
    let text = text.trim_start();
    ["curl ", "curl\t", "curl\n", "curl.exe ", "curl ^"].iter().any(|start| text.starts_with(start))
}
