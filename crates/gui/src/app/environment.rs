//! The top bar's environment picker: "No environment" or one of the store's
//! environments, whose variables runs get on top of the globals. The choice is kept in
//! eframe's storage (the name only) and shown in the window title.

use egui::{RichText, Ui};

use super::{Action, SwitchyardApp};

/// eframe's storage key of the environment picked (a name, never a value).
pub(super) const ENVIRONMENT_KEY: &str = "switchyard.environment";

/// What the picker shows when no environment is picked.
const NO_ENVIRONMENT: &str = "No environment";

impl SwitchyardApp {
    /// "Environment [No environment ▾]": picking one queues [`Action::SelectEnvironment`].
    pub(super) fn environment_picker(&mut self, ui: &mut Ui) {
        let selected = self.settings.selected_environment().map(str::to_owned);
        let environments: Vec<String> = self.settings.environments().map(str::to_owned).collect();
        let mut chosen = None;
        ui.add_enabled_ui(self.settings.has_store(), |ui| {
            let label = ui.label("Environment");
            let shown = selected.as_deref().map_or_else(|| RichText::new(NO_ENVIRONMENT).weak(), RichText::new);
            egui::ComboBox::from_id_salt("switchyard-environment")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(selected.is_none(), NO_ENVIRONMENT).clicked() {
                        chosen = Some(None);
                    }
                    for name in environments {
                        if ui.selectable_label(selected.as_ref() == Some(&name), name.as_str()).clicked() {
                            chosen = Some(Some(name));
                        }
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(
                    "runs use the global variables with this environment's on top; \
                     make and edit environments in Global variables (⚙)",
                )
                .on_disabled_hover_text("no place to store variables: set SWITCHYARD_HOME and restart Switchyard");
        });
        if let Some(environment) = chosen
            && environment != selected
        {
            self.actions.push(Action::SelectEnvironment(environment));
        }
    }
}
