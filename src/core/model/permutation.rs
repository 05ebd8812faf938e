//! Predictions with one feature's values permuted among the rows, at a
//! fraction of the cost of predicting a permuted copy of the rows: what
//! permutation importance asks for features × repeats times per fold.
//!
//! For tree models the rows are prepared once (float32, imputed) and each
//! row's path through each tree is kept. Permuting feature `f` can only
//! change a row's leaf in a tree whose path splits on `f` (or on its
//! missing indicator); only those walks are taken again, from the first
//! node on the path that splits on it, reading the permuted value in place
//! (no copy of the rows). Leaves are summed as
//! [`FittedModel::predict_proba`] sums them (a forest in blocks of trees,
//! `forest_blocks`; boosted trees in tree order onto the base score), so the
//! probabilities are the same to the bit as predicting the permuted rows.
//! Other models predict a permuted copy of the (already bounded) rows.

use std::ops::Range;

use super::fitted::{logistic, FittedModel};
use super::forest_blocks::{add_block, block_count, trees_of_blocks};
use super::tree::{compact, CompactTree, SplitRule, Tree};
use super::{FeatureMatrix, ModelError};

/// A fitted model and the rows it predicts, ready to predict them again
/// with any one input column permuted.
pub struct PermutationPredictor<'a> {
    model: &'a FittedModel,
    rows: FeatureMatrix,
    baseline: Vec<f64>,
    walks: Option<TreeWalks>,
}

/// The rows as a tree model sees them, every row's leaf in every tree, and
/// where each walk first reads each model column.
struct TreeWalks {
    /// The model's trees, laid out compactly (as predictions walk them).
    trees: Vec<CompactTree>,
    rule: SplitRule,
    /// Row-major model inputs (imputed, with indicators, for the forest).
    inputs: Vec<f64>,
    width: usize,
    rows: usize,
    /// For input column `c`, the model columns it feeds (itself, and its
    /// missing indicator when the imputer adds one).
    model_columns: Vec<Vec<usize>>,
    /// How the trees' leaves are summed: in a forest's blocks of trees
    /// (`forest_blocks`), or in tree order onto the start, as boosted trees.
    in_blocks: bool,
    /// `leaves[tree * rows + row]`: the leaf value reached.
    leaves: Vec<f64>,
    /// `first_reads[column * walks + tree * rows + row]`: the first node of
    /// that walk that splits on model column `column` ([`NOT_READ`] if none).
    first_reads: Vec<u32>,
}

/// A walk that never reads a column.
const NOT_READ: u32 = u32::MAX;

impl<'a> PermutationPredictor<'a> {
    /// Prepares `rows` (input columns, as given to `predict_proba`).
    pub fn new(model: &'a FittedModel, rows: &FeatureMatrix) -> Result<Self, ModelError> {
        let baseline = model.predict_proba(rows)?;
        let rows = rows.to_float32();
        let walks = match model {
            FittedModel::ExtraTrees { imputer, trees } => {
                let mut model_columns: Vec<Vec<usize>> =
                    (0..rows.columns()).map(|column| vec![column]).collect();
                for (offset, &column) in imputer.indicator_columns().iter().enumerate() {
                    model_columns[column].push(rows.columns() + offset);
                }
                Some(TreeWalks::new(
                    trees,
                    SplitRule::LessOrEqual,
                    imputer.transform(&rows),
                    imputer.output_columns(),
                    model_columns,
                    true,
                ))
            }
            FittedModel::GradientBoosting { trees, .. } => Some(TreeWalks::new(
                trees,
                SplitRule::Less,
                rows.row_major().to_vec(),
                rows.columns(),
                (0..rows.columns()).map(|column| vec![column]).collect(),
                false,
            )),
            FittedModel::Constant { .. } | FittedModel::LogisticRegression { .. } => None,
        };
        Ok(PermutationPredictor {
            model,
            rows,
            baseline,
            walks,
        })
    }

    /// P(class 1) of the rows as given.
    pub fn baseline(&self) -> &[f64] {
        &self.baseline
    }

    /// P(class 1) of the rows with column `column` permuted: row `r` takes
    /// that column's value from row `order[r]` (`order` is a permutation of
    /// the rows).
    pub fn with_column_permuted(
        &self,
        column: usize,
        order: &[usize],
    ) -> Result<Vec<f64>, ModelError> {
        if order.len() != self.rows.rows() || column >= self.rows.columns() {
            return Err(ModelError::FeatureCountMismatch {
                expected: self.rows.columns(),
                found: column + 1,
            });
        }
        let Some(walks) = &self.walks else {
            let mut permuted = self.rows.clone();
            permuted.set_column_from(&self.rows, column, order);
            return self.model.predict_proba(&permuted);
        };
        Ok(match self.model {
            FittedModel::GradientBoosting { base_score, .. } => walks
                .sums_with_column_permuted(*base_score, column, order)
                .into_iter()
                .map(logistic)
                .collect(),
            _ => walks
                .sums_with_column_permuted(0.0, column, order)
                .into_iter()
                .map(|sum| (sum / walks.trees.len() as f64).clamp(0.0, 1.0))
                .collect(),
        })
    }
}

impl TreeWalks {
    fn new(
        trees: &[Tree],
        rule: SplitRule,
        inputs: Vec<f64>,
        width: usize,
        model_columns: Vec<Vec<usize>>,
        in_blocks: bool,
    ) -> TreeWalks {
        let trees: Vec<CompactTree> = trees.iter().map(compact).collect();
        let rows = inputs.len() / width.max(1);
        let walks = trees.len() * rows;
        let mut leaves = Vec::with_capacity(walks);
        let mut first_reads = vec![NOT_READ; width * walks];
        let mut path = Vec::new();
        for tree in &trees {
            for row in 0..rows {
                let walk_index = leaves.len();
                let values = &inputs[row * width..(row + 1) * width];
                path.clear();
                leaves.push(tree.leaf_value_from(0, rule, |node, feature| {
                    path.push((node, feature));
                    values[feature]
                }));
                // Latest first, so that the earliest read of a column stays.
                for &(node, feature) in path.iter().rev() {
                    first_reads[feature * walks + walk_index] = node;
                }
            }
        }
        TreeWalks {
            trees,
            rule,
            inputs,
            width,
            rows,
            model_columns,
            in_blocks,
            leaves,
            first_reads,
        }
    }

    /// Each row's leaves summed onto `start` (in blocks for a forest, whose
    /// start is 0), with input column `column` taken from row `order[row]`.
    fn sums_with_column_permuted(&self, start: f64, column: usize, order: &[usize]) -> Vec<f64> {
        let rows = self.rows;
        let mut sums = vec![start; rows];
        let trees = self.trees.len();
        if !self.in_blocks {
            self.add_permuted_leaves(0..trees, column, order, &mut sums);
            return sums;
        }
        let mut block_sums = vec![0.0; rows];
        for block in 0..block_count(trees) {
            block_sums.fill(0.0);
            let block_trees = trees_of_blocks(&(block..block + 1), trees);
            self.add_permuted_leaves(block_trees, column, order, &mut block_sums);
            add_block(&mut sums, &block_sums);
        }
        sums
    }

    /// Adds the leaves of trees `trees` to each row's sum in `sums`, in tree
    /// order, with input column `column` taken from row `order[row]`.
    fn add_permuted_leaves(
        &self,
        trees: Range<usize>,
        column: usize,
        order: &[usize],
        sums: &mut [f64],
    ) {
        let rows = self.rows;
        let walks = self.leaves.len();
        let permuted = &self.model_columns[column];
        for tree_index in trees {
            let tree = &self.trees[tree_index];
            for (row, sum) in sums.iter_mut().enumerate() {
                let walk_index = tree_index * rows + row;
                // Node indices grow along a path: the smallest is the first.
                let first_read = permuted
                    .iter()
                    .map(|&model_column| self.first_reads[model_column * walks + walk_index])
                    .min()
                    .unwrap_or(NOT_READ);
                *sum += if first_read == NOT_READ {
                    self.leaves[walk_index]
                } else {
                    let own = &self.inputs[row * self.width..(row + 1) * self.width];
                    let donor =
                        &self.inputs[order[row] * self.width..(order[row] + 1) * self.width];
                    tree.leaf_value_from(first_read, self.rule, |_, feature| {
                        if permuted.contains(&feature) {
                            donor[feature]
                        } else {
                            own[feature]
                        }
                    })
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ModelSpec;
    use super::*;
    use crate::core::random::SplitMix64;

    fn noisy_rows(count: usize) -> (FeatureMatrix, Vec<u8>) {
        let mut random = SplitMix64::new(11);
        let mut rows = FeatureMatrix::with_columns(4);
        let mut classes = Vec::new();
        for i in 0..count {
            let class = (i % 2) as u8;
            let noise = random.below(1000) as f64 / 1000.0;
            let missing = if i % 7 == 0 { f64::NAN } else { noise * 3.0 };
            rows.push_row(&[f64::from(class) + noise, missing, noise * 0.1, 1.0]);
            classes.push(class);
        }
        (rows, classes)
    }

    #[test]
    fn permuted_predictions_are_those_of_the_permuted_rows_to_the_bit() {
        let (rows, classes) = noisy_rows(120);
        let mut random = SplitMix64::new(5);
        for name in ModelSpec::NAMES {
            let model = ModelSpec::by_name(name)
                .expect("known")
                .fit(&rows, &classes, 3)
                .expect("fits");
            let predictor = PermutationPredictor::new(&model, &rows).expect("prepares");
            assert_eq!(
                predictor.baseline(),
                model.predict_proba(&rows).expect("ok")
            );
            for column in 0..rows.columns() {
                let mut order: Vec<usize> = (0..rows.rows()).collect();
                random.shuffle(&mut order);
                let mut permuted = rows.clone();
                permuted.set_column_from(&rows, column, &order);
                assert_eq!(
                    predictor
                        .with_column_permuted(column, &order)
                        .expect("predicts"),
                    model.predict_proba(&permuted).expect("predicts"),
                    "{name}, column {column}"
                );
            }
        }
    }
}
