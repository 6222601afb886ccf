//! The settings panel's background worker: every globals-store and keychain call runs
//! here, one job after another, on the runtime's blocking threads.
//!
//! The panel sends [`Job`]s; an async task on the runtime takes them in order and runs
//! each with `spawn_blocking` (so two saves never race on `globals.json`), sends the
//! [`Reply`] back over a channel and wakes the UI with `request_repaint`. The frame
//! code only drains the channel ([`Worker::try_recv`]). Each job opens the store afresh,
//! so changes made meanwhile with `switchyard vars` are seen. Variable jobs name their
//! scope (`None`: the globals; `Some(ENV)`: that environment, secrets under `ENV/NAME`);
//! environment jobs make, rename and delete environments through the store, which moves
//! or deletes their keychain entries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret as _, SecretString};
use switchyard_vault::{Definition, Keychain, Scope, Store, VaultError};
use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// Something for the worker to do.
pub(super) enum Job {
    /// Read the definitions of the globals and every environment (never the keychain).
    Load,
    /// See whether the keychain can be reached.
    Probe,
    /// Add or change a variable of `scope`. `value: None` keeps the stored value and
    /// changes only the allowed hosts and expiry. `is_new` refuses a name that exists by now.
    Save { scope: Option<String>, definition: Definition, value: Option<SecretString>, is_new: bool },
    /// Read a secret's value from the keychain.
    Reveal { scope: Option<String>, name: String },
    /// Rename a variable (a secret's keychain entry moves too).
    Rename { scope: Option<String>, old: String, new: String },
    /// Delete a variable (and its keychain entry).
    Delete { scope: Option<String>, name: String },
    /// Make an empty environment.
    CreateEnvironment { name: String },
    /// Rename an environment (its secrets move from `OLD/NAME` to `NEW/NAME`).
    RenameEnvironment { old: String, new: String },
    /// Delete an environment (its secrets leave the keychain).
    RemoveEnvironment { name: String },
    /// Store a pasted credential as a global secret (see [`StoreAs`]).
    StoreSecret { name: String, value: SecretString, allowed_hosts: Vec<String>, how: StoreAs },
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: never a value.
        match self {
            Job::Load => f.write_str("Load"),
            Job::Probe => f.write_str("Probe"),
            Job::Save { scope, definition, is_new, .. } => {
                write!(f, "Save({scope:?}, {}, new: {is_new})", definition.name)
            }
            Job::Reveal { scope, name } => write!(f, "Reveal({scope:?}, {name})"),
            Job::Rename { scope, old, new } => write!(f, "Rename({scope:?}, {old} -> {new})"),
            Job::Delete { scope, name } => write!(f, "Delete({scope:?}, {name})"),
            Job::CreateEnvironment { name } => write!(f, "CreateEnvironment({name})"),
            Job::RenameEnvironment { old, new } => write!(f, "RenameEnvironment({old} -> {new})"),
            Job::RemoveEnvironment { name } => write!(f, "RemoveEnvironment({name})"),
            Job::StoreSecret { name, .. } => write!(f, "StoreSecret({name})"),
        }
    }
}

/// How a pasted credential is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreAs {
    /// The user chose to replace the global `name`: its value and allowed hosts change
    /// together (its expiry is dropped: it was the old value's).
    Replace,
    /// Never over another value: the first of `base`, `base-2`, `base-3`, … that is free
    /// (stored there) or holds this very value (used as it is). `name` is where the app
    /// expects it; the reply says where it went.
    Free { base: String },
}

/// Where a pasted credential went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stored {
    /// The global that holds it.
    pub name: String,
    /// Whether that global held this value already (nothing was written).
    pub reused: bool,
    /// That global's allowed hosts.
    pub allowed_hosts: Vec<String>,
}

/// The most `-N` suffixes tried for a free name.
const MAX_SUFFIX: u32 = 1000;

/// Stores a pasted credential as [`StoreAs`] says; where it went.
fn store_pasted(
    store: &mut Store,
    name: &str,
    value: &SecretString,
    allowed_hosts: Vec<String>,
    how: &StoreAs,
) -> Result<Stored, VaultError> {
    let new = |name: &str, allowed_hosts: Vec<String>| Definition {
        name: name.to_owned(),
        kind: switchyard_vault::Kind::Secret,
        value: None,
        allowed_hosts,
        expires: None,
    };
    let base = match how {
        StoreAs::Replace => {
            store.set_in(Scope::Globals, new(name, allowed_hosts.clone()), value.expose_secret())?;
            return Ok(Stored { name: name.to_owned(), reused: false, allowed_hosts });
        }
        StoreAs::Free { base } => base,
    };
    let candidates = std::iter::once(base.clone()).chain((2..=MAX_SUFFIX).map(|n| format!("{base}-{n}")));
    for candidate in candidates {
        let Some(existing) = store.definition_in(Scope::Globals, &candidate)? else {
            store.set_in(Scope::Globals, new(&candidate, allowed_hosts.clone()), value.expose_secret())?;
            return Ok(Stored { name: candidate, reused: false, allowed_hosts });
        };
        if existing.kind != switchyard_vault::Kind::Secret {
            continue;
        }
        let existing_hosts = existing.allowed_hosts.clone();
        match store.value_in(Scope::Globals, &candidate) {
            Ok(switchyard_vault::Value::Secret(stored)) if stored.expose_secret() == value.expose_secret() => {
                return Ok(Stored { name: candidate, reused: true, allowed_hosts: existing_hosts });
            }
            Ok(_) | Err(VaultError::SecretMissing { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    // `base-2` to `base-1000` all hold other values.
    Err(VaultError::Exists { name: format!("{base}-{MAX_SUFFIX}") })
}

/// What a change was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    Save,
    Rename { new: String },
    Delete,
}

/// What a change to an environment was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum EnvironmentAction {
    Create { name: String },
    Rename { old: String, new: String },
    Remove { name: String },
}

/// The store's definitions as one job read them: the globals and every environment's,
/// each by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Snapshot {
    pub globals: Vec<Definition>,
    pub environments: BTreeMap<String, Vec<Definition>>,
}

impl Snapshot {
    fn of(store: &Store) -> Result<Self, VaultError> {
        let mut environments = BTreeMap::new();
        for name in store.environments() {
            let definitions = store.definitions_in(Scope::Environment(name))?.cloned().collect();
            environments.insert(name.to_owned(), definitions);
        }
        Ok(Self { globals: store.definitions_in(Scope::Globals)?.cloned().collect(), environments })
    }

    /// The definitions of `scope` (`None`: the globals); `None` when the environment is gone.
    pub fn scope(&self, scope: Option<&str>) -> Option<&[Definition]> {
        match scope {
            None => Some(&self.globals),
            Some(name) => self.environments.get(name).map(Vec::as_slice),
        }
    }
}

/// Why a job failed: a message that names the variable's problem and what to do, and
/// the keychain's reason when the keychain is not available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub message: String,
    pub keychain_unavailable: Option<String>,
}

impl From<VaultError> for Failure {
    fn from(error: VaultError) -> Self {
        let keychain_unavailable = match &error {
            VaultError::KeychainUnavailable { detail } => Some(detail.clone()),
            _ => None,
        };
        Self { message: error.to_string(), keychain_unavailable }
    }
}

/// What a job did.
pub(super) enum Reply {
    /// The definitions of every scope.
    Loaded(Result<Snapshot, Failure>),
    /// `Err(reason)` when the keychain cannot be reached.
    Probed(Result<(), String>),
    /// A change to `name`; on success the definitions as they are now.
    Changed { name: String, action: Action, result: Result<Snapshot, Failure> },
    /// A secret's value of `scope`, for the panel to show for a while.
    Revealed { scope: Option<String>, name: String, result: Result<SecretString, Failure> },
    /// A change to an environment; on success the definitions as they are now.
    EnvironmentChanged { action: EnvironmentAction, result: Result<Snapshot, Failure> },
    /// A pasted credential the app expected as the global secret `name`: where it went
    /// and the definitions as they are now, or why not.
    SecretStored { name: String, result: Result<(Stored, Snapshot), Failure> },
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Loaded(result) => write!(f, "Loaded(ok: {})", result.is_ok()),
            Reply::Probed(result) => write!(f, "Probed({result:?})"),
            Reply::Changed { name, action, result } => {
                write!(f, "Changed({name}, {action:?}, ok: {})", result.is_ok())
            }
            Reply::Revealed { scope, name, result } => {
                write!(f, "Revealed({scope:?}, {name}, ok: {})", result.is_ok())
            }
            Reply::EnvironmentChanged { action, result } => {
                write!(f, "EnvironmentChanged({action:?}, ok: {})", result.is_ok())
            }
            Reply::SecretStored { name, result } => write!(f, "SecretStored({name}, ok: {})", result.is_ok()),
        }
    }
}

impl Job {
    /// Runs the job (blocking: the keychain may wait on D-Bus or a prompt).
    fn run(self, dir: &Path, keychain: &Keychain) -> Reply {
        let open = || Store::open(dir, keychain.clone());
        match self {
            Job::Load => Reply::Loaded(open().and_then(|store| Snapshot::of(&store)).map_err(Failure::from)),
            Job::Probe => Reply::Probed(keychain.check().map_err(|error| match error {
                VaultError::KeychainUnavailable { detail } => detail,
                other => other.to_string(),
            })),
            Job::Save { scope, definition, value, is_new } => {
                let name = definition.name.clone();
                let scope = Scope::from_option(scope.as_deref());
                let result = open().and_then(|mut store| {
                    if is_new && store.definition_in(scope, &name)?.is_some() {
                        return Err(match scope {
                            Scope::Globals => VaultError::Exists { name: name.clone() },
                            Scope::Environment(environment) => {
                                VaultError::ExistsIn { name: name.clone(), environment: environment.to_owned() }
                            }
                        });
                    }
                    match &value {
                        Some(value) => store.set_in(scope, definition, value.expose_secret())?,
                        None => store.set_details_in(scope, &name, definition.allowed_hosts, definition.expires)?,
                    }
                    Snapshot::of(&store)
                });
                drop(value);
                Reply::Changed { name, action: Action::Save, result: result.map_err(Failure::from) }
            }
            Job::Reveal { scope, name } => {
                let result =
                    open().and_then(|store| store.value_in(Scope::from_option(scope.as_deref()), &name)).map(|value| {
                        match value {
                            switchyard_vault::Value::Secret(secret) => secret,
                            switchyard_vault::Value::Plain(text) => SecretString::from(text),
                        }
                    });
                Reply::Revealed { scope, name, result: result.map_err(Failure::from) }
            }
            Job::Rename { scope, old, new } => {
                let result = open().and_then(|mut store| {
                    store.rename_in(Scope::from_option(scope.as_deref()), &old, &new)?;
                    Snapshot::of(&store)
                });
                Reply::Changed { name: old, action: Action::Rename { new }, result: result.map_err(Failure::from) }
            }
            Job::Delete { scope, name } => {
                let result = open().and_then(|mut store| {
                    store.remove_in(Scope::from_option(scope.as_deref()), &name)?;
                    Snapshot::of(&store)
                });
                Reply::Changed { name, action: Action::Delete, result: result.map_err(Failure::from) }
            }
            Job::CreateEnvironment { name } => {
                let result = open().and_then(|mut store| {
                    store.create_environment(&name)?;
                    Snapshot::of(&store)
                });
                Reply::EnvironmentChanged {
                    action: EnvironmentAction::Create { name },
                    result: result.map_err(Failure::from),
                }
            }
            Job::RenameEnvironment { old, new } => {
                let result = open().and_then(|mut store| {
                    store.rename_environment(&old, &new)?;
                    Snapshot::of(&store)
                });
                Reply::EnvironmentChanged {
                    action: EnvironmentAction::Rename { old, new },
                    result: result.map_err(Failure::from),
                }
            }
            Job::RemoveEnvironment { name } => {
                let result = open().and_then(|mut store| {
                    store.remove_environment(&name)?;
                    Snapshot::of(&store)
                });
                Reply::EnvironmentChanged {
                    action: EnvironmentAction::Remove { name },
                    result: result.map_err(Failure::from),
                }
            }
            Job::StoreSecret { name, value, allowed_hosts, how } => {
                let result = open().and_then(|mut store| {
                    let stored = store_pasted(&mut store, &name, &value, allowed_hosts, &how)?;
                    Ok((stored, Snapshot::of(&store)?))
                });
                drop(value);
                Reply::SecretStored { name, result: result.map_err(Failure::from) }
            }
        }
    }

    /// The reply when the job itself died (a panic on the blocking thread).
    fn died(&self) -> Reply {
        let failure = || Failure {
            message: "the background job stopped unexpectedly; try again, or restart Switchyard".to_owned(),
            keychain_unavailable: None,
        };
        match self {
            Job::Load => Reply::Loaded(Err(failure())),
            Job::Probe => Reply::Probed(Err(failure().message)),
            Job::Save { definition, .. } => {
                Reply::Changed { name: definition.name.clone(), action: Action::Save, result: Err(failure()) }
            }
            Job::Reveal { scope, name } => {
                Reply::Revealed { scope: scope.clone(), name: name.clone(), result: Err(failure()) }
            }
            Job::Rename { old, new, .. } => Reply::Changed {
                name: old.clone(),
                action: Action::Rename { new: new.clone() },
                result: Err(failure()),
            },
            Job::Delete { name, .. } => {
                Reply::Changed { name: name.clone(), action: Action::Delete, result: Err(failure()) }
            }
            Job::CreateEnvironment { name } => Reply::EnvironmentChanged {
                action: EnvironmentAction::Create { name: name.clone() },
                result: Err(failure()),
            },
            Job::RenameEnvironment { old, new } => Reply::EnvironmentChanged {
                action: EnvironmentAction::Rename { old: old.clone(), new: new.clone() },
                result: Err(failure()),
            },
            Job::RemoveEnvironment { name } => Reply::EnvironmentChanged {
                action: EnvironmentAction::Remove { name: name.clone() },
                result: Err(failure()),
            },
            Job::StoreSecret { name, .. } => Reply::SecretStored { name: name.clone(), result: Err(failure()) },
        }
    }
}

/// The panel's end of the worker.
pub(super) struct Worker {
    jobs: UnboundedSender<Job>,
    replies: UnboundedReceiver<Reply>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Worker")
    }
}

impl Worker {
    /// Starts the worker for the store in `dir`; each reply wakes `ctx`.
    pub fn start(ctx: &egui::Context, handle: &Handle, dir: PathBuf, keychain: Keychain) -> Self {
        let (jobs, mut job_rx) = mpsc::unbounded_channel::<Job>();
        let (reply_tx, replies) = mpsc::unbounded_channel();
        let wake = ctx.clone();
        let blocking = handle.clone();
        handle.spawn(async move {
            while let Some(job) = job_rx.recv().await {
                let died = job.died();
                let (dir, keychain) = (dir.clone(), keychain.clone());
                let reply = blocking.spawn_blocking(move || job.run(&dir, &keychain)).await.unwrap_or(died);
                if reply_tx.send(reply).is_err() {
                    break;
                }
                wake.request_repaint();
            }
        });
        Self { jobs, replies }
    }

    /// Queues a job. False when the worker is gone (the runtime shut down).
    pub fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    /// The next reply, if one came.
    pub fn try_recv(&mut self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }
}
