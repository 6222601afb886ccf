//! What `switchyard run` shares with every other front end of Switchyard: loading flow
//! files ([`flows`]), a run's variables layer by layer ([`variables`]), the run loop
//! ([`run`]) and the reports written after it ([`report`]).
//!
//! A front end (the `switchyard` binary today) parses its arguments, then:
//!
//! ```ignore
//! let flows = switchyard_runner::load_flows(&paths)?;
//! let names = switchyard_runner::flows::variable_names(&flows);
//! let variables = Arc::new(switchyard_runner::for_run(&names, args, env)?);
//! let engine = config.engine()?; // inside the tokio runtime
//! let summary = run_flows(&engine, &flows, &variables, &config, &stop, &mut observer).await?;
//! targets.write(&summary.flows, summary.cancelled, summary.duration_ms)?;
//! ```
//!
//! and renders what its [`Observer`] is told. Nothing here writes to stdout or stderr:
//! what goes wrong is an [`Error`] the front end reports.

pub mod error;
pub mod flows;
pub mod report;
pub mod run;
pub mod variables;

pub use error::{Error, Result};
pub use flows::{LoadedFlow, load_flows};
pub use run::{FlowObserver, Observer, RunConfig, RunSummary, run_flows};
pub use variables::{VariableArgs, for_run};
