//! `--format human`: progress for people on stderr, Log values on stdout.
//!
//! stdout gets only the values Log blocks log, each as pretty JSON, so
//! `switchyard run f.json > out.json` captures just them. stderr gets one line per
//! request sent and per request finished, Log labels, warnings, and a closing summary:
//!
//! ```text
//! ▶ List OpenAI models (3 blocks)
//!   → GET https://api.openai.com/v1/models  (list-models)
//!   ✓ list-models  200 · 84 ms · 1.2 kB
//!   ≡ log "Models"
//! ✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · 142 ms
//! ```
//!
//! Colour is written when stderr shows it ([`crate::output::colour`]: a terminal, no
//! `NO_COLOR`, no `TERM=dumb`); otherwise [`HumanRenderer::without_colour`] writes none. Everything
//! taken from the flow or a server (the flow's name, block ids, URLs, labels, messages)
//! is shown with control characters escaped ([`Escaped`]); Log values are JSON, whose
//! strings escape them already.

use std::collections::HashMap;
use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};
use switchyard_engine::wording::{failure_message, plural, run_summary, size};
use switchyard_engine::{Counts, Event, Outcome};
use switchyard_flow::{Escaped, LogLevel, Port};
use switchyard_runner::report::short_value;

use super::Render;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
pub(crate) const GREEN: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));
pub(crate) const RED: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red)));
const YELLOW: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
const CYAN: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Cyan)));

/// Writes a run for people: progress on `err`, Log values on `out`.
#[derive(Debug)]
pub struct HumanRenderer<O: Write, E: Write> {
    out: O,
    err: E,
    max_steps: u64,
    undefined: Vec<String>,
    /// Body size of the last response each block received, shown when it finishes.
    response_bytes: HashMap<String, u64>,
    /// The flow's file, shown in its header when several flows run.
    file: Option<String>,
    /// Whether `out` has text not yet flushed: flushed before `err` is written to, so
    /// a terminal showing both gets the lines in order.
    out_pending: bool,
    palette: Palette,
}

/// The styles the renderer writes with: the real ones, or (for a stderr that shows no
/// colour) plain ones that write nothing, so the text needs no stripping pass after.
#[derive(Debug, Clone, Copy)]
struct Palette {
    colour: bool,
    bold: Style,
    dim: Style,
    green: Style,
    red: Style,
    yellow: Style,
    cyan: Style,
}

impl Palette {
    fn new(colour: bool) -> Self {
        let plain = Style::new();
        let palette = Self { colour, bold: plain, dim: plain, green: plain, red: plain, yellow: plain, cyan: plain };
        Self {
            bold: palette.paint(BOLD),
            dim: palette.paint(DIM),
            green: palette.paint(GREEN),
            red: palette.paint(RED),
            yellow: palette.paint(YELLOW),
            cyan: palette.paint(CYAN),
            ..palette
        }
    }

    fn paint(self, style: Style) -> Style {
        if self.colour { style } else { Style::new() }
    }
}

/// The line shown when Ctrl-C was pressed once, in colour: write it through
/// [`crate::output::stderr`], which strips the colour where it does not belong.
pub fn interrupted_line() -> String {
    format!("  {YELLOW}■ Ctrl-C: cancelling the run… (press Ctrl-C again to quit at once){YELLOW:#}")
}

impl<O: Write, E: Write> HumanRenderer<O, E> {
    /// A renderer writing values to `out` and progress to `err`. `max_steps` is the
    /// run's step limit, named when the run hits it; `undefined` are the variables the
    /// flow uses that no argument defines, warned about when the run starts.
    pub fn new(out: O, err: E, max_steps: u64, undefined: Vec<String>) -> Self {
        Self {
            out,
            err,
            max_steps,
            undefined,
            response_bytes: HashMap::new(),
            file: None,
            out_pending: false,
            palette: Palette::new(true),
        }
    }

    /// Writes no colour codes at all (for a stderr that is not a terminal, or
    /// `NO_COLOR`): quicker than writing them for `anstream` to strip.
    pub fn without_colour(mut self) -> Self {
        self.palette = Palette::new(false);
        self
    }

    /// Names the flow's file in the header (`▶ Name (3 blocks) · flows/a.flow.json`).
    pub fn with_file(mut self, file: String) -> Self {
        self.file = Some(file);
        self
    }

    fn run_started(&mut self, flow: &str, blocks: usize) -> io::Result<()> {
        let Palette { bold, dim, yellow, .. } = self.palette;
        let flow = if flow.trim().is_empty() { "untitled flow" } else { flow };
        let flow = Escaped(flow);
        let file = self.file.as_deref().map(|file| format!(" · {}", Escaped(file))).unwrap_or_default();
        writeln!(self.err, "{bold}▶ {flow}{bold:#} {dim}({}){file}{dim:#}", plural(blocks as u64, "block"))?;
        for name in &self.undefined {
            let name = Escaped(name);
            writeln!(
                self.err,
                "  {yellow}⚠{yellow:#} {{{{{name}}}}} is not defined: the blocks that use it will fail \
                 (define it with --var {name}=…, --secret {name}=… or --secret-env {name}=ENV_VAR)"
            )?;
        }
        Ok(())
    }

    fn block_finished(
        &mut self,
        block: &str,
        port: Port,
        value: &serde_json::Value,
        wired: bool,
        summary: &str,
    ) -> io::Result<()> {
        let Palette { bold, dim, green, red, cyan, .. } = self.palette;
        let bytes = self.response_bytes.remove(block);
        let (block, summary) = (Escaped(block), Escaped(summary));
        let size = bytes.map(|bytes| format!(" · {}", size(bytes))).unwrap_or_default();
        match port {
            Port::Success => writeln!(self.err, "  {green}✓{green:#} {bold}{block}{bold:#}  {summary}{size}"),
            Port::True | Port::False => writeln!(self.err, "  {cyan}⑂{cyan:#} {block} → {bold}{port}{bold:#}"),
            Port::Failure => {
                let message = failure_message(value, summary.0)
                    .map(|message| format!(" — {}", Escaped(&message)))
                    .unwrap_or_default();
                let size = if message.is_empty() { size } else { String::new() };
                let unhandled = if wired { "" } else { "  (nothing wired to failure: the run fails)" };
                writeln!(
                    self.err,
                    "  {red}✗{red:#} {bold}{block}{bold:#}  {red}failure{red:#}: {summary}{size}{message}{dim}{unhandled}{dim:#}"
                )
            }
            // `out` and `item`: the block's other lines say it all.
            Port::In | Port::Out | Port::Item => Ok(()),
        }
    }

    fn log(&mut self, block: &str, label: Option<&str>, level: LogLevel, value: &serde_json::Value) -> io::Result<()> {
        let Palette { bold, dim, cyan, red, yellow, .. } = self.palette;
        // `{:?}` quotes the label and escapes its control characters.
        let label = label.map(|label| format!(" {label:?}")).unwrap_or_default();
        let block = Escaped(block);
        match level {
            LogLevel::Info => writeln!(self.err, "  {cyan}≡{cyan:#} {block}{bold}{label}{bold:#}")?,
            LogLevel::Warn => writeln!(self.err, "  {yellow}≡ {block}{label}  warn{yellow:#}")?,
            LogLevel::Error => writeln!(
                self.err,
                "  {red}✗ {block}{label}  error{red:#}  {dim}(logged at level error: the run fails){dim:#}"
            )?,
        }
        // The label before its value, on a terminal showing both streams.
        self.err.flush()?;
        serde_json::to_writer_pretty(&mut self.out, value).map_err(io::Error::other)?;
        self.out.write_all(b"\n")?;
        self.out_pending = true;
        Ok(())
    }

    fn run_finished(&mut self, outcome: Outcome, counts: &Counts, duration_ms: u64) -> io::Result<()> {
        let style = self.palette.paint(match outcome {
            Outcome::Ok => GREEN.bold(),
            Outcome::Failed | Outcome::Limit => RED.bold(),
            Outcome::Cancelled => YELLOW.bold(),
        });
        let (headline, details) = run_summary(outcome, counts, duration_ms, self.max_steps);
        writeln!(self.err, "{style}{headline}{style:#} · {}", details.join(" · "))
    }
}

impl<O: Write, E: Write> Render for HumanRenderer<O, E> {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        if self.out_pending && !matches!(event, Event::BlockStarted { .. } | Event::ResponseReceived { .. }) {
            self.out.flush()?;
            self.out_pending = false;
        }
        self.write_event(event)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out_pending = false;
        self.err.flush()
    }
}

impl<O: Write, E: Write> HumanRenderer<O, E> {
    fn write_event(&mut self, event: &Event) -> io::Result<()> {
        let Palette { bold, dim, green, red, yellow, cyan, .. } = self.palette;
        match event {
            Event::RunStarted { flow, blocks } => self.run_started(flow, *blocks),
            Event::BlockStarted { .. } => Ok(()),
            Event::RequestSent { block, method, url, .. } => {
                let (block, method, url) = (Escaped(block), Escaped(method), Escaped(url));
                writeln!(self.err, "  {dim}→{dim:#} {bold}{method}{bold:#} {url}  {dim}({block}){dim:#}")
            }
            Event::ResponseReceived { block, bytes, .. } => {
                self.response_bytes.insert(block.clone(), *bytes);
                Ok(())
            }
            Event::Log { block, label, level, value } => self.log(block, label.as_deref(), *level, value),
            Event::Warning { block, message } => {
                let block = block.as_deref().map(|block| format!("{}: ", Escaped(block))).unwrap_or_default();
                writeln!(self.err, "  {yellow}⚠ {block}{}{yellow:#}", Escaped(message))
            }
            Event::BlockFinished { block, port, value, wired, summary } => {
                self.block_finished(block, *port, value, *wired, summary)
            }
            Event::BlockFailed { message, .. } => {
                let message = Escaped(message);
                writeln!(self.err, "  {red}✗{red:#} {red}{message}{red:#}  {dim}(the run fails){dim:#}")
            }
            Event::ItemStarted { block, index, total } => {
                writeln!(self.err, "  {cyan}↻{cyan:#} {} {index}/{total}", Escaped(block))
            }
            Event::VariableSet { name, value, .. } => {
                writeln!(self.err, "  {cyan}≔{cyan:#} {} = {}", Escaped(name), Escaped(&short_value(value, 80)))
            }
            Event::CheckResult { name, passed: true, .. } => {
                writeln!(self.err, "    {green}✓{green:#} check \"{}\"", Escaped(name))
            }
            Event::CheckResult { name, passed: false, result, .. } => {
                let result = short_value(result, 80);
                writeln!(self.err, "    {red}✗{red:#} check \"{}\" {dim}→ {}{dim:#}", Escaped(name), Escaped(&result))
            }
            Event::RunFinished { outcome, counts, duration_ms } => self.run_finished(*outcome, counts, *duration_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The run as written in colour, with the colour stripped; every test also checks
    /// that the renderer without colour writes the same text and no escape codes.
    fn render(events: &[Event], max_steps: u64, undefined: &[&str]) -> (String, String) {
        let undefined: Vec<String> = undefined.iter().map(|s| (*s).to_owned()).collect();
        let write = |colour: bool| {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let mut renderer = HumanRenderer::new(&mut out, &mut err, max_steps, undefined.clone());
            if !colour {
                renderer = renderer.without_colour();
            }
            for event in events {
                renderer.event(event).unwrap();
            }
            drop(renderer);
            (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
        };
        let (out, coloured) = write(true);
        let (plain_out, plain) = write(false);
        assert!(coloured.is_empty() || coloured.contains('\u{1b}'), "the coloured run has colour: {coloured:?}");
        assert!(!plain.contains('\u{1b}'), "no escape code without colour: {plain:?}");
        let err = anstream::adapter::strip_str(&coloured).to_string();
        assert_eq!((&plain_out, &plain), (&out, &err));
        (out, err)
    }

    fn finished(outcome: Outcome, counts: Counts) -> Event {
        Event::RunFinished { outcome, counts, duration_ms: 142 }
    }

    #[test]
    fn a_successful_run_reads_as_requests_then_summary() {
        let value = json!({"status": 200, "body": {"data": []}});
        let events = [
            Event::RunStarted { flow: "List models".into(), blocks: 3 },
            Event::BlockStarted { block: "start".into(), kind: switchyard_flow::BlockTypeName::Start, step: 1 },
            Event::BlockFinished {
                block: "start".into(),
                port: Port::Out,
                value: json!(null).into(),
                wired: true,
                summary: String::new(),
            },
            Event::RequestSent {
                block: "list".into(),
                method: "GET".into(),
                url: "http://127.0.0.1:1/models".into(),
                headers: vec![],
            },
            Event::ResponseReceived { block: "list".into(), status: 200, duration_ms: 84, bytes: 1234 },
            Event::BlockFinished {
                block: "list".into(),
                port: Port::Success,
                value: value.clone().into(),
                wired: true,
                summary: "200 · 84 ms".into(),
            },
            Event::Log {
                block: "log".into(),
                label: Some("Models".into()),
                level: LogLevel::Info,
                value: value.clone().into(),
            },
            finished(Outcome::Ok, Counts { blocks_run: 3, responses: 1, succeeded: 1, logged: 1, ..Counts::default() }),
        ];
        let (out, err) = render(&events, 10_000, &[]);
        assert_eq!(out, format!("{}\n", serde_json::to_string_pretty(&value).unwrap()));
        assert_eq!(
            err,
            "▶ List models (3 blocks)\n\
             \x20 → GET http://127.0.0.1:1/models  (list)\n\
             \x20 ✓ list  200 · 84 ms · 1.2 kB\n\
             \x20 ≡ log \"Models\"\n\
             ✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · 142 ms\n"
        );
    }

    #[test]
    fn an_unhandled_failure_shows_its_message_and_fails_the_run() {
        let events = [
            Event::BlockFinished {
                block: "call".into(),
                port: Port::Failure,
                value: json!({"error": {"kind": "timeout", "message": "no response within 50 ms"}}).into(),
                wired: false,
                summary: "timeout".into(),
            },
            finished(Outcome::Failed, Counts { blocks_run: 2, failed: 1, unhandled: 1, ..Counts::default() }),
        ];
        let (out, err) = render(&events, 10_000, &[]);
        assert_eq!(out, "");
        assert_eq!(
            err,
            "  ✗ call  failure: timeout — no response within 50 ms  (nothing wired to failure: the run fails)\n\
             ✖ failed · 1 unhandled failure · 2 blocks · 1 request (0 ✔, 1 ✖) · 142 ms\n"
        );
    }

    #[test]
    fn a_value_logged_at_level_error_reads_as_a_failure_and_fails_the_run() {
        let log = |block: &str, level| Event::Log { block: block.into(), label: None, level, value: json!(1).into() };
        let events = [
            log("oops", LogLevel::Error),
            log("note", LogLevel::Warn),
            finished(Outcome::Failed, Counts { blocks_run: 3, logged: 2, error_logs: 1, ..Counts::default() }),
        ];
        let (out, err) = render(&events, 10_000, &[]);
        assert_eq!(out, "1\n1\n", "the values are still logged");
        assert_eq!(
            err,
            "  ✗ oops  error  (logged at level error: the run fails)\n\
             \x20 ≡ note  warn\n\
             ✖ failed · 1 error logged · 3 blocks · 142 ms\n"
        );
        // In colour, the failure's colour.
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut renderer = HumanRenderer::new(&mut out, &mut err, 10, Vec::new());
        renderer.event(&log("oops", LogLevel::Error)).unwrap();
        drop(renderer);
        assert!(String::from_utf8(err).unwrap().starts_with(&format!("  {RED}✗ oops")));
    }

    #[test]
    fn limit_and_cancelled_runs_say_so() {
        let (_, err) = render(&[finished(Outcome::Limit, Counts { blocks_run: 20, ..Counts::default() })], 20, &[]);
        assert_eq!(err, "✖ limit: stopped after 20 steps (raise it with --max-steps) · 20 blocks · 142 ms\n");
        let (_, err) = render(&[finished(Outcome::Cancelled, Counts::default())], 20, &[]);
        assert_eq!(err, "■ cancelled · 0 blocks · 142 ms\n");
    }

    #[test]
    fn undefined_variables_are_warned_about_when_the_run_starts() {
        let (_, err) = render(&[Event::RunStarted { flow: "F".into(), blocks: 1 }], 10, &["auth"]);
        assert!(
            err.starts_with("▶ F (1 block)\n  ⚠ {{auth}} is not defined: the blocks that use it will fail"),
            "{err}"
        );
    }

    #[test]
    fn the_language_events_read_as_one_line_each() {
        let events = [
            Event::BlockFinished {
                block: "is-ready".into(),
                port: Port::False,
                value: json!({}).into(),
                wired: true,
                summary: "false".into(),
            },
            Event::ItemStarted { block: "each-model".into(), index: 3, total: 10 },
            Event::VariableSet { block: "keep".into(), name: "token".into(), value: json!("*****"), secret: true },
            Event::CheckResult { block: "list".into(), name: "has models".into(), passed: true, result: json!(true) },
            Event::CheckResult { block: "list".into(), name: "many".into(), passed: false, result: json!(2) },
            Event::BlockFailed {
                block: "e".into(),
                field: "expression".into(),
                message: "block `e`: expression: boom".into(),
            },
        ];
        let (_, err) = render(&events, 10, &[]);
        assert_eq!(
            err,
            "  ⑂ is-ready → false\n\
             \x20 ↻ each-model 3/10\n\
             \x20 ≔ token = *****\n\
             \x20   ✓ check \"has models\"\n\
             \x20   ✗ check \"many\" → 2\n\
             \x20 ✗ block `e`: expression: boom  (the run fails)\n"
        );
    }

    #[test]
    fn text_from_the_flow_and_the_server_cannot_forge_lines_or_escapes() {
        let events = [
            Event::RunStarted { flow: "\u{1b}]0;pwned\u{7}name".into(), blocks: 1 },
            Event::Warning { block: Some("b".into()), message: "x\nfile.json:1:1: looks fine".into() },
            Event::BlockFinished {
                block: "call".into(),
                port: Port::Failure,
                value: json!({"error": {"kind": "http", "message": "bad\r\u{1b}[2Kstatus"}}).into(),
                wired: true,
                summary: "500\u{0}".into(),
            },
        ];
        let (_, err) = render(&events, 10, &[]);
        assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
        assert_eq!(err.lines().count(), 3, "{err}");
        assert!(err.contains("\\u{1b}]0;pwned\\u{7}name"), "{err}");
        assert!(err.contains("x\\nfile.json:1:1: looks fine"), "{err}");
        assert!(err.contains("500\\0 — bad\\r\\u{1b}[2Kstatus"), "{err}");
    }
}
