//! `collect`: its look and its form (a sentence: it has no fields).

use egui::{Color32, RichText, Ui};
use switchyard_flow::Collect;

use super::{BlockView, BodyLine, DATA, description_ui};
use crate::inspector::{Drafts, Scope};

impl BlockView for Collect {
    fn accent(&self) -> Color32 {
        DATA
    }

    fn body(&self) -> Option<BodyLine> {
        BodyLine::words("into a list")
    }

    fn form_ui(&mut self, ui: &mut Ui, _: &Scope<'_>, _: &mut Drafts) {
        description_ui(ui, &Collect::TYPE);
        ui.label(
            RichText::new("Wire it after a For Each's Item port; it fires once that For Each has finished.")
                .small()
                .weak(),
        );
    }
}
