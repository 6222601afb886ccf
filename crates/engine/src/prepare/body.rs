//! A rendered body ([`PreparedBody`]), kept as its parts for a multipart form, and the
//! helpers that build one: a writer bounded by the room left, a default content type.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

/// A rendered body. A multipart body is kept as its parts, so that a redirect that
/// keeps the body (307, 308) can build the form again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PreparedBody {
    Bytes(Vec<u8>),
    Multipart(Vec<(String, PreparedPart)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PreparedPart {
    Text(String),
    File { file_name: String, bytes: Vec<u8> },
}

impl PreparedBody {
    /// Every byte run that will leave with the body: each part's name, text and file.
    pub fn runs(&self) -> Vec<&[u8]> {
        match self {
            PreparedBody::Bytes(bytes) => vec![bytes.as_slice()],
            PreparedBody::Multipart(parts) => parts
                .iter()
                .flat_map(|(name, part)| match part {
                    PreparedPart::Text(text) => [name.as_bytes(), text.as_bytes(), &[]],
                    PreparedPart::File { file_name, bytes } => {
                        [name.as_bytes(), bytes.as_slice(), file_name.as_bytes()]
                    }
                })
                .collect(),
        }
    }

    pub fn attach(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            PreparedBody::Bytes(bytes) => builder.body(bytes.clone()),
            PreparedBody::Multipart(parts) => {
                let form = parts.iter().fold(reqwest::multipart::Form::new(), |form, (name, part)| match part {
                    PreparedPart::Text(text) => form.text(name.clone(), text.clone()),
                    PreparedPart::File { file_name, bytes } => form.part(
                        name.clone(),
                        reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.clone()),
                    ),
                });
                builder.multipart(form)
            }
        }
    }
}

/// A writer that keeps at most `room` bytes and refuses more.
pub(super) struct Limited {
    pub(super) bytes: Vec<u8>,
    pub(super) room: usize,
}

impl std::io::Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.room.saturating_sub(self.bytes.len()) {
            return Err(std::io::Error::other("over the request size limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(super) fn default_content_type(headers: &mut HeaderMap, content_type: &'static str) {
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
}
