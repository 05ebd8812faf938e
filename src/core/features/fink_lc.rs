//! Fink's six light-curve features per band, recomputed from the light curve
//! for files that do not carry `lc_features_*` (older schemas), following
//! fink-science `ztf/ad_features/processor.py` and fink-utils' photometry:
//!
//! 1. keep the points with a magnitude and a magnitude error;
//! 2. if any kept point lies within 1.5 px of a reference source, convert all
//!    kept points to DC magnitudes (reference flux plus or minus difference flux);
//! 3. sort by time, drop duplicate (time, band) points, split by band;
//! 4. per band: amplitude, median, median absolute deviation, and a weighted
//!    linear fit of magnitude on time (slope, slope sigma, reduced chi2).
//!
//! Step 4 is [`series_features`], which the LSST recipe
//! (`features::lsst`) applies to fluxes: the same maths on other inputs.
//!
//! Powers and logarithms use the `libm` crate rather than the platform's maths
//! library, so the browser computes exactly the bits the CLI does.

use super::stats::median;
use crate::core::alert::{Band, BandFeatures, DifferenceSign, FinkLcFeatures, LightCurvePoint};

/// `2.5 / ln(10)`: converts a relative flux error to a magnitude error.
const MAGNITUDE_ERROR_FACTOR: f64 = 1.0857;
/// Reference sources closer than this (pixels) make Fink use DC magnitudes.
const DC_MAGNITUDE_MAX_DISTANCE: f64 = 1.5;
/// The linear fit needs at least this many points.
const LINEAR_FIT_MIN_POINTS: usize = 3;

/// One photometric measurement of one band: a magnitude (ZTF, after the
/// optional DC conversion) or a flux (LSST), with its 1-sigma error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measurement {
    pub mjd: f64,
    pub value: f64,
    pub error: f64,
}

/// A ZTF measurement and its band.
#[derive(Clone, Copy)]
struct BandMeasurement {
    band: Band,
    measurement: Measurement,
}

/// Recomputes Fink's g and r light-curve features from an alert's points.
pub fn recompute_lc_features(light_curve: &[LightCurvePoint]) -> FinkLcFeatures {
    let kept: Vec<&LightCurvePoint> = light_curve
        .iter()
        .filter(|point| point.has_magnitude() && !point.magnitude_error.is_nan())
        .collect();
    let use_dc = kept
        .iter()
        .any(|point| (0.0..=DC_MAGNITUDE_MAX_DISTANCE).contains(&point.nearest_ref_distance));
    let mut measurements: Vec<BandMeasurement> = kept
        .iter()
        .map(|point| {
            if use_dc {
                dc_measurement(point)
            } else {
                raw_measurement(point)
            }
        })
        .filter(|point| point.measurement.value.is_finite() && point.measurement.error.is_finite())
        .collect();
    measurements.sort_by(|a, b| a.measurement.mjd.total_cmp(&b.measurement.mjd));
    measurements.dedup_by(|later, earlier| {
        later.measurement.mjd == earlier.measurement.mjd && later.band == earlier.band
    });
    let in_band = |band: Band| -> Vec<Measurement> {
        measurements
            .iter()
            .filter(|point| point.band == band)
            .map(|point| point.measurement)
            .collect()
    };
    FinkLcFeatures {
        g: series_features(&in_band(Band::G)),
        r: series_features(&in_band(Band::R)),
    }
}

fn raw_measurement(point: &LightCurvePoint) -> BandMeasurement {
    BandMeasurement {
        band: point.band,
        measurement: Measurement {
            mjd: point.mjd,
            value: point.magnitude,
            error: point.magnitude_error,
        },
    }
}

/// The DC magnitude of a point: the reference source's flux plus (or minus,
/// for a negative difference) the difference flux. `NaN` when the reference
/// magnitude is missing or negative, or the total flux is not positive.
fn dc_measurement(point: &LightCurvePoint) -> BandMeasurement {
    let difference_flux = libm::pow(10.0, -0.4 * point.magnitude);
    let difference_flux_error = point.magnitude_error / MAGNITUDE_ERROR_FACTOR * difference_flux;
    let reference_flux = if point.nearest_ref_magnitude < 0.0 {
        f64::NAN
    } else {
        libm::pow(10.0, -0.4 * point.nearest_ref_magnitude)
    };
    let reference_flux_error =
        point.nearest_ref_magnitude_error / MAGNITUDE_ERROR_FACTOR * reference_flux;
    let total_flux = match point.difference_sign {
        DifferenceSign::Positive => reference_flux + difference_flux,
        DifferenceSign::Negative | DifferenceSign::Unknown => reference_flux - difference_flux,
    };
    let total_flux_error = libm::hypot(difference_flux_error, reference_flux_error);
    BandMeasurement {
        band: point.band,
        measurement: Measurement {
            mjd: point.mjd,
            value: -2.5 * libm::log10(total_flux),
            error: MAGNITUDE_ERROR_FACTOR * total_flux_error / total_flux,
        },
    }
}

/// Fink's six features of one band's time series (sorted by time, one point
/// per time): amplitude, median, median absolute deviation of the values, and
/// the weighted linear fit of value on time (from 3 points). All `NaN` for an
/// empty series.
pub fn series_features(in_band: &[Measurement]) -> BandFeatures {
    if in_band.is_empty() {
        return BandFeatures::MISSING;
    }
    let mut values: Vec<f64> = in_band.iter().map(|m| m.value).collect();
    let (minimum, maximum) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), &m| {
            (low.min(m), high.max(m))
        });
    let band_median = median(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|m| (m - band_median).abs()).collect();
    let fit = weighted_linear_fit(in_band);
    BandFeatures {
        amplitude: (maximum - minimum) / 2.0,
        linear_fit_reduced_chi2: fit.reduced_chi2,
        linear_fit_slope: fit.slope,
        linear_fit_slope_sigma: fit.slope_sigma,
        median: band_median,
        median_absolute_deviation: median(&mut deviations),
    }
}

struct LinearFit {
    slope: f64,
    slope_sigma: f64,
    reduced_chi2: f64,
}

/// Weighted least squares of value on time with weights `1/error^2`.
/// Times are centred on their weighted mean first: the same fit, without the
/// cancellation that raw dates (JD ~2.46e6, MJD ~6e4) would cause on a series
/// minutes long. Fink's `light-curve` package also fits well-conditioned
/// sums (shifted by the first time), so both agree to rounding.
fn weighted_linear_fit(points: &[Measurement]) -> LinearFit {
    if points.len() < LINEAR_FIT_MIN_POINTS {
        return LinearFit {
            slope: f64::NAN,
            slope_sigma: f64::NAN,
            reduced_chi2: f64::NAN,
        };
    }
    let weight = |m: &Measurement| 1.0 / (m.error * m.error);
    let weight_sum: f64 = points.iter().map(weight).sum();
    let mean_time = points.iter().map(|m| weight(m) * m.mjd).sum::<f64>() / weight_sum;
    let mean_magnitude = points.iter().map(|m| weight(m) * m.value).sum::<f64>() / weight_sum;
    let spread: f64 = points
        .iter()
        .map(|m| weight(m) * (m.mjd - mean_time).powi(2))
        .sum();
    let covariance: f64 = points
        .iter()
        .map(|m| weight(m) * (m.mjd - mean_time) * (m.value - mean_magnitude))
        .sum();
    let slope = covariance / spread;
    let chi2: f64 = points
        .iter()
        .map(|m| weight(m) * (m.value - mean_magnitude - slope * (m.mjd - mean_time)).powi(2))
        .sum();
    LinearFit {
        slope,
        slope_sigma: (1.0 / spread).sqrt(),
        reduced_chi2: chi2 / (points.len() - 2) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(mjd: f64, band: Band, magnitude: f64, error: f64) -> LightCurvePoint {
        let mut point = LightCurvePoint::empty(mjd, band);
        point.magnitude = magnitude;
        point.magnitude_error = error;
        point.difference_sign = DifferenceSign::Positive;
        point
    }

    #[test]
    fn a_perfect_line_has_its_slope_and_zero_chi2() {
        let curve: Vec<_> = (0..5)
            .map(|day| detection(60000.0 + day as f64, Band::R, 18.0 + 0.1 * day as f64, 0.1))
            .collect();
        let features = recompute_lc_features(&curve);
        assert!((features.r.linear_fit_slope - 0.1).abs() < 1e-12);
        assert!(features.r.linear_fit_reduced_chi2.abs() < 1e-12);
        assert!((features.r.amplitude - 0.2).abs() < 1e-12);
        assert!(features.g.median.is_nan(), "no g points gives NaN");
    }

    #[test]
    fn two_points_have_no_linear_fit() {
        let curve = [
            detection(60000.0, Band::G, 18.0, 0.1),
            detection(60001.0, Band::G, 19.0, 0.1),
        ];
        let features = recompute_lc_features(&curve);
        assert!(features.g.linear_fit_slope.is_nan());
        assert_eq!(features.g.median, 18.5);
        assert_eq!(features.g.median_absolute_deviation, 0.5);
    }

    #[test]
    fn duplicate_time_and_band_points_count_once() {
        let curve = [
            detection(60000.0, Band::G, 18.0, 0.1),
            detection(60000.0, Band::G, 18.0, 0.1),
            detection(60001.0, Band::G, 20.0, 0.1),
        ];
        assert_eq!(recompute_lc_features(&curve).g.median, 19.0);
    }
}
