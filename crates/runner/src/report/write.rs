//! Writing the reports a run asks for ([`Targets`]) without destroying what their paths
//! point at ([`write_report`]): a regular file (or a new one) is replaced atomically (a
//! temporary file beside it, then a rename), through any symbolic links to it; a
//! device, FIFO or socket is written to directly.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use switchyard_flow::Escaped;

use super::{FlowReport, html, json, junit};
use crate::Error;

/// Where the reports go.
#[derive(Debug, Default, Clone)]
pub struct Targets {
    /// `--report-junit`.
    pub junit: Option<PathBuf>,
    /// `--report-json`.
    pub json: Option<PathBuf>,
    /// `--report-html`.
    pub html: Option<PathBuf>,
    /// The longest body a report shows, in bytes (`--report-body-limit`).
    pub body_limit: u64,
}

impl Targets {
    /// Whether any report is asked for (events are kept only then).
    pub fn any(&self) -> bool {
        self.junit.is_some() || self.json.is_some() || self.html.is_some()
    }

    /// Writes every report asked for. A file that cannot be written is an
    /// [`Error::Environment`].
    pub fn write(&self, flows: &[FlowReport], cancelled: bool, duration_ms: u64) -> Result<(), Error> {
        if let Some(path) = &self.junit {
            let xml = junit::render(flows).map_err(|error| Error::environment(anyhow!("JUnit report: {error}")))?;
            write_report(path, xml.as_bytes())?;
        }
        if let Some(path) = &self.json {
            write_report(path, json::render(flows, cancelled).as_bytes())?;
        }
        if let Some(path) = &self.html {
            write_report(path, html::render(flows, cancelled, duration_ms, self.body_limit).as_bytes())?;
        }
        Ok(())
    }
}

/// Writes a report to `path` without destroying what is there: a regular file, or a
/// path where nothing is, is replaced atomically (a temporary file beside it, then a
/// rename), and a symbolic link is followed to its target, which is replaced so; a
/// device, FIFO or socket is written to directly, as is a link into `/proc`
/// (`/dev/stdout`, `/dev/fd/N`: after what is there). A folder is refused. Any error
/// is an [`Error::Environment`].
pub fn write_report(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let shown = Escaped(&path.display().to_string()).to_string();
    let written = (|| -> io::Result<()> {
        // `metadata` follows links: what the path finally names.
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(io::Error::other("it is a folder")),
            Ok(meta) if meta.is_file() => match link_target(path)? {
                Target::Proc => write_directly(path, &meta, bytes),
                Target::Path(target) => replace(&target, bytes),
            },
            Ok(meta) => write_directly(path, &meta, bytes),
            Err(error) if error.kind() == io::ErrorKind::NotFound => match link_target(path)? {
                // A link into /proc that names nothing: opening it says why.
                Target::Proc => Err(error),
                Target::Path(target) => replace(&target, bytes),
            },
            Err(error) => Err(error),
        }
    })();
    written.with_context(|| format!("cannot write the report {shown}")).map_err(Error::Environment)
}

/// Where a report path leads once its symbolic links are followed.
enum Target {
    /// A file: the path itself when it is no link, else the last link's target.
    Path(PathBuf),
    /// Through `/proc` (`/dev/stdout` → `/proc/self/fd/1` → …), where links name open
    /// files rather than paths.
    Proc,
}

/// Follows `path`'s symbolic links (at most 40, as the system does) to the path that is
/// no link (which may not exist yet).
fn link_target(path: &Path) -> io::Result<Target> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        if current.starts_with("/proc") {
            return Ok(Target::Proc);
        }
        let is_link = std::fs::symlink_metadata(&current).is_ok_and(|meta| meta.file_type().is_symlink());
        if !is_link {
            return Ok(Target::Path(current));
        }
        let target = std::fs::read_link(&current)?;
        current = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Replaces `path` atomically with a file holding `bytes`; an existing file's
/// permissions are kept.
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new().prefix(".switchyard-report").tempfile_in(dir)?;
    file.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        file.as_file().set_permissions(meta.permissions())?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Writes `bytes` to what `path` names as it is (a device, FIFO or socket, or a file
/// opened through `/proc`, after what it holds).
fn write_directly(path: &Path, meta: &std::fs::Metadata, bytes: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if meta.file_type().is_socket() {
            let mut stream = std::os::unix::net::UnixStream::connect(path)?;
            stream.write_all(bytes)?;
            return stream.flush();
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}
