//! The app: layout, the commands users give, and applying run events.
//!
//! Layout: top bar (File menu, Run ▶ / Stop ■, flow name with an unsaved marker, the
//! run's outcome), palette on the left, inspector on the right, console at the bottom,
//! canvas in the middle. Buttons, menus and shortcuts all send a [`Command`], applied
//! in [`SwitchyardApp::apply`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use egui::emath::TSTransform;
use egui::{Color32, Key, KeyboardShortcut, Modifiers, Pos2, RichText, Ui, Vec2};
use egui_snarl::ui::{SnarlStyle, SnarlWidget, get_selected_nodes};
use switchyard_engine::{Event, Outcome};
use switchyard_flow::{Flow, PortRef, template};
use tokio::runtime::Handle;

use crate::canvas::{BlockStatus, CanvasRequest, CanvasViewer, FAILURE, RUNNING, SUCCESS};
use crate::console::Console;
use crate::document::{Document, NewBlock};
use crate::inspector::Inspector;
use crate::runner::{RunMessage, Runner, VariablesSource};
use crate::settings::Settings;

/// The example flow shown when there is nothing else to open.
pub const EXAMPLE_FLOW: &str = include_str!("../../../flows/openai-models.flow.json");
const LAST_FLOW_KEY: &str = "switchyard.last_flow";
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
    /// Print the time from this instant (process start) to the end of the first frame
    /// on stderr, and quit (for the start-up benchmark).
    pub report_first_frame: Option<std::time::Instant>,
}

/// Something the user asks for: from a button, a menu or a shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run the flow.
    Run,
    /// Stop the run.
    Stop,
    /// Save the flow to its file.
    Save,
    /// Delete the selected blocks.
    DeleteSelected,
    /// Zoom the canvas out (or in, up to scale 1) to show every block.
    ShowWholeFlow,
}

impl Command {
    /// Every command, for shortcut handling.
    pub const ALL: [Command; 5] =
        [Command::Run, Command::Stop, Command::Save, Command::DeleteSelected, Command::ShowWholeFlow];

    /// The label on buttons and menus.
    pub fn label(self) -> &'static str {
        match self {
            Command::Run => "▶ Run",
            Command::Stop => "■ Stop",
            Command::Save => "Save",
            Command::DeleteSelected => "Delete block",
            Command::ShowWholeFlow => "Show whole flow",
        }
    }

    /// The keyboard shortcut, if any.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        match self {
            Command::Run => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter)),
            Command::Stop => Some(KeyboardShortcut::new(Modifiers::NONE, Key::Escape)),
            Command::Save => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::S)),
            Command::DeleteSelected => Some(KeyboardShortcut::new(Modifiers::NONE, Key::Delete)),
            // Ctrl+0 is egui's own "reset UI zoom".
            Command::ShowWholeFlow => None,
        }
    }
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
        let document = match options.flow.clone().or(last) {
            Some(path) => match switchyard_flow::load(&path) {
                Ok(flow) => Document::from_flow(flow, Some(path)),
                Err(error) => {
                    console.push_error(format!("cannot open the flow: {error}"));
                    example_document()
                }
            },
            None => example_document(),
        };
        let keychain = options.keychain.clone().unwrap_or_else(switchyard_vault::Keychain::system);
        let source = match &options.config_dir {
            Some(dir) => VariablesSource::Store(dir.clone(), keychain.clone()),
            None => VariablesSource::Fixed(options.variables.clone()),
        };
        let settings = Settings::new(ctx, handle.clone(), options.config_dir.clone(), keychain, &options.variables);
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

    /// How the last run ended.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// The canvas's graph → screen transform, as of the last frame.
    pub fn canvas_transform(&self) -> TSTransform {
        self.to_global
    }

    /// Whether a run is going on.
    pub fn is_running(&self) -> bool {
        self.runner.is_running()
    }

    /// Carries out a command.
    pub fn apply(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Run => self.start_run(ctx),
            Command::Stop => self.runner.stop(),
            Command::Save => self.save(),
            Command::DeleteSelected => {
                let mut nodes = get_selected_nodes(egui::Id::new(CANVAS_ID), ctx);
                if nodes.is_empty()
                    && let Some(node) = self.selected.as_deref().and_then(|id| self.document.node_of(id))
                {
                    nodes.push(node);
                }
                for node in nodes {
                    self.delete_block(node);
                }
            }
            Command::ShowWholeFlow => {
                self.fit_pending = Some(Fit::Whole);
                ctx.request_repaint();
            }
        }
    }

    fn start_run(&mut self, ctx: &egui::Context) {
        let flow = self.document.to_flow();
        // The same validation as a flow file gets: one start block, wires that fit.
        if let Err(error) = Flow::from_json(&flow.to_json(), &display_name(&flow.name)) {
            self.console.push_error(format!("the flow cannot run:\n{error}"));
            return;
        }
        self.statuses.clear();
        self.carried.clear();
        self.outcome = None;
        let wake = ctx.clone();
        self.runner.start(flow, self.source.clone(), move || wake.request_repaint());
    }

    fn save(&mut self) {
        let Some(path) = self.document.path.clone() else {
            self.notice = Some(("This flow has no file yet: Save As arrives with file dialogs.".to_owned(), true));
            return;
        };
        let flow = self.document.to_flow();
        match switchyard_flow::save(&path, &flow) {
            Ok(()) => {
                self.document.mark_saved(path.clone(), flow.to_json());
                self.notice = Some((format!("saved {}", path.display()), false));
            }
            Err(error) => {
                self.console.push_error(error.to_string());
                self.notice = Some((format!("not saved: {error}"), true));
            }
        }
        self.refresh_dirty();
    }

    fn refresh_dirty(&mut self) {
        self.dirty = self.document.is_dirty();
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
                self.statuses
                    .insert(block.clone(), BlockStatus::Finished { port: port.clone(), summary: summary.clone() });
                let mut text = value.to_string();
                if text.len() > 400 {
                    text = text.chars().take(400).collect::<String>() + "…";
                }
                self.carried.insert(PortRef::new(block.as_str(), port.as_str()), text);
            }
            Event::RunFinished { outcome, .. } => self.outcome = Some(*outcome),
            _ => {}
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        for command in Command::ALL {
            let Some(shortcut) = command.shortcut() else { continue };
            let plain_key = shortcut.modifiers == Modifiers::NONE;
            if plain_key && typing {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.apply(command, ctx);
            }
        }
    }

    fn top_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.menu_button("File", |ui| {
                let save = egui::Button::new(Command::Save.label()).shortcut_text("Ctrl+S");
                if ui.add(save).clicked() {
                    self.apply(Command::Save, ui.ctx());
                    ui.close();
                }
            });
            ui.menu_button("View", |ui| {
                let whole = egui::Button::new(Command::ShowWholeFlow.label()).shortcut_text("double-click canvas");
                if ui.add(whole).clicked() {
                    self.apply(Command::ShowWholeFlow, ui.ctx());
                    ui.close();
                }
            });
            if ui.button("⚙").on_hover_text("Global variables").clicked() {
                self.settings.open();
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
        for kind in NewBlock::ALL {
            let id = egui::Id::new(("palette", kind.label()));
            ui.dnd_drag_source(id, kind, |ui| {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_min_width(120.0);
                    ui.label(kind.label());
                });
            });
            ui.add_space(4.0);
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
            Some(node) => self.inspector.ui(ui, &mut node.block, &is_defined),
            None => false,
        };
        if changed {
            self.refresh_dirty();
        }
    }

    fn canvas(&mut self, ui: &mut Ui) {
        let mut viewer = CanvasViewer {
            wires: &mut self.document.wires,
            statuses: &self.statuses,
            carried: &self.carried,
            selected: self.selected.as_deref(),
            requests: Vec::new(),
            wires_changed: false,
            to_global: self.to_global,
            fit: match self.fit_pending.take() {
                Some(Fit::Open) => crate::canvas::fit_transform(&self.document.snarl, ui.max_rect()),
                Some(Fit::Whole) => crate::canvas::whole_flow_transform(&self.document.snarl, ui.max_rect()),
                None => None,
            },
        };
        let response = SnarlWidget::new().id(egui::Id::new(CANVAS_ID)).style(canvas_style()).show(
            &mut self.document.snarl,
            &mut viewer,
            ui,
        );
        let requests = std::mem::take(&mut viewer.requests);
        let wires_changed = viewer.wires_changed;
        self.to_global = viewer.to_global;

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
                CanvasRequest::Duplicate(node) => self.duplicate(node),
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

    fn add_block(&mut self, kind: NewBlock, at: Pos2) {
        let node = self.document.add_block(kind, at);
        self.selected = self.document.snarl.get_node(node).map(|n| n.block.id.clone());
        self.refresh_dirty();
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

    fn duplicate(&mut self, node: egui_snarl::NodeId) {
        let Some(info) = self.document.snarl.get_node_info(node) else { return };
        let mut block = info.value.block.clone();
        let at = info.pos + Vec2::new(30.0, 30.0);
        block.id = self.document.fresh_id(&block.id);
        self.selected = Some(block.id.clone());
        self.document.insert(block, at);
        self.refresh_dirty();
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
                eprintln!("error: cannot save the screenshot: {error}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if self.runs_finished > 0 && !self.screenshot_requested {
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

        if std::mem::take(&mut self.check_dirty) {
            self.refresh_dirty();
        }
        self.update_title(&ctx);
        self.screenshot_step(&ctx);
        if let Some(started) = self.report_first_frame.take() {
            eprintln!("first frame after {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
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
        // Only the path of the open flow: never a variable, never a secret.
        if let Some(path) = &self.document.path {
            storage.set_string(LAST_FLOW_KEY, path.display().to_string());
        }
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
