//! Percent-decoding of query text as curl and Postman keep it (`%XX` and `+` undone).

/// A query name or value as Postman keeps it (as typed, so percent-encoded where the
/// user encoded it) decoded once, so the engine, which encodes query pairs itself, sends
/// it encoded once. Text that does not decode to UTF-8 stays as it is.
pub(crate) fn decode_query_text(text: &str) -> String {
    if !text.contains(['%', '+']) {
        return text.to_owned();
    }
    String::from_utf8(percent_decode_bytes(text)).unwrap_or_else(|_| text.to_owned())
}

/// `%XX` and `+` (a space) undone.
pub(crate) fn percent_decode_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|&h| (h as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}
