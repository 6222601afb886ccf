//! `--format json`: one JSON object per event, one per line, on stdout.
//!
//! Each line is `serde_json::to_string` of an [`Event`]: an object whose `event` field
//! names it (`run_started` … `run_finished`). When several flows run, each line also
//! has `"file"`, the flow file it belongs to. Nothing else is written to stdout.

use std::io::{self, Write};

use switchyard_engine::Event;

use super::Render;

/// Writes each event as one line of JSON.
#[derive(Debug)]
pub struct JsonRenderer<W: Write> {
    out: W,
    file: Option<String>,
}

impl<W: Write> JsonRenderer<W> {
    /// A renderer writing to `out`, buffered by it until [`Render::flush`].
    pub fn new(out: W) -> Self {
        Self { out, file: None }
    }

    /// Adds `"file": FILE` to every line (when several flows run).
    pub fn with_file(mut self, file: Option<String>) -> Self {
        self.file = file;
        self
    }
}

impl<W: Write> Render for JsonRenderer<W> {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        match &self.file {
            None => serde_json::to_writer(&mut self.out, event).map_err(io::Error::other)?,
            Some(file) => {
                let mut line = serde_json::to_value(event).map_err(io::Error::other)?;
                if let Some(object) = line.as_object_mut() {
                    object.insert("file".to_owned(), serde_json::Value::String(file.clone()));
                }
                serde_json::to_writer(&mut self.out, &line).map_err(io::Error::other)?;
            }
        }
        self.out.write_all(b"\n")
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
        renderer.event(&Event::Log { block: "log".into(), label: None, value: json!({"a": [1, 2]}) }).unwrap();
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
}
