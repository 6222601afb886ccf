//! The inspector driven through egui_kittest: each form edits its block as a user types.

use eframe::egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use serde_json::json;
use switchyard_flow::{
    ApiKeyLocation, Auth, Block, BlockKind, Body, Capture, Expression, LogBlock, LogLevel, SendRequest, StatusPattern,
};

use super::completion::tests::completion_globals;
use super::*;

/// What the test app holds: the inspector, the block it edits, and what it reported.
struct Panel {
    inspector: Inspector,
    block: Block,
    changes: usize,
    defined: Vec<&'static str>,
    globals: BTreeMap<String, bool>,
}

fn request_block(request: SendRequest) -> Block {
    Block { id: "list-models".to_owned(), at: [0.0, 0.0], kind: BlockKind::SendRequest(request) }
}

fn harness(block: Block, defined: Vec<&'static str>) -> Harness<'static, Panel> {
    let globals = defined.iter().map(|name| ((*name).to_owned(), false)).collect();
    harness_with_globals(block, defined, globals)
}

fn harness_with_globals(
    block: Block,
    defined: Vec<&'static str>,
    globals: BTreeMap<String, bool>,
) -> Harness<'static, Panel> {
    harness_sized(block, defined, globals, 480.0)
}

fn harness_sized(
    block: Block,
    defined: Vec<&'static str>,
    globals: BTreeMap<String, bool>,
    width: f32,
) -> Harness<'static, Panel> {
    Harness::builder().with_size([width, 1600.0]).build_ui_state(
        |ui, panel: &mut Panel| {
            let defined = panel.defined.clone();
            if panel.inspector.ui(ui, &mut panel.block, &|name| defined.contains(&name), &panel.globals) {
                panel.changes += 1;
            }
        },
        Panel { inspector: Inspector::new(crate::blocks::form_ui), block, changes: 0, defined, globals },
    )
}

fn request<'h>(harness: &'h Harness<'_, Panel>) -> &'h SendRequest {
    match &harness.state().block.kind {
        BlockKind::SendRequest(request) => request,
        other => panic!("expected a send_request block, found {other:?}"),
    }
}

/// Focuses the field labelled `label`, selects all its text and types `text` over it.
fn replace_text(harness: &mut Harness<'_, Panel>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn choose(harness: &mut Harness<'_, Panel>, menu: &str, option: &str) {
    harness.get_by_label(menu).click();
    harness.run();
    harness.get_by_label(option).click();
    harness.run();
}

#[test]
fn typing_in_the_url_field_changes_the_block_and_reports_it() {
    let mut harness = harness(request_block(SendRequest::new("https://old.test")), vec![]);
    assert_eq!(harness.state().changes, 0, "drawing alone must not count as a change");
    replace_text(&mut harness, "URL", "https://api.test/v1/models");
    assert_eq!(request(&harness).url, "https://api.test/v1/models");
    assert!(harness.state().changes > 0);
}

#[test]
fn method_menu_sets_the_method() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    choose(&mut harness, "Method", "POST");
    assert_eq!(request(&harness).method, "POST");
}

#[test]
fn header_rows_are_added_filled_and_removed() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec!["auth"]);
    harness.get_by_label("+ Header").click();
    harness.run();
    assert_eq!(request(&harness).headers, [(String::new(), String::new())]);
    replace_text(&mut harness, "Header 1 name", "Authorization");
    replace_text(&mut harness, "Header 1 value", "{{auth}}");
    assert_eq!(request(&harness).headers, [("Authorization".to_owned(), "{{auth}}".to_owned())]);

    harness.get_by_label("Remove header 1").click();
    harness.run();
    assert!(request(&harness).headers.is_empty());
}

#[test]
fn a_new_header_row_takes_the_focus_and_its_name_field_reads_authorization_at_the_default_width() {
    // The inspector's default width.
    let mut harness = harness_sized(request_block(SendRequest::new("https://a.test")), vec![], BTreeMap::new(), 340.0);
    harness.get_by_label("+ Header").click();
    harness.run();
    assert!(harness.get_by_label("Header 1 name").accesskit_node().is_focused(), "the new name field is focused");
    harness.get_by_label("Header 1 name").type_text("Authorization");
    harness.run();
    assert_eq!(request(&harness).headers, [("Authorization".to_owned(), String::new())], "typed straight in");

    let field = harness.get_by_label("Header 1 name").rect();
    let font = egui::TextStyle::Body.resolve(&harness.ctx.global_style());
    let text =
        harness.ctx.fonts_mut(|fonts| fonts.layout_no_wrap("Authorization".to_owned(), font, egui::Color32::WHITE));
    assert!(field.width() > text.size().x + 8.0, "{} points for {} of text", field.width(), text.size().x);
}

#[test]
fn query_rows_are_added_and_filled() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    harness.get_by_label("+ Query").click();
    harness.run();
    replace_text(&mut harness, "Query 1 name", "limit");
    replace_text(&mut harness, "Query 1 value", "10");
    assert_eq!(request(&harness).query, [("limit".to_owned(), "10".to_owned())]);
}

#[test]
fn invalid_json_body_shows_the_error_and_leaves_the_block_unchanged() {
    let mut start = SendRequest::new("https://a.test");
    start.body = Some(Body::Json(json!({"a": 1})));
    let mut harness = harness(request_block(start), vec![]);

    replace_text(&mut harness, "JSON body", "{\"a\": ");
    assert_eq!(request(&harness).body, Some(Body::Json(json!({"a": 1}))));
    assert!(harness.query_by_label_contains("Invalid JSON").is_some(), "the serde_json error is shown");

    replace_text(&mut harness, "JSON body", "{\"user\": \"{{name}}\", \"n\": [1, 2]}");
    assert_eq!(request(&harness).body, Some(Body::Json(json!({"user": "{{name}}", "n": [1, 2]}))));
    assert!(harness.query_by_label_contains("Invalid JSON").is_none(), "the error goes once the JSON is valid");
}

#[test]
fn body_menu_switches_kind_and_switching_back_restores_the_old_body() {
    let mut start = SendRequest::new("https://a.test");
    start.body = Some(Body::Json(json!({"keep": true})));
    let mut harness = harness(request_block(start), vec![]);

    choose(&mut harness, "Body", "Text");
    assert_eq!(request(&harness).body, Some(Body::Text { text: String::new(), content_type: None }));
    replace_text(&mut harness, "Text body", "hello {{input.body.name}}");
    replace_text(&mut harness, "Content type", "text/csv");
    assert_eq!(
        request(&harness).body,
        Some(Body::Text { text: "hello {{input.body.name}}".to_owned(), content_type: Some("text/csv".to_owned()) })
    );

    choose(&mut harness, "Body", "JSON");
    assert_eq!(request(&harness).body, Some(Body::Json(json!({"keep": true}))));
    choose(&mut harness, "Body", "No body");
    assert_eq!(request(&harness).body, None);
}

#[test]
fn form_body_is_a_name_value_table() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    choose(&mut harness, "Body", "Form (urlencoded)");
    harness.get_by_label("+ Field").click();
    harness.run();
    replace_text(&mut harness, "Field 1 name", "grant_type");
    replace_text(&mut harness, "Field 1 value", "client_credentials");
    assert_eq!(
        request(&harness).body,
        Some(Body::Form(vec![("grant_type".to_owned(), "client_credentials".to_owned())]))
    );
}

#[test]
fn success_statuses_are_parsed_and_invalid_text_leaves_them_unchanged() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    replace_text(&mut harness, "Success statuses", "2xx, 404");
    let expected: Vec<StatusPattern> = ["2xx", "404"].into_iter().filter_map(StatusPattern::parse).collect();
    assert_eq!(request(&harness).success_status, expected);

    replace_text(&mut harness, "Success statuses", "9zz");
    assert_eq!(request(&harness).success_status, expected);
    assert!(harness.query_by_label_contains("`9zz` is not a status pattern").is_some());
}

#[test]
fn undefined_reference_shows_a_warning_and_a_defined_one_does_not() {
    let mut undefined = SendRequest::new("https://a.test");
    undefined.headers.push(("Authorization".to_owned(), "{{auth}}".to_owned()));
    let harness_undefined = harness(request_block(undefined.clone()), vec![]);
    assert!(harness_undefined.query_by_label("⚠ {{auth}} is not defined").is_some());

    let harness_defined = harness(request_block(undefined), vec!["auth"]);
    assert!(harness_defined.query_by_label_contains("is not defined").is_none());
}

#[test]
fn bearer_auth_is_chosen_and_its_token_edited() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec!["token"]);
    choose(&mut harness, "Auth", "Bearer token");
    replace_text(&mut harness, "Token", "{{token}}");
    assert_eq!(request(&harness).auth, Some(Auth::Bearer { token: "{{token}}".to_owned() }));
    assert!(harness.query_by_label_contains("is not defined").is_none());
}

#[test]
fn api_key_auth_goes_in_the_query_when_chosen() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    choose(&mut harness, "Auth", "API key");
    replace_text(&mut harness, "Key name", "api_key");
    replace_text(&mut harness, "Key value", "{{key}}");
    harness.get_by_label("Query parameter").click();
    harness.run();
    assert_eq!(
        request(&harness).auth,
        Some(Auth::ApiKey { name: "api_key".to_owned(), value: "{{key}}".to_owned(), location: ApiKeyLocation::Query })
    );
    assert!(harness.query_by_label("⚠ {{key}} is not defined").is_some());
}

#[test]
fn follow_redirects_checkbox_toggles_the_field() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    harness.get_by_label("Follow redirects").click();
    harness.run();
    assert!(!request(&harness).follow_redirects);
}

#[test]
fn log_label_is_edited_and_empty_text_clears_it() {
    let block = Block { id: "log".to_owned(), at: [0.0, 0.0], kind: BlockKind::Log(LogBlock::default()) };
    let mut harness = harness(block, vec![]);
    replace_text(&mut harness, "Label", "models");
    assert_eq!(
        harness.state().block.kind,
        BlockKind::Log(LogBlock { label: Some("models".to_owned()), ..LogBlock::default() })
    );

    harness.get_by_label("Label").focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.key_press(Key::Backspace);
    harness.run();
    assert_eq!(harness.state().block.kind, BlockKind::Log(LogBlock { label: None, ..LogBlock::default() }));
}

#[test]
fn log_level_is_picked_and_error_says_what_it_does() {
    let block = Block { id: "log".to_owned(), at: [0.0, 0.0], kind: BlockKind::Log(LogBlock::default()) };
    let mut harness = harness(block, vec![]);
    harness.get_by_label("error").click();
    harness.run();
    assert_eq!(harness.state().block.kind, BlockKind::Log(LogBlock { level: LogLevel::Error, ..LogBlock::default() }));
    assert!(harness.state().changes > 0, "a new level is an edit, recorded for undo");

    harness.get_by_label("error").hover();
    harness.run();
    harness.get_by_label("a value reaching this block makes the run failed");

    harness.get_by_label("warn").click();
    harness.run();
    assert_eq!(harness.state().block.kind, BlockKind::Log(LogBlock { level: LogLevel::Warn, label: None }));
}

#[test]
fn capture_rows_are_added_filled_made_secret_and_removed() {
    let mut harness = harness(request_block(SendRequest::new("https://a.test")), vec![]);
    harness.get_by_label("+ Capture").click();
    harness.run();
    assert_eq!(request(&harness).captures.len(), 1);
    replace_text(&mut harness, "Capture 1 name", "token");
    replace_text(&mut harness, "Capture 1 expression", ".body.access_token");
    harness.get_by_label("secret").click();
    harness.run();
    assert_eq!(
        request(&harness).captures,
        [Capture { name: "token".to_owned(), expression: Expression::from(".body.access_token"), secret: true }]
    );

    harness.get_by_label("+ Capture").click();
    harness.run();
    assert_eq!(request(&harness).captures.len(), 2);
    harness.get_by_label("Remove capture 1").click();
    harness.run();
    assert_eq!(request(&harness).captures.len(), 1);
    assert_ne!(request(&harness).captures[0].name, "token", "the first row is the one removed");
}

#[test]
fn start_block_shows_its_type_and_note() {
    // Its id is an editable field the app draws above the form (tests/inspector_edits.rs renames it).
    let block = Block { id: "start".to_owned(), at: [0.0, 0.0], kind: BlockKind::Start(switchyard_flow::Start) };
    let harness = harness(block, vec![]);
    assert!(harness.query_by_label("Start").is_some());
    assert!(harness.query_by_label_contains("when the run starts").is_some());
}

#[test]
fn block_changed_elsewhere_rewrites_the_json_text() {
    let mut start = SendRequest::new("https://a.test");
    start.body = Some(Body::Json(json!({"v": 1})));
    let mut harness = harness(request_block(start), vec![]);
    replace_text(&mut harness, "JSON body", "{");
    if let BlockKind::SendRequest(request) = &mut harness.state_mut().block.kind {
        request.body = Some(Body::Json(json!({"v": 2})));
    }
    harness.run();
    let text = harness.get_by_label("JSON body").value().unwrap_or_default();
    assert!(text.contains("\"v\": 2"), "the text follows the block after an undo: {text}");
    assert!(harness.query_by_label_contains("Invalid JSON").is_none());
}

#[test]
fn forget_drops_the_drafts_of_a_block() {
    let mut inspector = Inspector::new(crate::blocks::form_ui);
    inspector.drafts.insert("a".to_owned(), Drafts::default());
    inspector.drafts.insert("b".to_owned(), Drafts::default());
    inspector.forget("a");
    assert!(!inspector.drafts.contains_key("a") && inspector.drafts.contains_key("b"));
    inspector.reset();
    assert!(inspector.drafts.is_empty());
}

fn completion_harness(block: Block) -> Harness<'static, Panel> {
    harness_with_globals(block, vec!["base_url", "auth", "user_name"], completion_globals())
}

/// Focuses the field labelled `label` (its cursor at the end) and types `text`.
fn type_into(harness: &mut Harness<'_, Panel>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

#[test]
fn typing_braces_offers_globals_and_enter_fills_in_the_highlighted_one() {
    let mut harness = completion_harness(request_block(SendRequest::new("https://x/")));
    assert!(harness.query_by_label("auth 🔒 secret").is_none(), "no popup before {{{{");
    type_into(&mut harness, "URL", "{{");
    assert!(harness.query_by_label("auth 🔒 secret").is_some(), "the secret is marked");
    assert!(harness.query_by_label("base_url variable").is_some());
    assert!(harness.query_by_label("input.body the response body").is_some());

    harness.get_by_label("URL").type_text("U");
    harness.run();
    assert!(harness.query_by_label("auth 🔒 secret").is_some(), "auth contains u");
    harness.key_press(Key::ArrowDown);
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(request(&harness).url, "https://x/{{auth}}", "user_name first, Down moved to auth");
    assert!(harness.query_by_label("auth 🔒 secret").is_none(), "the popup closed");
    assert!(harness.get_by_label("URL").is_focused(), "the field keeps the focus");

    harness.get_by_label("URL").type_text("/next");
    harness.run();
    assert_eq!(request(&harness).url, "https://x/{{auth}}/next", "the cursor is after }}");
}

#[test]
fn up_wraps_and_tab_accepts_in_a_header_value() {
    let mut start = SendRequest::new("https://a.test");
    start.headers.push(("Authorization".to_owned(), "Bearer ".to_owned()));
    let mut harness = completion_harness(request_block(start));
    type_into(&mut harness, "Header 1 value", "{{ ");
    harness.key_press(Key::ArrowUp);
    harness.run();
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(request(&harness).headers, [("Authorization".to_owned(), "Bearer {{ input.status}}".to_owned())]);
    assert!(harness.get_by_label("Header 1 value").is_focused(), "Tab did not move the focus");
}

#[test]
fn escape_closes_the_popup_and_leaves_the_text_and_focus() {
    let mut harness = completion_harness(request_block(SendRequest::new("https://x/")));
    type_into(&mut harness, "URL", "{{ba");
    assert!(harness.query_by_label("base_url variable").is_some());
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label("base_url variable").is_none());
    assert_eq!(request(&harness).url, "https://x/{{ba");
    assert!(harness.get_by_label("URL").is_focused());

    harness.get_by_label("URL").type_text("s");
    harness.run();
    assert!(harness.query_by_label("base_url variable").is_none(), "stays closed for this {{{{");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(request(&harness).url, "https://x/{{bas", "Enter is the field's again");

    harness.get_by_label("URL").focus();
    harness.run();
    harness.get_by_label("URL").type_text("e}} {{");
    harness.run();
    assert!(harness.query_by_label("base_url variable").is_some(), "a new {{{{ opens it again");
}

#[test]
fn clicking_a_suggestion_fills_it_into_the_json_body() {
    let mut start = SendRequest::new("https://a.test");
    start.body = Some(Body::Json(json!({})));
    let mut harness = completion_harness(request_block(start));
    replace_text(&mut harness, "JSON body", "{\"user\": \"{{user");
    harness.get_by_label("user_name variable").click();
    harness.run();
    harness.get_by_label("JSON body").type_text("\"}");
    harness.run();
    assert_eq!(request(&harness).body, Some(Body::Json(json!({"user": "{{user_name}}"}))));
}

#[test]
fn a_partial_name_without_matches_shows_no_popup_and_enter_types_a_newline() {
    let mut start = SendRequest::new("https://a.test");
    start.body = Some(Body::Text { text: String::new(), content_type: None });
    let mut harness = completion_harness(request_block(start));
    type_into(&mut harness, "Text body", "{{zz");
    assert!(harness.query_all_by_label_contains("variable").next().is_none());
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(request(&harness).body, Some(Body::Text { text: "{{zz\n".to_owned(), content_type: None }));
}
