//! How each block type shows in the app: one file per type (`NAME.rs`) holding its look
//! on the canvas (tag, accent colour, the line its body shows) and its inspector form,
//! as a [`BlockView`]. This file is the registry: the one place in the app naming every
//! type (the `views!` list, which makes `view` and `view_mut`), and the looks shared by
//! all (ports' labels and colours).
//!
//! Adding a block type here: a file with `impl BlockView for TheType`, and its variant in
//! the `views!` list (the matches it makes are exhaustive: the compiler points at it).

mod collect;
mod delay;
mod evaluate;
mod for_each;
mod if_;
mod log;
mod send_request;
mod set;
mod start;

use egui::{Color32, RichText, Ui};
use switchyard_flow::{BlockKind, BlockType, Port};

use crate::inspector::{Drafts, Scope};
use crate::look::{FAILURE, NEUTRAL, SUCCESS, shorten};

/// The accent of the logic group (branching, looping, waiting).
const LOGIC: Color32 = Color32::from_rgb(0xc0, 0x8c, 0xf0);
/// The accent of the data group.
const DATA: Color32 = Color32::from_rgb(0x6c, 0xc4, 0xd8);

/// What one block type shows in the app.
trait BlockView {
    /// The small upper-case tag before a block's id, when it is not its type's label in
    /// capitals (`REQUEST` for Send Request).
    fn tag(&self) -> Option<&'static str> {
        None
    }

    /// Its colour, for its zoomed-out shape.
    fn accent(&self) -> Color32;

    /// The line its body shows, if it shows one.
    fn body(&self) -> Option<BodyLine> {
        None
    }

    /// Its form in the inspector, under the header.
    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, drafts: &mut Drafts);
}

/// A block's body line: words (in italics) or an expression (in monospace).
struct BodyLine {
    text: String,
    code: bool,
}

impl BodyLine {
    fn words(text: impl Into<String>) -> Option<Self> {
        Some(Self { text: text.into(), code: false })
    }

    fn code(text: impl Into<String>) -> Option<Self> {
        Some(Self { text: text.into(), code: true })
    }
}

/// The registry: every block type's view, by shared and by mutable reference, from one
/// list (a type left out is a non-exhaustive match).
macro_rules! views {
    ($($variant:ident),* $(,)?) => {
        fn view(kind: &BlockKind) -> &dyn BlockView {
            match kind {
                $(BlockKind::$variant(block) => block,)*
            }
        }

        fn view_mut(kind: &mut BlockKind) -> &mut dyn BlockView {
            match kind {
                $(BlockKind::$variant(block) => block,)*
            }
        }
    };
}

views!(Start, SendRequest, If, ForEach, Delay, Evaluate, Set, Collect, Log);

/// The small upper-case tag before a block's id (`REQUEST`, `IF`, `FOR EACH`).
pub fn tag(kind: &BlockKind) -> String {
    view(kind).tag().map_or_else(|| kind.block_type().label.to_uppercase(), str::to_owned)
}

/// A block type's colour, for its zoomed-out shape.
pub fn accent(kind: &BlockKind) -> Color32 {
    view(kind).accent()
}

/// The body line of a block, if its type shows one (Send Request's method and URL are
/// the canvas's to draw).
pub fn body_ui(ui: &mut Ui, kind: &BlockKind) {
    let Some(BodyLine { text, code }) = view(kind).body() else { return };
    let short = shorten(&text, 34);
    let response =
        if code { ui.label(RichText::new(short).monospace()) } else { ui.label(RichText::new(short).italics()) };
    response.on_hover_text(text);
}

/// The block's form in the inspector.
pub(crate) fn form_ui(ui: &mut Ui, scope: &Scope<'_>, kind: &mut BlockKind, drafts: &mut Drafts) {
    view_mut(kind).form_ui(ui, scope, drafts);
}

/// The line that opens the form of a flow-language block: what its type does.
fn description_ui(ui: &mut Ui, block_type: &BlockType) {
    ui.label(block_type.description);
    ui.add_space(4.0);
}

/// An output port's label on the canvas.
pub fn port_label(port: Port) -> &'static str {
    match port {
        Port::Success => "Success",
        Port::Failure => "Failure",
        Port::True => "True",
        Port::False => "False",
        Port::Item => "Item",
        Port::In => "in",
        Port::Out => "out",
    }
}

/// The colour of a port's label and of results it fired, readable in the theme.
pub fn port_text_color(port: Port, visuals: &egui::Visuals) -> Color32 {
    match port {
        Port::Success | Port::True => crate::theme::success_text(visuals),
        Port::Failure | Port::False => crate::theme::failure_text(visuals),
        other => crate::theme::readable(port_color(other), visuals),
    }
}

/// A port's colour (and its wires').
pub fn port_color(port: Port) -> Color32 {
    match port {
        Port::Success | Port::True => SUCCESS,
        Port::Failure | Port::False => FAILURE,
        Port::Item => LOGIC,
        Port::In | Port::Out => NEUTRAL,
    }
}
