//! Any bytes as a dropped alert file: both layouts' reader, the features of
//! what it reads, and the stamp reader on the first alert. Errors are fine;
//! panics, aborts and runaway allocations are bugs.
//!
//! The parquet crate still panics on some malformed files; `core::ingest`
//! contains those panics and reports the file as corrupt. So that fuzzing goes
//! on past them, a panic raised inside the parquet crate is logged (once per
//! place) instead of aborting; a panic anywhere else still aborts and counts
//! as a crash.
#![no_main]

use std::collections::HashSet;
use std::sync::{Mutex, Once};

use fink_vra::core::features::{compute_feature_table, LcFeatureSource};
use fink_vra::core::ingest::{read_alerts_from_bytes, read_stamps};
use libfuzzer_sys::fuzz_target;

static HOOK: Once = Once::new();
static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn let_parquet_panics_unwind() {
    HOOK.call_once(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let place = info
                .location()
                .map(|location| format!("{}:{}", location.file(), location.line()))
                .unwrap_or_default();
            if place.contains("/parquet-") {
                let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
                    eprintln!("contained parquet panic at {place}: {info}");
                }
            } else {
                abort_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_parquet_panics_unwind();
    let bytes = bytes::Bytes::copy_from_slice(data);
    if let Ok(parsed) = read_alerts_from_bytes("fuzz.parquet", bytes.clone()) {
        let _ = compute_feature_table(&parsed.alerts, LcFeatureSource::FileOrRecompute);
        if let Some(first) = parsed.alerts.first() {
            let _ = read_stamps("fuzz.parquet", bytes, first.candid);
        }
    }
});
