//! curl on the canvas (egui_kittest): a pasted curl command becomes a Send Request block
//! at the pointer; "Copy as curl" in a block's menu puts the request on the clipboard
//! with secrets as `$NAME`, never their values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use egui::{Modifiers, PointerButton, Vec2};
use egui_kittest::kittest::Queryable as _;
use switchyard_flow::{Block, BlockKind, Body, Flow, SendRequest};
use switchyard_gui::AppOptions;
use switchyard_vault::{Scope, Variable, Variables};

mod common;
use common::{Fixture, MemoryStorage, files_under, flow};

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

/// The app with a store in the fixture's `config` folder and a mock keychain: the
/// folder, the keychain (to look at what was stored) and the options.
fn with_mock_keychain(fixture: &Fixture) -> (std::path::PathBuf, switchyard_vault::Keychain, AppOptions) {
    let config_dir = fixture.dir.path().join("config");
    let keychain = switchyard_vault::Keychain::with_store(keyring_core::mock::Store::new().unwrap());
    let options = AppOptions {
        config_dir: Some(config_dir.clone()),
        keychain: Some(keychain.clone()),
        recovery_dir: Some(config_dir.join("recovery")),
        autosave_after: Some(std::time::Duration::ZERO),
        ..AppOptions::default()
    };
    (config_dir, keychain, options)
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

/// Every text on screen: labels and values.
fn all_text(harness: &egui_kittest::Harness<'_, switchyard_gui::SwitchyardApp>) -> Vec<String> {
    use egui_kittest::kittest::{By, NodeT as _};
    harness
        .query_all(By::new().include_labels())
        .flat_map(|node| [node.accesskit_node().label(), node.accesskit_node().value()])
        .flatten()
        .collect()
}

#[test]
fn a_pasted_credential_is_offered_for_the_keychain_and_shows_nowhere() {
    use secrecy::ExposeSecret as _;
    const PASTED: &str = "sk-pasted-9Qx";
    let fixture = fixture();
    let (config_dir, keychain, options) = with_mock_keychain(&fixture);
    let mut harness = fixture.app(options, 3);
    harness.event(egui::Event::Paste(format!(
        "curl https://api.example.com/v1/models -H \"Authorization: Bearer {PASTED}\""
    )));
    harness.run_steps(3);

    // The block refers to it by name; the offer shows the name and a mask, never the value.
    let json = flow(&harness).to_json();
    assert!(json.contains("Bearer {{token}}") && !json.contains(PASTED), "{json}");
    assert!(harness.query_by_label("Store as secret").is_some(), "the offer is there at once");
    let texts = all_text(&harness);
    assert!(texts.iter().any(|t| t == "{{token}}"), "the offer names the variable: {texts:?}");
    assert!(texts.iter().any(|t| t == "*****"), "and shows a mask");
    assert!(texts.iter().any(|t| t.contains("sent only to api.example.com")), "{texts:?}");
    assert!(texts.iter().all(|t| !t.contains(PASTED)), "no label holds the value: {texts:?}");

    harness.get_by_label("Store as secret").click();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while keychain.get("token").unwrap().is_none() || harness.query_by_label_contains("stored `token`").is_none() {
        assert!(std::time::Instant::now() < deadline, "gave up waiting for the secret to be stored");
        harness.step();
        std::thread::yield_now();
    }
    harness.run_steps(3);
    assert_eq!(keychain.get("token").unwrap().unwrap().expose_secret(), PASTED, "in the (mock) keychain");
    assert!(harness.query_by_label("Store as secret").is_none(), "the offer is gone");
    let store = switchyard_vault::Store::open(&config_dir, keychain.clone()).unwrap();
    let definition = store.definition_in(Scope::Globals, "token").unwrap().unwrap();
    assert_eq!(definition.kind, switchyard_vault::Kind::Secret);
    assert_eq!(definition.allowed_hosts, ["api.example.com"], "sent only where it was going");

    // Nowhere else: no label, no file under the folder (flow, globals, recovery), no storage.
    let texts = all_text(&harness);
    assert!(texts.iter().all(|t| !t.contains(PASTED)), "no label holds the value: {texts:?}");
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    assert!(storage.0.values().all(|v| !v.contains(PASTED)), "eframe storage never holds the value");
    let files = files_under(fixture.dir.path());
    assert!(files.iter().any(|f| f.ends_with("globals.json")), "{files:?}");
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(PASTED), "the value is in {}", file.display());
    }

    // "Not now" stores nothing and forgets the value.
    harness.event(egui::Event::Paste("curl https://x.example.org -H 'X-Api-Key: lit-not-now-5521'".to_owned()));
    harness.run_steps(3);
    harness.get_by_label("Not now").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Not now").is_none(), "the offer is gone");
    assert!(keychain.get("x_api_key").unwrap().is_none(), "nothing stored");
    assert!(
        switchyard_vault::Store::open(&config_dir, keychain)
            .unwrap()
            .definition_in(Scope::Globals, "x_api_key")
            .unwrap()
            .is_none()
    );
}

/// Steps the app until `done` holds (the settings worker answers off the frame thread).
fn wait_until(
    harness: &mut egui_kittest::Harness<'_, switchyard_gui::SwitchyardApp>,
    mut done: impl FnMut(&egui_kittest::Harness<'_, switchyard_gui::SwitchyardApp>) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done(harness) {
        assert!(std::time::Instant::now() < deadline, "gave up waiting for the settings worker");
        harness.step();
        std::thread::yield_now();
    }
    harness.run_steps(3);
}

fn header_of(harness: &egui_kittest::Harness<'_, switchyard_gui::SwitchyardApp>, block: &str) -> String {
    let flow = flow(harness);
    let BlockKind::SendRequest(request) = &flow.block(block).unwrap_or_else(|| panic!("no block {block}")).kind else {
        panic!("{block} is not a request")
    };
    request.headers[0].1.clone()
}

/// Two pasted commands whose credentials the import names `token`: two secrets, each
/// sent only to its own host. Replacing the first is the user's explicit choice, and
/// then its value and allowed hosts change together. A value a global holds already is
/// used as it is.
#[test]
fn a_pasted_credential_never_takes_over_a_name_holding_another_value() {
    use secrecy::ExposeSecret as _;
    let fixture = fixture();
    let (config_dir, keychain, options) = with_mock_keychain(&fixture);
    let mut harness = fixture.app(options, 3);
    let secret = |name: &str| keychain.get(name).unwrap().map(|value| value.expose_secret().to_owned());
    let hosts = |name: &str| {
        let store = switchyard_vault::Store::open(&config_dir, keychain.clone()).unwrap();
        store.definition_in(Scope::Globals, name).unwrap().map(|definition| definition.allowed_hosts.clone())
    };

    harness
        .event(egui::Event::Paste("curl https://one.example.com/v1 -H 'Authorization: Bearer sk-ONE-1111'".to_owned()));
    harness.run_steps(3);
    harness.get_by_label("Store as secret").click();
    wait_until(&mut harness, |h| h.query_by_label_contains("stored `token`").is_some());
    assert_eq!(header_of(&harness, "request"), "Bearer {{token}}");

    // The second command's credential would be `token` too: it is `token-2`, a new secret.
    harness
        .event(egui::Event::Paste("curl https://two.example.com/v1 -H 'Authorization: Bearer sk-TWO-2222'".to_owned()));
    harness.run_steps(3);
    assert_eq!(header_of(&harness, "request-2"), "Bearer {{token-2}}");
    let texts = all_text(&harness);
    assert!(texts.iter().any(|t| t == "{{token-2}}"), "the offer names the new variable: {texts:?}");
    assert!(texts.iter().any(|t| t.contains("A global `token` exists")), "and says why: {texts:?}");
    harness.get_by_label("Store as secret").click();
    wait_until(&mut harness, |h| h.query_by_label_contains("stored `token-2`").is_some());
    assert_eq!(secret("token").as_deref(), Some("sk-ONE-1111"), "the first secret is left as it was");
    assert_eq!(secret("token-2").as_deref(), Some("sk-TWO-2222"));
    assert_eq!(hosts("token"), Some(vec!["one.example.com".to_owned()]));
    assert_eq!(hosts("token-2"), Some(vec!["two.example.com".to_owned()]), "each secret has its own host");

    // Replacing `token` is an explicit choice: value and allowed hosts change together.
    harness.event(egui::Event::Paste(
        "curl https://three.example.com/v1 -H 'Authorization: Bearer sk-THREE-3333'".to_owned(),
    ));
    harness.run_steps(3);
    assert_eq!(header_of(&harness, "request-3"), "Bearer {{token-3}}");
    harness.get_by_label("Replace `token` instead (its value and allowed hosts)").click();
    harness.run_steps(2);
    harness.get_by_label("Store as secret").click();
    wait_until(&mut harness, |_| secret("token").as_deref() == Some("sk-THREE-3333"));
    wait_until(&mut harness, |h| h.query_by_label_contains("stored `token`").is_some());
    assert_eq!(hosts("token"), Some(vec!["three.example.com".to_owned()]), "the hosts changed with the value");
    assert_eq!(header_of(&harness, "request-3"), "Bearer {{token}}");
    assert_eq!(secret("token-2").as_deref(), Some("sk-TWO-2222"));
    assert_eq!(hosts("token-3"), None, "nothing under the name it would have had");

    // The value of `token-2` again: `token-2` is used as it is, and the block follows.
    harness
        .event(egui::Event::Paste("curl https://two.example.com/v2 -H 'Authorization: Bearer sk-TWO-2222'".to_owned()));
    harness.run_steps(3);
    assert_eq!(header_of(&harness, "request-4"), "Bearer {{token-3}}");
    harness.get_by_label("Store as secret").click();
    wait_until(&mut harness, |h| h.query_by_label_contains("holds this value already").is_some());
    assert_eq!(header_of(&harness, "request-4"), "Bearer {{token-2}}");
    assert_eq!(hosts("token-3"), None, "no second copy of the value");

    let texts = all_text(&harness);
    for value in ["sk-ONE-1111", "sk-TWO-2222", "sk-THREE-3333"] {
        assert!(texts.iter().all(|t| !t.contains(value)), "no label holds {value}: {texts:?}");
        for file in files_under(fixture.dir.path()) {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            assert!(!text.contains(value), "{value} is in {}", file.display());
        }
    }
}

/// A global `token` with another value exists before the app starts; a command is
/// pasted at once, perhaps before the store has been read, and the offer is declined:
/// the block never points at the existing `token`, whichever came first.
#[test]
fn a_declined_credential_never_points_at_an_existing_global() {
    let fixture = fixture();
    let (config_dir, keychain, options) = with_mock_keychain(&fixture);
    {
        let mut store = switchyard_vault::Store::open(&config_dir, keychain.clone()).unwrap();
        let definition = switchyard_vault::Definition {
            name: "token".into(),
            kind: switchyard_vault::Kind::Secret,
            value: None,
            allowed_hosts: vec!["old.example.com".to_owned()],
            expires: None,
        };
        store.set_in(Scope::Globals, definition, "sk-EXISTING-4444").unwrap();
    }
    // No frame yet: the paste is in the very first one, which may come before the
    // settings worker has read the store.
    let mut harness = fixture.app(options, 0);
    harness
        .event(egui::Event::Paste("curl https://new.example.com/v1 -H 'Authorization: Bearer sk-NEW-5555'".to_owned()));
    harness.run_steps(3);
    harness.get_by_label("Not now").click();
    wait_until(&mut harness, |h| h.query_by_label("Not now").is_none());
    assert_eq!(header_of(&harness, "request"), "Bearer {{token-2}}", "never the existing `token`");
    use secrecy::ExposeSecret as _;
    let kept = keychain.get("token").unwrap().map(|value| value.expose_secret().to_owned());
    assert_eq!(kept.as_deref(), Some("sk-EXISTING-4444"), "the existing secret is left as it was");
}
