//! A Send Request's auth helper: none, bearer token, API key or Basic.

use eframe::egui::{ComboBox, RichText, Ui};
use switchyard_flow::template;
use switchyard_flow::{ApiKeyLocation, Auth};

use super::references::{undefined_names, undefined_warning_ui};
use super::request::switch_kind;
use super::{Look, Scope, templated_edit};

/// The kinds of auth helper, as offered in the auth menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AuthKind {
    None,
    Bearer,
    ApiKey,
    Basic,
}

impl AuthKind {
    const ALL: [AuthKind; 4] = [AuthKind::None, AuthKind::Bearer, AuthKind::ApiKey, AuthKind::Basic];

    fn of(auth: &Auth) -> Self {
        match auth {
            Auth::Bearer { .. } => AuthKind::Bearer,
            Auth::ApiKey { .. } => AuthKind::ApiKey,
            Auth::Basic { .. } => AuthKind::Basic,
        }
    }

    fn label(self) -> &'static str {
        match self {
            AuthKind::None => "No auth",
            AuthKind::Bearer => "Bearer token",
            AuthKind::ApiKey => "API key",
            AuthKind::Basic => "Basic auth",
        }
    }

    /// A new, empty helper of this kind.
    fn empty(self) -> Option<Auth> {
        match self {
            AuthKind::None => None,
            AuthKind::Bearer => Some(Auth::Bearer { token: String::new() }),
            AuthKind::ApiKey => {
                Some(Auth::ApiKey { name: String::new(), value: String::new(), location: ApiKeyLocation::Header })
            }
            AuthKind::Basic => Some(Auth::Basic { username: String::new(), password: String::new() }),
        }
    }
}

pub(super) fn auth_ui(ui: &mut Ui, scope: &Scope<'_>, auth: &mut Option<Auth>, set_aside: &mut Vec<Auth>) {
    let current = auth.as_ref().map_or(AuthKind::None, AuthKind::of);
    let mut chosen = current;
    ui.horizontal(|ui| {
        let label = ui.strong("Auth");
        ComboBox::from_id_salt(scope.id("auth kind"))
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                for kind in AuthKind::ALL {
                    ui.selectable_value(&mut chosen, kind, kind.label());
                }
            })
            .response
            .labelled_by(label.id);
    });
    if chosen != current {
        switch_kind(auth, set_aside, AuthKind::of, chosen, AuthKind::empty(chosen));
    }
    match auth {
        None => {}
        Some(Auth::Bearer { token }) => {
            labelled_templated_ui(ui, scope, "Token", token, "{{token}}");
            literal_secret_note_ui(ui, token);
        }
        Some(Auth::ApiKey { name, value, location }) => {
            labelled_templated_ui(ui, scope, "Key name", name, "X-Api-Key");
            labelled_templated_ui(ui, scope, "Key value", value, "{{api_key}}");
            literal_secret_note_ui(ui, value);
            ui.horizontal(|ui| {
                ui.label("Send in");
                ui.radio_value(location, ApiKeyLocation::Header, "Header");
                ui.radio_value(location, ApiKeyLocation::Query, "Query parameter");
            });
        }
        Some(Auth::Basic { username, password }) => {
            labelled_templated_ui(ui, scope, "Username", username, "{{username}}");
            labelled_templated_ui(ui, scope, "Password", password, "{{password}}");
            literal_secret_note_ui(ui, password);
        }
    }
}

/// A label, a full-width templated field labelled by it, and its undefined-name warning.
pub(super) fn labelled_templated_ui(
    ui: &mut Ui,
    scope: &Scope<'_>,
    label: &str,
    text: &mut String,
    hint: &'static str,
) {
    let label_response = ui.label(label);
    templated_edit(ui, scope, text, scope.id(label), hint, Look::full_line()).labelled_by(label_response.id);
    undefined_warning_ui(ui, &undefined_names([text.as_str()], scope.is_defined));
}

/// A note under an auth field that holds literal text rather than a `{{name}}`.
pub(super) fn literal_secret_note_ui(ui: &mut Ui, text: &str) {
    if !text.is_empty() && template::references(text).next().is_none() {
        ui.label(
            RichText::new("Tip: keep secrets in a secret global variable and write {{name}} here.").small().weak(),
        )
        .on_hover_text("Flow files are plain text; secret variables live in the OS keychain and are masked in logs.");
    }
}
