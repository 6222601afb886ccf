//! The inspector: the right-hand panel that edits the selected block.
//!
//! [`Inspector::ui`] draws the editor for one block, changes the block in place and
//! reports whether it did, so the app can mark the flow unsaved and record an undo step
//! (the app hands it a copy of the block and applies the edit as an action).
//! Two fields are typed as text but stored parsed: a JSON body and the success statuses.
//! Their text lives here, per block id, as a `Draft`; while a draft does not parse, the
//! block keeps its last valid value and the panel says why in red.
//!
//! Layout: this file holds [`Inspector`], its per-block `Drafts` and the header; each
//! block type's form is in its file under `src/blocks/` (handed in as [`FormUi`]), made of the parts here:
//! `request.rs` the Send Request form (request line, name/value tables, body, options)
//! and `auth.rs` its auth helper; `language.rs` the jq fields and a request's checks and
//! captures, with `preview.rs` evaluating their jq against the last run. The text
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

use eframe::egui::{self, Id, Response, ScrollArea, Ui};
use serde_json::Value;
use switchyard_flow::{Auth, Block, BlockKind, Body, StatusPattern};

pub use preview::Previews;
// The parts each block type's form (`src/blocks/`) is made of.
pub(crate) use language::expression_ui;
pub(crate) use preview::Shape;
pub(crate) use request::request_ui;
use templated::{Look, TemplatedField};

/// Edits the selected block, keeping per block the text of fields stored in parsed form.
///
/// The drafts are keyed by block id: call [`Inspector::forget`] when a block is deleted
/// and [`Inspector::reset`] when the whole flow is replaced.
#[derive(Debug)]
pub struct Inspector {
    /// Draws a block type's form: the block-type registry's `form_ui`, handed in by the
    /// app, so the inspector (the parts forms are made of) does not depend on the types.
    form: FormUi,
    drafts: HashMap<String, Drafts>,
    /// The `input…` names `{{` offers for the block drawn next (set by the app from
    /// where the block's input comes from).
    inputs: Option<&'static [completion::InputSuggestion]>,
    /// A field to give the keyboard focus when its block is drawn next: (block id, field
    /// as the file names it, `body`, `condition`, `checks[0]`).
    focus: Option<(String, String)>,
}

/// Where the value at a block's input comes from, which decides what `{{input…}}` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOrigin {
    /// A For Each's `item` port: `input` is the element.
    Item,
    /// Anything else (a response, mostly).
    Other,
}

/// Draws the form of one block's type with the inspector's parts.
pub(crate) type FormUi = fn(&mut Ui, &Scope<'_>, &mut BlockKind, &mut Drafts);

impl Inspector {
    /// An inspector drawing each block type's form with `form`.
    pub(crate) fn new(form: FormUi) -> Self {
        Self { form, drafts: HashMap::new(), inputs: None, focus: None }
    }

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
        let block_id = before.id.as_str();
        let id = Id::new(("inspector", block_id));
        if let Some((_, field)) = self.focus.take_if(|(of, _)| of == block_id)
            && let Some(widget) = widget_id(id, &before.kind, &field)
        {
            ui.memory_mut(|memory| memory.request_focus(widget));
        }
        let inputs = self.inputs.unwrap_or(completion::INPUT_SUGGESTIONS);
        let drafts = self.drafts.entry(block.id.clone()).or_default();
        let scope = Scope { id, block_id, is_defined, globals, previews, inputs };
        ScrollArea::vertical().id_salt(("inspector", block.id.as_str())).auto_shrink([false, false]).show(ui, |ui| {
            header_ui(ui, block);
            ui.separator();
            (self.form)(ui, &scope, &mut block.kind, drafts);
        });
        *block != before
    }

    /// Says where the value at the input of the block drawn next comes from.
    pub fn set_input_origin(&mut self, origin: InputOrigin) {
        self.inputs = Some(match origin {
            InputOrigin::Item => completion::ITEM_SUGGESTIONS,
            InputOrigin::Other => completion::INPUT_SUGGESTIONS,
        });
    }

    /// Gives `field` of block `block_id` (as the file names it: `url`, `body`,
    /// `condition`, `checks[0]`) the keyboard focus when that block is drawn next.
    pub fn focus_field(&mut self, block_id: &str, field: &str) {
        self.focus = Some((block_id.to_owned(), field.to_owned()));
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
    /// such field, by block id. Saving and running refuse while there is one, so typed
    /// text is never lost, and never silently replaced by the block's last valid value.
    pub fn unparsed_draft(&self) -> Option<UnparsedDraft<'_>> {
        let mut ids: Vec<&String> = self.drafts.keys().collect();
        ids.sort();
        ids.into_iter().find_map(|id| {
            let drafts = self.drafts.get(id)?;
            let json = drafts.json.as_ref().filter(|_| drafts.json_in_use);
            let json = json.and_then(|d| d.error.as_deref()).map(|e| ("JSON body", "body", e));
            let statuses = drafts
                .statuses
                .as_ref()
                .and_then(|d| d.error.as_deref())
                .map(|e| ("success statuses", "success_status", e));
            json.or(statuses).map(|(what, field, error)| UnparsedDraft { block: id.as_str(), what, field, error })
        })
    }
}

/// Text typed in the inspector that does not parse (see [`Inspector::unparsed_draft`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnparsedDraft<'a> {
    /// The block id.
    pub block: &'a str,
    /// What the field is, in words (`JSON body`).
    pub what: &'static str,
    /// The field as the file names it (`body`).
    pub field: &'static str,
    /// Why the text does not parse.
    pub error: &'a str,
}

/// The id of the inspector's widget that edits `field` of a block of this kind, whose
/// widgets' ids start at `base` (the field as the file names it: `url`, `body`,
/// `headers[0]`, `checks[0]`; a check's or a header's widget is its condition's or its
/// value's).
fn widget_id(base: Id, kind: &BlockKind, field: &str) -> Option<Id> {
    let root = field.split(['.', '[']).next().unwrap_or(field);
    let index = || -> Option<usize> { field.strip_prefix(root)?.strip_prefix('[')?.split(']').next()?.parse().ok() };
    let key = match (kind, root) {
        (BlockKind::SendRequest(request), "body") => match request.body {
            Some(Body::Json(_)) => "body json",
            _ => "body text",
        },
        (BlockKind::SendRequest(_), "url") => "url",
        (BlockKind::SendRequest(_), "success_status") => "statuses",
        (BlockKind::SendRequest(_), "headers" | "query") => {
            let table: &'static str = if root == "headers" { "headers" } else { "query" };
            return Some(base.with((table, index()?)).with("value"));
        }
        (BlockKind::SendRequest(_), "checks") => return Some(base.with(format!("checks[{}]", index()?).as_str())),
        (BlockKind::SendRequest(_), "captures") => {
            return Some(base.with(format!("captures[{}]", index()?).as_str()));
        }
        (BlockKind::Set(_), "name") => "set-name",
        (BlockKind::Log(_), "label") => "label",
        (_, "condition" | "expression" | "value" | "items") => root,
        _ => return None,
    };
    Some(base.with(key))
}

/// The editing state of one block.
#[derive(Debug, Default)]
pub(crate) struct Drafts {
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
pub(crate) struct Scope<'a> {
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
    /// The `input…` names `{{` offers.
    inputs: &'static [completion::InputSuggestion],
}

impl Scope<'_> {
    /// The id of this block's widget `part`.
    pub(crate) fn id(&self, part: impl egui::AsIdSalt) -> Id {
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
    ui.add(TemplatedField::new(text, id, scope.is_defined, scope.globals).inputs(scope.inputs).hint(hint).look(look))
}
