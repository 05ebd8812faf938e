//! Drawing decoded pixels on a `<canvas>`: the only code that touches the
//! canvas API.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::files::describe;

/// Puts `rgba` (`width × height × 4` bytes, top row first) on `canvas` at
/// its natural size; the page's CSS scales it up.
pub fn draw_rgba(
    canvas: &HtmlCanvasElement,
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<(), String> {
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(describe)?
        .ok_or_else(|| "this browser gives no 2-D canvas".to_string())?
        .dyn_into()
        .map_err(|_| "the canvas context is not 2-D".to_string())?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
        .map_err(describe)?;
    context.put_image_data(&image, 0.0, 0.0).map_err(describe)
}
