//! The `{{name}}` references of a templated text: which are defined, the warning under
//! a field that uses undefined ones, and the layout job that colours them.

use std::ops::Range;

use eframe::egui::text::{ByteIndex, LayoutJob, LayoutSection};
use eframe::egui::{Color32, FontSelection, RichText, Stroke, TextFormat, Ui};
use switchyard_flow::template::{self, Segment};

/// `⚠ {{auth}} is not defined` under a field, with how to define it on hover.
pub(super) fn undefined_warning_ui(ui: &mut Ui, names: &[String]) {
    let Some(message) = undefined_message(names) else {
        return;
    };
    let color = ui.visuals().warn_fg_color;
    let example = names.first().map_or("NAME", String::as_str);
    ui.label(RichText::new(message).small().color(color)).on_hover_text(format!(
        "A run fails this block without sending the request while a name has no value. Define it as a global \
         variable in Settings (type secret for keys and tokens), or on the command line: \
         `switchyard run FLOW --var {example}=VALUE` (or --secret-env {example}=ENV_VAR for a secret)."
    ));
}

/// `⚠ {{a}} is not defined`, `⚠ {{a}} and {{b}} are not defined`, `⚠ {{a}}, {{b}} and {{c}} …`.
pub(super) fn undefined_message(names: &[String]) -> Option<String> {
    let refs: Vec<String> = names.iter().map(|name| format!("{{{{{name}}}}}")).collect();
    let (last, rest) = refs.split_last()?;
    Some(if rest.is_empty() {
        format!("⚠ {last} is not defined")
    } else {
        format!("⚠ {} and {last} are not defined", rest.join(", "))
    })
}

/// Whether a reference has a value: `input…` always does, other names per `is_defined`.
pub(super) fn counts_as_defined(name: &str, is_defined: &dyn Fn(&str) -> bool) -> bool {
    template::input_path(name).is_some() || template::is_dynamic_name(name) || is_defined(name)
}

/// The names referenced in `texts` that are not defined, each once, in order of appearance.
pub(super) fn undefined_names<'t>(
    texts: impl IntoIterator<Item = &'t str>,
    is_defined: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for text in texts {
        for name in template::references(text) {
            if !counts_as_defined(name, is_defined) && !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// What a stretch of a templated text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SpanKind {
    /// Literal text.
    Text,
    /// A reference to a defined name (or to `input…`).
    Defined,
    /// A reference to a name with no value.
    Undefined,
}

/// A byte range of a templated text and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Span {
    range: Range<usize>,
    kind: SpanKind,
}

/// Splits `text` into literal stretches and references, covering it end to end.
pub(super) fn reference_spans(text: &str, is_defined: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for segment in template::parse(text) {
        let (len, kind) = match segment {
            Segment::Text(literal) => (literal.len(), SpanKind::Text),
            Segment::Var { name, raw } => {
                let kind = if counts_as_defined(name, is_defined) { SpanKind::Defined } else { SpanKind::Undefined };
                (raw.len(), kind)
            }
        };
        spans.push(Span { range: start..start + len, kind });
        start += len;
    }
    spans
}

pub(super) fn byte_range(range: Range<usize>) -> Range<ByteIndex> {
    ByteIndex(range.start)..ByteIndex(range.end)
}

/// The colour of a defined reference, readable on the theme's text field background.
pub(super) fn defined_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(0x5f, 0xd3, 0xc4) } else { Color32::from_rgb(0x00, 0x73, 0x6b) }
}

/// The layout of a templated text with its references coloured.
pub(super) fn highlight_job(
    ui: &Ui,
    text: &str,
    is_defined: &dyn Fn(&str) -> bool,
    font: &FontSelection,
    is_multiline: bool,
    wrap_width: f32,
) -> LayoutJob {
    let font_id = font.clone().resolve(ui.style());
    let visuals = ui.visuals();
    let plain = visuals.override_text_color.unwrap_or_else(|| visuals.widgets.inactive.text_color());
    let error = visuals.error_fg_color;
    let defined = defined_color(ui);
    let line_height = ui.fonts_mut(|fonts| fonts.row_height(&font_id)) + ui.spacing().extra_text_line_spacing;
    let format = |kind: SpanKind| {
        let mut format = TextFormat { font_id: font_id.clone(), color: plain, ..TextFormat::default() };
        format.line_height = Some(line_height);
        match kind {
            SpanKind::Text => {}
            SpanKind::Defined => format.color = defined,
            SpanKind::Undefined => {
                format.color = error;
                format.underline = Stroke::new(1.0, error);
            }
        }
        format
    };
    let mut sections: Vec<LayoutSection> = reference_spans(text, is_defined)
        .into_iter()
        .map(|span| LayoutSection { leading_space: 0.0, byte_range: byte_range(span.range), format: format(span.kind) })
        .collect();
    if sections.is_empty() {
        sections.push(LayoutSection {
            leading_space: 0.0,
            byte_range: byte_range(0..text.len()),
            format: format(SpanKind::Text),
        });
    }
    let mut job = LayoutJob {
        text: text.to_owned(),
        sections,
        break_on_newline: is_multiline,
        keep_trailing_whitespace: true,
        ..LayoutJob::default()
    };
    job.wrap.max_width = if is_multiline { wrap_width } else { f32::INFINITY };
    job
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use eframe::egui::{self, FontSelection};
    use egui::text::LayoutJob;
    use egui_kittest::Harness;

    use super::*;

    fn only_host(name: &str) -> bool {
        name == "host"
    }

    #[test]
    fn spans_mark_defined_undefined_and_input_references() {
        let text = "https://{{host}}/{{ missing }}?id=<<input.body.id>>";
        let spans = reference_spans(text, &only_host);
        let described: Vec<(&str, SpanKind)> =
            spans.iter().map(|span| (text.get(span.range.clone()).unwrap_or("?"), span.kind)).collect();
        assert_eq!(
            described,
            [
                ("https://", SpanKind::Text),
                ("{{host}}", SpanKind::Defined),
                ("/", SpanKind::Text),
                ("{{ missing }}", SpanKind::Undefined),
                ("?id=", SpanKind::Text),
                ("<<input.body.id>>", SpanKind::Defined),
            ]
        );
    }

    #[test]
    fn spans_cover_multibyte_text_and_leave_malformed_references_plain() {
        let text = "é {{ bad name }} {{host}}ü";
        let spans = reference_spans(text, &only_host);
        assert_eq!(spans.first().map(|span| span.range.start), Some(0));
        assert_eq!(spans.last().map(|span| span.range.end), Some(text.len()));
        assert!(spans.windows(2).all(|pair| matches!(pair, [a, b] if a.range.end == b.range.start)));
        let references: Vec<&str> = spans
            .iter()
            .filter(|span| span.kind != SpanKind::Text)
            .filter_map(|span| text.get(span.range.clone()))
            .collect();
        assert_eq!(references, ["{{host}}"]);
        assert!(reference_spans("", &only_host).is_empty());
    }

    #[test]
    fn undefined_names_are_listed_once_in_order_without_input() {
        let texts = ["{{b}} {{host}} {{a}}", "{{b}} {{input}} {{input.status}} {{inputs}}"];
        assert_eq!(undefined_names(texts, &only_host), ["b", "a", "inputs"]);
    }

    #[test]
    fn warning_message_names_every_undefined_reference() {
        assert_eq!(undefined_message(&[]), None);
        assert_eq!(undefined_message(&["auth".to_owned()]).as_deref(), Some("⚠ {{auth}} is not defined"));
        let three = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(undefined_message(&three).as_deref(), Some("⚠ {{a}}, {{b}} and {{c}} are not defined"));
    }

    #[test]
    fn highlight_job_keeps_the_text_and_colours_undefined_references_as_errors() {
        let harness = Harness::new_ui_state(
            |ui, job: &mut LayoutJob| {
                *job = highlight_job(ui, "a {{host}} {{nope}}", &only_host, &FontSelection::Default, false, 100.0);
            },
            LayoutJob::default(),
        );
        let job = harness.state();
        assert_eq!(job.text, "a {{host}} {{nope}}");
        let error = egui::Visuals::dark().error_fg_color;
        let colours: Vec<(Range<usize>, bool)> = job
            .sections
            .iter()
            .map(|section| {
                (section.byte_range.start.0..section.byte_range.end.0, section.format.underline.color == error)
            })
            .collect();
        assert_eq!(colours, [(0..2, false), (2..10, false), (10..11, false), (11..19, true)]);
    }
}
