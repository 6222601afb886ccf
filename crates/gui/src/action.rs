//! What the user can ask the app to do, as data.
//!
//! [`Action`] is the one list of changes: widgets (canvas, palette, inspector, console,
//! menus, dialogs) and shortcuts queue actions while the frame is drawn, and the app
//! applies them after it, in one place (`SwitchyardApp::apply`), which is also
//! where the undo history is recorded. [`Command`] is the face of the actions that
//! have a label and a shortcut: buttons, menus, the shortcut list and the keyboard all
//! send the same `Command`, which becomes its `Action`.

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers, Pos2};
use egui_snarl::{InPinId, OutPinId};
use switchyard_flow::Block;

use crate::document::NewBlock;

/// A change the user asked for, applied once per frame by the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start a new flow (asking about unsaved work first).
    New,
    /// Ask for a flow file to open (asking about unsaved work first).
    Open,
    /// Open this flow file (asking about unsaved work first).
    OpenPath(PathBuf),
    /// Open this bundled example (asking about unsaved work first).
    OpenExample(crate::examples::Example),
    /// Dismiss the welcome hint (for good: kept in eframe's storage).
    DismissWelcome,
    /// Save the flow to its file (asks where when it has none).
    Save,
    /// Save the flow to a new file.
    SaveAs,
    /// The answer to "Save changes?".
    AnswerUnsaved(Answer),
    /// Restore the unsaved work found from a crash (`true`) or discard it.
    AnswerRecovery(bool),
    /// Store the credential a pasted curl command held as a secret (`true`), or not now.
    AnswerCredential(bool),
    /// Run with this environment of the store on top of the globals (`None`: globals only).
    SelectEnvironment(Option<String>),
    /// The window asked to close.
    CloseRequested,
    /// Quit (asking about unsaved work first).
    Quit,
    /// Undo the last change.
    Undo,
    /// Redo what was undone.
    Redo,
    /// Add a block of this kind at this graph position, and select it.
    AddBlock {
        /// Its type.
        kind: NewBlock,
        /// Where, in graph coordinates.
        at: Pos2,
    },
    /// Replace block `id` by `block` (the inspector's edit; same id).
    EditBlock {
        /// The block edited.
        id: String,
        /// Its new state.
        block: Box<Block>,
    },
    /// Rename block `old` to `new` (wires follow it; one undo step).
    RenameBlock {
        /// Its id now.
        old: String,
        /// The id it gets.
        new: String,
    },
    /// Set the flow's name (typing in one go is one undo step).
    RenameFlow(String),
    /// Wire an output to an input.
    Connect {
        /// The output pin.
        from: OutPinId,
        /// The input pin.
        to: InPinId,
    },
    /// Remove the wire from an output to an input.
    Disconnect {
        /// The output pin.
        from: OutPinId,
        /// The input pin.
        to: InPinId,
    },
    /// Open the menu of the wire from `from` to `to` (right-clicked at `at`, graph space).
    OpenWireMenu {
        /// The output pin.
        from: OutPinId,
        /// The input pin.
        to: InPinId,
        /// Where it was clicked, in graph coordinates.
        at: Pos2,
    },
    /// Put a Log block at `at` (graph space) in the middle of the wire from `from` to `to`.
    InsertLog {
        /// The output pin.
        from: OutPinId,
        /// The input pin.
        to: InPinId,
        /// Where the Log block goes, in graph coordinates.
        at: Pos2,
    },
    /// Turn secret `set` block `id`, fed straight by a Send Request's success port, into
    /// a secret capture of that request: the block goes and the request's success port
    /// feeds what it fed (one undo step).
    MakeCapture(String),
    /// Add a block of this kind at `at` (graph space, where a new wire was dropped on
    /// the empty canvas), wired to the pins the wire was dragged from; one undo step.
    AddWiredBlock {
        /// Its type.
        kind: NewBlock,
        /// Where the wire was dropped, in graph coordinates.
        at: Pos2,
        /// The pins the wire was dragged from.
        from: crate::wiring::DraggedFrom,
    },
    /// Say why something the user tried was refused (a notice in the error colour, which
    /// fades): a wire dropped on a port it cannot connect to.
    Refused(String),
    /// A drag on the canvas ended: blocks may have moved.
    DragEnded,
    /// Show this block in the inspector.
    Select(String),
    /// Show this block in the inspector with the keyboard focus on `field` (as the file
    /// names it: `body`, `condition`, `checks[0]`): a clicked console line at fault.
    SelectField {
        /// The block id.
        block: String,
        /// The field, if the line names one.
        field: Option<String>,
    },
    /// Select nothing (a click on the empty canvas): the inspector shows the flow.
    Deselect,
    /// Keep at most this many bytes of response data in the console (View → Console).
    SetConsoleBudget(usize),
    /// Copy the selected blocks (and the wires between them).
    CopySelection,
    /// Paste what Copy copied.
    PasteCopied,
    /// Paste text from the system clipboard: blocks in the flow format, or a curl command.
    Paste(String),
    /// Duplicate the selected blocks.
    DuplicateSelection,
    /// Duplicate this block.
    DuplicateBlock(String),
    /// Delete the selected blocks.
    DeleteSelection,
    /// Delete this block.
    DeleteBlock(String),
    /// Put this Send Request block on the clipboard as a curl command.
    CopyAsCurl(String),
    /// Run the flow.
    Run,
    /// Stop the run.
    Stop,
    /// Open the global variables panel.
    OpenSettings,
    /// Show the keyboard shortcuts.
    ShowShortcuts,
    /// Zoom the canvas out (or in, up to scale 1) to show every block.
    ShowWholeFlow,
    /// Zoom the canvas by this factor (above 1: in) around its centre.
    Zoom(f32),
}

/// An answer to "Save changes?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Save, then go on.
    Save,
    /// Give the changes up, then go on.
    DontSave,
    /// Do nothing.
    Cancel,
}

/// Something the user asks for from a button, a menu or a shortcut.
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
    /// Quit the app.
    Quit,
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
    pub const ALL: [Command; 16] = [
        Command::New,
        Command::Open,
        Command::Save,
        Command::SaveAs,
        Command::Quit,
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
            Command::Quit => "Quit",
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
            Command::Quit => command(Key::Q),
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

    /// What the command does.
    pub fn action(self) -> Action {
        match self {
            Command::New => Action::New,
            Command::Open => Action::Open,
            Command::Save => Action::Save,
            Command::SaveAs => Action::SaveAs,
            Command::Quit => Action::Quit,
            Command::Undo => Action::Undo,
            Command::Redo => Action::Redo,
            Command::Copy => Action::CopySelection,
            Command::Paste => Action::PasteCopied,
            Command::Duplicate => Action::DuplicateSelection,
            Command::DeleteSelected => Action::DeleteSelection,
            Command::Run => Action::Run,
            Command::Stop => Action::Stop,
            Command::Settings => Action::OpenSettings,
            Command::Shortcuts => Action::ShowShortcuts,
            Command::ShowWholeFlow => Action::ShowWholeFlow,
        }
    }

    /// Whether the command acts on the canvas (so not while a text field has the keyboard:
    /// there Ctrl+C, Ctrl+Z and Delete belong to the text).
    pub(crate) fn is_canvas_edit(self) -> bool {
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

impl From<Command> for Action {
    fn from(command: Command) -> Self {
        command.action()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_label_and_an_action_and_shortcuts_are_unique() {
        let mut shortcuts = Vec::new();
        for command in Command::ALL {
            assert!(!command.label().is_empty());
            assert_eq!(Action::from(command), command.action());
            if let Some(shortcut) = command.shortcut() {
                assert!(!shortcuts.contains(&shortcut), "{command:?} shares its shortcut");
                shortcuts.push(shortcut);
            }
        }
    }
}
