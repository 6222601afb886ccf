//! Loading flow files: files as named, folders as every `*.flow.json` below them, all
//! checked before anything runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::PathBuf;

use common::{logging, requesting, write};
use serde_json::json;
use switchyard_runner::{Error, flows, load_flows};

#[test]
fn a_folder_means_every_flow_file_below_it_in_path_order_and_a_file_named_twice_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b/inner")).unwrap();
    let second = write(dir.path(), "b/inner/2.flow.json", &logging("two", "x", "info"));
    let first = write(dir.path(), "b/1.flow.json", &logging("one", "x", "info"));
    write(dir.path(), "b/notes.json", &json!({"not": "a flow"}));
    let loose = write(dir.path(), "loose.json", &logging("loose", "x", "info"));

    let loaded = load_flows(&[loose.clone(), dir.path().join("b"), first.clone()]).unwrap();
    let paths: Vec<&PathBuf> = loaded.iter().map(|flow| &flow.path).collect();
    assert_eq!(paths, [&loose, &first, &second], "the file as named, then the folder's in path order, once each");
    assert_eq!(loaded[1].flow.name, "one");
}

#[cfg(unix)]
#[test]
fn a_flow_file_whose_name_is_not_utf8_loads_like_any_other() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.flow.json");
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string(&logging("odd", "x", "info")).unwrap()).unwrap();
    let loaded = load_flows(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].path, path);
}

#[test]
fn a_folder_without_flows_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let error = load_flows(&[dir.path().to_path_buf()]).unwrap_err();
    assert!(matches!(error, Error::Invalid(_)), "{error:?}");
    assert!(error.to_string().contains("no *.flow.json files"), "{error}");
}

#[test]
fn one_invalid_file_is_its_error_and_several_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.flow.json", &logging("good", "x", "info"));
    let bad = write(dir.path(), "bad.flow.json", &json!({"switchyard": 1}));
    let missing = dir.path().join("missing.flow.json");

    let alone = load_flows(std::slice::from_ref(&bad)).unwrap_err();
    assert!(matches!(alone, Error::Invalid(_)), "{alone:?}");

    let together = load_flows(&[good, bad, missing]).unwrap_err();
    let Error::InvalidFlows { problems, files } = &together else { panic!("{together:?}") };
    assert_eq!((problems.len(), *files), (2, 3));
    assert_eq!(together.to_string(), "2 of 3 flow files are invalid; nothing was run");
}

#[test]
fn the_variable_names_of_several_flows_are_gathered_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.flow.json", &requesting("a", "http://{{host}}/{{token}}"));
    let b = write(dir.path(), "b.flow.json", &requesting("b", "http://{{host}}/{{region}}"));
    let loaded = load_flows(&[a, b]).unwrap();
    let names: Vec<String> = flows::variable_names(&loaded).into_iter().collect();
    assert_eq!(names, ["host", "region", "token"]);
}
