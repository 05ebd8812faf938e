//! The LSST feature row: the ZTF row's ideas on Rubin's flux measurements.
//!
//! - `ra, dec, reliability, snr` from the alert's `diaSource`;
//! - counts over the light curve (the `diaSource`, then `prvDiaSources`,
//!   unique by `diaSourceId`): positive and negative detections, and forced
//!   photometry below 5σ as non-detections;
//! - the median and spread of the positive detections' AB magnitudes;
//! - Fink's six light-curve features per band `ugrizy`, from the file's
//!   `lc_features` map or recomputed as fink-science `rubin/ad_features` does
//!   (on flux in nJy against MJD TAI, with [`series_features`]);
//! - E(B-V) from the SFD map.

use std::collections::HashSet;

use super::extinction::ExtinctionMap;
use super::fink_lc::{series_features, Measurement};
use super::stats::{median, population_std};
use super::{FeatureRow, LcFeatureSource};
use crate::core::alert::{BandFeatures, FluxPoint, LsstAlert, LsstBand, LsstLcFeatures, Survey};

/// Number of numeric features in an LSST row.
pub const LSST_FEATURE_COUNT: usize = 46;

/// The numeric feature columns of an LSST row, in output order (after
/// `diaSourceId, diaObjectId`).
pub const LSST_FEATURE_NAMES: [&str; LSST_FEATURE_COUNT] = [
    "ra",
    "dec",
    "reliability",
    "snr",
    "ndets",
    "nnegdets",
    "nnondets",
    "dets_median",
    "dets_std",
    "amplitude_u",
    "linear_fit_reduced_chi2_u",
    "linear_fit_slope_u",
    "linear_fit_slope_sigma_u",
    "median_u",
    "median_absolute_deviation_u",
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
    "amplitude_i",
    "linear_fit_reduced_chi2_i",
    "linear_fit_slope_i",
    "linear_fit_slope_sigma_i",
    "median_i",
    "median_absolute_deviation_i",
    "amplitude_z",
    "linear_fit_reduced_chi2_z",
    "linear_fit_slope_z",
    "linear_fit_slope_sigma_z",
    "median_z",
    "median_absolute_deviation_z",
    "amplitude_y",
    "linear_fit_reduced_chi2_y",
    "linear_fit_slope_y",
    "linear_fit_slope_sigma_y",
    "median_y",
    "median_absolute_deviation_y",
    "ebv",
];

/// The AB magnitude zero point of a flux in nJy: `m = 31.4 - 2.5 log10(f)`.
const AB_ZERO_POINT_NJY: f64 = 31.4;
/// Forced photometry below this significance counts as a non-detection.
const NON_DETECTION_MAX_SIGNIFICANCE: f64 = 5.0;

/// Counts and magnitudes of an LSST light curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LsstDetectionStats {
    /// Light-curve points with a finite positive flux.
    pub ndets: u32,
    /// Light-curve points with a finite negative flux.
    pub nnegdets: u32,
    /// Forced-photometry points measured below 5σ.
    pub nnondets: u32,
    /// Median AB magnitude of the `ndets` points; `NaN` when none.
    pub dets_median: f64,
    /// Their population standard deviation (ddof 0); `NaN` when none.
    pub dets_std: f64,
}

/// The light curve the counts use: the sources unique by `diaSourceId`,
/// the first of each kept (the alert's own source comes first). A source
/// without an id is never taken for another one.
fn unique_sources(sources: &[FluxPoint]) -> impl Iterator<Item = &FluxPoint> {
    let mut seen = HashSet::new();
    sources
        .iter()
        .filter(move |source| source.source_id.is_none_or(|id| seen.insert(id)))
}

/// `ndets`, `nnegdets`, `nnondets`, `dets_median` and `dets_std` of an alert.
pub fn lsst_detection_stats(alert: &LsstAlert) -> LsstDetectionStats {
    let mut magnitudes = Vec::new();
    let mut nnegdets = 0;
    for source in unique_sources(&alert.sources) {
        if source.flux.is_finite() && source.flux > 0.0 {
            magnitudes.push(AB_ZERO_POINT_NJY - 2.5 * libm::log10(source.flux));
        } else if source.flux.is_finite() && source.flux < 0.0 {
            nnegdets += 1;
        }
    }
    let nnondets = alert
        .forced_sources
        .iter()
        .filter(|point| {
            point.flux.is_finite()
                && point.flux_error.is_finite()
                && point.flux_error > 0.0
                && (point.flux / point.flux_error).abs() < NON_DETECTION_MAX_SIGNIFICANCE
        })
        .count();
    let dets_std = population_std(&magnitudes);
    LsstDetectionStats {
        ndets: magnitudes.len() as u32,
        nnegdets,
        nnondets: nnondets as u32,
        dets_median: median(&mut magnitudes),
        dets_std,
    }
}

/// The flux series of each band that Fink's light-curve features use, as
/// fink-science's `rubin/ad_features` selects them: `prvDiaSources` then the
/// `diaSource`, points with a time, a flux and an error, stably sorted by
/// time, one point per time (the first), split by band ([`LsstBand::ALL`]
/// order).
pub fn lsst_band_series(alert: &LsstAlert) -> [Vec<Measurement>; 6] {
    let (own, previous) = match alert.sources.split_first() {
        Some((own, previous)) => (Some(own), previous),
        None => (None, &[][..]),
    };
    let mut points: Vec<(LsstBand, Measurement)> = previous
        .iter()
        .chain(own)
        .filter(|point| !point.mjd.is_nan() && !point.flux.is_nan() && !point.flux_error.is_nan())
        .filter_map(|point| {
            let measurement = Measurement {
                mjd: point.mjd,
                value: point.flux,
                error: point.flux_error,
            };
            point.band.map(|band| (band, measurement))
        })
        .collect();
    points.sort_by(|a, b| a.1.mjd.total_cmp(&b.1.mjd));
    points.dedup_by(|later, earlier| later.1.mjd == earlier.1.mjd);
    LsstBand::ALL.map(|band| {
        points
            .iter()
            .filter(|(point_band, _)| *point_band == band)
            .map(|(_, measurement)| *measurement)
            .collect()
    })
}

/// Fink's six light-curve features of each band, recomputed from the alert's
/// sources (see [`lsst_band_series`]) on flux in nJy.
pub fn recompute_lsst_lc_features(alert: &LsstAlert) -> LsstLcFeatures {
    lsst_band_series(alert).map(|series| series_features(&series))
}

/// Computes the feature row of one LSST alert.
pub fn compute_lsst_features(
    alert: &LsstAlert,
    source: LcFeatureSource,
    dust: &ExtinctionMap,
) -> FeatureRow {
    let detections = lsst_detection_stats(alert);
    let (lc_features, lc_features_recomputed) = match (source, &alert.lc_features) {
        (LcFeatureSource::FileOrRecompute, Some(from_file)) => (**from_file, false),
        _ => (recompute_lsst_lc_features(alert), true),
    };
    let mut values = Vec::with_capacity(LSST_FEATURE_COUNT);
    values.extend([
        alert.ra,
        alert.dec,
        alert.reliability,
        alert.snr,
        f64::from(detections.ndets),
        f64::from(detections.nnegdets),
        f64::from(detections.nnondets),
        detections.dets_median,
        detections.dets_std,
    ]);
    values.extend(lc_features.iter().flat_map(BandFeatures::values));
    values.push(dust.ebv(alert.ra, alert.dec));
    FeatureRow {
        survey: Survey::Lsst,
        candid: alert.dia_source_id,
        object_id: alert.dia_object_id.to_string(),
        values,
        lc_features_recomputed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;

    fn source(id: u64, mjd: f64, band: LsstBand, flux: f64) -> FluxPoint {
        FluxPoint {
            source_id: Some(id),
            mjd,
            band: Some(band),
            flux,
            flux_error: 10.0,
        }
    }

    fn alert(sources: Vec<FluxPoint>, forced_sources: Vec<FluxPoint>) -> LsstAlert {
        LsstAlert {
            dia_source_id: Candid(1),
            dia_object_id: 7,
            ra: 10.0,
            dec: -5.0,
            reliability: 0.9,
            snr: 6.0,
            ss_object: None,
            sources,
            forced_sources,
            lc_features: None,
        }
    }

    #[test]
    fn the_row_has_one_value_per_named_column() {
        let row = compute_lsst_features(
            &alert(vec![source(1, 60000.0, LsstBand::I, 1000.0)], vec![]),
            LcFeatureSource::FileOrRecompute,
            ExtinctionMap::sfd(),
        );
        assert_eq!(row.values.len(), LSST_FEATURE_NAMES.len());
        assert_eq!(row.get("ndets"), Some(1.0));
        // 31.4 - 2.5 log10(1000) = 23.9
        assert!((row.get("dets_median").unwrap_or(f64::NAN) - 23.9).abs() < 1e-12);
        assert_eq!(row.get("median_i"), Some(1000.0));
        assert!(row.get("median_g").is_some_and(f64::is_nan));
    }

    #[test]
    fn a_repeated_source_counts_once_and_negative_fluxes_are_counted_apart() {
        let sources = vec![
            source(1, 60002.0, LsstBand::G, 500.0),
            source(1, 60002.0, LsstBand::G, 500.0),
            source(2, 60001.0, LsstBand::G, -300.0),
            source(3, 60000.0, LsstBand::R, 800.0),
        ];
        let mut forced = vec![source(0, 59999.0, LsstBand::G, 20.0)];
        forced.push(FluxPoint {
            flux: 100.0,
            ..forced[0]
        });
        let stats = lsst_detection_stats(&alert(sources, forced));
        assert_eq!((stats.ndets, stats.nnegdets, stats.nnondets), (2, 1, 1));
    }

    #[test]
    fn sources_without_an_id_are_all_counted() {
        let mut sources = vec![source(1, 60000.0, LsstBand::G, 500.0)];
        for day in 1..4 {
            sources.push(FluxPoint {
                source_id: None,
                ..source(0, 60000.0 + f64::from(day), LsstBand::G, 400.0)
            });
        }
        assert_eq!(lsst_detection_stats(&alert(sources, vec![])).ndets, 4);
    }

    #[test]
    fn the_recomputed_fit_runs_on_flux_against_time() {
        let mut sources = vec![source(9, 60003.0, LsstBand::R, 130.0)];
        sources.extend((0..3).map(|day| {
            source(
                day,
                60000.0 + day as f64,
                LsstBand::R,
                100.0 + 10.0 * day as f64,
            )
        }));
        let features = recompute_lsst_lc_features(&alert(sources, vec![]));
        let r = features[LsstBand::R.index()];
        assert!((r.linear_fit_slope - 10.0).abs() < 1e-9, "{r:?}");
        assert!(r.linear_fit_reduced_chi2.abs() < 1e-9);
        assert_eq!(r.amplitude, 15.0);
        assert!(features[LsstBand::U.index()].median.is_nan());
    }

    #[test]
    fn of_two_sources_at_one_time_the_previous_source_is_kept_as_fink_does() {
        // Fink takes prvDiaSources before the diaSource, then keeps the first
        // point of each time: a deblended twin in the history wins.
        let sources = vec![
            source(9, 60001.0, LsstBand::R, 130.0),
            source(1, 60000.0, LsstBand::R, 100.0),
            source(2, 60001.0, LsstBand::R, 999.0),
        ];
        let r = recompute_lsst_lc_features(&alert(sources, vec![]))[LsstBand::R.index()];
        assert_eq!(r.amplitude, (999.0 - 100.0) / 2.0);
    }
}
