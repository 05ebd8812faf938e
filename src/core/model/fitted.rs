//! A fitted model as plain, serialisable data: what a round trained, what the
//! page predicts with, what a model file stores and what the CLI and the ONNX
//! export read. Every family predicts from these values alone, so a model read
//! back from JSON gives the same probabilities, bit for bit.
//!
//! Models take their inputs as float32 values ([`FeatureMatrix::to_float32`]),
//! fitting and predicting alike: an ONNX runtime is given float32 features, so
//! the exported graph sees exactly the values the model was trained on.

use serde::{Deserialize, Serialize};

pub use super::check::FittedModelError;
use super::forest_blocks::{add_blocks, block_sums_of_rows};
use super::impute::MedianImputer;
use super::standardize::Standardizer;
use super::tree::{add_leaf_values, SplitRule, Tree};
use super::{FeatureMatrix, ModelError};

/// A fitted binary classifier, one variant per family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedModel {
    /// Training had one class only: a smoothed constant.
    Constant { columns: usize, probability: f64 },
    /// Median imputation with missing indicators, then the mean of the
    /// trees' leaves (`value <= threshold` goes left).
    ExtraTrees {
        imputer: MedianImputer,
        trees: Vec<Tree>,
    },
    /// The logistic function of `base_score` plus every tree's leaf, summed
    /// in order (`value < threshold` goes left; missing values follow each
    /// split's `missing` branch).
    GradientBoosting {
        columns: usize,
        base_score: f64,
        trees: Vec<Tree>,
    },
    /// Median imputation with missing indicators, standardisation, then the
    /// logistic function of `intercept + weights · x`.
    LogisticRegression {
        imputer: MedianImputer,
        scaler: Standardizer,
        weights: Vec<f64>,
        intercept: f64,
    },
}

/// The logistic function, with the same `exp` natively and in wasm32.
pub fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-z))
}

impl FittedModel {
    /// The number of features a row must have.
    pub fn input_columns(&self) -> usize {
        match self {
            FittedModel::Constant { columns, .. }
            | FittedModel::GradientBoosting { columns, .. } => *columns,
            FittedModel::ExtraTrees { imputer, .. }
            | FittedModel::LogisticRegression { imputer, .. } => imputer.input_columns(),
        }
    }

    /// P(class 1) for every row of `rows`, in `[0, 1]`.
    pub fn predict_proba(&self, rows: &FeatureMatrix) -> Result<Vec<f64>, ModelError> {
        if rows.columns() != self.input_columns() {
            return Err(ModelError::FeatureCountMismatch {
                expected: self.input_columns(),
                found: rows.columns(),
            });
        }
        // Every model reads the values rounded to float32, as its file keeps
        // its thresholds; the forest rounds them a block of rows at a time.
        Ok(match self {
            FittedModel::Constant { probability, .. } => vec![*probability; rows.rows()],
            FittedModel::ExtraTrees { imputer, trees } => {
                let blocks = block_sums_of_rows(imputer, trees, rows);
                add_blocks(rows.rows(), blocks.iter().map(Vec::as_slice))
                    .into_iter()
                    .map(|sum| (sum / trees.len() as f64).clamp(0.0, 1.0))
                    .collect()
            }
            FittedModel::GradientBoosting {
                base_score, trees, ..
            } => {
                let rows = rows.to_float32();
                let mut log_odds = vec![*base_score; rows.rows()];
                add_leaf_values(
                    trees,
                    rows.row_major(),
                    rows.columns(),
                    SplitRule::Less,
                    &mut log_odds,
                );
                log_odds.into_iter().map(logistic).collect()
            }
            FittedModel::LogisticRegression {
                imputer,
                scaler,
                weights,
                intercept,
            } => {
                let rows = rows.to_float32();
                let mut values = imputer.transform(&rows);
                scaler.transform_in_place(&mut values);
                values
                    .chunks(weights.len().max(1))
                    .take(rows.rows())
                    .map(|row| {
                        let dot: f64 = row.iter().zip(weights).map(|(x, w)| x * w).sum();
                        logistic(intercept + dot)
                    })
                    .collect()
            }
        })
    }

    /// For a forest, the sums of its blocks of trees (`forest_blocks`) over
    /// every row of `rows`, one vector per block: what `predict_proba` adds
    /// and divides by the number of trees. `None` for other models.
    pub fn forest_block_sums(
        &self,
        rows: &FeatureMatrix,
    ) -> Result<Option<Vec<Vec<f64>>>, ModelError> {
        if rows.columns() != self.input_columns() {
            return Err(ModelError::FeatureCountMismatch {
                expected: self.input_columns(),
                found: rows.columns(),
            });
        }
        Ok(match self {
            FittedModel::ExtraTrees { imputer, trees } => {
                Some(block_sums_of_rows(imputer, trees, rows))
            }
            _ => None,
        })
    }

    /// Checks a model read from a file: sizes agree, trees end on leaves,
    /// numbers are finite. A model that passes cannot panic when predicting.
    pub fn check(&self) -> Result<(), FittedModelError> {
        let finite = |what, values: &[f64]| {
            if values.iter().all(|v| v.is_finite()) {
                Ok(())
            } else {
                Err(FittedModelError::NotFinite { what })
            }
        };
        let trees_fit = |trees: &[Tree], columns: usize| {
            if trees.is_empty() {
                return Err(FittedModelError::NoTrees);
            }
            trees.iter().enumerate().try_for_each(|(index, tree)| {
                tree.check(columns)
                    .map_err(|problem| FittedModelError::Tree {
                        tree: index,
                        problem,
                    })
            })
        };
        match self {
            FittedModel::Constant { probability, .. } => finite("the probability", &[*probability]),
            FittedModel::ExtraTrees { imputer, trees } => {
                imputer.check()?;
                trees_fit(trees, imputer.output_columns())
            }
            FittedModel::GradientBoosting {
                columns,
                base_score,
                trees,
            } => {
                finite("the base score", &[*base_score])?;
                trees_fit(trees, *columns)
            }
            FittedModel::LogisticRegression {
                imputer,
                scaler,
                weights,
                intercept,
            } => {
                imputer.check()?;
                scaler.check(imputer.output_columns())?;
                if weights.len() != imputer.output_columns() {
                    return Err(FittedModelError::Length {
                        what: "the weights",
                        expected: imputer.output_columns(),
                        found: weights.len(),
                    });
                }
                finite("the weights", weights)?;
                finite("the intercept", &[*intercept])
            }
        }
    }
}
