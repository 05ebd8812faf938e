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
//! A node's rows are read through quantile bins (`node_rows`, `bins`). The
//! threshold is the drawn value itself, so the trees are the algorithm's own
//! (a threshold moved to a bin edge cost ROC AUC at a few dozen labels,
//! where active learning starts). The targets are 0 or 1, so a node's sums
//! are counts of class 1. The rows of a node are a range of one index
//! array, split in place.

use std::ops::Range;

use super::bins::BinnedRows;
use super::forest_blocks::tree_seeds;
use super::impute::MedianImputer;
use super::node_rows::{node_range, partition_in_place, BinSplit, Node, NodeCodes};
use super::tree::{Tree, TreeNode};
use super::{FeatureMatrix, FittedModel, ModelError};
use crate::core::random::SplitMix64;

/// The forest's hyper-parameters.
pub(super) struct Settings {
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

/// Fits trees `trees` of the forest on `rows` with `labels` 0 or 1: the
/// whole forest for `0..settings.trees`, or some of its trees, the same ones
/// (each tree is grown from its own seed, `forest_blocks::tree_seeds`).
pub(super) fn fit(
    rows: &FeatureMatrix,
    labels: &[u8],
    settings: Settings,
    seed: u64,
    trees: Range<usize>,
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
    let trees = tree_seeds(seed, trees)
        .map(|tree_seed| {
            grow(
                &training,
                max_features,
                min_samples_leaf,
                &mut SplitMix64::new(tree_seed),
            )
        })
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

/// Grows one tree. Never inlined, on purpose: V8 runs a wasm function with
/// its baseline compiler until a later call enters the optimised code (it has
/// no on-stack replacement for wasm), so a fit inlined into one call ran
/// whole at baseline speed in the page. As its own function, the tree is the
/// unit that tiers up: the page's fit on 20,000 labels went from 3.3 s to
/// 2.0 s (bench/TRAIN_SCALE.md); natively it changes nothing.
#[inline(never)]
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
