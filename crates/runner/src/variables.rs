//! The variables of a run and where they come from, highest first (docs/cli.md): the
//! command line (`--var`, `--secret`, `--secret-env`), the process environment
//! (`SWITCHYARD_SECRET_<NAME>`, `SWITCHYARD_VAR_<NAME>`), the selected environment
//! (`--env NAME`) and the global variables. (Values a flow's `set` blocks keep are above
//! all of them; that is the engine's.) [`for_run`] puts the layers together.
//!
//! Each becomes a [`Variable`] in the run's [`Variables`]. Messages about a `--secret`
//! argument never quote it: a malformed one may be the secret itself; nor do they quote
//! the value of an environment variable.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;

use anyhow::{Result, bail};
use switchyard_flow::template;
use switchyard_vault::{Keychain, Store, Variable, Variables};

use crate::Error;

/// The prefix of an environment variable that is a secret: `SWITCHYARD_SECRET_auth`.
pub const SECRET_PREFIX: &str = "SWITCHYARD_SECRET_";
/// The prefix of an environment variable that is a plain variable: `SWITCHYARD_VAR_host`.
pub const VAR_PREFIX: &str = "SWITCHYARD_VAR_";

/// The variables of a run of a flow that references `flow_variable_names`: the command
/// line's, over the process environment's, over those of `environment` (`--env`), over
/// the globals. Only the secrets the flow references and neither the command line nor
/// the process environment gives are read from the keychain.
///
/// [`Error::Invalid`] for a malformed argument or `SWITCHYARD_*` variable, or an
/// environment that does not exist; [`Error::Environment`] when the store or the
/// keychain fails.
pub fn for_run(
    flow_variable_names: &BTreeSet<String>,
    args: VariableArgs<'_>,
    environment: Option<&str>,
) -> Result<Variables, Error> {
    let process = ProcessEnv::current();
    layered(flow_variable_names, args, &process, |referenced| Ok(open_store()?.variables_for(environment, referenced)?))
}

/// The globals store in its usual place, with the system keychain.
pub fn open_store() -> Result<Store, Error> {
    let dir = Store::config_dir()?;
    Ok(Store::open(&dir, Keychain::system())?)
}

/// [`for_run`] with the process environment and the store handed in: `stored` gets the
/// names whose values must come from the store and returns the stored variables (the
/// globals with the environment on top).
pub fn layered(
    flow_variable_names: &BTreeSet<String>,
    args: VariableArgs<'_>,
    process: &ProcessEnv,
    stored: impl FnOnce(&BTreeSet<String>) -> Result<Variables, Error>,
) -> Result<Variables, Error> {
    let command_line = from_args(args, |name| process.get(name)).map_err(Error::Invalid)?;
    let from_process = from_process_env(process).map_err(Error::Invalid)?;
    let given = |name: &String| command_line.get(name).is_some() || from_process.get(name).is_some();
    let referenced: BTreeSet<String> = flow_variable_names.iter().filter(|name| !given(name)).cloned().collect();
    let mut variables = stored(&referenced)?;
    for variable in from_process.iter().chain(command_line.iter()) {
        variables.insert(variable.clone());
    }
    Ok(variables)
}

/// The environment variables of the process, or of a test.
#[derive(Debug, Clone, Default)]
pub struct ProcessEnv {
    vars: BTreeMap<OsString, OsString>,
}

impl ProcessEnv {
    /// This process's environment.
    pub fn current() -> Self {
        Self { vars: std::env::vars_os().collect() }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<OsString> {
        self.vars.get(std::ffi::OsStr::new(name)).cloned()
    }
}

impl<K: Into<OsString>, V: Into<OsString>> FromIterator<(K, V)> for ProcessEnv {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self { vars: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}

/// The variables the process environment gives: `SWITCHYARD_SECRET_<NAME>` is the
/// secret `<NAME>`, `SWITCHYARD_VAR_<NAME>` the plain variable `<NAME>` (the exact name
/// after the prefix).
///
/// Refused, naming the environment variable (never its value): a name after the prefix
/// that is empty, invalid or reserved, a value that is not UTF-8, an empty secret, and
/// one name given both ways.
pub fn from_process_env(process: &ProcessEnv) -> Result<Variables> {
    let mut given: BTreeMap<String, String> = BTreeMap::new();
    let mut variables = Variables::new();
    for (key, value) in &process.vars {
        let Some(key) = key.to_str() else {
            if key.to_string_lossy().starts_with("SWITCHYARD_") {
                bail!("an environment variable whose name starts with `SWITCHYARD_` is not valid UTF-8: rename it");
            }
            continue;
        };
        let (name, secret) = match (key.strip_prefix(SECRET_PREFIX), key.strip_prefix(VAR_PREFIX)) {
            (Some(name), _) => (name, true),
            (None, Some(name)) => (name, false),
            (None, None) => continue,
        };
        if !template::is_valid_name(name) {
            bail!(
                "environment variable `{key}`: `{name}` is not a valid variable name: use letters, digits, `_`, `.` \
                 and `-` after the prefix (for other names use --var or --secret-env)"
            );
        }
        if template::input_path(name).is_some() {
            bail!(
                "environment variable `{key}`: `{name}` is reserved: `{{{{input}}}}` is the value arriving at a block"
            );
        }
        let Some(value) = value.to_str() else {
            bail!("environment variable `{key}` is not valid UTF-8");
        };
        if secret && value.is_empty() {
            bail!("environment variable `{key}` is empty: give it the secret's value, or unset it");
        }
        if let Some(first) = given.insert(name.to_owned(), key.to_owned()) {
            bail!("variable `{name}` is given twice ({first} and {key}): give each variable once");
        }
        variables.insert(if secret { Variable::secret(name, value) } else { Variable::plain(name, value) });
    }
    Ok(variables)
}

/// The variable arguments of `switchyard run`, as clap collected them.
#[derive(Debug, Clone, Copy)]
pub struct VariableArgs<'a> {
    /// `--var NAME=VALUE`.
    pub vars: &'a [String],
    /// `--secret NAME=VALUE`.
    pub secrets: &'a [String],
    /// `--secret-env NAME=ENV_VAR`.
    pub secret_envs: &'a [String],
}

/// Builds the command line's variables from the arguments; `env` reads environment
/// variables (for `--secret-env`).
///
/// Refused, with a message that says which argument and what to do: an argument that
/// is not `NAME=…`, an invalid name, the reserved name `input`, a name given twice, an
/// empty secret, and an environment variable that is unset, empty or not UTF-8.
pub fn from_args(args: VariableArgs<'_>, env: impl Fn(&str) -> Option<OsString>) -> Result<Variables> {
    let mut given: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut variables = Variables::new();

    for arg in args.vars {
        let Some((name, value)) = arg.split_once('=') else {
            bail!("`--var {arg}` is not NAME=VALUE");
        };
        check_name("--var", name)?;
        remember(&mut given, name, "--var")?;
        variables.insert(Variable::plain(name, value));
    }

    for (index, arg) in args.secrets.iter().enumerate() {
        let which = ordinal(index, args.secrets.len());
        let Some((name, value)) = arg.split_once('=') else {
            bail!("the {which}--secret is not NAME=VALUE (it is not shown here, as it may hold the secret)");
        };
        if !template::is_valid_name(name) {
            bail!(
                "the {which}--secret has an invalid name (not shown, as it may hold the secret): \
                 a name is letters, digits, `_`, `.` and `-`"
            );
        }
        check_name("--secret", name)?;
        if value.is_empty() {
            bail!("the {which}--secret has an empty value: give the secret after the `=` (NAME=VALUE)");
        }
        remember(&mut given, name, "--secret")?;
        variables.insert(Variable::secret(name, value));
    }

    for arg in args.secret_envs {
        let Some((name, env_name)) = arg.split_once('=') else {
            bail!("`--secret-env {arg}` is not NAME=ENV_VAR");
        };
        check_name("--secret-env", name)?;
        if env_name.is_empty() || env_name.contains(['=', '\0']) {
            bail!("`--secret-env {arg}`: `{env_name}` is not an environment variable name");
        }
        let value = match env(env_name) {
            None => bail!("environment variable `{env_name}` is not set (needed by --secret-env {name}={env_name})"),
            Some(value) => match value.into_string() {
                Ok(value) => value,
                Err(_) => bail!("environment variable `{env_name}` (for --secret-env {name}) is not valid UTF-8"),
            },
        };
        if value.is_empty() {
            bail!("environment variable `{env_name}` (for --secret-env {name}) is empty");
        }
        remember(&mut given, name, "--secret-env")?;
        variables.insert(Variable::secret(name, value));
    }

    Ok(variables)
}

/// Refuses invalid and reserved names. Only called where the name may be shown.
fn check_name(flag: &str, name: &str) -> Result<()> {
    if !template::is_valid_name(name) {
        bail!("{flag}: `{name}` is not a valid variable name: use letters, digits, `_`, `.` and `-`");
    }
    if template::input_path(name).is_some() {
        bail!("{flag}: `{name}` is reserved: `{{{{input}}}}` is the value arriving at a block; choose another name");
    }
    Ok(())
}

/// Refuses a name given twice: which value wins would be a guess.
fn remember(given: &mut BTreeMap<String, &'static str>, name: &str, flag: &'static str) -> Result<()> {
    if let Some(first) = given.insert(name.to_owned(), flag) {
        bail!("variable `{name}` is given twice ({first} and {flag}): give each variable once");
    }
    Ok(())
}

/// `""` when there is one `--secret`, else `"2nd "` and so on, to say which is wrong.
fn ordinal(index: usize, count: usize) -> String {
    if count <= 1 {
        return String::new();
    }
    let n = index + 1;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix} ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn build(vars: &[&str], secrets: &[&str], secret_envs: &[&str]) -> Result<Variables> {
        let (vars, secrets, secret_envs) = (strings(vars), strings(secrets), strings(secret_envs));
        let args = VariableArgs { vars: &vars, secrets: &secrets, secret_envs: &secret_envs };
        from_args(args, |name| match name {
            "TOKEN" => Some("from-env".into()),
            "EMPTY" => Some(OsString::new()),
            _ => None,
        })
    }

    #[test]
    fn vars_are_plain_and_secrets_are_secret() {
        let variables = build(&["host=example.com", "q=a=b"], &["auth=Bearer x"], &["token=TOKEN"]).unwrap();
        let host = variables.get("host").unwrap();
        assert!(!host.value.is_secret());
        assert_eq!(host.value.expose(), "example.com");
        assert_eq!(variables.get("q").unwrap().value.expose(), "a=b", "only the first `=` splits");
        assert!(variables.get("auth").unwrap().value.is_secret());
        let token = variables.get("token").unwrap();
        assert!(token.value.is_secret());
        assert_eq!(token.value.expose(), "from-env");
    }

    #[test]
    fn an_empty_plain_value_is_allowed() {
        assert_eq!(build(&["empty="], &[], &[]).unwrap().get("empty").unwrap().value.expose(), "");
    }

    #[test]
    fn malformed_and_reserved_names_are_refused() {
        for bad in ["x", "=v", "a b=v", "input=v", "input.body=v"] {
            assert!(build(&[bad], &[], &[]).is_err(), "{bad}");
        }
        let error = build(&["input=1"], &[], &[]).unwrap_err().to_string();
        assert!(error.contains("reserved"), "{error}");
    }

    #[test]
    fn malformed_secrets_are_refused_without_quoting_them() {
        for bad in ["sk-LEAKCHECK", "Bearer sk-LEAKCHECK=", "sk-LEAKCHECK=", "input=sk-LEAKCHECK"] {
            let error = build(&[], &[bad], &[]).unwrap_err().to_string();
            assert!(!error.contains("LEAKCHECK"), "{error}");
        }
        let error = build(&[], &["a=1", "sk-LEAKCHECK"], &[]).unwrap_err().to_string();
        assert!(error.contains("2nd --secret"), "{error}");
    }

    #[test]
    fn secret_env_must_name_a_set_nonempty_variable() {
        let error = build(&[], &[], &["token=MISSING"]).unwrap_err().to_string();
        assert!(error.contains("`MISSING` is not set"), "{error}");
        assert!(build(&[], &[], &["token=EMPTY"]).is_err());
        assert!(build(&[], &[], &["token"]).is_err());
        assert!(build(&[], &[], &["token="]).is_err());
    }

    #[test]
    fn a_name_given_twice_is_refused() {
        let error = build(&["auth=1"], &["auth=2"], &[]).unwrap_err().to_string();
        assert!(error.contains("given twice (--var and --secret)"), "{error}");
        assert!(build(&["a=1", "a=2"], &[], &[]).is_err());
    }

    #[test]
    fn ordinals_read_naturally() {
        assert_eq!(ordinal(0, 1), "");
        assert_eq!(ordinal(0, 3), "1st ");
        assert_eq!(ordinal(1, 3), "2nd ");
        assert_eq!(ordinal(10, 12), "11th ");
    }

    fn process(pairs: &[(&str, &str)]) -> ProcessEnv {
        pairs.iter().map(|(k, v)| (*k, *v)).collect()
    }

    #[test]
    fn switchyard_prefixed_environment_variables_become_secrets_and_plain_variables() {
        let env = process(&[
            ("SWITCHYARD_SECRET_auth", "sk-from-env"),
            ("SWITCHYARD_VAR_base-url", "http://x"),
            ("SWITCHYARD_VAR_Region.Name", "eu"),
            ("SWITCHYARD_VAR_empty", ""),
            ("SWITCHYARD_HOME", "/tmp/h"),
            ("SWITCHYARD_SECRETS", "not a prefix match"),
            ("PATH", "/bin"),
        ]);
        let variables = from_process_env(&env).unwrap();
        let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Region.Name", "auth", "base-url", "empty"], "the exact name after the prefix");
        let auth = variables.get("auth").unwrap();
        assert!(auth.value.is_secret());
        assert_eq!(auth.value.expose(), "sk-from-env");
        assert!(!variables.get("base-url").unwrap().value.is_secret());
        assert_eq!(variables.get("empty").unwrap().value.expose(), "", "an empty plain value is a value");
    }

    #[test]
    fn malformed_switchyard_environment_variables_are_refused_without_their_values() {
        let cases = [
            (("SWITCHYARD_SECRET_", "sk-LEAKCHECK"), "not a valid variable name"),
            (("SWITCHYARD_VAR_a b", "sk-LEAKCHECK"), "`a b` is not a valid variable name"),
            (("SWITCHYARD_SECRET_input", "sk-LEAKCHECK"), "reserved"),
            (("SWITCHYARD_VAR_input.body", "sk-LEAKCHECK"), "reserved"),
            (("SWITCHYARD_SECRET_token", ""), "`SWITCHYARD_SECRET_token` is empty"),
        ];
        for ((key, value), message) in cases {
            let error = from_process_env(&process(&[(key, value)])).unwrap_err().to_string();
            assert!(error.contains(message), "{key}: {error}");
            assert!(!error.contains("LEAKCHECK"), "{error}");
        }
        let both = process(&[("SWITCHYARD_VAR_token", "a"), ("SWITCHYARD_SECRET_token", "sk-LEAKCHECK")]);
        let error = from_process_env(&both).unwrap_err().to_string();
        assert!(error.contains("`token` is given twice"), "{error}");
        assert!(!error.contains("LEAKCHECK"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_switchyard_variable_that_is_not_utf8_is_refused() {
        use std::os::unix::ffi::OsStringExt as _;
        let env: ProcessEnv =
            [(OsString::from("SWITCHYARD_VAR_x"), OsString::from_vec(vec![0xff]))].into_iter().collect();
        assert!(from_process_env(&env).unwrap_err().to_string().contains("not valid UTF-8"));
        let other: ProcessEnv = [(OsString::from("OTHER"), OsString::from_vec(vec![0xff]))].into_iter().collect();
        assert_eq!(from_process_env(&other).unwrap().iter().count(), 0, "other variables are none of ours");
    }

    /// `layered` with these arguments, process environment and stored variables;
    /// returns the result and the names the store was asked to read secrets for.
    fn layers(
        names: &[&str],
        vars: &[&str],
        env: &[(&str, &str)],
        stored: Vec<Variable>,
    ) -> (Variables, BTreeSet<String>) {
        let names: BTreeSet<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let vars = strings(vars);
        let args = VariableArgs { vars: &vars, secrets: &[], secret_envs: &[] };
        let mut asked = BTreeSet::new();
        let variables = layered(&names, args, &process(env), |referenced| {
            asked = referenced.clone();
            Ok(stored.into_iter().collect())
        })
        .unwrap();
        (variables, asked)
    }

    fn value(variables: &Variables, name: &str) -> String {
        variables.get(name).unwrap().value.expose().to_owned()
    }

    #[test]
    fn the_command_line_wins_over_the_process_environment_which_wins_over_the_store() {
        let stored = vec![Variable::plain("a", "store"), Variable::plain("b", "store"), Variable::plain("c", "store")];
        let env = [("SWITCHYARD_VAR_a", "process"), ("SWITCHYARD_SECRET_b", "process-secret")];
        let (variables, _) = layers(&["a", "b", "c"], &["a=cli"], &env, stored);
        assert_eq!(value(&variables, "a"), "cli");
        assert_eq!(value(&variables, "b"), "process-secret");
        assert!(variables.get("b").unwrap().value.is_secret(), "the process environment's type wins too");
        assert_eq!(value(&variables, "c"), "store");
    }

    #[test]
    fn the_store_is_asked_only_for_what_neither_the_command_line_nor_the_process_gives() {
        let env = [("SWITCHYARD_SECRET_auth", "sk-env")];
        let (_, asked) = layers(&["auth", "host", "key"], &["host=h"], &env, Vec::new());
        assert_eq!(asked.into_iter().collect::<Vec<_>>(), ["key"]);
    }

    #[test]
    fn process_variables_the_flow_does_not_reference_are_still_there_for_jq() {
        let (variables, _) = layers(&[], &[], &[("SWITCHYARD_VAR_region", "eu")], Vec::new());
        assert_eq!(value(&variables, "region"), "eu");
    }

    #[test]
    fn secret_env_reads_the_same_process_environment() {
        let secret_envs = strings(&["auth=MY_TOKEN"]);
        let args = VariableArgs { vars: &[], secrets: &[], secret_envs: &secret_envs };
        let env = process(&[("MY_TOKEN", "sk-mine"), ("SWITCHYARD_SECRET_auth", "sk-prefixed")]);
        let variables = layered(&BTreeSet::new(), args, &env, |_| Ok(Variables::new())).unwrap();
        assert_eq!(value(&variables, "auth"), "sk-mine", "--secret-env is the command line: it wins");
    }
}
