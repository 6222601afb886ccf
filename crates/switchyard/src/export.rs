//! `switchyard export curl FLOW BLOCK`: a Send Request block as a curl command.
//!
//! Plain variables come from the process environment (`SWITCHYARD_VAR_<NAME>`) and the
//! globals file; secrets (`SWITCHYARD_SECRET_<NAME>`, or secret globals) become shell
//! references: their values are never read. The command goes to `out`, notes to `err`.

use std::io::Write;
use std::path::Path;

use anyhow::anyhow;
use switchyard_flow::BlockKind;
use switchyard_import::{Resolved, escape};
use switchyard_vault::{Kind, Scope};

use crate::cli::{ExportArgs, ExportCommand};
use crate::exit::{Exit, Fatal};
use crate::vars;

/// Runs an `export` subcommand.
pub fn export(args: &ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Fatal> {
    match &args.command {
        ExportCommand::Curl { flow, block } => curl(flow, block, out, err),
    }
}

fn curl(path: &Path, block_id: &str, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Fatal> {
    let flow = switchyard_flow::load(path).map_err(Fatal::invalid_input)?;
    let Some(block) = flow.block(block_id) else {
        let requests: Vec<&str> =
            flow.blocks.iter().filter(|b| matches!(b.kind, BlockKind::SendRequest(_))).map(|b| b.id.as_str()).collect();
        return Err(Fatal::invalid_input(anyhow!(
            "{}: no block `{}`; its Send Request blocks: {}",
            escape(&path.display().to_string()),
            escape(block_id),
            if requests.is_empty() { "none".to_owned() } else { requests.join(", ") }
        )));
    };
    let BlockKind::SendRequest(request) = &block.kind else {
        return Err(Fatal::invalid_input(anyhow!(
            "{}: block `{block_id}` is a {} block, not a Send Request",
            escape(&path.display().to_string()),
            block.kind.type_name()
        )));
    };
    let store = vars::open_store()?;
    let lookup = |name: &str| {
        if std::env::var_os(format!("SWITCHYARD_SECRET_{name}")).is_some() {
            return Resolved::Secret;
        }
        if let Ok(value) = std::env::var(format!("SWITCHYARD_VAR_{name}")) {
            return Resolved::Plain(value);
        }
        match store.definition_in(Scope::Globals, name).ok().flatten() {
            Some(definition) if definition.kind == Kind::Secret => Resolved::Secret,
            Some(definition) => Resolved::Plain(definition.value.clone().unwrap_or_default()),
            None => Resolved::Unknown,
        }
    };
    let base_dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    let export = switchyard_import::export_curl(request, &lookup, base_dir);
    writeln!(out, "{}", export.command)
        .map_err(|error| Fatal::environment(anyhow!(error).context("cannot write the command")))?;
    for warning in &export.warnings {
        writeln!(err, "note: {warning}")
            .map_err(|error| Fatal::environment(anyhow!(error).context("cannot write the notes")))?;
    }
    Ok(Exit::Success)
}
