//! Splitting a shell command into words, as a POSIX shell or Windows `cmd` would.
//!
//! Why not the `shell-words` crate: it knows neither `$'…'` (ANSI-C quoting, which
//! browsers' "Copy as cURL" uses), nor `cmd`'s `^` escapes and continuations, nor
//! which parts of a word were single-quoted, which decides whether `$NAME` is a
//! shell variable. Shell variables (`$NAME`, `${NAME}`, `%NAME%` in cmd) become
//! `{{NAME}}`. One pass over the characters; never panics.

/// The words of a command, and notes on what was not taken literally.
#[derive(Debug, Default)]
pub(crate) struct Words {
    pub words: Vec<String>,
    pub notes: Vec<String>,
}

/// Splits `text`. Windows `cmd` rules apply when the text has `^` line continuations
/// or `^"` quotes; POSIX shell rules otherwise.
pub(crate) fn split(text: &str) -> Result<Words, String> {
    let chars: Vec<char> = text.chars().collect();
    if text.contains("^\n") || text.contains("^\r\n") || text.contains("^\"") {
        Ok(split_cmd(&chars))
    } else {
        split_posix(&chars)
    }
}

struct Builder {
    out: Words,
    word: String,
    in_word: bool,
}

impl Builder {
    fn new() -> Self {
        Self { out: Words::default(), word: String::new(), in_word: false }
    }

    fn push(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn push_str(&mut self, text: &str) {
        self.word.push_str(text);
        self.in_word = true;
    }

    fn end_word(&mut self) {
        if self.in_word {
            self.out.words.push(std::mem::take(&mut self.word));
            self.in_word = false;
        }
    }

    fn finish(mut self) -> Words {
        self.end_word();
        self.out
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads a variable after `$` at `chars[i]` (the character after the `$`). Returns the
/// `{{NAME}}` text and the index after it, or `None` when it is no variable.
fn variable(chars: &[char], i: usize, notes: &mut Vec<String>) -> Option<(String, usize)> {
    match chars.get(i) {
        Some('{') => {
            let mut j = i + 1;
            let mut name = String::new();
            while let Some(&c) = chars.get(j) {
                if !is_name_char(c) {
                    break;
                }
                name.push(c);
                j += 1;
            }
            if name.is_empty() || !name.starts_with(is_name_start) {
                return None;
            }
            // `${NAME:-default}` and friends: the name is kept, the rest dropped.
            // Bounded, so that a run of unclosed `${a:` stays linear.
            let close = chars.get(j..)?.iter().take(256).take_while(|&&c| c != '}').count();
            let end = j + close;
            chars.get(end)?;
            if close > 0 {
                notes.push(format!("`${{{name}…}}`: only the variable `{name}` was kept"));
            }
            Some((format!("{{{{{name}}}}}"), end + 1))
        }
        Some(&c) if is_name_start(c) => {
            let mut j = i;
            let mut name = String::new();
            while let Some(&c) = chars.get(j) {
                if !is_name_char(c) {
                    break;
                }
                name.push(c);
                j += 1;
            }
            Some((format!("{{{{{name}}}}}"), j))
        }
        Some('(') => {
            notes.push("a command substitution `$(…)` is not run; it was kept as text".to_owned());
            None
        }
        _ => None,
    }
}

fn hex_value(chars: &[char], start: usize, max: usize, radix: u32) -> (u32, usize) {
    let mut value = 0u32;
    let mut len = 0;
    while len < max {
        match chars.get(start + len).and_then(|c| c.to_digit(radix)) {
            Some(digit) => {
                value = value.saturating_mul(radix).saturating_add(digit);
                len += 1;
            }
            None => break,
        }
    }
    (value, len)
}

/// Reads `$'…'` from just after the opening quote; returns the text and the index after
/// the closing quote.
fn ansi_c(chars: &[char], mut i: usize, opened: usize) -> Result<(String, usize), String> {
    let mut out = String::new();
    loop {
        match chars.get(i) {
            None => return Err(format!("unterminated $'…' quote (opened at character {})", opened + 1)),
            Some('\'') => return Ok((out, i + 1)),
            Some('\\') => {
                let Some(&c) = chars.get(i + 1) else {
                    return Err(format!("unterminated $'…' quote (opened at character {})", opened + 1));
                };
                i += 2;
                let simple = match c {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'e' | 'E' => Some('\u{1b}'),
                    'f' => Some('\u{c}'),
                    'v' => Some('\u{b}'),
                    '\\' | '\'' | '"' | '?' => Some(c),
                    _ => None,
                };
                if let Some(simple) = simple {
                    out.push(simple);
                    continue;
                }
                let (radix, max, start) = match c {
                    'x' => (16, 2, i),
                    'u' => (16, 4, i),
                    'U' => (16, 8, i),
                    '0'..='7' => (8, 3, i - 1),
                    _ => {
                        out.push('\\');
                        out.push(c);
                        continue;
                    }
                };
                let (value, len) = hex_value(chars, start, max, radix);
                if len == 0 {
                    out.push('\\');
                    out.push(c);
                    continue;
                }
                i = start + len;
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            Some(&c) => {
                out.push(c);
                i += 1;
            }
        }
    }
}

fn split_posix(chars: &[char]) -> Result<Words, String> {
    let mut b = Builder::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                b.end_word();
                i += 1;
            }
            '\\' => match chars.get(i + 1) {
                Some('\n') => i += 2,
                Some('\r') if chars.get(i + 2) == Some(&'\n') => i += 3,
                Some(&next) => {
                    b.push(next);
                    i += 2;
                }
                None => {
                    b.push('\\');
                    i += 1;
                }
            },
            '\'' => {
                let close = chars
                    .get(i + 1..)
                    .and_then(|rest| rest.iter().position(|&c| c == '\''))
                    .ok_or_else(|| format!("unterminated ' quote (opened at character {})", i + 1))?;
                let text: String = chars.get(i + 1..i + 1 + close).unwrap_or_default().iter().collect();
                b.push_str(&text);
                i += close + 2;
            }
            '"' => {
                let opened = i;
                i += 1;
                b.in_word = true;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unterminated \" quote (opened at character {})", opened + 1)),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => match chars.get(i + 1) {
                            Some('\n') => i += 2,
                            Some(&next @ ('$' | '`' | '"' | '\\')) => {
                                b.push(next);
                                i += 2;
                            }
                            _ => {
                                b.push('\\');
                                i += 1;
                            }
                        },
                        Some('$') => match variable(chars, i + 1, &mut b.out.notes) {
                            Some((text, next)) => {
                                b.push_str(&text);
                                i = next;
                            }
                            None => {
                                b.push('$');
                                i += 1;
                            }
                        },
                        Some(&other) => {
                            b.push(other);
                            i += 1;
                        }
                    }
                }
            }
            '$' if chars.get(i + 1) == Some(&'\'') => {
                let (text, next) = ansi_c(chars, i + 2, i)?;
                b.push_str(&text);
                i = next;
            }
            '$' => match variable(chars, i + 1, &mut b.out.notes) {
                Some((text, next)) => {
                    b.push_str(&text);
                    i = next;
                }
                None => {
                    b.push('$');
                    i += 1;
                }
            },
            '#' if !b.in_word => {
                i += chars.get(i..).unwrap_or_default().iter().take_while(|&&c| c != '\n').count();
            }
            '|' | ';' | '&' | '>' | '<' => {
                b.out
                    .notes
                    .push(format!("everything from the unquoted `{c}` on was ignored (not part of the curl command)"));
                break;
            }
            other => {
                b.push(other);
                i += 1;
            }
        }
    }
    Ok(b.finish())
}

fn split_cmd(chars: &[char]) -> Words {
    let mut b = Builder::new();
    let mut quoted = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '^' => match chars.get(i + 1) {
                Some('\n') => i += 2,
                Some('\r') if chars.get(i + 2) == Some(&'\n') => i += 3,
                Some('"') => {
                    quoted = !quoted;
                    b.in_word = true;
                    i += 2;
                }
                Some(&next) => {
                    b.push(next);
                    i += 2;
                }
                None => i += 1,
            },
            '\\' if chars.get(i + 1) == Some(&'"') => {
                b.push('"');
                i += 2;
            }
            '\\' if chars.get(i + 1) == Some(&'^') && chars.get(i + 2) == Some(&'"') => {
                b.push('"');
                i += 3;
            }
            '"' => {
                quoted = !quoted;
                b.in_word = true;
                i += 1;
            }
            '%' => {
                let name: String =
                    chars.get(i + 1..).unwrap_or_default().iter().take_while(|&&c| is_name_char(c)).collect();
                if !name.is_empty() && chars.get(i + 1 + name.chars().count()) == Some(&'%') {
                    b.push_str(&format!("{{{{{name}}}}}"));
                    i += name.chars().count() + 2;
                } else {
                    b.push('%');
                    i += 1;
                }
            }
            ' ' | '\t' | '\n' | '\r' if !quoted => {
                b.end_word();
                i += 1;
            }
            other => {
                b.push(other);
                i += 1;
            }
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split(text).unwrap().words
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        assert_eq!(words("curl 'a b' \"c d\" e\\ f \\\n  -H x"), ["curl", "a b", "c d", "e f", "-H", "x"]);
        assert_eq!(words("a '' \"\" b"), ["a", "", "", "b"]);
        assert_eq!(words(r#"a "q\"uote\\" 'it'\''s'"#), ["a", "q\"uote\\", "it's"]);
    }

    #[test]
    fn ansi_c_quotes_decode_escapes() {
        assert_eq!(words(r"$'a\nb\t\x41\u00e9\101\'q'"), ["a\nb\tAéA'q"]);
    }

    #[test]
    fn shell_variables_become_references_except_in_single_quotes() {
        assert_eq!(
            words(r#"-H "Authorization: Bearer $TOKEN" ${KEY}x '$NOT' $"#),
            ["-H", "Authorization: Bearer {{TOKEN}}", "{{KEY}}x", "$NOT", "$"]
        );
    }

    #[test]
    fn windows_cmd_carets_and_quotes() {
        let text = "curl ^\"https://x.test/a?b=1^&c=2^\" ^\n  -H ^\"Accept: */*^\" ^\n  --data-raw ^\"^{\\^\"a\\^\":1^}^\" %TOKEN%";
        assert_eq!(
            words(text),
            ["curl", "https://x.test/a?b=1&c=2", "-H", "Accept: */*", "--data-raw", "{\"a\":1}", "{{TOKEN}}"]
        );
    }

    #[test]
    fn unterminated_quotes_are_errors_with_their_place() {
        assert_eq!(split("curl 'abc").unwrap_err(), "unterminated ' quote (opened at character 6)");
        assert!(split("curl \"abc").is_err());
        assert!(split("curl $'abc\\").is_err());
    }

    #[test]
    fn pipes_end_the_command_with_a_note() {
        let out = split("curl https://x.test | jq .").unwrap();
        assert_eq!(out.words, ["curl", "https://x.test"]);
        assert_eq!(out.notes.len(), 1);
    }
}
