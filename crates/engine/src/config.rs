//! The settings runs are made with ([`EngineConfig`]): limits, the connection budget,
//! the folder relative paths start from.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;

/// The default of [`EngineConfig::max_connections`]: well under the common limit of
/// 1,024 open files, and more than enough to keep a server busy.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// Limits and settings for runs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Block runs after which a run stops with outcome `limit` (default 10,000).
    pub max_steps: u64,
    /// Largest response body accepted, in bytes (default 10 MiB).
    pub max_body_bytes: u64,
    /// Most redirects followed for one request (default 10).
    pub max_redirects: usize,
    /// Most Send Request blocks of one run in flight at once, each holding at most one
    /// connection (default [`DEFAULT_MAX_CONNECTIONS`], 256; at least 1). More wait
    /// their turn (first come, first served), so a fan-out of thousands queues
    /// instead of failing with `Too many open files`.
    pub max_connections: usize,
    /// A connection budget shared with other runs: when set, requests take their
    /// permits from it instead of from a semaphore of `max_connections` made for each
    /// run, so runs going on at once (`switchyard run --jobs N`) stay within one limit
    /// together.
    pub connection_budget: Option<Arc<Semaphore>>,
    /// The folder relative paths in a flow (multipart `{"file": …}` parts) start from:
    /// the flow file's folder. `None`: the current folder.
    pub base_dir: Option<PathBuf>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_steps: 10_000,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 10,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            connection_budget: None,
            base_dir: None,
        }
    }
}
