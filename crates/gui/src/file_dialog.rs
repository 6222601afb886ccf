//! The app's own file dialog, for systems that have none (no XDG desktop portal and no
//! zenity, as on minimal desktops and in WSL): a folder field, the folder's subfolders
//! and flow files, and a file-name field, drawn in egui so saving always works.
//!
//! [`InAppDialog::ui`] draws it as a modal each frame and returns the user's answer once
//! given. Folders are listed on a blocking thread of the tokio runtime (frame code never
//! waits on the disk); the listing comes back over a channel and wakes the UI.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{Key, RichText, Ui};
use tokio::runtime::Handle;

use crate::files::DialogRequest;

/// What the user answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InAppAnswer {
    /// This path (for Save, the extension is added by the caller).
    Chosen(PathBuf),
    /// Cancelled (the Cancel button, Esc or a click outside).
    Cancelled,
}

/// One line of a folder's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    is_folder: bool,
}

/// The in-app Open or Save As dialog.
#[derive(Debug)]
pub struct InAppDialog {
    is_save: bool,
    /// The folder field, as typed.
    folder: String,
    /// The file name field.
    name: String,
    /// The listing of `listed`, once read (Err: why it could not be).
    entries: Result<Vec<Entry>, String>,
    listed: PathBuf,
    listing: Option<Receiver<Result<Vec<Entry>, String>>>,
    handle: Handle,
    focus_name: bool,
}

impl InAppDialog {
    /// The dialog for `request`, starting in its folder (else the current directory).
    pub fn new(request: &DialogRequest, handle: Handle, ctx: &egui::Context) -> Self {
        let (is_save, folder, name) = match request {
            DialogRequest::Open { folder } => (false, folder.clone(), String::new()),
            DialogRequest::Save { folder, file_name } => (true, folder.clone(), file_name.clone()),
        };
        let folder = folder.or_else(|| std::env::current_dir().ok()).unwrap_or_else(|| PathBuf::from("."));
        let mut dialog = Self {
            is_save,
            folder: folder.display().to_string(),
            name,
            entries: Ok(Vec::new()),
            listed: PathBuf::new(),
            listing: None,
            handle,
            focus_name: true,
        };
        dialog.list(ctx);
        dialog
    }

    /// Lists the folder field's folder on a blocking thread.
    fn list(&mut self, ctx: &egui::Context) {
        let folder = PathBuf::from(self.folder.trim());
        self.listed.clone_from(&folder);
        let (tx, rx) = std::sync::mpsc::channel();
        let wake = ctx.clone();
        self.handle.spawn_blocking(move || {
            // The dialog may have closed meanwhile; nobody to tell then.
            let _ = tx.send(read_folder(&folder));
            wake.request_repaint();
        });
        self.listing = Some(rx);
    }

    fn poll(&mut self) {
        let Some(rx) = &self.listing else { return };
        match rx.try_recv() {
            Ok(entries) => {
                self.entries = entries;
                self.listing = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.listing = None,
        }
    }

    fn chosen_path(&self) -> Option<PathBuf> {
        let name = self.name.trim();
        if name.is_empty() {
            return None;
        }
        Some(Path::new(self.folder.trim()).join(name))
    }

    /// Draws the dialog; returns the answer once the user gave one.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<InAppAnswer> {
        self.poll();
        let mut answer = None;
        let mut relist = false;
        let modal = egui::Modal::new(egui::Id::new("in-app-file-dialog")).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading(if self.is_save { "Save the flow as" } else { "Open a flow" });
            ui.label(
                RichText::new(
                    "This system has no file dialog (no XDG desktop portal, no zenity), so Switchyard shows its own.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("Folder");
                let up = ui.button("⬆").on_hover_text("The folder above");
                let field = ui.add(egui::TextEdit::singleline(&mut self.folder).desired_width(f32::INFINITY));
                let field = field.labelled_by(label.id);
                if field.changed() {
                    relist = true;
                }
                if up.clicked()
                    && let Some(parent) = Path::new(self.folder.trim()).parent()
                {
                    self.folder = parent.display().to_string();
                    relist = true;
                }
            });
            self.listing_ui(ui, &mut relist, &mut answer);
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("File name");
                let field = ui.add(
                    egui::TextEdit::singleline(&mut self.name)
                        .id(egui::Id::new("in-app-file-dialog-name"))
                        .desired_width(f32::INFINITY),
                );
                let field = field.labelled_by(label.id);
                if std::mem::take(&mut self.focus_name) {
                    field.request_focus();
                }
                if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    answer = self.chosen_path().map(InAppAnswer::Chosen);
                }
            });
            let exists = self
                .entries
                .as_ref()
                .is_ok_and(|entries| entries.iter().any(|entry| !entry.is_folder && entry.name == self.name.trim()));
            if self.is_save && exists {
                ui.label(RichText::new("Saving replaces this file.").color(ui.visuals().warn_fg_color));
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let action = if self.is_save { "Save" } else { "Open" };
                let path = self.chosen_path();
                if ui.add_enabled(path.is_some(), egui::Button::new(action)).clicked() {
                    answer = path.map(InAppAnswer::Chosen);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(InAppAnswer::Cancelled);
                }
            });
        });
        if relist {
            self.list(ctx);
        }
        if answer.is_none() && modal.should_close() {
            answer = Some(InAppAnswer::Cancelled);
        }
        answer
    }

    fn listing_ui(&mut self, ui: &mut Ui, relist: &mut bool, answer: &mut Option<InAppAnswer>) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::ScrollArea::vertical().max_height(220.0).auto_shrink([false, true]).show(ui, |ui| {
                ui.set_min_height(120.0);
                match &self.entries {
                    Err(error) => {
                        ui.colored_label(ui.visuals().error_fg_color, error);
                    }
                    Ok(entries) if entries.is_empty() && self.listing.is_none() => {
                        ui.label(RichText::new("No flows or folders here.").weak());
                    }
                    Ok(entries) => {
                        let mut enter = None;
                        for entry in entries {
                            let text =
                                if entry.is_folder { format!("📁 {}/", entry.name) } else { entry.name.clone() };
                            let selected = !entry.is_folder && entry.name == self.name.trim();
                            let response = ui.selectable_label(selected, text);
                            if entry.is_folder && response.clicked() {
                                enter = Some(entry.name.clone());
                            } else if response.double_clicked() {
                                *answer = Some(InAppAnswer::Chosen(self.listed.join(&entry.name)));
                            } else if response.clicked() {
                                self.name.clone_from(&entry.name);
                            }
                        }
                        if let Some(name) = enter {
                            self.folder = self.listed.join(name).display().to_string();
                            *relist = true;
                        }
                    }
                }
            });
        });
    }
}

/// The subfolders and `.json` files of `folder`, folders first, each group by name;
/// hidden entries left out.
fn read_folder(folder: &Path) -> Result<Vec<Entry>, String> {
    let read = std::fs::read_dir(folder).map_err(|error| format!("cannot list {}: {error}", folder.display()))?;
    let mut entries: Vec<Entry> = read
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_folder = entry.file_type().ok()?.is_dir() || entry.path().is_dir();
            let shown = !name.starts_with('.') && (is_folder || name.to_ascii_lowercase().ends_with(".json"));
            shown.then_some(Entry { name, is_folder })
        })
        .collect();
    entries.sort_by(|a, b| b.is_folder.cmp(&a.is_folder).then_with(|| a.name.cmp(&b.name)));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_lists_subfolders_first_then_flow_files_without_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        for name in ["b.flow.json", "a.json", "notes.txt", ".hidden.json"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        let names: Vec<_> = read_folder(dir.path()).unwrap().into_iter().map(|e| (e.name, e.is_folder)).collect();
        assert_eq!(names, [("sub".to_owned(), true), ("a.json".to_owned(), false), ("b.flow.json".to_owned(), false)]);
        assert!(read_folder(&dir.path().join("missing")).unwrap_err().starts_with("cannot list"));
    }
}
