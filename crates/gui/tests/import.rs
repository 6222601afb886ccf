//! curl on the canvas (egui_kittest): a pasted curl command becomes a Send Request block
//! at the pointer; "Copy as curl" in a block's menu puts the request on the clipboard
//! with secrets as `$NAME`, never their values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Modifiers, PointerButton, Vec2};
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Body, Flow, SendRequest};
use switchyard_gui::AppOptions;
use switchyard_vault::{Variable, Variables};

mod common;
use common::{Fixture, flow};

fn fixture() -> Fixture {
    let mut request = SendRequest::new("https://api.example.test/v1/items");
    request.method = "POST".to_owned();
    request.headers.push(("Authorization".to_owned(), "Bearer {{token}}".to_owned()));
    request.body = Some(Body::Json(serde_json::json!({"n": 1})));
    let mut flow = Flow::new("Curl");
    flow.blocks.push(Block { id: "fetch".to_owned(), at: [300.0, 120.0], kind: BlockKind::SendRequest(request) });
    Fixture::with_flow("curl.flow.json", &flow)
}

fn options() -> AppOptions {
    let mut variables = Variables::new();
    variables.insert(Variable::secret("token", "sk-GUI-SECRET-5150"));
    AppOptions { variables, ..AppOptions::default() }
}

#[test]
fn pasted_curl_command_becomes_a_send_request_block_at_the_pointer() {
    let fixture = fixture();
    let mut harness = fixture.app(options(), 3);
    let spot = harness.state().block_rect("fetch").unwrap().center() + Vec2::new(0.0, 250.0);
    harness.hover_at(spot);
    harness.run_steps(1);
    let graph_spot = harness.state().canvas_transform().inverse() * spot;
    harness.event(egui::Event::Paste(
        "curl https://api.openai.com/v1/models \\\n  -H \"Authorization: Bearer $OPENAI_API_KEY\"".to_owned(),
    ));
    harness.run_steps(2);
    let flow = flow(&harness);
    let block = flow.block("request").expect("a new block `request`");
    let BlockKind::SendRequest(request) = &block.kind else { panic!("{block:?}") };
    assert_eq!(request.url, "https://api.openai.com/v1/models");
    assert_eq!(request.headers, [("Authorization".to_owned(), "Bearer {{OPENAI_API_KEY}}".to_owned())]);
    assert!(
        (block.at[0] - graph_spot.x).abs() < 1.0 && (block.at[1] - graph_spot.y).abs() < 1.0,
        "{:?} vs {graph_spot:?}",
        block.at
    );
    assert_eq!(harness.state().selected_block(), Some("request"));

    // A literal credential does not reach the document: the block refers to it by name.
    harness.event(egui::Event::Paste("curl https://x.test -H 'X-Api-Key: lit-GUI-KEY-2718'".to_owned()));
    harness.run_steps(2);
    let json = common::flow(&harness).to_json();
    assert!(!json.contains("lit-GUI-KEY-2718"), "{json}");
    assert!(json.contains("{{x_api_key}}"), "{json}");
}

#[test]
fn copy_as_curl_puts_the_request_on_the_clipboard_without_secret_values() {
    let fixture = fixture();
    let mut harness = fixture.app(options(), 3);
    let header = harness.state().block_rect("fetch").unwrap().center_top() + Vec2::new(0.0, 8.0);
    harness.hover_at(header);
    harness.run_steps(1);
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: header,
            button: PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    harness.run_steps(2);
    harness.get_by_label("Copy as curl").click();
    harness.step();
    let copied = common::copied(&harness);
    assert_eq!(
        copied,
        [
            "curl https://api.example.test/v1/items \\\n  -X POST \\\n  -L \\\n  -H 'Authorization: Bearer '\"${token}\" \\\n  \
          -H 'Content-Type: application/json' \\\n  --data-raw '{\"n\":1}'"
        ]
    );
    assert!(!copied[0].contains("sk-GUI-SECRET-5150"));
}
