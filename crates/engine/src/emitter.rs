//! Sends a run's events, masked, to its listener.

use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use tokio::sync::mpsc::UnboundedSender;

use crate::event::Event;
use crate::redact::Redactor;

/// Sends events, masked, to the run's listener. Request futures share it by reference;
/// the lock lets a request add a derived credential, and a `set` block a captured
/// secret, to the mask.
pub(crate) struct Emitter {
    tx: UnboundedSender<Event>,
    redactor: RwLock<Redactor>,
}

impl Emitter {
    pub fn new(tx: UnboundedSender<Event>, redactor: Redactor) -> Self {
        Self { tx, redactor: RwLock::new(redactor) }
    }

    /// Masks and sends `event`. A listener that went away does not stop the run.
    pub fn send(&self, event: Event) {
        let masked = self.redactor.read().unwrap_or_else(PoisonError::into_inner).redact_event(event);
        // The receiver may be gone (a GUI window closed); the run goes on regardless.
        let _ = self.tx.send(masked);
    }

    /// Masks `text` in every later event as a form of secret `name` (a derived
    /// credential), so host binding recognises it too.
    pub fn mask_literal_for(&self, name: &str, text: String) {
        self.redactor.write().unwrap_or_else(PoisonError::into_inner).add_literal_for(name, text);
    }

    /// The masks as they are now, to read (held only while preparing one request).
    pub fn redactor(&self) -> RwLockReadGuard<'_, Redactor> {
        self.redactor.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Masks `secret`, and its encoded forms, in every later event (a captured secret).
    pub fn mask_secret(&self, secret: &str) {
        self.redactor.write().unwrap_or_else(PoisonError::into_inner).add_secret(secret);
    }

    /// The masks as they are at the end of the run: every secret it knew.
    pub fn into_redactor(self) -> Redactor {
        self.redactor.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}
