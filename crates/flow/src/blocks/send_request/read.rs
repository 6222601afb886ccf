//! Reading a `send_request` block's fields: its body, auth, statuses, checks and
//! captures, each shape problem reported with its place.

use super::{ApiKeyLocation, Auth, Body, Capture, Check, Expression, Part, SendRequest, StatusPattern};
use crate::error::Problem;
use crate::node::{Node, Object};
use crate::read::{Reader, join};

impl SendRequest {
    /// Reads the fields of a `send_request` block (`path` is the block's).
    pub(super) fn read_fields(r: &mut Reader, fields: &Object, path: &str) -> Option<SendRequest> {
        let url = r.required_string(fields, path, "url");
        let mut request = SendRequest::new(url.unwrap_or_default());
        if let Some(method) = r.optional_string(fields, path, "method") {
            let valid = !method.is_empty() && method.chars().all(|c| c.is_ascii_alphabetic());
            if valid {
                request.method = method.to_ascii_uppercase();
            } else {
                r.problem(join(path, "method"), format!("invalid HTTP method `{method}`"));
            }
        }
        request.headers = r.pairs(fields, path, "headers");
        request.query = r.pairs(fields, path, "query");
        if let Some(body) = fields.get("body") {
            request.body = Self::body(r, body, &join(path, "body"));
        }
        if let Some(auth) = fields.get("auth") {
            request.auth = Self::auth(r, auth, &join(path, "auth"));
        }
        match fields.get("timeout_ms") {
            None => {}
            Some(Node::Number(n)) => match n.as_u64() {
                Some(ms) if ms > 0 => request.timeout_ms = ms,
                _ => r.problem(join(path, "timeout_ms"), "expected a whole number of milliseconds above 0"),
            },
            Some(other) => r.problem(
                join(path, "timeout_ms"),
                format!("expected a whole number of milliseconds, found {}", other.type_word()),
            ),
        }
        if let Some(statuses) = fields.get("success_status") {
            request.success_status = Self::statuses(r, statuses, &join(path, "success_status"));
        }
        match fields.get("follow_redirects") {
            None => {}
            Some(Node::Bool(follow)) => request.follow_redirects = *follow,
            Some(other) => r.problem(
                join(path, "follow_redirects"),
                format!("expected true or false, found {}", other.type_word()),
            ),
        }
        request.checks = Self::checks(r, fields, path);
        request.max_request_bytes = r.byte_limit(fields, path, "max_request_bytes");
        request.captures = Self::captures(r, fields.get("captures"), &join(path, "captures"));
        Some(request)
    }

    /// `[[name, expression], …]`, each item perhaps with a third element `"secret"`.
    fn captures(r: &mut Reader, value: Option<&Node>, path: &str) -> Vec<Capture> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Node::Array(items) = value else {
            r.problem(
                path,
                format!(
                    "expected a list of `[name, expression]` or `[name, expression, \"secret\"]`, found {}",
                    value.type_word()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let place = format!("{path}[{index}]");
            match item.as_array() {
                Some([Node::String(name), Node::String(expression)]) => out.push(Capture {
                    name: name.to_string(),
                    expression: Expression::new(expression.to_string()),
                    secret: false,
                }),
                Some([Node::String(name), Node::String(expression), Node::String(kind)]) => {
                    if *kind == Capture::SECRET {
                        out.push(Capture {
                            name: name.to_string(),
                            expression: Expression::new(expression.to_string()),
                            secret: true,
                        });
                    } else {
                        let hint = r.suggester.suggest(kind, [Capture::SECRET]);
                        r.problems.push(
                            Problem::at(
                                format!("{place}[2]"),
                                format!("the third element of a capture can only be \"secret\", found \"{kind}\""),
                            )
                            .with_suggestion(hint),
                        );
                    }
                }
                Some(_) => r.problem(
                    place,
                    "expected `[name, expression]` or `[name, expression, \"secret\"]`: two or three strings",
                ),
                None => r.problem(
                    place,
                    format!(
                        "expected `[name, expression]` or `[name, expression, \"secret\"]`, found {}",
                        item.type_word()
                    ),
                ),
            }
        }
        out
    }

    fn checks(r: &mut Reader, fields: &Object, path: &str) -> Vec<Check> {
        r.pairs(fields, path, "checks")
            .into_iter()
            .map(|(name, condition)| Check { name, condition: Expression::new(condition) })
            .collect()
    }

    fn statuses(r: &mut Reader, value: &Node, path: &str) -> Vec<StatusPattern> {
        let texts: Vec<(String, &Node)> = match value {
            Node::String(_) => vec![(path.to_owned(), value)],
            Node::Array(items) if !items.is_empty() => {
                items.iter().enumerate().map(|(i, item)| (format!("{path}[{i}]"), item)).collect()
            }
            _ => {
                r.problem(path, "expected a status pattern like \"2xx\" or a list like [\"2xx\", \"304\"]");
                return vec![StatusPattern::default_success()];
            }
        };
        let mut out = Vec::new();
        for (place, item) in texts {
            match item.as_str().and_then(StatusPattern::parse) {
                Some(pattern) => out.push(pattern),
                None => r.problem(
                    place,
                    format!("invalid status pattern {item}: use three characters like \"200\", \"2xx\" or \"30x\""),
                ),
            }
        }
        out
    }

    fn body(r: &mut Reader, value: &Node, path: &str) -> Option<Body> {
        let Node::Object(fields) = value else {
            r.problem(path, format!("expected an object like {{\"json\": …}}, found {}", value.type_word()));
            return None;
        };
        let kinds: Vec<&str> =
            ["json", "text", "form", "multipart"].into_iter().filter(|k| fields.contains_key(k)).collect();
        match kinds.as_slice() {
            ["json"] => {
                r.unknown_keys_in(fields, path, &["json"], "a json body");
                fields.get("json").map(|json| Body::Json(json.to_value()))
            }
            ["text"] => {
                r.unknown_keys_in(fields, path, &["text", "content_type"], "a text body");
                let text = r.optional_string(fields, path, "text")?;
                let content_type = r.optional_string(fields, path, "content_type");
                Some(Body::Text { text, content_type })
            }
            ["form"] => {
                r.unknown_keys_in(fields, path, &["form"], "a form body");
                Some(Body::Form(r.pairs(fields, path, "form")))
            }
            ["multipart"] => {
                r.unknown_keys_in(fields, path, &["multipart"], "a multipart body");
                Some(Body::Multipart(Self::parts(r, fields.get("multipart"), &join(path, "multipart"))))
            }
            [] => {
                let hint = fields.keys().find_map(|k| r.suggester.suggest(k, ["json", "text", "form", "multipart"]));
                r.problems.push(
                    Problem::at(
                        path,
                        "a body is one of {\"json\": …}, {\"text\": …}, {\"form\": […]} or {\"multipart\": […]}",
                    )
                    .with_suggestion(hint),
                );
                None
            }
            _ => {
                r.problem(path, format!("a body has one kind, found {}", kinds.join(" and ")));
                None
            }
        }
    }

    fn auth(r: &mut Reader, value: &Node, path: &str) -> Option<Auth> {
        let Node::Object(fields) = value else {
            r.problem(
                path,
                format!("expected an object like {{\"type\": \"bearer\", …}}, found {}", value.type_word()),
            );
            return None;
        };
        let kind = r.required_string(fields, path, "type")?;
        match kind.as_str() {
            "bearer" => {
                r.unknown_keys_in(fields, path, &["type", "token"], "bearer auth");
                Some(Auth::Bearer { token: r.required_string(fields, path, "token")? })
            }
            "api_key" => {
                r.unknown_keys_in(fields, path, &["type", "name", "value", "in"], "api_key auth");
                let name = r.required_string(fields, path, "name");
                let value = r.required_string(fields, path, "value");
                let location = match r.optional_string(fields, path, "in").as_deref() {
                    None | Some("header") => ApiKeyLocation::Header,
                    Some("query") => ApiKeyLocation::Query,
                    Some(other) => {
                        let hint = r.suggester.suggest(other, ["header", "query"]);
                        r.problems.push(
                            Problem::at(
                                join(path, "in"),
                                format!("`in` is \"header\" or \"query\", found \"{other}\""),
                            )
                            .with_suggestion(hint),
                        );
                        ApiKeyLocation::Header
                    }
                };
                Some(Auth::ApiKey { name: name?, value: value?, location })
            }
            "basic" => {
                r.unknown_keys_in(fields, path, &["type", "username", "password"], "basic auth");
                let username = r.required_string(fields, path, "username");
                let password = r.optional_string(fields, path, "password").unwrap_or_default();
                Some(Auth::Basic { username: username?, password })
            }
            other => {
                let hint = r.suggester.suggest(other, ["bearer", "api_key", "basic"]);
                r.problems.push(
                    Problem::at(join(path, "type"), format!("unknown auth type `{other}` (bearer, api_key or basic)"))
                        .with_suggestion(hint),
                );
                None
            }
        }
    }

    /// A multipart body's `[[name, value], …]`, each value text or `{"file": "PATH"}`.
    fn parts(r: &mut Reader, value: Option<&Node>, path: &str) -> Vec<(String, Part)> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Node::Array(items) = value else {
            r.problem(path, format!("expected a list of `[name, value]` pairs, found {}", value.type_word()));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let place = format!("{path}[{index}]");
            match item.as_array() {
                Some([Node::String(name), Node::String(text)]) => {
                    out.push((name.to_string(), Part::Text(text.to_string())))
                }
                Some([Node::String(name), Node::Object(file)]) => {
                    r.unknown_keys_in(file, &format!("{place}[1]"), &["file"], "a file part");
                    match file.get("file") {
                        Some(Node::String(file)) if !file.is_empty() => {
                            out.push((name.to_string(), Part::File(file.to_string())));
                        }
                        _ => r.problem(format!("{place}[1].file"), "expected a file path (text)"),
                    }
                }
                _ => r.problem(place, "expected `[name, value]`: a name and either text or {\"file\": \"PATH\"}"),
            }
        }
        out
    }
}
