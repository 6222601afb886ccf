//! The encodings a hostile or merely helpful server may echo a secret back in, written
//! out by hand (std only) so that the test servers do not share code with the masking
//! they test. Used by the engine's test server and, through `#[path]`, by the
//! end-to-end tests' server in `crates/switchyard/tests/common`.
#![allow(dead_code)]

/// Every encoding name [`encode`] knows.
pub const ENCODINGS: &[&str] = &[
    "raw",
    "upper",
    "lower",
    "pct-upper",
    "pct-lower",
    "pct-mixed",
    "pct-reserved",
    "form",
    "json-u",
    "json-slash",
    "json-quoted",
    "base64",
    "base64-nopad",
    "base64url",
    "pct-twice",
    "html",
    "html-39",
    "xml",
    "html-dec",
    "html-hex",
];

/// `text` in encoding `kind` (see [`ENCODINGS`]); an unknown kind gives `text` as is.
pub fn encode(kind: &str, text: &str) -> String {
    match kind {
        "upper" => text.to_uppercase(),
        "lower" => text.to_lowercase(),
        // Every byte but letters and digits, upper-case hex (strict encoders).
        "pct-upper" => percent(text, |b| !b.is_ascii_alphanumeric(), true),
        "pct-lower" => percent(text, |b| !b.is_ascii_alphanumeric(), false),
        // Like Python's `quote`: unreserved and `/` stay raw, the rest encoded.
        "pct-reserved" => percent(text, |b| !(b.is_ascii_alphanumeric() || b"-._~/".contains(&b)), true),
        // Every other byte encoded, lower-case hex: any mix must still be found.
        "pct-mixed" => {
            let mut out = String::new();
            for (i, b) in text.bytes().enumerate() {
                if i % 2 == 0 || !b.is_ascii() {
                    out.push_str(&format!("%{b:02x}"));
                } else {
                    out.push(char::from(b));
                }
            }
            out
        }
        // HTML form style: space as `+`.
        "form" => {
            let mut out = String::new();
            for b in text.bytes() {
                match b {
                    b' ' => out.push('+'),
                    b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(char::from(b)),
                    b => out.push_str(&format!("%{b:02X}")),
                }
            }
            out
        }
        // Every character as `\uXXXX` (surrogate pairs beyond the BMP).
        "json-u" => {
            let mut out = String::new();
            for unit in text.encode_utf16() {
                out.push_str(&format!("\\u{unit:04x}"));
            }
            out
        }
        "json-slash" => text.replace('/', "\\/"),
        // As inside a JSON string literal: `"` and `\` escaped, non-ASCII as \u.
        "json-quoted" => {
            let mut out = String::new();
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
                    c => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04X}"));
                        }
                    }
                }
            }
            out
        }
        "base64" => base64(text.as_bytes(), b'+', b'/', true),
        "base64-nopad" => base64(text.as_bytes(), b'+', b'/', false),
        "base64url" => base64(text.as_bytes(), b'-', b'_', false),
        "pct-twice" => encode("pct-upper", &encode("pct-upper", text)),
        // Python's `html.escape`: `&`, `<`, `>`, `"` and `'` (as `&#x27;`).
        "html" => html(text, |c| match c {
            '"' => Some("&quot;".to_owned()),
            '\'' => Some("&#x27;".to_owned()),
            _ => None,
        }),
        // Go's `html.EscapeString`: `"` as `&#34;`, `'` as `&#39;`.
        "html-39" => html(text, |c| match c {
            '"' => Some("&#34;".to_owned()),
            '\'' => Some("&#39;".to_owned()),
            _ => None,
        }),
        // XML's five: `'` as `&apos;`.
        "xml" => html(text, |c| match c {
            '"' => Some("&quot;".to_owned()),
            '\'' => Some("&apos;".to_owned()),
            _ => None,
        }),
        // Every character but ASCII letters and digits as a decimal reference, zero-padded.
        "html-dec" => text
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("&#{:03};", u32::from(c)) })
            .collect(),
        // Every character as an upper-case hex reference (`&#X6B;`).
        "html-hex" => text.chars().map(|c| format!("&#X{:X};", u32::from(c))).collect(),
        _ => text.to_owned(),
    }
}

/// `&`, `<` and `>` escaped, and each other character as `other` says.
fn html(text: &str, other: impl Fn(char) -> Option<String>) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => match other(c) {
                Some(escaped) => out.push_str(&escaped),
                None => out.push(c),
            },
        }
    }
    out
}

/// Undoes HTML/XML character references (the named five and numeric ones), for
/// reading text the way a browser would.
pub fn unhtml(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 12).and_then(|end| {
            let name = &rest[1..end];
            let c = match name.to_ascii_lowercase().as_str() {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                lower => match lower.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => lower.strip_prefix('#').and_then(|dec| dec.parse().ok()).and_then(char::from_u32),
                },
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent(text: &str, encode: impl Fn(u8) -> bool, upper: bool) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if encode(b) {
            if upper {
                out.push_str(&format!("%{b:02X}"));
            } else {
                out.push_str(&format!("%{b:02x}"));
            }
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Standard base64 with padding (a Basic credential's form).
pub fn base64_standard(bytes: &[u8]) -> String {
    base64(bytes, b'+', b'/', true)
}

fn base64(bytes: &[u8], plus: u8, slash: u8, pad: bool) -> String {
    let alphabet: Vec<u8> = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        .iter()
        .copied()
        .chain([plus, slash])
        .collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Undoes base64 (either alphabet, padding optional), for servers that decode a
/// Basic credential. `None` when `text` is not base64.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        bits = (bits << 6) | u32::from(value(c)?);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// Undoes percent-encoding (`+` left alone), for reading a query parameter.
pub fn unpercent(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What `/reflect` answers with: the part `from` of the request, in encoding `enc`.
/// `from` is `auth` (the Authorization header), `token` (its credential, after the
/// scheme word), `password` (the password of a Basic credential), `query` (the
/// decoded query parameter `v`) or `body`.
pub fn reflect(from: &str, enc: &str, authorization: &str, query: &str, body: &str) -> String {
    let part = match from {
        "auth" => authorization.to_owned(),
        "token" => authorization.split_once(' ').map(|(_, t)| t.to_owned()).unwrap_or_default(),
        "password" => authorization
            .split_once(' ')
            .and_then(|(_, t)| unbase64(t))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .and_then(|pair| pair.split_once(':').map(|(_, p)| p.to_owned()))
            .unwrap_or_default(),
        "query" => query
            .split('&')
            .find_map(|pair| pair.strip_prefix("v="))
            .map(|v| unpercent(&v.replace('+', " ")))
            .unwrap_or_default(),
        _ => body.to_owned(),
    };
    encode(enc, &part)
}

/// The `from` and `enc` parameters of a `/reflect?from=…&enc=…` query.
pub fn reflect_params(query: &str) -> (String, String) {
    let mut from = "token".to_owned();
    let mut enc = "raw".to_owned();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("from", value)) => from = value.to_owned(),
            Some(("enc", value)) => enc = value.to_owned(),
            _ => {}
        }
    }
    (from, enc)
}
