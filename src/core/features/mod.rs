//! One feature row per alert: the VRA's model input.
//!
//! Each family lives in its own file: light-curve counts
//! ([`light_curve_counts`]), Fink's light-curve features read from the file or
//! recomputed ([`fink_lc`]), and dust extinction ([`extinction`]). This module
//! fixes the column names and order, which are also the CSV header and the
//! export format.

pub mod csv;
pub mod extinction;
pub mod fink_lc;
pub mod light_curve_counts;
pub mod stats;
pub mod summary;

use crate::core::alert::{Alert, BandFeatures, Candid, FinkLcFeatures};
use extinction::ExtinctionMap;
use fink_lc::recompute_lc_features;
use light_curve_counts::detection_stats;

/// Number of numeric features in a row.
pub const FEATURE_COUNT: usize = 21;

/// The numeric feature columns, in output order (after `candid, objectId`).
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "ra",
    "dec",
    "drb",
    "ndets",
    "nnondets",
    "dets_median",
    "dets_std",
    "sep_arcsec",
    "amplitude_g",
    "linear_fit_reduced_chi2_g",
    "linear_fit_slope_g",
    "linear_fit_slope_sigma_g",
    "median_g",
    "median_absolute_deviation_g",
    "amplitude_r",
    "linear_fit_reduced_chi2_r",
    "linear_fit_slope_r",
    "linear_fit_slope_sigma_r",
    "median_r",
    "median_absolute_deviation_r",
    "ebv",
];

/// Where Fink's six light-curve features per band come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LcFeatureSource {
    /// The file's `lc_features_*` when it has them, else recomputed.
    #[default]
    FileOrRecompute,
    /// Always recomputed from the light curve (to compare with Fink's values).
    Recompute,
}

/// The features of one alert.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureRow {
    pub candid: Candid,
    pub object_id: String,
    /// Values in the order of [`FEATURE_NAMES`]; `NaN` where missing.
    pub values: [f64; FEATURE_COUNT],
    /// True when Fink's light-curve features were recomputed, not read.
    pub lc_features_recomputed: bool,
}

impl FeatureRow {
    /// The value of the feature called `name`, if there is such a feature.
    pub fn get(&self, name: &str) -> Option<f64> {
        FEATURE_NAMES
            .iter()
            .position(|&feature| feature == name)
            .map(|index| self.values[index])
    }
}

/// Computes the feature row of one alert.
pub fn compute_features(
    alert: &Alert,
    source: LcFeatureSource,
    dust: &ExtinctionMap,
) -> FeatureRow {
    let detections = detection_stats(&alert.light_curve);
    let (lc_features, lc_features_recomputed): (FinkLcFeatures, bool) =
        match (source, alert.fink_lc_features) {
            (LcFeatureSource::FileOrRecompute, Some(from_file)) => (from_file, false),
            _ => (recompute_lc_features(&alert.light_curve), true),
        };
    let band = |features: &BandFeatures| features.values();
    let [g0, g1, g2, g3, g4, g5] = band(&lc_features.g);
    let [r0, r1, r2, r3, r4, r5] = band(&lc_features.r);
    FeatureRow {
        candid: alert.candid,
        object_id: alert.object_id.clone(),
        values: [
            alert.ra,
            alert.dec,
            alert.drb,
            f64::from(detections.ndets),
            f64::from(detections.nnondets),
            detections.dets_median,
            detections.dets_std,
            alert.sep_arcsec,
            g0,
            g1,
            g2,
            g3,
            g4,
            g5,
            r0,
            r1,
            r2,
            r3,
            r4,
            r5,
            dust.ebv(alert.ra, alert.dec),
        ],
        lc_features_recomputed,
    }
}

/// Computes the feature rows of many alerts, in order, with the embedded SFD map.
pub fn compute_feature_table(alerts: &[Alert], source: LcFeatureSource) -> Vec<FeatureRow> {
    let dust = ExtinctionMap::sfd();
    alerts
        .iter()
        .map(|alert| compute_features(alert, source, dust))
        .collect()
}
