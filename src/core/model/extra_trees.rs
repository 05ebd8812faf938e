//! Extremely randomised trees as a probability forest: smartcore's
//! `ExtraTreesRegressor` fitted on 0/1 targets, so each tree's leaf holds the
//! share of class 1 and the forest averages them into a probability.

use smartcore::ensemble::extra_trees_regressor::{
    ExtraTreesRegressor, ExtraTreesRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

use super::impute::MedianImputer;
use super::{check_columns, FeatureMatrix, ModelError, ProbabilisticClassifier};

type Forest = ExtraTreesRegressor<f64, f64, DenseMatrix<f64>, Vec<f64>>;

struct ProbabilityForest {
    imputer: MedianImputer,
    columns: usize,
    forest: Forest,
}

fn learner_error(error: impl std::fmt::Display) -> ModelError {
    ModelError::Learner {
        model: "extra-trees",
        detail: error.to_string(),
    }
}

fn dense(imputer: &MedianImputer, rows: &FeatureMatrix) -> Result<DenseMatrix<f64>, ModelError> {
    DenseMatrix::new(
        rows.rows(),
        imputer.output_columns(),
        imputer.transform(rows),
        false,
    )
    .map_err(learner_error)
}

pub(super) fn fit(
    rows: &FeatureMatrix,
    targets: &[f64],
    trees: usize,
    min_samples_leaf: usize,
    max_features: Option<usize>,
    seed: u64,
) -> Result<Box<dyn ProbabilisticClassifier>, ModelError> {
    let imputer = MedianImputer::fit(rows);
    let mut parameters = ExtraTreesRegressorParameters::default()
        .with_n_trees(trees.max(1))
        .with_min_samples_leaf(min_samples_leaf.max(1))
        .with_seed(seed);
    if let Some(features) = max_features {
        parameters = parameters.with_m(features.clamp(1, imputer.output_columns()));
    }
    let forest = Forest::fit(&dense(&imputer, rows)?, &targets.to_vec(), parameters)
        .map_err(learner_error)?;
    Ok(Box::new(ProbabilityForest {
        imputer,
        columns: rows.columns(),
        forest,
    }))
}

impl ProbabilisticClassifier for ProbabilityForest {
    fn predict_proba(&self, rows: &FeatureMatrix) -> Result<Vec<f64>, ModelError> {
        check_columns(rows, self.columns)?;
        if rows.rows() == 0 {
            return Ok(Vec::new());
        }
        let predictions = self
            .forest
            .predict(&dense(&self.imputer, rows)?)
            .map_err(learner_error)?;
        Ok(predictions.into_iter().map(|p| p.clamp(0.0, 1.0)).collect())
    }
}
