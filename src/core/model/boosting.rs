//! Gradient-boosted trees from forust-ml: NaN-native (missing values get their
//! own branch), log loss, single-threaded. Columns that are constant in the
//! training rows are dropped first, since forust refuses them.

use forust_ml::data::Matrix;
use forust_ml::gradientbooster::GradientBooster;

use super::{check_columns, FeatureMatrix, ModelError, ProbabilisticClassifier};

/// The hyper-parameters set explicitly (forust's defaults differ from sklearn's).
pub(super) struct Settings {
    pub iterations: usize,
    pub learning_rate: f32,
    pub max_depth: usize,
    pub l2: f32,
    pub min_leaf_weight: f32,
}

struct BoostedTrees {
    columns: usize,
    /// The input columns the booster was trained on.
    kept_columns: Vec<usize>,
    booster: GradientBooster,
}

fn learner_error(error: impl std::fmt::Display) -> ModelError {
    ModelError::Learner {
        model: "gradient-boosting",
        detail: error.to_string(),
    }
}

/// The kept columns of `rows`, column-major, as forust wants them.
fn column_major(rows: &FeatureMatrix, kept_columns: &[usize]) -> Vec<f64> {
    kept_columns
        .iter()
        .flat_map(|&column| rows.column(column))
        .collect()
}

/// Columns with at least two distinct present values.
fn varying_columns(rows: &FeatureMatrix) -> Vec<usize> {
    (0..rows.columns())
        .filter(|&column| {
            let mut present = rows.column(column).filter(|value| !value.is_nan());
            let first = present.next();
            first.is_some_and(|first| present.any(|value| value != first))
        })
        .collect()
}

pub(super) fn fit(
    rows: &FeatureMatrix,
    targets: &[f64],
    settings: Settings,
    seed: u64,
) -> Result<Box<dyn ProbabilisticClassifier>, ModelError> {
    let kept_columns = varying_columns(rows);
    let data = column_major(rows, &kept_columns);
    let matrix = Matrix::new(&data, rows.rows(), kept_columns.len());
    let mut booster = GradientBooster::default()
        .set_parallel(false)
        .set_iterations(settings.iterations)
        .set_learning_rate(settings.learning_rate)
        .set_max_depth(settings.max_depth)
        .set_l2(settings.l2)
        .set_min_leaf_weight(settings.min_leaf_weight)
        .set_seed(seed);
    booster
        .fit_unweighted(&matrix, targets, None)
        .map_err(learner_error)?;
    Ok(Box::new(BoostedTrees {
        columns: rows.columns(),
        kept_columns,
        booster,
    }))
}

impl ProbabilisticClassifier for BoostedTrees {
    fn predict_proba(&self, rows: &FeatureMatrix) -> Result<Vec<f64>, ModelError> {
        check_columns(rows, self.columns)?;
        let data = column_major(rows, &self.kept_columns);
        let matrix = Matrix::new(&data, rows.rows(), self.kept_columns.len());
        let log_odds = self.booster.predict(&matrix, false);
        Ok(log_odds
            .into_iter()
            .map(|z| 1.0 / (1.0 + libm::exp(-z)))
            .collect())
    }
}
