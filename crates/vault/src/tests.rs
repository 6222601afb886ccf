//! The globals store against keyring-core's mock credential store.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::*;

const SECRET: &str = "sk-vault-UNIQUE-9c1e";

fn keychain() -> Keychain {
    Keychain::with_store(keyring_core::mock::Store::new().unwrap())
}

fn secret(name: &str) -> Definition {
    Definition { name: name.into(), kind: Kind::Secret, value: None, allowed_hosts: vec![], expires: None }
}

fn plain(name: &str) -> Definition {
    Definition { kind: Kind::Default, ..secret(name) }
}

fn files_contain(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .any(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default().contains(needle))
}

#[test]
fn secret_goes_to_the_keychain_and_never_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    let mut definition = secret("auth");
    definition.allowed_hosts = vec!["api.openai.com".into()];
    definition.expires = Some("2027-01-31".parse().unwrap());
    store.set_in(Scope::Globals, definition.clone(), SECRET).unwrap();
    store.set_in(Scope::Globals, plain("host"), "example.com").unwrap();

    let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
    assert!(!text.contains(SECRET));
    assert!(
        text.contains("\"allowed_hosts\"") && text.contains("2027-01-31") && text.contains("example.com"),
        "{text}"
    );
    assert!(!files_contain(dir.path(), SECRET));
    assert_eq!(secrecy::ExposeSecret::expose_secret(&keychain.get("auth").unwrap().unwrap()), SECRET);

    // Reopened from disk: same definitions, and the value comes from the keychain.
    let store = Store::open(dir.path(), keychain).unwrap();
    assert_eq!(store.definition_in(Scope::Globals, "auth").unwrap(), Some(&definition));
    assert_eq!(store.value_in(Scope::Globals, "auth").unwrap().expose(), SECRET);
    assert_eq!(store.value_in(Scope::Globals, "host").unwrap().expose(), "example.com");
}

#[test]
fn changing_the_type_moves_the_value_between_file_and_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set_in(Scope::Globals, plain("token"), "was-plain").unwrap();
    store.set_in(Scope::Globals, secret("token"), SECRET).unwrap();
    assert!(!files_contain(dir.path(), "was-plain"));
    assert!(keychain.get("token").unwrap().is_some());
    store.set_in(Scope::Globals, plain("token"), "plain-again").unwrap();
    assert!(keychain.get("token").unwrap().is_none(), "the keychain entry is removed");
    assert!(files_contain(dir.path(), "plain-again"));
}

#[test]
fn rename_moves_the_keychain_entry_and_remove_deletes_it() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set_in(Scope::Globals, secret("old"), SECRET).unwrap();
    store.rename_in(Scope::Globals, "old", "new").unwrap();
    assert!(keychain.get("old").unwrap().is_none());
    assert_eq!(store.value_in(Scope::Globals, "new").unwrap().expose(), SECRET);
    assert!(store.definition_in(Scope::Globals, "old").unwrap().is_none());
    assert!(matches!(store.rename_in(Scope::Globals, "missing", "x"), Err(VaultError::NotFound { .. })));
    store.set_in(Scope::Globals, plain("taken"), "v").unwrap();
    assert!(matches!(store.rename_in(Scope::Globals, "new", "taken"), Err(VaultError::Exists { .. })));

    store.remove_in(Scope::Globals, "new").unwrap();
    assert!(keychain.get("new").unwrap().is_none());
    assert!(store.definition_in(Scope::Globals, "new").unwrap().is_none());
    let reopened = Store::open(dir.path(), keychain).unwrap();
    assert_eq!(
        reopened.definitions_in(Scope::Globals).unwrap().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["taken"]
    );
}

#[test]
fn run_variables_read_only_referenced_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    store.set_in(Scope::Globals, secret("used"), SECRET).unwrap();
    store.set_in(Scope::Globals, secret("unused"), "other").unwrap();
    store.set_in(Scope::Globals, plain("host"), "h").unwrap();
    let referenced: BTreeSet<String> = ["used".to_owned()].into();
    let variables = store.variables(&referenced).unwrap();
    let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["host", "used"]);
    assert!(variables.get("used").unwrap().value.is_secret());

    // With no keychain, plain values still work and referenced secrets fail clearly.
    let store = Store::open(dir.path(), Keychain::unavailable("no Secret Service")).unwrap();
    assert_eq!(store.variables(&BTreeSet::new()).unwrap().iter().count(), 1);
    let error = store.variables(&referenced).unwrap_err();
    assert!(matches!(error, VaultError::KeychainUnavailable { .. }));
    assert!(error.to_string().contains("--secret-env"), "{error}");
    assert!(error.is_environment());
}

#[test]
fn missing_keychain_value_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set_in(Scope::Globals, secret("auth"), SECRET).unwrap();
    keychain.delete("auth").unwrap();
    let error = store.value_in(Scope::Globals, "auth").unwrap_err().to_string();
    assert!(error.contains("switchyard vars set auth --secret"), "{error}");
}

#[test]
fn corrupt_file_is_reported_with_its_place_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let cases = [
        ("{\"switchyard_globals\": 1, \"variables\": {", "1:"),
        ("{\"switchyard_globals\": 1, \"variables\": {\"a\": {\"type\": \"sekret\"}}}", "1:"),
        ("{\"switchyard_globals\": 3}", "switchyard_globals"),
        (
            "{\"switchyard_globals\": 1, \"variables\": {\"a\": {\"type\": \"secret\", \"value\": \"leak\"}}}",
            "variables.a.value",
        ),
        (
            "{\"switchyard_globals\": 1, \"variables\": {\"a\": {\"type\": \"secret\", \"expires\": \"soon\"}}}",
            "variables.a.expires",
        ),
        ("{\"switchyard_globals\": 1, \"variables\": {\"bad name\": {\"type\": \"default\"}}}", "variables.bad name"),
    ];
    for (text, place) in cases {
        std::fs::write(&path, text).unwrap();
        let error = Store::open(dir.path(), keychain()).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with(&format!("{}:{place}", path.display())), "{message}");
        assert!(!message.contains("leak"), "{message}");
        assert!(error.is_environment());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "never overwritten");
    }
}

#[test]
fn invalid_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    for name in ["", "has space", "input", "input.body", "a{b}"] {
        assert!(
            matches!(store.set_in(Scope::Globals, plain(name), "v"), Err(VaultError::InvalidName { .. })),
            "{name:?}"
        );
    }
    assert!(!dir.path().join(FILE_NAME).exists(), "nothing written");
}

#[test]
fn unwritable_config_dir_fails_without_losing_state() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let mut store = Store::open(&config, keychain()).unwrap();
    // Something that is not a directory now stands where the config directory goes.
    std::fs::write(&config, "not a directory").unwrap();
    let error = store.set_in(Scope::Globals, plain("a"), "v").unwrap_err();
    assert!(matches!(error, VaultError::Io { .. }), "{error}");
    assert!(store.definition_in(Scope::Globals, "a").unwrap().is_none(), "the failed change is rolled back");
}

#[test]
fn unknown_name_suggests_a_near_miss() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    store.set_in(Scope::Globals, plain("auth"), "v").unwrap();
    assert_eq!(store.value_in(Scope::Globals, "atuh").unwrap_err().to_string(), "no global variable `atuh`");
    assert_eq!(
        store.value_in(Scope::Globals, "aut").unwrap_err().to_string(),
        "no global variable `aut` (did you mean `auth`?)"
    );
}

#[test]
fn keychain_debug_prints_no_values() {
    let keychain = Keychain::with_store(Arc::clone(&keyring_core::mock::Store::new().unwrap()) as _);
    keychain.set("a", SECRET).unwrap();
    assert!(!format!("{keychain:?}").contains(SECRET));
}

#[test]
fn set_details_changes_hosts_and_expiry_without_touching_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set_in(Scope::Globals, secret("auth"), SECRET).unwrap();
    let expires = Some("2027-01-31".parse().unwrap());
    store.set_details_in(Scope::Globals, "auth", vec!["api.example.com".into()], expires).unwrap();

    let reopened = Store::open(dir.path(), keychain.clone()).unwrap();
    let definition = reopened.definition_in(Scope::Globals, "auth").unwrap().unwrap();
    assert_eq!(definition.kind, Kind::Secret);
    assert_eq!(definition.allowed_hosts, ["api.example.com"]);
    assert_eq!(definition.expires, expires);
    assert_eq!(reopened.value_in(Scope::Globals, "auth").unwrap().expose(), SECRET);
    assert!(!files_contain(dir.path(), SECRET));

    // It never reads the keychain: it works when the keychain is gone.
    let mut without = Store::open(dir.path(), Keychain::unavailable("gone")).unwrap();
    without.set_details_in(Scope::Globals, "auth", Vec::new(), None).unwrap();
    assert_eq!(without.definition_in(Scope::Globals, "auth").unwrap().unwrap().allowed_hosts, Vec::<String>::new());
    assert_eq!(Store::open(dir.path(), keychain).unwrap().value_in(Scope::Globals, "auth").unwrap().expose(), SECRET);

    assert!(matches!(
        store.set_details_in(Scope::Globals, "missing", Vec::new(), None),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn check_says_why_the_keychain_is_missing() {
    assert!(keychain().check().is_ok());
    let error = Keychain::unavailable("no Secret Service on the bus").check().unwrap_err();
    assert!(matches!(&error, VaultError::KeychainUnavailable { detail } if detail.contains("no Secret Service")));
    assert!(error.to_string().contains("--secret-env"), "{error}");
}

// Environments: named sets of variables on top of the globals.

fn names<'a>(definitions: impl Iterator<Item = &'a Definition>) -> Vec<String> {
    definitions.map(|d| d.name.clone()).collect()
}

fn exposed(keychain: &Keychain, user: &str) -> Option<String> {
    keychain.get(user).unwrap().map(|s| secrecy::ExposeSecret::expose_secret(&s).to_owned())
}

const STAGING: Scope<'static> = Scope::Environment("staging");

#[test]
fn an_environments_secret_is_in_the_keychain_under_env_slash_name_and_never_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.create_environment("staging").unwrap();
    store.set_in(STAGING, secret("auth"), SECRET).unwrap();
    store.set_in(STAGING, plain("host"), "staging.example.com").unwrap();
    store.set_in(Scope::Globals, plain("host"), "example.com").unwrap();

    assert_eq!(exposed(&keychain, "staging/auth").as_deref(), Some(SECRET));
    assert_eq!(exposed(&keychain, "auth"), None, "not a global");
    assert!(!files_contain(dir.path(), SECRET));
    let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["switchyard_globals"], 2);
    assert_eq!(document["environments"]["staging"]["variables"]["host"]["value"], "staging.example.com");
    assert_eq!(document["environments"]["staging"]["variables"]["auth"], serde_json::json!({"type": "secret"}));
    assert_eq!(document["variables"]["host"]["value"], "example.com");

    let store = Store::open(dir.path(), keychain).unwrap();
    assert_eq!(store.environments().collect::<Vec<_>>(), ["staging"]);
    assert_eq!(names(store.definitions_in(STAGING).unwrap()), ["auth", "host"]);
    assert_eq!(store.value_in(STAGING, "auth").unwrap().expose(), SECRET);
    assert_eq!(store.value_in(STAGING, "host").unwrap().expose(), "staging.example.com");
    assert_eq!(store.value_in(Scope::Globals, "host").unwrap().expose(), "example.com", "the global is apart");
}

#[test]
fn a_file_without_environments_loads_and_stays_format_1_until_one_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, r#"{"switchyard_globals": 1, "variables": {"a": {"type": "default", "value": "1"}}}"#)
        .unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    assert_eq!(store.environments().count(), 0);
    store.set_in(Scope::Globals, plain("b"), "2").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"switchyard_globals\": 1") && !text.contains("environments"), "{text}");

    store.create_environment("dev").unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"switchyard_globals\": 2"));
    store.remove_environment("dev").unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"switchyard_globals\": 1"));
    assert_eq!(names(Store::open(dir.path(), keychain()).unwrap().definitions_in(Scope::Globals).unwrap()), ["a", "b"]);
}

#[test]
fn environment_names_are_checked_and_an_existing_one_is_not_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    for bad in ["", "a/b", "has space", "ü", "x\n"] {
        let error = store.create_environment(bad).unwrap_err();
        assert!(matches!(error, VaultError::InvalidEnvironmentName { .. }), "{bad:?}: {error}");
        let error = store.definitions_in(Scope::Environment(bad)).err().unwrap();
        assert!(matches!(error, VaultError::InvalidEnvironmentName { .. }), "looked up, {bad:?}: {error}");
    }
    assert!(!dir.path().join(FILE_NAME).exists(), "nothing written");
    store.create_environment("staging.eu-1_b").unwrap();
    let error = store.create_environment("staging.eu-1_b").unwrap_err();
    assert!(matches!(error, VaultError::EnvironmentExists { .. }), "{error}");
    assert!(!error.is_environment(), "the user's mistake: exit 2");
}

#[test]
fn naming_an_environment_that_does_not_exist_says_so_with_a_near_miss() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    store.create_environment("staging").unwrap();
    let missing = Scope::Environment("stagin");
    let errors = [
        store.definitions_in(missing).err().unwrap(),
        store.value_in(missing, "a").unwrap_err(),
        store.set_in(missing, plain("a"), "1").unwrap_err(),
        store.remove_in(missing, "a").unwrap_err(),
        store.rename_in(missing, "a", "b").unwrap_err(),
        store.variables_for(Some("stagin"), &BTreeSet::new()).unwrap_err(),
        store.remove_environment("stagin").unwrap_err(),
        store.rename_environment("stagin", "x").unwrap_err(),
    ];
    for error in errors {
        assert!(matches!(error, VaultError::EnvironmentNotFound { .. }), "{error}");
        assert!(!error.is_environment());
        let text = error.to_string();
        assert!(text.starts_with("no environment `stagin` (did you mean `staging`?)"), "{text}");
        assert!(text.contains("switchyard env new stagin"), "{text}");
    }
    let error = store.value_in(STAGING, "nope").unwrap_err().to_string();
    assert_eq!(error, "no variable `nope` in environment `staging`");
}

#[test]
fn renaming_and_removing_within_an_environment_moves_its_keychain_entries() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.create_environment("staging").unwrap();
    store.set_in(Scope::Globals, secret("auth"), "global-secret").unwrap();
    store.set_in(STAGING, secret("auth"), SECRET).unwrap();
    store.rename_in(STAGING, "auth", "token").unwrap();
    assert_eq!(exposed(&keychain, "staging/auth"), None);
    assert_eq!(exposed(&keychain, "staging/token").as_deref(), Some(SECRET));
    assert_eq!(exposed(&keychain, "auth").as_deref(), Some("global-secret"), "the global is untouched");

    store.set_in(STAGING, plain("taken"), "v").unwrap();
    let error = store.rename_in(STAGING, "token", "taken").unwrap_err();
    assert!(matches!(error, VaultError::ExistsIn { .. }), "{error}");
    assert!(error.to_string().contains("in environment `staging`"), "{error}");

    store.set_details_in(STAGING, "token", vec!["api.example.com".into()], None).unwrap();
    assert_eq!(store.definition_in(STAGING, "token").unwrap().unwrap().allowed_hosts, ["api.example.com"]);

    store.remove_in(STAGING, "token").unwrap();
    assert_eq!(exposed(&keychain, "staging/token"), None);
    assert_eq!(exposed(&keychain, "auth").as_deref(), Some("global-secret"));
    assert_eq!(names(store.definitions_in(STAGING).unwrap()), ["taken"]);
}

#[test]
fn renaming_an_environment_moves_its_values_and_keychain_entries() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.create_environment("staging").unwrap();
    store.set_in(STAGING, secret("auth"), SECRET).unwrap();
    store.set_in(STAGING, secret("key"), "second-secret").unwrap();
    store.set_in(STAGING, plain("host"), "h").unwrap();
    store.create_environment("prod").unwrap();

    let error = store.rename_environment("staging", "prod").unwrap_err();
    assert!(matches!(error, VaultError::EnvironmentExists { .. }), "{error}");
    let error = store.rename_environment("staging", "a/b").unwrap_err();
    assert!(matches!(error, VaultError::InvalidEnvironmentName { .. }), "{error}");
    assert_eq!(exposed(&keychain, "staging/auth").as_deref(), Some(SECRET), "a refused move changes nothing");

    assert_eq!(store.rename_environment("staging", "stage").unwrap(), 2, "two keychain entries moved");
    assert_eq!(store.environments().collect::<Vec<_>>(), ["prod", "stage"]);
    assert_eq!(exposed(&keychain, "staging/auth"), None);
    assert_eq!(exposed(&keychain, "staging/key"), None);
    assert_eq!(exposed(&keychain, "stage/auth").as_deref(), Some(SECRET));
    assert_eq!(exposed(&keychain, "stage/key").as_deref(), Some("second-secret"));
    let reopened = Store::open(dir.path(), keychain.clone()).unwrap();
    assert_eq!(reopened.value_in(Scope::Environment("stage"), "host").unwrap().expose(), "h");
    assert!(!reopened.has_environment("staging"));
}

#[test]
fn a_rename_that_cannot_move_a_secret_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.create_environment("staging").unwrap();
    store.set_in(STAGING, secret("a"), "first").unwrap();
    store.set_in(STAGING, secret("b"), "second").unwrap();
    keychain.delete("staging/b").unwrap();

    let error = store.rename_environment("staging", "stage").unwrap_err();
    let text = error.to_string();
    assert!(text.contains("`b` in environment `staging`") && text.contains("--env staging"), "{text}");
    assert!(store.has_environment("staging") && !store.has_environment("stage"));
    assert_eq!(exposed(&keychain, "stage/a"), None, "the copy already made is removed again");
    assert_eq!(exposed(&keychain, "staging/a").as_deref(), Some("first"));

    // Without a keychain, an environment with secrets cannot move, and one without can.
    let mut without = Store::open(dir.path(), Keychain::unavailable("no Secret Service")).unwrap();
    let error = without.rename_environment("staging", "stage").unwrap_err();
    assert!(matches!(error, VaultError::KeychainUnavailable { .. }), "{error}");
    without.create_environment("plain").unwrap();
    without.set_in(Scope::Environment("plain"), plain("x"), "1").unwrap();
    without.rename_environment("plain", "plainer").unwrap();
    assert_eq!(without.value_in(Scope::Environment("plainer"), "x").unwrap().expose(), "1");
}

#[test]
fn removing_an_environment_deletes_its_values_and_keychain_entries_only() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.create_environment("staging").unwrap();
    store.create_environment("prod").unwrap();
    store.set_in(STAGING, secret("auth"), SECRET).unwrap();
    store.set_in(STAGING, plain("host"), "staging-host-value").unwrap();
    store.set_in(Scope::Environment("prod"), secret("auth"), "prod-secret").unwrap();
    store.set_in(Scope::Globals, secret("auth"), "global-secret").unwrap();

    // Without a keychain the secret cannot be deleted: nothing changes.
    let mut without = Store::open(dir.path(), Keychain::unavailable("gone")).unwrap();
    assert!(matches!(without.remove_environment("staging"), Err(VaultError::KeychainUnavailable { .. })));
    assert!(Store::open(dir.path(), keychain.clone()).unwrap().has_environment("staging"));

    let removed = store.remove_environment("staging").unwrap();
    assert_eq!(names(removed.iter()), ["auth", "host"]);
    assert_eq!(exposed(&keychain, "staging/auth"), None);
    assert_eq!(exposed(&keychain, "prod/auth").as_deref(), Some("prod-secret"));
    assert_eq!(exposed(&keychain, "auth").as_deref(), Some("global-secret"));
    assert!(!files_contain(dir.path(), "staging-host-value"));
    assert_eq!(Store::open(dir.path(), keychain).unwrap().environments().collect::<Vec<_>>(), ["prod"]);
}

#[test]
fn a_runs_variables_are_the_globals_with_the_environment_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set_in(Scope::Globals, plain("host"), "global-host").unwrap();
    store.set_in(Scope::Globals, plain("only-global"), "g").unwrap();
    store.set_in(Scope::Globals, secret("auth"), "global-secret").unwrap();
    store.create_environment("staging").unwrap();
    store.set_in(STAGING, plain("host"), "staging-host").unwrap();
    store.set_in(STAGING, secret("auth"), SECRET).unwrap();
    store.set_in(STAGING, secret("unused"), "not-read").unwrap();

    let referenced: BTreeSet<String> = ["auth".to_owned(), "host".to_owned()].into();
    let globals = store.variables_for(None, &referenced).unwrap();
    assert_eq!(globals.get("host").unwrap().value.expose(), "global-host");
    assert_eq!(globals.get("auth").unwrap().value.expose(), "global-secret");

    let staging = store.variables_for(Some("staging"), &referenced).unwrap();
    assert_eq!(staging.get("host").unwrap().value.expose(), "staging-host");
    assert_eq!(staging.get("only-global").unwrap().value.expose(), "g");
    assert_eq!(staging.get("auth").unwrap().value.expose(), SECRET);
    assert!(staging.get("unused").is_none(), "a secret the flow does not reference is not read");

    // A global secret that the environment replaces is not read: its keychain entry
    // may be gone and the run still works.
    keychain.delete("auth").unwrap();
    assert_eq!(store.variables_for(Some("staging"), &referenced).unwrap().get("auth").unwrap().value.expose(), SECRET);
    assert!(matches!(store.variables_for(None, &referenced), Err(VaultError::SecretMissing { .. })));
}

#[test]
fn a_corrupt_environment_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let cases = [
        (r#"{"switchyard_globals": 2, "environments": {"a/b": {}}}"#, "environments.a/b"),
        (
            r#"{"switchyard_globals": 2, "environments": {"s": {"variables": {"k": {"type": "secret", "value": "leak"}}}}}"#,
            "environments.s.variables.k.value",
        ),
        (r#"{"switchyard_globals": 2, "environments": {"s": {"vars": {}}}}"#, "1:"),
    ];
    for (text, place) in cases {
        std::fs::write(&path, text).unwrap();
        let message = Store::open(dir.path(), keychain()).unwrap_err().to_string();
        assert!(message.starts_with(&format!("{}:{place}", path.display())), "{message}");
        assert!(!message.contains("leak"), "{message}");
    }
}

#[test]
fn environment_changes_from_two_handles_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut first, mut second) =
        (Store::open(dir.path(), keychain()).unwrap(), Store::open(dir.path(), keychain()).unwrap());
    first.create_environment("dev").unwrap();
    second.set_in(Scope::Environment("dev"), plain("a"), "1").unwrap();
    first.create_environment("staging").unwrap();
    second.rename_environment("dev", "development").unwrap();
    first.set_in(STAGING, plain("b"), "2").unwrap();
    let error = first.set_in(Scope::Environment("dev"), plain("c"), "3").unwrap_err();
    assert!(matches!(error, VaultError::EnvironmentNotFound { .. }), "renamed meanwhile: {error}");
    let store = Store::open(dir.path(), keychain()).unwrap();
    assert_eq!(store.environments().collect::<Vec<_>>(), ["development", "staging"]);
    assert_eq!(store.value_in(Scope::Environment("development"), "a").unwrap().expose(), "1");
}
