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
//!
//! The node's rows are read through quantile bins (`bins`): their smallest
//! and largest bins are found on bytes, and only the rows of those bins,
//! and then of the threshold's bin, have their values read. The threshold
//! is the drawn value itself, so the trees are the algorithm's own (a
//! threshold moved to a bin edge cost ROC AUC at a few dozen labels, where
//! active learning starts). The rows of a node are a range of one index
//! array, split in place.

use super::bins::BinnedRows;
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

/// The training data one tree sees: the imputed values' bins and the targets.
struct Training<'a> {
    binned: &'a BinnedRows,
    columns: usize,
    targets: &'a [f64],
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
    let binned = BinnedRows::new(&values, rows.rows(), columns);
    let training = Training {
        binned: &binned,
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

/// A node waiting to be grown: its index in the tree, its rows (the range
/// `start..end` of the tree's row order) and the features already found
/// constant in an ancestor, hence in it (as scikit-learn's trees keep them:
/// deep nodes would otherwise scan them again and again).
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    constant: Vec<usize>,
}

/// A split: rows whose value is at most `threshold` go left; `bin` holds
/// the threshold (rows of lower bins go left, of higher bins right).
struct BinSplit {
    feature: usize,
    threshold: f64,
    bin: u8,
}

impl BinSplit {
    fn goes_left(&self, code: u8, value: f64) -> bool {
        code < self.bin || (code == self.bin && value <= self.threshold)
    }
}

fn grow(
    training: &Training,
    max_features: usize,
    min_samples_leaf: usize,
    random: &mut SplitMix64,
) -> Tree {
    let mut nodes = vec![TreeNode::Leaf { value: 0.0 }];
    let mut order: Vec<u32> = (0..training.targets.len() as u32).collect();
    let mut pending = vec![Pending {
        node: 0,
        start: 0,
        end: order.len(),
        constant: Vec::new(),
    }];
    let mut is_constant = vec![false; training.columns];
    let mut candidates: Vec<usize> = Vec::with_capacity(training.columns);
    while let Some(Pending {
        node,
        start,
        end,
        mut constant,
    }) = pending.pop()
    {
        let rows = &mut order[start..end];
        let split = if rows.len() >= 2 * min_samples_leaf && !is_pure(training, rows) {
            constant
                .iter()
                .for_each(|&feature| is_constant[feature] = true);
            candidates.clear();
            candidates.extend((0..training.columns).filter(|&feature| !is_constant[feature]));
            constant
                .iter()
                .for_each(|&feature| is_constant[feature] = false);
            best_random_split(
                training,
                rows,
                &mut candidates,
                &mut constant,
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
                    value: mean_target(training, rows),
                }
            }
            Some(split) => {
                let feature = split.feature;
                let codes = training.binned.column_codes(feature);
                let values = training.binned.column_values(feature);
                let middle = start
                    + partition_in_place(rows, |row| {
                        split.goes_left(codes[row as usize], values[row as usize])
                    });
                let (left, right) = (nodes.len(), nodes.len() + 1);
                nodes.push(TreeNode::Leaf { value: 0.0 });
                nodes.push(TreeNode::Leaf { value: 0.0 });
                nodes[node] = TreeNode::Split {
                    feature,
                    threshold: split.threshold,
                    left,
                    right,
                    missing: right,
                };
                pending.push(Pending {
                    node: right,
                    start: middle,
                    end,
                    constant: constant.clone(),
                });
                pending.push(Pending {
                    node: left,
                    start,
                    end: middle,
                    constant,
                });
            }
        }
    }
    Tree { nodes }
}

/// Moves the rows for which `goes_left` holds to the front, keeping the
/// order within each side; returns how many there are.
fn partition_in_place(rows: &mut [u32], goes_left: impl Fn(u32) -> bool) -> usize {
    let mut right = Vec::new();
    let mut left_count = 0;
    for index in 0..rows.len() {
        let row = rows[index];
        if goes_left(row) {
            rows[left_count] = row;
            left_count += 1;
        } else {
            right.push(row);
        }
    }
    rows[left_count..].copy_from_slice(&right);
    left_count
}

/// The smallest and largest value among `rows`, reading the bytes of every
/// row but the values only of rows in the lowest or highest bin seen so far.
fn node_range(rows: &[u32], codes: &[u8], values: &[f64]) -> (f64, f64) {
    let (mut low_bin, mut high_bin) = (u8::MAX, 0u8);
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for &row in rows {
        let code = codes[row as usize];
        if code <= low_bin {
            let value = values[row as usize];
            low = if code < low_bin {
                value
            } else {
                low.min(value)
            };
            low_bin = code;
        }
        if code >= high_bin {
            let value = values[row as usize];
            high = if code > high_bin {
                value
            } else {
                high.max(value)
            };
            high_bin = code;
        }
    }
    (low, high)
}

fn is_pure(training: &Training, rows: &[u32]) -> bool {
    let first = training.targets[rows[0] as usize];
    rows.iter()
        .all(|&row| training.targets[row as usize] == first)
}

fn mean_target(training: &Training, rows: &[u32]) -> f64 {
    rows.iter()
        .map(|&row| training.targets[row as usize])
        .sum::<f64>()
        / rows.len() as f64
}

/// The best of up to `max_features` random splits among `features`; `None`
/// if every feature is constant (one bin) in the node or no split leaves
/// `min_samples_leaf` rows on each side. Features found constant are added
/// to `constant`.
fn best_random_split(
    training: &Training,
    rows: &[u32],
    features: &mut [usize],
    constant: &mut Vec<usize>,
    max_features: usize,
    min_samples_leaf: usize,
    random: &mut SplitMix64,
) -> Option<BinSplit> {
    let total: f64 = rows.iter().map(|&row| training.targets[row as usize]).sum();
    let mut best: Option<(f64, BinSplit)> = None;
    let mut tried = 0;
    // Features in a random order, drawn one at a time (a Fisher–Yates
    // shuffle stopped as soon as enough features were tried).
    for position in 0..features.len() {
        if tried == max_features {
            break;
        }
        let pick = position + random.below(features.len() - position);
        features.swap(position, pick);
        let feature = features[position];
        let codes = training.binned.column_codes(feature);
        let values = training.binned.column_values(feature);
        let (low, high) = node_range(rows, codes, values);
        if low >= high {
            constant.push(feature);
            continue;
        }
        tried += 1;
        let draw = (random.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let mut threshold = low + draw * (high - low);
        if threshold >= high {
            threshold = low;
        }
        let split = BinSplit {
            feature,
            threshold,
            bin: training.binned.column_bins(feature).bin_of(threshold),
        };
        let (mut left_count, mut left_sum) = (0usize, 0.0);
        for &row in rows {
            if split.goes_left(codes[row as usize], values[row as usize]) {
                left_count += 1;
                left_sum += training.targets[row as usize];
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
        if best
            .as_ref()
            .is_none_or(|(best_score, _)| score > *best_score)
        {
            best = Some((score, split));
        }
    }
    best.map(|(_, split)| split)
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
