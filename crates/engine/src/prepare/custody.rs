//! Which secrets a prepared request carries, and whether they may go to its host.

use reqwest::header::HeaderMap;
use switchyard_vault::{Variable, Variables};
use url::Url;

use super::body::PreparedBody;
use super::error::RequestError;
use crate::redact::Redactor;
use crate::value::ErrorKind;

/// Adds to `secrets` every secret any form of which is in what is about to be sent
/// (URL, header names and values, body), wherever it came from: a template, or a
/// value an earlier response echoed (`{{input.…}}`).
pub(crate) fn carried_secrets<'v>(
    redactor: &Redactor,
    variables: &'v Variables,
    secrets: &mut Vec<&'v Variable>,
    url: &Url,
    headers: &HeaderMap,
    body: Option<&PreparedBody>,
) {
    if redactor.is_empty() {
        return;
    }
    let mut names = redactor.secrets_in(url.as_str().as_bytes());
    for (name, value) in headers {
        names.extend(redactor.secrets_in(name.as_str().as_bytes()));
        names.extend(redactor.secrets_in(value.as_bytes()));
    }
    for run in body.map(PreparedBody::runs).unwrap_or_default() {
        names.extend(redactor.secrets_in(run));
    }
    for name in names {
        if let Some(variable) = variables.get(&name)
            && !secrets.iter().any(|s| s.name == variable.name)
        {
            secrets.push(variable);
        }
    }
}

/// Refuses to send a secret to a host outside its `allowed_hosts`.
pub(crate) fn check_hosts(block: &str, secrets: &[&Variable], url: &Url) -> Result<(), RequestError> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    for secret in secrets {
        if !secret.host_allowed(host) {
            return Err(RequestError::new(
                block,
                None,
                ErrorKind::HostNotAllowed,
                format!(
                    "this request carries secret `{{{{{}}}}}` (in a template or in a value echoed by a server), \
                     which may only be sent to {}, not to {host}; nothing was sent",
                    secret.name,
                    secret.allowed_hosts.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// What is wrong with a secret's value for sending, if anything: a trailing newline
/// (the usual mistake with a token file or a CI variable), another control character,
/// or white space at either end, each of which the URL parser or the HTTP client
/// would drop or refuse, so that what is sent would no longer match what is masked.
pub(super) fn secret_shape_problem(value: &str) -> Option<&'static str> {
    if value.ends_with(['\n', '\r']) {
        Some("ends with a newline")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character")
    } else if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        Some("starts or ends with white space")
    } else {
        None
    }
}
