//! The welcome part (`Welcome`): on a first launch the welcome flow opens with a short
//! card in the inspector (how to start, where variables live); "Got it" dismisses it for
//! good (kept in eframe's storage).

use egui::{RichText, Ui};

use super::Action;

/// Set in eframe's storage once the welcome hint was dismissed.
pub(super) const WELCOME_KEY: &str = "switchyard.welcome_dismissed";

/// Whether the welcome hint shows.
#[derive(Debug, Default)]
pub(super) struct Welcome {
    /// Whether the hint is shown (the welcome flow opened, never dismissed).
    pub(super) shown: bool,
    /// Whether the hint was ever dismissed (kept in eframe's storage).
    pub(super) dismissed: bool,
}

impl Welcome {
    /// On first launch, a short card in the inspector while nothing is selected (it
    /// covers no block): how to start, where variables live. "Got it" dismisses it
    /// for good.
    pub(super) fn ui(&self, ui: &mut Ui, actions: &mut Vec<Action>) {
        if !self.shown {
            return;
        }
        ui.add_space(12.0);
        egui::Frame::group(ui.style()).inner_margin(10).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("Welcome to Switchyard").strong());
            ui.label("This flow sets a name and a secret token, then calls a public echo server.");
            ui.add_space(4.0);
            for step in WELCOME_STEPS {
                ui.label(format!("• {step}"));
            }
            ui.add_space(4.0);
            if ui.button("Got it").clicked() {
                actions.push(Action::DismissWelcome);
            }
        });
    }
}

/// What the welcome hint says.
const WELCOME_STEPS: [&str; 4] = [
    "Drag a block from the palette onto the canvas.",
    "Wire it: drag from a block's Success port to the next block's in.",
    "Press ▶ Run (Ctrl+Enter): results show on the blocks and in the console; the secret is masked.",
    "Variables and secrets live in ⚙ Global variables; a Set block sets one in the flow.",
];
