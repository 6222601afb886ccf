//! The settings panel as a user drives it (egui_kittest): open it with the gear, add a
//! secret and see it masked, reveal and hide it (also after 30 seconds and on close),
//! rename it, delete it; plain variables without a keychain; expiry badges. Against
//! keyring's mock store, and (ignored, run by `.ci/run`) the real Secret Service.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use secrecy::ExposeSecret as _;
use switchyard_flow::Flow;
use switchyard_gui::{AppOptions, SwitchyardApp};
use switchyard_vault::{Date, Definition, FILE_NAME, Keychain, Kind, Scope, Store};

use common::{MemoryStorage, files_under, has_label, shows};

const MASK: &str = "*****";

struct Fixture {
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    flow_path: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let flow_path = dir.path().join("new.flow.json");
        switchyard_flow::save(&flow_path, &Flow::new("Settings test")).unwrap();
        Self { runtime, dir, flow_path }
    }

    fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn harness<'a>(&self, keychain: Keychain) -> Harness<'a, SwitchyardApp> {
        let handle = self.runtime.handle().clone();
        let options = AppOptions {
            flow: Some(self.flow_path.clone()),
            config_dir: Some(self.config_dir()),
            keychain: Some(keychain),
            ..AppOptions::default()
        };
        let mut harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_eframe(|cc| SwitchyardApp::new(&cc.egui_ctx, handle, options, None));
        harness.run_steps(2);
        harness
    }
}

fn mock_keychain() -> (Keychain, Arc<keyring_core::api::CredentialStore>) {
    let store = keyring_core::mock::Store::new().unwrap();
    (Keychain::with_store(store.clone()), store)
}

/// Steps frames until `done` holds: the store and keychain work on the runtime's threads.
fn step_until(
    harness: &mut Harness<'_, SwitchyardApp>,
    what: &str,
    done: impl Fn(&Harness<'_, SwitchyardApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness) {
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        harness.step();
        std::thread::yield_now();
    }
    harness.run_steps(2);
}

/// Clicks the button `label` on the row of variable `name`.
fn click_in_row(harness: &mut Harness<'_, SwitchyardApp>, name: &str, label: &str) {
    let row = harness.get_by_label(name).rect();
    let buttons: Vec<_> = harness
        .get_all_by_label(label)
        .filter(|button| (button.rect().center().y - row.center().y).abs() < row.height())
        .collect();
    assert_eq!(buttons.len(), 1, "one `{label}` button on the row of `{name}`");
    buttons[0].click();
    harness.run_steps(2);
}

fn open_panel(harness: &mut Harness<'_, SwitchyardApp>) {
    harness.get_by_label("⚙").click();
    step_until(harness, "the panel to load", |h| {
        has_label(h, "Add variable") && h.query_by_label_contains("loading…").is_none()
    });
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

fn click(harness: &mut Harness<'_, SwitchyardApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

fn assert_not_in_files(dir: &Path, secret: &str) {
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(secret), "the secret is in {}", file.display());
    }
}

/// Adds a secret through the form and waits until the list shows it.
fn add_secret(harness: &mut Harness<'_, SwitchyardApp>, name: &str, value: &str, hosts: &str, expires: &str) {
    click(harness, "Add variable");
    fill(harness, "Name", name);
    click(harness, "secret (in the keychain)");
    fill(harness, "Value", value);
    fill(harness, "Allowed hosts", hosts);
    fill(harness, "Expires", expires);
    assert!(!shows(harness, value), "the value is hidden while typed");
    click(harness, "Save");
    step_until(harness, "the secret to be saved", |h| has_label(h, name) && !has_label(h, "Save"));
}

/// The whole user story, against `keychain`; `stored` reads the keychain behind it.
fn add_reveal_rename_delete(fixture: &Fixture, keychain: Keychain, old: &str, new: &str, secret: &str) {
    let mut harness = fixture.harness(keychain.clone());
    assert!(!has_label(&harness, "Add variable"), "the panel starts closed");
    open_panel(&mut harness);
    assert!(shows(&harness, "No global variables yet"));
    assert!(!shows(&harness, "No keychain"), "no banner when the keychain answers");

    let soon = Date::from_days_since_epoch(Date::today().days_since_epoch() + 3).to_string();
    add_secret(&mut harness, old, secret, "api.example.com, *.example.org", &soon);

    // Masked: the value is in no widget, in no file; it is in the keychain.
    assert!(has_label(&harness, MASK), "the list shows the mask");
    assert!(!shows(&harness, secret), "the value is not on screen");
    assert!(shows(&harness, "api.example.com, *.example.org"));
    assert!(has_label(&harness, "expires soon"), "the expiry badge");
    assert_eq!(keychain.get(old).unwrap().unwrap().expose_secret(), secret);
    let globals = std::fs::read_to_string(fixture.config_dir().join(FILE_NAME)).unwrap();
    assert!(globals.contains(old) && globals.contains("\"secret\"") && !globals.contains(secret), "{globals}");

    // Reveal, then Hide.
    click_in_row(&mut harness, old, "Reveal");
    step_until(&mut harness, "the value to be revealed", |h| has_label(h, secret));
    assert!(!has_label(&harness, MASK));
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    assert!(storage.0.values().all(|v| !v.contains(secret)), "eframe storage never holds the value");
    click_in_row(&mut harness, old, "Hide");
    assert!(!shows(&harness, secret) && has_label(&harness, MASK), "hidden again");

    // Revealed values hide by themselves after 30 seconds of the app's clock (kittest
    // advances it by a quarter second a frame: no sleeping).
    click_in_row(&mut harness, old, "Reveal");
    step_until(&mut harness, "the value to be revealed", |h| has_label(h, secret));
    harness.run_steps(100); // 25 s
    assert!(has_label(&harness, secret), "still shown before 30 s");
    harness.run_steps(24); // 31 s
    assert!(!shows(&harness, secret), "hidden after 30 s");
    assert!(has_label(&harness, MASK));

    // Closing the panel hides it too; reopened, it is masked.
    click_in_row(&mut harness, old, "Reveal");
    step_until(&mut harness, "the value to be revealed", |h| has_label(h, secret));
    click(&mut harness, "Close window");
    assert!(!has_label(&harness, "Add variable"), "closed");
    assert!(!shows(&harness, secret));
    open_panel(&mut harness);
    assert!(has_label(&harness, MASK) && !shows(&harness, secret), "masked after reopening");

    // Rename: refused names first, with a clear message.
    click_in_row(&mut harness, old, "Rename…");
    fill(&mut harness, "New name", "has space");
    assert!(shows(&harness, "`has space` is not a valid name"));
    click(&mut harness, "Rename");
    assert!(has_label(&harness, "New name"), "an invalid name is not sent");
    fill(&mut harness, "New name", new);
    click(&mut harness, "Rename");
    step_until(&mut harness, "the rename", |h| has_label(h, new) && !has_label(h, "New name"));
    assert!(!has_label(&harness, old));
    assert!(keychain.get(old).unwrap().is_none(), "the old keychain entry is gone");
    assert_eq!(keychain.get(new).unwrap().unwrap().expose_secret(), secret, "the value moved");
    assert!(has_label(&harness, MASK) && !shows(&harness, secret));

    // Delete, after a confirmation.
    click_in_row(&mut harness, new, "Delete…");
    assert!(shows(&harness, "removed from the keychain too"));
    click(&mut harness, "Delete");
    step_until(&mut harness, "the delete", |h| !has_label(h, new) && !has_label(h, "Delete"));
    assert!(keychain.get(new).unwrap().is_none(), "the keychain entry is gone");
    let store = Store::open(&fixture.config_dir(), keychain).unwrap();
    assert_eq!(store.definitions_in(Scope::Globals).unwrap().count(), 0);
    assert!(shows(&harness, "No global variables yet"));

    assert_not_in_files(fixture.dir.path(), secret);
}

#[test]
fn add_a_secret_see_it_masked_reveal_rename_and_delete_it() {
    let fixture = Fixture::new();
    let (keychain, _store) = mock_keychain();
    add_reveal_rename_delete(&fixture, keychain, "api_token", "api_key", "sk-settings-UNIQUE-4f2a");
}

#[test]
fn rename_refuses_a_name_that_is_taken_and_edit_keeps_the_secret() {
    let fixture = Fixture::new();
    let (keychain, _store) = mock_keychain();
    let secret = "sk-edit-UNIQUE-77d1";
    let mut store = Store::open(&fixture.config_dir(), keychain.clone()).unwrap();
    let definition =
        Definition { name: "auth".into(), kind: Kind::Secret, value: None, allowed_hosts: vec![], expires: None };
    store.set_in(Scope::Globals, definition, secret).unwrap();
    store
        .set_in(
            Scope::Globals,
            Definition { name: "host".into(), kind: Kind::Default, value: None, allowed_hosts: vec![], expires: None },
            "example.com",
        )
        .unwrap();

    let mut harness = fixture.harness(keychain.clone());
    open_panel(&mut harness);
    assert!(has_label(&harness, "example.com"), "plain values are shown");

    click_in_row(&mut harness, "auth", "Rename…");
    fill(&mut harness, "New name", "host");
    assert!(shows(&harness, "A variable `host` already exists"));
    click(&mut harness, "Rename");
    assert!(has_label(&harness, "New name"), "a taken name is not sent");
    click(&mut harness, "Cancel");
    assert!(!has_label(&harness, "New name"), "cancelled");

    // Edit the allowed hosts only: the value field stays empty and the secret is kept.
    click_in_row(&mut harness, "auth", "Edit…");
    assert!(shows(&harness, "Edit `auth`"), "the form is open");
    assert_eq!(harness.get_by_label("Value").value().unwrap_or_default(), "");
    fill(&mut harness, "Allowed hosts", "api.example.com");
    fill(&mut harness, "Expires", "2020-01-01");
    assert!(has_label(&harness, "expired"), "the badge follows the typed date");
    fill(&mut harness, "Expires", "2020-13-01");
    assert!(shows(&harness, "`2020-13-01` is not a date"));
    click(&mut harness, "Save");
    assert!(has_label(&harness, "Save"), "an invalid date is not sent");
    fill(&mut harness, "Expires", "");
    click(&mut harness, "Save");
    step_until(&mut harness, "the edit", |h| !has_label(h, "Save"));
    assert!(has_label(&harness, "api.example.com"));
    assert_eq!(keychain.get("auth").unwrap().unwrap().expose_secret(), secret, "the value is unchanged");
    let store = Store::open(&fixture.config_dir(), keychain).unwrap();
    assert_eq!(store.definition_in(Scope::Globals, "auth").unwrap().unwrap().allowed_hosts, ["api.example.com"]);
    assert_not_in_files(fixture.dir.path(), secret);
}

#[test]
fn expiry_badges_mark_expired_and_soon_expiring_secrets() {
    let fixture = Fixture::new();
    let (keychain, _store) = mock_keychain();
    let mut store = Store::open(&fixture.config_dir(), keychain.clone()).unwrap();
    let today = Date::today().days_since_epoch();
    for (name, days) in [("old", -2), ("soon", 10), ("later", 200)] {
        let definition = Definition {
            name: name.into(),
            kind: Kind::Secret,
            value: None,
            allowed_hosts: vec![],
            expires: Some(Date::from_days_since_epoch(today + days)),
        };
        store.set_in(Scope::Globals, definition, "v").unwrap();
    }
    let mut harness = fixture.harness(keychain);
    open_panel(&mut harness);
    assert_eq!(harness.query_all_by_label("expired").count(), 1);
    assert_eq!(harness.query_all_by_label("expires soon").count(), 1);
    let soon = harness.get_by_label("soon").rect();
    let badge = harness.get_by_label("expires soon").rect();
    assert!((badge.center().y - soon.center().y).abs() < soon.height(), "the badge is on the right row");
}

#[test]
fn without_a_keychain_a_banner_explains_and_plain_variables_still_work() {
    let fixture = Fixture::new();
    // A secret defined earlier, while a keychain was there.
    let (earlier, _store) = mock_keychain();
    let mut store = Store::open(&fixture.config_dir(), earlier).unwrap();
    let definition =
        Definition { name: "auth".into(), kind: Kind::Secret, value: None, allowed_hosts: vec![], expires: None };
    store.set_in(Scope::Globals, definition, "sk-gone").unwrap();

    let mut harness = fixture.harness(Keychain::unavailable("no Secret Service on the session bus"));
    open_panel(&mut harness);
    step_until(&mut harness, "the banner", |h| shows(h, "No keychain"));
    assert!(shows(&harness, "secret variables cannot be stored or revealed"));
    assert!(shows(&harness, "no Secret Service on the session bus"), "the banner says why");
    assert!(shows(&harness, "gnome-keyring") && shows(&harness, "--secret-env NAME=ENV_VAR"), "and what to do");
    assert!(harness.get_by_label("Reveal").accesskit_node().is_disabled(), "a secret cannot be revealed");

    click(&mut harness, "Add variable");
    assert!(harness.get_by_label("secret (in the keychain)").accesskit_node().is_disabled());
    fill(&mut harness, "Name", "base_url");
    fill(&mut harness, "Value", "https://api.example.com");
    click(&mut harness, "Save");
    step_until(&mut harness, "the plain variable to be saved", |h| has_label(h, "base_url") && !has_label(h, "Save"));
    assert!(has_label(&harness, "https://api.example.com"));
    let globals = std::fs::read_to_string(fixture.config_dir().join(FILE_NAME)).unwrap();
    assert!(globals.contains("https://api.example.com"), "{globals}");
}

/// Removes the test's keychain entries even when the test fails.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let keychain = Keychain::system();
        for name in &self.0 {
            let _ = keychain.delete(name);
        }
    }
}

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn real_keychain_add_reveal_rename_and_delete() {
    let fixture = Fixture::new();
    let unique = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    );
    let (old, new) = (format!("switchyard_gui_test_{unique}"), format!("switchyard_gui_test_{unique}_renamed"));
    let _cleanup = Cleanup(vec![old.clone(), new.clone()]);
    let secret = format!("sk-real-{unique}");
    add_reveal_rename_delete(&fixture, Keychain::system(), &old, &new, &secret);
}

#[test]
fn the_new_variable_form_keeps_still_focuses_name_and_saves_on_enter() {
    let fixture = Fixture::new();
    let (keychain, _store) = mock_keychain();
    let mut harness = fixture.harness(keychain);
    open_panel(&mut harness);
    click(&mut harness, "Add variable");
    assert!(harness.get_by_label("Name").accesskit_node().is_focused(), "Name has the focus when the form opens");
    assert!(!shows(&harness, "Enter a name."), "no complaint before anything is typed");
    let secret_at = |harness: &Harness<'_, SwitchyardApp>| harness.get_by_label("secret (in the keychain)").rect();
    let value_at = |harness: &Harness<'_, SwitchyardApp>| harness.get_by_label("Value").rect();
    let (radio, value) = (secret_at(&harness), value_at(&harness));

    harness.get_by_label("Name").type_text("bad name");
    harness.run_steps(2);
    assert!(shows(&harness, "not a valid name"), "a wrong name is said as it is typed");
    assert_eq!((secret_at(&harness), value_at(&harness)), (radio, value), "after typing a name");
    click(&mut harness, "secret (in the keychain)");
    assert_eq!((secret_at(&harness), value_at(&harness)), (radio, value), "after choosing secret");
    click(&mut harness, "default (in globals.json)");

    // Enter on an empty name says what is missing and saves nothing.
    fill(&mut harness, "Name", "");
    harness.get_by_label("Name").focus();
    harness.run_steps(1);
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    assert!(shows(&harness, "Enter a name."), "said once the user tried to save");
    assert_eq!((secret_at(&harness), value_at(&harness)), (radio, value), "the message does not move the fields");

    fill(&mut harness, "Name", "greeting");
    fill(&mut harness, "Value", "hello");
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    step_until(&mut harness, "Enter to save the variable", |h| has_label(h, "greeting") && !has_label(h, "Save"));
}
