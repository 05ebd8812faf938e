//! Binary probabilistic classifiers behind one small trait: fit on labelled
//! rows, then give P(class 1) for any rows. Everything is deterministic given
//! the seed, single-threaded, and compiles for wasm32.
//!
//! - [`ModelSpec::ExtraTrees`]: a "probability forest" (extremely randomised
//!   regression trees fitted on 0/1, leaves averaged, `extra_trees`), with
//!   median imputation and missing indicators fitted on the training rows.
//!   The small-data default.
//! - [`ModelSpec::GradientBoosting`]: forust-ml's gradient-boosted trees, NaN-native
//!   like the original sklearn HistGradientBoosting, with small leaves.
//! - [`ModelSpec::LogisticRegression`]: smartcore's, on imputed standardised
//!   features: a baseline.
//!
//! Fitting returns a [`FittedModel`]: plain data that predicts, serialises
//! and exports (model files, ONNX) without the learner crates.

pub mod bins;
mod boosting;
pub mod check;
mod extra_trees;
pub mod fitted;
pub mod forest_blocks;
pub mod impute;
mod logistic;
pub mod matrix;
mod node_rows;
pub mod permutation;
pub mod standardize;
pub mod tree;

use std::ops::Range;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use fitted::FittedModel;
pub use matrix::FeatureMatrix;

/// Why a model could not be fitted or applied.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    #[error("no training rows")]
    NoTrainingRows,
    #[error("every feature is left out: the model needs at least one")]
    NoFeatures,
    #[error("{rows} training rows but {labels} labels")]
    LabelCountMismatch { rows: usize, labels: usize },
    #[error("the model expects {expected} features, got {found}")]
    FeatureCountMismatch { expected: usize, found: usize },
    #[error("fold {fold} was asked for, but the cross-validation has {folds} folds")]
    NoSuchFold { fold: usize, folds: usize },
    #[error("{model} failed: {detail}")]
    Learner { model: &'static str, detail: String },
    /// Blocks of trees asked of a model that is not a forest.
    #[error("{model} failed: only a forest is fitted in blocks of trees")]
    NotAForest { model: &'static str },
}

/// Which classifier, with its hyper-parameters (all explicit, serialisable).
/// Saved in JSON as `{"kind": "extra_trees", ...}`; in binary forms
/// (postcard, to and from the workers), which cannot read a tag inside the
/// fields, as that JSON text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "kind", rename_all = "snake_case")]
pub enum ModelSpec {
    ExtraTrees {
        trees: usize,
        min_samples_leaf: usize,
        /// Features tried per split; `None` is √(features).
        max_features: Option<usize>,
    },
    GradientBoosting {
        iterations: usize,
        learning_rate: f32,
        max_depth: usize,
        l2: f32,
        /// Minimum hessian sum in a leaf (≈ samples × 0.25 for log loss near p = 0.5).
        min_leaf_weight: f32,
    },
    LogisticRegression {
        /// L2 regularisation strength.
        alpha: f64,
    },
}

impl ModelSpec {
    /// The names accepted by [`ModelSpec::by_name`].
    pub const NAMES: [&'static str; 3] =
        ["extra-trees", "gradient-boosting", "logistic-regression"];

    /// The default configuration of a family, by its CLI/UI name.
    pub fn by_name(name: &str) -> Option<ModelSpec> {
        match name {
            "extra-trees" => Some(ModelSpec::ExtraTrees {
                trees: 50,
                min_samples_leaf: 1,
                max_features: None,
            }),
            "gradient-boosting" => Some(ModelSpec::GradientBoosting {
                iterations: 100,
                learning_rate: 0.1,
                max_depth: 3,
                l2: 1.0,
                min_leaf_weight: 0.5,
            }),
            "logistic-regression" => Some(ModelSpec::LogisticRegression { alpha: 1.0 }),
            _ => None,
        }
    }

    /// This spec with the forest's size and leaf size changed (other families
    /// are returned unchanged).
    pub fn with_forest_shape(
        self,
        trees: Option<usize>,
        min_samples_leaf: Option<usize>,
    ) -> ModelSpec {
        match self {
            ModelSpec::ExtraTrees {
                trees: current_trees,
                min_samples_leaf: current_leaf,
                max_features,
            } => ModelSpec::ExtraTrees {
                trees: trees.unwrap_or(current_trees),
                min_samples_leaf: min_samples_leaf.unwrap_or(current_leaf),
                max_features,
            },
            other => other,
        }
    }

    /// The family's name, as in [`ModelSpec::NAMES`].
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::ExtraTrees { .. } => "extra-trees",
            ModelSpec::GradientBoosting { .. } => "gradient-boosting",
            ModelSpec::LogisticRegression { .. } => "logistic-regression",
        }
    }

    /// Fits this model on `rows` (taken as float32, like every input the
    /// model will see) with binary `labels` (0 or 1).
    pub fn fit(
        &self,
        rows: &FeatureMatrix,
        labels: &[u8],
        seed: u64,
    ) -> Result<FittedModel, ModelError> {
        self.fit_trees_of(rows, labels, seed, None)
    }

    /// How many blocks of trees this model is grown and summed in
    /// (`forest_blocks`): `Some` for a forest only.
    pub fn forest_blocks(&self) -> Option<usize> {
        match *self {
            ModelSpec::ExtraTrees { trees, .. } => Some(forest_blocks::block_count(trees.max(1))),
            _ => None,
        }
    }

    /// Fits only the trees of blocks `blocks` of this forest: the very trees
    /// [`ModelSpec::fit`] grows there, for workers that each grow some. With
    /// one class only this is the constant `fit` gives; a model that is not
    /// a forest is refused.
    pub fn fit_blocks(
        &self,
        rows: &FeatureMatrix,
        labels: &[u8],
        seed: u64,
        blocks: Range<usize>,
    ) -> Result<FittedModel, ModelError> {
        self.fit_trees_of(rows, labels, seed, Some(blocks))
    }

    /// [`ModelSpec::fit`], or with `blocks` [`ModelSpec::fit_blocks`].
    fn fit_trees_of(
        &self,
        rows: &FeatureMatrix,
        labels: &[u8],
        seed: u64,
        blocks: Option<Range<usize>>,
    ) -> Result<FittedModel, ModelError> {
        if blocks.is_some() && self.forest_blocks().is_none() {
            return Err(ModelError::NotAForest { model: self.name() });
        }
        let rows = &rows.to_float32();
        if rows.rows() == 0 {
            return Err(ModelError::NoTrainingRows);
        }
        if rows.rows() != labels.len() {
            return Err(ModelError::LabelCountMismatch {
                rows: rows.rows(),
                labels: labels.len(),
            });
        }
        let positives = labels.iter().filter(|&&label| label == 1).count();
        if positives == 0 || positives == labels.len() {
            // One class only: every learner would answer the same; say so with
            // a smoothed constant instead of asking them.
            let probability = (positives as f64 + 1.0) / (labels.len() as f64 + 2.0);
            return Ok(FittedModel::Constant {
                probability,
                columns: rows.columns(),
            });
        }
        let targets: Vec<f64> = labels.iter().map(|&label| f64::from(label)).collect();
        match *self {
            ModelSpec::ExtraTrees {
                trees,
                min_samples_leaf,
                max_features,
            } => extra_trees::fit(
                rows,
                labels,
                extra_trees::Settings {
                    min_samples_leaf,
                    max_features,
                },
                seed,
                blocks.map_or(0..trees.max(1), |blocks| {
                    forest_blocks::trees_of_blocks(&blocks, trees.max(1))
                }),
            ),
            ModelSpec::GradientBoosting {
                iterations,
                learning_rate,
                max_depth,
                l2,
                min_leaf_weight,
            } => boosting::fit(
                rows,
                &targets,
                boosting::Settings {
                    iterations,
                    learning_rate,
                    max_depth,
                    l2,
                    min_leaf_weight,
                },
                seed,
            ),
            ModelSpec::LogisticRegression { alpha } => logistic::fit(rows, &targets, alpha),
        }
    }
}

impl Serialize for ModelSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            ModelSpec::serialize(self, serializer)
        } else {
            let json = ModelSpec::serialize(self, serde_json::value::Serializer)
                .map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(&json.to_string())
        }
    }
}

impl<'de> Deserialize<'de> for ModelSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            ModelSpec::deserialize(deserializer)
        } else {
            let json = String::deserialize(deserializer)?;
            let mut json = serde_json::Deserializer::from_str(&json);
            ModelSpec::deserialize(&mut json).map_err(serde::de::Error::custom)
        }
    }
}
