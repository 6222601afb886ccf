//! The flows a `switchyard run` names: files, and directories meaning every
//! `*.flow.json` below them, in path order. All are read and checked before anything
//! runs. Paths are `OsStr` throughout: a file whose name is not UTF-8 runs like any
//! other, shown with the odd bytes replaced (`�`).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use switchyard_flow::{Escaped, Flow};

use crate::Error;

/// What a flow file is called when a directory is searched.
const SUFFIX: &str = ".flow.json";

/// A flow file, read and valid.
#[derive(Debug)]
pub struct LoadedFlow {
    /// The path as named or found.
    pub path: PathBuf,
    /// The flow it holds.
    pub flow: Arc<Flow>,
    /// The variables its templates refer to ([`Flow::variable_names`], found once).
    pub variable_names: BTreeSet<String>,
}

/// The flow files `paths` name, in order: a file as it is (whatever its name), a
/// directory as every `*.flow.json` below it, sorted by path. A file named twice runs
/// once. A directory without flows is invalid input.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        // A path that is not a folder (missing ones too) is read as a flow file, and
        // reported with the other invalid files.
        if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            let mut found = Vec::new();
            collect(path, &mut found).map_err(Error::Invalid)?;
            if found.is_empty() {
                return Err(Error::invalid(anyhow!(
                    "{}: no *{SUFFIX} files in this folder or below it",
                    Escaped(&path.display().to_string())
                )));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = HashSet::new();
    files.retain(|file| seen.insert(file.clone()));
    Ok(files)
}

/// Every `*.flow.json` file below `dir`. Links to folders are not followed (no cycles).
fn collect(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|error| anyhow!("{}: cannot list the folder: {error}", Escaped(&dir.display().to_string())))?;
        for entry in entries {
            let entry = entry
                .map_err(|error| anyhow!("{}: cannot list the folder: {error}", Escaped(&dir.display().to_string())))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|error| anyhow!("{}: cannot read it: {error}", Escaped(&path.display().to_string())))?;
            if kind.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|name| name.as_encoded_bytes().ends_with(SUFFIX.as_bytes())) {
                // Compared as bytes: a name that is not UTF-8 is a flow file all the
                // same, shown with its odd bytes replaced.
                found.push(path);
            }
        }
    }
    Ok(())
}

/// Reads and checks every file. When one file is named and it is invalid, its error;
/// when several are and any is invalid, [`Error::InvalidFlows`] with every problem of
/// every file.
pub fn load_all(files: &[PathBuf]) -> Result<Vec<LoadedFlow>, Error> {
    let mut loaded = Vec::with_capacity(files.len());
    let mut invalid = Vec::new();
    for path in files {
        match switchyard_flow::load(path) {
            Ok(flow) => {
                let variable_names = flow.variable_names();
                loaded.push(LoadedFlow { path: path.clone(), flow: Arc::new(flow), variable_names });
            }
            Err(error) => invalid.push(error),
        }
    }
    if invalid.is_empty() {
        return Ok(loaded);
    }
    if files.len() == 1
        && let Some(error) = invalid.pop()
    {
        return Err(Error::invalid(error));
    }
    Err(Error::InvalidFlows { problems: invalid, files: files.len() })
}

/// The flows `paths` name ([`expand`]), read and checked ([`load_all`]).
pub fn load_flows(paths: &[PathBuf]) -> Result<Vec<LoadedFlow>, Error> {
    load_all(&expand(paths)?)
}

/// Every variable name the templates of `flows` refer to.
pub fn variable_names(flows: &[LoadedFlow]) -> BTreeSet<String> {
    flows.iter().flat_map(|flow| flow.variable_names.iter().cloned()).collect()
}
