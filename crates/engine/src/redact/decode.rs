//! The decoding layers a text is searched in: percent escapes, JSON escapes and
//! HTML/XML character references, undone together or some kinds alone, layer after
//! layer, each match mapped back to the stretch of the original text it came from.

use std::borrow::Cow;
use std::ops::Range;

use aho_corasick::AhoCorasick;

/// How many times a text is decoded at most (a value encoded twice, then put in a
/// query, is still found); each layer is made only while escapes remain.
const DECODE_LAYERS: usize = 4;

/// Calls `found` with the byte range in `text` and the pattern index of every match,
/// in the text as it is and in each decoded layer.
pub(super) fn for_each_match(matcher: &AhoCorasick, text: &[u8], found: &mut dyn FnMut(Range<usize>, usize)) {
    for hit in matcher.find_overlapping_iter(text) {
        found(extend_padding(text, hit.range()), hit.pattern().as_usize());
    }
    let mut layers: Vec<Decoded> = Vec::new();
    for depth in 0..=DECODE_LAYERS {
        let (kinds, has_slash) = {
            let source = layers.last().map_or(text, |layer| layer.bytes.as_slice());
            let present: Vec<Escapes> = Escapes::KINDS.into_iter().filter(|kind| kind.present_in(source)).collect();
            (present, Escapes::SLASH.present_in(source))
        };
        // A secret that itself holds text like `%0A`, `\n` or `&lt;`, echoed with
        // escapes of other kinds (perhaps more than once, perhaps under more encoding
        // that the layers before undid): from every layer that has two kinds or more,
        // undo only some of them (each one alone; with three, each two together),
        // layer after layer.
        if kinds.len() >= 2 {
            let subsets = (1u8 << kinds.len()) - 1;
            for subset in 1..subsets {
                let escapes = kinds
                    .iter()
                    .enumerate()
                    .filter(|(at, _)| subset & (1 << at) != 0)
                    .fold(Escapes::NONE, |escapes, (_, kind)| escapes.with(*kind));
                some_kinds_layers(matcher, text, &mut layers, escapes, found);
            }
        }
        // Slashes escaped, perhaps twice, around the secret's own backslash (`\r\/`
        // becomes `\r\\/`): undo only `\/`, layer after layer.
        if has_slash {
            some_kinds_layers(matcher, text, &mut layers, Escapes::SLASH, found);
        }
        if depth == DECODE_LAYERS {
            break;
        }
        let source = layers.last().map_or(text, |layer| layer.bytes.as_slice());
        let Some(decoded) = decode_again(source, Escapes::ALL) else { break };
        find_in_layer(matcher, &decoded, &layers, found);
        layers.push(decoded);
    }
}

/// Decodes the last of `layers` (or `text`) with only `escapes` undone, up to
/// [`DECODE_LAYERS`] times while that changes it, reporting the matches in each; leaves
/// `layers` as it found them.
fn some_kinds_layers(
    matcher: &AhoCorasick,
    text: &[u8],
    layers: &mut Vec<Decoded>,
    escapes: Escapes,
    found: &mut dyn FnMut(Range<usize>, usize),
) {
    let base = layers.len();
    for _ in 0..DECODE_LAYERS {
        let source = layers.last().map_or(text, |layer| layer.bytes.as_slice());
        let Some(decoded) = decode_again(source, escapes) else { break };
        find_in_layer(matcher, &decoded, layers, found);
        layers.push(decoded);
    }
    layers.truncate(base);
}

/// `source` decoded once more, or `None` when that leaves it as it is (nothing to
/// decode, or only a `%` that starts no escape).
fn decode_again(source: &[u8], escapes: Escapes) -> Option<Decoded> {
    Decoded::of(source, escapes).filter(|decoded| decoded.bytes != source)
}

/// Reports the matches in `decoded` (made from the last of `below`, or from the text
/// when `below` is empty) as ranges of the original text.
fn find_in_layer(
    matcher: &AhoCorasick,
    decoded: &Decoded,
    below: &[Decoded],
    found: &mut dyn FnMut(Range<usize>, usize),
) {
    for hit in matcher.find_overlapping_iter(&decoded.bytes) {
        // Padding is taken in the layer the match is in (`%3D`, `\u003d` are `=` there).
        let mut range = extend_padding(&decoded.bytes, hit.range());
        for layer in std::iter::once(decoded).chain(below.iter().rev()) {
            range = layer.source_range(range);
        }
        found(range, hit.pattern().as_usize());
    }
}

/// Which escapes a decoding layer undoes: percent (`%XX`, `+` as a space), JSON
/// escapes, HTML/XML character references (`&lt;`, `&#39;`, `&#x27;`, …), any of them
/// together; or only `\/` (a server that escapes slashes, as PHP does, and leaves the
/// secret's own backslashes as they are).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Escapes {
    percent: bool,
    json: bool,
    html: bool,
    slash: bool,
}

impl Escapes {
    const NONE: Escapes = Escapes { percent: false, json: false, html: false, slash: false };
    const PERCENT: Escapes = Escapes { percent: true, ..Escapes::NONE };
    const JSON: Escapes = Escapes { json: true, ..Escapes::NONE };
    const HTML: Escapes = Escapes { html: true, ..Escapes::NONE };
    const SLASH: Escapes = Escapes { slash: true, ..Escapes::NONE };
    /// Percent, JSON and HTML together: the main chain of layers.
    const ALL: Escapes = Escapes { percent: true, json: true, html: true, slash: false };
    /// The kinds a layer may undo apart from the others, when a text has more than one.
    const KINDS: [Escapes; 3] = [Escapes::JSON, Escapes::PERCENT, Escapes::HTML];

    /// These escapes and `other`'s.
    fn with(self, other: Escapes) -> Escapes {
        Escapes {
            percent: self.percent || other.percent,
            json: self.json || other.json,
            html: self.html || other.html,
            slash: self.slash || other.slash,
        }
    }

    /// Whether `text` has something that may be an escape this layer undoes.
    fn present_in(self, text: &[u8]) -> bool {
        (self.percent && text.iter().any(|b| matches!(b, b'%' | b'+')))
            || (self.json && text.contains(&b'\\'))
            || (self.html
                && text.contains(&b';')
                && text
                    .windows(2)
                    .any(|pair| matches!(pair, [b'&', next] if *next == b'#' || next.is_ascii_alphabetic())))
            || (self.slash && text.windows(2).any(|pair| pair == b"\\/"))
    }
}

/// A match of base64 takes up to two `=` of padding after it with it.
fn extend_padding(text: &[u8], mut range: Range<usize>) -> Range<usize> {
    for _ in 0..2 {
        if text.get(range.end) != Some(&b'=') {
            break;
        }
        range.end += 1;
    }
    range
}

/// A text with some of its escapes undone ([`Escapes`]), and where each decoded byte came from.
struct Decoded {
    bytes: Vec<u8>,
    /// Each escape that changed length: (decoded start, decoded length, source start,
    /// source length), in order. Bytes between escapes map one to one.
    escapes: Vec<(usize, usize, usize, usize)>,
}

impl Decoded {
    /// `text` decoded once, or `None` when it has nothing to decode.
    fn of(text: &[u8], escapes_of: Escapes) -> Option<Self> {
        let Escapes { percent, json, html, slash } = escapes_of;
        let starts =
            |b: &u8| (percent && matches!(b, b'%' | b'+')) || ((json || slash) && *b == b'\\') || (html && *b == b'&');
        let first = text.iter().position(starts)?;
        let mut bytes = Vec::with_capacity(text.len());
        bytes.extend_from_slice(text.get(..first).unwrap_or_default());
        let mut escapes = Vec::new();
        let mut i = first;
        while let Some(&byte) = text.get(i) {
            let (decoded, used): (Cow<'_, [u8]>, usize) = match byte {
                b'%' if percent => match text.get(i + 1..i + 3).and_then(hex_byte) {
                    Some(value) => (Cow::Owned(vec![value]), 3),
                    None => (Cow::Borrowed(b"%"), 1),
                },
                b'+' if percent => (Cow::Borrowed(b" "), 1),
                b'\\' if json => json_escape(text.get(i..).unwrap_or_default()),
                b'\\' if slash && text.get(i + 1) == Some(&b'/') => (Cow::Borrowed(b"/"), 2),
                b'&' if html => html_reference(text.get(i..).unwrap_or_default()),
                other => {
                    bytes.push(other);
                    i += 1;
                    continue;
                }
            };
            if decoded.len() != used {
                escapes.push((bytes.len(), decoded.len(), i, used));
            }
            bytes.extend_from_slice(&decoded);
            i += used;
        }
        Some(Self { bytes, escapes })
    }

    /// The source range that decoded bytes `range` came from.
    fn source_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_span(range.start).start;
        let end = self.source_span(range.end.saturating_sub(1).max(range.start)).end;
        start..end
    }

    /// The source bytes decoded byte `at` came from.
    fn source_span(&self, at: usize) -> Range<usize> {
        let index = self.escapes.partition_point(|&(dec, ..)| dec <= at);
        let Some(&(dec, dec_len, src, src_len)) = index.checked_sub(1).and_then(|i| self.escapes.get(i)) else {
            return at..at + 1;
        };
        if at < dec + dec_len {
            src..src + src_len
        } else {
            let source = src + src_len + (at - dec - dec_len);
            source..source + 1
        }
    }
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| (b as char).to_digit(16);
    match pair {
        [high, low] => Some((digit(*high)? * 16 + digit(*low)?) as u8),
        _ => None,
    }
}

/// The longest entity name [`html_reference`] reads (`&percnt;`, `&commat;`).
const ENTITY_NAME: usize = 8;
/// The most digits a numeric character reference may have (leading zeros included).
const REFERENCE_DIGITS: usize = 10;

/// The named character references an HTML or XML escaper writes for ASCII text
/// (compared without case: `&LT;` and `&AMP;` are valid HTML too), and `&nbsp;`.
const ENTITIES: &[(&str, char)] = &[
    ("lt", '<'),
    ("gt", '>'),
    ("amp", '&'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("excl", '!'),
    ("num", '#'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("lpar", '('),
    ("rpar", ')'),
    ("ast", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("period", '.'),
    ("sol", '/'),
    ("colon", ':'),
    ("semi", ';'),
    ("equals", '='),
    ("quest", '?'),
    ("commat", '@'),
    ("lsqb", '['),
    ("bsol", '\\'),
    ("rsqb", ']'),
    ("hat", '^'),
    ("lowbar", '_'),
    ("grave", '`'),
    ("lcub", '{'),
    ("verbar", '|'),
    ("rcub", '}'),
];

/// The bytes an HTML/XML character reference at the start of `text` (which begins
/// with `&`) stands for, and how many bytes it takes: a named one from [`ENTITIES`],
/// `&#DDD;` or `&#xHHH;` (either case, leading zeros allowed). A `&` that starts no
/// reference stands for itself.
fn html_reference(text: &[u8]) -> (Cow<'static, [u8]>, usize) {
    let literal = (Cow::Borrowed(b"&".as_slice()), 1);
    // Where the `;` is after `from`, when between 1 and `limit` accepted bytes lead to it.
    let end = |from: usize, limit: usize, accept: fn(&u8) -> bool| {
        let length = text.iter().skip(from).take(limit + 1).take_while(|b| accept(b)).count();
        (length > 0 && length <= limit && text.get(from + length) == Some(&b';')).then_some(from + length)
    };
    if text.get(1) == Some(&b'#') {
        let (start, radix, digit): (usize, u32, fn(&u8) -> bool) = match text.get(2) {
            Some(b'x' | b'X') => (3, 16, u8::is_ascii_hexdigit),
            _ => (2, 10, u8::is_ascii_digit),
        };
        let Some(stop) = end(start, REFERENCE_DIGITS, digit) else { return literal };
        let code = std::str::from_utf8(text.get(start..stop).unwrap_or_default())
            .ok()
            .and_then(|number| u32::from_str_radix(number, radix).ok());
        return match code.filter(|&code| code != 0).and_then(char::from_u32) {
            Some(c) => (Cow::Owned(c.to_string().into_bytes()), stop + 1),
            None => literal,
        };
    }
    let Some(stop) = end(1, ENTITY_NAME, u8::is_ascii_alphabetic) else { return literal };
    let name = text.get(1..stop).unwrap_or_default();
    match ENTITIES.iter().find(|(entity, _)| entity.as_bytes().eq_ignore_ascii_case(name)) {
        Some((_, c)) => (Cow::Owned(c.to_string().into_bytes()), stop + 1),
        None => literal,
    }
}

/// The bytes a JSON escape at the start of `text` (which begins with `\`) stands for,
/// and how many bytes it takes; a `\` that starts no escape stands for itself.
fn json_escape(text: &[u8]) -> (Cow<'static, [u8]>, usize) {
    let simple = match text.get(1) {
        Some(b'"') => Some(b'"'),
        Some(b'\\') => Some(b'\\'),
        Some(b'/') => Some(b'/'),
        Some(b'b') => Some(0x08),
        Some(b'f') => Some(0x0c),
        Some(b'n') => Some(b'\n'),
        Some(b'r') => Some(b'\r'),
        Some(b't') => Some(b'\t'),
        _ => None,
    };
    if let Some(byte) = simple {
        return (Cow::Owned(vec![byte]), 2);
    }
    let unit = |at: usize| -> Option<u32> {
        if text.get(at) != Some(&b'\\') || !matches!(text.get(at + 1), Some(b'u' | b'U')) {
            return None;
        }
        let hex = std::str::from_utf8(text.get(at + 2..at + 6)?).ok()?;
        u32::from_str_radix(hex, 16).ok()
    };
    let literal = (Cow::Borrowed(b"\\".as_slice()), 1);
    let Some(first) = unit(0) else { return literal };
    let (code, used) = match first {
        0xD800..=0xDBFF => match unit(6) {
            Some(low @ 0xDC00..=0xDFFF) => (0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00), 12),
            _ => return literal,
        },
        0xDC00..=0xDFFF => return literal,
        code => (code, 6),
    };
    match char::from_u32(code) {
        Some(c) => (Cow::Owned(c.to_string().into_bytes()), used),
        None => literal,
    }
}
