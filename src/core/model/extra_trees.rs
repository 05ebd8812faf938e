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
//! and then of the threshold's bin, have their values read (none at all
//! when the bin holds a single value). The threshold is the drawn value
//! itself, so the trees are the algorithm's own (a threshold moved to a bin
//! edge cost ROC AUC at a few dozen labels, where active learning starts).
//! The targets are 0 or 1, so a node's sums are counts of class 1. The rows
//! of a node are a range of one index array, split in place.

use super::bins::{BinnedRows, ColumnBins};
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

/// The training data one tree sees: the imputed values' bins and the
/// classes (0 or 1).
struct Training<'a> {
    binned: &'a BinnedRows,
    columns: usize,
    labels: &'a [u8],
}

/// Fits the forest on `rows` with `labels` 0 or 1.
pub(super) fn fit(
    rows: &FeatureMatrix,
    labels: &[u8],
    settings: Settings,
    seed: u64,
) -> Result<FittedModel, ModelError> {
    let imputer = MedianImputer::fit(rows);
    let values = imputer.transform(rows);
    let columns = imputer.output_columns();
    let binned = BinnedRows::new(&values, rows.rows(), columns);
    // Class 1 is 1, anything else 0, as `ModelSpec::fit` counts them.
    let labels: Vec<u8> = labels.iter().map(|&label| u8::from(label == 1)).collect();
    let training = Training {
        binned: &binned,
        columns,
        labels: &labels,
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

/// A split: rows whose value is at most `threshold` go left. On codes: rows
/// of the bins below `left_bins` go left, of the bins above `mixed_bin`
/// right, and only the rows of `mixed_bin` (the threshold's bin, unless it
/// holds a single value) need their value compared.
struct BinSplit {
    feature: usize,
    threshold: f64,
    left_bins: u16,
    mixed_bin: Option<u8>,
}

impl BinSplit {
    fn new(feature: usize, threshold: f64, bins: &ColumnBins) -> BinSplit {
        let bin = bins.bin_of(threshold);
        let (left_bins, mixed_bin) = if !bins.is_single_valued(bin) {
            (u16::from(bin), Some(bin))
        } else if bins.upper_edge(bin) <= threshold {
            (u16::from(bin) + 1, None)
        } else {
            (u16::from(bin), None)
        };
        BinSplit {
            feature,
            threshold,
            left_bins,
            mixed_bin,
        }
    }

    fn goes_left(&self, code: u8, values: &[f64], row: u32) -> bool {
        u16::from(code) < self.left_bins
            || (Some(code) == self.mixed_bin && values[row as usize] <= self.threshold)
    }

    /// How many of the node's rows go left, and how many of those are of
    /// class 1, given their codes in the node's order (`node_codes`).
    fn count_left(&self, node: &Node, node_codes: &[u8], values: &[f64]) -> (u32, u32) {
        let (mut left, mut left_ones) = (0u32, 0u32);
        match self.mixed_bin {
            // Two byte arrays read in order, without a branch.
            None => {
                for (&code, &label) in node_codes.iter().zip(node.labels) {
                    let goes_left = u16::from(code) < self.left_bins;
                    left += u32::from(goes_left);
                    left_ones += u32::from(label & u8::from(goes_left));
                }
            }
            Some(_) => {
                for ((&code, &label), &row) in node_codes.iter().zip(node.labels).zip(node.rows) {
                    let goes_left = self.goes_left(code, values, row);
                    left += u32::from(goes_left);
                    left_ones += u32::from(label & u8::from(goes_left));
                }
            }
        }
        (left, left_ones)
    }
}

fn grow(
    training: &Training,
    max_features: usize,
    min_samples_leaf: usize,
    random: &mut SplitMix64,
) -> Tree {
    let mut nodes = vec![TreeNode::Leaf { value: 0.0 }];
    let mut order: Vec<u32> = (0..training.labels.len() as u32).collect();
    let mut goes_right: Vec<u32> = Vec::with_capacity(order.len());
    let mut node_labels: Vec<u8> = Vec::with_capacity(order.len());
    let mut codes = NodeCodes {
        tried: Vec::with_capacity(order.len()),
        best: Vec::with_capacity(order.len()),
    };
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
        node_labels.clear();
        node_labels.extend(rows.iter().map(|&row| training.labels[row as usize]));
        let ones = node_labels
            .iter()
            .map(|&label| u32::from(label))
            .sum::<u32>();
        let is_pure = ones == 0 || ones as usize == rows.len();
        let split = if rows.len() >= 2 * min_samples_leaf && !is_pure {
            constant
                .iter()
                .for_each(|&feature| is_constant[feature] = true);
            candidates.clear();
            candidates.extend((0..training.columns).filter(|&feature| !is_constant[feature]));
            constant
                .iter()
                .for_each(|&feature| is_constant[feature] = false);
            let node = Node {
                rows,
                labels: &node_labels,
                ones,
            };
            best_random_split(
                training,
                &node,
                &mut codes,
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
                    value: f64::from(ones) / rows.len() as f64,
                }
            }
            Some(split) => {
                let feature = split.feature;
                let values = training.binned.column_values(feature);
                let middle = start
                    + partition_in_place(rows, &mut goes_right, |position, row| {
                        split.goes_left(codes.best[position], values, row)
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

/// Moves the rows for which `goes_left(position, row)` holds to the front,
/// keeping the order within each side; returns how many there are. `right`
/// is scratch space, kept between calls.
fn partition_in_place(
    rows: &mut [u32],
    right: &mut Vec<u32>,
    goes_left: impl Fn(usize, u32) -> bool,
) -> usize {
    right.clear();
    let mut left_count = 0;
    for index in 0..rows.len() {
        let row = rows[index];
        if goes_left(index, row) {
            rows[left_count] = row;
            left_count += 1;
        } else {
            right.push(row);
        }
    }
    rows[left_count..].copy_from_slice(right);
    left_count
}

/// One feature's codes for a node's rows, in the node's order: of the
/// feature being tried, and of the best split's feature so far (what the
/// rows are then partitioned on). Scratch space kept between nodes.
struct NodeCodes {
    tried: Vec<u8>,
    best: Vec<u8>,
}

/// A node being split: its rows, their classes in the same order, and how
/// many are of class 1.
struct Node<'a> {
    rows: &'a [u32],
    labels: &'a [u8],
    ones: u32,
}

/// The smallest and largest value among the node's rows: their lowest and
/// highest bins from the bytes (gathered into `node_codes`, in the node's
/// order), then the values of the rows in those bins only, and none when a
/// bin holds a single value (its edge).
fn node_range(
    rows: &[u32],
    codes: &[u8],
    values: &[f64],
    bins: &ColumnBins,
    node_codes: &mut Vec<u8>,
) -> (f64, f64) {
    let (mut low_bin, mut high_bin) = (u8::MAX, 0u8);
    node_codes.clear();
    node_codes.extend(rows.iter().map(|&row| {
        let code = codes[row as usize];
        low_bin = low_bin.min(code);
        high_bin = high_bin.max(code);
        code
    }));
    let read_low = !bins.is_single_valued(low_bin);
    let read_high = !bins.is_single_valued(high_bin);
    let mut low = if read_low {
        f64::INFINITY
    } else {
        bins.upper_edge(low_bin)
    };
    let mut high = if read_high {
        f64::NEG_INFINITY
    } else {
        bins.upper_edge(high_bin)
    };
    if read_low || read_high {
        for (&row, &code) in rows.iter().zip(node_codes.iter()) {
            if read_low && code == low_bin {
                let value = values[row as usize];
                if value < low {
                    low = value;
                }
            }
            if read_high && code == high_bin {
                let value = values[row as usize];
                if value > high {
                    high = value;
                }
            }
        }
    }
    (low, high)
}

/// The best of up to `max_features` random splits of `node` among
/// `features`; `None` if every feature is constant in the node or no split
/// leaves `min_samples_leaf` rows on each side. Features found constant are
/// added to `constant`. The best split's codes are left in `codes.best`.
#[allow(clippy::too_many_arguments)]
fn best_random_split(
    training: &Training,
    node: &Node,
    codes: &mut NodeCodes,
    features: &mut [usize],
    constant: &mut Vec<usize>,
    max_features: usize,
    min_samples_leaf: usize,
    random: &mut SplitMix64,
) -> Option<BinSplit> {
    let total = f64::from(node.ones);
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
        let column_codes = training.binned.column_codes(feature);
        let values = training.binned.column_values(feature);
        let bins = training.binned.column_bins(feature);
        let (low, high) = node_range(node.rows, column_codes, values, bins, &mut codes.tried);
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
        let split = BinSplit::new(feature, threshold, bins);
        let (left_count, left_ones) = split.count_left(node, &codes.tried, values);
        let (left_count, left_sum) = (left_count as usize, f64::from(left_ones));
        let right_count = node.rows.len() - left_count;
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
            std::mem::swap(&mut codes.tried, &mut codes.best);
        }
    }
    best.map(|(_, split)| split)
}

#[cfg(test)]
mod tests {
    use super::super::ModelSpec;
    use super::*;

    /// A column of `rows` values: ties (few values, single-valued bins) in
    /// the first, spread values (bins of several values) in the second.
    fn binned_columns(rows: usize) -> (BinnedRows, Vec<f64>) {
        let values: Vec<f64> = (0..rows)
            .flat_map(|row| {
                let tie = f64::from((row * 7 % 5) as u32);
                let spread = f64::from(((row * 7919) % 1_009) as u32) * 0.25 - 30.0;
                [tie, spread]
            })
            .collect();
        (BinnedRows::new(&values, rows, 2), values)
    }

    #[test]
    fn node_ranges_and_left_counts_on_codes_equal_those_read_from_the_values() {
        let rows = 3_000;
        let (binned, values) = binned_columns(rows);
        let labels: Vec<u8> = (0..rows).map(|row| u8::from(row % 3 == 0)).collect();
        let mut random = SplitMix64::new(11);
        let mut node_codes = Vec::new();
        for _ in 0..200 {
            let size = 2 + random.below(rows - 2);
            let node_rows: Vec<u32> = (0..size).map(|_| random.below(rows) as u32).collect();
            let node_labels: Vec<u8> = node_rows.iter().map(|&row| labels[row as usize]).collect();
            let node = Node {
                rows: &node_rows,
                labels: &node_labels,
                ones: node_labels.iter().map(|&label| u32::from(label)).sum(),
            };
            for column in 0..2 {
                let value = |row: u32| values[row as usize * 2 + column];
                let (codes, column_values, bins) = (
                    binned.column_codes(column),
                    binned.column_values(column),
                    binned.column_bins(column),
                );
                let range = node_range(&node_rows, codes, column_values, bins, &mut node_codes);
                let low = node_rows
                    .iter()
                    .map(|&row| value(row))
                    .fold(f64::INFINITY, f64::min);
                let high = node_rows
                    .iter()
                    .map(|&row| value(row))
                    .fold(f64::NEG_INFINITY, f64::max);
                assert_eq!(range, (low, high), "column {column}, {size} rows");
                for threshold in [
                    low,
                    high,
                    low + (high - low) * random.below(1_000) as f64 / 1e3,
                ] {
                    let split = BinSplit::new(column, threshold, bins);
                    let left: Vec<u32> = node_rows
                        .iter()
                        .copied()
                        .filter(|&row| value(row) <= threshold)
                        .collect();
                    let left_ones = left
                        .iter()
                        .map(|&row| u32::from(labels[row as usize]))
                        .sum();
                    assert_eq!(
                        split.count_left(&node, &node_codes, column_values),
                        (left.len() as u32, left_ones),
                        "column {column}, threshold {threshold}"
                    );
                }
            }
        }
    }

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
