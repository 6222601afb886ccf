//! What the `{{` completion offers and how a chosen name is filled in: pure functions
//! of the text and the cursor, tested without a window.

use std::collections::BTreeMap;

use switchyard_flow::template;

/// A built-in name offered after `{{`, and what it reads.
pub(crate) type InputSuggestion = (&'static str, &'static str);

/// Names offered after `{{` besides the variables: the value at the block's input.
pub(crate) const INPUT_SUGGESTIONS: &[InputSuggestion] = &[
    ("input", "the value at the input"),
    ("input.body", "the response body"),
    ("input.status", "the response status"),
];

/// The same inside a For Each branch, where the value at the input is the element.
pub(crate) const ITEM_SUGGESTIONS: &[InputSuggestion] = &[("input", "the For Each item")];

/// What the popup says about a suggested name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SuggestionKind {
    /// A global variable of type default.
    Plain,
    /// A global variable of type secret.
    Secret,
    /// A built-in `input…` reference, with what it reads.
    Input(&'static str),
}

impl SuggestionKind {
    /// The tag shown to the right of the name.
    pub(super) fn tag(self) -> &'static str {
        match self {
            SuggestionKind::Plain => "variable",
            SuggestionKind::Secret => "🔒 secret",
            SuggestionKind::Input(what) => what,
        }
    }
}

/// A name the completion popup offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Suggestion {
    /// The name filled in.
    pub(super) name: String,
    /// What the popup says about it.
    pub(super) kind: SuggestionKind,
}

/// Whether `c` may appear in a variable name (`[A-Za-z0-9_.-]`).
pub(super) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// When the text before char index `cursor` is `{{`, optional spaces and a partial name,
/// the char index where the name starts and the partial name.
pub(super) fn completion_query(text: &str, cursor: usize) -> Option<(usize, String)> {
    let before: Vec<char> = text.chars().take(cursor).collect();
    if before.len() != cursor {
        return None;
    }
    let name_len = before.iter().rev().take_while(|c| is_name_char(**c)).count();
    let start = cursor - name_len;
    let spaces = before.iter().take(start).rev().take_while(|c| **c == ' ').count();
    let open = start - spaces;
    let braces = before.get(open.checked_sub(2)?..open)?;
    (braces == ['{', '{']).then(|| (start, before.get(start..).unwrap_or_default().iter().collect()))
}

/// The names offered for `partial`, case-insensitively: those starting with it, then
/// those containing it; globals (sorted by name) before the `input` references in each.
pub(super) fn matches(globals: &BTreeMap<String, bool>, inputs: &[InputSuggestion], partial: &str) -> Vec<Suggestion> {
    let needle = partial.to_lowercase();
    let globals = globals.iter().filter(|(name, _)| template::input_path(name).is_none()).map(|(name, &is_secret)| {
        Suggestion { name: name.clone(), kind: if is_secret { SuggestionKind::Secret } else { SuggestionKind::Plain } }
    });
    let inputs =
        inputs.iter().map(|&(name, what)| Suggestion { name: name.to_owned(), kind: SuggestionKind::Input(what) });
    let (mut prefixed, mut containing) = (Vec::new(), Vec::new());
    for suggestion in globals.chain(inputs) {
        let name = suggestion.name.to_lowercase();
        if name.starts_with(&needle) {
            prefixed.push(suggestion);
        } else if name.contains(&needle) {
            containing.push(suggestion);
        }
    }
    prefixed.append(&mut containing);
    prefixed
}

/// `text` with the name at char index `cursor` (the partial name before it, name chars
/// after it, and a `}}` that already closes it) replaced by `name}}`, and the char index
/// just after that `}}`. None when the cursor is not completing a name.
pub(super) fn complete(text: &str, cursor: usize, name: &str) -> Option<(String, usize)> {
    let (start, _) = completion_query(text, cursor)?;
    let after: Vec<char> = text.chars().skip(cursor).collect();
    let name_rest = after.iter().take_while(|c| is_name_char(**c)).count();
    let spaces = after.iter().skip(name_rest).take_while(|c| **c == ' ').count();
    let closes = after.get(name_rest + spaces..name_rest + spaces + 2) == Some(&['}', '}'][..]);
    let end = cursor + if closes { name_rest + spaces + 2 } else { name_rest };
    let mut completed: String = text.chars().take(start).collect();
    completed.push_str(name);
    completed.push_str("}}");
    let new_cursor = completed.chars().count();
    completed.extend(text.chars().skip(end));
    Some((completed, new_cursor))
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use eframe::egui::{self, Color32, Galley};
    use egui_kittest::Harness;

    use super::*;

    /// Globals for the completion tests: two plain, one secret.
    pub(crate) fn completion_globals() -> BTreeMap<String, bool> {
        [("base_url", false), ("auth", true), ("user_name", false)]
            .into_iter()
            .map(|(name, secret)| (name.to_owned(), secret))
            .collect()
    }

    fn names(suggestions: &[Suggestion]) -> Vec<&str> {
        suggestions.iter().map(|suggestion| suggestion.name.as_str()).collect()
    }

    #[test]
    fn completion_query_finds_a_partial_name_right_after_braces() {
        assert_eq!(completion_query("https://x/{{", 12), Some((12, String::new())));
        assert_eq!(completion_query("https://x/{{au", 14), Some((12, "au".to_owned())));
        assert_eq!(completion_query("{{  input.bo", 12), Some((4, "input.bo".to_owned())));
        assert_eq!(completion_query("{{a-b_c.d", 9), Some((2, "a-b_c.d".to_owned())));
        assert_eq!(completion_query("é{{na", 5), Some((3, "na".to_owned())), "indexes are in chars");
        assert_eq!(completion_query("{{auth}}x", 4), Some((2, "au".to_owned())), "inside a reference");
        assert_eq!(completion_query("{{auth}}", 8), None, "after a closed reference");
        assert_eq!(completion_query("{au", 3), None);
        assert_eq!(completion_query("{{a b", 5), None, "a space inside the name");
        assert_eq!(completion_query("{{a!", 4), None);
        assert_eq!(completion_query("{{", 1), None);
        assert_eq!(completion_query("{{a", 9), None, "a cursor past the end");
        assert_eq!(completion_query("", 0), None);
    }

    #[test]
    fn matches_put_prefixes_before_contains_case_insensitively_and_mark_secrets() {
        let globals = completion_globals();
        let all = matches(&globals, INPUT_SUGGESTIONS, "");
        assert_eq!(names(&all), ["auth", "base_url", "user_name", "input", "input.body", "input.status"]);
        assert_eq!(all.first().map(|s| s.kind), Some(SuggestionKind::Secret));
        assert_eq!(all.get(1).map(|s| s.kind), Some(SuggestionKind::Plain));
        assert!(matches!(all.get(3).map(|s| s.kind), Some(SuggestionKind::Input(_))));

        assert_eq!(
            names(&matches(&globals, INPUT_SUGGESTIONS, "U")),
            ["user_name", "auth", "base_url", "input", "input.body", "input.status"]
        );
        assert_eq!(names(&matches(&globals, INPUT_SUGGESTIONS, "Th")), ["auth"]);
        assert_eq!(names(&matches(&globals, INPUT_SUGGESTIONS, "input.")), ["input.body", "input.status"]);
        assert_eq!(names(&matches(&globals, INPUT_SUGGESTIONS, "NAME")), ["user_name"]);
        assert!(matches(&globals, INPUT_SUGGESTIONS, "zzz").is_empty());

        let reserved: BTreeMap<String, bool> = [("input".to_owned(), false)].into_iter().collect();
        assert_eq!(names(&matches(&reserved, INPUT_SUGGESTIONS, "input")), ["input", "input.body", "input.status"]);
    }

    #[test]
    fn complete_replaces_the_partial_name_and_keeps_one_closing_pair() {
        assert_eq!(complete("https://x/{{au", 14, "auth"), Some(("https://x/{{auth}}".to_owned(), 18)));
        assert_eq!(complete("{{}}", 2, "auth"), Some(("{{auth}}".to_owned(), 8)), "no second }}");
        assert_eq!(complete("{{au}}/x", 4, "auth"), Some(("{{auth}}/x".to_owned(), 8)));
        assert_eq!(complete("{{au }}/x", 4, "auth"), Some(("{{auth}}/x".to_owned(), 8)));
        assert_eq!(complete("{{auth}}", 4, "auth"), Some(("{{auth}}".to_owned(), 8)), "the rest of the name goes");
        assert_eq!(complete("{{ b/x", 4, "base_url"), Some(("{{ base_url}}/x".to_owned(), 13)));
        assert_eq!(complete("é{{n", 4, "name"), Some(("é{{name}}".to_owned(), 9)));
        assert_eq!(complete("{{au} x", 4, "auth"), Some(("{{auth}}} x".to_owned(), 8)), "one brace is not a closing");
        assert_eq!(complete("no braces", 3, "auth"), None);
    }

    /// The size and pixels each char is drawn with, alone at the start of a line (so at the
    /// same sub-pixel offset), in the default proportional font.
    fn glyph_pixels(chars: &'static [char]) -> Vec<([usize; 2], Vec<Color32>)> {
        let harness = Harness::new_ui_state(
            |ui, glyphs: &mut Vec<([usize; 2], Vec<Color32>)>| {
                let font = egui::FontId::proportional(14.0);
                let galleys: Vec<Arc<Galley>> = chars
                    .iter()
                    .map(|c| ui.fonts_mut(|fonts| fonts.layout_no_wrap(c.to_string(), font.clone(), Color32::WHITE)))
                    .collect();
                let atlas = ui.fonts_mut(|fonts| fonts.image());
                *glyphs = galleys
                    .iter()
                    .flat_map(|galley| galley.rows.iter().flat_map(|row| row.glyphs.iter()))
                    .map(|glyph| {
                        let ([x0, y0], [x1, y1]) = (glyph.uv_rect.min, glyph.uv_rect.max);
                        let (x0, y0, x1, y1) = (usize::from(x0), usize::from(y0), usize::from(x1), usize::from(y1));
                        let pixels = (y0..y1)
                            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                            .map(|(x, y)| atlas.pixels[y * atlas.size[0] + x])
                            .collect();
                        ([x1 - x0, y1 - y0], pixels)
                    })
                    .collect();
            },
            Vec::new(),
        );
        harness.state().clone()
    }

    #[test]
    fn secret_tag_glyph_is_in_the_default_fonts() {
        // `Fonts::has_glyph` says no for every char of the face that holds the replacement
        // glyph (⚠ and ✖ too), so compare what is drawn with what chars no font has get.
        let glyphs = glyph_pixels(&['🔒', '\u{10FFFD}', '\u{10FFFC}']);
        let [lock, missing, also_missing] = glyphs.as_slice() else {
            panic!("three glyphs expected, got {}", glyphs.len())
        };
        assert_eq!(missing, also_missing, "chars no font has are drawn as the same replacement glyph");
        assert_ne!(lock, missing, "🔒 is drawn as itself, not as the replacement");
        assert!(lock.1.iter().any(|pixel| pixel.a() > 0), "🔒 has ink");
        assert!(SuggestionKind::Secret.tag().starts_with('🔒'));
    }
}
