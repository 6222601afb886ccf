//! The response viewer and the filter's search of values, in the model and through
//! egui_kittest.

use egui::accesskit::Role;
use egui::{OutputCommand, TextFormat, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};
use switchyard_engine::Event;

use super::tests::{log, ms, success};
use super::viewer::{BodyView, TEXT_VIEW_LIMIT, body_text, highlighted, is_highlighted};
use super::{Console, Level};

/// A response value as the engine fires it.
fn response(url: &str, body: Value) -> Value {
    json!({
        "status": 200,
        "headers": {"content-type": "application/json", "authorization-echo": "Bearer *****"},
        "body": body,
        "duration_ms": 84,
        "url": url,
    })
}

/// A console with one run of `fetch` (1,536 bytes of body) and a log line after it.
fn response_console(body: Value) -> Console {
    let mut console = Console::new();
    push_response(&mut console, body);
    console.push(ms(100), &log("print", Some("done"), json!({"ok": true})));
    console
}

fn push_response(console: &mut Console, body: Value) {
    console.push(
        ms(10),
        &Event::ResponseReceived { block: "fetch".to_owned(), status: 200, duration_ms: 84, bytes: 1_536 },
    );
    let url = format!("https://api.example.com/users?page=2&{}", "filter=long-parameter&".repeat(8));
    console.push(ms(96), &success("fetch", "200 · 84 ms", response(&url, body)));
}

fn harness(console: Console) -> Harness<'static, Console> {
    Harness::builder().with_size(Vec2::new(1200.0, 700.0)).build_ui_state(
        |ui, console: &mut Console| {
            let _ = console.ui(ui);
        },
        console,
    )
}

fn click_row(harness: &mut Harness<'_, Console>, text: &str) {
    harness
        .get_by(|node| node.role() == Role::Button && node.label().is_some_and(|label| label.contains(text)))
        .click();
    harness.run();
}

/// Clicks the JSON tree's expand toggle just left of the node labelled `label` (the
/// toggle has no accessible label of its own).
fn expand(harness: &mut Harness<'_, Console>, label: &str) {
    let target = harness.get_by_label(label).rect();
    harness
        .get_all_by_role(Role::Unknown)
        .find(|node| {
            let rect = node.rect();
            (rect.center().y - target.center().y).abs() < 4.0 && (target.left() - rect.right()).abs() < 4.0
        })
        .expect("the JSON tree's expand toggle")
        .click();
    harness.run();
}

/// Right-clicks the node labelled `label`, picks `item` from its menu, and returns what
/// that frame put on the clipboard.
fn copy_from_menu(harness: &mut Harness<'_, Console>, label: &str, item: &str) -> Vec<String> {
    harness.get_by_label(label).click_secondary();
    harness.run();
    harness.get_by_label(item).click();
    harness.step();
    copied(harness)
}

fn copied(harness: &Harness<'_, Console>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|command| match command {
            OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_finish_line_keeps_the_body_size_its_response_reported() {
    let console = response_console(json!({}));
    let finish = console.lines().iter().position(|line| line.level == Level::Success).expect("the success line");
    assert_eq!(console.response_bytes(finish), Some(1_536));
    assert_eq!(console.response_bytes(finish + 1), None);
}

#[test]
fn the_filter_matches_keys_and_values_inside_bodies() {
    let mut console = response_console(json!({"users": [{"name": "Zebra Crossing", "age": 41}]}));
    console.set_filter("zebra");
    assert_eq!(console.visible_len(), 1);
    assert_eq!(console.selected_line(), None);
    console.set_filter("users");
    assert_eq!(console.visible_len(), 1);
    console.set_filter("41");
    assert_eq!(console.visible_len(), 1);
    // Header values are searched too; a key and its value are one phrase.
    console.set_filter("content-type application/json");
    assert_eq!(console.visible_len(), 1);
    // A match never runs from one line's value into the next line.
    console.set_filter("long-parameter&");
    assert_eq!(console.visible_len(), 1);
    console.set_filter("long-parameter& print");
    assert_eq!(console.visible_len(), 0);
    console.set_filter("no such word");
    assert_eq!(console.visible_len(), 0);
}

#[test]
fn the_filter_treats_line_breaks_in_a_value_as_spaces() {
    let mut console = Console::new();
    console.push(ms(0), &log("print", None, json!("first line\nsecond line")));
    console.push(ms(1), &log("print", None, json!("other")));
    console.set_filter("line second");
    assert_eq!(console.visible_len(), 1);
    console.set_filter("\n");
    assert_eq!(console.visible_len(), 2, "a blank filter shows everything");
}

#[test]
fn text_views_highlight_every_match_in_any_ascii_case_and_count_them() {
    let format = TextFormat::default();
    let highlight = TextFormat { background: egui::Color32::YELLOW, ..TextFormat::default() };
    let (job, matches, cut) = highlighted("Token token TOKEN tok", "token", &format, &highlight);
    assert_eq!((matches, cut), (3, false));
    assert_eq!(job.text, "Token token TOKEN tok");
    assert!(is_highlighted(&job, "Token") && is_highlighted(&job, "TOKEN"));
    assert!(!is_highlighted(&job, "tok"));

    let (job, matches, _) = highlighted("é token", "", &format, &highlight);
    assert_eq!((job.text.as_str(), matches), ("é token", 0));
}

#[test]
fn text_views_cut_a_huge_body_on_a_character_boundary() {
    let text = format!("{}é{}", "a".repeat(TEXT_VIEW_LIMIT - 1), "b".repeat(10));
    let (job, _, cut) = highlighted(&text, "", &TextFormat::default(), &TextFormat::default());
    assert!(cut);
    assert_eq!(job.text.len(), TEXT_VIEW_LIMIT - 1);
}

#[test]
fn pretty_raw_and_text_bodies() {
    assert_eq!(body_text(&json!({"a": [1]}), BodyView::Pretty), "{\n  \"a\": [\n    1\n  ]\n}");
    assert_eq!(body_text(&json!({"a": [1]}), BodyView::Raw), "{\"a\":[1]}");
    assert_eq!(body_text(&json!("<html>\n</html>"), BodyView::Raw), "<html>\n</html>");
}

#[test]
fn a_response_shows_status_time_size_the_whole_url_and_its_body_tree() {
    let mut harness = harness(response_console(json!({"user": {"name": "Ada"}})));
    harness.run();
    click_row(&mut harness, "success: 200");
    assert!(harness.query_by_label("200 · 84 ms · 1.5 kB").is_some());
    let url = format!("https://api.example.com/users?page=2&{}", "filter=long-parameter&".repeat(8));
    assert!(harness.query_by_label(&url).is_some(), "the URL is shown whole");
    // The body's root is open: its key shows, the nested object is collapsed.
    assert!(harness.query_by_label("\"user\"").is_some());
    assert!(harness.query_by_label("\"name\"").is_none());
    assert!(harness.query_by_label("Headers (2)").is_some());
}

#[test]
fn the_body_tree_keeps_its_expansion_across_lines_and_runs_of_the_block() {
    let mut harness = harness(response_console(json!({"user": {"name": "Ada"}})));
    harness.run();
    click_row(&mut harness, "success: 200");
    expand(&mut harness, "\"user\"");
    assert!(harness.query_by_label("\"name\"").is_some());

    click_row(&mut harness, "print log done");
    assert!(harness.query_by_label("\"name\"").is_none());
    click_row(&mut harness, "success: 200");
    assert!(harness.query_by_label("\"name\"").is_some(), "still open after another line was looked at");

    // The next run's response of the same block opens the same way.
    harness.state_mut().start_run();
    push_response(harness.state_mut(), json!({"user": {"name": "Grace"}}));
    harness.run();
    let last = harness.state().len() - 1;
    harness.state_mut().select(Some(last));
    harness.run();
    assert!(harness.query_by_label("\"Grace\"").is_some());
}

#[test]
fn headers_are_a_table_and_a_right_click_copies_a_value() {
    let mut harness = harness(response_console(json!({})));
    harness.run();
    click_row(&mut harness, "success: 200");
    harness.get_by_label("Headers (2)").click();
    harness.run();
    assert!(harness.query_by_label("content-type").is_some());
    assert!(harness.query_by_label("application/json").is_some());
    let name = harness.get_by_label("authorization-echo").rect();
    let value = harness.get_by_label("Bearer *****").rect();
    assert!((name.center().y - value.center().y).abs() < 2.0 && value.left() > name.right(), "one row, two columns");
    assert_eq!(copy_from_menu(&mut harness, "Bearer *****", "Copy value"), ["Bearer *****"]);
}

#[test]
fn copy_body_copies_it_pretty_and_a_tree_node_copies_its_value_or_path() {
    let mut harness = harness(response_console(json!({"user": {"name": "Ada"}})));
    harness.run();
    click_row(&mut harness, "success: 200");
    harness.get_by_label("Copy body").click();
    harness.step();
    assert_eq!(copied(&harness), ["{\n  \"user\": {\n    \"name\": \"Ada\"\n  }\n}"]);
    harness.run();

    expand(&mut harness, "\"user\"");
    assert_eq!(copy_from_menu(&mut harness, "\"Ada\"", "Copy path"), ["/user/name"]);
}

#[test]
fn searching_the_body_opens_the_tree_to_matches_and_counts_them_in_text() {
    let mut harness = harness(response_console(json!({"user": {"name": "Ada", "team": {"lead": "Ada"}}})));
    harness.run();
    click_row(&mut harness, "success: 200");
    assert!(harness.query_by_label("\"lead\"").is_none());
    harness.get_by_label("Search").focus();
    harness.run();
    harness.get_by_label("Search").type_text("ada");
    harness.run();
    assert!(harness.query_by_label("\"lead\"").is_some(), "the tree opened to the match");

    harness.get_by_label("Pretty").click();
    harness.run();
    assert!(harness.query_by_label("2 matches").is_some());
}

#[test]
fn the_viewer_opens_in_its_own_window_and_closes() {
    let mut harness = harness(response_console(json!({"user": {"name": "Ada"}})));
    harness.run();
    click_row(&mut harness, "success: 200");
    harness.get_by_label("⬈ Window").click();
    harness.run();
    assert!(harness.state().viewer_window_open());
    assert!(harness.query_by_label("Response viewer — fetch").is_some());
    assert!(harness.query_by_label("Shown in its own window.").is_some());
    assert!(harness.query_by_label("\"user\"").is_some(), "the window shows the body");
    assert!(harness.state_mut().close_viewer_window());
    harness.run();
    assert!(harness.query_by_label("Response viewer — fetch").is_none());
    assert!(!harness.state_mut().close_viewer_window(), "nothing left to close");
}

#[test]
fn the_toolbar_fits_the_apps_console_and_never_wraps() {
    // 780 points: the console's width in the app's default window (1280 less the
    // palette and the inspector); 420: much narrower, where it scrolls instead.
    for (width, fits) in [(780.0, true), (420.0, false)] {
        let mut harness = Harness::builder().with_size(Vec2::new(width, 300.0)).build_ui_state(
            |ui, console: &mut Console| {
                let _ = console.ui(ui);
            },
            response_console(json!({})),
        );
        harness.run();
        let filter = harness.get_by_label("Filter").rect();
        let copy = harness.get_by_label("Copy").rect();
        assert!((filter.center().y - copy.center().y).abs() < 2.0, "{width}: Filter at {filter:?}, Copy at {copy:?}");
        assert_eq!(copy.right() < width, fits, "{width}: Copy at {copy:?}");
    }
}
