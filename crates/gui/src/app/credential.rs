//! The offer to keep a pasted credential in the keychain: when a pasted curl command
//! held a literal credential (an Authorization or API-key header, a `-u` password), the
//! block refers to it as `{{name}}` and a small window offers to store the value as the
//! global secret `name` ("Store as secret" / "Not now"). The value is held as a
//! `SecretString` until then, shown only as a mask, and handed to the settings worker,
//! which writes it to the keychain off the frame thread; it never reaches a file or
//! eframe's storage.
//!
//! A name never silently points at another value: when a global of the name the import
//! chose exists, the block refers to the next free one (`token-2`) and the offer says so;
//! the user may choose to replace that global instead, and then its value and allowed
//! hosts change together. The worker checks again when it stores: a global that holds
//! this very value is used as it is, a name taken meanwhile gives way to the next free
//! one, and the block follows ([`SwitchyardApp::credential_renamed`]).

use std::collections::HashSet;

use crate::curl::PastedCredential;
use crate::settings::StoreAs;
use egui::{RichText, Ui};
use switchyard_engine::MASK;
use switchyard_flow::{Block, BlockKind};

use super::{Action, SwitchyardApp};

/// The credentials part (`Credentials`): a pasted curl command's credentials offered for
/// the keychain, and those sent there, by the name the pasted block refers to, with the
/// block (the block follows when the worker stores one under another name).
#[derive(Default)]
pub(super) struct Credentials {
    /// Credentials a pasted curl command held, offered for storing as secrets.
    pub(super) offer: Option<CredentialOffer>,
    /// Pasted credentials sent to the keychain: (the name the block refers to, the block).
    pub(super) pasted: Vec<(String, String)>,
}

impl Credentials {
    /// The offer's window, while there is one: its buttons queue [`Action::AnswerCredential`].
    pub(super) fn ui(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let Some(offer) = &mut self.offer else { return };
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
                for offered in &mut offer.credentials {
                    credential_row(ui, offered);
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
            actions.push(Action::AnswerCredential(store));
        }
    }
}

/// Credentials waiting for the user's answer, the host they were going to, and the
/// pasted block that refers to them.
pub(super) struct CredentialOffer {
    credentials: Vec<Offered>,
    host: Option<String>,
    block: String,
}

/// One credential of an offer.
pub(super) struct Offered {
    credential: PastedCredential,
    /// The name the import chose, when a global of that name exists: the block refers
    /// to `credential.name` (the next free one) instead.
    taken: Option<String>,
    /// The user's choice: replace the global `taken` (value and allowed hosts).
    replace: bool,
}

impl Offered {
    /// The name the pasted block refers to it by.
    pub(super) fn name(&self) -> &str {
        &self.credential.name
    }

    /// Where it was in the command.
    pub(super) fn origin(&self) -> &str {
        &self.credential.origin
    }
}

impl std::fmt::Debug for CredentialOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: never a value.
        let names: Vec<&str> = self.credentials.iter().map(|c| c.credential.name.as_str()).collect();
        f.debug_struct("CredentialOffer").field("names", &names).field("host", &self.host).finish()
    }
}

impl CredentialOffer {
    /// The offer for the credentials a pasted command held, sent to `url`, in block
    /// `block`; `None` when there are none.
    pub(super) fn new(credentials: Vec<Offered>, url: &str, block: &str) -> Option<Self> {
        (!credentials.is_empty()).then(|| Self { credentials, host: literal_host(url), block: block.to_owned() })
    }
}

/// The most `-N` suffixes tried for a free name.
const MAX_SUFFIX: u32 = 1000;

/// Gives each pasted credential whose name a global has (as the store was last read)
/// the next free name (`token-2`), in `block` too. Returns the credentials for the offer
/// and a note for each renamed one.
pub(super) fn free_names(
    credentials: Vec<PastedCredential>,
    block: &mut Block,
    exists: &dyn Fn(&str) -> bool,
) -> (Vec<Offered>, Vec<String>) {
    let mut used: HashSet<String> = credentials.iter().map(|c| c.name.clone()).collect();
    let mut offered = Vec::new();
    let mut notes = Vec::new();
    for mut credential in credentials {
        let mut taken = None;
        if exists(&credential.name) {
            let base = credential.name.clone();
            let free =
                (2..=MAX_SUFFIX).map(|n| format!("{base}-{n}")).find(|name| !exists(name) && !used.contains(name));
            if let Some(free) = free {
                if let BlockKind::SendRequest(request) = &mut block.kind {
                    switchyard_flow::rename_variable(request, &base, &free);
                }
                notes.push(format!("a global `{base}` exists: this credential is `{{{{{free}}}}}`"));
                used.insert(free.clone());
                credential.name = free;
                taken = Some(base);
            }
        }
        offered.push(Offered { credential, taken, replace: false });
    }
    (offered, notes)
}

impl SwitchyardApp {
    /// Keeps the pasted credentials offer, when there is a store to keep them in;
    /// otherwise the paste's notice says how to store them.
    pub(super) fn offer_credentials(&mut self, offer: Option<CredentialOffer>) {
        if self.settings.has_store() {
            self.credentials.offer = offer;
        }
    }

    /// "Store as secret" sends each credential to the settings worker (a chosen
    /// replacement first makes the block refer to the replaced global); "Not now" drops
    /// them.
    pub(super) fn answer_credential(&mut self, store: bool) {
        let Some(offer) = self.credentials.offer.take() else { return };
        if !store {
            // The store may have been read only after the paste: a name a global has by
            // now still gives way to the next free one, so the block never points at
            // another value.
            let mut renamed = Vec::new();
            for offered in &offer.credentials {
                let name = offered.name();
                if !self.settings.has_global(name) {
                    continue;
                }
                let free = (2..=MAX_SUFFIX).map(|n| format!("{name}-{n}")).find(|free| {
                    !self.settings.has_global(free) && !offer.credentials.iter().any(|o| o.name() == free)
                });
                if let Some(free) = free {
                    self.rename_in_block(&offer.block, name, &free);
                    renamed.push(format!("the block refers to `{{{{{free}}}}}`: a global `{name}` exists"));
                }
            }
            let message = match renamed.as_slice() {
                [] => "the pasted credential was not stored".to_owned(),
                renamed => format!("the pasted credential was not stored; {}", renamed.join("; ")),
            };
            self.notices.show(message, false);
            return;
        }
        let allowed_hosts: Vec<String> = offer.host.into_iter().collect();
        let mut names = Vec::new();
        for Offered { credential, taken, replace } in offer.credentials {
            let (name, how) = match taken {
                Some(taken) if replace => {
                    self.rename_in_block(&offer.block, &credential.name, &taken);
                    (taken, StoreAs::Replace)
                }
                taken => {
                    let base = taken.unwrap_or_else(|| credential.name.clone());
                    (credential.name, StoreAs::Free { base })
                }
            };
            self.credentials.pasted.push((name.clone(), offer.block.clone()));
            if self.settings.store_secret(&name, credential.value, allowed_hosts.clone(), how) {
                names.push(format!("`{name}`"));
            } else {
                let message = format!("cannot store `{name}`: the background worker is gone: restart Switchyard");
                self.notices.show(message, true);
                return;
            }
        }
        self.notices.show(format!("storing {} in the keychain…", names.join(", ")), false);
    }

    /// The worker stored a pasted credential as `to` rather than `from` (a global holds
    /// this value already, or `from` was taken meanwhile): the pasted block follows.
    pub(super) fn credential_renamed(&mut self, from: &str, to: &str) {
        let Some(at) = self.credentials.pasted.iter().rposition(|(name, _)| name == from) else { return };
        let (_, block) = self.credentials.pasted.remove(at);
        self.rename_in_block(&block, from, to);
    }

    /// Makes block `block` refer to variable `to` where it referred to `from`.
    fn rename_in_block(&mut self, block: &str, from: &str, to: &str) {
        let Some(mut renamed) = self.document.block(block).cloned() else { return };
        let BlockKind::SendRequest(request) = &mut renamed.kind else { return };
        if switchyard_flow::rename_variable(request, from, to) {
            self.edit_block(block, renamed);
            self.inspector.forget(block);
        }
    }
}

/// `{{name}}  *****  (from header Authorization)`; when the name the import chose is
/// taken, what happens and the choice to replace that global instead.
fn credential_row(ui: &mut Ui, offered: &mut Offered) {
    let credential = &offered.credential;
    let shown = match (&offered.taken, offered.replace) {
        (Some(taken), true) => taken,
        _ => &credential.name,
    };
    ui.horizontal(|ui| {
        ui.monospace(format!("{{{{{shown}}}}}"));
        ui.monospace(MASK);
        ui.weak(format!("({})", credential.origin));
    });
    let Some(taken) = &offered.taken else { return };
    let text = if offered.replace {
        format!("The global `{taken}` gets this value and these allowed hosts.")
    } else {
        format!("A global `{taken}` exists: this one is stored as `{}`, and `{taken}` stays as it is.", credential.name)
    };
    ui.label(RichText::new(text).small().color(ui.visuals().warn_fg_color));
    ui.checkbox(&mut offered.replace, format!("Replace `{taken}` instead (its value and allowed hosts)"));
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
