//! Saving the window's own screenshot (`ViewportCommand::Screenshot`) as a PNG.

use std::path::Path;

/// Writes `image` to `path` as PNG.
pub fn save_png(image: &egui::ColorImage, path: &Path) -> Result<(), String> {
    let [width, height] = image.size;
    let pixels: Vec<u8> = image.pixels.iter().flat_map(|p| p.to_array()).collect();
    let width = u32::try_from(width).map_err(|e| e.to_string())?;
    let height = u32::try_from(height).map_err(|e| e.to_string())?;
    image::save_buffer(path, &pixels, width, height, image::ColorType::Rgba8).map_err(|e| e.to_string())
}
