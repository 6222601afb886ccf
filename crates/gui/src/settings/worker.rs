//! The settings panel's background worker: every globals-store and keychain call runs
//! here, one job after another, on the runtime's blocking threads.
//!
//! The panel sends [`Job`]s; an async task on the runtime takes them in order and runs
//! each with `spawn_blocking` (so two saves never race on `globals.json`), sends the
//! [`Reply`] back over a channel and wakes the UI with `request_repaint`. The frame
//! code only drains the channel ([`Worker::try_recv`]). Each job opens the store afresh,
//! so changes made meanwhile with `switchyard vars` are seen.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret as _, SecretString};
use switchyard_vault::{Definition, Keychain, Store, VaultError};
use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// Something for the worker to do.
pub(super) enum Job {
    /// Read the definitions (never the keychain).
    Load,
    /// See whether the keychain can be reached.
    Probe,
    /// Add or change a variable. `value: None` keeps the stored value and changes only
    /// the allowed hosts and expiry. `is_new` refuses a name that exists by now.
    Save { definition: Definition, value: Option<SecretString>, is_new: bool },
    /// Read a secret's value from the keychain.
    Reveal { name: String },
    /// Rename a variable (a secret's keychain entry moves too).
    Rename { old: String, new: String },
    /// Delete a variable (and its keychain entry).
    Delete { name: String },
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: never a value.
        match self {
            Job::Load => f.write_str("Load"),
            Job::Probe => f.write_str("Probe"),
            Job::Save { definition, is_new, .. } => write!(f, "Save({}, new: {is_new})", definition.name),
            Job::Reveal { name } => write!(f, "Reveal({name})"),
            Job::Rename { old, new } => write!(f, "Rename({old} -> {new})"),
            Job::Delete { name } => write!(f, "Delete({name})"),
        }
    }
}

/// What a change was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    Save,
    Rename { new: String },
    Delete,
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
    /// The definitions, by name.
    Loaded(Result<Vec<Definition>, Failure>),
    /// `Err(reason)` when the keychain cannot be reached.
    Probed(Result<(), String>),
    /// A change to `name`; on success the definitions as they are now.
    Changed { name: String, action: Action, result: Result<Vec<Definition>, Failure> },
    /// A secret's value, for the panel to show for a while.
    Revealed { name: String, result: Result<SecretString, Failure> },
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Loaded(result) => write!(f, "Loaded(ok: {})", result.is_ok()),
            Reply::Probed(result) => write!(f, "Probed({result:?})"),
            Reply::Changed { name, action, result } => {
                write!(f, "Changed({name}, {action:?}, ok: {})", result.is_ok())
            }
            Reply::Revealed { name, result } => write!(f, "Revealed({name}, ok: {})", result.is_ok()),
        }
    }
}

impl Job {
    /// Runs the job (blocking: the keychain may wait on D-Bus or a prompt).
    fn run(self, dir: &Path, keychain: &Keychain) -> Reply {
        let open = || Store::open(dir, keychain.clone());
        match self {
            Job::Load => Reply::Loaded(open().map(|store| definitions(&store)).map_err(Failure::from)),
            Job::Probe => Reply::Probed(keychain.check().map_err(|error| match error {
                VaultError::KeychainUnavailable { detail } => detail,
                other => other.to_string(),
            })),
            Job::Save { definition, value, is_new } => {
                let name = definition.name.clone();
                let result = open().and_then(|mut store| {
                    if is_new && store.definition(&name).is_some() {
                        return Err(VaultError::Exists { name: name.clone() });
                    }
                    match &value {
                        Some(value) => store.set(definition, value.expose_secret())?,
                        None => store.set_details(&name, definition.allowed_hosts, definition.expires)?,
                    }
                    Ok(definitions(&store))
                });
                drop(value);
                Reply::Changed { name, action: Action::Save, result: result.map_err(Failure::from) }
            }
            Job::Reveal { name } => {
                let result = open().and_then(|store| store.value(&name)).map(|value| match value {
                    switchyard_vault::Value::Secret(secret) => secret,
                    switchyard_vault::Value::Plain(text) => SecretString::from(text),
                });
                Reply::Revealed { name, result: result.map_err(Failure::from) }
            }
            Job::Rename { old, new } => {
                let result = open().and_then(|mut store| {
                    store.rename(&old, &new)?;
                    Ok(definitions(&store))
                });
                Reply::Changed { name: old, action: Action::Rename { new }, result: result.map_err(Failure::from) }
            }
            Job::Delete { name } => {
                let result = open().and_then(|mut store| {
                    store.remove(&name)?;
                    Ok(definitions(&store))
                });
                Reply::Changed { name, action: Action::Delete, result: result.map_err(Failure::from) }
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
            Job::Reveal { name } => Reply::Revealed { name: name.clone(), result: Err(failure()) },
            Job::Rename { old, new } => Reply::Changed {
                name: old.clone(),
                action: Action::Rename { new: new.clone() },
                result: Err(failure()),
            },
            Job::Delete { name } => {
                Reply::Changed { name: name.clone(), action: Action::Delete, result: Err(failure()) }
            }
        }
    }
}

fn definitions(store: &Store) -> Vec<Definition> {
    store.definitions().cloned().collect()
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
