//! Flows as documents: file dialogs, the recent-files list, and the recovery file that
//! keeps unsaved work through a crash.
//!
//! Dialogs are native (`rfd`: the XDG desktop portal on Linux, falling back to zenity;
//! the system dialogs on macOS and Windows) and run on a blocking thread of the tokio
//! runtime; the answer comes back over a channel. Tests script the answers instead.
//! Where the system has no file dialog (no portal and no zenity, or
//! `SWITCHYARD_FILE_DIALOG=builtin`), the answer is [`DialogAnswer::Unavailable`] and the
//! app shows its own (`file_dialog.rs`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde_json::json;
use switchyard_flow::Flow;

/// The file name ending Switchyard's flows use.
pub const FLOW_EXTENSION: &str = ".flow.json";
/// How many recent files the File menu lists.
const RECENT_LIMIT: usize = 10;

/// What a file dialog is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogRequest {
    /// Pick a flow to open, starting in this folder.
    Open {
        /// The folder to start in.
        folder: Option<PathBuf>,
    },
    /// Choose where to save, starting in this folder with this file name.
    Save {
        /// The folder to start in.
        folder: Option<PathBuf>,
        /// The suggested file name.
        file_name: String,
    },
}

/// What a file dialog answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer {
    /// The user chose this path.
    Chosen(PathBuf),
    /// The user cancelled.
    Cancelled,
    /// There is no such dialog on this system: the app asks with its own.
    Unavailable,
}

/// Asks the user for a file. Called on a blocking thread, never on the UI thread.
pub trait FileDialogs: Send + Sync + std::fmt::Debug {
    /// The chosen path, a cancel, or that no dialog could be shown.
    fn ask(&self, request: &DialogRequest) -> DialogAnswer;
}

/// The operating system's file dialogs.
#[derive(Debug, Default)]
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn ask(&self, request: &DialogRequest) -> DialogAnswer {
        if !system_dialog_available() {
            return DialogAnswer::Unavailable;
        }
        let (DialogRequest::Open { folder } | DialogRequest::Save { folder, .. }) = request;
        let mut dialog = rfd::FileDialog::new().add_filter("Switchyard flow", &["json"]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        let chosen = match request {
            DialogRequest::Open { .. } => dialog.set_title("Open a flow").pick_file(),
            DialogRequest::Save { file_name, .. } => {
                dialog.set_title("Save the flow as").set_file_name(file_name).save_file()
            }
        };
        chosen.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen)
    }
}

/// Whether the system can show a file dialog. On Linux `rfd` needs the XDG desktop
/// portal (D-Bus activated, so its service file is installed) or `zenity` on the
/// `PATH`; without both it shows nothing and answers as a cancel would.
/// `SWITCHYARD_FILE_DIALOG=builtin` asks for the app's own dialog everywhere.
fn system_dialog_available() -> bool {
    if std::env::var_os("SWITCHYARD_FILE_DIALOG").is_some_and(|v| v == "builtin") {
        return false;
    }
    if !cfg!(target_os = "linux") {
        return true;
    }
    let on_path = |program: &str| {
        std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
    };
    let data_dirs = std::env::var("XDG_DATA_DIRS").unwrap_or_else(|_| "/usr/local/share:/usr/share".to_owned());
    let portal = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && data_dirs
            .split(':')
            .filter(|dir| !dir.is_empty())
            .any(|dir| Path::new(dir).join("dbus-1/services/org.freedesktop.portal.Desktop.service").is_file());
    portal || on_path("zenity")
}

/// Answers dialogs from a list (tests): each question takes the next answer; none left
/// means the user cancelled. Every question is kept for the test to look at.
#[derive(Debug, Default)]
pub struct ScriptedDialogs {
    answers: Mutex<Vec<Option<PathBuf>>>,
    asked: Mutex<Vec<DialogRequest>>,
    /// Answer every question with [`DialogAnswer::Unavailable`] (no system dialog).
    unavailable: bool,
}

impl ScriptedDialogs {
    /// Dialogs that will answer `answers`, in order.
    pub fn new(answers: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
        let mut answers: Vec<_> = answers.into_iter().collect();
        answers.reverse();
        Self { answers: Mutex::new(answers), asked: Mutex::new(Vec::new()), unavailable: false }
    }

    /// Dialogs of a system that has none: every question is answered `Unavailable`.
    pub fn unavailable() -> Self {
        Self { unavailable: true, ..Self::default() }
    }

    /// The questions asked so far.
    pub fn asked(&self) -> Vec<DialogRequest> {
        self.asked.lock().map(|asked| asked.clone()).unwrap_or_default()
    }
}

impl FileDialogs for ScriptedDialogs {
    fn ask(&self, request: &DialogRequest) -> DialogAnswer {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(request.clone());
        }
        if self.unavailable {
            return DialogAnswer::Unavailable;
        }
        self.answers
            .lock()
            .ok()
            .and_then(|mut answers| answers.pop())
            .flatten()
            .map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen)
    }
}

/// `name` with `.flow.json` added unless it already ends in `.json`.
pub fn with_flow_extension(path: PathBuf) -> PathBuf {
    let has_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if has_json {
        return path;
    }
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(FLOW_EXTENSION);
    path.with_file_name(name)
}

/// A file name for a flow called `name`: `List models` → `list-models.flow.json`.
pub fn suggested_file_name(name: &str) -> String {
    let stem: String = name
        .trim()
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = if stem.is_empty() { "untitled".to_owned() } else { stem };
    format!("{stem}{FLOW_EXTENSION}")
}

/// The recently opened or saved flows, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentFiles {
    paths: Vec<PathBuf>,
}

impl RecentFiles {
    /// The list as eframe's storage keeps it: one path per line.
    pub fn from_storage(text: &str) -> Self {
        let mut recent = Self::default();
        for line in text.lines().rev().filter(|l| !l.trim().is_empty()) {
            recent.add(PathBuf::from(line));
        }
        recent
    }

    /// The text eframe's storage keeps (paths only: never a variable or a secret).
    pub fn to_storage(&self) -> String {
        self.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n")
    }

    /// Puts `path` first (once), made absolute: the list means the same files whatever
    /// folder the app is started from next.
    pub fn add(&mut self, path: PathBuf) {
        let path = absolute(path);
        self.paths.retain(|p| *p != path);
        self.paths.insert(0, path);
        self.paths.truncate(RECENT_LIMIT);
    }

    /// Drops `path` (it could not be opened).
    pub fn remove(&mut self, path: &Path) {
        let path = absolute(path.to_owned());
        self.paths.retain(|p| *p != path);
    }

    /// The paths, newest first.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }
}

/// `path` made absolute against the current folder (as it is, if the current folder
/// cannot be read). Paths the app keeps between sessions are absolute.
pub fn absolute(path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        return path;
    }
    std::path::absolute(&path).unwrap_or(path)
}

/// Where the app keeps its own state between sessions (recent files, the last flow, the
/// welcome hint's dismissal, the chosen environment, panel sizes, theme, window):
/// `app.ron` in `home` (the value of `SWITCHYARD_HOME`) when it is set and not empty;
/// `None` otherwise, and eframe keeps it in the platform's data folder.
pub fn state_file(home: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let home = home.filter(|home| !home.is_empty())?;
    Some(absolute(PathBuf::from(home)).join(STATE_FILE))
}

/// The name of the app's state file (see [`state_file`]).
pub const STATE_FILE: &str = "app.ron";

/// Unsaved work found in a recovery file.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    /// The flow as it was when last autosaved.
    pub flow: Flow,
    /// When that was.
    pub saved_at: SystemTime,
}

/// The recovery files: unsaved work, autosaved to `<config dir>/recovery/`, one file per
/// flow path (and one for a flow not saved yet). Written atomically; removed when the
/// work is saved or discarded.
#[derive(Debug, Clone)]
pub struct Recovery {
    dir: PathBuf,
}

impl Recovery {
    /// Recovery files in `dir` (created when first needed).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The recovery file for the flow saved at `path` (None: not saved yet).
    pub fn file_for(&self, path: Option<&Path>) -> PathBuf {
        let key = match path {
            None => "untitled".to_owned(),
            Some(path) => {
                let stem = path
                    .file_name()
                    .map(|n| n.to_string_lossy().trim_end_matches(FLOW_EXTENSION).to_owned())
                    .unwrap_or_default();
                let stem: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
                format!("{stem}-{:016x}", fnv1a(path.to_string_lossy().as_bytes()))
            }
        };
        self.dir.join(format!("{key}.recovery.json"))
    }

    /// Autosaves `flow`, which belongs at `path`.
    pub fn write(&self, path: Option<&Path>, flow: &Flow) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let text = json!({
            "switchyard_recovery": 1,
            "path": path.map(|p| p.display().to_string()),
            "flow": flow.to_json(),
        });
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut file, format!("{text:#}\n").as_bytes())?;
        file.persist(self.file_for(path)).map_err(|error| error.error)?;
        Ok(())
    }

    /// The unsaved work for `path`, if a readable recovery file holds some.
    pub fn find(&self, path: Option<&Path>) -> Option<Recovered> {
        let file = self.file_for(path);
        let text = std::fs::read_to_string(&file).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        let flow = Flow::from_json(value.get("flow")?.as_str()?, &file.display().to_string()).ok()?;
        let saved_at = std::fs::metadata(&file).and_then(|m| m.modified()).unwrap_or_else(|_| SystemTime::now());
        Some(Recovered { flow, saved_at })
    }

    /// Removes the recovery file for `path` (the work was saved or discarded).
    pub fn discard(&self, path: Option<&Path>) {
        // Nothing to remove is fine; a file that cannot be removed is offered again.
        let _ = std::fs::remove_file(self.file_for(path));
    }
}

/// FNV-1a: a stable hash, so a flow's recovery file keeps its name between versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(then: SystemTime, now: SystemTime) -> String {
    let seconds = now.duration_since(then).map(|d| d.as_secs()).unwrap_or(0);
    match seconds {
        0..60 => "just now".to_owned(),
        60..120 => "a minute ago".to_owned(),
        120..3600 => format!("{} minutes ago", seconds / 60),
        3600..7200 => "an hour ago".to_owned(),
        7200..86_400 => format!("{} hours ago", seconds / 3600),
        86_400..172_800 => "a day ago".to_owned(),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn save_as_names_get_the_flow_extension() {
        assert_eq!(with_flow_extension(PathBuf::from("/a/b")), PathBuf::from("/a/b.flow.json"));
        assert_eq!(with_flow_extension(PathBuf::from("/a/b.json")), PathBuf::from("/a/b.json"));
        assert_eq!(with_flow_extension(PathBuf::from("/a/b.flow.json")), PathBuf::from("/a/b.flow.json"));
        assert_eq!(suggested_file_name("List OpenAI models!"), "list-openai-models.flow.json");
        assert_eq!(suggested_file_name("  "), "untitled.flow.json");
    }

    #[test]
    fn recent_files_are_newest_first_unique_and_bounded() {
        let mut recent = RecentFiles::default();
        for i in 0..12 {
            recent.add(PathBuf::from(format!("/f{i}")));
        }
        recent.add(PathBuf::from("/f5"));
        assert_eq!(recent.paths().len(), RECENT_LIMIT);
        assert_eq!(recent.paths()[0], PathBuf::from("/f5"));
        assert_eq!(recent.paths().iter().filter(|p| p.as_path() == Path::new("/f5")).count(), 1);
        let back = RecentFiles::from_storage(&recent.to_storage());
        assert_eq!(back, recent);
        recent.remove(Path::new("/f5"));
        assert_eq!(recent.paths()[0], PathBuf::from("/f11"));
    }

    #[test]
    fn recovery_files_round_trip_per_path_and_go_away_when_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let recovery = Recovery::new(dir.path().join("recovery"));
        let a = PathBuf::from("/work/a.flow.json");
        let b = PathBuf::from("/other/a.flow.json");
        assert_ne!(recovery.file_for(Some(&a)), recovery.file_for(Some(&b)), "same name, other folder");
        assert!(recovery.find(Some(&a)).is_none());

        let flow = Flow::new("edited");
        recovery.write(Some(&a), &flow).unwrap();
        recovery.write(None, &Flow::new("untitled work")).unwrap();
        assert_eq!(recovery.find(Some(&a)).unwrap().flow, flow);
        assert!(recovery.find(Some(&b)).is_none());
        assert_eq!(recovery.find(None).unwrap().flow.name, "untitled work");
        // Only the two recovery files: no temporary files left beside them.
        assert_eq!(std::fs::read_dir(dir.path().join("recovery")).unwrap().count(), 2);

        recovery.discard(Some(&a));
        assert!(recovery.find(Some(&a)).is_none());
        std::fs::write(recovery.file_for(None), "{ not json").unwrap();
        assert!(recovery.find(None).is_none(), "a damaged recovery file is ignored");
    }

    #[test]
    fn ages_read_naturally() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ago_secs = |s| ago(now - Duration::from_secs(s), now);
        assert_eq!(ago_secs(5), "just now");
        assert_eq!(ago_secs(300), "5 minutes ago");
        assert_eq!(ago_secs(3 * 3600), "3 hours ago");
        assert_eq!(ago_secs(5 * 86_400), "5 days ago");
    }

    #[test]
    fn scripted_dialogs_answer_in_order_then_cancel() {
        let dialogs = ScriptedDialogs::new([Some(PathBuf::from("/x")), None]);
        let open = DialogRequest::Open { folder: None };
        assert_eq!(dialogs.ask(&open), DialogAnswer::Chosen(PathBuf::from("/x")));
        assert_eq!(dialogs.ask(&open), DialogAnswer::Cancelled);
        assert_eq!(dialogs.ask(&open), DialogAnswer::Cancelled);
        assert_eq!(dialogs.asked().len(), 3);
        assert_eq!(ScriptedDialogs::unavailable().ask(&open), DialogAnswer::Unavailable);
    }
}
