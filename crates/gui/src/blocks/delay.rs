//! `delay`: its look (how long it waits) and its form.

use egui::{Color32, DragValue, Ui};
use switchyard_flow::Delay;

use super::{BlockView, BodyLine, LOGIC, description_ui};
use crate::inspector::{Drafts, Scope};

impl BlockView for Delay {
    fn accent(&self) -> Color32 {
        LOGIC
    }

    fn body(&self) -> Option<BodyLine> {
        BodyLine::words(format!("wait {}", switchyard_engine::wording::duration(self.ms)))
    }

    fn form_ui(&mut self, ui: &mut Ui, _: &Scope<'_>, _: &mut Drafts) {
        description_ui(ui, &Delay::TYPE);
        ui.horizontal(|ui| {
            ui.label("Wait");
            ui.add(DragValue::new(&mut self.ms).range(0..=86_400_000).suffix(" ms").speed(10.0));
        });
    }
}
