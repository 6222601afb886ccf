//! `start`: its look (the run's colour) and its form (a sentence: it has no fields).

use egui::{Color32, Ui};
use switchyard_flow::Start;

use super::BlockView;
use crate::inspector::{Drafts, Scope};
use crate::look::SUCCESS;

impl BlockView for Start {
    fn accent(&self) -> Color32 {
        SUCCESS
    }

    fn form_ui(&mut self, ui: &mut Ui, _: &Scope<'_>, _: &mut Drafts) {
        ui.label(
            "Fires its out port once, with the value null, when the run starts. Wire it to the first block to run.",
        );
    }
}
