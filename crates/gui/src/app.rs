//! The app: layout, the commands users give, and applying run events.
//!
//! Layout: top bar (File menu, Run ▶ / Stop ■, flow name with an unsaved marker, the
//! run's outcome), palette on the left, inspector on the right, console at the bottom,
//! canvas in the middle. Buttons, menus and shortcuts all send a [`Command`], applied
//! in [`SwitchyardApp::apply`].

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use egui::emath::TSTransform;
use egui::{Color32, Key, KeyboardShortcut, Modifiers, Pos2, RichText, Ui, Vec2};
use egui_snarl::ui::{SnarlStyle, SnarlWidget, get_selected_nodes};
use switchyard_engine::{Event, Outcome};
use switchyard_flow::{BlockKind, Flow, PortRef, template};
use switchyard_import::Resolved;
use tokio::runtime::Handle;

use crate::canvas::{BlockStatus, CanvasRequest, CanvasViewer, FAILURE, RUNNING, SUCCESS};
use crate::console::Console;
use crate::document::{Document, NewBlock};
use crate::files::{
    DialogRequest, FileDialogs, NativeDialogs, RecentFiles, Recovered, Recovery, ago, suggested_file_name,
    with_flow_extension,
};
use crate::history::History;
use crate::inspector::Inspector;
use crate::runner::{RunMessage, Runner, VariablesSource};
use crate::settings::Settings;

/// The example flow shown when there is nothing else to open.
pub const EXAMPLE_FLOW: &str = include_str!("../../../flows/openai-models.flow.json");
const LAST_FLOW_KEY: &str = "switchyard.last_flow";
const RECENT_KEY: &str = "switchyard.recent";
const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);
/// Pasted and duplicated blocks land this far from the originals.
const PASTE_OFFSET: Vec2 = Vec2::new(40.0, 40.0);
const CANVAS_ID: &str = "switchyard-canvas";

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
    /// After the first run ends, save a screenshot of the window here and quit.
    pub screenshot: Option<PathBuf>,
    /// Open the global variables panel at start. With `screenshot`, the screenshot is
    /// taken once the panel has loaded (no run needed).
    pub open_settings: bool,
    /// Print the time from this instant (process start) to the end of the first frame
    /// on stderr, and quit (for the start-up benchmark).
    pub report_first_frame: Option<std::time::Instant>,
    /// The Open and Save As dialogs (None: the operating system's). Tests script them.
    pub dialogs: Option<Arc<dyn FileDialogs>>,
    /// Where unsaved work is autosaved to survive a crash (None: not autosaved).
    pub recovery_dir: Option<PathBuf>,
    /// How long after the last change unsaved work is autosaved (None: 2 seconds).
    pub autosave_after: Option<Duration>,
}

/// Something the user asks for: from a button, a menu or a shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Start a new flow.
    New,
    /// Open a flow file.
    Open,
    /// Save the flow to its file (asks where when it has none).
    Save,
    /// Save the flow to a new file.
    SaveAs,
    /// Undo the last change.
    Undo,
    /// Redo what was undone.
    Redo,
    /// Copy the selected blocks (and the wires between them).
    Copy,
    /// Paste copied blocks.
    Paste,
    /// Duplicate the selected blocks.
    Duplicate,
    /// Delete the selected blocks.
    DeleteSelected,
    /// Run the flow.
    Run,
    /// Stop the run.
    Stop,
    /// Open the global variables panel.
    Settings,
    /// Show the keyboard shortcuts.
    Shortcuts,
    /// Zoom the canvas out (or in, up to scale 1) to show every block.
    ShowWholeFlow,
}

impl Command {
    /// Every command, in menu order (the Help → Keyboard shortcuts list).
    pub const ALL: [Command; 15] = [
        Command::New,
        Command::Open,
        Command::Save,
        Command::SaveAs,
        Command::Undo,
        Command::Redo,
        Command::Copy,
        Command::Paste,
        Command::Duplicate,
        Command::DeleteSelected,
        Command::Run,
        Command::Stop,
        Command::Settings,
        Command::ShowWholeFlow,
        Command::Shortcuts,
    ];

    /// The label on buttons and menus.
    pub fn label(self) -> &'static str {
        match self {
            Command::New => "New",
            Command::Open => "Open…",
            Command::Save => "Save",
            Command::SaveAs => "Save As…",
            Command::Undo => "Undo",
            Command::Redo => "Redo",
            Command::Copy => "Copy",
            Command::Paste => "Paste",
            Command::Duplicate => "Duplicate",
            Command::DeleteSelected => "Delete",
            Command::Run => "▶ Run",
            Command::Stop => "■ Stop",
            Command::Settings => "Global variables…",
            Command::Shortcuts => "Keyboard shortcuts",
            Command::ShowWholeFlow => "Show whole flow",
        }
    }

    /// The keyboard shortcut, if any.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let command = |key| Some(KeyboardShortcut::new(Modifiers::COMMAND, key));
        let command_shift = |key| Some(KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, key));
        match self {
            Command::New => command(Key::N),
            Command::Open => command(Key::O),
            Command::Save => command(Key::S),
            Command::SaveAs => command_shift(Key::S),
            Command::Undo => command(Key::Z),
            Command::Redo => command_shift(Key::Z),
            Command::Copy => command(Key::C),
            Command::Paste => command(Key::V),
            Command::Duplicate => command(Key::D),
            Command::DeleteSelected => Some(KeyboardShortcut::new(Modifiers::NONE, Key::Delete)),
            Command::Run => command(Key::Enter),
            Command::Stop => Some(KeyboardShortcut::new(Modifiers::NONE, Key::Escape)),
            Command::Settings => command(Key::Comma),
            Command::Shortcuts => Some(KeyboardShortcut::new(Modifiers::NONE, Key::F1)),
            // Ctrl+0 is egui's own "reset UI zoom"; double-click the canvas instead.
            Command::ShowWholeFlow => None,
        }
    }

    /// Whether the command acts on the canvas (so not while a text field has the keyboard:
    /// there Ctrl+C, Ctrl+Z and Delete belong to the text).
    fn is_canvas_edit(self) -> bool {
        matches!(
            self,
            Command::Undo
                | Command::Redo
                | Command::Copy
                | Command::Paste
                | Command::Duplicate
                | Command::DeleteSelected
                | Command::Stop
        )
    }
}

/// What to do once unsaved work is saved or given up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Then {
    /// Nothing more.
    Nothing,
    /// Start a new flow.
    New,
    /// Ask for a flow to open.
    Open,
    /// Open this flow.
    OpenPath(PathBuf),
    /// Close the window.
    Close,
}

/// Why a file dialog is open.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DialogPurpose {
    Open,
    SaveAs(Then),
}

/// How the canvas places the flow when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// As a flow opens: whole if readable, else readable from its Start block.
    Open,
    /// Every block in view, however small.
    Whole,
}

/// The Switchyard app.
pub struct SwitchyardApp {
    document: Document,
    runner: Runner,
    console: Console,
    inspector: Inspector,
    /// The block shown in the inspector.
    selected: Option<String>,
    /// What the snarl widget had selected last frame (to notice changes).
    canvas_selection: Vec<egui_snarl::NodeId>,
    statuses: HashMap<String, BlockStatus>,
    carried: HashMap<PortRef, String>,
    outcome: Option<Outcome>,
    source: VariablesSource,
    /// The global variables panel; it also knows the globals' names.
    settings: Settings,
    to_global: TSTransform,
    dirty: bool,
    /// Something may have changed the flow: compare with the saved text at the frame's end.
    check_dirty: bool,
    title: String,
    notice: Option<(String, bool)>,
    run_on_start: bool,
    screenshot: Option<PathBuf>,
    screenshot_requested: bool,
    runs_finished: u32,
    report_first_frame: Option<std::time::Instant>,
    /// How to place the flow in the canvas on the next frame (after opening one, or
    /// when asked to show it whole).
    fit_pending: Option<Fit>,
    history: History,
    /// The block whose inspector field changed this frame (joins keystrokes into one step).
    edit_key: Option<String>,
    /// What Copy put on the clipboard (the flow format), and how often it was pasted.
    clipboard: Option<String>,
    pastes: u32,
    dialogs: Arc<dyn FileDialogs>,
    dialog: Option<(DialogPurpose, std::sync::mpsc::Receiver<Option<PathBuf>>)>,
    recent: RecentFiles,
    /// Unsaved work waits on this answer: save, don't save, or cancel.
    prompt: Option<Then>,
    /// The window may close now (the user answered the prompt).
    allow_close: bool,
    recovery: Option<Recovery>,
    /// Unsaved work found from an earlier session, offered for restoring.
    offer: Option<Recovered>,
    autosave_after: Duration,
    /// When the flow last changed (egui time, seconds), and whether that state is autosaved.
    last_change: f64,
    autosaved: bool,
    show_shortcuts: bool,
    /// Where each block was drawn on screen last frame, by block id.
    node_rects: HashMap<String, egui::Rect>,
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
        let mut console = Console::new();
        let last = storage.and_then(|s| s.get_string(LAST_FLOW_KEY)).map(PathBuf::from);
        let mut recent =
            storage.and_then(|s| s.get_string(RECENT_KEY)).map(|t| RecentFiles::from_storage(&t)).unwrap_or_default();
        let document = match options.flow.clone().or(last) {
            Some(path) => match switchyard_flow::load(&path) {
                Ok(flow) => {
                    recent.add(path.clone());
                    Document::from_flow(flow, Some(path))
                }
                Err(error) => {
                    console.push_error(format!("cannot open the flow: {error}"));
                    example_document()
                }
            },
            None => example_document(),
        };
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
        let mut app = Self {
            document,
            runner: Runner::new(handle),
            console,
            inspector: Inspector::default(),
            selected: None,
            canvas_selection: Vec::new(),
            statuses: HashMap::new(),
            carried: HashMap::new(),
            outcome: None,
            source,
            settings,
            to_global: TSTransform::IDENTITY,
            dirty: false,
            check_dirty: true,
            title: String::new(),
            notice: None,
            run_on_start: options.run_on_start,
            screenshot: options.screenshot,
            screenshot_requested: false,
            runs_finished: 0,
            report_first_frame: options.report_first_frame,
            fit_pending: Some(Fit::Open),
            history,
            edit_key: None,
            clipboard: None,
            pastes: 0,
            dialogs: options.dialogs.unwrap_or_else(|| Arc::new(NativeDialogs)),
            dialog: None,
            recent,
            prompt: None,
            allow_close: false,
            recovery,
            offer,
            autosave_after: options.autosave_after.unwrap_or(AUTOSAVE_AFTER),
            last_change: 0.0,
            autosaved: true,
            show_shortcuts: false,
            node_rects: HashMap::new(),
        };
        app.dirty = app.document.is_dirty();
        app
    }

    /// The document (for tests).
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The document, to change it as the canvas would (for tests).
    pub fn document_mut(&mut self) -> &mut Document {
        self.check_dirty = true;
        &mut self.document
    }

    /// The console (for tests).
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// What the last run did to each block (for tests).
    pub fn statuses(&self) -> &HashMap<String, BlockStatus> {
        &self.statuses
    }

    /// Where block `id` was drawn on the screen last frame (its header, body and ports).
    pub fn block_rect(&self, id: &str) -> Option<egui::Rect> {
        self.node_rects.get(id).copied()
    }

    /// The canvas's graph → screen transform (block widgets are laid out in graph space).
    pub fn canvas_transform(&self) -> TSTransform {
        self.to_global
    }

    /// The block shown in the inspector.
    pub fn selected_block(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// How the last run ended.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// Whether a run is going on.
    pub fn is_running(&self) -> bool {
        self.runner.is_running()
    }

    /// Carries out a command.
    pub fn apply(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::New => self.request(Then::New, ctx),
            Command::Open => self.request(Then::Open, ctx),
            Command::Save => self.save(Then::Nothing, ctx),
            Command::SaveAs => self.ask_file(DialogPurpose::SaveAs(Then::Nothing), ctx),
            Command::Undo | Command::Redo => {
                let state = if command == Command::Undo { self.history.undo() } else { self.history.redo() };
                if let Some(flow) = state {
                    self.show_state(&flow);
                }
            }
            Command::Copy => self.copy(ctx),
            Command::Paste => {
                if let Some(text) = self.clipboard.clone() {
                    self.paste(&text);
                }
            }
            Command::Duplicate => {
                let nodes = self.selected_nodes(ctx);
                self.duplicate(&nodes);
            }
            Command::DeleteSelected => {
                for node in self.selected_nodes(ctx) {
                    self.delete_block(node);
                }
            }
            Command::Run => self.start_run(ctx),
            Command::Stop => self.runner.stop(),
            Command::Settings => self.settings.open(),
            Command::Shortcuts => self.show_shortcuts = true,
            Command::ShowWholeFlow => {
                self.fit_pending = Some(Fit::Whole);
                ctx.request_repaint();
            }
        }
    }

    /// The blocks selected on the canvas, else the one in the inspector.
    fn selected_nodes(&self, ctx: &egui::Context) -> Vec<egui_snarl::NodeId> {
        let mut nodes = get_selected_nodes(egui::Id::new(CANVAS_ID), ctx);
        nodes.retain(|node| self.document.snarl.get_node(*node).is_some());
        if nodes.is_empty()
            && let Some(node) = self.selected.as_deref().and_then(|id| self.document.node_of(id))
        {
            nodes.push(node);
        }
        nodes
    }

    fn start_run(&mut self, ctx: &egui::Context) {
        let flow = self.document.to_flow();
        // The rules a flow file is held to: one start block, wires that fit, valid jq.
        if let Err(problems) = flow.validate() {
            let error = switchyard_flow::FlowError::Invalid { file: display_name(&flow.name), problems };
            self.console.push_error(format!("the flow cannot run:\n{error}"));
            return;
        }
        self.statuses.clear();
        self.carried.clear();
        self.outcome = None;
        let wake = ctx.clone();
        self.runner.set_base_dir(self.document.path.as_deref().and_then(std::path::Path::parent).map(Into::into));
        self.runner.start(flow, self.source.clone(), move || wake.request_repaint());
    }

    /// Shows an undo or redo state.
    fn show_state(&mut self, flow: &Flow) {
        self.document.restore(flow);
        // The inspector's drafts (a JSON body as typed) belong to the state left behind.
        self.inspector.reset();
        if self.selected.as_deref().is_some_and(|id| self.document.node_of(id).is_none()) {
            self.selected = None;
        }
        self.check_dirty = true;
    }

    /// Copies the selected blocks and the wires between them to the clipboard, as a
    /// fragment in the flow format (pasting into a text editor shows readable JSON).
    fn copy(&mut self, ctx: &egui::Context) {
        let nodes = self.selected_nodes(ctx);
        if nodes.is_empty() {
            return;
        }
        let text = self.document.fragment(&nodes).to_json();
        ctx.copy_text(text.clone());
        self.clipboard = Some(text);
        self.pastes = 0;
        self.notice = Some((format!("copied {} block{}", nodes.len(), plural(nodes.len())), false));
    }

    /// Pastes blocks from clipboard text (the flow format); other text is ignored.
    fn paste(&mut self, text: &str) {
        let fragment = match Flow::fragment_from_json(text) {
            Ok(fragment) => fragment,
            Err(error) => {
                if text.trim_start().starts_with('{') {
                    self.notice = Some((format!("cannot paste: {error}"), true));
                }
                return;
            }
        };
        self.pastes += 1;
        let offset = PASTE_OFFSET * self.pastes as f32;
        self.insert_fragment(&fragment, offset);
    }

    /// A pasted curl command becomes a Send Request block at the pointer. A literal
    /// credential in it becomes a `{{name}}`; the notice says how to store it.
    fn paste_curl(&mut self, text: &str, ctx: &egui::Context) {
        let cwd = std::env::current_dir().unwrap_or_default();
        let flow_dir = self.document.path.as_deref().and_then(std::path::Path::parent);
        let imported = match switchyard_import::curl_command(text, &cwd, flow_dir) {
            Ok(imported) => imported,
            Err(error) => {
                self.notice = Some((format!("cannot paste the curl command: {}", error.message), true));
                return;
            }
        };
        let Some(mut block) = imported.flow.block("request").cloned() else { return };
        let pointer = ctx.pointer_latest_pos().map_or(Pos2::new(300.0, 120.0), |p| self.to_global.inverse() * p);
        block.at = [pointer.x, pointer.y];
        let fragment = Flow { name: "pasted curl".to_owned(), blocks: vec![block], wires: Vec::new() };
        self.insert_fragment(&fragment, Vec2::ZERO);
        let mut notes: Vec<String> = imported
            .variables
            .iter()
            .map(|v| format!("store `{}` as a secret in Settings ({})", v.name, v.origin))
            .collect();
        notes.extend(imported.report.warnings.iter().cloned());
        let message = match notes.as_slice() {
            [] => "pasted the curl command as a Send Request block".to_owned(),
            notes => format!("pasted the curl command: {}", notes.join("; ")),
        };
        self.notice = Some((message, !imported.report.warnings.is_empty()));
    }

    /// Puts a Send Request block on the clipboard as a curl command: plain globals
    /// filled in, secrets as `$NAME` shell references.
    fn copy_as_curl(&mut self, node: egui_snarl::NodeId, ctx: &egui::Context) {
        let Some(BlockKind::SendRequest(request)) = self.document.snarl.get_node(node).map(|n| &n.block.kind) else {
            return;
        };
        let settings = &self.settings;
        let lookup = |name: &str| match settings.globals().get(name) {
            Some(true) => Resolved::Secret,
            Some(false) => Resolved::Plain(settings.plain_value(name).unwrap_or_default().to_owned()),
            None => Resolved::Unknown,
        };
        let base_dir = self.document.path.as_deref().and_then(std::path::Path::parent);
        let export = switchyard_import::export_curl(request, &lookup, base_dir);
        ctx.copy_text(export.command.clone());
        let message = match export.warnings.as_slice() {
            [] => "copied as curl".to_owned(),
            warnings => format!("copied as curl: {}", warnings.join("; ")),
        };
        self.notice = Some((message, false));
    }

    fn duplicate(&mut self, nodes: &[egui_snarl::NodeId]) {
        if nodes.is_empty() {
            return;
        }
        let fragment = self.document.fragment(nodes);
        self.insert_fragment(&fragment, PASTE_OFFSET);
    }

    fn insert_fragment(&mut self, fragment: &Flow, offset: Vec2) {
        let (nodes, skipped) = self.document.paste(fragment, offset);
        if let Some(last) = nodes.last().and_then(|n| self.document.snarl.get_node(*n)) {
            self.selected = Some(last.block.id.clone());
        }
        if skipped > 0 {
            self.notice = Some(("the flow has a Start block already: pasted without the copied one".to_owned(), false));
        }
        self.check_dirty = true;
    }

    /// Does `then`, first asking what to do with unsaved work, if there is any.
    fn request(&mut self, then: Then, ctx: &egui::Context) {
        if self.dirty && then != Then::Nothing {
            self.prompt = Some(then);
        } else {
            self.perform(then, ctx);
        }
    }

    /// Does `then`: unsaved work, if any, was saved or given up.
    fn perform(&mut self, then: Then, ctx: &egui::Context) {
        match then {
            Then::Nothing => {}
            Then::New => {
                let document = Document::from_flow(Flow::new("Untitled flow"), None);
                self.replace_document(document);
            }
            Then::Open => self.ask_file(DialogPurpose::Open, ctx),
            Then::OpenPath(path) => self.open_path(path),
            Then::Close => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Gives up the unsaved work: its recovery file goes too.
    fn discard_changes(&mut self) {
        if let Some(recovery) = &self.recovery {
            recovery.discard(self.document.path.as_deref());
        }
    }

    fn open_path(&mut self, path: PathBuf) {
        match switchyard_flow::load(&path) {
            Ok(flow) => {
                self.recent.add(path.clone());
                self.notice = Some((format!("opened {}", path.display()), false));
                self.replace_document(Document::from_flow(flow, Some(path)));
            }
            Err(error) => {
                if !path.exists() {
                    self.recent.remove(&path);
                }
                self.console.push_error(format!("cannot open the flow: {error}"));
                self.notice = Some((format!("not opened: {}", path.display()), true));
            }
        }
    }

    /// Shows another flow: a fresh history, no run results, and the offer to restore
    /// unsaved work if a recovery file holds some for it.
    fn replace_document(&mut self, document: Document) {
        self.document = document;
        let flow = self.document.to_flow();
        self.offer = self
            .recovery
            .as_ref()
            .and_then(|r| r.find(self.document.path.as_deref()))
            .filter(|found| found.flow != flow);
        self.history = History::new(flow);
        self.inspector.reset();
        self.selected = None;
        self.statuses.clear();
        self.carried.clear();
        self.outcome = None;
        self.fit_pending = Some(Fit::Open);
        self.autosaved = true;
        self.check_dirty = true;
    }

    /// Opens a file dialog on a blocking thread; the answer arrives in a later frame.
    fn ask_file(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
        if self.dialog.is_some() {
            return;
        }
        let folder = self
            .document
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .or_else(|| self.recent.paths().first().and_then(|p| p.parent()))
            .map(PathBuf::from);
        let request = match purpose {
            DialogPurpose::Open => DialogRequest::Open { folder },
            DialogPurpose::SaveAs(_) => {
                let file_name = match &self.document.path {
                    Some(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    None => suggested_file_name(&self.document.name),
                };
                DialogRequest::Save { folder, file_name }
            }
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let dialogs = Arc::clone(&self.dialogs);
        let wake = ctx.clone();
        self.runner.handle().spawn_blocking(move || {
            // The app may have closed meanwhile; nobody to tell then.
            let _ = tx.send(dialogs.ask(&request));
            wake.request_repaint();
        });
        self.dialog = Some((purpose, rx));
    }

    /// Takes the answer of an open file dialog.
    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some((purpose, rx)) = &self.dialog else { return };
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        };
        let purpose = purpose.clone();
        self.dialog = None;
        let Some(path) = answer else { return };
        match purpose {
            DialogPurpose::Open => self.open_path(path),
            DialogPurpose::SaveAs(then) => {
                if self.save_to(with_flow_extension(path)) {
                    self.perform(then, ctx);
                }
            }
        }
    }

    /// Saves to the flow's file (asking where if it has none), then does `then`.
    fn save(&mut self, then: Then, ctx: &egui::Context) {
        match self.document.path.clone() {
            Some(path) => {
                if self.save_to(path) {
                    self.perform(then, ctx);
                }
            }
            None => self.ask_file(DialogPurpose::SaveAs(then), ctx),
        }
    }

    /// Saves the flow to `path` (atomically: a temporary file, then a rename).
    fn save_to(&mut self, path: PathBuf) -> bool {
        let flow = self.document.to_flow();
        match switchyard_flow::save(&path, &flow) {
            Ok(()) => {
                if let Some(recovery) = &self.recovery {
                    recovery.discard(self.document.path.as_deref());
                    recovery.discard(Some(&path));
                }
                self.document.mark_saved(path.clone(), flow.to_json());
                self.recent.add(path.clone());
                self.notice = Some((format!("saved {}", path.display()), false));
                self.autosaved = true;
                self.refresh_dirty();
                true
            }
            Err(error) => {
                self.console.push_error(error.to_string());
                self.notice = Some((format!("not saved: {error}"), true));
                false
            }
        }
    }

    fn refresh_dirty(&mut self) {
        self.dirty = self.document.is_dirty();
    }

    /// Records the flow in the undo history if it changed, and autosaves unsaved work
    /// to the recovery file a moment after the last change.
    fn track_changes(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        let key = self.edit_key.take();
        if std::mem::take(&mut self.check_dirty) {
            let flow = self.document.to_flow();
            if self.history.record(flow, key.as_deref(), now) {
                self.last_change = now;
                self.autosaved = false;
            }
            let was_dirty = self.dirty;
            self.dirty = !self.document.is_saved_as(self.history.current());
            if was_dirty && !self.dirty {
                // Back to what is saved (an undo): nothing to recover.
                self.discard_changes();
                self.autosaved = true;
            }
        }
        let Some(recovery) = &self.recovery else { return };
        if !self.dirty || self.autosaved {
            return;
        }
        let wait = self.autosave_after.as_secs_f64() - (now - self.last_change);
        if wait > 0.0 {
            ctx.request_repaint_after(Duration::from_secs_f64(wait));
            return;
        }
        self.autosaved = true;
        if let Err(error) = recovery.write(self.document.path.as_deref(), self.history.current()) {
            self.console.push_error(format!(
                "cannot autosave unsaved work to {}: {error}",
                recovery.file_for(self.document.path.as_deref()).display()
            ));
        }
    }

    /// Applies what the runner reported since the last frame.
    fn poll_run(&mut self) {
        for (elapsed, message) in self.runner.poll() {
            match message {
                RunMessage::Event(event) => self.apply_event(elapsed, &event),
                RunMessage::Error(message) => self.console.push_error(message),
                RunMessage::Ended => {
                    self.runs_finished += 1;
                    self.statuses.retain(|_, status| *status != BlockStatus::Running);
                }
            }
        }
    }

    fn apply_event(&mut self, elapsed: Duration, event: &Event) {
        self.console.push(elapsed, event);
        match event {
            Event::BlockStarted { block, .. } => {
                self.statuses.insert(block.clone(), BlockStatus::Running);
            }
            Event::BlockFinished { block, port, value, summary, .. } => {
                self.statuses.insert(block.clone(), BlockStatus::Finished { port: *port, summary: summary.clone() });
                let mut text = value.to_string();
                if text.len() > 400 {
                    text = text.chars().take(400).collect::<String>() + "…";
                }
                self.carried.insert(PortRef::new(block.as_str(), *port), text);
            }
            Event::RunFinished { outcome, .. } => self.outcome = Some(*outcome),
            _ => {}
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if self.prompt.is_some() || self.offer.is_some() {
            return;
        }
        let typing = ctx.egui_wants_keyboard_input();
        // Shift variants first: Ctrl+Z would also match Ctrl+Shift+Z.
        let mut order = Command::ALL;
        order.sort_by_key(|c| !c.shortcut().is_some_and(|s| s.modifiers.shift));
        for command in order {
            let Some(shortcut) = command.shortcut() else { continue };
            if typing && command.is_canvas_edit() {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.apply(command, ctx);
            }
        }
        if !typing && ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Y))) {
            self.apply(Command::Redo, ctx);
        }
        // The window system turns Ctrl+C / Ctrl+V into copy and paste events.
        if !typing {
            let (copy, pasted) = ctx.input(|i| {
                let copy = i.events.iter().any(|e| matches!(e, egui::Event::Copy | egui::Event::Cut));
                let pasted = i.events.iter().find_map(|e| match e {
                    egui::Event::Paste(text) => Some(text.clone()),
                    _ => None,
                });
                (copy, pasted)
            });
            if copy {
                self.apply(Command::Copy, ctx);
            }
            if let Some(text) = pasted {
                if is_curl_command(&text) {
                    self.paste_curl(&text, ctx);
                } else {
                    self.paste(&text);
                }
            }
        }
    }

    /// A menu entry that runs `command`, showing its shortcut.
    fn menu_item(&mut self, ui: &mut Ui, command: Command, enabled: bool) {
        let shortcut = command.shortcut().map(|s| ui.ctx().format_shortcut(&s)).unwrap_or_default();
        if ui.add_enabled(enabled, egui::Button::new(command.label()).shortcut_text(shortcut)).clicked() {
            ui.close();
            self.apply(command, ui.ctx());
        }
    }

    fn menus(&mut self, ui: &mut Ui) {
        ui.menu_button("File", |ui| {
            self.menu_item(ui, Command::New, true);
            self.menu_item(ui, Command::Open, true);
            ui.menu_button("Open Recent", |ui| {
                if self.recent.paths().is_empty() {
                    ui.label(RichText::new("No recent flows").weak());
                }
                for path in self.recent.paths().to_vec() {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    if ui.button(name).on_hover_text(path.display().to_string()).clicked() {
                        ui.close();
                        self.request(Then::OpenPath(path), ui.ctx());
                    }
                }
            });
            ui.separator();
            self.menu_item(ui, Command::Save, true);
            self.menu_item(ui, Command::SaveAs, true);
            ui.separator();
            self.menu_item(ui, Command::Settings, true);
        });
        ui.menu_button("Edit", |ui| {
            let (undo, redo) = (self.history.can_undo(), self.history.can_redo());
            self.menu_item(ui, Command::Undo, undo);
            self.menu_item(ui, Command::Redo, redo);
            ui.separator();
            self.menu_item(ui, Command::Copy, true);
            let can_paste = self.clipboard.is_some();
            self.menu_item(ui, Command::Paste, can_paste);
            self.menu_item(ui, Command::Duplicate, true);
            self.menu_item(ui, Command::DeleteSelected, true);
        });
        ui.menu_button("View", |ui| {
            let whole = egui::Button::new(Command::ShowWholeFlow.label()).shortcut_text("double-click canvas");
            if ui.add(whole).clicked() {
                ui.close();
                self.apply(Command::ShowWholeFlow, ui.ctx());
            }
        });
        ui.menu_button("Help", |ui| {
            self.menu_item(ui, Command::Shortcuts, true);
        });
    }

    /// Help → Keyboard shortcuts.
    fn shortcuts_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_shortcuts;
        egui::Window::new("Keyboard shortcuts").open(&mut open).collapsible(false).resizable(false).show(ctx, |ui| {
            egui::Grid::new("shortcuts").num_columns(2).striped(true).show(ui, |ui| {
                for command in Command::ALL {
                    let Some(shortcut) = command.shortcut() else { continue };
                    ui.label(command.label().trim_start_matches(['▶', '■', ' ']));
                    ui.label(RichText::new(ctx.format_shortcut(&shortcut)).monospace());
                    ui.end_row();
                }
                ui.label("Redo (also)");
                ui.label(
                    RichText::new(ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Y))).monospace(),
                );
                ui.end_row();
            });
            ui.add_space(4.0);
            ui.label(
                RichText::new("Copy, paste, undo and Delete act on blocks unless a text field has the keyboard.")
                    .small()
                    .weak(),
            );
        });
        self.show_shortcuts = open;
    }

    /// Save changes? before losing unsaved work; and the offer to restore work from a crash.
    fn dialogs(&mut self, ctx: &egui::Context) {
        if let Some(then) = self.prompt.clone() {
            let name = display_name(&self.document.name);
            let mut answer = None;
            egui::Modal::new(egui::Id::new("unsaved-prompt")).show(ctx, |ui| {
                ui.set_max_width(380.0);
                ui.heading("Save changes?");
                ui.label(format!("“{name}” has changes that are not saved."));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        answer = Some(0);
                    }
                    if ui.button("Don't save").clicked() {
                        answer = Some(1);
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(2);
                    }
                });
            });
            match answer {
                Some(0) => {
                    self.prompt = None;
                    self.save(then, ctx);
                }
                Some(1) => {
                    self.prompt = None;
                    self.discard_changes();
                    self.perform(then, ctx);
                }
                Some(_) => self.prompt = None,
                None => {}
            }
        }
        if let Some(found) = &self.offer {
            let name = display_name(&found.flow.name);
            let when = ago(found.saved_at, std::time::SystemTime::now());
            let mut answer = None;
            egui::Modal::new(egui::Id::new("recovery-offer")).show(ctx, |ui| {
                ui.set_max_width(420.0);
                ui.heading("Restore unsaved work?");
                ui.label(format!("Switchyard did not close properly. Changes to “{name}” from {when} were not saved."));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Restore").clicked() {
                        answer = Some(true);
                    }
                    if ui.button("Discard").clicked() {
                        answer = Some(false);
                    }
                });
            });
            match answer {
                Some(true) => {
                    if let Some(found) = self.offer.take() {
                        self.show_state(&found.flow);
                        self.notice = Some(("restored unsaved work".to_owned(), false));
                    }
                }
                Some(false) => {
                    self.offer = None;
                    self.discard_changes();
                }
                None => {}
            }
        }
    }

    fn top_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            self.menus(ui);
            if ui.button("⚙").on_hover_text("Global variables").clicked() {
                self.apply(Command::Settings, ui.ctx());
            }
            ui.separator();
            let running = self.runner.is_running();
            if ui.add_enabled(!running, egui::Button::new(RichText::new(Command::Run.label()).color(SUCCESS))).clicked()
            {
                self.apply(Command::Run, ui.ctx());
            }
            if ui.add_enabled(running, egui::Button::new(RichText::new(Command::Stop.label()).color(FAILURE))).clicked()
            {
                self.apply(Command::Stop, ui.ctx());
            }
            ui.separator();
            let marker = if self.dirty { " •" } else { "" };
            ui.label(RichText::new(format!("{}{marker}", display_name(&self.document.name))).strong()).on_hover_text(
                self.document.path.as_ref().map_or("not saved yet".to_owned(), |p| p.display().to_string()),
            );
            if running {
                ui.label(RichText::new("running…").color(RUNNING));
            } else if let Some(outcome) = self.outcome {
                let color = match outcome {
                    Outcome::Ok => SUCCESS,
                    Outcome::Failed | Outcome::Limit => FAILURE,
                    Outcome::Cancelled => RUNNING,
                };
                ui.label(RichText::new(format!("run {}", outcome.as_str())).color(color).strong());
            }
            if let Some((notice, is_error)) = &self.notice {
                let color = if *is_error { FAILURE } else { ui.visuals().weak_text_color() };
                ui.label(RichText::new(notice).color(color).small());
            }
        });
    }

    fn palette(&mut self, ui: &mut Ui) {
        ui.heading("Blocks");
        ui.label(RichText::new("Drag onto the canvas, or right-click the canvas.").small().weak());
        ui.add_space(6.0);
        for group in switchyard_flow::Group::ALL {
            ui.label(RichText::new(group.label()).small().strong());
            for kind in NewBlock::all().filter(|k| k.0.group == group) {
                let id = egui::Id::new(("palette", kind.label()));
                ui.dnd_drag_source(id, kind, |ui| {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_min_width(120.0);
                        ui.label(kind.label());
                    });
                })
                .response
                .on_hover_text(kind.0.description);
                ui.add_space(2.0);
            }
            ui.add_space(6.0);
        }
    }

    fn inspector_panel(&mut self, ui: &mut Ui) {
        ui.heading("Inspector");
        let Some(node) = self.selected.as_deref().and_then(|id| self.document.node_of(id)) else {
            ui.label(RichText::new("Select a block to edit it.").weak());
            return;
        };
        let globals = self.settings.globals();
        let is_defined = |name: &str| template::input_path(name).is_some() || globals.contains_key(name);
        let changed = match self.document.snarl.get_node_mut(node) {
            Some(node) => self.inspector.ui(ui, &mut node.block, &is_defined, globals),
            None => false,
        };
        if changed {
            // One undo step per burst of typing in this block.
            self.edit_key = self.selected.clone();
            self.check_dirty = true;
        }
    }

    fn canvas(&mut self, ui: &mut Ui) {
        let mut viewer = CanvasViewer {
            wires: &mut self.document.wires,
            statuses: &self.statuses,
            input_rects: HashMap::new(),
            output_rects: HashMap::new(),
            selected: self.selected.as_deref(),
            requests: Vec::new(),
            wires_changed: false,
            to_global: self.to_global,
            node_rects: HashMap::new(),
            fit: match self.fit_pending.take() {
                Some(Fit::Open) => crate::canvas::fit_transform(&self.document.snarl, ui.max_rect()),
                Some(Fit::Whole) => crate::canvas::whole_flow_transform(&self.document.snarl, ui.max_rect()),
                None => None,
            },
        };
        // Text on blocks is not selectable: a drag on a label moves the block.
        ui.style_mut().interaction.selectable_labels = false;
        let response = SnarlWidget::new().id(egui::Id::new(CANVAS_ID)).style(canvas_style()).show(
            &mut self.document.snarl,
            &mut viewer,
            ui,
        );
        let requests = std::mem::take(&mut viewer.requests);
        let wires_changed = viewer.wires_changed;
        self.to_global = viewer.to_global;
        // Blocks are laid out in graph coordinates; the canvas layer maps them to the screen.
        let to_global = self.to_global;
        self.node_rects = viewer
            .node_rects
            .into_iter()
            .filter_map(|(node, rect)| Some((self.document.snarl.get_node(node)?.block.id.clone(), to_global * rect)))
            .collect();

        let (outputs, inputs) = (std::mem::take(&mut viewer.output_rects), std::mem::take(&mut viewer.input_rects));
        self.wire_markers(ui, &outputs, &inputs);

        if let Some(kind) = response.dnd_release_payload::<NewBlock>()
            && let Some(pointer) = ui.ctx().pointer_interact_pos()
        {
            let at = self.to_global.inverse() * pointer;
            self.add_block(*kind, at);
        }
        for request in requests {
            match request {
                CanvasRequest::Add(kind, at) => self.add_block(kind, at),
                CanvasRequest::Delete(node) => self.delete_block(node),
                CanvasRequest::Duplicate(node) => self.duplicate(&[node]),
                CanvasRequest::CopyAsCurl(node) => self.copy_as_curl(node, ui.ctx()),
            }
        }

        let selection = get_selected_nodes(egui::Id::new(CANVAS_ID), ui.ctx());
        if selection != self.canvas_selection {
            if let Some(node) = selection.last().and_then(|n| self.document.snarl.get_node(*n)) {
                self.selected = Some(node.block.id.clone());
            }
            self.canvas_selection = selection;
        }
        // Moving a block changes the flow without a callback: check when a drag ends.
        let released = ui.input(|i| i.pointer.any_released());
        self.check_dirty |= wires_changed || released;
    }

    /// A marker half-way along each wire that carried a value in the last run; hovering
    /// it shows the value (already masked by the engine). egui-snarl draws wires as
    /// curves symmetric about their midpoint, so the marker sits on the wire.
    fn wire_markers(
        &self,
        ui: &mut Ui,
        outputs: &HashMap<egui_snarl::OutPinId, egui::Rect>,
        inputs: &HashMap<egui_snarl::InPinId, egui::Rect>,
    ) {
        if self.carried.is_empty() {
            return;
        }
        // A layer above the canvas's, so the markers take the hover.
        let layer = egui::LayerId::new(ui.layer_id().order, egui::Id::new("switchyard-wire-markers"));
        ui.ctx().set_sublayer(ui.layer_id(), layer);
        let clip = ui.clip_rect();
        let mut markers = ui.new_child(egui::UiBuilder::new().layer_id(layer).max_rect(ui.max_rect()));
        markers.set_clip_rect(clip);
        for wire in &self.document.wires {
            let Some(text) = self.carried.get(&wire.from) else { continue };
            let Some((from, to)) = self.document.pins(wire) else { continue };
            let (Some(out_row), Some(in_row)) = (outputs.get(&from), inputs.get(&to)) else { continue };
            let start = self.to_global * (out_row.right_center() + Vec2::new(4.0, 0.0));
            let end = self.to_global * (in_row.left_center() - Vec2::new(10.0, 0.0));
            let middle = start + (end - start) / 2.0;
            if !clip.contains(middle) {
                continue;
            }
            let rect = egui::Rect::from_center_size(middle, Vec2::splat(14.0));
            let id = egui::Id::new(("switchyard-wire-marker", &wire.from, &wire.to));
            let response = markers.interact(rect, id, egui::Sense::hover());
            let radius = if response.hovered() { 6.5 } else { 5.0 };
            markers.painter().circle(middle, radius, RUNNING, egui::Stroke::new(1.5, Color32::from_gray(20)));
            response.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Other, true, "value carried"));
            response.on_hover_text(RichText::new(text).monospace());
        }
    }

    fn add_block(&mut self, kind: NewBlock, at: Pos2) {
        let node = self.document.add_block(kind, at);
        self.selected = self.document.snarl.get_node(node).map(|n| n.block.id.clone());
        self.check_dirty = true;
    }

    /// Removes a block and its wires, and forgets its editing state and selection.
    fn delete_block(&mut self, node: egui_snarl::NodeId) {
        if let Some(block) = self.document.remove_node(node) {
            self.inspector.forget(&block.id);
            if self.selected.as_deref() == Some(block.id.as_str()) {
                self.selected = None;
            }
            self.check_dirty = true;
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let marker = if self.dirty { " •" } else { "" };
        let title = format!("Switchyard — {}{marker}", display_name(&self.document.name));
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The window title: `Switchyard — NAME`, with ` •` while unsaved.
    pub fn title(&self) -> &str {
        &self.title
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(path) = self.screenshot.clone() else { return };
        let image = ctx.input(|i| {
            i.events.iter().find_map(|e| match e {
                egui::Event::Screenshot { image, .. } => Some(image.clone()),
                _ => None,
            })
        });
        if let Some(image) = image {
            if let Err(error) = crate::screenshot::save_png(&image, &path) {
                // Diagnostics for the person who asked for a screenshot; a closed stderr
                // leaves nobody to tell, so a failed write is dropped, not a panic.
                let _ = writeln!(std::io::stderr(), "error: cannot save the screenshot: {error}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if (self.runs_finished > 0 || self.settings.is_settled()) && !self.screenshot_requested {
            self.screenshot_requested = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::UserData::default()));
        }
        ctx.request_repaint();
    }

    /// One frame of the whole app inside `ui`.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if self.run_on_start {
            self.run_on_start = false;
            self.apply(Command::Run, &ctx);
        }
        self.poll_run();
        self.poll_dialog(&ctx);
        if ctx.input(|i| i.viewport().close_requested()) && self.dirty && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.prompt = Some(Then::Close);
        }
        self.shortcuts(&ctx);

        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::left("palette").resizable(false).default_size(150.0).show(ui, |ui| self.palette(ui));
        egui::Panel::right("inspector").resizable(true).default_size(340.0).show(ui, |ui| {
            self.inspector_panel(ui);
        });
        egui::Panel::bottom("console").resizable(true).default_size(230.0).show(ui, |ui| {
            if let Some(block) = self.console.ui(ui) {
                self.selected = Some(block);
            }
        });
        egui::CentralPanel::default().show(ui, |ui| self.canvas(ui));
        self.settings.show(&ctx);
        self.shortcuts_window(&ctx);
        self.dialogs(&ctx);

        self.track_changes(&ctx);
        self.update_title(&ctx);
        self.screenshot_step(&ctx);
        if let Some(started) = self.report_first_frame.take() {
            let ms = started.elapsed().as_secs_f64() * 1e3;
            // As above: a closed stderr must not panic the app.
            let _ = writeln!(std::io::stderr(), "first frame after {ms:.1} ms");
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
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
        if let Some(path) = &self.document.path {
            storage.set_string(LAST_FLOW_KEY, path.display().to_string());
        }
        storage.set_string(RECENT_KEY, self.recent.to_storage());
    }
}

fn example_document() -> Document {
    match Flow::from_json(EXAMPLE_FLOW, "example") {
        Ok(flow) => Document::from_flow(flow, None),
        Err(_) => Document::from_flow(Flow::new("Untitled"), None),
    }
}

fn display_name(name: &str) -> String {
    if name.trim().is_empty() { "Untitled flow".to_owned() } else { name.to_owned() }
}

fn canvas_style() -> SnarlStyle {
    let mut style = SnarlStyle::new();
    style.bg_pattern_stroke = Some(egui::Stroke::new(1.0, Color32::from_gray(45)));
    style.lod_scale = Some(crate::canvas::LOD_SCALE);
    style.min_scale = Some(crate::canvas::MIN_SCALE);
    style
}

/// Whether pasted text is a curl command (`curl …`, also `curl.exe`).
fn is_curl_command(text: &str) -> bool {
    let text = text.trim_start();
    ["curl ", "curl\t", "curl\n", "curl.exe ", "curl ^"].iter().any(|start| text.starts_with(start))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
