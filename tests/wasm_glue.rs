//! Browser tests (wasm-bindgen-test in headless Chromium) for the wasm glue:
//! a browser `File` → bytes → parse → features, inside wasm. The result must
//! equal the native CLI's output on the same fixture byte for byte.
#![cfg(target_arch = "wasm32")]

use fink_vra::core::cutouts::read_card_stamps;
use fink_vra::core::features::csv::write_csv;
use fink_vra::core::workspace::{FileOutcome, Workspace};
use fink_vra::ui::browser::canvas::draw_rgba;
use fink_vra::ui::browser::files::read_file;
use fink_vra::ui::{load_sources, FileHandles, FileSource};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SCHEMA402: &[u8] = include_bytes!("fixtures/raw/ztf_schema402_10alerts.parquet");
const SCHEMA402_GOLDEN: &str = include_str!("fixtures/golden/ztf_schema402_10alerts.features.csv");
const DATATEST: &[u8] = include_bytes!("fixtures/raw/ztf_datatest_67alerts_no_lcfeatures.parquet");
const DATATEST_GOLDEN: &str =
    include_str!("fixtures/golden/ztf_datatest_67alerts_no_lcfeatures.features.csv");

/// A browser `File` holding `bytes`, as the file picker would hand it over.
fn browser_file(bytes: &[u8], name: &str) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).expect("a File can be built")
}

fn feature_csv(workspace: &Workspace) -> String {
    let mut out = Vec::new();
    write_csv(workspace.features(), &mut out).expect("writing to memory");
    String::from_utf8(out).expect("utf-8")
}

async fn features_through_the_browser(bytes: &[u8], name: &str) -> String {
    let file = browser_file(bytes, name);
    let read = read_file(&file).await.expect("File.arrayBuffer() works");
    assert_eq!(read.len(), bytes.len());
    let mut workspace = Workspace::new();
    workspace.load_file(&file.name(), read);
    feature_csv(&workspace)
}

#[wasm_bindgen_test]
async fn full_schema_features_in_wasm_equal_the_native_cli_output() {
    assert_eq!(
        features_through_the_browser(SCHEMA402, "schema402.parquet").await,
        SCHEMA402_GOLDEN
    );
}

#[wasm_bindgen_test]
async fn recomputed_lc_features_in_wasm_equal_the_native_cli_output() {
    assert_eq!(
        features_through_the_browser(DATATEST, "datatest.parquet").await,
        DATATEST_GOLDEN
    );
}

#[wasm_bindgen_test]
async fn loading_records_a_corrupt_file_and_still_loads_the_next() {
    let workspace = RwSignal::new(Workspace::new());
    let progress = RwSignal::new(None);
    let sources = vec![
        FileSource::Picked(browser_file(
            b"PAR1 this is not parquet PAR1",
            "corrupt.parquet",
        )),
        FileSource::Picked(browser_file(SCHEMA402, "schema402.parquet")),
    ];
    let handles = FileHandles::default();
    load_sources(sources, workspace, handles, progress).await;
    assert!(
        handles.get(1).is_some() && handles.get(2).is_none(),
        "a handle per file given"
    );
    workspace.with_untracked(|workspace| {
        assert!(matches!(workspace.files()[0].outcome, FileOutcome::Failed(_)));
        assert!(matches!(&workspace.files()[1].outcome, FileOutcome::Loaded(summary) if summary.alerts_added == 10));
        assert_eq!(workspace.features().len(), 10);
    });
    assert_eq!(
        progress.get_untracked(),
        None,
        "progress is cleared at the end"
    );
}

#[wasm_bindgen_test]
async fn a_kept_file_handle_reads_the_stamps_again_and_they_draw_on_a_canvas() {
    let workspace = RwSignal::new(Workspace::new());
    let handles = FileHandles::default();
    let sources = vec![FileSource::Picked(browser_file(
        SCHEMA402,
        "schema402.parquet",
    ))];
    load_sources(sources, workspace, handles, RwSignal::new(None)).await;
    let candid = workspace.with_untracked(|workspace| workspace.alerts()[3].candid);
    let bytes = handles
        .get(0)
        .expect("the handle was kept")
        .bytes()
        .await
        .expect("the file reads again");
    let stamps = read_card_stamps("schema402.parquet", bytes, candid)
        .expect("readable")
        .expect("the alert has stamps");
    let science = stamps[0].image.as_ref().expect("the science stamp decodes");
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.create_element("canvas").ok())
        .expect("a document")
        .unchecked_into();
    canvas.set_width(science.width as u32);
    canvas.set_height(science.height as u32);
    let rgba = science.to_rgba();
    draw_rgba(&canvas, science.width as u32, science.height as u32, &rgba).expect("draws");
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .expect("2-D context")
        .unchecked_into();
    let drawn = context
        .get_image_data(0.0, 0.0, science.width as f64, science.height as f64)
        .expect("reads back")
        .data();
    assert_eq!(
        drawn.0, rgba,
        "the canvas holds exactly the stretched pixels"
    );
}
