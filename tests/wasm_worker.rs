//! Browser tests (wasm-bindgen-test in a dedicated worker of headless
//! Chromium) for the worker's glue: a `File` handle read with
//! `FileReaderSync`, parsed, sent back in the wire format and added to a
//! workspace must give exactly the native CLI's feature table; a card's
//! stamps come back decoded.
#![cfg(target_arch = "wasm32")]

use fink_vra::core::cutouts::read_card_stamps;
use fink_vra::core::features::csv::write_csv;
use fink_vra::core::file_reading::{read_file, FileReading};
use fink_vra::core::workspace::{FileOutcome, Workspace};
use fink_vra::ui::worker_main::source_bytes;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const SCHEMA402: &[u8] = include_bytes!("fixtures/raw/ztf_schema402_10alerts.parquet");
const SCHEMA402_GOLDEN: &str = include_str!("fixtures/golden/ztf_schema402_10alerts.features.csv");
const DATATEST: &[u8] = include_bytes!("fixtures/raw/ztf_datatest_67alerts_no_lcfeatures.parquet");
const DATATEST_GOLDEN: &str =
    include_str!("fixtures/golden/ztf_datatest_67alerts_no_lcfeatures.features.csv");

/// A browser `File` holding `bytes`, as the file picker would hand it over.
fn browser_file(bytes: &[u8], name: &str) -> JsValue {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name)
        .expect("a File can be built")
        .into()
}

/// What the page's workspace holds after the worker read `bytes` as a `File`.
fn features_through_the_worker(bytes: &[u8], name: &str) -> String {
    let read = source_bytes(&browser_file(bytes, name)).expect("FileReaderSync reads the File");
    assert_eq!(read, bytes);
    let wire = read_file(name, read).to_bytes();
    let mut workspace = Workspace::new();
    workspace.add_reading(FileReading::from_bytes(&wire).expect("the answer decodes"));
    assert!(matches!(
        workspace.files()[0].outcome,
        FileOutcome::Loaded(_)
    ));
    let mut out = Vec::new();
    write_csv(workspace.features(), &mut out).expect("writing to memory");
    String::from_utf8(out).expect("utf-8")
}

#[wasm_bindgen_test]
fn full_schema_features_in_the_worker_equal_the_native_cli_output() {
    assert_eq!(
        features_through_the_worker(SCHEMA402, "schema402.parquet"),
        SCHEMA402_GOLDEN
    );
}

#[wasm_bindgen_test]
fn recomputed_lc_features_in_the_worker_equal_the_native_cli_output() {
    assert_eq!(
        features_through_the_worker(DATATEST, "datatest.parquet"),
        DATATEST_GOLDEN
    );
}

#[wasm_bindgen_test]
fn a_corrupt_file_is_an_answer_not_a_crash() {
    let read =
        source_bytes(&browser_file(b"PAR1 not parquet PAR1", "corrupt.parquet")).expect("reads");
    let reading =
        FileReading::from_bytes(&read_file("corrupt.parquet", read).to_bytes()).expect("decodes");
    assert!(reading.result.is_err());
}

#[wasm_bindgen_test]
fn the_stamps_of_a_file_handle_decode_in_the_worker() {
    let bytes = source_bytes(&browser_file(SCHEMA402, "schema402.parquet")).expect("reads");
    let reading = read_file("schema402.parquet", bytes.clone());
    let candid = reading.result.expect("reads").parsed.alerts[0].candid;
    let stamps = read_card_stamps("schema402.parquet", bytes, candid)
        .expect("readable")
        .expect("has stamps");
    let titles: Vec<&str> = stamps.iter().map(|stamp| stamp.title.as_str()).collect();
    assert_eq!(titles, ["Science", "Template", "Difference"]);
    assert!(stamps.iter().all(|stamp| stamp.image.is_ok()));
}
