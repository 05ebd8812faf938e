//! Every input with which `cargo fuzz` crashed a reader (see `bench/FUZZ.md`),
//! run through the same calls as its fuzz target: each must now be a clear
//! error, never a panic.

mod common;

use fink_vra::core::cutouts::{decode_fits, StampError};
use fink_vra::core::ingest::{read_alerts_from_bytes, IngestError};
use fink_vra::core::labels::exchange::{
    import_json, import_labeled_csv, import_training_ids_csv, LabelImportError,
};

fn crash_input(name: &str) -> Vec<u8> {
    std::fs::read(common::fixture(&format!("fuzz-crashes/{name}"))).expect("crash input")
}

#[test]
fn parquet_dictionary_page_missing_is_a_corrupt_file_not_a_panic() {
    // The parquet crate panics ("Decoder for dict should have been set") on a
    // dictionary-encoded page whose column chunk has no dictionary page.
    let bytes = crash_input("parquet_dictionary_page_missing.parquet");
    match read_alerts_from_bytes("crash.parquet", bytes) {
        Err(IngestError::Corrupt { file, detail }) => {
            assert_eq!(file, "crash.parquet");
            assert!(detail.contains("malformed"), "{detail}");
        }
        other => panic!("expected a corrupt-file error, got {other:?}"),
    }
}

#[test]
fn training_ids_short_row_is_a_row_error_not_a_panic() {
    // A row with fewer fields than the header used to index a missing column.
    let text = String::from_utf8_lossy(&crash_input("training_ids_short_row.csv")).into_owned();
    assert!(matches!(
        import_training_ids_csv("crash.csv", &text),
        Err(LabelImportError::BadCsvRow { line: 2, .. })
    ));
    assert!(import_json::<serde::de::IgnoredAny>("crash.json", &text).is_err());
    assert!(import_labeled_csv("crash.csv", &text, "fuzzer").is_err());
    let short = "candid,objectId,label,timestamp\n3069386410515015007,ZTF19aarxyde\n";
    let error = import_labeled_csv("short.csv", short, "ana").expect_err("short row");
    assert!(error.to_string().contains("line 2"), "{error}");
    assert!(
        error.to_string().contains("2 fields, the header has 4"),
        "{error}"
    );
}

#[test]
fn labeled_csv_timestamp_overflow_is_a_row_error_not_a_panic() {
    // A timestamp field too large for a u32 used to shorten the parsed list
    // and index past its end.
    let text =
        String::from_utf8_lossy(&crash_input("labeled_csv_timestamp_overflow.csv")).into_owned();
    let error = import_labeled_csv("crash.csv", &text, "fuzzer").expect_err("refused");
    assert!(
        matches!(error, LabelImportError::BadCsvRow { line: 3, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("timestamp"), "{error}");
}

#[test]
fn fits_one_quote_string_card_is_read_not_a_panic() {
    // `BUNIT   = '` (one quote) made fitsrs 0.4.1 slice out of bounds; the
    // stamp decoder now reads only the cards it needs.
    let bytes = crash_input("fits_one_quote_string_card.fits");
    // Its END card is out of place and a later card is not ASCII.
    assert!(matches!(
        decode_fits(bytes),
        Err(StampError::NotFits { detail }) if detail == "a header keyword is not text"
    ));
}

#[test]
fn a_corrupt_file_prints_the_core_message_not_the_parquet_crate_panic() {
    // The panic inside the parquet crate is caught and becomes the file's
    // error; the default hook used to print "thread 'main' panicked at
    // …/parquet-…" and a backtrace first.
    let crash = common::fixture("fuzz-crashes/parquet_dictionary_page_missing.parquet");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .arg("features")
        .arg(&crash)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the CLI runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
    assert!(
        stderr.contains("the parquet reader failed on malformed data"),
        "{stderr}"
    );
}
