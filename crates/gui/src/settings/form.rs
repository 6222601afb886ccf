//! The add / edit form of the settings panel and its checks, as the user types.
//!
//! A secret's new value lives only in a [`SecretBuffer`] (zeroed when dropped or
//! submitted); the rest is plain text the checks read every frame.

use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;
use switchyard_vault::{Date, Definition, Kind, is_valid_name};

/// Text typed into a secret's value field. Zeroed when dropped; `Debug` prints a mask.
#[derive(Default)]
pub(super) struct SecretBuffer(Zeroizing<String>);

impl std::fmt::Debug for SecretBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBuffer(*****)")
    }
}

impl SecretBuffer {
    /// A buffer holding `text` (a plain value being edited).
    pub fn from_plain(text: &str) -> Self {
        Self(Zeroizing::new(text.to_owned()))
    }

    /// The text, for the text field.
    pub fn text_mut(&mut self) -> &mut String {
        &mut self.0
    }

    /// Whether nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text as a secret; the buffer is zeroed and left empty.
    pub fn take(&mut self) -> SecretString {
        let secret = SecretString::from(self.0.as_str());
        self.0 = Zeroizing::default();
        secret
    }
}

/// What the form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A new variable.
    Add,
    /// An existing variable that was of type `was`.
    Edit {
        /// The type it has in the store.
        was: Kind,
    },
}

/// The add / edit form.
#[derive(Debug)]
pub(super) struct Form {
    pub mode: Mode,
    pub name: String,
    pub kind: Kind,
    pub value: SecretBuffer,
    pub hosts: String,
    pub expires: String,
    /// Whether the first field should take the keyboard focus (set when the form opens).
    pub wants_focus: bool,
    /// Whether the user tried to save (Enter or Save): an empty name is only said then.
    pub tried_to_save: bool,
}

/// What is wrong with the form, field by field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Problems {
    pub name: Option<String>,
    pub value: Option<String>,
    pub hosts: Option<String>,
    pub expires: Option<String>,
}

impl Problems {
    /// Whether the form can be saved.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

impl Form {
    /// An empty form for a new variable.
    pub fn add() -> Self {
        Self {
            mode: Mode::Add,
            name: String::new(),
            kind: Kind::Default,
            value: SecretBuffer::default(),
            hosts: String::new(),
            expires: String::new(),
            wants_focus: true,
            tried_to_save: false,
        }
    }

    /// A form for `definition`. A plain value is filled in; a secret's is not (leaving
    /// it empty keeps the stored value).
    pub fn edit(definition: &Definition) -> Self {
        Self {
            mode: Mode::Edit { was: definition.kind },
            name: definition.name.clone(),
            kind: definition.kind,
            value: SecretBuffer::from_plain(definition.value.as_deref().unwrap_or_default()),
            hosts: definition.allowed_hosts.join(", "),
            expires: definition.expires.map(|date| date.to_string()).unwrap_or_default(),
            wants_focus: true,
            tried_to_save: false,
        }
    }

    /// Whether an empty value field keeps the secret already in the keychain.
    pub fn keeps_stored_secret(&self) -> bool {
        self.mode == Mode::Edit { was: Kind::Secret } && self.kind == Kind::Secret
    }

    /// What is wrong; `exists` tells whether a name is taken.
    pub fn problems(&self, exists: impl Fn(&str) -> bool) -> Problems {
        let mut problems = Problems::default();
        if self.mode == Mode::Add {
            problems.name = name_problem(&self.name, &exists);
        }
        problems.value = match (self.kind, self.mode) {
            _ if !self.value.is_empty() => None,
            (Kind::Secret, _) if self.keeps_stored_secret() => None,
            (Kind::Secret, _) => Some("Enter the secret's value.".to_owned()),
            (Kind::Default, Mode::Edit { was: Kind::Secret }) => Some(
                "Enter the value: a secret's value is not read back into globals.json; \
                 type the plain value to store it there."
                    .to_owned(),
            ),
            (Kind::Default, _) => None,
        };
        if self.kind == Kind::Secret {
            problems.hosts = parse_hosts(&self.hosts).err();
            problems.expires = parse_expires(&self.expires).err();
        }
        problems
    }

    /// The problems to show now: an empty name is not one until the user tried to save
    /// (a new form does not open on a complaint).
    pub fn shown_problems(&self, problems: &Problems) -> Problems {
        let mut shown = problems.clone();
        if !self.tried_to_save && self.name.trim().is_empty() {
            shown.name = None;
        }
        shown
    }

    /// The definition to store and the value (None: keep the stored secret). Call only
    /// when [`Form::problems`] is empty. A secret's typed value leaves the form here.
    pub fn submit(&mut self) -> (Definition, Option<SecretString>) {
        let (allowed_hosts, expires) = match self.kind {
            Kind::Secret => {
                (parse_hosts(&self.hosts).unwrap_or_default(), parse_expires(&self.expires).unwrap_or_default())
            }
            Kind::Default => (Vec::new(), None),
        };
        let value = if self.keeps_stored_secret() && self.value.is_empty() { None } else { Some(self.value.take()) };
        if self.kind == Kind::Default
            && let Some(value) = &value
        {
            // A plain value stays in the form, in case saving fails.
            self.value = SecretBuffer::from_plain(secrecy::ExposeSecret::expose_secret(value));
        }
        let definition =
            Definition { name: self.name.trim().to_owned(), kind: self.kind, value: None, allowed_hosts, expires };
        (definition, value)
    }
}

/// Why `name` cannot name a new variable (or a renamed one).
pub(super) fn name_problem(name: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        Some("Enter a name.".to_owned())
    } else if !is_valid_name(name) {
        Some(format!("`{name}` is not a valid name: use letters, digits, `_`, `.` and `-`; `input` is reserved."))
    } else if exists(name) {
        Some(format!("A variable `{name}` already exists: choose another name, or edit that one."))
    } else {
        None
    }
}

/// Allowed hosts typed comma-separated or one per line; empty means any host.
pub(super) fn parse_hosts(text: &str) -> Result<Vec<String>, String> {
    let mut hosts: Vec<String> = Vec::new();
    for host in text.split([',', '\n']).map(str::trim).filter(|h| !h.is_empty()) {
        let bare = host.strip_prefix("*.").unwrap_or(host);
        let fine = !bare.is_empty()
            && bare.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            && !bare.starts_with('.')
            && !bare.ends_with('.');
        if !fine {
            return Err(format!(
                "`{host}` is not a host: write only the host name, without scheme, port or path, \
                 like api.example.com or *.example.com."
            ));
        }
        let host = host.to_ascii_lowercase();
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    Ok(hosts)
}

/// An optional `YYYY-MM-DD` expiry date.
pub(super) fn parse_expires(text: &str) -> Result<Option<Date>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Date>().map(Some).map_err(|error| format!("{error}."))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use secrecy::ExposeSecret as _;

    use super::*;

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn hosts_split_on_commas_and_lines_and_refuse_urls() {
        assert_eq!(parse_hosts("").unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_hosts("api.example.com, *.Example.org\n\nlocalhost,api.example.com").unwrap(),
            ["api.example.com", "*.example.org", "localhost"]
        );
        for bad in ["https://api.example.com", "api.example.com/v1", "host:8080", "a b", "*.", "*", ".com"] {
            let error = parse_hosts(bad).unwrap_err();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn expiry_is_optional_and_checked() {
        assert_eq!(parse_expires(" ").unwrap(), None);
        assert_eq!(parse_expires("2027-01-31").unwrap().unwrap().to_string(), "2027-01-31");
        assert!(parse_expires("2027-02-30").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn a_new_secret_needs_a_valid_free_name_and_a_value() {
        let mut form = Form::add();
        let taken = |name: &str| name == "taken";
        assert_eq!(form.problems(taken).name.as_deref(), Some("Enter a name."));
        form.name = "has space".into();
        assert!(form.problems(taken).name.unwrap().contains("not a valid name"));
        form.name = "taken".into();
        assert!(form.problems(taken).name.unwrap().contains("already exists"));
        form.name = "input".into();
        assert!(form.problems(taken).name.unwrap().contains("reserved"));
        form.name = "token".into();
        assert!(form.problems(taken).is_empty(), "a plain variable may be empty");

        form.kind = Kind::Secret;
        assert_eq!(form.problems(taken).value.as_deref(), Some("Enter the secret's value."));
        form.value.text_mut().push_str("s3cr3t");
        form.expires = "tomorrow".into();
        form.hosts = "https://x".into();
        let problems = form.problems(taken);
        assert!(problems.expires.is_some() && problems.hosts.is_some());
        form.expires = "2030-01-01".into();
        form.hosts = "api.example.com".into();
        assert!(form.problems(taken).is_empty());

        let (definition, value) = form.submit();
        assert_eq!(definition.kind, Kind::Secret);
        assert_eq!(definition.value, None);
        assert_eq!(definition.allowed_hosts, ["api.example.com"]);
        assert_eq!(definition.expires.unwrap().to_string(), "2030-01-01");
        assert_eq!(value.unwrap().expose_secret(), "s3cr3t");
        assert!(form.value.is_empty(), "the typed secret left the form");
    }

    #[test]
    fn editing_a_secret_with_no_value_keeps_the_stored_one() {
        let stored = Definition {
            name: "auth".into(),
            kind: Kind::Secret,
            value: None,
            allowed_hosts: vec!["a.example.com".into()],
            expires: None,
        };
        let mut form = Form::edit(&stored);
        assert_eq!(form.hosts, "a.example.com");
        assert!(form.value.is_empty());
        assert!(form.problems(none).is_empty());
        form.hosts = "b.example.com".into();
        let (definition, value) = form.submit();
        assert!(value.is_none(), "no value: only hosts and expiry change");
        assert_eq!(definition.allowed_hosts, ["b.example.com"]);

        // Turning it plain needs the value typed in: it is not read back.
        form.kind = Kind::Default;
        assert!(form.problems(none).value.is_some());
        form.value.text_mut().push_str("now plain");
        let (definition, value) = form.submit();
        assert_eq!((definition.kind, definition.allowed_hosts.len()), (Kind::Default, 0));
        assert_eq!(value.unwrap().expose_secret(), "now plain");
        assert_eq!(form.value.text_mut(), "now plain", "a plain value stays in case saving fails");
    }

    #[test]
    fn secret_buffer_debug_is_masked() {
        let mut buffer = SecretBuffer::default();
        buffer.text_mut().push_str("hunter2");
        assert!(!format!("{buffer:?}").contains("hunter2"));
        let form = Form { value: buffer, ..Form::add() };
        assert!(!format!("{form:?}").contains("hunter2"));
    }
}
