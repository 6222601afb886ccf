//! The store's write lock and its atomic writes.
//!
//! A change takes an exclusive lock on `globals.json.lock` beside the file
//! ([`std::fs::File::lock`]: `flock` on Unix, `LockFileEx` on Windows), so writers in
//! other processes (the CLI, the app's settings panel) wait for each other and none loses
//! another's change. The file is replaced atomically: a temporary `.globals.json.*` file,
//! synced, then renamed into place. A temporary file left by a writer that was killed (it
//! may hold plain values) is removed by the next writer, under the lock.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::VaultError;

/// The lock file beside it: held exclusively by whoever changes the store.
pub const LOCK_FILE_NAME: &str = "globals.json.lock";
/// The prefix of the temporary files a write goes through (older versions: `.globals`).
const TEMP_PREFIX: &str = ".globals";
/// The store's write lock, held while the file is open; the OS releases it when the
/// file is closed (also when the process dies).
pub(super) struct WriteLock {
    _file: File,
}

/// Takes the write lock of the store in `dir` (waiting for another writer to finish),
/// creating the directory if need be, and removes temporary files a killed writer left.
pub(super) fn lock(dir: &Path) -> Result<WriteLock, VaultError> {
    std::fs::create_dir_all(dir).map_err(io("cannot create the config directory", dir))?;
    let lock_path = dir.join(LOCK_FILE_NAME);
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io("cannot open the lock file", &lock_path))?;
    file.lock().map_err(io("cannot lock the globals store", &lock_path))?;
    let lock = WriteLock { _file: file };
    remove_stale_temporaries(dir)?;
    Ok(lock)
}

/// Replaces the file at `path` with `text` atomically: a temporary file in `dir`,
/// synced, then renamed into place. Only called with the write lock held.
pub(super) fn replace(dir: &Path, path: &Path, text: &str) -> Result<(), VaultError> {
    let mut temp = tempfile::Builder::new()
        .prefix(".globals.json.")
        .tempfile_in(dir)
        .map_err(io("cannot write in the config directory", dir))?;
    temp.write_all(text.as_bytes()).map_err(io("cannot write the globals file", path))?;
    temp.as_file().sync_all().map_err(io("cannot write the globals file", path))?;
    temp.persist(path).map_err(|error| VaultError::Io {
        path: path.to_owned(),
        action: "cannot replace the globals file",
        cause: error.error,
    })?;
    Ok(())
}

/// An [`VaultError::Io`] maker for `map_err`.
fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> VaultError {
    let path = path.to_owned();
    move |cause| VaultError::Io { path, action, cause }
}

/// Removes the temporary files of writers that died before renaming them into place.
/// Called with the write lock held, so no live writer has one open.
fn remove_stale_temporaries(dir: &Path) -> Result<(), VaultError> {
    let entries = std::fs::read_dir(dir).map_err(io("cannot read the config directory", dir))?;
    for entry in entries {
        let entry = entry.map_err(io("cannot read the config directory", dir))?;
        let is_temporary = entry.file_name().to_str().is_some_and(|name| name.starts_with(TEMP_PREFIX));
        if is_temporary && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io("cannot remove a stale temporary file", &path))?;
        }
    }
    Ok(())
}
