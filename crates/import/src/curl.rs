//! A curl command into a Send Request block (README, "Import").
//!
//! The command is split into words (`shell`), then curl's flags are read in order as
//! curl reads them: short flags may be bundled (`-sSL`) and take their value attached
//! or as the next word (`-XPOST`, `-X POST`). Flags that change only curl's own output
//! are listed as ignored; unknown flags are named in a warning.

use std::path::{Component, Path, PathBuf};

use switchyard_flow::{Auth, Body, Part, SendRequest, template};

use crate::credentials::{Credentials, is_credential_header};
use crate::percent::percent_decode_bytes;
use crate::{ImportError, Imported, Report, escape, layout, shell};

const SOURCE: &str = "the curl command";

/// What one flag means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flag {
    Request,
    Header,
    Data,
    DataRaw,
    DataBinary,
    DataUrlencode,
    Json,
    User,
    Form,
    FormString,
    Get,
    Url,
    UserAgent,
    Referer,
    Cookie,
    Location,
    Compressed,
    MaxTime,
    Head,
    Insecure,
    /// `--oauth2-bearer TOKEN`: bearer auth.
    OAuth2Bearer,
    /// A flag whose value holds a credential the flow has no place for (`-U user:pw`,
    /// `-E cert:pw`): left out, its value never shown.
    SecretNotImported,
    /// Changes only curl's output or its own behaviour, not the request; takes a value.
    OutputWithValue,
    /// The same, without a value.
    Output,
}

impl Flag {
    fn takes_value(self) -> bool {
        !matches!(self, Flag::Get | Flag::Location | Flag::Compressed | Flag::Head | Flag::Insecure | Flag::Output)
    }
}

fn short_flag(c: char) -> Option<Flag> {
    Some(match c {
        'X' => Flag::Request,
        'H' => Flag::Header,
        'd' => Flag::Data,
        'u' => Flag::User,
        'F' => Flag::Form,
        'G' => Flag::Get,
        'A' => Flag::UserAgent,
        'e' => Flag::Referer,
        'b' => Flag::Cookie,
        'L' => Flag::Location,
        'm' => Flag::MaxTime,
        'I' => Flag::Head,
        'k' => Flag::Insecure,
        'U' | 'E' => Flag::SecretNotImported,
        'o' | 'w' | 'D' | 'c' => Flag::OutputWithValue,
        's' | 'S' | 'v' | 'i' | 'f' | 'O' | 'g' | '#' | 'N' => Flag::Output,
        _ => return None,
    })
}

fn long_flag(name: &str) -> Option<Flag> {
    Some(match name {
        "request" => Flag::Request,
        "header" => Flag::Header,
        "data" | "data-ascii" => Flag::Data,
        "data-raw" => Flag::DataRaw,
        "data-binary" => Flag::DataBinary,
        "data-urlencode" => Flag::DataUrlencode,
        "json" => Flag::Json,
        "user" => Flag::User,
        "form" => Flag::Form,
        "form-string" => Flag::FormString,
        "get" => Flag::Get,
        "url" => Flag::Url,
        "user-agent" => Flag::UserAgent,
        "referer" => Flag::Referer,
        "cookie" => Flag::Cookie,
        "location" => Flag::Location,
        "compressed" => Flag::Compressed,
        "max-time" => Flag::MaxTime,
        "head" => Flag::Head,
        "insecure" => Flag::Insecure,
        "oauth2-bearer" => Flag::OAuth2Bearer,
        "proxy-user" | "cert" | "pass" | "proxy-pass" | "proxy-cert" | "proxy-pass-phrase" => Flag::SecretNotImported,
        "output" | "write-out" | "dump-header" | "cookie-jar" | "stderr" | "trace" | "trace-ascii" => {
            Flag::OutputWithValue
        }
        "silent" | "show-error" | "verbose" | "include" | "fail" | "fail-with-body" | "remote-name" | "globoff"
        | "no-progress-meter" | "progress-bar" | "no-buffer" | "http1.1" | "http2" | "no-keepalive" => Flag::Output,
        _ => return None,
    })
}

/// A piece of `-d`-style data, in order.
enum Data {
    /// Sent as written (`-d a=1&b=2`).
    Raw(String),
    /// `--data-urlencode name=value`: the value is encoded when sent.
    Pair(String, String),
}

#[derive(Default)]
struct Parsed {
    method: Option<String>,
    urls: Vec<String>,
    /// Which of `urls` stood right after a flag this import does not know: perhaps that
    /// flag's value (a credential maybe), so never taken as the URL while another is there.
    after_unknown: Vec<usize>,
    headers: Vec<(String, String)>,
    data: Vec<Data>,
    json: bool,
    parts: Vec<(String, Part)>,
    user: Option<String>,
    bearer: Option<String>,
    get: bool,
    head: bool,
    location: bool,
    timeout_ms: Option<u64>,
    ignored: Vec<String>,
}

/// Reads a curl command: one request, in a flow Start → `request` → Log `success` /
/// Log `failure`. Relative file paths (`-F f=@path`) are taken from `cwd` and written
/// relative to `flow_dir` (the folder the flow will be saved in; `None`: as given).
pub fn curl_command(command: &str, cwd: &Path, flow_dir: Option<&Path>) -> Result<Imported, ImportError> {
    let words = shell::split(command).map_err(|message| ImportError::new(SOURCE, "", message))?;
    let mut report = Report::default();
    for note in &words.notes {
        report.warn(note.clone());
    }
    let mut args = words.words.into_iter().skip_while(|word| word.is_empty());
    let program = args.next().unwrap_or_default();
    let program_name = Path::new(&program).file_name().map(|n| n.to_string_lossy().to_ascii_lowercase());
    if !matches!(program_name.as_deref(), Some("curl" | "curl.exe")) {
        return Err(ImportError::new(SOURCE, "", format!("not a curl command: it starts with `{program}`")));
    }
    let mut parsed = Parsed::default();
    let mut only_urls = false;
    let mut unknown_before = false;
    while let Some(arg) = args.next() {
        let after_unknown = std::mem::take(&mut unknown_before);
        if only_urls || !arg.starts_with('-') || arg == "-" {
            if after_unknown && !only_urls {
                parsed.after_unknown.push(parsed.urls.len());
            }
            parsed.urls.push(arg);
            continue;
        }
        if arg == "--" {
            only_urls = true;
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let Some(flag) = long_flag(long) else {
                // Named without an attached value (`--flag=VALUE`): that may be a credential.
                let name = long.split('=').next().unwrap_or_default();
                report.warn(format!("unknown flag `--{name}`: ignored; check the imported request"));
                unknown_before = !long.contains('=');
                continue;
            };
            let value = if flag.takes_value() {
                match args.next() {
                    Some(value) => value,
                    None => {
                        report.warn(format!("`{arg}` has no value: ignored"));
                        continue;
                    }
                }
            } else {
                String::new()
            };
            apply(&mut parsed, &mut report, flag, &arg, value, cwd, flow_dir);
            continue;
        }
        // Short flags, possibly bundled: `-sSL`, `-XPOST`, `-H` `Name: v`.
        let letters: Vec<char> = arg.chars().skip(1).collect();
        let mut index = 0;
        while let Some(&c) = letters.get(index) {
            index += 1;
            let Some(flag) = short_flag(c) else {
                report.warn(format!("unknown flag `-{c}`: ignored; check the imported request"));
                unknown_before = index == letters.len();
                continue;
            };
            let value = if flag.takes_value() {
                let attached: String = letters.get(index..).unwrap_or_default().iter().collect();
                index = letters.len();
                if !attached.is_empty() {
                    attached
                } else if let Some(value) = args.next() {
                    value
                } else {
                    report.warn(format!("`-{c}` has no value: ignored"));
                    break;
                }
            } else {
                String::new()
            };
            apply(&mut parsed, &mut report, flag, &format!("-{c}"), value, cwd, flow_dir);
        }
    }
    if !parsed.ignored.is_empty() {
        report.warn(format!("ignored (they change curl's output, not the request): {}", parsed.ignored.join(" ")));
    }
    let mut credentials = Credentials::default();
    let request = build(parsed, &mut report, &mut credentials)?;
    report.requests.push(escape(&format!("{} {} → block `request`", request.method, request.url)));
    let name = format!("{} {}", request.method, request.url);
    let variables = credentials.into_variables();
    let mut flow = layout::single(&name, request);
    crate::credentials::scrub(&mut flow, &variables);
    Ok(Imported { flow, report, variables })
}

fn apply(
    parsed: &mut Parsed,
    report: &mut Report,
    flag: Flag,
    arg: &str,
    value: String,
    cwd: &Path,
    flow_dir: Option<&Path>,
) {
    match flag {
        Flag::Request => parsed.method = Some(value.to_ascii_uppercase()),
        Flag::Header => {
            if value.starts_with('@') {
                report.warn(format!("`{arg} {value}`: headers read from a file are not imported"));
            } else if let Some((name, rest)) = value.split_once(':') {
                let rest = rest.trim_start();
                if rest.is_empty() {
                    let name = name.trim();
                    report.warn(format!("`{arg} '{name}:'` removes a header curl would add: nothing to import"));
                } else {
                    parsed.headers.push((name.trim().to_owned(), rest.to_owned()));
                }
            } else if let Some(name) = value.strip_suffix(';') {
                parsed.headers.push((name.trim().to_owned(), String::new()));
            } else {
                // Not echoed: it may be a credential typed without its header name.
                report.warn(format!("a `{arg}` value is not `Name: value`: ignored"));
            }
        }
        Flag::Data | Flag::DataBinary | Flag::Json if value.starts_with('@') => {
            report.warn(format!(
                "`{arg} {value}`: a body read from a file is not imported (a flow has no file body); \
                 put the content in the block's body"
            ));
            parsed.json |= flag == Flag::Json;
            // Still a body request: curl would POST.
            parsed.data.push(Data::Raw(String::new()));
        }
        Flag::Data | Flag::DataRaw | Flag::DataBinary => parsed.data.push(Data::Raw(value)),
        Flag::Json => {
            parsed.json = true;
            parsed.data.push(Data::Raw(value));
        }
        Flag::DataUrlencode => match value.split_once('=') {
            Some((name, content)) if !name.is_empty() => {
                parsed.data.push(Data::Pair(name.to_owned(), content.to_owned()));
            }
            Some((_, content)) => parsed.data.push(Data::Raw(encode_literal_parts(content))),
            None if value.contains('@') => {
                report.warn(format!("`{arg} {value}`: content read from a file is not imported"));
            }
            None => parsed.data.push(Data::Raw(encode_literal_parts(&value))),
        },
        Flag::User => parsed.user = Some(value),
        Flag::Form | Flag::FormString => {
            let Some((name, content)) = value.split_once('=') else {
                report.warn(format!("a `{arg}` value is not `name=value`: ignored"));
                return;
            };
            let file =
                if flag == Flag::Form { content.strip_prefix('@').or_else(|| content.strip_prefix('<')) } else { None };
            match file {
                Some(path) => {
                    let (path, params) = path.split_once(';').unwrap_or((path, ""));
                    if !params.is_empty() {
                        report.warn(format!("`{arg} {value}`: `;{params}` is not imported"));
                    }
                    if content.starts_with('<') {
                        report.warn(format!("`{arg} {value}`: the file is sent as a file part, not as text"));
                    }
                    let path = unquote(path);
                    parsed.parts.push((name.to_owned(), Part::File(flow_path(&path, cwd, flow_dir))));
                }
                None => parsed.parts.push((name.to_owned(), Part::Text(content.to_owned()))),
            }
        }
        Flag::Get => parsed.get = true,
        Flag::Url => parsed.urls.push(value),
        Flag::UserAgent => parsed.headers.push(("User-Agent".to_owned(), value)),
        Flag::Referer => {
            let value = value.strip_suffix(";auto").unwrap_or(&value).to_owned();
            if !value.is_empty() {
                parsed.headers.push(("Referer".to_owned(), value));
            }
        }
        Flag::Cookie => {
            if value.contains('=') {
                parsed.headers.push(("Cookie".to_owned(), value));
            } else {
                report.warn(format!("`{arg} {value}` reads cookies from a file: not imported"));
            }
        }
        Flag::Location => parsed.location = true,
        Flag::Compressed => {
            report.warn(format!("`{arg}`: not needed; Switchyard does not ask for compressed responses"))
        }
        Flag::MaxTime => match value.trim().parse::<f64>() {
            Ok(seconds) if seconds > 0.0 && seconds.is_finite() => {
                parsed.timeout_ms = Some(((seconds * 1000.0).round() as u64).max(1));
            }
            _ => report.warn(format!("`{arg} {value}` is not a time in seconds above 0: ignored")),
        },
        Flag::Head => parsed.head = true,
        Flag::Insecure => report.warn(format!("`{arg}`: Switchyard always checks certificates; the flag is ignored")),
        Flag::OAuth2Bearer => parsed.bearer = Some(value),
        Flag::SecretNotImported => {
            report.warn(format!("`{arg}` is not imported (its value, a credential, is left out and not shown)"));
        }
        Flag::OutputWithValue => parsed.ignored.push(format!("{arg} {value}")),
        Flag::Output => parsed.ignored.push(arg.to_owned()),
    }
}

fn unquote(text: &str) -> String {
    text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text).to_owned()
}

fn build(mut parsed: Parsed, report: &mut Report, credentials: &mut Credentials) -> Result<SendRequest, ImportError> {
    // The URL: the first word that did not stand right after an unknown flag; else the
    // first of those that reads as a URL (`scheme://`). A word after an unknown flag may
    // be its value, so it is never taken, nor shown, otherwise.
    let chosen = (0..parsed.urls.len())
        .find(|index| !parsed.after_unknown.contains(index))
        .or_else(|| parsed.urls.iter().position(|word| word.contains("://")));
    let Some(chosen) = chosen else {
        let message = match parsed.urls.is_empty() {
            true => "no URL in the curl command",
            false => "no URL in the curl command (a word after an unknown flag may be that flag's value: not taken)",
        };
        return Err(ImportError::new(SOURCE, "", message));
    };
    let extra = parsed.urls.len() - 1;
    let url = parsed.urls.swap_remove(chosen);
    if extra > 0 {
        // Not echoed: a word curl would read as a URL may be the value of a flag this
        // import does not know, a credential maybe.
        let plural = if extra == 1 { "" } else { "s" };
        report.warn(format!(
            "more than one URL: only the first is imported ({extra} more word{plural} left out; check the command)"
        ));
    }
    let url = if url.contains("://") || url.starts_with("{{") { url } else { format!("http://{url}") };
    let (url, userinfo) = match crate::credentials::take_userinfo(&url) {
        Some((url, user, password)) => (url, Some((user, password))),
        None => (url, None),
    };
    let url = credentials.url_query(&url, "");
    let mut request = SendRequest::new(url);
    request.follow_redirects = parsed.location;
    if let Some(timeout) = parsed.timeout_ms {
        request.timeout_ms = timeout;
    }
    let has_body = !parsed.data.is_empty() || !parsed.parts.is_empty();
    request.method = match (parsed.method, parsed.head, parsed.get) {
        (Some(method), _, _) => method,
        (None, true, _) => "HEAD".to_owned(),
        (None, false, true) => "GET".to_owned(),
        (None, false, false) if has_body => "POST".to_owned(),
        _ => "GET".to_owned(),
    };
    if !request.method.chars().all(|c| c.is_ascii_alphabetic()) || request.method.is_empty() {
        return Err(ImportError::new(SOURCE, "-X", format!("`{}` is not an HTTP method", request.method)));
    }
    let mut headers = parsed.headers;
    for (name, value) in &mut headers {
        if is_credential_header(name) {
            *value = credentials.header(name, value, &format!("header `{name}`"));
        }
    }
    if let Some(user) = parsed.user {
        let (username, password) = user.split_once(':').unwrap_or((&user, ""));
        request.auth = Some(credentials.basic(username, password, "-u"));
        if userinfo.is_some() {
            report.warn("the URL's user and password are left out: -u is used instead, as curl does");
        }
    } else if let Some((user, password)) = userinfo {
        request.auth = Some(credentials.basic(&user, &password, "the URL"));
    }
    if let Some(token) = parsed.bearer {
        if request.auth.is_some() {
            report.warn("both a user (-u or in the URL) and --oauth2-bearer: the bearer token is used");
        }
        request.auth = Some(Auth::Bearer { token: credentials.replace(&token, "token", "--oauth2-bearer") });
    }
    if parsed.get {
        for piece in parsed.data {
            match piece {
                Data::Raw(text) => request.query.extend(decode_form(&text)),
                Data::Pair(name, value) => request.query.push((name, value)),
            }
        }
    } else if !parsed.parts.is_empty() {
        if !parsed.data.is_empty() {
            report.warn("both -d and -F were given (curl refuses that): the -d data is left out");
        }
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
        request.body = Some(Body::Multipart(parsed.parts));
    } else if !parsed.data.is_empty() {
        request.body = data_body(parsed.data, parsed.json, &mut headers, report);
    }
    request.headers = headers;
    credentials.fields(&mut request, "");
    Ok(request)
}

/// The body for `-d`-style data, by the content type curl would send.
fn data_body(data: Vec<Data>, json: bool, headers: &mut Vec<(String, String)>, report: &mut Report) -> Option<Body> {
    let content_type_at = headers.iter().rposition(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    let content_type = content_type_at.and_then(|i| headers.get(i)).map(|(_, value)| value.clone());
    let lower = content_type.as_deref().map(|c| c.trim().to_ascii_lowercase());
    let joined = data
        .iter()
        .map(|piece| match piece {
            Data::Raw(text) => text.clone(),
            Data::Pair(name, value) => format!("{name}={}", encode_literal_parts(value)),
        })
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    let take_content_type = |headers: &mut Vec<(String, String)>| {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    };
    if json || lower.as_deref().is_some_and(|c| c.contains("json")) {
        if json && !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept")) {
            headers.push(("Accept".to_owned(), "application/json".to_owned()));
        }
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&joined) {
            // The engine sends `application/json` with a JSON body; any other JSON type
            // (`application/json;charset=UTF-8`, `application/vnd.api+json`) is kept as
            // written.
            if lower.as_deref().is_none_or(|c| c == "application/json") {
                take_content_type(headers);
            }
            return Some(Body::Json(value));
        }
        take_content_type(headers);
        let content_type = content_type.unwrap_or_else(|| "application/json".to_owned());
        return Some(Body::Text { text: joined, content_type: Some(content_type) });
    }
    match lower.as_deref() {
        None | Some("application/x-www-form-urlencoded") => {
            take_content_type(headers);
            let form_like = data.iter().all(|piece| match piece {
                Data::Raw(text) => text.split('&').all(|pair| pair.contains('=') && !pair.starts_with('=')),
                Data::Pair(..) => true,
            });
            if form_like && !joined.is_empty() {
                let mut pairs = Vec::new();
                for piece in data {
                    match piece {
                        Data::Raw(text) => pairs.extend(decode_form(&text)),
                        Data::Pair(name, value) => pairs.push((name, value)),
                    }
                }
                return Some(Body::Form(pairs));
            }
            if lower.is_none()
                && serde_json::from_str::<serde_json::Value>(&joined).is_ok_and(|v| v.is_object() || v.is_array())
            {
                report.warn(
                    "the data looks like JSON but no `Content-Type: application/json` was given: \
                     like curl, it is sent as a form (add -H 'Content-Type: application/json' or use --json)",
                );
            }
            Some(Body::Text { text: joined, content_type: Some("application/x-www-form-urlencoded".to_owned()) })
        }
        Some("text/plain; charset=utf-8") => {
            take_content_type(headers);
            Some(Body::Text { text: joined, content_type: None })
        }
        Some(_) => {
            take_content_type(headers);
            Some(Body::Text { text: joined, content_type })
        }
    }
}

/// `a=1&b=x%20y+z` → `[(a, 1), (b, x y z)]`.
pub(crate) fn decode_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(text)).into_owned()
}

/// Percent-encodes the literal text of `text` (curl's `--data-urlencode`), leaving its
/// `{{references}}` as they are.
pub(crate) fn encode_literal_parts(text: &str) -> String {
    let mut out = String::new();
    for segment in template::parse(text) {
        match segment {
            template::Segment::Var { raw, .. } => out.push_str(raw),
            template::Segment::Text(literal) => {
                for b in literal.bytes() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
        }
    }
    out
}

/// A file path given on the command line (relative to `cwd`) as the flow writes it:
/// relative to the flow's folder, absolute when it cannot be.
fn flow_path(path: &str, cwd: &Path, flow_dir: Option<&Path>) -> String {
    let Some(flow_dir) = flow_dir else { return path.to_owned() };
    let absolute = normalize(&cwd.join(path));
    let base = normalize(&cwd.join(flow_dir));
    relative(&absolute, &base).unwrap_or(absolute).to_string_lossy().replace('\\', "/")
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn relative(path: &Path, base: &Path) -> Option<PathBuf> {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    if path.first() != base.first() {
        return None;
    }
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for component in path.get(common..).unwrap_or_default() {
        out.push(component);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_flow_folder() {
        let cwd = Path::new("/home/me/work");
        assert_eq!(flow_path("a.png", cwd, Some(Path::new("flows"))), "../a.png");
        assert_eq!(flow_path("flows/x/a.png", cwd, Some(Path::new("flows"))), "x/a.png");
        assert_eq!(flow_path("/tmp/a.png", cwd, Some(Path::new("/home/me/work"))), "../../../tmp/a.png");
        assert_eq!(flow_path("a.png", cwd, None), "a.png");
    }

    #[test]
    fn form_data_is_decoded_and_literals_encoded() {
        assert_eq!(
            decode_form("a=1&b=x%20y+z&c"),
            [("a".into(), "1".into()), ("b".into(), "x y z".into()), ("c".into(), String::new())]
        );
        assert_eq!(encode_literal_parts("a b&{{KEY}}é"), "a%20b%26{{KEY}}%C3%A9");
    }
}
