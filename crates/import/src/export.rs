//! A Send Request block as a curl command (`switchyard export curl`): plain variables resolved,
//! secrets as `"${NAME}"` shell references, never their values; every word quoted so a
//! POSIX shell reads it back as written (`'…'`, or `$'…'` when it holds control
//! characters, so the printed command cannot steer a terminal either).

use std::path::Path;

use serde_json::Value;
use switchyard_flow::{ApiKeyLocation, Auth, Body, Part, SendRequest, template};

use crate::curl::encode_literal_parts;
use crate::escape;

/// What a variable is, as the exporter may know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A plain value: written into the command.
    Plain(String),
    /// A secret: written as a shell reference, its value never asked for.
    Secret,
    /// Not defined anywhere: the `{{name}}` is left as text, with a warning.
    Unknown,
}

/// A curl command and what could not be carried over exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlExport {
    /// The command, words separated by ` \` line continuations, no final newline.
    pub command: String,
    /// Secrets to set in the shell, references left as text, and the like.
    pub warnings: Vec<String>,
}

/// One piece of a shell word.
#[derive(Debug, Clone)]
enum Piece {
    /// Literal text.
    Text(String),
    /// A shell variable, `"${NAME}"`.
    Var(String),
}

struct Exporter<'a> {
    lookup: &'a dyn Fn(&str) -> Resolved,
    warnings: Vec<String>,
}

/// `request` as a curl command. `lookup` says what each `{{name}}` is; `base_dir` is
/// the flow file's folder, which a multipart file path is relative to.
pub fn export_curl(request: &SendRequest, lookup: &dyn Fn(&str) -> Resolved, base_dir: Option<&Path>) -> CurlExport {
    let mut exporter = Exporter { lookup, warnings: Vec::new() };
    let mut words: Vec<Vec<Piece>> = vec![vec![Piece::Text("curl".to_owned())]];
    let flag = |name: &str| vec![Piece::Text(name.to_owned())];
    let mut query: Vec<(Vec<Piece>, Vec<Piece>)> =
        request.query.iter().map(|(name, value)| (exporter.pieces(name), exporter.pieces(value))).collect();
    if let Some(Auth::ApiKey { name, value, location: ApiKeyLocation::Query }) = &request.auth {
        query.push((exporter.pieces(name), exporter.pieces(value)));
    }
    let mut url = exporter.pieces(&request.url);
    let query_as_data = request.body.is_none() && !query.is_empty();
    if !query_as_data && !query.is_empty() {
        let mut separator = if request.url.contains('?') { "&" } else { "?" };
        for (name, value) in &query {
            url.push(Piece::Text(separator.to_owned()));
            url.extend(encoded(name));
            url.push(Piece::Text("=".to_owned()));
            url.extend(encoded(value));
            separator = "&";
        }
    }
    words.push(url);
    match request.method.as_str() {
        "GET" => {}
        "HEAD" => words.push(flag("-I")),
        method => {
            words.push(flag("-X"));
            words.push(flag(method));
        }
    }
    if request.follow_redirects {
        words.push(flag("-L"));
    }
    if request.timeout_ms != SendRequest::DEFAULT_TIMEOUT_MS {
        words.push(flag("-m"));
        words.push(flag(&seconds(request.timeout_ms)));
    }
    let header = |name: &[Piece], value: Vec<Piece>| {
        let mut word = name.to_vec();
        if value.is_empty() {
            word.push(Piece::Text(";".to_owned()));
        } else {
            word.push(Piece::Text(": ".to_owned()));
            word.extend(value);
        }
        word
    };
    for (name, value) in &request.headers {
        let value = exporter.pieces(value);
        words.push(flag("-H"));
        words.push(header(&exporter.pieces(name), value));
    }
    match &request.auth {
        None | Some(Auth::ApiKey { location: ApiKeyLocation::Query, .. }) => {}
        Some(Auth::Bearer { token }) => {
            let mut value = vec![Piece::Text("Bearer ".to_owned())];
            value.extend(exporter.pieces(token));
            words.push(flag("-H"));
            words.push(header(&[Piece::Text("Authorization".to_owned())], value));
        }
        Some(Auth::ApiKey { name, value, location: ApiKeyLocation::Header }) => {
            let value = exporter.pieces(value);
            words.push(flag("-H"));
            words.push(header(&exporter.pieces(name), value));
        }
        Some(Auth::Basic { username, password }) => {
            let mut word = exporter.pieces(username);
            word.push(Piece::Text(":".to_owned()));
            word.extend(exporter.pieces(password));
            words.push(flag("-u"));
            words.push(word);
        }
    }
    let has_content_type = request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    match &request.body {
        None => {}
        Some(Body::Json(value)) => {
            if !has_content_type {
                words.push(flag("-H"));
                words.push(flag("Content-Type: application/json"));
            }
            let mut word = Vec::new();
            exporter.json(value, &mut word);
            words.push(flag("--data-raw"));
            words.push(word);
        }
        Some(Body::Text { text, content_type }) => {
            if !has_content_type {
                let mut word = vec![Piece::Text("Content-Type: ".to_owned())];
                match content_type {
                    Some(content_type) => word.extend(exporter.pieces(content_type)),
                    None => word.push(Piece::Text("text/plain; charset=utf-8".to_owned())),
                }
                words.push(flag("-H"));
                words.push(word);
            }
            words.push(flag("--data-raw"));
            words.push(exporter.pieces(text));
        }
        Some(Body::Form(pairs)) => {
            for (name, value) in pairs {
                let mut word = exporter.pieces(name);
                word.push(Piece::Text("=".to_owned()));
                word.extend(exporter.pieces(value));
                words.push(flag("--data-urlencode"));
                words.push(word);
            }
        }
        Some(Body::Multipart(parts)) => {
            for (name, part) in parts {
                let mut word = exporter.pieces(name);
                word.push(Piece::Text("=".to_owned()));
                match part {
                    Part::Text(text) => {
                        let pieces = exporter.pieces(text);
                        let literal_start = matches!(pieces.first(), Some(Piece::Text(t)) if t.starts_with(['@', '<']));
                        words.push(flag(if literal_start { "--form-string" } else { "-F" }));
                        word.extend(pieces);
                    }
                    Part::File(file) => {
                        let path = match base_dir {
                            Some(dir) => dir.join(file).to_string_lossy().into_owned(),
                            None => file.clone(),
                        };
                        words.push(flag("-F"));
                        let quote = path.contains([';', ',', '"']);
                        word.push(Piece::Text(if quote { format!("@\"{path}\"") } else { format!("@{path}") }));
                    }
                }
                words.push(word);
            }
        }
    }
    if query_as_data {
        words.push(flag("-G"));
        for (name, value) in query {
            let mut word = name;
            word.push(Piece::Text("=".to_owned()));
            word.extend(value);
            words.push(flag("--data-urlencode"));
            words.push(word);
        }
    }
    // `curl URL` on the first line, then one flag (with its value) per line.
    let mut iter = words.iter().map(|word| quote_word(word));
    let mut command = iter.next().unwrap_or_default();
    if let Some(url) = iter.next() {
        command.push(' ');
        command.push_str(&url);
    }
    while let Some(word) = iter.next() {
        command.push_str(" \\\n  ");
        let takes_value = !matches!(word.as_str(), "-L" | "-G" | "-I");
        command.push_str(&word);
        if takes_value && let Some(value) = iter.next() {
            command.push(' ');
            command.push_str(&value);
        }
    }
    CurlExport { command, warnings: exporter.warnings }
}

fn seconds(ms: u64) -> String {
    let text = format!("{}.{:03}", ms / 1000, ms % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Literal pieces percent-encoded for a query string; shell variables as they are.
fn encoded(pieces: &[Piece]) -> Vec<Piece> {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => {
                Piece::Text(encode_literal_parts(text).replace("{{", "%7B%7B").replace("}}", "%7D%7D"))
            }
            Piece::Var(name) => Piece::Var(name.clone()),
        })
        .collect()
}

impl Exporter<'_> {
    fn warn(&mut self, text: String) {
        let text = escape(&text);
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }

    /// A template as shell pieces: plain values in, secrets as shell variables.
    fn pieces(&mut self, text: &str) -> Vec<Piece> {
        let mut out: Vec<Piece> = Vec::new();
        let push_text = |out: &mut Vec<Piece>, text: &str| match out.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => out.push(Piece::Text(text.to_owned())),
        };
        for segment in template::parse(text) {
            match segment {
                template::Segment::Text(literal) => push_text(&mut out, literal),
                template::Segment::Var { name, raw } => {
                    if template::input_path(name).is_some() {
                        self.warn(format!("`{raw}` is the value from the block before; it is left as text"));
                        push_text(&mut out, raw);
                        continue;
                    }
                    if template::is_dynamic_name(name) {
                        self.warn(format!("`{raw}` is made when the flow runs; it is left as text"));
                        push_text(&mut out, raw);
                        continue;
                    }
                    match (self.lookup)(name) {
                        Resolved::Plain(value) => push_text(&mut out, &value),
                        Resolved::Secret => {
                            let shell = shell_name(name);
                            if shell == name {
                                self.warn(format!("secret `{name}` is `${shell}`: set it in the shell first"));
                            } else {
                                self.warn(format!(
                                    "secret `{name}` is `${shell}` (a shell name): set it in the shell first"
                                ));
                            }
                            out.push(Piece::Var(shell));
                        }
                        Resolved::Unknown => {
                            self.warn(format!("`{raw}` is not defined; it is left as text"));
                            push_text(&mut out, raw);
                        }
                    }
                }
            }
        }
        out
    }

    /// Compact JSON with its string leaves rendered.
    fn json(&mut self, value: &Value, out: &mut Vec<Piece>) {
        let push = |out: &mut Vec<Piece>, text: &str| match out.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => out.push(Piece::Text(text.to_owned())),
        };
        match value {
            Value::String(text) => {
                push(out, "\"");
                for piece in self.pieces(text) {
                    match piece {
                        Piece::Text(text) => {
                            let quoted = Value::String(text).to_string();
                            push(out, quoted.get(1..quoted.len() - 1).unwrap_or_default());
                        }
                        var => out.push(var),
                    }
                }
                push(out, "\"");
            }
            Value::Array(items) => {
                push(out, "[");
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        push(out, ",");
                    }
                    self.json(item, out);
                }
                push(out, "]");
            }
            Value::Object(map) => {
                push(out, "{");
                for (index, (key, item)) in map.iter().enumerate() {
                    if index > 0 {
                        push(out, ",");
                    }
                    push(out, &Value::String(key.clone()).to_string());
                    push(out, ":");
                    self.json(item, out);
                }
                push(out, "}");
            }
            scalar => push(out, &scalar.to_string()),
        }
    }
}

/// A variable name as a shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn shell_name(name: &str) -> String {
    let mut out: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// One shell word: `'…'` pieces (or `$'…'` with control characters) and `"${NAME}"`.
fn quote_word(pieces: &[Piece]) -> String {
    let mut merged: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (merged.last_mut(), piece) {
            (Some(Piece::Text(last)), Piece::Text(text)) => last.push_str(text),
            _ => merged.push(piece.clone()),
        }
    }
    if merged.is_empty() {
        return "''".to_owned();
    }
    let mut out = String::new();
    for piece in &merged {
        match piece {
            Piece::Var(name) => {
                out.push_str("\"${");
                out.push_str(name);
                out.push_str("}\"");
            }
            Piece::Text(text) if text.is_empty() => out.push_str("''"),
            Piece::Text(text) if !text.is_empty() && text.chars().all(is_bare) => out.push_str(text),
            Piece::Text(text) if text.chars().any(char::is_control) => {
                out.push_str("$'");
                for c in text.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        '\r' => out.push_str("\\r"),
                        c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                        c => out.push(c),
                    }
                }
                out.push('\'');
            }
            Piece::Text(text) => {
                out.push('\'');
                out.push_str(&text.replace('\'', "'\\''"));
                out.push('\'');
            }
        }
    }
    out
}

/// Characters a shell word may hold without quotes.
fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '%' | '+' | ',')
}
