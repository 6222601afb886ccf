//! The command-line arguments, as clap derives them (documented for users in docs/cli.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Build and run HTTP request flows, in a window or headless.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; without a subcommand Switchyard opens the desktop app.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// A flow file to open in the app.
    #[arg(value_name = "FLOW")]
    pub flow: Option<PathBuf>,

    /// Run the flow as soon as the app opens.
    #[arg(long = "run")]
    pub run_on_open: bool,

    /// After the first run (with --run), or once the window has settled (without
    /// --run or --settings), save a PNG screenshot of the window to PATH and quit
    /// (for CI and documentation).
    #[arg(long, value_name = "PATH", hide = true)]
    pub screenshot: Option<PathBuf>,

    /// Open the global variables panel at start; with --screenshot, save the window
    /// once the panel has loaded, without a run (for documentation).
    #[arg(long, hide = true)]
    pub settings: bool,

    /// With --run: after the run, show its last response in the response viewer's
    /// window; with --screenshot, save the window then (for documentation).
    #[arg(long, hide = true)]
    pub show_response: bool,

    /// Print the time from process start to the first frame, then quit (benchmark).
    #[arg(long, hide = true)]
    pub report_first_frame: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run flows headless: progress on stderr, logged values on stdout.
    ///
    /// Variables, highest first: the flow's own `set` blocks; --var, --secret and
    /// --secret-env; the process environment (SWITCHYARD_SECRET_<NAME> is the secret
    /// <NAME>, SWITCHYARD_VAR_<NAME> the plain variable <NAME>); the environment chosen
    /// with --env; the global variables.
    ///
    /// Exit status: 0 when every flow is `ok`; 1 when one `failed` (a failure port fired
    /// with nothing wired to it), was `cancelled` (Ctrl-C), hit the step `limit` or was
    /// not run (--bail); 2 for an invalid flow file or argument (nothing runs); 3 when
    /// the environment failed.
    Run(RunArgs),
    /// Validate flow files: `ok` per valid file on stdout, every problem on stderr.
    ///
    /// Exit status: 0 when every file is valid, 2 otherwise.
    Check(CheckArgs),
    /// Manage global variables: plain values in globals.json, secrets in the OS keychain.
    ///
    /// The store lives in $SWITCHYARD_HOME, else the platform config directory.
    /// Exit status: 0 done; 2 bad name or arguments; 3 keychain or config dir unavailable.
    Vars(VarsArgs),
    /// Manage environments: named sets of variables (`dev`, `staging`) that a run picks
    /// with --env NAME, above the global variables and below the process environment
    /// and the command line. Fill one with `switchyard vars … --env NAME`.
    ///
    /// Plain values live in globals.json, secrets in the OS keychain as `ENV/NAME`.
    /// Exit status: 0 done; 2 bad or unknown name, or a name that is taken; 3 keychain
    /// or config dir unavailable.
    Env(EnvArgs),
    /// Import Postman collections and environments, or a curl command, into flows.
    ///
    /// Exit status: 0 imported (warnings included); 2 unreadable or invalid input,
    /// nothing written; 3 the keychain or a folder unavailable.
    Import(ImportArgs),
    /// Export a block as a command for another tool.
    ///
    /// Exit status: 0 done; 2 invalid flow file or no such block.
    Export(ExportArgs),
}

/// Arguments of `switchyard import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub command: ImportCommand,
}

/// The `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A Postman collection (v2.0 or v2.1) into one flow, DIR/<slug of its name>.flow.json.
    Postman {
        /// The collection, exported from Postman as JSON.
        file: PathBuf,
        /// The folder to write the flow to (default: the current folder).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
        /// Also write the collection's variables to the global variables; those that
        /// look like credentials go to the OS keychain as secrets.
        #[arg(long)]
        globals: bool,
    },
    /// A Postman environment export into the global variables, or into an environment
    /// with --env (type `secret` into the OS keychain).
    PostmanEnv {
        /// The environment, exported from Postman as JSON.
        file: PathBuf,
        /// Import into this environment (made first with `switchyard env new NAME`)
        /// instead of the global variables.
        #[arg(long = "env", value_name = "NAME")]
        env: Option<String>,
    },
    /// A curl command into a flow: Start → Send Request → Log.
    Curl {
        /// Write the flow to FILE (default: stdout).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// The command as one argument (quote it); without it, read from stdin.
        #[arg(value_name = "COMMAND", allow_hyphen_values = true)]
        command: Option<String>,
    },
}

/// Arguments of `switchyard export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    #[command(subcommand)]
    pub command: ExportCommand,
}

/// The `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A Send Request block as a curl command on stdout: plain variables resolved,
    /// secrets as `$NAME` shell references, never their values.
    Curl {
        /// The flow file.
        flow: PathBuf,
        /// The block id.
        block: String,
    },
}

/// Arguments of `switchyard vars`.
#[derive(Debug, Args)]
pub struct VarsArgs {
    /// What to do with the global variables.
    #[command(subcommand)]
    pub command: VarsCommand,

    /// Work on this environment's variables instead of the global variables (it must
    /// exist: `switchyard env new NAME`).
    #[arg(long = "env", value_name = "NAME", global = true)]
    pub env: Option<String>,
}

/// Arguments of `switchyard env`.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// What to do with the environments.
    #[command(subcommand)]
    pub command: EnvCommand,
}

/// The `env` subcommands.
#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// List the environments and how many variables and secrets each has.
    List,
    /// Make an empty environment; a name that is taken is refused.
    New {
        /// Its name: letters, digits, `_`, `.` and `-`.
        name: String,
    },
    /// Delete an environment: its plain values and its secrets' keychain entries (no prompt).
    Rm {
        /// The environment.
        name: String,
    },
    /// Rename an environment; its secrets' keychain entries move with it. A name that is
    /// taken is refused.
    Mv {
        /// The current name.
        old: String,
        /// The new name.
        new: String,
    },
}

/// The `vars` subcommands.
#[derive(Debug, Subcommand)]
pub enum VarsCommand {
    /// List global variables: name, type, value (secrets masked), allowed hosts, expiry.
    List,
    /// Set a global variable. The value is read from stdin, or asked for with a hidden
    /// prompt on a terminal; never from the command line.
    Set {
        /// The variable name, referenced as `{{NAME}}`.
        name: String,
        /// Store it as a secret: in the OS keychain, masked in all output.
        #[arg(long)]
        secret: bool,
        /// A host the secret may be sent to (`api.example.com`, `*.example.com`); repeatable.
        /// Without any, it may be sent anywhere.
        #[arg(long = "allow-host", value_name = "HOST")]
        allow_hosts: Vec<String>,
        /// The day after which the secret is flagged as expired.
        #[arg(long, value_name = "YYYY-MM-DD")]
        expires: Option<String>,
    },
    /// Print a variable's value; secrets are masked unless --reveal.
    Get {
        /// The variable name.
        name: String,
        /// Print a secret's real value (read from the keychain).
        #[arg(long)]
        reveal: bool,
    },
    /// Delete a variable, and its keychain entry if it is a secret.
    Rm {
        /// The variable name.
        name: String,
    },
    /// Rename a variable; a secret's keychain entry moves with it.
    Mv {
        /// The current name.
        old: String,
        /// The new name.
        new: String,
    },
}

/// Arguments of `switchyard run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The flow files to run; a folder means every *.flow.json below it, in path order.
    #[arg(value_name = "FLOW_OR_DIR", required = true)]
    pub flows: Vec<PathBuf>,

    /// Define a plain variable for `{{NAME}}` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Define a secret variable: sent where the flow uses it, masked in all output
    /// (repeatable). Prefer --secret-env: command lines are visible to other processes.
    #[arg(long = "secret", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub secrets: Vec<String>,

    /// Define a secret variable from the environment variable ENV_VAR (repeatable).
    #[arg(long = "secret-env", value_name = "NAME=ENV_VAR")]
    pub secret_envs: Vec<String>,

    /// Use this environment's variables (above the global variables, below the process
    /// environment and the command line); see `switchyard env`.
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,

    /// How to report the run: `human` (progress on stderr, logged values on stdout)
    /// or `json` (one event per line on stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Stop the run with outcome `limit` after this many block runs.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_steps: u64,

    /// Most requests of the run in flight at once; more wait their turn (a big fan-out
    /// queues instead of running out of open files).
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..100_000))]
    pub max_connections: u64,

    /// Run up to N flows at once (each one's output is printed whole when it ends).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: u64,

    /// Start no further flow once one is not `ok`.
    #[arg(long)]
    pub bail: bool,

    /// Write a JUnit XML report to FILE: a test suite per flow, a test case per request
    /// run and per check.
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,

    /// Write a JSON report to FILE: each flow's outcome, duration and events.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,

    /// Write an HTML report to FILE: one self-contained page per run.
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,

    /// The longest body (or other text) the reports keep, in bytes: a longer one is cut
    /// there, ending with a marker saying how many bytes were left out.
    #[arg(long, value_name = "BYTES", default_value_t = switchyard_runner::report::keep::DEFAULT_BODY_LIMIT,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub report_body_limit: u64,
}

/// Arguments of `switchyard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The flow files to validate.
    #[arg(value_name = "FLOW", required = true)]
    pub flows: Vec<PathBuf>,
}

/// How `switchyard run` reports a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Progress for people on stderr; Log values as pretty JSON on stdout.
    Human,
    /// One JSON event per line on stdout.
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secret_values_may_start_with_a_hyphen() {
        let cli = Cli::try_parse_from(["switchyard", "run", "f.json", "--secret", "-abc"]).unwrap();
        let Some(Command::Run(args)) = cli.command else { panic!("expected run") };
        assert_eq!(args.secrets, ["-abc"]);
    }

    #[test]
    fn max_connections_defaults_to_the_engine_default_and_must_be_positive() {
        let cli = Cli::try_parse_from(["switchyard", "run", "f.json"]).unwrap();
        let Some(Command::Run(args)) = cli.command else { panic!("expected run") };
        assert_eq!(usize::try_from(args.max_connections).unwrap(), switchyard_engine::DEFAULT_MAX_CONNECTIONS);
        assert!(Cli::try_parse_from(["switchyard", "run", "f.json", "--max-connections", "0"]).is_err());
    }

    #[test]
    fn run_takes_several_flows_and_folders_and_jobs_is_positive() {
        let cli = Cli::try_parse_from(["switchyard", "run", "a.flow.json", "ci/", "--jobs", "2", "--bail"]).unwrap();
        let Some(Command::Run(args)) = cli.command else { panic!("expected run") };
        assert_eq!(args.flows, [PathBuf::from("a.flow.json"), PathBuf::from("ci/")]);
        assert_eq!((args.jobs, args.bail), (2, true));
        assert!(Cli::try_parse_from(["switchyard", "run", "a.json", "--jobs", "0"]).is_err());
        assert!(Cli::try_parse_from(["switchyard", "run"]).is_err());
    }

    #[test]
    fn env_is_taken_before_or_after_the_vars_subcommand() {
        for argv in [["switchyard", "vars", "--env", "dev", "list"], ["switchyard", "vars", "list", "--env", "dev"]] {
            let cli = Cli::try_parse_from(argv).unwrap();
            let Some(Command::Vars(args)) = cli.command else { panic!("expected vars") };
            assert_eq!(args.env.as_deref(), Some("dev"));
        }
    }

    #[test]
    fn the_report_body_limit_defaults_to_the_reports_default_and_must_be_positive() {
        let cli = Cli::try_parse_from(["switchyard", "run", "f.json"]).unwrap();
        let Some(Command::Run(args)) = cli.command else { panic!("expected run") };
        assert_eq!(args.report_body_limit, switchyard_runner::report::keep::DEFAULT_BODY_LIMIT);
        assert!(Cli::try_parse_from(["switchyard", "run", "f.json", "--report-body-limit", "0"]).is_err());
    }

    #[test]
    fn max_steps_must_be_positive() {
        assert!(Cli::try_parse_from(["switchyard", "run", "f.json", "--max-steps", "0"]).is_err());
    }
}
