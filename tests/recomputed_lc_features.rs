//! Fink's light-curve features recomputed from the light curve agree with the
//! values Fink itself put in the files that carry `lc_features_*`.

mod common;

use common::load_set;
use fink_vra::core::features::fink_lc::recompute_lc_features;

/// The recipe was promised to reproduce Fink within 1e-3; it does far better,
/// so hold it to 1e-6 (absolute, or relative above 1) to catch regressions.
const TOLERANCE: f64 = 1e-6;

fn agrees(recomputed: f64, fink: f64) -> bool {
    if recomputed.is_nan() || fink.is_nan() {
        return recomputed.is_nan() && fink.is_nan();
    }
    (recomputed - fink).abs() <= TOLERANCE * fink.abs().max(1.0)
}

/// Returns (values compared, values that are non-NaN in Fink's output).
fn compare(file: &str) -> (usize, usize) {
    let set = load_set(&[file]);
    let mut disagreements = Vec::new();
    let (mut compared, mut present, mut largest_deviation) = (0, 0, 0.0f64);
    for alert in set.alerts() {
        let alert = alert.as_ztf().expect("a ZTF alert");
        let fink = alert.fink_lc_features.expect("file carries lc_features");
        let recomputed = recompute_lc_features(&alert.light_curve);
        for (band, fink_band, ours) in [("g", fink.g, recomputed.g), ("r", fink.r, recomputed.r)] {
            for ((name, want), got) in fink_vra::core::alert::BandFeatures::FIELD_NAMES
                .iter()
                .zip(fink_band.values())
                .zip(ours.values())
            {
                compared += 1;
                present += usize::from(!want.is_nan());
                if !want.is_nan() && !got.is_nan() {
                    largest_deviation =
                        largest_deviation.max((got - want).abs() / want.abs().max(1.0));
                }
                if !agrees(got, want) {
                    disagreements.push(format!(
                        "{} {name}_{band}: recomputed {got}, Fink {want}",
                        alert.candid
                    ));
                }
            }
        }
    }
    eprintln!("{file}: {present} Fink values, largest scaled deviation {largest_deviation:e}");
    assert!(
        disagreements.is_empty(),
        "{file}: {} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    (compared, present)
}

#[test]
fn recomputed_features_match_fink_in_schema402_file() {
    let (compared, present) = compare("raw/ztf_schema402_10alerts.parquet");
    assert_eq!(compared, 10 * 12);
    assert_eq!(present, 57, "non-NaN Fink values compared");
}

#[test]
fn recomputed_features_match_fink_in_hostless_file() {
    let (compared, present) = compare("raw/ztf_hostless_72alerts.parquet");
    assert_eq!(compared, 72 * 12);
    assert_eq!(present, 585, "non-NaN Fink values compared");
}
