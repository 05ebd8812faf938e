//! The representative cold start: the first batch drawn from where the pool
//! is dense, one alert per group of similar alerts, instead of from its
//! edges. Farthest-point sampling (`diversity`) picks a pool's extremes,
//! and on first-detection features the extremes are atypical alerts; a
//! model trained on them can rank the typical ones badly (issue 23).
//!
//! The groups are k-means clusters in standardised feature space, seeded by
//! k-means++ from the cold start's seed and refined by a few Lloyd steps.
//! There are twice as many groups as the batch holds, and the batch takes
//! the largest half: an outlier makes a group of its own, and such small
//! groups are left out. Each group gives the alert nearest its centre, the
//! largest groups first, one alert per object.

use std::collections::HashSet;

use super::diversity::StandardizedPool;
use crate::core::model::FeatureMatrix;
use crate::core::random::SplitMix64;

/// Lloyd steps after the k-means++ seeding: enough for a batch of a few
/// dozen groups to settle, cheap at 100k alerts.
const LLOYD_STEPS: usize = 10;

/// Groups formed per alert of the batch; the batch takes the largest.
const GROUPS_PER_PICK: usize = 2;

/// One pick of the representative cold start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepresentativePick {
    /// Index into the pool.
    pub row: usize,
    /// How many alerts of the pool its group holds.
    pub group_size: usize,
}

/// `batch` alerts of `features`' rows, each the most typical of a group,
/// the largest groups first; one per object while objects last.
pub fn representative_batch(
    features: &FeatureMatrix,
    object_ids: &[String],
    batch: usize,
    seed: u64,
) -> Vec<RepresentativePick> {
    let rows = features.rows();
    let groups = (batch * GROUPS_PER_PICK).min(rows);
    // No feature, no distance: the cold start's random order serves.
    if groups == 0 || batch == 0 || features.columns() == 0 {
        return Vec::new();
    }
    let all: Vec<usize> = (0..rows).collect();
    let space = StandardizedPool::new(features, &all);
    let mut centres = seed_centres(&space, groups, seed);
    let mut group_of = vec![0usize; rows];
    for _ in 0..LLOYD_STEPS {
        let moved = assign(&space, &centres, &mut group_of);
        centres = centroids(&space, &group_of, &centres);
        if !moved {
            break;
        }
    }
    assign(&space, &centres, &mut group_of);
    let mut sizes = vec![0usize; centres.len()];
    for &group in &group_of {
        sizes[group] += 1;
    }
    let mut order: Vec<usize> = (0..centres.len()).filter(|&g| sizes[g] > 0).collect();
    order.sort_by(|a, b| sizes[*b].cmp(&sizes[*a]).then(a.cmp(b)));
    let mut taken_objects: HashSet<&str> = HashSet::new();
    let mut picked = vec![false; rows];
    let mut group_done = vec![false; centres.len()];
    let mut picks = Vec::with_capacity(batch);
    // First one per object; then, if objects ran out, repeats.
    for fresh_objects_only in [true, false] {
        for &group in &order {
            if picks.len() == batch {
                break;
            }
            if group_done[group] {
                continue;
            }
            let nearest = (0..rows)
                .filter(|&row| group_of[row] == group && !picked[row])
                .filter(|&row| {
                    !fresh_objects_only || !taken_objects.contains(object_ids[row].as_str())
                })
                .min_by(|&a, &b| {
                    squared_distance(space.row(a), &centres[group])
                        .total_cmp(&squared_distance(space.row(b), &centres[group]))
                        .then(a.cmp(&b))
                });
            if let Some(row) = nearest {
                picked[row] = true;
                group_done[group] = true;
                taken_objects.insert(object_ids[row].as_str());
                picks.push(RepresentativePick {
                    row,
                    group_size: sizes[group],
                });
            }
        }
    }
    picks
}

/// k-means++ seeding: a first centre at random, then each next one drawn
/// with probability proportional to its squared distance to the nearest
/// centre so far.
fn seed_centres(space: &StandardizedPool, groups: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut random = SplitMix64::new(seed);
    let rows = space.len();
    let first = random.below(rows);
    let mut centres = vec![space.row(first).to_vec()];
    let mut nearest: Vec<f64> = (0..rows)
        .map(|row| squared_distance(space.row(row), &centres[0]))
        .collect();
    while centres.len() < groups {
        let total: f64 = nearest.iter().sum();
        if total <= 0.0 {
            break; // every row sits on a centre: no more distinct groups
        }
        let mut target = unit_draw(&mut random) * total;
        let mut chosen = rows - 1;
        for (row, weight) in nearest.iter().enumerate() {
            if target < *weight {
                chosen = row;
                break;
            }
            target -= weight;
        }
        let centre = space.row(chosen).to_vec();
        for (row, distance) in nearest.iter_mut().enumerate() {
            *distance = distance.min(squared_distance(space.row(row), &centre));
        }
        centres.push(centre);
    }
    centres
}

/// Gives each row its nearest centre; says whether any row changed group.
fn assign(space: &StandardizedPool, centres: &[Vec<f64>], group_of: &mut [usize]) -> bool {
    let mut moved = false;
    for (row, group) in group_of.iter_mut().enumerate() {
        let nearest = (0..centres.len())
            .min_by(|&a, &b| {
                squared_distance(space.row(row), &centres[a])
                    .total_cmp(&squared_distance(space.row(row), &centres[b]))
                    .then(a.cmp(&b))
            })
            .unwrap_or(0);
        moved |= nearest != *group;
        *group = nearest;
    }
    moved
}

/// Each group's mean; a group left empty keeps its centre.
fn centroids(space: &StandardizedPool, group_of: &[usize], centres: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let columns = centres.first().map_or(0, Vec::len);
    let mut sums = vec![vec![0.0; columns]; centres.len()];
    let mut counts = vec![0usize; centres.len()];
    for (row, &group) in group_of.iter().enumerate() {
        counts[group] += 1;
        for (sum, value) in sums[group].iter_mut().zip(space.row(row)) {
            *sum += value;
        }
    }
    sums.into_iter()
        .zip(counts)
        .zip(centres)
        .map(|((sum, count), centre)| {
            if count == 0 {
                centre.clone()
            } else {
                sum.into_iter().map(|total| total / count as f64).collect()
            }
        })
        .collect()
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// A uniform draw in [0, 1).
fn unit_draw(random: &mut SplitMix64) -> f64 {
    (random.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three clumps of 40, 25 and 10 alerts, and 3 far outliers.
    fn clumps() -> (FeatureMatrix, Vec<String>) {
        let mut rows: Vec<[f64; 2]> = Vec::new();
        for (centre, count) in [(0.0, 40), (10.0, 25), (20.0, 10)] {
            for i in 0..count {
                rows.push([centre + (i % 5) as f64 * 0.1, (i / 5) as f64 * 0.1]);
            }
        }
        rows.extend([[200.0, 0.0], [-150.0, 80.0], [0.0, -300.0]]);
        let ids = (0..rows.len()).map(|i| format!("object-{i}")).collect();
        (FeatureMatrix::from_rows(&rows).expect("matrix"), ids)
    }

    #[test]
    fn the_batch_comes_from_the_dense_groups_largest_first_not_from_the_outliers() {
        let (features, ids) = clumps();
        for seed in 0..20 {
            let picks = representative_batch(&features, &ids, 3, seed);
            assert_eq!(picks.len(), 3, "seed {seed}");
            assert!(
                picks.iter().all(|pick| pick.row < 75),
                "seed {seed}: no outlier in a batch of 3: {picks:?}"
            );
            assert!(
                picks
                    .windows(2)
                    .all(|pair| pair[0].group_size >= pair[1].group_size),
                "seed {seed}: {picks:?}"
            );
        }
    }

    #[test]
    fn one_alert_per_object_while_objects_last_and_the_same_seed_the_same_batch() {
        let (features, mut ids) = clumps();
        for id in ids.iter_mut().take(40) {
            *id = "one object".to_string();
        }
        let picks = representative_batch(&features, &ids, 6, 3);
        let objects: HashSet<&str> = picks.iter().map(|pick| ids[pick.row].as_str()).collect();
        assert_eq!(objects.len(), picks.len());
        assert_eq!(picks, representative_batch(&features, &ids, 6, 3));
    }

    #[test]
    fn a_batch_larger_than_the_pool_never_repeats_an_alert() {
        let features = FeatureMatrix::from_rows(&[[1.0], [1.0], [2.0]]).expect("matrix");
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let mut rows: Vec<usize> = representative_batch(&features, &ids, 10, 1)
            .iter()
            .map(|pick| pick.row)
            .collect();
        rows.sort_unstable();
        assert_eq!(rows.len(), rows.iter().collect::<HashSet<_>>().len());
        assert!(rows.len() <= 3);
    }
}
