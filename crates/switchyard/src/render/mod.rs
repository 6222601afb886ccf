//! Renderers: turn a run's [`Event`]s into output. The GUI renders the same events.
//!
//! [`human::HumanRenderer`] writes progress for people on stderr and Log values on
//! stdout; [`json::JsonRenderer`] writes one JSON event per line on stdout. Events
//! arrive already masked by the engine, so renderers never see a secret value.

pub mod human;
pub mod json;

use std::io;

use switchyard_engine::Event;

/// Something that shows a run as it happens.
pub trait Render {
    /// Shows one event. An error means the output is gone (a closed pipe).
    fn event(&mut self, event: &Event) -> io::Result<()>;

    /// The user pressed Ctrl-C once: the run is being cancelled.
    fn interrupted(&mut self) -> io::Result<()> {
        Ok(())
    }
}
