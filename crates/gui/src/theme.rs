//! The app's looks in its two themes: text sizes on the canvas, colours of text that
//! says success, failure or "running" (lighter on dark, darker on light, each meeting
//! WCAG AA's 4.5:1 against the panels and blocks it sits on), and the weak text colour.
//!
//! [`apply`] sets egui's visuals for both themes at start; which one shows follows the
//! system unless View → Theme says otherwise (egui's `ThemePreference`, kept by eframe).

use egui::{Color32, FontId, RichText, TextStyle, Theme, Visuals};

/// The size of small text on blocks (type tags, results, port labels), in graph points:
/// at the scale a flow opens at (`canvas::OPEN_SCALE` at least) it is at least the
/// UI's small size.
pub const CANVAS_SMALL: f32 = 12.0;
/// The UI's small text size (egui's default is 9: too small to read).
pub(crate) const UI_SMALL: f32 = 10.5;

/// `text` at the canvas's small size.
pub fn canvas_small(text: impl Into<String>) -> RichText {
    RichText::new(text).size(CANVAS_SMALL)
}

/// Text that says something went well (`200 · 5 ms`, Success).
pub fn success_text(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode { Color32::from_rgb(0x4c, 0xc9, 0x5d) } else { Color32::from_rgb(0x1a, 0x7f, 0x37) }
}

/// Text that says something failed (`timeout`, Failure).
pub fn failure_text(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode { Color32::from_rgb(0xf4, 0x6c, 0x70) } else { Color32::from_rgb(0xc0, 0x1f, 0x2a) }
}

/// Text that says something is under way or was stopped.
pub fn running_text(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode { Color32::from_rgb(0xf5, 0xb0, 0x41) } else { Color32::from_rgb(0x9a, 0x5b, 0x00) }
}

/// Text of another colour in the canvas's palette (`Item` ports, `in`, `out`).
pub fn readable(color: Color32, visuals: &Visuals) -> Color32 {
    let background = visuals.window_fill;
    if contrast(color, background) >= 4.5 {
        return color;
    }
    let toward = if visuals.dark_mode { Color32::WHITE } else { Color32::BLACK };
    (1..=10)
        .map(|step| color.lerp_to_gamma(toward, step as f32 / 10.0))
        .find(|c| contrast(*c, background) >= 4.5)
        .unwrap_or(toward)
}

/// The visuals of `theme`: egui's, with a weak text colour that is still readable.
pub fn visuals(theme: Theme) -> Visuals {
    let mut visuals = theme.default_visuals();
    visuals.weak_text_color = Some(if visuals.dark_mode { Color32::from_gray(150) } else { Color32::from_gray(105) });
    visuals
}

/// Sets both themes' visuals and a readable small text size.
pub fn apply(ctx: &egui::Context) {
    for theme in [Theme::Dark, Theme::Light] {
        ctx.set_visuals_of(theme, visuals(theme));
        ctx.style_mut_of(theme, |style| {
            style.text_styles.insert(TextStyle::Small, FontId::proportional(UI_SMALL));
        });
    }
}

/// The key of the chosen theme in eframe's storage (`system`, `dark`, `light`).
pub const THEME_KEY: &str = "switchyard.theme";

/// The theme preference eframe's storage kept.
pub fn preference_from_storage(text: &str) -> egui::ThemePreference {
    match text.trim() {
        "dark" => egui::ThemePreference::Dark,
        "light" => egui::ThemePreference::Light,
        _ => egui::ThemePreference::System,
    }
}

/// The text eframe's storage keeps for `preference`.
pub fn preference_to_storage(preference: egui::ThemePreference) -> &'static str {
    match preference {
        egui::ThemePreference::Dark => "dark",
        egui::ThemePreference::Light => "light",
        egui::ThemePreference::System => "system",
    }
}

/// View → Theme: follow the system, or dark, or light.
pub fn menu_ui(ui: &mut egui::Ui) {
    let mut preference = ui.ctx().options(|o| o.theme_preference);
    let before = preference;
    ui.label(RichText::new("Theme").small().weak());
    ui.radio_value(&mut preference, egui::ThemePreference::System, "Follow the system");
    ui.radio_value(&mut preference, egui::ThemePreference::Dark, "Dark");
    ui.radio_value(&mut preference, egui::ThemePreference::Light, "Light");
    if preference != before {
        ui.ctx().set_theme(preference);
    }
}

/// WCAG's contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: Color32, b: Color32) -> f32 {
    let luminance = |c: Color32| {
        let channel = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colours_meet_wcag_aa_on_panels_and_blocks_in_both_themes() {
        for theme in [Theme::Dark, Theme::Light] {
            let v = visuals(theme);
            let colours = [
                ("success", success_text(&v)),
                ("failure", failure_text(&v)),
                ("running", running_text(&v)),
                ("weak", v.weak_text_color()),
                ("text", v.text_color()),
                ("neutral port", readable(crate::look::NEUTRAL, &v)),
                ("logic", readable(Color32::from_rgb(0xc0, 0x8c, 0xf0), &v)),
            ];
            for background in [v.window_fill, v.panel_fill] {
                for (name, colour) in colours {
                    let ratio = contrast(colour, background);
                    assert!(ratio >= 4.5, "{theme:?}: {name} {colour:?} on {background:?}: {ratio:.2}");
                }
            }
        }
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
    }
}
