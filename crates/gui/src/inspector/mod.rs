//! The inspector: the right-hand panel that edits the selected block.
//!
//! [`Inspector::ui`] draws the editor for one block, changes the block in place and
//! reports whether it did, so the app can mark the flow unsaved and record an undo step
//! (the app hands it a copy of the block and applies the edit as an action).
//! Two fields are typed as text but stored parsed: a JSON body and the success statuses.
//! Their text lives here, per block id, as a `Draft`; while a draft does not parse, the
//! block keeps its last valid value and the panel says why in red.
//!
//! Layout: this file holds [`Inspector`], its per-block `Drafts` and the header, Start
//! and Log forms; `request.rs` the Send Request form (request line, name/value tables,
//! body, options) and `auth.rs` its auth helper; `language.rs` the flow-language forms
//! and checks, with `preview.rs` evaluating their jq against the last run. The text
//! field that colours `{{name}}` references and completes names after `{{` is a widget
//! of its own, [`templated::TemplatedField`] (`templated.rs`), with its pure parts in
//! `completion.rs` (what to offer, how to fill it in) and `references.rs` (highlighting,
//! undefined-name warnings).

mod auth;
mod completion;
mod language;
mod preview;
mod references;
mod request;
mod templated;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use eframe::egui::{self, Id, Response, ScrollArea, TextEdit, Ui};
use serde_json::Value;
use switchyard_flow::{Auth, Block, BlockKind, Body, LogBlock, StatusPattern};

pub use preview::Previews;
use templated::{Look, TemplatedField};

/// Edits the selected block, keeping per block the text of fields stored in parsed form.
///
/// The drafts are keyed by block id: call [`Inspector::forget`] when a block is deleted
/// and [`Inspector::reset`] when the whole flow is replaced.
#[derive(Debug, Default)]
pub struct Inspector {
    drafts: HashMap<String, Drafts>,
}

impl Inspector {
    /// Draws the editor for `block`; returns true when the user changed it (the app then
    /// marks the flow unsaved and records undo).
    ///
    /// `is_defined` says whether a variable name has a value (a global variable, or a
    /// `--var`); `{{input…}}` references always count as defined. `globals` (name → is
    /// secret) are what typing `{{` in a templated field offers to complete.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        block: &mut Block,
        is_defined: &dyn Fn(&str) -> bool,
        globals: &BTreeMap<String, bool>,
    ) -> bool {
        self.form_ui(ui, block, is_defined, globals, None)
    }

    /// [`Inspector::ui`], with a preview under each jq field of its expression evaluated
    /// against what the last run left on the block.
    pub fn ui_with_previews(
        &mut self,
        ui: &mut Ui,
        block: &mut Block,
        is_defined: &dyn Fn(&str) -> bool,
        globals: &BTreeMap<String, bool>,
        previews: &Previews,
    ) -> bool {
        self.form_ui(ui, block, is_defined, globals, Some(previews))
    }

    fn form_ui(
        &mut self,
        ui: &mut Ui,
        block: &mut Block,
        is_defined: &dyn Fn(&str) -> bool,
        globals: &BTreeMap<String, bool>,
        previews: Option<&Previews>,
    ) -> bool {
        let before = block.clone();
        let drafts = self.drafts.entry(block.id.clone()).or_default();
        let block_id = before.id.as_str();
        let scope = Scope { id: Id::new(("inspector", block_id)), block_id, is_defined, globals, previews };
        ScrollArea::vertical().id_salt(("inspector", block.id.as_str())).auto_shrink([false, false]).show(ui, |ui| {
            header_ui(ui, block);
            ui.separator();
            match &mut block.kind {
                BlockKind::Start => start_ui(ui),
                BlockKind::SendRequest(request) => request::request_ui(ui, &scope, request, drafts),
                BlockKind::Log(log) => log_ui(ui, &scope, log),
                other => language::form_ui(ui, &scope, other),
            }
        });
        *block != before
    }

    /// Forgets the editing state for a block (it was deleted, or the flow was replaced).
    pub fn forget(&mut self, block_id: &str) {
        self.drafts.remove(block_id);
    }

    /// Forgets the editing state of every block (a new or reloaded flow).
    pub fn reset(&mut self) {
        self.drafts.clear();
    }

    /// The text typed that does not parse, which the block does not hold yet: the first
    /// such field, by block id (block id, what the field is, why it does not parse).
    /// Saving refuses while there is one, so typed text is never lost.
    pub fn unparsed_draft(&self) -> Option<(&str, &'static str, &str)> {
        let mut ids: Vec<&String> = self.drafts.keys().collect();
        ids.sort();
        ids.into_iter().find_map(|id| {
            let drafts = self.drafts.get(id)?;
            let json = drafts.json.as_ref().filter(|_| drafts.json_in_use);
            let json = json.and_then(|d| d.error.as_deref()).map(|e| ("JSON body", e));
            let statuses = drafts.statuses.as_ref().and_then(|d| d.error.as_deref()).map(|e| ("success statuses", e));
            json.or(statuses).map(|(field, error)| (id.as_str(), field, error))
        })
    }
}

/// The editing state of one block.
#[derive(Debug, Default)]
struct Drafts {
    /// The JSON body as typed.
    json: Option<Draft<Value>>,
    /// Whether the block's body is JSON now (else `json` is set aside with its body).
    json_in_use: bool,
    /// The success statuses as typed (`2xx, 304`).
    statuses: Option<Draft<Vec<StatusPattern>>>,
    /// Bodies of other kinds, kept when the user switches kind so switching back restores them.
    set_aside_bodies: Vec<Body>,
    /// Auth helpers of other kinds, kept the same way.
    set_aside_auth: Vec<Auth>,
}

/// Text typed for a field that the block stores parsed.
#[derive(Debug)]
struct Draft<T> {
    /// The text in the field.
    text: String,
    /// The block's value the text was last in step with. When the block changes under the
    /// panel (undo, a reloaded file), the text is written afresh from the block.
    synced: T,
    /// Why the text does not parse, while it does not.
    error: Option<String>,
}

impl<T: Clone + PartialEq> Draft<T> {
    /// The draft in `slot`, rewritten from `value` unless it is in step with it.
    fn in_step<'d>(slot: &'d mut Option<Self>, value: &T, format: impl FnOnce(&T) -> String) -> &'d mut Self {
        if slot.as_ref().is_some_and(|draft| draft.synced != *value) {
            *slot = None;
        }
        slot.get_or_insert_with(|| Draft { text: format(value), synced: value.clone(), error: None })
    }

    /// Parses the text; on success stores the value in `target` too.
    fn commit<E: ToString>(&mut self, target: &mut T, parse: impl FnOnce(&str) -> Result<T, E>) {
        match parse(&self.text) {
            Ok(value) => {
                target.clone_from(&value);
                self.synced = value;
                self.error = None;
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }
}

/// What every part of the panel needs: the block's id space and the variable lookup.
struct Scope<'a> {
    /// Base of the ids of this block's widgets, so their state follows the block.
    id: Id,
    /// The block's id.
    block_id: &'a str,
    /// What the last run left, for previews of jq fields (None: no previews).
    previews: Option<&'a Previews>,
    /// Whether a variable name is defined.
    is_defined: &'a dyn Fn(&str) -> bool,
    /// The global variables' names, each with whether it is a secret (for completion).
    globals: &'a BTreeMap<String, bool>,
}

impl Scope<'_> {
    fn id(&self, part: impl egui::AsIdSalt) -> Id {
        self.id.with(part)
    }
}

fn header_ui(ui: &mut Ui, block: &Block) {
    // The id is edited above it, by the app (renaming changes the wires too).
    ui.heading(type_title(&block.kind));
}

fn type_title(kind: &BlockKind) -> &'static str {
    kind.block_type().label
}

fn start_ui(ui: &mut Ui) {
    ui.label("Fires its out port once, with the value null, when the run starts. Wire it to the first block to run.");
}

fn log_ui(ui: &mut Ui, scope: &Scope<'_>, log: &mut LogBlock) {
    ui.label("Writes each value it receives to the console, then passes it on through out.");
    let label = ui.label("Label");
    let mut text = log.label.clone().unwrap_or_default();
    let response = ui.add(
        TextEdit::singleline(&mut text)
            .id(scope.id("label"))
            .hint_text("shown with each logged value")
            .desired_width(f32::INFINITY),
    );
    response.labelled_by(label.id);
    if text != log.label.as_deref().unwrap_or_default() {
        log.label = (!text.is_empty()).then_some(text);
    }
}

/// Sets the label screen readers (and egui_kittest's `get_by_label`) use for a widget
/// that has no visible label of its own, such as a table cell.
fn set_accessible_label(ui: &Ui, id: Id, label: &str) {
    ui.ctx().accesskit_node_builder(id, |node| node.set_label(label));
}

/// A templated text field ([`TemplatedField`]) with this block's variable lookup.
fn templated_edit(
    ui: &mut Ui,
    scope: &Scope<'_>,
    text: &mut String,
    id: Id,
    hint: &'static str,
    look: Look,
) -> Response {
    ui.add(TemplatedField::new(text, id, scope.is_defined, scope.globals).hint(hint).look(look))
}
