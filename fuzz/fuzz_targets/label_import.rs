//! Any text as an imported label file: the JSON export format, the original
//! `labeled.csv` and the training-ids CSV.
#![no_main]

use fink_vra::core::labels::exchange::{import_json, import_labeled_csv, import_training_ids_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = import_json("fuzz.json", &text);
    let _ = import_labeled_csv("fuzz.csv", &text, "fuzzer");
    let _ = import_training_ids_csv("fuzz.csv", &text);
});
