//! Any bytes as a cutout stamp: gzip-wrapped ones through the whole decoder,
//! others straight into the FITS parser (so the fuzzer need not learn gzip),
//! and every decoded image through the stretch.
#![no_main]

use fink_vra::core::cutouts::{decode_fits, decode_stamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = if data.starts_with(&[0x1f, 0x8b]) {
        decode_stamp(data)
    } else {
        decode_fits(data.to_vec())
    };
    if let Ok(image) = decoded {
        let _ = image.to_rgba();
    }
});
