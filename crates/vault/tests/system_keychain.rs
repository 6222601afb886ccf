//! The real OS keychain. Ignored by default: `.ci/run` runs these inside a private
//! D-Bus session with gnome-keyring unlocked (`cargo test -- --ignored`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use secrecy::ExposeSecret;
use switchyard_vault::{Definition, Keychain, Kind, Scope, Store};

#[test]
#[ignore = "needs a running Secret Service (see .ci/run)"]
fn real_keychain_stores_renames_and_deletes_a_secret() {
    let keychain = Keychain::system();
    assert!(keychain.is_present(), "{keychain:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), keychain.clone()).unwrap();
    let name = format!("switchyard-test-{}", std::process::id());
    let definition =
        Definition { name: name.clone(), kind: Kind::Secret, value: None, allowed_hosts: vec![], expires: None };
    store.set_in(Scope::Globals, definition, "sk-real-keychain-4711").unwrap();
    assert_eq!(keychain.get(&name).unwrap().unwrap().expose_secret(), "sk-real-keychain-4711");

    let renamed = format!("{name}-renamed");
    store.rename_in(Scope::Globals, &name, &renamed).unwrap();
    assert!(keychain.get(&name).unwrap().is_none());
    assert_eq!(store.value_in(Scope::Globals, &renamed).unwrap().expose(), "sk-real-keychain-4711");

    store.remove_in(Scope::Globals, &renamed).unwrap();
    assert!(keychain.get(&renamed).unwrap().is_none());
    let on_disk = std::fs::read_to_string(store.path()).unwrap();
    assert!(!on_disk.contains("sk-real-keychain-4711"));
}
