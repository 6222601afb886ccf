//! `send_request`: its look (the canvas draws its method and URL itself) and its form,
//! which is big enough to live in the inspector (`inspector/request.rs`, `auth.rs`).

use egui::{Color32, Ui};
use switchyard_flow::SendRequest;

use super::BlockView;
use crate::inspector::{Drafts, Scope, request_ui};
use crate::look::NEUTRAL;

impl BlockView for SendRequest {
    fn tag(&self) -> Option<&'static str> {
        Some("REQUEST")
    }

    fn accent(&self) -> Color32 {
        NEUTRAL
    }

    fn form_ui(&mut self, ui: &mut Ui, scope: &Scope<'_>, drafts: &mut Drafts) {
        request_ui(ui, scope, self, drafts);
    }
}
