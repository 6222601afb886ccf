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
    store.set(definition.clone(), SECRET).unwrap();
    store.set(plain("host"), "example.com").unwrap();

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
    assert_eq!(store.definition("auth"), Some(&definition));
    assert_eq!(store.value("auth").unwrap().expose(), SECRET);
    assert_eq!(store.value("host").unwrap().expose(), "example.com");
}

#[test]
fn changing_the_type_moves_the_value_between_file_and_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set(plain("token"), "was-plain").unwrap();
    store.set(secret("token"), SECRET).unwrap();
    assert!(!files_contain(dir.path(), "was-plain"));
    assert!(keychain.get("token").unwrap().is_some());
    store.set(plain("token"), "plain-again").unwrap();
    assert!(keychain.get("token").unwrap().is_none(), "the keychain entry is removed");
    assert!(files_contain(dir.path(), "plain-again"));
}

#[test]
fn rename_moves_the_keychain_entry_and_remove_deletes_it() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = keychain();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    store.set(secret("old"), SECRET).unwrap();
    store.rename("old", "new").unwrap();
    assert!(keychain.get("old").unwrap().is_none());
    assert_eq!(store.value("new").unwrap().expose(), SECRET);
    assert!(store.definition("old").is_none());
    assert!(matches!(store.rename("missing", "x"), Err(VaultError::NotFound { .. })));
    store.set(plain("taken"), "v").unwrap();
    assert!(matches!(store.rename("new", "taken"), Err(VaultError::Exists { .. })));

    store.remove("new").unwrap();
    assert!(keychain.get("new").unwrap().is_none());
    assert!(store.definition("new").is_none());
    let reopened = Store::open(dir.path(), keychain).unwrap();
    assert_eq!(reopened.definitions().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["taken"]);
}

#[test]
fn run_variables_read_only_referenced_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    store.set(secret("used"), SECRET).unwrap();
    store.set(secret("unused"), "other").unwrap();
    store.set(plain("host"), "h").unwrap();
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
    store.set(secret("auth"), SECRET).unwrap();
    keychain.delete("auth").unwrap();
    let error = store.value("auth").unwrap_err().to_string();
    assert!(error.contains("switchyard vars set auth --secret"), "{error}");
}

#[test]
fn corrupt_file_is_reported_with_its_place_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let cases = [
        ("{\"switchyard_globals\": 1, \"variables\": {", "1:"),
        ("{\"switchyard_globals\": 1, \"variables\": {\"a\": {\"type\": \"sekret\"}}}", "1:"),
        ("{\"switchyard_globals\": 2}", "switchyard_globals"),
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
        assert!(matches!(store.set(plain(name), "v"), Err(VaultError::InvalidName { .. })), "{name:?}");
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
    let error = store.set(plain("a"), "v").unwrap_err();
    assert!(matches!(error, VaultError::Io { .. }), "{error}");
    assert!(store.definition("a").is_none(), "the failed change is rolled back");
}

#[test]
fn unknown_name_suggests_a_near_miss() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain()).unwrap();
    store.set(plain("auth"), "v").unwrap();
    assert_eq!(store.value("atuh").unwrap_err().to_string(), "no global variable `atuh`");
    assert_eq!(store.value("aut").unwrap_err().to_string(), "no global variable `aut` (did you mean `auth`?)");
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
    store.set(secret("auth"), SECRET).unwrap();
    let expires = Some("2027-01-31".parse().unwrap());
    store.set_details("auth", vec!["api.example.com".into()], expires).unwrap();

    let reopened = Store::open(dir.path(), keychain.clone()).unwrap();
    let definition = reopened.definition("auth").unwrap();
    assert_eq!(definition.kind, Kind::Secret);
    assert_eq!(definition.allowed_hosts, ["api.example.com"]);
    assert_eq!(definition.expires, expires);
    assert_eq!(reopened.value("auth").unwrap().expose(), SECRET);
    assert!(!files_contain(dir.path(), SECRET));

    // It never reads the keychain: it works when the keychain is gone.
    let mut without = Store::open(dir.path(), Keychain::unavailable("gone")).unwrap();
    without.set_details("auth", Vec::new(), None).unwrap();
    assert_eq!(without.definition("auth").unwrap().allowed_hosts, Vec::<String>::new());
    assert_eq!(Store::open(dir.path(), keychain).unwrap().value("auth").unwrap().expose(), SECRET);

    assert!(matches!(store.set_details("missing", Vec::new(), None), Err(VaultError::NotFound { .. })));
}

#[test]
fn check_says_why_the_keychain_is_missing() {
    assert!(keychain().check().is_ok());
    let error = Keychain::unavailable("no Secret Service on the bus").check().unwrap_err();
    assert!(matches!(&error, VaultError::KeychainUnavailable { detail } if detail.contains("no Secret Service")));
    assert!(error.to_string().contains("--secret-env"), "{error}");
}
