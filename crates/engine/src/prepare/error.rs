//! Why a request failed ([`RequestError`]): the block, the field, the kind, and the one
//! place its text is put together.

use std::fmt;

use crate::value::ErrorKind;

/// Why a request failed: the block, the field (when one is to blame), the kind, and
/// what went wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestError {
    pub block: String,
    /// `url`, `headers[2]`, `auth.token`, `body.multipart[0]`; `None` for the exchange.
    pub field: Option<String>,
    pub kind: ErrorKind,
    /// What went wrong, without the block or the field.
    pub detail: String,
    /// A few words for the block's result on the canvas; the kind's by default.
    pub summary: String,
}

impl RequestError {
    pub fn new(block: &str, field: Option<&str>, kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            block: block.to_owned(),
            field: field.map(str::to_owned),
            kind,
            detail: detail.into(),
            summary: kind.short().to_owned(),
        }
    }

    pub(super) fn summary(mut self, summary: String) -> Self {
        self.summary = summary;
        self
    }

    /// `block `login`: headers[1]: …`: the one place the text is put together.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block `{}`: ", self.block)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.detail)
    }
}
