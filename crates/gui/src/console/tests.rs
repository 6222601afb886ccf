//! The console's model and wording, line by line.

use std::time::Duration;

use serde_json::{Value, json};
use switchyard_engine::{Counts, Event, Outcome, wording};
use switchyard_flow::Port;

use super::{Console, Level};

pub(super) fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

pub(super) fn success(block: &str, summary: &str, value: Value) -> Event {
    Event::BlockFinished {
        block: block.to_owned(),
        port: Port::Success,
        value: value.into(),
        wired: true,
        summary: summary.to_owned(),
    }
}

pub(super) fn log(block: &str, label: Option<&str>, value: Value) -> Event {
    Event::Log {
        block: block.to_owned(),
        label: label.map(str::to_owned),
        level: switchyard_flow::LogLevel::Info,
        value: value.into(),
    }
}

/// A console holding a typical run: start, request, success, log, finish.
pub(super) fn sample_console() -> Console {
    let mut console = Console::new();
    console.push(ms(0), &Event::RunStarted { flow: "Users".to_owned(), blocks: 3 });
    console.push(
        ms(12),
        &Event::RequestSent {
            block: "fetch_users".to_owned(),
            method: "GET".to_owned(),
            url: "https://api.example.com/users".to_owned(),
            headers: vec![],
        },
    );
    console.push(ms(96), &success("fetch_users", "200 · 84 ms", json!({"status": 200, "body": {"count": 2}})));
    console.push(ms(97), &log("print", Some("users"), json!({"count": 2})));
    console.push(
        ms(98),
        &Event::RunFinished {
            outcome: Outcome::Ok,
            counts: Counts { blocks_run: 3, responses: 1, succeeded: 1, logged: 1, ..Counts::default() },
            duration_ms: 98,
        },
    );
    console
}

fn messages(console: &Console) -> Vec<&str> {
    console.lines().iter().map(|line| line.message.as_str()).collect()
}

#[test]
fn run_started_maps_to_info_line_with_name_and_block_count() {
    let mut console = Console::new();
    console.push(ms(0), &Event::RunStarted { flow: "Users".to_owned(), blocks: 3 });
    let line = &console.lines()[0];
    assert_eq!(line.time, "00:00.000");
    assert_eq!(line.level, Level::Info);
    assert_eq!(line.block, None);
    assert_eq!(line.message, "run started: Users (3 blocks)");
    assert_eq!(line.value, None);
}

#[test]
fn time_is_minutes_seconds_and_millis_since_run_start() {
    let mut console = Console::new();
    console.push(ms(1_234), &Event::RunStarted { flow: "f".to_owned(), blocks: 1 });
    console.push(ms(61_005), &Event::RunStarted { flow: "f".to_owned(), blocks: 1 });
    assert_eq!(console.lines()[0].time, "00:01.234");
    assert_eq!(console.lines()[0].message, "run started: f (1 block)");
    assert_eq!(console.lines()[1].time, "01:01.005");
}

#[test]
fn block_started_and_response_received_add_no_line() {
    let mut console = Console::new();
    console.push(
        ms(1),
        &Event::BlockStarted { block: "a".to_owned(), kind: switchyard_flow::BlockTypeName::SendRequest, step: 1 },
    );
    console.push(ms(2), &Event::ResponseReceived { block: "a".to_owned(), status: 200, duration_ms: 1, bytes: 10 });
    assert!(console.is_empty());
    assert_eq!(console.len(), 0);
}

#[test]
fn request_sent_maps_to_request_line_with_method_url_and_headers() {
    let mut console = Console::new();
    console.push(
        ms(5),
        &Event::RequestSent {
            block: "fetch".to_owned(),
            method: "POST".to_owned(),
            url: "https://api.example.com/items?page=2".to_owned(),
            headers: vec![("Accept".to_owned(), "a/b".to_owned()), ("Accept".to_owned(), "c/d".to_owned())],
        },
    );
    let line = &console.lines()[0];
    assert_eq!(line.level, Level::Request);
    assert_eq!(line.block.as_deref(), Some("fetch"));
    assert_eq!(line.message, "POST https://api.example.com/items?page=2");
    assert_eq!(
        line.value.as_deref(),
        Some(&json!({
            "method": "POST",
            "url": "https://api.example.com/items?page=2",
            "headers": {"Accept": "a/b, c/d"}
        }))
    );
}

#[test]
fn log_maps_to_log_line_with_label_or_logged_and_the_value() {
    let mut console = Console::new();
    console.push(ms(1), &log("print", Some("user id"), json!(42)));
    console.push(ms(2), &log("print", None, json!({"a": [1, 2]})));
    assert_eq!(messages(&console), ["user id", "logged"]);
    assert!(console.lines().iter().all(|line| line.level == Level::Log));
    assert_eq!(console.lines()[0].value.as_deref(), Some(&json!(42)));
    assert_eq!(console.lines()[1].value.as_deref(), Some(&json!({"a": [1, 2]})));
}

#[test]
fn a_log_at_level_error_is_a_failure_line_and_warn_a_warning_line() {
    let mut console = Console::new();
    let at = |level| Event::Log {
        block: "oops".to_owned(),
        label: Some("bad path".to_owned()),
        level,
        value: json!(1).into(),
    };
    console.push(ms(1), &at(switchyard_flow::LogLevel::Error));
    console.push(ms(2), &at(switchyard_flow::LogLevel::Warn));
    let lines = console.lines();
    assert_eq!((lines[0].level, lines[1].level), (Level::Failure, Level::Warning));
    assert_eq!(messages(&console), ["bad path (logged at level error: the run fails)", "bad path"]);
    assert_eq!(lines[0].value.as_deref(), Some(&json!(1)));
}

#[test]
fn warning_maps_to_warning_line_with_its_block() {
    let mut console = Console::new();
    console
        .push(ms(1), &Event::Warning { block: Some("fetch".to_owned()), message: "secret api_key expired".to_owned() });
    console.push(ms(2), &Event::Warning { block: None, message: "general".to_owned() });
    let lines = console.lines();
    assert_eq!(lines[0].level, Level::Warning);
    assert_eq!(lines[0].block.as_deref(), Some("fetch"));
    assert_eq!(lines[0].message, "secret api_key expired");
    assert_eq!(lines[1].block, None);
}

#[test]
fn success_maps_to_success_line_with_summary_and_response_value() {
    let mut console = Console::new();
    let response = json!({"status": 200, "headers": {}, "body": {"ok": true}, "duration_ms": 84, "url": "https://x"});
    console.push(ms(90), &success("fetch", "200 · 84 ms", response.clone()));
    let line = &console.lines()[0];
    assert_eq!(line.level, Level::Success);
    assert_eq!(line.block.as_deref(), Some("fetch"));
    assert_eq!(line.message, "success: 200 · 84 ms");
    assert_eq!(line.value.as_deref(), Some(&response));
}

#[test]
fn failure_maps_to_failure_line_with_summary_and_error_message() {
    let mut console = Console::new();
    let value = json!({"error": {"kind": "connect", "message": "connection refused by 127.0.0.1:9"}});
    console.push(
        ms(3),
        &Event::BlockFinished {
            block: "fetch".to_owned(),
            port: Port::Failure,
            value: value.clone().into(),
            wired: true,
            summary: "connect error".to_owned(),
        },
    );
    let line = &console.lines()[0];
    assert_eq!(line.level, Level::Failure);
    assert_eq!(line.message, "failure: connect error — connection refused by 127.0.0.1:9");
    assert_eq!(line.value.as_deref(), Some(&value));
}

#[test]
fn unhandled_failure_without_error_says_so_and_does_not_repeat_the_summary() {
    let mut console = Console::new();
    console.push(
        ms(3),
        &Event::BlockFinished {
            block: "fetch".to_owned(),
            port: Port::Failure,
            value: json!({"status": 404, "error": {"kind": "timeout", "message": "timeout"}}).into(),
            wired: false,
            summary: "timeout".to_owned(),
        },
    );
    console.push(
        ms(4),
        &Event::BlockFinished {
            block: "fetch".to_owned(),
            port: Port::Failure,
            value: json!({"status": 404}).into(),
            wired: false,
            summary: "404 · 12 ms".to_owned(),
        },
    );
    assert_eq!(messages(&console), ["failure: timeout (unhandled)", "failure: 404 · 12 ms (unhandled)"]);
}

#[test]
fn out_port_of_start_and_log_adds_no_line() {
    let mut console = Console::new();
    for block in ["start", "print"] {
        console.push(
            ms(1),
            &Event::BlockFinished {
                block: block.to_owned(),
                port: Port::Out,
                value: Value::Null.into(),
                wired: true,
                summary: String::new(),
            },
        );
    }
    assert!(console.is_empty());
}

#[test]
fn run_finished_level_and_message_follow_the_outcome() {
    let mut console = Console::new();
    let counts = Counts {
        blocks_run: 3,
        responses: 2,
        succeeded: 1,
        failed: 1,
        unhandled: 1,
        logged: 2,
        errors: 0,
        error_logs: 0,
    };
    for (outcome, duration_ms) in
        [(Outcome::Ok, 412), (Outcome::Failed, 1_250), (Outcome::Cancelled, 5), (Outcome::Limit, 9)]
    {
        console.push(ms(duration_ms), &Event::RunFinished { outcome, counts, duration_ms });
    }
    let levels: Vec<Level> = console.lines().iter().map(|line| line.level).collect();
    assert_eq!(levels, [Level::Success, Level::Failure, Level::Info, Level::Failure]);
    assert_eq!(
        messages(&console),
        [
            "✔ ok · 1 unhandled failure · 3 blocks · 2 requests (1 ✔, 1 ✖) · 412 ms",
            "✖ failed · 1 unhandled failure · 3 blocks · 2 requests (1 ✔, 1 ✖) · 1.25 s",
            "■ cancelled · 1 unhandled failure · 3 blocks · 2 requests (1 ✔, 1 ✖) · 5 ms",
            "✖ limit: stopped after 10000 steps (raise it with --max-steps) · 1 unhandled failure · 3 blocks · \
             2 requests (1 ✔, 1 ✖) · 9 ms",
        ]
    );
    let quiet = Counts { blocks_run: 1, responses: 1, succeeded: 1, ..Counts::default() };
    console.push(ms(1), &Event::RunFinished { outcome: Outcome::Ok, counts: quiet, duration_ms: 1 });
    assert_eq!(console.lines()[4].message, "✔ ok · 1 block · 1 request (1 ✔, 0 ✖) · 1 ms");
}

#[test]
fn run_summary_line_is_the_wording_the_terminal_shows() {
    let cases = [
        (Outcome::Ok, Counts { blocks_run: 3, responses: 1, succeeded: 1, logged: 1, ..Counts::default() }, 98),
        (Outcome::Failed, Counts { blocks_run: 2, failed: 1, unhandled: 1, errors: 1, ..Counts::default() }, 1_250),
        (Outcome::Cancelled, Counts::default(), 5),
        (Outcome::Limit, Counts { blocks_run: 10_000, ..Counts::default() }, 9),
    ];
    let max_steps = switchyard_engine::EngineConfig::default().max_steps;
    for (outcome, counts, duration_ms) in cases {
        let mut console = Console::new();
        console.push(ms(duration_ms), &Event::RunFinished { outcome, counts, duration_ms });
        let (headline, details) = wording::run_summary(outcome, &counts, duration_ms, max_steps);
        let terminal = format!("{headline} · {}", details.join(" · "));
        assert_eq!(console.lines()[0].message, terminal, "{outcome:?}");
        assert_eq!(terminal, wording::run_summary_line(outcome, &counts, duration_ms, max_steps));
    }
}

#[test]
fn failure_line_takes_the_error_message_from_the_shared_wording() {
    let value = json!({"error": {"kind": "timeout", "message": "no response within 50 ms"}});
    let mut console = Console::new();
    console.push(
        ms(1),
        &Event::BlockFinished {
            block: "call".to_owned(),
            port: Port::Failure,
            value: value.clone().into(),
            wired: true,
            summary: "timeout".to_owned(),
        },
    );
    let error = wording::failure_message(&value, "timeout").unwrap_or_default();
    assert_eq!(console.lines()[0].message, format!("failure: timeout — {error}"));
}

#[test]
fn filter_matches_block_message_and_level_ignoring_case() {
    let mut console = sample_console();
    console.set_filter("FETCH_users");
    assert_eq!(console.visible_len(), 2);
    console.set_filter("api.example");
    assert_eq!(console.visible_len(), 1);
    console.set_filter(" LOG ");
    assert_eq!(console.visible_len(), 1, "the log line");
    console.set_filter("REQUEST");
    assert_eq!(
        console.visible_text(),
        "00:00.012\tfetch_users\trequest\tGET https://api.example.com/users\n\
         00:00.098\t\tsuccess\t✔ ok · 3 blocks · 1 request (1 ✔, 0 ✖) · 98 ms",
        "the request line, and the run line's \"1 request\""
    );
    console.set_filter("no such text");
    assert_eq!(console.visible_len(), 0);
    assert_eq!(console.visible_text(), "");
    console.set_filter("");
    assert_eq!(console.visible_len(), 5);
}

#[test]
fn filter_lists_each_matching_line_once_in_order() {
    let mut console = Console::new();
    console.push_error("aaa aaa");
    console.push_error("bbb");
    console.push_error("a");
    console.set_filter("a");
    assert_eq!(console.visible_text(), "\t\terror\taaa aaa\n\t\terror\ta");
    console.set_filter("error\ta");
    assert_eq!(console.visible_len(), 0, "a filter never matches across fields");
}

#[test]
fn filter_ignores_case_beyond_ascii() {
    let mut console = Console::new();
    console.push_error("Ärger mit der Größe");
    console.push_error("other");
    console.set_filter("ärger");
    assert_eq!(console.visible_len(), 1);
    console.set_filter("GRÖSSE");
    assert_eq!(console.visible_len(), 0, "no case folding of ß to ss, only lowercasing");
    console.set_filter("GRÖßE");
    assert_eq!(console.visible_len(), 1);
}

#[test]
fn level_toggles_hide_and_show_their_lines() {
    let mut console = sample_console();
    console.set_level_shown(Level::Success, false);
    assert!(!console.is_level_shown(Level::Success));
    assert_eq!(console.visible_len(), 3);
    assert!(!console.visible_text().contains("\tsuccess\t"));
    console.set_level_shown(Level::Info, false);
    console.set_filter("users");
    assert_eq!(console.visible_len(), 2, "{}", console.visible_text());
    console.set_level_shown(Level::Success, true);
    assert_eq!(console.visible_len(), 3);
}

#[test]
fn lines_pushed_while_filtered_are_filtered_as_they_arrive() {
    let mut console = Console::new();
    console.set_filter("fetch");
    console.set_level_shown(Level::Log, false);
    console.push(ms(1), &success("fetch", "200 · 1 ms", json!({})));
    console.push(ms(2), &success("other", "200 · 1 ms", json!({})));
    console.push(ms(3), &log("fetch", None, json!(1)));
    assert_eq!(console.len(), 3);
    assert_eq!(console.visible_text(), "00:00.001\tfetch\tsuccess\tsuccess: 200 · 1 ms");
}

#[test]
fn clear_removes_every_line_and_keeps_the_filter() {
    let mut console = sample_console();
    console.set_filter("fetch");
    console.clear();
    assert!(console.is_empty());
    assert_eq!(console.visible_len(), 0);
    assert_eq!(console.filter(), "fetch");
    console.push(ms(1), &success("fetch", "200 · 1 ms", json!({})));
    console.push(ms(1), &success("other", "200 · 1 ms", json!({})));
    assert_eq!(console.visible_len(), 1);
}

/// Every symbol the console's lines use is one the app's fonts can draw (egui's default
/// fonts have no `✓`, `✗` or `✘`: they showed as empty boxes).
#[test]
fn every_console_line_is_drawable_with_the_apps_fonts() {
    let mut console = Console::new();
    let counts = Counts {
        blocks_run: 3,
        responses: 2,
        succeeded: 1,
        failed: 1,
        unhandled: 1,
        logged: 2,
        errors: 1,
        error_logs: 0,
    };
    for outcome in [Outcome::Ok, Outcome::Failed, Outcome::Cancelled, Outcome::Limit] {
        console.push(ms(1), &Event::RunFinished { outcome, counts, duration_ms: 1 });
    }
    console.push(ms(1), &success("list", "200 · 5 ms", json!({"status": 200})));
    console.push(
        ms(1),
        &Event::CheckResult { block: "list".into(), name: "has items".into(), passed: false, result: json!(false) },
    );
    console.push(
        ms(1),
        &Event::CheckResult { block: "list".into(), name: "is ok".into(), passed: true, result: json!(true) },
    );
    console.push(ms(1), &Event::ItemStarted { block: "each".into(), index: 1, total: 3 });
    console.push(
        ms(1),
        &Event::VariableSet { block: "keep".into(), name: "token".into(), value: json!("*****"), secret: true },
    );
    // egui's `has_glyph` reports every character of the primary face (which also
    // holds the replacement glyph) as missing, so it is asked only about the symbols,
    // which come from the emoji faces; the ones the default fonts lack are named.
    const MISSING: [char; 5] = ['✓', '✗', '✘', '✕', '⑂'];
    let mut lines: Vec<String> = console.lines().iter().map(|line| line.message.clone()).collect();
    lines.push(wording::run_summary_line(Outcome::Failed, &counts, 1, 10));
    for line in &lines {
        assert!(!line.contains(MISSING), "a symbol egui's fonts cannot draw, in: {line}");
    }
    let ctx = egui::Context::default();
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
    // The console's lines are monospace: its symbols are there, the missing ones not.
    let font = egui::FontId::monospace(13.0);
    for symbol in ['✔', '✖', '⚠', '🔒'] {
        assert!(ctx.fonts_mut(|fonts| fonts.has_glyph(&font, symbol)), "{symbol}");
    }
    for symbol in MISSING {
        assert!(!ctx.fonts_mut(|fonts| fonts.has_glyph(&font, symbol)), "{symbol} is drawable after all");
    }
}

#[test]
fn runs_are_separated_or_cleared_on_run() {
    let mut console = Console::new();
    console.start_run();
    assert!(console.is_empty(), "nothing to separate from on the first run");
    console.push(ms(1), &Event::RunStarted { flow: "F".into(), blocks: 2 });
    console.start_run();
    console.push(ms(1), &Event::RunStarted { flow: "F".into(), blocks: 2 });
    let lines = messages(&console);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1], "── run 2 ──");
    assert_eq!(console.lines()[1].time, "");

    console.clear_on_run = true;
    console.start_run();
    assert!(console.is_empty(), "Clear on run starts the run on an empty console");
}

/// A response-like value of about `kib` KiB, whose body holds `word`.
fn sized(word: &str, kib: usize) -> Value {
    json!({"status": 200, "body": {"word": word, "items": vec!["x".repeat(1024); kib]}})
}

#[test]
fn values_past_the_budget_are_dropped_oldest_first_and_their_lines_stay() {
    let mut console = Console::new();
    console.set_budget(1024 * 1024);
    for run in 1..=4 {
        console.start_run();
        console.push(ms(1), &success("fetch", "200", sized(&format!("needle{run}"), 200)));
    }
    assert!(console.held_bytes() <= console.budget(), "{} held", console.held_bytes());
    let successes: Vec<_> = console.lines().iter().filter(|line| line.level == Level::Success).collect();
    assert_eq!(successes.len(), 4, "every run keeps its line");
    assert!(successes[0].value.is_none() && successes[0].value_dropped, "the oldest lost its value");
    assert!(successes[3].value.is_some() && !successes[3].value_dropped, "the newest kept it");
    assert!(
        console.lines().iter().any(|line| line.message.starts_with("values of run 1 dropped")),
        "a line says so: {:?}",
        messages(&console)
    );
    // The filter no longer finds words of a dropped value, and still finds a kept one's.
    console.set_filter("needle1");
    assert_eq!(console.visible_len(), 0);
    console.set_filter("needle4");
    assert_eq!(console.visible_len(), 1);
}

#[test]
fn a_large_value_logged_as_it_was_fired_is_held_once() {
    let mut console = Console::new();
    // The engine's Log event shares the value the request fired.
    let value = std::sync::Arc::new(sized("same", 200));
    let fired = Event::BlockFinished {
        block: "fetch".to_owned(),
        port: Port::Success,
        value: std::sync::Arc::clone(&value),
        wired: true,
        summary: "200".to_owned(),
    };
    console.push(ms(1), &fired);
    let one = console.held_bytes();
    let logged = Event::Log { block: "show".to_owned(), label: None, level: Default::default(), value };
    console.push(ms(2), &logged);
    let lines = console.lines();
    let (first, second) = (lines[0].value.as_ref().unwrap(), lines[1].value.as_ref().unwrap());
    assert!(std::sync::Arc::ptr_eq(first, second), "the Log line shares the response");
    assert!(console.held_bytes() < one * 3 / 2, "counted once: {} then {}", one, console.held_bytes());
}

/// Run `run` of a request whose large value a Log line shares, as the engine sends it.
fn shared_run(console: &mut Console, word: &str) -> std::sync::Arc<Value> {
    console.start_run();
    let value = std::sync::Arc::new(sized(word, 200));
    let fired = Event::BlockFinished {
        block: "fetch".to_owned(),
        port: Port::Success,
        value: std::sync::Arc::clone(&value),
        wired: true,
        summary: "200".to_owned(),
    };
    console.push(ms(1), &fired);
    let logged = Event::Log { block: "show".to_owned(), label: None, level: Default::default(), value: value.clone() };
    console.push(ms(2), &logged);
    console.push(ms(3), &log("small", None, json!({"n": 1})));
    value
}

#[test]
fn every_runs_large_value_is_kept_as_text_and_read_again_when_selected() {
    let mut console = Console::new();
    let first = shared_run(&mut console, "needle1");
    let before = console.held_bytes();
    console.take_let_go();
    let compaction = console.compact_runs();
    let freed = compaction.freed;
    assert!(freed > 200 * 1024, "the value of the run that just ended let go: {freed}");
    assert_eq!(console.take_let_go(), freed, "and counted for the app to give back");
    assert_eq!(compaction.texts.len(), 1, "one text for the value two lines shared");
    assert!(std::sync::Arc::ptr_eq(&compaction.texts[0].0, &first), "given with the value it was written from");
    drop(compaction);
    assert_eq!(std::sync::Arc::strong_count(&first), 1, "the console holds run 1's value no more");
    assert!(console.held_bytes() < before * 3 / 4, "text is smaller: {} then {}", before, console.held_bytes());

    let second = shared_run(&mut console, "needle2");
    assert!(console.compact_runs().freed > 200 * 1024, "run 2's value let go too");
    assert_eq!(std::sync::Arc::strong_count(&second), 1, "the console holds run 2's value no more");
    let lines = console.lines();
    let (fetch, show, small) = (&lines[0], &lines[1], &lines[2]);
    assert!(fetch.value.is_none() && show.value.is_none(), "run 1's large value is text now");
    let (a, b) = (fetch.compacted.as_ref().unwrap(), show.compacted.as_ref().unwrap());
    assert!(std::sync::Arc::ptr_eq(a, b), "written once for the two lines that shared it");
    assert_eq!(a.value().unwrap(), *first);
    assert!(small.value.is_some() && small.compacted.is_none(), "a small value stays as it is");
    assert!(!fetch.value_dropped);
    let run2 = lines.iter().position(|line| line.run == 2 && line.block.as_deref() == Some("fetch")).unwrap();
    assert!(lines[run2].value.is_none(), "the last run's large value is text too");
    assert_eq!(lines[run2].compacted.as_ref().unwrap().value().unwrap(), *second);

    // Selected, it is parsed again for the viewer; asked again, it is not parsed twice.
    console.select(Some(0));
    let again = console.line_value(0).unwrap();
    assert_eq!(*again, *first);
    assert!(std::sync::Arc::ptr_eq(&again, &console.line_value(0).unwrap()));
    console.select(Some(run2));
    assert_eq!(*console.line_value(run2).unwrap(), *second, "the last run's line gives back its value");

    // Their lines are still found by their text; their words no longer.
    console.set_filter("needle1");
    assert_eq!(console.visible_len(), 0);
    console.set_filter("needle2");
    assert_eq!(console.visible_len(), 0);
    console.set_filter("show");
    assert_eq!(console.visible_len(), 2, "both runs' Log lines");
}

#[test]
fn the_selected_line_and_a_value_too_deep_to_read_again_stay_parsed() {
    let mut console = Console::new();
    console.start_run();
    let mut deep = sized("deep", 200);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    console.push(ms(1), &success("deep", "200", deep));
    shared_run(&mut console, "kept");
    let selected = console.lines().iter().position(|line| line.block.as_deref() == Some("fetch")).unwrap();
    console.select(Some(selected));
    shared_run(&mut console, "later");
    let held = console.held_bytes();
    let compaction = console.compact_runs();
    assert_eq!(compaction.texts.len(), 2, "run 2's value (for the Log line sharing it) and run 3's made text");
    assert!(compaction.freed > 200 * 1024, "which is let go: {}", compaction.freed);
    let lines = console.lines();
    assert!(lines[0].value.is_some() && lines[0].compacted.is_none(), "too deep to be parsed again");
    assert!(lines[selected].value.is_some(), "the selected line keeps its value");
    let show = lines.iter().position(|line| line.run == 2 && line.block.as_deref() == Some("show")).unwrap();
    assert!(lines[show].compacted.is_some(), "the Log line sharing it is text");
    let last = lines.iter().rposition(|line| line.block.as_deref() == Some("fetch")).unwrap();
    assert!(lines[last].value.is_none() && lines[last].compacted.is_some(), "the last run's value is text");
    // Its words are searched no more, as the rest of its run's large values; the
    // console holds them no more.
    assert!(console.held_bytes() < held, "{held} then {}", console.held_bytes());
    console.set_filter("kept");
    assert_eq!(console.visible_len(), 0);
    console.set_filter("later");
    assert_eq!(console.visible_len(), 0, "nor the last run's, made text");
    console.set_filter("");
    assert_eq!(console.line_value(selected).as_deref(), console.lines()[selected].value.as_deref());

    // The selected line of the run that just ended keeps its value too.
    let value = shared_run(&mut console, "newest");
    let newest = console.lines().iter().rposition(|line| line.block.as_deref() == Some("show")).unwrap();
    console.select(Some(newest));
    console.compact_runs();
    let lines = console.lines();
    assert!(std::sync::Arc::ptr_eq(lines[newest].value.as_ref().unwrap(), &value), "the selected line's own value");
    assert!(lines[newest - 1].value.is_none() && lines[newest - 1].compacted.is_some(), "the line sharing it is text");
    assert!(lines[selected].value.is_none() && lines[selected].compacted.is_some(), "the line selected before is text");
}

#[test]
fn compacted_values_count_against_the_budget_and_are_dropped_oldest_first() {
    let mut console = Console::new();
    for run in 1..=6 {
        shared_run(&mut console, &format!("run{run}"));
        console.compact_runs();
    }
    let text = console.lines()[0].compacted.as_ref().unwrap().held_bytes();
    // Every run's value is text: room for about three of them.
    console.set_budget(console.held_bytes() - 3 * text);
    let lines = console.lines();
    assert!(lines[0].compacted.is_none() && lines[0].value_dropped, "the oldest text dropped");
    let last_text = lines.iter().rposition(|line| line.compacted.is_some()).unwrap();
    assert_eq!(lines[last_text].run, 6, "the newest text kept");
    assert!(lines.iter().filter(|line| line.compacted.is_some()).all(|line| line.run >= 4), "the oldest dropped");
    assert!(console.held_bytes() <= console.budget());
}
