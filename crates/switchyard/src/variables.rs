//! The variables given on the command line: `--var`, `--secret` and `--secret-env`.
//!
//! Each becomes a [`Variable`] in the run's [`Variables`]. Messages about a `--secret`
//! argument never quote it: a malformed one may be the secret itself.

use std::collections::BTreeMap;
use std::ffi::OsString;

use anyhow::{Result, bail};
use switchyard_flow::template;
use switchyard_vault::{Variable, Variables};

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

/// Builds the run's variables from the arguments; `env` reads environment variables.
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
}
