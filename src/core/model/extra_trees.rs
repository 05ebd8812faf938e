//! Extremely randomised trees (Geurts, Ernst & Wehenkel 2006) as a
//! probability forest: regression trees fitted on 0/1 targets, so each leaf
//! holds the share of class 1 and the forest averages them.
//!
//! Written here rather than taken from smartcore because a model file must
//! hold every node, and smartcore keeps its nodes private. The algorithm is
//! scikit-learn's `ExtraTreesRegressor` without bootstrap: at each node, up to
//! `max_features` non-constant features are tried, each at one threshold
//! drawn uniformly between its smallest and largest value in the node, and
//! the split that lowers the squared error most is kept.

use super::impute::MedianImputer;
use super::tree::{Tree, TreeNode};
use super::{FeatureMatrix, FittedModel, ModelError};
use crate::core::random::SplitMix64;

/// The forest's hyper-parameters.
pub(super) struct Settings {
    pub trees: usize,
    pub min_samples_leaf: usize,
    /// Features tried per split; `None` is ⌊√features⌋.
    pub max_features: Option<usize>,
}

/// The training data one tree sees: imputed row-major values and targets.
struct Training<'a> {
    values: &'a [f64],
    columns: usize,
    targets: &'a [f64],
}

impl Training<'_> {
    fn value(&self, row: usize, column: usize) -> f64 {
        self.values[row * self.columns + column]
    }
}

pub(super) fn fit(
    rows: &FeatureMatrix,
    targets: &[f64],
    settings: Settings,
    seed: u64,
) -> Result<FittedModel, ModelError> {
    let imputer = MedianImputer::fit(rows);
    let values = imputer.transform(rows);
    let columns = imputer.output_columns();
    let training = Training {
        values: &values,
        columns,
        targets,
    };
    let max_features = settings
        .max_features
        .unwrap_or_else(|| (columns as f64).sqrt().floor() as usize)
        .clamp(1, columns.max(1));
    let min_samples_leaf = settings.min_samples_leaf.max(1);
    let mut random = SplitMix64::new(seed);
    let trees = (0..settings.trees.max(1))
        .map(|_| grow(&training, max_features, min_samples_leaf, &mut random))
        .collect();
    Ok(FittedModel::ExtraTrees { imputer, trees })
}

/// A node waiting to be grown: its index in the tree and its rows.
struct Pending {
    node: usize,
    rows: Vec<usize>,
}

fn grow(
    training: &Training,
    max_features: usize,
    min_samples_leaf: usize,
    random: &mut SplitMix64,
) -> Tree {
    let mut nodes = vec![TreeNode::Leaf { value: 0.0 }];
    let mut pending = vec![Pending {
        node: 0,
        rows: (0..training.targets.len()).collect(),
    }];
    let mut features: Vec<usize> = (0..training.columns).collect();
    while let Some(Pending { node, rows }) = pending.pop() {
        let split = if rows.len() >= 2 * min_samples_leaf && !is_pure(training, &rows) {
            best_random_split(
                training,
                &rows,
                &mut features,
                max_features,
                min_samples_leaf,
                random,
            )
        } else {
            None
        };
        match split {
            None => {
                nodes[node] = TreeNode::Leaf {
                    value: mean_target(training, &rows),
                }
            }
            Some((feature, threshold)) => {
                let (left_rows, right_rows): (Vec<usize>, Vec<usize>) = rows
                    .iter()
                    .partition(|&&row| training.value(row, feature) <= threshold);
                let (left, right) = (nodes.len(), nodes.len() + 1);
                nodes.push(TreeNode::Leaf { value: 0.0 });
                nodes.push(TreeNode::Leaf { value: 0.0 });
                nodes[node] = TreeNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    missing: right,
                };
                pending.push(Pending {
                    node: right,
                    rows: right_rows,
                });
                pending.push(Pending {
                    node: left,
                    rows: left_rows,
                });
            }
        }
    }
    Tree { nodes }
}

fn is_pure(training: &Training, rows: &[usize]) -> bool {
    let first = training.targets[rows[0]];
    rows.iter().all(|&row| training.targets[row] == first)
}

fn mean_target(training: &Training, rows: &[usize]) -> f64 {
    rows.iter().map(|&row| training.targets[row]).sum::<f64>() / rows.len() as f64
}

/// The best of up to `max_features` random splits, as (feature, threshold);
/// `None` if every feature is constant in the node or no split leaves
/// `min_samples_leaf` rows on each side.
fn best_random_split(
    training: &Training,
    rows: &[usize],
    features: &mut [usize],
    max_features: usize,
    min_samples_leaf: usize,
    random: &mut SplitMix64,
) -> Option<(usize, f64)> {
    random.shuffle(features);
    let total: f64 = rows.iter().map(|&row| training.targets[row]).sum();
    let mut best: Option<(f64, usize, f64)> = None;
    let mut tried = 0;
    for &feature in features.iter() {
        if tried == max_features {
            break;
        }
        let (low, high) = rows
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &row| {
                let value = training.value(row, feature);
                (lo.min(value), hi.max(value))
            });
        if low >= high {
            continue;
        }
        tried += 1;
        let draw = (random.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let mut threshold = low + draw * (high - low);
        if threshold >= high {
            threshold = low;
        }
        let (mut left_count, mut left_sum) = (0usize, 0.0);
        for &row in rows {
            if training.value(row, feature) <= threshold {
                left_count += 1;
                left_sum += training.targets[row];
            }
        }
        let right_count = rows.len() - left_count;
        if left_count < min_samples_leaf || right_count < min_samples_leaf {
            continue;
        }
        // Maximising this is minimising the children's summed squared error.
        let right_sum = total - left_sum;
        let score =
            left_sum * left_sum / left_count as f64 + right_sum * right_sum / right_count as f64;
        if best.is_none_or(|(best_score, _, _)| score > best_score) {
            best = Some((score, feature, threshold));
        }
    }
    best.map(|(_, feature, threshold)| (feature, threshold))
}

#[cfg(test)]
mod tests {
    use super::super::ModelSpec;
    use super::*;

    #[test]
    fn leaves_are_pure_when_leaves_may_hold_one_row_so_the_forest_fits_its_training_set() {
        let rows = FeatureMatrix::from_rows(&[
            [0.0, 5.0],
            [1.0, 4.0],
            [2.0, 3.0],
            [3.0, 2.0],
            [4.0, f64::NAN],
        ])
        .expect("matrix");
        let classes = [0, 0, 1, 1, 1];
        let model = ModelSpec::ExtraTrees {
            trees: 5,
            min_samples_leaf: 1,
            max_features: None,
        }
        .fit(&rows, &classes, 3)
        .expect("fits");
        let probabilities = model.predict_proba(&rows).expect("predicts");
        for (p, class) in probabilities.iter().zip(classes) {
            assert_eq!(*p, f64::from(class), "{probabilities:?}");
        }
    }
}
