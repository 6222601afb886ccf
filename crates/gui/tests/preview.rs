//! Expression previews in the inspector: a flow run against a local server, then a jq
//! field of a block evaluated against the value that reached it, as a user types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::{Fixture, step_until};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use serde_json::{Value, json};
use switchyard_engine::Outcome;
use switchyard_flow::Flow;
use switchyard_gui::{AppOptions, SwitchyardApp};
use switchyard_vault::{Variable, Variables};

const SECRET: &str = "sk-PREVIEW-4242";

/// A server whose `/models` lists three models, and says the secret backwards.
fn server(fixture: &Fixture) -> String {
    let reversed: String = SECRET.chars().rev().collect();
    let app = axum::Router::new().route(
        "/models",
        axum::routing::get(move || {
            let reversed = reversed.clone();
            async move { axum::Json(json!({"data": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "reversed": reversed})) }
        }),
    );
    let listener = fixture.runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    fixture.runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/models")
}

/// Start → list the models → `shape` (an Evaluate block) → Log, against `url`.
fn models_flow(url: &str) -> Flow {
    let document: Value = json!({
        "switchyard": 1,
        "name": "Preview",
        "blocks": {
            "start": {"type": "start", "at": [40, 120]},
            "list": {"type": "send_request", "at": [240, 120], "url": url},
            "shape": {"type": "evaluate", "at": [560, 120], "expression": "."},
            "show": {"type": "log", "at": [820, 120]}
        },
        "wires": [["start.out", "list.in"], ["list.success", "shape.in"], ["shape.out", "show.in"]]
    });
    Flow::from_json(&document.to_string(), "preview").unwrap()
}

/// The app on the models flow, with `api_key` a secret of its runs.
fn harness<'a>(fixture: &Fixture) -> Harness<'a, SwitchyardApp> {
    let variables: Variables = [Variable::secret("api_key", SECRET)].into_iter().collect();
    fixture.app(AppOptions { variables, ..AppOptions::default() }, 3)
}

/// Clicks the header of block `id` on the canvas, which selects it.
fn select(harness: &mut Harness<'_, SwitchyardApp>, id: &str) {
    let rect = harness.state().block_rect(id).expect("the block is drawn");
    let pos = Pos2::new(rect.center().x, rect.top() + 8.0);
    harness.hover_at(pos);
    harness.run_steps(1);
    harness.drag_at(pos);
    harness.run_steps(1);
    harness.drop_at(pos);
    harness.run_steps(2);
    assert_eq!(harness.state().selected_block(), Some(id));
}

/// Replaces the text of the Expression field by `text`.
fn type_expression(harness: &mut Harness<'_, SwitchyardApp>, text: &str) {
    harness.get_by_label("Expression").focus();
    harness.run_steps(1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run_steps(1);
    harness.get_by_label("Expression").type_text(text);
    harness.run_steps(2);
}

/// Steps the app until a label contains `text` (the evaluation runs on another thread).
/// Fails after 20 seconds.
fn step_until_label(harness: &mut Harness<'_, SwitchyardApp>, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.query_all_by_label_contains(text).next().is_none() {
        assert!(Instant::now() < deadline, "gave up waiting for a label with: {text}");
        harness.step();
        std::thread::yield_now();
    }
}

/// Every label and value on screen (what a person can read), one per line.
fn labels(harness: &Harness<'_, SwitchyardApp>) -> String {
    harness
        .query_all(By::new())
        .flat_map(|node| {
            let node = node.accesskit_node();
            [node.label(), node.value()].into_iter().flatten().map(|s| s.to_string()).collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the flow to its end.
fn run(harness: &mut Harness<'_, SwitchyardApp>) {
    harness.get_by_label("▶ Run").click();
    step_until(harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());
    assert_eq!(harness.state().outcome(), Some(Outcome::Ok));
}

#[test]
fn an_evaluate_block_previews_its_expression_against_the_value_that_reached_it() {
    let probe = Fixture::with_flow("probe.flow.json", &Flow::new("probe"));
    let url = server(&probe);
    let fixture = Fixture::with_flow("preview.flow.json", &models_flow(&url));
    let mut harness = harness(&fixture);
    select(&mut harness, "shape");
    assert!(
        harness.query_by_label("run the flow to preview against the value that reaches this block").is_some(),
        "before a run there is nothing to preview against"
    );

    run(&mut harness);
    type_expression(&mut harness, ".body.data | map(.id)");
    step_until_label(&mut harness, "Preview: [");
    assert!(harness.query_by_label(r#"Preview: ["a","b","c"]"#).is_some(), "{}", labels(&harness));

    // Typing again evaluates the new text.
    type_expression(&mut harness, ".body.data | length");
    step_until_label(&mut harness, "Preview: 3");

    // A run variable has no value in a preview, and the panel says so.
    type_expression(&mut harness, "{n: (.body.data | length), who: $user}");
    step_until_label(&mut harness, r#"Preview: {"n":3,"who":null}"#);
    assert!(
        harness.query_by_label("$user is null in the preview: run variables exist only while the flow runs").is_some(),
        "{}",
        labels(&harness)
    );
    drop(probe);
}

#[test]
fn a_jq_error_in_the_preview_is_shown_as_an_error() {
    let probe = Fixture::with_flow("probe.flow.json", &Flow::new("probe"));
    let url = server(&probe);
    let fixture = Fixture::with_flow("preview.flow.json", &models_flow(&url));
    let mut harness = harness(&fixture);
    run(&mut harness);
    select(&mut harness, "shape");

    type_expression(&mut harness, ".body.data.name");
    step_until_label(&mut harness, "Preview: error: ");
    let text = labels(&harness);
    assert!(text.contains("Preview: error: ") && text.contains("index"), "{text}");

    // Several values are an error for an Evaluate block too, as when it runs.
    type_expression(&mut harness, ".body.data[]");
    step_until_label(&mut harness, "several values");
    drop(probe);
}

#[test]
fn a_preview_never_shows_a_secret_an_expression_rebuilds() {
    let probe = Fixture::with_flow("probe.flow.json", &Flow::new("probe"));
    let url = server(&probe);
    let fixture = Fixture::with_flow("preview.flow.json", &models_flow(&url));
    let mut harness = harness(&fixture);
    run(&mut harness);
    select(&mut harness, "shape");

    // The server sent the secret backwards (which the engine has no reason to mask);
    // the expression turns it round.
    type_expression(&mut harness, ".body.reversed | explode | reverse | implode");
    step_until_label(&mut harness, "Preview: \"");
    let text = labels(&harness);
    assert!(text.contains("Preview: \"*****\""), "{text}");
    assert!(!text.contains(SECRET), "the secret is in a label: {text}");
    drop(probe);
}

#[test]
fn past_the_run_a_large_value_kept_as_text_is_previewed_as_it_was() {
    // A list of 3,000 records (about 400 KB in memory): large enough to be made text.
    let items: Vec<Value> = (0..3_000).map(|i| json!({"id": i, "name": format!("user {i}")})).collect();
    let body = json!({"data": items}).to_string();
    let fixture = Fixture::with_flow("preview.flow.json", &Flow::new("probe"));
    let app = axum::Router::new().route(
        "/models",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = fixture.runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    fixture.runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    switchyard_flow::save(&fixture.flow_path, &models_flow(&format!("http://{addr}/models"))).unwrap();
    let mut harness = harness(&fixture);

    run(&mut harness);
    step_until(&mut harness, "the values to be made text", |app| !app.is_compacting());
    let console = harness.state().console();
    let response = console
        .lines()
        .iter()
        .find(|line| line.block.as_deref() == Some("list") && line.message.starts_with("success"))
        .unwrap();
    assert!(response.value.is_none() && response.compacted.is_some(), "the response is kept as text");
    select(&mut harness, "shape");
    type_expression(&mut harness, ".body.data | [length, .[2999].name]");
    step_until_label(&mut harness, "Preview: [");
    assert!(harness.query_by_label(r#"Preview: [3000,"user 2999"]"#).is_some(), "{}", labels(&harness));
}
