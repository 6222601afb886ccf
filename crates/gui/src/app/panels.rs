//! The layout part (`Layout`): the sizes of the side and bottom panels, kept across
//! restarts in eframe's storage (`switchyard.panels`: three numbers, never anything from
//! a flow or a variable), and held still while the app runs: the inspector does not
//! widen when a block is selected; and the theme eframe's storage kept.

/// The layout part (`Layout`): the panels' sizes and the theme, both kept in eframe's
/// storage.
pub(super) struct Layout {
    /// The panels' sizes (kept in eframe's storage).
    pub(super) panels: PanelSizes,
    /// The theme kept in eframe's storage, set on the first frame (the window's own
    /// set-up may set one before it).
    pub(super) stored_theme: Option<egui::ThemePreference>,
    /// egui's context, to read the chosen theme when eframe asks the app to save.
    pub(super) egui_ctx: egui::Context,
}

impl Layout {
    /// The sizes and theme eframe's storage kept, else the defaults.
    pub(super) fn new(ctx: &egui::Context, storage: Option<&dyn eframe::Storage>) -> Self {
        Self {
            panels: storage
                .and_then(|s| s.get_string(PANELS_KEY))
                .map(|text| PanelSizes::from_storage(&text))
                .unwrap_or_default(),
            stored_theme: storage
                .and_then(|s| s.get_string(crate::theme::THEME_KEY))
                .map(|text| crate::theme::preference_from_storage(&text)),
            egui_ctx: ctx.clone(),
        }
    }

    /// The theme chosen in View → Theme.
    pub(super) fn theme_preference(&self) -> egui::ThemePreference {
        self.egui_ctx.options(|o| o.theme_preference)
    }
}

/// The key of the panel sizes in eframe's storage.
pub(super) const PANELS_KEY: &str = "switchyard.panels";

/// The widths of the palette and the inspector, and the console's height, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelSizes {
    /// The palette's width.
    pub palette: f32,
    /// The inspector's width.
    pub inspector: f32,
    /// The console's height.
    pub console: f32,
}

impl Default for PanelSizes {
    fn default() -> Self {
        Self { palette: 160.0, inspector: 340.0, console: 230.0 }
    }
}

impl PanelSizes {
    /// The sizes eframe's storage kept (`palette inspector console`), else the defaults;
    /// each within what the panel allows.
    pub fn from_storage(text: &str) -> Self {
        let mut numbers = text.split_whitespace().map(str::parse::<f32>);
        let defaults = Self::default();
        let mut next = |default: f32, range: std::ops::RangeInclusive<f32>| match numbers.next() {
            Some(Ok(value)) if value.is_finite() => value.clamp(*range.start(), *range.end()),
            _ => default,
        };
        Self {
            palette: next(defaults.palette, PALETTE_RANGE),
            inspector: next(defaults.inspector, INSPECTOR_RANGE),
            console: next(defaults.console, CONSOLE_RANGE),
        }
    }

    /// The text eframe's storage keeps.
    pub fn to_storage(self) -> String {
        format!("{:.0} {:.0} {:.0}", self.palette, self.inspector, self.console)
    }
}

/// How wide the palette may be made.
pub(super) const PALETTE_RANGE: std::ops::RangeInclusive<f32> = 120.0..=320.0;
/// How wide the inspector may be made.
pub(super) const INSPECTOR_RANGE: std::ops::RangeInclusive<f32> = 260.0..=720.0;
/// How tall the console may be made.
pub(super) const CONSOLE_RANGE: std::ops::RangeInclusive<f32> = 90.0..=600.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_sizes_round_trip_and_bad_text_gives_defaults_within_range() {
        let sizes = PanelSizes { palette: 180.0, inspector: 420.0, console: 300.0 };
        assert_eq!(PanelSizes::from_storage(&sizes.to_storage()), sizes);
        assert_eq!(PanelSizes::from_storage("nonsense"), PanelSizes::default());
        assert_eq!(PanelSizes::from_storage("1 99999 NaN").palette, 120.0);
        assert_eq!(PanelSizes::from_storage("1 99999 NaN").inspector, 720.0);
        assert_eq!(PanelSizes::from_storage("1 99999 NaN").console, 230.0);
    }
}
