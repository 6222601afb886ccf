//! Environments in the app (egui_kittest, keyring's mock store, local axum servers):
//! the top bar's picker decides which server a run reaches and shows in the title, and
//! is remembered; the Global variables panel edits one scope at a time (the globals or
//! an environment) and makes, renames and deletes environments, moving their keychain
//! entries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;
#[path = "../../engine/tests/server/mod.rs"]
mod server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use secrecy::ExposeSecret as _;
use server::TestServer;
use switchyard_engine::Outcome;
use switchyard_flow::Flow;
use switchyard_gui::{AppOptions, SwitchyardApp};
use switchyard_vault::{Definition, Keychain, Kind, Scope, Store};

use common::{MemoryStorage, files_under, has_label, shows};

const MASK: &str = "*****";
const STAGING_TOKEN: &str = "sk-staging-ENV-31d9";
const GLOBAL_TOKEN: &str = "sk-global-ENV-8a20";

struct Setup {
    fixture: common::Fixture,
    config_dir: PathBuf,
    keychain: Keychain,
}

impl Setup {
    fn new(flow: &Flow) -> Self {
        let fixture = common::Fixture::with_flow("env.flow.json", flow);
        let config_dir = fixture.dir.path().join("config");
        let keychain = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
        Self { fixture, config_dir, keychain }
    }

    fn store(&self) -> Store {
        Store::open(&self.config_dir, self.keychain.clone()).unwrap()
    }

    /// The app on the fixture's flow, with eframe's storage as `storage` holds it.
    fn app<'a>(&self, storage: &MemoryStorage) -> Harness<'a, SwitchyardApp> {
        let handle = self.fixture.runtime.handle().clone();
        let options = AppOptions {
            flow: Some(self.fixture.flow_path.clone()),
            config_dir: Some(self.config_dir.clone()),
            keychain: Some(self.keychain.clone()),
            ..AppOptions::default()
        };
        let mut harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, options, Some(storage)));
        harness.run_steps(2);
        harness
    }
}

fn plain(name: &str) -> Definition {
    Definition { name: name.into(), kind: Kind::Default, value: None, allowed_hosts: vec![], expires: None }
}

fn secret(name: &str) -> Definition {
    Definition { name: name.into(), kind: Kind::Secret, value: None, allowed_hosts: vec![], expires: None }
}

/// Start → GET {{base}}/echo with the token and a greeting → Log.
fn request_flow() -> Flow {
    let document = serde_json::json!({
        "switchyard": 1,
        "name": "Env test",
        "blocks": {
            "start": {"type": "start", "at": [0, 0]},
            "call": {"type": "send_request", "at": [260, 0], "url": "{{base}}/echo",
                     "headers": [["X-Token", "{{token}}"], ["X-Greeting", "{{greeting}}"]]},
            "log": {"type": "log", "at": [560, 0]}
        },
        "wires": [["start.out", "call.in"], ["call.success", "log.in"]]
    });
    Flow::from_json(&document.to_string(), "env").unwrap()
}

/// Steps frames until `done` holds: store, keychain and runs work on the runtime's threads.
fn step_until(
    harness: &mut Harness<'_, SwitchyardApp>,
    what: &str,
    done: impl Fn(&Harness<'_, SwitchyardApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness) {
        if Instant::now() >= deadline {
            let texts: Vec<String> = harness
                .query_all(By::new().include_labels())
                .filter_map(|node| node.accesskit_node().label().or_else(|| node.accesskit_node().value()))
                .collect();
            panic!("gave up waiting for: {what}; the window shows: {texts:?}");
        }
        harness.step();
        std::thread::yield_now();
    }
    harness.run_steps(2);
}

fn click(harness: &mut Harness<'_, SwitchyardApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

/// Types `text` into the field labelled `label`, replacing what it held.
fn fill(harness: &mut Harness<'_, SwitchyardApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run_steps(1);
    harness.key_press(Key::Backspace);
    harness.run_steps(1);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(2);
}

/// Opens the combo box labelled `combo` and picks `item`, once the item is there (the
/// store is read in the background).
fn pick(harness: &mut Harness<'_, SwitchyardApp>, combo: &str, item: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        click(harness, combo);
        if has_label(harness, item) {
            break;
        }
        // Closes the popup again, to look once more after the next frames.
        harness.key_press(Key::Escape);
        harness.run_steps(2);
        assert!(Instant::now() < deadline, "`{item}` never appeared in `{combo}`");
    }
    click(harness, item);
}

fn combo_value(harness: &Harness<'_, SwitchyardApp>, combo: &str) -> String {
    harness.get_by_label(combo).value().unwrap_or_default()
}

fn open_panel(harness: &mut Harness<'_, SwitchyardApp>) {
    harness.get_by_label("⚙").click();
    step_until(harness, "the panel to load", |h| {
        has_label(h, "Add variable") && h.query_by_label_contains("loading…").is_none()
    });
}

fn run(harness: &mut Harness<'_, SwitchyardApp>) {
    let finished = harness.state().console().len();
    harness.get_by_label("▶ Run").click();
    step_until(harness, "the run to end", |h| {
        !h.state().is_running() && h.state().outcome().is_some() && h.state().console().len() > finished
    });
}

#[test]
fn the_environment_picked_in_the_top_bar_decides_the_server_and_shows_in_the_title() {
    let servers = tokio::runtime::Runtime::new().unwrap();
    let (dev_server, staging_server) =
        servers.block_on(async { (TestServer::start().await, TestServer::start().await) });
    let setup = Setup::new(&request_flow());
    let mut store = setup.store();
    store.set_in(Scope::Globals, plain("base"), "http://127.0.0.1:9/globals-base-is-not-used").unwrap();
    store.set_in(Scope::Globals, plain("greeting"), "hello from the globals").unwrap();
    store.set_in(Scope::Globals, secret("token"), GLOBAL_TOKEN).unwrap();
    for (env, server) in [("dev", &dev_server), ("staging", &staging_server)] {
        store.create_environment(env).unwrap();
        store.set_in(Scope::Environment(env), plain("base"), &server.url("")).unwrap();
    }
    store.set_in(Scope::Environment("staging"), secret("token"), STAGING_TOKEN).unwrap();

    let mut storage = MemoryStorage::default();
    let mut harness = setup.app(&storage);
    assert_eq!(combo_value(&harness, "Environment"), "No environment");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json)");

    // Staging: its base and its own secret (ENV/NAME in the keychain), the global greeting.
    pick(&mut harness, "Environment", "staging");
    assert_eq!(combo_value(&harness, "Environment"), "staging");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json) — staging");
    run(&mut harness);
    assert_eq!(harness.state().outcome(), Some(Outcome::Ok));
    let seen = staging_server.seen();
    assert_eq!(seen.len(), 1, "the request reached the staging server");
    assert_eq!(seen[0].path, "/echo");
    assert_eq!(seen[0].headers["x-token"], STAGING_TOKEN, "staging's secret replaces the global one");
    assert_eq!(seen[0].headers["x-greeting"], "hello from the globals", "globals show through");
    assert!(dev_server.seen().is_empty());
    assert!(!shows(&harness, STAGING_TOKEN), "the secret is masked on screen");

    // Dev: its base; no token of its own, so the global one.
    pick(&mut harness, "Environment", "dev");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json) — dev");
    run(&mut harness);
    assert_eq!(harness.state().outcome(), Some(Outcome::Ok));
    let seen = dev_server.seen();
    assert_eq!(seen.len(), 1, "the request reached the dev server");
    assert_eq!(seen[0].headers["x-token"], GLOBAL_TOKEN);
    assert_eq!(staging_server.seen().len(), 1, "nothing more went to staging");

    // The choice is kept (a name, never a value) and comes back on the next start.
    eframe::App::save(harness.state_mut(), &mut storage);
    assert_eq!(storage.0.get("switchyard.environment").map(String::as_str), Some("dev"));
    for value in storage.0.values() {
        assert!(!value.contains(GLOBAL_TOKEN) && !value.contains(STAGING_TOKEN), "no secret in eframe storage");
    }
    drop(harness);
    let mut harness = setup.app(&storage);
    assert_eq!(harness.state().selected_environment(), Some("dev"));
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json) — dev");
    run(&mut harness);
    assert_eq!(dev_server.seen().len(), 2, "the restarted app runs against dev");

    // Back to no environment: the title drops it, and so does what is kept.
    pick(&mut harness, "Environment", "No environment");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json)");
    eframe::App::save(harness.state_mut(), &mut storage);
    assert_eq!(storage.0.get("switchyard.environment"), None);
}

#[test]
fn a_remembered_environment_that_no_longer_exists_is_dropped_with_a_notice() {
    let setup = Setup::new(&request_flow());
    setup.store().create_environment("dev").unwrap();
    let mut storage = MemoryStorage::default();
    storage.0.insert("switchyard.environment".into(), "gone".into());
    let mut harness = setup.app(&storage);
    step_until(&mut harness, "the store to be read", |h| h.state().selected_environment().is_none());
    assert!(shows(&harness, "environment `gone` no longer exists"), "the top bar says so");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json)");
}

#[test]
fn the_panel_edits_an_environment_s_variables_and_leaves_the_globals_alone() {
    let setup = Setup::new(&request_flow());
    let mut store = setup.store();
    store.set_in(Scope::Globals, plain("base"), "https://globals.example.com").unwrap();
    store.create_environment("staging").unwrap();
    let mut harness = setup.app(&MemoryStorage::default());
    open_panel(&mut harness);
    assert_eq!(combo_value(&harness, "Variables of"), "Globals");
    assert!(has_label(&harness, "https://globals.example.com"));

    pick(&mut harness, "Variables of", "staging");
    assert_eq!(combo_value(&harness, "Variables of"), "staging");
    assert!(shows(&harness, "No variables in environment `staging` yet"));
    assert!(!has_label(&harness, "https://globals.example.com"), "the globals are not listed here");

    // A plain value and a secret, added in the environment.
    click(&mut harness, "Add variable");
    fill(&mut harness, "Name", "base");
    fill(&mut harness, "Value", "https://staging.example.com");
    click(&mut harness, "Save");
    step_until(&mut harness, "the plain variable", |h| {
        has_label(h, "https://staging.example.com") && !has_label(h, "Save")
    });
    click(&mut harness, "Add variable");
    fill(&mut harness, "Name", "token");
    click(&mut harness, "secret (in the keychain)");
    fill(&mut harness, "Value", STAGING_TOKEN);
    fill(&mut harness, "Allowed hosts", "staging.example.com");
    click(&mut harness, "Save");
    step_until(&mut harness, "the secret", |h| has_label(h, "token") && !has_label(h, "Save"));
    assert!(has_label(&harness, MASK) && !shows(&harness, STAGING_TOKEN), "masked in the list");
    assert!(has_label(&harness, "staging.example.com"), "its allowed host");

    let store = setup.store();
    let staging = Scope::Environment("staging");
    assert_eq!(
        store.definition_in(staging, "base").unwrap().unwrap().value.as_deref(),
        Some("https://staging.example.com")
    );
    assert_eq!(
        store.definition_in(Scope::Globals, "base").unwrap().unwrap().value.as_deref(),
        Some("https://globals.example.com"),
        "globals kept"
    );
    assert_eq!(store.definition_in(staging, "token").unwrap().unwrap().allowed_hosts, ["staging.example.com"]);
    assert!(store.definition_in(Scope::Globals, "token").unwrap().is_none(), "the secret is not a global");
    assert_eq!(setup.keychain.get("staging/token").unwrap().unwrap().expose_secret(), STAGING_TOKEN);
    assert!(setup.keychain.get("token").unwrap().is_none());

    // Reveal reads the environment's keychain entry; rename and delete stay in the scope.
    let reveal = harness.get_by_label("Reveal");
    reveal.click();
    step_until(&mut harness, "the value to be revealed", |h| has_label(h, STAGING_TOKEN));
    click(&mut harness, "Hide");
    harness.get_all_by_label("Rename…").next().unwrap().click(); // first row: base
    harness.run_steps(2);
    fill(&mut harness, "New name", "base_url");
    click(&mut harness, "Rename");
    step_until(&mut harness, "the rename", |h| has_label(h, "base_url") && !has_label(h, "New name"));
    let store = setup.store();
    assert!(store.definition_in(staging, "base_url").unwrap().is_some());
    assert!(
        store.definition_in(Scope::Globals, "base").unwrap().is_some()
            && store.definition_in(Scope::Globals, "base_url").unwrap().is_none(),
        "the global is untouched"
    );

    // Back to the globals: their list again, untouched.
    pick(&mut harness, "Variables of", "Globals");
    assert!(has_label(&harness, "https://globals.example.com"));
    assert!(!has_label(&harness, "token"));
    for file in files_under(setup.fixture.dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(STAGING_TOKEN), "the secret is in {}", file.display());
    }
}

#[test]
fn environments_are_made_renamed_and_deleted_in_the_panel_with_their_keychain_entries() {
    let setup = Setup::new(&request_flow());
    setup.store().set_in(Scope::Globals, plain("base"), "https://globals.example.com").unwrap();
    let mut harness = setup.app(&MemoryStorage::default());
    open_panel(&mut harness);

    // New: refused names first, then made and shown.
    click(&mut harness, "New environment…");
    fill(&mut harness, "Environment name", "qa/1");
    assert!(shows(&harness, "Use letters, digits"));
    fill(&mut harness, "Environment name", "qa");
    click(&mut harness, "Create");
    step_until(&mut harness, "the environment", |h| combo_value(h, "Variables of") == "qa");
    assert!(setup.store().has_environment("qa"));
    click(&mut harness, "Add variable");
    fill(&mut harness, "Name", "token");
    click(&mut harness, "secret (in the keychain)");
    fill(&mut harness, "Value", STAGING_TOKEN);
    fill(&mut harness, "Expires", "2099-01-01");
    click(&mut harness, "Save");
    step_until(&mut harness, "the secret", |h| has_label(h, "token") && !has_label(h, "Save"));
    assert!(setup.keychain.get("qa/token").unwrap().is_some());

    // Picked in the top bar, then renamed: the picker and the title follow.
    pick(&mut harness, "Environment", "qa");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json) — qa");
    click(&mut harness, "Rename environment…");
    fill(&mut harness, "New environment name", "qa2");
    click(&mut harness, "Rename");
    step_until(&mut harness, "the rename", |h| combo_value(h, "Variables of") == "qa2");
    let store = setup.store();
    assert!(store.has_environment("qa2") && !store.has_environment("qa"));
    assert!(setup.keychain.get("qa/token").unwrap().is_none(), "the old keychain entry is gone");
    assert_eq!(setup.keychain.get("qa2/token").unwrap().unwrap().expose_secret(), STAGING_TOKEN, "moved");
    assert_eq!(harness.state().selected_environment(), Some("qa2"));
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json) — qa2");
    assert_eq!(combo_value(&harness, "Environment"), "qa2");

    // Delete asks first; Cancel keeps it.
    click(&mut harness, "Delete environment…");
    assert!(shows(&harness, "Delete environment `qa2`?"));
    assert!(shows(&harness, "removed from the keychain too"));
    click(&mut harness, "Cancel");
    assert!(setup.store().has_environment("qa2"));
    click(&mut harness, "Delete environment…");
    click(&mut harness, "Delete");
    step_until(&mut harness, "the delete", |h| combo_value(h, "Variables of") == "Globals");
    assert!(!setup.store().has_environment("qa2"));
    assert!(setup.keychain.get("qa2/token").unwrap().is_none(), "its keychain entry is gone");
    assert_eq!(harness.state().selected_environment(), None, "runs use the globals again");
    assert_eq!(harness.state().title(), "Switchyard — Env test (env.flow.json)");
    assert!(has_label(&harness, "https://globals.example.com"), "the panel shows the globals");
}
