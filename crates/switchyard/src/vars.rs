//! `switchyard vars list | set | get | rm | mv [--env NAME]`: the global variables, or
//! with `--env` one environment's variables (which must exist: `switchyard env new`).
//!
//! Values are never taken from the command line: `set` reads stdin, or asks with a
//! hidden prompt on a terminal. Secret values are shown only with `get --reveal`.
//!
//! Everything read from `globals.json` is shown with control characters escaped
//! (`list` always; `get` when stdout is a terminal, raw into a pipe or a file, where the
//! value is data). All output goes through [`crate::output`].

use std::io::{self, IsTerminal as _, Read as _};

use anyhow::anyhow;
use secrecy::{ExposeSecret as _, SecretString};
use switchyard_engine::MASK;
use switchyard_flow::{Escaped, escape_controls};
use switchyard_vault::{Date, Definition, Kind, Scope, Store, VaultError};

use crate::cli::{VarsArgs, VarsCommand};
use crate::exit::{Exit, Fatal};
use crate::output;

/// Runs a `vars` subcommand.
pub fn vars(args: &VarsArgs) -> Result<Exit, Fatal> {
    let mut store = open_store()?;
    let scope = Scope::from_option(args.env.as_deref());
    // An environment that does not exist is refused before anything is asked for.
    store.check_scope(scope).map_err(vault_fatal)?;
    let env_flag = args.env.as_deref().map(|name| format!(" --env {name}")).unwrap_or_default();
    let in_scope = match scope {
        Scope::Globals => String::new(),
        Scope::Environment(_) => format!(" in {scope}"),
    };
    match &args.command {
        VarsCommand::List => list(&store, scope),
        VarsCommand::Set { name, secret, allow_hosts, expires } => {
            let kind = if *secret { Kind::Secret } else { Kind::Default };
            if kind == Kind::Default && (!allow_hosts.is_empty() || expires.is_some()) {
                return Err(Fatal::invalid_input(anyhow!(
                    "--allow-host and --expires apply to secrets: add --secret to store `{}` as a secret",
                    Escaped(name)
                )));
            }
            let expires = match expires {
                Some(text) => Some(text.parse::<Date>().map_err(Fatal::invalid_input)?),
                None => None,
            };
            let value = read_value(name, kind, &env_flag)?;
            let definition =
                Definition { name: name.clone(), kind, value: None, allowed_hosts: allow_hosts.clone(), expires };
            store.set_in(scope, definition, value.expose_secret()).map_err(vault_fatal)?;
            let place = match kind {
                Kind::Secret => "in the OS keychain".to_owned(),
                Kind::Default => format!("in {}", store.path().display()),
            };
            output::stderr_line(format_args!("set {} `{name}`{in_scope} ({})", kind.as_str(), Escaped(&place)))?;
            Ok(Exit::Success)
        }
        VarsCommand::Get { name, reveal } => {
            let definition = store.definition_in(scope, name).map_err(vault_fatal)?.cloned();
            let text = match definition {
                Some(d) if d.kind == Kind::Secret && !reveal => MASK.to_owned(),
                _ => store.value_in(scope, name).map_err(vault_fatal)?.expose().to_owned(),
            };
            if io::stdout().is_terminal() {
                output::stdout_line(format_args!("{}", Escaped(&text)))?;
            } else {
                output::stdout_line(format_args!("{text}"))?;
            }
            Ok(Exit::Success)
        }
        VarsCommand::Rm { name } => {
            let removed = store.remove_in(scope, name).map_err(vault_fatal)?;
            let extra = if removed.kind == Kind::Secret { " and its keychain entry" } else { "" };
            output::stderr_line(format_args!("removed `{name}`{in_scope}{extra}"))?;
            Ok(Exit::Success)
        }
        VarsCommand::Mv { old, new } => {
            store.rename_in(scope, old, new).map_err(vault_fatal)?;
            output::stderr_line(format_args!("renamed `{old}` to `{new}`{in_scope}"))?;
            Ok(Exit::Success)
        }
    }
}

/// The store in the config directory, with the system keychain (contacted on first use):
/// the one `switchyard_runner` opens for a run.
pub fn open_store() -> Result<Store, Fatal> {
    Ok(switchyard_runner::variables::open_store()?)
}

/// Exit 3 for the keychain or the file system, 2 for what the user asked.
pub fn vault_fatal(error: VaultError) -> Fatal {
    Fatal::from(switchyard_runner::Error::from(error))
}

fn list(store: &Store, scope: Scope<'_>) -> Result<Exit, Fatal> {
    let rows = rows(store, scope, Date::today())?;
    if rows.is_empty() {
        match scope {
            Scope::Globals => output::stderr_line(format_args!(
                "no global variables yet: add one with `switchyard vars set NAME` (value on stdin)"
            ))?,
            Scope::Environment(name) => output::stderr_line(format_args!(
                "no variables in {scope} yet: add one with `switchyard vars set NAME --env {}` (value on stdin)",
                Escaped(name)
            ))?,
        }
        return Ok(Exit::Success);
    }
    output::stdout_text(&table(["NAME", "TYPE", "VALUE", "ALLOWED HOSTS", "EXPIRES"], &rows))?;
    Ok(Exit::Success)
}

/// One row per variable: name, type, value (secrets masked), hosts, expiry; each cell
/// with control characters escaped.
fn rows(store: &Store, scope: Scope<'_>, today: Date) -> Result<Vec<[String; 5]>, Fatal> {
    Ok(store
        .definitions_in(scope)
        .map_err(vault_fatal)?
        .map(|d| {
            let value = match d.kind {
                Kind::Secret => MASK.to_owned(),
                Kind::Default => d.value.clone().unwrap_or_default(),
            };
            let hosts = if d.allowed_hosts.is_empty() { "-".to_owned() } else { d.allowed_hosts.join(", ") };
            let expires = d.expires.map_or_else(|| "-".to_owned(), |date| expiry(date, today));
            [d.name.clone(), d.kind.as_str().to_owned(), value, hosts, expires]
                .map(|cell| escape_controls(&cell).into_owned())
        })
        .collect())
}

/// The rows under a header, in columns two spaces apart. Padding is counted in
/// characters and added by hand: a format width (`{:width$}`) is limited to 65,535.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let header = header.map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.chars().count()) + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `2027-01-31 (in 70 days)`, `2026-01-01 (expired)`.
pub fn expiry(date: Date, today: Date) -> String {
    let days = date.days_since_epoch() - today.days_since_epoch();
    match days {
        ..0 => format!("{date} (expired)"),
        0 => format!("{date} (expires today)"),
        1 => format!("{date} (expires tomorrow)"),
        _ => format!("{date} (expires in {days} days)"),
    }
}

/// The value for `vars set`: a hidden prompt on a terminal, else all of stdin less one
/// trailing line break.
fn read_value(name: &str, kind: Kind, env_flag: &str) -> Result<SecretString, Fatal> {
    let value = if io::stdin().is_terminal() {
        let prompt = format!("value for `{name}` (input hidden): ");
        rpassword::prompt_password(prompt).map_err(|e| Fatal::environment(anyhow!("cannot read the value: {e}")))?
    } else {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Fatal::invalid_input(anyhow!("cannot read the value from stdin (is it UTF-8 text?): {e}")))?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        trimmed.to_owned()
    };
    if kind == Kind::Secret && value.is_empty() {
        return Err(Fatal::invalid_input(anyhow!(
            "empty value: give the secret on stdin, e.g. `printenv TOKEN | switchyard vars set {name} --secret{env_flag}`"
        )));
    }
    Ok(SecretString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_wider_than_a_format_width_are_padded() {
        let long = "v".repeat(70_000);
        let rows = [
            [long.clone(), "default".into(), long.clone(), "-".into(), "-".into()],
            ["b".into(), "default".into(), "x".into(), "-".into(), "-".into()],
        ];
        let table = table(["NAME", "TYPE", "VALUE", "ALLOWED HOSTS", "EXPIRES"], &rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2].find("default"), Some(70_002), "columns line up");
        assert_eq!(lines[2].find('x'), Some(70_002 + "default".len() + 2));
    }

    #[test]
    fn expiry_reads_relative_to_today() {
        let today: Date = "2026-11-22".parse().unwrap();
        let on = |s: &str| expiry(s.parse().unwrap(), today);
        assert_eq!(on("2026-11-21"), "2026-11-21 (expired)");
        assert_eq!(on("2026-11-22"), "2026-11-22 (expires today)");
        assert_eq!(on("2026-11-23"), "2026-11-23 (expires tomorrow)");
        assert_eq!(on("2026-11-27"), "2026-11-27 (expires in 5 days)");
    }
}
