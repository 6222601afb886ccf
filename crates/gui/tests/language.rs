//! The flow language in the app, as a user meets it: each new block type dragged from
//! the palette, a jq error shown as it is typed, and a flow with a loop run to its end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Fixture, drag, flow, step_until};
use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use serde_json::{Value, json};
use switchyard_engine::Outcome;
use switchyard_flow::{BlockKind, Flow};
use switchyard_gui::{AppOptions, SwitchyardApp};

fn harness<'a>(fixture: &Fixture) -> Harness<'a, SwitchyardApp> {
    fixture.app(AppOptions::default(), 3)
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
}

#[test]
fn each_new_block_type_is_added_from_the_palette() {
    let fixture = Fixture::with_flow("new.flow.json", &Flow::new("Palette"));
    let mut harness = harness(&fixture);
    let types = [
        ("If", "if"),
        ("For Each", "for_each"),
        ("Delay", "delay"),
        ("Evaluate", "evaluate"),
        ("Set Variable", "set"),
        ("Collect", "collect"),
    ];
    for (index, (label, type_name)) in types.iter().enumerate() {
        let entry = harness.get_by_label(label).rect().center();
        let to = Pos2::new(420.0 + 60.0 * index as f32, 200.0 + 40.0 * index as f32);
        drag(&mut harness, entry, to);
        let kinds: Vec<&str> = flow(&harness).blocks.iter().map(|b| b.kind.type_name()).collect();
        assert!(kinds.contains(type_name), "dragging {label} adds a {type_name} block: {kinds:?}");
    }
    assert_eq!(flow(&harness).blocks.len(), 7, "Start and the six new ones");
}

#[test]
fn a_jq_error_is_shown_with_its_column_while_typing() {
    let mut start = Flow::new("Decide");
    start.blocks.push(switchyard_flow::Block {
        id: "ready".into(),
        at: [300.0, 120.0],
        kind: BlockKind::If(switchyard_flow::If { condition: ".status == 200".into() }),
    });
    let fixture = Fixture::with_flow("if.flow.json", &start);
    let mut harness = harness(&fixture);
    select(&mut harness, "ready");
    assert_eq!(harness.state().selected_block(), Some("ready"));
    assert!(harness.query_all_by_label_contains("column ").next().is_none(), "a valid condition shows no error");

    let is_field = |node: &egui_kittest::kittest::AccessKitNode<'_>| {
        node.role() == egui::accesskit::Role::MultilineTextInput && node.value().as_deref() == Some(".status == 200")
    };
    harness.get_by(is_field).focus();
    harness.run_steps(1);
    harness.get_by(is_field).type_text(" | |");
    harness.run_steps(3);
    let condition = match &flow(&harness).blocks[1].kind {
        BlockKind::If(block) => block.condition.as_str().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(condition, ".status == 200 | |");
    assert!(
        harness.query_all_by_label_contains("column 1").next().is_some()
            && harness.query_all_by_label_contains(": expected").next().is_some(),
        "the error names its column"
    );
}

/// A server whose `/job` answers `pending` twice, then `done`.
fn job_server(fixture: &Fixture) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let app = axum::Router::new().route(
        "/job",
        axum::routing::get(move || {
            let counter = Arc::clone(&counter);
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                axum::Json(json!({"state": if n >= 3 { "done" } else { "pending" }}))
            }
        }),
    );
    let listener = fixture.runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    fixture.runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/job"), calls)
}

#[test]
fn a_flow_with_a_loop_polls_until_done() {
    let probe = Fixture::with_flow("probe.flow.json", &Flow::new("probe"));
    let (url, calls) = job_server(&probe);
    let document: Value = json!({
        "switchyard": 1,
        "name": "Poll",
        "blocks": {
            "start": {"type": "start", "at": [40, 120]},
            "job": {"type": "send_request", "at": [240, 120], "url": url},
            "is-done": {"type": "if", "at": [520, 120], "condition": ".body.state == \"done\""},
            "wait": {"type": "delay", "at": [520, 300], "ms": 1},
            "done": {"type": "log", "at": [780, 120], "label": "Job done"}
        },
        "wires": [
            ["start.out", "job.in"], ["job.success", "is-done.in"], ["is-done.false", "wait.in"],
            ["wait.out", "job.in"], ["is-done.true", "done.in"]
        ]
    });
    let flow = Flow::from_json(&document.to_string(), "poll").unwrap();
    let fixture = Fixture::with_flow("poll.flow.json", &flow);
    let mut harness = harness(&fixture);
    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, "the run to end", |app| app.outcome().is_some() && !app.is_running());

    let app = harness.state();
    assert_eq!(app.outcome(), Some(Outcome::Ok));
    assert_eq!(calls.load(Ordering::SeqCst), 3, "two pending answers, then done");
    let text = app.console().visible_text();
    assert_eq!(text.matches("→ false").count(), 2, "{text}");
    assert_eq!(text.matches("→ true").count(), 1, "{text}");
    assert!(text.contains("Job done"), "{text}");
    drop(probe);
}

#[test]
fn a_flow_with_an_invalid_expression_is_refused_before_it_runs() {
    let mut broken = Flow::new("Broken");
    broken.blocks.push(switchyard_flow::Block {
        id: "ready".into(),
        at: [300.0, 120.0],
        kind: BlockKind::If(switchyard_flow::If { condition: ".status ==".into() }),
    });
    broken.wires.push(switchyard_flow::Wire {
        from: switchyard_flow::PortRef::new("start", switchyard_flow::Port::Out),
        to: switchyard_flow::PortRef::new("ready", switchyard_flow::Port::In),
    });
    let fixture = Fixture::with_flow("ok.flow.json", &Flow::new("placeholder"));
    let mut harness = harness(&fixture);
    // What the canvas holds (as if typed in the inspector), not a file: the model's rules.
    harness.state_mut().document_mut().restore(&broken);
    harness.run_steps(2);
    harness.get_by_label("▶ Run").click();
    harness.run_steps(3);
    let text = harness.state().console().visible_text();
    assert!(text.contains("not run: Broken: blocks.ready.condition"), "{text}");
    assert!(!harness.state().is_running());
}
