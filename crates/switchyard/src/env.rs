//! `switchyard env list | new | rm | mv`: environments, the named sets of variables a
//! run picks with `--env NAME` (docs/cli.md).
//!
//! The store does the work (`switchyard_vault::Store`, under its lock): plain values in
//! `globals.json`, secrets in the OS keychain as `ENV/NAME`. `rm` and `mv` take the
//! keychain entries with them; neither asks before it acts. Messages go to stderr, the
//! list to stdout, all through [`crate::output`].

use switchyard_flow::Escaped;
use switchyard_vault::{Kind, Scope, Store};

use crate::cli::{EnvArgs, EnvCommand};
use crate::exit::{Exit, Fatal};
use crate::output;
use crate::vars::{self, vault_fatal};

/// Runs an `env` subcommand.
pub fn env(args: &EnvArgs) -> Result<Exit, Fatal> {
    let mut store = vars::open_store()?;
    match &args.command {
        EnvCommand::List => list(&store),
        EnvCommand::New { name } => {
            store.create_environment(name).map_err(vault_fatal)?;
            output::stderr_line(format_args!(
                "made environment `{name}`: add variables with `switchyard vars set NAME --env {name}`, \
                 use it with `switchyard run FLOW --env {name}`"
            ))?;
            Ok(Exit::Success)
        }
        EnvCommand::Rm { name } => {
            let removed = store.remove_environment(name).map_err(vault_fatal)?;
            let secrets = removed.iter().filter(|d| d.kind == Kind::Secret).count();
            output::stderr_line(format_args!(
                "removed environment `{name}`: {}, {}",
                count(removed.len(), "variable"),
                count(secrets, "keychain entry")
            ))?;
            Ok(Exit::Success)
        }
        EnvCommand::Mv { old, new } => {
            let moved = store.rename_environment(old, new).map_err(vault_fatal)?;
            output::stderr_line(format_args!(
                "renamed environment `{old}` to `{new}` ({} moved)",
                count(moved, "keychain entry")
            ))?;
            Ok(Exit::Success)
        }
    }
}

fn list(store: &Store) -> Result<Exit, Fatal> {
    let mut rows = Vec::new();
    for name in store.environments() {
        let definitions: Vec<_> = store.definitions_in(Scope::Environment(name)).map_err(vault_fatal)?.collect();
        let secrets = definitions.iter().filter(|d| d.kind == Kind::Secret).count();
        rows.push([Escaped(name).to_string(), definitions.len().to_string(), secrets.to_string()]);
    }
    if rows.is_empty() {
        output::stderr_line(format_args!("no environments yet: make one with `switchyard env new NAME`"))?;
        return Ok(Exit::Success);
    }
    output::stdout_text(&vars::table(["NAME", "VARIABLES", "SECRETS"], &rows))?;
    Ok(Exit::Success)
}

/// `1 variable`, `2 variables`, `0 keychain entries`.
fn count(n: usize, thing: &str) -> String {
    match (n, thing.strip_suffix('y')) {
        (1, _) => format!("1 {thing}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        (_, None) => format!("{n} {thing}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count(1, "variable"), "1 variable");
        assert_eq!(count(0, "variable"), "0 variables");
        assert_eq!(count(1, "keychain entry"), "1 keychain entry");
        assert_eq!(count(3, "keychain entry"), "3 keychain entries");
    }
}
