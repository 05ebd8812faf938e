//! Browser tests (wasm-bindgen-test in headless Chromium) for the page's own
//! glue, on the page's thread: a stamp decoded in wasm drawn on a canvas, a
//! `File` read with `File.arrayBuffer()` (how label files are imported), and
//! the training table's rows through the browser's real IndexedDB, and the
//! saved session's text through the browser's real localStorage.
//! The worker's glue is in `wasm_worker.rs`.
#![cfg(target_arch = "wasm32")]

use fink_vra::core::alert::Survey;
use fink_vra::core::cutouts::read_card_stamps;
use fink_vra::core::features::compute_feature_table;
use fink_vra::core::features::LcFeatureSource;
use fink_vra::core::ingest::read_alerts_from_bytes;
use fink_vra::core::training_table::{read_stored_rows, StoredRow};
use fink_vra::ui::browser::canvas::draw_rgba;
use fink_vra::ui::browser::files::read_file;
use fink_vra::ui::browser::storage;
use fink_vra::ui::browser::training_db;
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

#[wasm_bindgen_test]
async fn training_rows_round_trip_through_indexed_db_by_survey_and_key() {
    let alerts = read_alerts_from_bytes("schema402.parquet", SCHEMA402.to_vec())
        .expect("reads")
        .alerts;
    let rows = compute_feature_table(&alerts, LcFeatureSource::FileOrRecompute);
    let stored: Vec<StoredRow> = rows
        .iter()
        .map(|row| StoredRow::of(row, 60000.5, "schema402.parquet"))
        .collect();
    let records = |rows: &[StoredRow]| -> Vec<(String, Vec<u8>)> {
        rows.iter()
            .map(|row| (StoredRow::key(row.survey, row.alert_id), row.to_bytes()))
            .collect()
    };
    training_db::put_rows(records(&stored))
        .await
        .expect("stores");
    // Storing again is idempotent by key: still one record per alert.
    training_db::put_rows(records(&stored[..3]))
        .await
        .expect("stores");
    let bytes = training_db::read_rows(Survey::Ztf).await.expect("reads");
    let (back, dropped) = read_stored_rows(Survey::Ztf, bytes.iter().map(Vec::as_slice));
    assert_eq!((back.len(), dropped), (stored.len(), 0));
    for row in &stored {
        let found = back
            .iter()
            .find(|other| other.alert_id == row.alert_id)
            .expect("every row comes back");
        assert_eq!(found.values.len(), row.values.len());
        assert!(found
            .values
            .iter()
            .zip(&row.values)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    assert!(
        training_db::read_rows(Survey::Lsst)
            .await
            .expect("reads")
            .is_empty(),
        "another survey's rows are apart"
    );
    let some = training_db::read_some(vec![
        StoredRow::key(Survey::Ztf, stored[1].alert_id),
        "ztf:1".to_string(),
    ])
    .await
    .expect("reads");
    assert_eq!(some.len(), 1, "only the keys that exist");
}

#[wasm_bindgen_test]
async fn vote_records_round_trip_through_indexed_db_by_survey_and_annotator() {
    use fink_vra::core::alert::Candid;
    use fink_vra::core::labels::entry::LabelEntry;
    use fink_vra::core::labels::vocabulary::Label;
    use fink_vra::core::labels::votes::VoteTable;
    use fink_vra::core::stored_votes::{merge_records, read_record, record_bytes};
    let vote = |candid: u64, annotator: &str, label: Label| LabelEntry {
        candid: Candid(candid),
        object_id: "ZTF25aaaaaaa".into(),
        label,
        timestamp: "2026-12-07T10:00:00.000Z".into(),
        annotator: annotator.into(),
        round: None,
        random_pick: false,
    };
    let table = VoteTable::from_entries(&[
        vote(1, "bo", Label::Gal),
        vote(2, "bo", Label::Agn),
        vote(1, "cy: the <b>second</b>", Label::Gal),
    ]);
    let records = |names: &[&str]| -> Vec<(String, Vec<u8>)> {
        names
            .iter()
            .map(|name| (name.to_string(), record_bytes(&table, Survey::Ztf, name)))
            .collect()
    };
    let merge = |stored: Option<&[u8]>, ours: &[u8]| {
        merge_records(stored, ours, Survey::Ztf).map_err(|error| error.to_string())
    };
    training_db::merge_vote_records(
        Survey::Ztf,
        records(&["bo", "cy: the <b>second</b>"]),
        merge,
    )
    .await
    .expect("stores");
    // Another tab, which never read bo's record, writes bo's record with a
    // vote of its own: merged in the transaction, never written over.
    let other_tab = VoteTable::from_entries(&[vote(3, "bo", Label::Bogus)]);
    let stored = training_db::merge_vote_records(
        Survey::Ztf,
        vec![(
            "bo".to_string(),
            record_bytes(&other_tab, Survey::Ztf, "bo"),
        )],
        merge,
    )
    .await
    .expect("stores");
    assert_eq!(stored.len(), 1);
    assert_eq!(
        read_record(&stored[0].1, Survey::Ztf)
            .expect("reads")
            .votes
            .len(),
        3,
        "the record stored is the union, and it is what the tab takes in"
    );
    let bytes = training_db::read_vote_records(Survey::Ztf)
        .await
        .expect("reads");
    let mut back: Vec<(String, usize)> = bytes
        .iter()
        .map(|bytes| read_record(bytes, Survey::Ztf).expect("reads back"))
        .map(|record| (record.annotator, record.votes.len()))
        .collect();
    back.sort();
    assert_eq!(
        back,
        vec![
            ("bo".to_string(), 3),
            ("cy: the <b>second</b>".to_string(), 1)
        ]
    );
    assert!(
        training_db::read_vote_records(Survey::Lsst)
            .await
            .expect("reads")
            .is_empty(),
        "another survey's votes are apart"
    );
}

#[wasm_bindgen_test]
fn a_session_text_is_read_back_only_when_someone_else_stored_it() {
    let key = "fink-vra/test/stored-by-others";
    let local_storage = web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .expect("localStorage");
    local_storage.remove_item(key).expect("removes");
    assert_eq!(
        storage::load_stored_by_others(key),
        Ok(None),
        "nothing stored"
    );
    storage::save(key, "ours").expect("stores");
    assert_eq!(storage::load(key), Ok(Some("ours".to_string())));
    assert_eq!(
        storage::load_stored_by_others(key),
        Ok(None),
        "our own text"
    );
    local_storage
        .set_item(key, "another tab's")
        .expect("stores");
    assert_eq!(
        storage::load_stored_by_others(key),
        Ok(Some("another tab's".to_string()))
    );
    local_storage.set_item(key, "ours").expect("stores");
    assert_eq!(
        storage::load_stored_by_others(key),
        Ok(None),
        "the same text as ours, written again, holds nothing new"
    );
    local_storage.remove_item(key).expect("removes");
}
