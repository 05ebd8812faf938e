//! Distances between alerts in standardised feature space, for the diversity
//! strategy and the cold start: a batch should cover the pool, not one corner.

use std::collections::HashMap;

use crate::core::model::standardize::Standardizer;
use crate::core::model::FeatureMatrix;
use crate::core::random::SplitMix64;

/// Some rows of a pool, standardised (missing values at the column mean).
pub struct StandardizedPool {
    columns: usize,
    values: Vec<f64>,
}

impl StandardizedPool {
    /// Standardises the rows `indices` of `features`, scaling on those rows.
    pub fn new(features: &FeatureMatrix, indices: &[usize]) -> StandardizedPool {
        let every_row = indices.len() == features.rows()
            && indices.iter().enumerate().all(|(i, &row)| i == row);
        let mut values = if every_row {
            features.row_major().to_vec()
        } else {
            features.select_rows(indices).row_major().to_vec()
        };
        Standardizer::fit(&values, features.columns()).transform_in_place(&mut values);
        StandardizedPool {
            columns: features.columns(),
            values,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `index`, standardised.
    pub fn row(&self, index: usize) -> &[f64] {
        &self.values[index * self.columns..(index + 1) * self.columns]
    }

    /// Euclidean distance between two rows.
    pub fn distance(&self, a: usize, b: usize) -> f64 {
        self.row(a)
            .iter()
            .zip(self.row(b))
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    }

    /// The root-mean-square distance between two rows of the pool: a scale
    /// for "far". For standardised columns it is √(2 Σ variances).
    pub fn typical_distance(&self) -> f64 {
        let rows = self.len() as f64;
        if rows == 0.0 {
            return 0.0;
        }
        let total_variance: f64 = (0..self.columns)
            .map(|column| {
                let values = || self.values.iter().skip(column).step_by(self.columns);
                let mean = values().sum::<f64>() / rows;
                values().map(|v| (v - mean) * (v - mean)).sum::<f64>() / rows
            })
            .sum();
        (2.0 * total_variance).sqrt()
    }
}

/// Distances from row `from` to every row of `space`.
pub fn distances_to(space: &StandardizedPool, from: usize) -> Vec<f64> {
    (0..space.len())
        .map(|other| space.distance(from, other))
        .collect()
}

/// Cold start (no labels, no model): `batch` alerts spread over the pool by
/// farthest-point sampling from a seeded random start, one per object. Returns
/// indices into `candidates`' pool, in pick order.
pub fn farthest_point_batch(
    features: &FeatureMatrix,
    object_ids: &[String],
    batch: usize,
    seed: u64,
) -> Vec<usize> {
    let all: Vec<usize> = (0..features.rows()).collect();
    if all.is_empty() || batch == 0 {
        return Vec::new();
    }
    let space = StandardizedPool::new(features, &all);
    // Rows of each object, so that picking one marks its siblings at once
    // (linear in the pool per pick, not pool × batch).
    let mut rows_of_object: HashMap<&str, Vec<usize>> = HashMap::new();
    for (row, object) in object_ids.iter().enumerate().take(all.len()) {
        rows_of_object.entry(object.as_str()).or_default().push(row);
    }
    let mut picked = vec![false; all.len()];
    let mut object_picked = vec![false; all.len()];
    let mut random = SplitMix64::new(seed);
    let first = random.below(all.len());
    let mut picks = Vec::with_capacity(batch.min(all.len()));
    let mut nearest = vec![f64::INFINITY; all.len()];
    let mut next = Some(first);
    while let Some(pick) = next {
        picks.push(pick);
        picked[pick] = true;
        for &sibling in rows_of_object
            .get(object_ids[pick].as_str())
            .into_iter()
            .flatten()
        {
            object_picked[sibling] = true;
        }
        for (i, distance) in distances_to(&space, pick).into_iter().enumerate() {
            nearest[i] = nearest[i].min(distance);
        }
        if picks.len() >= batch.min(all.len()) {
            break;
        }
        // The farthest row, preferring objects not picked yet; ties to the lowest index.
        next = (0..all.len()).filter(|&i| !picked[i]).max_by(|&a, &b| {
            (!object_picked[a], nearest[a])
                .partial_cmp(&(!object_picked[b], nearest[b]))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(&a))
        });
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn farthest_points_cover_separate_clumps() {
        let rows: Vec<[f64; 2]> = (0..30)
            .map(|i| [(i % 3) as f64 * 50.0 + (i as f64) * 0.01, 0.0])
            .collect();
        let features = FeatureMatrix::from_rows(&rows).expect("matrix");
        let objects: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        let picks = farthest_point_batch(&features, &objects, 3, 4);
        let mut clumps: Vec<usize> = picks.iter().map(|&i| i % 3).collect();
        clumps.sort_unstable();
        assert_eq!(clumps, vec![0, 1, 2]);
        assert_eq!(
            picks,
            farthest_point_batch(&features, &objects, 3, 4),
            "deterministic"
        );
    }
}
