//! The Switchyard flow document: plain data, no I/O beyond reading and writing files.
//!
//! A [`Flow`] is a set of blocks (one [`BlockType`] definition per type, each in its own
//! file under `blocks`, listed once in the registry there) and the wires between
//! their [`Port`]s. [`Flow::from_json`] reads and validates format v1, [`Flow::to_json`] writes the
//! canonical layout, [`load`] and [`save`] do the same with files (saves are atomic).
//! The [`template`] module is the `{{name}}` / `<<name>>` language used in request fields.
//! [`Escaped`] / [`escape_controls`] show text from files and servers with control
//! characters escaped; every front end prints such text through them.
//!
//! [`Flow::validate`] checks a model against the rules of the format (the reader uses it
//! too). The [`expr`] module is the jq expression language (sandboxed, bounded).
//!
//! Modules: `model` (flow and block), `port` (ports and wires), `blocks` (one file per
//! block type), `node` (the file's JSON as the reader walks it), `read` (the field
//! reader the parser and every block type use), `parse` (strict
//! reading), `validate` (the model's rules), `write` (canonical layout), `error`
//! (problems with their place), `template`, `expr`, `escape` (control characters made
//! visible in text that reaches a terminal).

mod blocks;
mod error;
mod escape;
pub mod expr;
mod model;
mod node;
mod parse;
mod port;
mod read;
mod rename;
pub mod template;
mod validate;
mod write;

use std::io::Write;
use std::path::Path;

pub use blocks::*;
pub use error::{FlowError, Place, Problem};
pub use escape::{Escaped, escape_controls, needs_escape};
pub use model::{Block, DEFAULT_MAX_REQUEST_BYTES, Defaults, FORMAT_VERSION, Flow};
pub use port::{Port, PortDirection, PortRef, UnknownPort, Wire};
pub use read::is_valid_block_id;
pub use rename::rename_variable;

impl Flow {
    /// Reads and validates a flow document. `file` names it in error messages.
    pub fn from_json(text: &str, file: &str) -> Result<Flow, FlowError> {
        parse::parse_flow(text).map_err(|problems| FlowError::Invalid { file: file.to_owned(), problems })
    }

    /// Reads a fragment of a flow: blocks and the wires between them, as copied to the
    /// clipboard (the flow format; zero or one `start` block).
    pub fn fragment_from_json(text: &str) -> Result<Flow, FlowError> {
        parse::parse_fragment(text)
            .map_err(|problems| FlowError::Invalid { file: "the clipboard".to_owned(), problems })
    }

    /// The flow in its canonical layout (see the `write` module), ending in a newline.
    pub fn to_json(&self) -> String {
        write::to_canonical_json(self)
    }
}

/// Reads and validates the flow file at `path`.
pub fn load(path: &Path) -> Result<Flow, FlowError> {
    let bytes = std::fs::read(path).map_err(|cause| FlowError::Io {
        path: path.to_owned(),
        action: "cannot read the flow file",
        cause,
    })?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|error| FlowError::Invalid {
        file: file.clone(),
        problems: vec![Problem {
            place: Place::Path(String::new()),
            message: format!("not UTF-8 text (invalid byte at offset {})", error.utf8_error().valid_up_to()),
            suggestion: None,
        }],
    })?;
    Flow::from_json(&text, &file)
}

/// Writes `flow` to `path` atomically: a temporary file beside it, then a rename, so
/// the file on disk is always either the old flow or the new one, never half of one.
pub fn save(path: &Path, flow: &Flow) -> Result<(), FlowError> {
    write_atomically(path, flow.to_json().as_bytes()).map_err(|cause| FlowError::Io {
        path: path.to_owned(),
        action: "cannot save the flow",
        cause,
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new().prefix(".switchyard-save").tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests;
