//! A suggestion in the inspector: a secret `set` block fed straight by a Send Request's
//! success port keeps a value the response already showed, so the secret is better
//! taken at the source, as a capture of that request (which masks the response it came
//! from). "Make it a capture" does that in one undo step: the request gets the capture,
//! the `set` block goes, and what it fed is fed by the request's success port instead.

use egui::{RichText, Ui};
use switchyard_flow::{BlockKind, Capture, Port, PortRef, Wire};

use super::{Action, SwitchyardApp};
use crate::document::Document;

/// The Send Request whose success port alone feeds secret `set` block `set_id`, when
/// the block could be a capture of it instead (a valid name the request does not
/// capture already).
pub(super) fn capture_source<'d>(document: &'d Document, set_id: &str) -> Option<&'d str> {
    let BlockKind::Set(set) = &document.block(set_id)?.kind else { return None };
    if !set.secret || !switchyard_flow::template::is_valid_name(&set.name) {
        return None;
    }
    let mut into = document.wires.iter().filter(|wire| wire.to.block == set_id);
    let (Some(wire), None) = (into.next(), into.next()) else { return None };
    if wire.from.port != Port::Success {
        return None;
    }
    let request_id = wire.from.block.as_str();
    let BlockKind::SendRequest(request) = &document.block(request_id)?.kind else { return None };
    if request.captures.iter().any(|capture| capture.name == set.name) {
        return None;
    }
    Some(request_id)
}

impl SwitchyardApp {
    /// The suggestion for the block in the inspector, if it is such a `set` block.
    pub(super) fn capture_suggestion_ui(&mut self, ui: &mut Ui, set_id: &str) {
        if capture_source(&self.document, set_id).is_none() {
            return;
        }
        ui.group(|ui| {
            ui.label(RichText::new("This value was already visible in the response: capture it at the source instead"));
            if ui
                .button("Make it a capture")
                .on_hover_text("Adds it to the request's captures as a secret and removes this block")
                .clicked()
            {
                self.actions.push(Action::MakeCapture(set_id.to_owned()));
            }
        });
        ui.add_space(4.0);
    }

    /// Turns secret `set` block `set_id` into a secret capture of the request that feeds
    /// it, removes the block, and wires the request's success port to what the block
    /// fed; selects the request. Nothing happens when the suggestion does not apply.
    pub(super) fn make_capture(&mut self, set_id: &str) {
        let Some(request_id) = capture_source(&self.document, set_id).map(str::to_owned) else { return };
        let Some(BlockKind::Set(set)) = self.document.block(set_id).map(|block| block.kind.clone()) else { return };
        let Some(request_node) = self.document.node_of(&request_id) else { return };
        let Some(set_node) = self.document.node_of(set_id) else { return };
        let fed: Vec<PortRef> =
            self.document.wires.iter().filter(|wire| wire.from.block == set_id).map(|wire| wire.to.clone()).collect();
        if let Some(node) = self.document.snarl.get_node_mut(request_node)
            && let BlockKind::SendRequest(request) = &mut node.block.kind
        {
            request.captures.push(Capture { name: set.name, expression: set.value, secret: true });
        }
        self.delete_block(set_node);
        for to in fed {
            let wire = Wire { from: PortRef::new(request_id.as_str(), Port::Success), to };
            if let Some((from, to)) = self.document.pins(&wire) {
                let document = &mut self.document;
                Document::connect(&mut document.snarl, &mut document.wires, from, to);
            }
        }
        if self.run.statuses.contains_key(&request_id) {
            self.run.stale.insert(request_id.clone());
        }
        self.canvas.selected = Some(request_id);
        self.session.check_dirty = true;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchyard_flow::Flow;

    use super::*;

    fn document(set: &str, wires: &str) -> Document {
        let text = format!(
            r#"{{"switchyard": 1, "name": "t", "blocks": {{
            "start": {{"type": "start", "at": [0, 0]}},
            "login": {{"type": "send_request", "at": [0, 0], "url": "http://x/login"}},
            "keep": {set},
            "next": {{"type": "log", "at": [0, 0]}}
        }}, "wires": {wires}}}"#
        );
        Document::from_flow(Flow::from_json(&text, "t.flow.json").unwrap(), None)
    }

    const SECRET: &str = r#"{"type": "set", "at": [0, 0], "name": "token", "value": ".body.token", "secret": true}"#;
    const FED: &str = r#"[["start.out", "login.in"], ["login.success", "keep.in"], ["keep.out", "next.in"]]"#;

    #[test]
    fn only_a_secret_set_fed_by_a_success_port_alone_is_offered() {
        assert_eq!(capture_source(&document(SECRET, FED), "keep"), Some("login"));
        let plain = SECRET.replace(r#", "secret": true"#, "");
        assert_eq!(capture_source(&document(&plain, FED), "keep"), None, "not a secret");
        let failure = FED.replace("login.success", "login.failure");
        assert_eq!(capture_source(&document(SECRET, &failure), "keep"), None, "the failure port");
        let two = FED.replace(r#"["keep.out""#, r#"["start.out", "keep.in"], ["keep.out""#);
        assert_eq!(capture_source(&document(SECRET, &two), "keep"), None, "fed from elsewhere too");
        assert_eq!(capture_source(&document(SECRET, FED), "next"), None, "not a set block");
    }
}
