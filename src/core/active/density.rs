//! Information density (Settles & Craven 2008): uncertainty weighted by how
//! typical an alert is of the pool, so that a batch is not spent on
//! uncertain outliers a model never meets again.
//!
//! An alert's density is its mean similarity, exp(−(d / scale)²) in
//! standardised feature space, to a seeded sample of the pool
//! ([`DENSITY_SAMPLE`] alerts), the scale being the pool's typical distance
//! between two alerts. Against every other alert it would cost n² distances
//! (10¹⁰ at 100k alerts); against a sample of 256 it costs 256 n, and the
//! mean of a sample of similarities estimates the mean of all.

use super::diversity::StandardizedPool;
use crate::core::model::FeatureMatrix;
use crate::core::random::SplitMix64;

/// Pool alerts each density is measured against.
pub const DENSITY_SAMPLE: usize = 256;

/// The density of each row of `features` (0 to 1), against a sample drawn
/// with `seed`; every density is 1 when the pool has no feature columns.
pub fn pool_density(features: &FeatureMatrix, seed: u64) -> Vec<f64> {
    let rows = features.rows();
    if rows == 0 || features.columns() == 0 {
        return vec![1.0; rows];
    }
    let all: Vec<usize> = (0..rows).collect();
    let space = StandardizedPool::new(features, &all);
    let scale = space.typical_distance();
    if scale.is_nan() || scale <= 0.0 {
        return vec![1.0; rows];
    }
    let mut sample: Vec<usize> = all;
    SplitMix64::new(seed ^ 0x0044_454E_5349_5459).shuffle(&mut sample);
    sample.truncate(DENSITY_SAMPLE);
    (0..rows)
        .map(|row| {
            sample
                .iter()
                .map(|&other| (-(space.distance(row, other) / scale).powi(2)).exp())
                .sum::<f64>()
                / sample.len() as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_in_the_crowd_is_denser_than_an_outlier() {
        // 60 alerts near the origin, one far away.
        let mut random = SplitMix64::new(2);
        let mut rows: Vec<[f64; 2]> = (0..60)
            .map(|_| {
                [
                    random.below(100) as f64 / 100.0,
                    random.below(100) as f64 / 100.0,
                ]
            })
            .collect();
        rows.push([40.0, -40.0]);
        let slices: Vec<&[f64]> = rows.iter().map(|row| row.as_slice()).collect();
        let density = pool_density(&FeatureMatrix::from_rows(&slices).expect("rows"), 1);
        assert_eq!(density.len(), 61);
        let outlier = density[60];
        assert!(
            density[..60].iter().all(|&d| d > 5.0 * outlier),
            "outlier {outlier}, crowd {:?}",
            &density[..5]
        );
        assert!(density.iter().all(|&d| (0.0..=1.0).contains(&d)));
    }

    #[test]
    fn no_columns_or_no_spread_leave_every_alert_as_dense() {
        let same = [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]];
        let slices: Vec<&[f64]> = same.iter().map(|row| row.as_slice()).collect();
        let density = pool_density(&FeatureMatrix::from_rows(&slices).expect("rows"), 1);
        assert_eq!(density, vec![1.0; 3]);
    }
}
