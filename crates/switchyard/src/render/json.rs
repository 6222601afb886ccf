//! `--format json`: one JSON object per event, one per line, on stdout.
//!
//! Each line is `serde_json::to_string` of an [`Event`]: an object whose `event` field
//! names it (`run_started` … `run_finished`). When several flows run, each line also
//! has `"file"`, the flow file it belongs to. Nothing else is written to stdout.

use std::io::{self, Write};

use switchyard_engine::Event;

use super::Render;

/// The line buffer's capacity kept between events (bigger ones are freed).
const LINE_KEPT: usize = 1 << 20;

/// Writes each event as one line of JSON.
#[derive(Debug)]
pub struct JsonRenderer<W: Write> {
    out: W,
    file: Option<String>,
    /// Each line is made here, then written to `out` at once: serde_json writes many
    /// small pieces, which cost little in a `Vec` and much through a `dyn Write`.
    line: Vec<u8>,
}

impl<W: Write> JsonRenderer<W> {
    /// A renderer writing to `out`, buffered by it until [`Render::flush`].
    pub fn new(out: W) -> Self {
        Self { out, file: None, line: Vec::new() }
    }

    /// Adds `"file": FILE` to every line (when several flows run).
    pub fn with_file(mut self, file: Option<String>) -> Self {
        self.file = file;
        self
    }
}

impl<W: Write> Render for JsonRenderer<W> {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        self.line.clear();
        match &self.file {
            None => serde_json::to_writer(&mut self.line, event).map_err(io::Error::other)?,
            Some(file) => {
                let mut line = serde_json::to_value(event).map_err(io::Error::other)?;
                if let Some(object) = line.as_object_mut() {
                    object.insert("file".to_owned(), serde_json::Value::String(file.clone()));
                }
                serde_json::to_writer(&mut self.line, &line).map_err(io::Error::other)?;
            }
        }
        self.line.push(b'\n');
        let written = self.out.write_all(&self.line);
        if self.line.capacity() > LINE_KEPT {
            // A huge value's line is not kept around for the rest of the run.
            self.line = Vec::new();
        }
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use switchyard_engine::{Counts, Outcome};

    use super::*;

    #[test]
    fn each_event_is_one_line_tagged_with_its_name() {
        let mut out = Vec::new();
        let mut renderer = JsonRenderer::new(&mut out);
        renderer.event(&Event::RunStarted { flow: "F".into(), blocks: 2 }).unwrap();
        renderer
            .event(&Event::Log {
                block: "log".into(),
                label: None,
                level: switchyard_flow::LogLevel::Info,
                value: json!({"a": [1, 2]}).into(),
            })
            .unwrap();
        renderer
            .event(&Event::RunFinished { outcome: Outcome::Ok, counts: Counts::default(), duration_ms: 3 })
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["event"], "run_started");
        assert_eq!(lines[1]["value"], json!({"a": [1, 2]}));
        assert_eq!(lines[2]["outcome"], "ok");
    }

    #[test]
    fn a_huge_line_is_written_whole_and_the_next_one_after_it() {
        let mut out = Vec::new();
        let mut renderer = JsonRenderer::new(&mut out);
        let big = "x".repeat(3 * LINE_KEPT);
        renderer
            .event(&Event::Log {
                block: "a".into(),
                label: None,
                level: switchyard_flow::LogLevel::Info,
                value: json!(big).into(),
            })
            .unwrap();
        assert_eq!(renderer.line.capacity(), 0, "not kept after the event");
        renderer
            .event(&Event::Log {
                block: "b".into(),
                label: None,
                level: switchyard_flow::LogLevel::Info,
                value: json!(1).into(),
            })
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["value"].as_str().map(str::len), Some(3 * LINE_KEPT));
        assert_eq!(lines[1]["block"], "b");
    }
}
