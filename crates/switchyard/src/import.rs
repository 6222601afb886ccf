//! `switchyard import postman | postman-env | curl`: other tools' requests into flows.
//!
//! The translations are `switchyard_import`'s; this module reads the input, writes the
//! flow (atomically) and, when asked, the globals, and prints the import report. All
//! output goes to the writers it is handed. Invalid input exits 2 with nothing written;
//! a secret value is never written to a flow file or `globals.json`, nor printed.
//!
//! `import postman --globals` never points a name at another value: a name taken by a
//! global that holds a different value gets the next free one (`token-2`) in the flow
//! and the store, and the report says so; a global holding the same value is used as it
//! is. An existing global is never replaced (`switchyard vars set` does that).

use std::io::{self, Read as _, Write};
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use switchyard_import::{Imported, ImportedVariable, Report, VariableValue, escape};
use switchyard_vault::{Definition, Kind, Scope, Store};

use crate::cli::{ImportArgs, ImportCommand};
use crate::exit::{Exit, Fatal};
use crate::vars;

/// Runs an `import` subcommand; the flow (for `curl` without `-o`) goes to `out`, the
/// report to `err`.
pub fn import(args: &ImportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Fatal> {
    match &args.command {
        ImportCommand::Postman { file, output, globals } => postman(file, output.as_deref(), *globals, err),
        ImportCommand::PostmanEnv { file, env } => postman_env(file, Scope::from_option(env.as_deref()), err),
        ImportCommand::Curl { output, command } => curl(command.as_deref(), output.as_deref(), out, err),
    }
}

fn write_failed(error: io::Error) -> Fatal {
    Fatal::environment(anyhow!(error).context("cannot write the import report"))
}

fn read_input(file: &Path) -> Result<String, Fatal> {
    let bytes =
        std::fs::read(file).map_err(|error| Fatal::invalid_input(anyhow!("cannot read {}: {error}", shown(file))))?;
    String::from_utf8(bytes).map_err(|error| {
        Fatal::invalid_input(anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            shown(file),
            error.utf8_error().valid_up_to()
        ))
    })
}

fn shown(path: &Path) -> String {
    escape(&path.display().to_string())
}

fn postman(file: &Path, dir: Option<&Path>, globals: bool, err: &mut dyn Write) -> Result<Exit, Fatal> {
    let text = read_input(file)?;
    let imported = switchyard_import::postman_collection(&text, &file.display().to_string())
        .map_err(|error| Fatal::invalid_input(anyhow!(error)))?;
    let mut imported = imported;
    let dir = dir.unwrap_or(Path::new("."));
    let path = dir.join(format!("{}.flow.json", switchyard_import::slug(&imported.flow.name)));
    refuse_existing(&path)?;
    let Some(mut store) = (if globals { Some(store_for(&imported.variables, Scope::Globals)?) } else { None }) else {
        save_flow(&path, &imported, dir)?;
        collection_imported(&imported, &path, err)?;
        return variables(&imported.variables, None, err).map(|()| Exit::Success);
    };
    let plan = free_names(&mut imported, &store)?;
    save_flow(&path, &imported, dir)?;
    collection_imported(&imported, &path, err)?;
    into_globals(&imported.variables, &plan, &mut store, err)?;
    Ok(Exit::Success)
}

fn collection_imported(imported: &Imported, path: &Path, err: &mut dyn Write) -> Result<(), Fatal> {
    let requests = imported.report.requests.len();
    writeln!(err, "imported collection `{}`: {requests} requests into {}", escape(&imported.flow.name), shown(path))
        .map_err(write_failed)?;
    report(&imported.report, err)
}

/// What becomes of one imported variable with `--globals`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    /// Written to the store under its name.
    Set,
    /// A global of that name holds this value already (or the import has no value for
    /// it): used as it is, nothing written.
    Existing,
    /// Its name was taken by a global holding another value: renamed from `wanted`.
    Renamed { wanted: String, write: bool },
    /// Its name cannot name a global.
    Invalid,
}

/// The most `-N` suffixes tried for a free name.
const MAX_SUFFIX: u32 = 1000;

/// Decides where each variable goes in the globals and renames, in the flow too, those
/// whose name a global with another value holds: the next free name (`token-2`), or
/// one holding the same value. Reads the keychain only to compare two secrets.
fn free_names(imported: &mut Imported, store: &Store) -> Result<Vec<Placement>, Fatal> {
    let mut claimed: std::collections::HashSet<String> = imported.variables.iter().map(|v| v.name.clone()).collect();
    let mut plan = Vec::new();
    for index in 0..imported.variables.len() {
        let Some(variable) = imported.variables.get(index) else { break };
        let wanted = variable.name.clone();
        if !switchyard_vault::is_valid_name(&wanted) {
            plan.push(Placement::Invalid);
            continue;
        }
        let placement = match holds(store, &wanted, &variable.value)? {
            Holds::Free => Placement::Set,
            Holds::Same | Holds::NoValue => Placement::Existing,
            Holds::Other => {
                let mut found = None;
                for n in 2..=MAX_SUFFIX {
                    let candidate = format!("{wanted}-{n}");
                    if claimed.contains(&candidate) {
                        continue;
                    }
                    match holds(store, &candidate, &variable.value)? {
                        Holds::Free => found = Some((candidate, true)),
                        Holds::Same => found = Some((candidate, false)),
                        Holds::Other | Holds::NoValue => continue,
                    }
                    break;
                }
                let Some((name, write)) = found else {
                    return Err(Fatal::invalid_input(anyhow!(
                        "no free name for `{}`: `{}-2` to `{}-{MAX_SUFFIX}` are all taken",
                        escape(&wanted),
                        escape(&wanted),
                        escape(&wanted)
                    )));
                };
                claimed.insert(name.clone());
                imported.rename_variable(&wanted, &name);
                Placement::Renamed { wanted, write }
            }
        };
        plan.push(placement);
    }
    Ok(plan)
}

/// What a global of some name holds, next to an imported value.
enum Holds {
    /// No global of that name.
    Free,
    /// The same kind and value.
    Same,
    /// Another value (or kind).
    Other,
    /// There is one, and the import has no value to compare.
    NoValue,
}

fn holds(store: &Store, name: &str, value: &VariableValue) -> Result<Holds, Fatal> {
    let Some(existing) = store.definition_in(Scope::Globals, name).map_err(vars::vault_fatal)? else {
        return Ok(Holds::Free);
    };
    if value.expose().is_empty() {
        return Ok(Holds::NoValue);
    }
    let same = match (existing.kind, value) {
        (Kind::Default, VariableValue::Plain(text)) => existing.value.as_deref() == Some(text.as_str()),
        (Kind::Secret, VariableValue::Secret(secret)) => match store.value_in(Scope::Globals, name) {
            Ok(switchyard_vault::Value::Secret(stored)) => {
                use secrecy::ExposeSecret as _;
                stored.expose_secret() == secret.expose()
            }
            Ok(switchyard_vault::Value::Plain(_)) | Err(switchyard_vault::VaultError::SecretMissing { .. }) => false,
            Err(error) => return Err(vars::vault_fatal(error)),
        },
        _ => false,
    };
    Ok(if same { Holds::Same } else { Holds::Other })
}

/// Writes the collection's variables into the globals as `plan` says, and reports each.
fn into_globals(
    found: &[ImportedVariable],
    plan: &[Placement],
    store: &mut Store,
    err: &mut dyn Write,
) -> Result<(), Fatal> {
    for (variable, placement) in found.iter().zip(plan) {
        let name = escape(&variable.name);
        let origin = &variable.origin;
        let kind = if variable.value.is_secret() { Kind::Secret } else { Kind::Default };
        let write = match placement {
            Placement::Invalid => {
                writeln!(err, "warning: `{name}` cannot name a global variable: not stored").map_err(write_failed)?;
                false
            }
            Placement::Existing if variable.value.expose().is_empty() => {
                writeln!(
                    err,
                    "{} `{name}` ({origin}) has no value here: the flow uses the global `{name}`",
                    kind.as_str()
                )
                .map_err(write_failed)?;
                false
            }
            Placement::Existing => {
                writeln!(err, "kept `{name}` ({origin}): the global `{name}` holds this value already")
                    .map_err(write_failed)?;
                false
            }
            Placement::Renamed { wanted, write } => {
                let wanted = escape(wanted);
                let holds = if *write { "a new global" } else { "the global holding this value" };
                writeln!(
                    err,
                    "renamed `{wanted}` to `{name}` ({origin}): the global `{wanted}` holds another value and is \
                     left as it is; the flow uses `{{{{{name}}}}}`, {holds}"
                )
                .map_err(write_failed)?;
                *write
            }
            Placement::Set => true,
        };
        if !write {
            continue;
        }
        if variable.value.is_secret() && variable.value.expose().is_empty() {
            writeln!(err, "secret `{name}` ({origin}) has no value: set it with `switchyard vars set {name} --secret`")
                .map_err(write_failed)?;
            continue;
        }
        let definition =
            Definition { name: variable.name.clone(), kind, value: None, allowed_hosts: Vec::new(), expires: None };
        store.set_in(Scope::Globals, definition, variable.value.expose()).map_err(vars::vault_fatal)?;
        let place = match kind {
            Kind::Secret => "in the OS keychain".to_owned(),
            Kind::Default => format!("in {}", shown(store.path())),
        };
        writeln!(err, "set {} `{name}` ({origin}) {place}", kind.as_str()).map_err(write_failed)?;
    }
    Ok(())
}

/// The store, with `scope` (an environment must exist) and its keychain (when there
/// are secrets to store) checked first, so that nothing is written when either is not
/// there.
fn store_for(found: &[ImportedVariable], scope: Scope<'_>) -> Result<Store, Fatal> {
    let store = vars::open_store()?;
    store.check_scope(scope).map_err(vars::vault_fatal)?;
    if found.iter().any(|v| v.value.is_secret() && !v.value.expose().is_empty()) {
        store.keychain().check().map_err(vars::vault_fatal)?;
    }
    Ok(store)
}

/// An import never replaces a file: the flow there may have been edited since.
fn refuse_existing(path: &Path) -> Result<(), Fatal> {
    if path.exists() {
        return Err(Fatal::invalid_input(anyhow!(
            "{} exists already: move it away, or import into another folder or file (-o)",
            shown(path)
        )));
    }
    Ok(())
}

fn save_flow(path: &Path, imported: &Imported, dir: &Path) -> Result<(), Fatal> {
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(dir)
            .map_err(|error| Fatal::environment(anyhow!("cannot create folder {}: {error}", shown(dir))))?;
    }
    switchyard_flow::save(path, &imported.flow).map_err(Fatal::environment)
}

fn report(report: &Report, err: &mut dyn Write) -> Result<(), Fatal> {
    for line in &report.requests {
        writeln!(err, "  {line}").map_err(write_failed)?;
    }
    for line in &report.warnings {
        writeln!(err, "warning: {line}").map_err(write_failed)?;
    }
    for line in &report.scripts {
        writeln!(err, "script: {line}").map_err(write_failed)?;
    }
    Ok(())
}

/// Lists the variables found and, with a store, writes them into its scope (the globals
/// or an environment): plain values to the globals file, secrets to the keychain. A name
/// already in that scope is kept as it is.
fn variables(
    found: &[ImportedVariable],
    store: Option<(&mut Store, Scope<'_>)>,
    err: &mut dyn Write,
) -> Result<(), Fatal> {
    let (store, scope) = match store {
        Some((store, scope)) => (Some(store), scope),
        None => (None, Scope::Globals),
    };
    let env_flag = scope.environment().map(|name| format!(" --env {name}")).unwrap_or_default();
    let (kind_of_variable, in_scope) = match scope {
        Scope::Globals => ("a global variable", String::new()),
        Scope::Environment(_) => ("a variable", format!(" in {scope}")),
    };
    let mut to_set = Vec::new();
    for variable in found {
        let name = escape(&variable.name);
        let origin = &variable.origin;
        let Some(store) = store.as_deref() else {
            let line = match &variable.value {
                VariableValue::Plain(value) => format!("variable `{name}` = `{}` ({origin})", escape(value)),
                VariableValue::Secret(_) => format!(
                    "secret `{name}` ({origin}): not stored; store it with `switchyard vars set {name} --secret`"
                ),
            };
            writeln!(err, "{line}").map_err(write_failed)?;
            continue;
        };
        let existing = store.definition_in(scope, &variable.name).map_err(vars::vault_fatal)?;
        if !switchyard_vault::is_valid_name(&variable.name) {
            writeln!(err, "warning: `{name}` cannot name {kind_of_variable}: not stored").map_err(write_failed)?;
        } else if existing.is_some() {
            writeln!(err, "kept `{name}`: {kind_of_variable} of that name exists already{in_scope}")
                .map_err(write_failed)?;
        } else if variable.value.is_secret() && variable.value.expose().is_empty() {
            writeln!(
                err,
                "secret `{name}` ({origin}) has no value: set it with `switchyard vars set {name} --secret{env_flag}`"
            )
            .map_err(write_failed)?;
        } else {
            to_set.push(variable);
        }
    }
    let Some(store) = store else { return Ok(()) };
    for variable in to_set {
        let kind = if variable.value.is_secret() { Kind::Secret } else { Kind::Default };
        let definition =
            Definition { name: variable.name.clone(), kind, value: None, allowed_hosts: Vec::new(), expires: None };
        store.set_in(scope, definition, variable.value.expose()).map_err(vars::vault_fatal)?;
        let place = match kind {
            Kind::Secret => "in the OS keychain".to_owned(),
            Kind::Default => format!("in {}", shown(store.path())),
        };
        writeln!(err, "set {} `{}` ({}) {place}", kind.as_str(), escape(&variable.name), variable.origin)
            .map_err(write_failed)?;
    }
    Ok(())
}

fn postman_env(file: &Path, scope: Scope<'_>, err: &mut dyn Write) -> Result<Exit, Fatal> {
    let text = read_input(file)?;
    let (name, found, env_report) = switchyard_import::postman_environment(&text, &file.display().to_string())
        .map_err(|error| Fatal::invalid_input(anyhow!(error)))?;
    let mut store = store_for(&found, scope)?;
    writeln!(err, "environment `{name}`: {} variables into {scope}", found.len()).map_err(write_failed)?;
    report(&env_report, err)?;
    variables(&found, Some((&mut store, scope)), err)?;
    Ok(Exit::Success)
}

fn curl(command: Option<&str>, output: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Fatal> {
    let command = match command {
        Some(command) => command.to_owned(),
        None => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|error| {
                Fatal::invalid_input(anyhow!("cannot read the curl command from stdin (is it UTF-8 text?): {error}"))
            })?;
            text
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let flow_dir = output.map(|path| match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    });
    let imported = switchyard_import::curl_command(&command, &cwd, flow_dir.as_deref())
        .map_err(|error| Fatal::invalid_input(anyhow!(error)))?;
    if let Some(path) = output {
        refuse_existing(path)?;
    }
    match output {
        Some(path) => {
            save_flow(path, &imported, flow_dir.as_deref().unwrap_or(Path::new(".")))?;
            writeln!(err, "imported the curl command into {}", shown(path)).map_err(write_failed)?;
        }
        None => out
            .write_all(imported.flow.to_json().as_bytes())
            .map_err(|error| Fatal::environment(anyhow!(error).context("cannot write the flow")))?,
    }
    report(&imported.report, err)?;
    for variable in &imported.variables {
        let name = escape(&variable.name);
        writeln!(
            err,
            "the literal credential in {} is now `{{{{{name}}}}}`: store it with `switchyard vars set {name} --secret`",
            variable.origin
        )
        .map_err(write_failed)?;
    }
    Ok(Exit::Success)
}
