//! The example flows bundled with the app: the welcome flow a first launch opens (it
//! needs no account: an echo server, a plain variable and a secret it sets itself) and
//! the others File → Examples offers. Each is a file in `flows/`, compiled in, so they
//! open wherever the app is installed; opened, an example has no file until saved.

/// A bundled example flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// The file it comes from, in `flows/`.
    pub file: &'static str,
    /// Its flow file's text.
    pub text: &'static str,
    /// What it needs to run, shown on hover in the menu.
    pub needs: &'static str,
}

/// The flow a first launch opens.
pub const WELCOME: Example = Example {
    file: "welcome.flow.json",
    text: include_str!("../../../flows/welcome.flow.json"),
    needs: "nothing: it calls postman-echo.com, a public echo server",
};

/// Every bundled example, the welcome flow first (File → Examples).
pub const EXAMPLES: [Example; 5] = [
    WELCOME,
    Example {
        file: "openai-models.flow.json",
        text: include_str!("../../../flows/openai-models.flow.json"),
        needs: "an OpenAI API key as the secret global variable `auth` (`Bearer sk-…`)",
    },
    Example {
        file: "openai-first-model.flow.json",
        text: include_str!("../../../flows/openai-first-model.flow.json"),
        needs: "an OpenAI API key as the secret global variable `auth` (`Bearer sk-…`)",
    },
    Example {
        file: "postman-me.flow.json",
        text: include_str!("../../../flows/postman-me.flow.json"),
        needs: "a Postman API key as the secret global variable `postman-api-key`",
    },
    Example {
        file: "boomi-flows.flow.json",
        text: include_str!("../../../flows/boomi-flows.flow.json"),
        needs: "a Boomi API key as the secret `boomi-api-key` and your tenant as `boomi-tenant`",
    },
];

impl Example {
    /// The example's flow (an empty flow named after the file if it does not parse,
    /// which the tests rule out).
    pub fn flow(&self) -> switchyard_flow::Flow {
        switchyard_flow::Flow::from_json(self.text, self.file)
            .unwrap_or_else(|_| switchyard_flow::Flow::new(self.file.trim_end_matches(".flow.json")))
    }

    /// The name the menu shows: the flow's own.
    pub fn title(&self) -> String {
        self.flow().name
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_bundled_example_parses_and_the_welcome_flow_needs_no_global_variable() {
        for example in EXAMPLES {
            switchyard_flow::Flow::from_json(example.text, example.file).unwrap();
        }
        let welcome = WELCOME.flow();
        let text = welcome.to_json();
        assert!(text.contains("postman-echo.com") && text.contains("{{name}}") && text.contains("{{token}}"));
        // Its variables are set by the flow itself, `token` as a secret.
        let set: Vec<_> = welcome
            .blocks
            .iter()
            .filter_map(|b| match &b.kind {
                switchyard_flow::BlockKind::Set(set) => Some((set.name.as_str(), set.secret)),
                _ => None,
            })
            .collect();
        assert_eq!(set, [("name", false), ("token", true)]);
        // Laid out in two rows read left to right: setting up, then calling; only the
        // wire from the first row's end to the second row's start goes back.
        for wire in &welcome.wires {
            let at = |id: &str| welcome.block(id).map_or([0.0, 0.0], |b| b.at);
            let (from, to) = (at(&wire.from.block), at(&wire.to.block));
            assert!(to[0] > from[0] || to[1] > from[1] + 100.0, "{wire:?} runs backwards");
        }
    }
}
