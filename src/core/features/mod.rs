//! One feature row per alert: the VRA's model input.
//!
//! Each survey has its own row: ZTF's (this module, in magnitudes) and
//! LSST's ([`lsst`], in flux). Each family lives in its own file: light-curve
//! counts ([`light_curve_counts`]), Fink's light-curve features read from the
//! file or recomputed ([`fink_lc`]), and dust extinction ([`extinction`]).
//! This module fixes the column names and order of both surveys, which are
//! also the CSV header and the model's input.

pub mod csv;
pub mod extinction;
pub mod fink_lc;
pub mod light_curve_counts;
pub mod lsst;
pub mod stats;
pub mod summary;

use crate::core::alert::{Alert, BandFeatures, Candid, FinkLcFeatures, Survey, ZtfAlert};
use extinction::ExtinctionMap;
use fink_lc::recompute_lc_features;
use light_curve_counts::detection_stats;

/// Number of numeric features in a ZTF row.
pub const ZTF_FEATURE_COUNT: usize = 21;

/// The numeric feature columns of a ZTF row, in output order (after
/// `candid, objectId`).
pub const ZTF_FEATURE_NAMES: [&str; ZTF_FEATURE_COUNT] = [
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

/// The numeric feature columns of `survey`'s rows, in output order.
pub fn feature_names(survey: Survey) -> &'static [&'static str] {
    match survey {
        Survey::Ztf => &ZTF_FEATURE_NAMES,
        Survey::Lsst => &lsst::LSST_FEATURE_NAMES,
    }
}

/// The two id columns that start `survey`'s feature CSV.
pub fn id_column_names(survey: Survey) -> [&'static str; 2] {
    match survey {
        Survey::Ztf => ["candid", "objectId"],
        Survey::Lsst => ["diaSourceId", "diaObjectId"],
    }
}

/// Where Fink's six light-curve features per band come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LcFeatureSource {
    /// The file's `lc_features_*` (ZTF) or `lc_features` (LSST) when it has
    /// them, else recomputed.
    #[default]
    FileOrRecompute,
    /// Always recomputed from the light curve (to compare with Fink's values).
    Recompute,
}

/// The features of one alert.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureRow {
    /// The survey, which fixes the columns of `values`.
    pub survey: Survey,
    /// The alert's id (ZTF `candid`, LSST `diaSourceId`).
    pub candid: Candid,
    /// The object's id (ZTF `objectId`, LSST `diaObjectId` in decimal).
    pub object_id: String,
    /// Values in the order of [`feature_names`] for the alert's survey; `NaN`
    /// where missing.
    pub values: Vec<f64>,
    /// True when Fink's light-curve features were recomputed, not read.
    pub lc_features_recomputed: bool,
}

impl FeatureRow {
    /// The value of the feature called `name`, if the row has such a feature.
    pub fn get(&self, name: &str) -> Option<f64> {
        feature_names(self.survey)
            .iter()
            .position(|&feature| feature == name)
            .and_then(|index| self.values.get(index).copied())
    }
}

/// Computes the feature row of one alert, of either survey.
pub fn compute_features(
    alert: &Alert,
    source: LcFeatureSource,
    dust: &ExtinctionMap,
) -> FeatureRow {
    match alert {
        Alert::Ztf(alert) => compute_ztf_features(alert, source, dust),
        Alert::Lsst(alert) => lsst::compute_lsst_features(alert, source, dust),
    }
}

/// Computes the feature row of one ZTF alert.
pub fn compute_ztf_features(
    alert: &ZtfAlert,
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
        survey: Survey::Ztf,
        candid: alert.candid,
        object_id: alert.object_id.clone(),
        values: vec![
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
