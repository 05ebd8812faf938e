//! Browser tests (wasm-bindgen-test in headless Chromium) for the page's own
//! glue, on the page's thread: a stamp decoded in wasm drawn on a canvas, and
//! a `File` read with `File.arrayBuffer()` (how label files are imported).
//! The worker's glue is in `wasm_worker.rs`.
#![cfg(target_arch = "wasm32")]

use fink_vra::core::cutouts::read_card_stamps;
use fink_vra::core::ingest::read_alerts_from_bytes;
use fink_vra::ui::browser::canvas::draw_rgba;
use fink_vra::ui::browser::files::read_file;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SCHEMA402: &[u8] = include_bytes!("fixtures/raw/ztf_schema402_10alerts.parquet");

#[wasm_bindgen_test]
async fn a_picked_file_reads_back_byte_for_byte() {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(SCHEMA402));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "schema402.parquet")
        .expect("a File can be built");
    assert_eq!(
        read_file(&file).await.expect("File.arrayBuffer() works"),
        SCHEMA402
    );
}

#[wasm_bindgen_test]
fn a_decoded_stamp_draws_on_a_canvas_exactly() {
    let candid = read_alerts_from_bytes("schema402.parquet", SCHEMA402.to_vec())
        .expect("reads")
        .alerts[3]
        .candid();
    let stamps = read_card_stamps("schema402.parquet", SCHEMA402.to_vec(), candid)
        .expect("readable")
        .expect("the alert has stamps");
    let science = stamps[0].image.as_ref().expect("the science stamp decodes");
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.create_element("canvas").ok())
        .expect("a document")
        .unchecked_into();
    let (width, height) = (science.width as u32, science.height as u32);
    canvas.set_width(width);
    canvas.set_height(height);
    let rgba = science.to_rgba();
    draw_rgba(&canvas, width, height, &rgba).expect("draws");
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .expect("2-D context")
        .unchecked_into();
    let drawn = context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .expect("reads back")
        .data();
    assert_eq!(
        drawn.0, rgba,
        "the canvas holds exactly the stretched pixels"
    );
}
