//! The offer to keep a pasted credential in the keychain: when a pasted curl command
//! held a literal credential (an Authorization or API-key header, a `-u` password), the
//! block refers to it as `{{name}}` and a small window offers to store the value as the
//! global secret `name` ("Store as secret" / "Not now"). The value is held as a
//! `SecretString` until then, shown only as a mask, and handed to the settings worker,
//! which writes it to the keychain off the frame thread; it never reaches a file or
//! eframe's storage.

use crate::curl::PastedCredential;
use egui::{RichText, Ui};
use switchyard_engine::MASK;

use super::{Action, SwitchyardApp};

/// Credentials waiting for the user's answer, and the host they were going to.
pub(super) struct CredentialOffer {
    credentials: Vec<PastedCredential>,
    host: Option<String>,
}

impl std::fmt::Debug for CredentialOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: never a value.
        let names: Vec<&str> = self.credentials.iter().map(|c| c.name.as_str()).collect();
        f.debug_struct("CredentialOffer").field("names", &names).field("host", &self.host).finish()
    }
}

impl CredentialOffer {
    /// The offer for the credentials a pasted command held, sent to `url`; `None` when
    /// there are none.
    pub(super) fn new(credentials: Vec<PastedCredential>, url: &str) -> Option<Self> {
        (!credentials.is_empty()).then(|| Self { credentials, host: literal_host(url) })
    }
}

impl SwitchyardApp {
    /// The offer's window, while there is one: its buttons queue [`Action::AnswerCredential`].
    pub(super) fn credential_offer_ui(&mut self, ctx: &egui::Context) {
        let Some(offer) = &self.credential_offer else { return };
        let mut answer = None;
        let several = offer.credentials.len() > 1;
        let title = if several { "Store the pasted credentials?" } else { "Store the pasted credential?" };
        egui::Window::new(title)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
            .show(ctx, |ui| {
                ui.label(if several {
                    "The pasted command held credentials. The block refers to them by name:"
                } else {
                    "The pasted command held a credential. The block refers to it by name:"
                });
                for credential in &offer.credentials {
                    credential_row(ui, credential, self.settings.has_global(&credential.name));
                }
                ui.add_space(4.0);
                let place = match &offer.host {
                    Some(host) => format!("Store in the OS keychain as a global secret, sent only to {host}?"),
                    None => "Store in the OS keychain as a global secret?".to_owned(),
                };
                ui.label(place);
                ui.horizontal(|ui| {
                    if ui.button(if several { "Store as secrets" } else { "Store as secret" }).clicked() {
                        answer = Some(true);
                    }
                    if ui.button("Not now").clicked() {
                        answer = Some(false);
                    }
                });
                ui.label(
                    RichText::new("Not now: the value is forgotten; add it later in Global variables (⚙).")
                        .small()
                        .weak(),
                );
            });
        if let Some(store) = answer {
            self.actions.push(Action::AnswerCredential(store));
        }
    }

    /// Keeps the pasted credentials offer, when there is a store to keep them in;
    /// otherwise the paste's notice says how to store them.
    pub(super) fn offer_credentials(&mut self, offer: Option<CredentialOffer>) {
        if self.settings.has_store() {
            self.credential_offer = offer;
        }
    }

    /// "Store as secret" sends each credential to the settings worker; "Not now" drops them.
    pub(super) fn answer_credential(&mut self, store: bool) {
        let Some(offer) = self.credential_offer.take() else { return };
        if !store {
            self.notice = Some(("the pasted credential was not stored".to_owned(), false));
            return;
        }
        let allowed_hosts: Vec<String> = offer.host.into_iter().collect();
        let mut names = Vec::new();
        for credential in offer.credentials {
            if self.settings.store_secret(&credential.name, credential.value, allowed_hosts.clone()) {
                names.push(format!("`{}`", credential.name));
            } else {
                let message =
                    format!("cannot store `{}`: the background worker is gone: restart Switchyard", credential.name);
                self.notice = Some((message, true));
                return;
            }
        }
        self.notice = Some((format!("storing {} in the keychain…", names.join(", ")), false));
    }
}

/// `{{name}}  *****  (from header Authorization)`, noting a global it replaces.
fn credential_row(ui: &mut Ui, credential: &PastedCredential, exists: bool) {
    ui.horizontal(|ui| {
        ui.monospace(format!("{{{{{}}}}}", credential.name));
        ui.monospace(MASK);
        ui.weak(format!("({})", credential.origin));
    });
    if exists {
        ui.label(
            RichText::new(format!("A global `{}` exists: its value is replaced.", credential.name))
                .small()
                .color(ui.visuals().warn_fg_color),
        );
    }
}

/// The host of `url` when it is written out (`https://api.example.com:8443/v1` →
/// `api.example.com`); `None` when it holds a `{{variable}}` or has no host.
fn literal_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host_port.starts_with('[') {
        return None;
    }
    let host = host_port.split(':').next()?;
    let valid = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    valid.then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::literal_host;

    #[test]
    fn literal_host_is_the_written_out_host_only() {
        assert_eq!(literal_host("https://api.example.com/v1/models").as_deref(), Some("api.example.com"));
        assert_eq!(literal_host("http://user@Example.org:8080?q=1").as_deref(), Some("example.org"));
        assert_eq!(literal_host("api.example.com/x").as_deref(), Some("api.example.com"));
        assert_eq!(literal_host("{{base}}/v1"), None);
        assert_eq!(literal_host("https://{{host}}/v1"), None);
        assert_eq!(literal_host("http://[::1]:80/"), None);
        assert_eq!(literal_host(""), None);
    }
}
