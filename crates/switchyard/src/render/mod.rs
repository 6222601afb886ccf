//! Renderers: turn a run's [`Event`]s into output. The GUI renders the same events.
//!
//! [`human::HumanRenderer`] writes progress for people on stderr and Log values on
//! stdout; [`json::JsonRenderer`] writes one JSON event per line on stdout. Events
//! arrive already masked by the engine, so renderers never see a secret value.
//!
//! A renderer may buffer what [`Render::event`] writes; [`Render::flush`] makes it
//! visible. The run loop (`switchyard_runner::run`) flushes at most every 20 ms while events keep
//! coming and at once after a pause, so a fast run costs one write per 20 ms instead of
//! one per line, and a slow one still shows each event as it happens.

pub mod human;
pub mod json;

use std::io;

use switchyard_engine::Event;

/// Something that shows a run as it happens.
pub trait Render {
    /// Shows one event, perhaps buffered. An error means the output is gone (a closed pipe).
    fn event(&mut self, event: &Event) -> io::Result<()>;

    /// Writes out whatever is buffered.
    fn flush(&mut self) -> io::Result<()>;
}
