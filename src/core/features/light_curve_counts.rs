//! Light-curve counts and detection statistics: `ndets`, `nnondets`,
//! `dets_median`, `dets_std`.

use super::stats::{median, population_std};
use crate::core::alert::LightCurvePoint;

/// The four light-curve summary features of an alert.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectionStats {
    /// Points with a positive difference (`isdiffpos` `t` or `1`) and a magnitude.
    pub ndets: u32,
    /// Points with no magnitude (upper limits).
    pub nnondets: u32,
    /// Median magnitude of the `ndets` points; `NaN` when there are none.
    pub dets_median: f64,
    /// Population standard deviation of those magnitudes; `NaN` when none.
    pub dets_std: f64,
}

/// Counts and summarises the detections of a light curve.
pub fn detection_stats(light_curve: &[LightCurvePoint]) -> DetectionStats {
    let mut magnitudes: Vec<f64> = light_curve
        .iter()
        .filter(|point| point.is_positive_detection())
        .map(|point| point.magnitude)
        .collect();
    let nnondets = light_curve
        .iter()
        .filter(|point| !point.has_magnitude())
        .count();
    let dets_std = population_std(&magnitudes);
    DetectionStats {
        ndets: magnitudes.len() as u32,
        nnondets: nnondets as u32,
        dets_median: median(&mut magnitudes),
        dets_std,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::{Band, DifferenceSign};

    fn point(magnitude: f64, sign: DifferenceSign) -> LightCurvePoint {
        let mut point = LightCurvePoint::empty(60000.0, Band::G);
        point.magnitude = magnitude;
        point.difference_sign = sign;
        point
    }

    #[test]
    fn isdiffpos_one_counts_as_a_detection_like_t() {
        // The original code only knew 't'; the ZTF schema also allows '1'.
        let curve = [
            point(18.0, DifferenceSign::from_isdiffpos(Some("t"))),
            point(19.0, DifferenceSign::from_isdiffpos(Some("1"))),
            point(17.0, DifferenceSign::from_isdiffpos(Some("0"))),
            point(f64::NAN, DifferenceSign::Unknown),
        ];
        let stats = detection_stats(&curve);
        assert_eq!(stats.ndets, 2);
        assert_eq!(stats.nnondets, 1);
        assert_eq!(stats.dets_median, 18.5);
        assert_eq!(stats.dets_std, 0.5);
    }

    #[test]
    fn no_detections_give_nan_statistics() {
        let stats = detection_stats(&[point(f64::NAN, DifferenceSign::Unknown)]);
        assert_eq!((stats.ndets, stats.nnondets), (0, 1));
        assert!(stats.dets_median.is_nan() && stats.dets_std.is_nan());
    }
}
