//! Logistic regression (smartcore) on median-imputed, standardised features:
//! the linear baseline. Probabilities come from its coefficients.

use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};

use super::impute::MedianImputer;
use super::standardize::Standardizer;
use super::{check_columns, FeatureMatrix, ModelError, ProbabilisticClassifier};

struct LinearModel {
    columns: usize,
    imputer: MedianImputer,
    scaler: Standardizer,
    weights: Vec<f64>,
    intercept: f64,
}

fn learner_error(error: impl std::fmt::Display) -> ModelError {
    ModelError::Learner {
        model: "logistic-regression",
        detail: error.to_string(),
    }
}

impl LinearModel {
    fn prepared(&self, rows: &FeatureMatrix) -> Vec<f64> {
        let mut values = self.imputer.transform(rows);
        self.scaler.transform_in_place(&mut values);
        values
    }
}

pub(super) fn fit(
    rows: &FeatureMatrix,
    targets: &[f64],
    alpha: f64,
) -> Result<Box<dyn ProbabilisticClassifier>, ModelError> {
    let imputer = MedianImputer::fit(rows);
    let mut values = imputer.transform(rows);
    let columns = imputer.output_columns();
    let scaler = Standardizer::fit(&values, columns);
    scaler.transform_in_place(&mut values);
    let matrix = DenseMatrix::new(rows.rows(), columns, values, false).map_err(learner_error)?;
    let classes: Vec<i32> = targets.iter().map(|&target| target as i32).collect();
    let parameters = LogisticRegressionParameters::default().with_alpha(alpha);
    let model = LogisticRegression::fit(&matrix, &classes, parameters).map_err(learner_error)?;
    let coefficients = model.coefficients();
    let weights = (0..columns)
        .map(|column| *coefficients.get((0, column)))
        .collect();
    let intercept = *model.intercept().get((0, 0));
    Ok(Box::new(LinearModel {
        columns: rows.columns(),
        imputer,
        scaler,
        weights,
        intercept,
    }))
}

impl ProbabilisticClassifier for LinearModel {
    fn predict_proba(&self, rows: &FeatureMatrix) -> Result<Vec<f64>, ModelError> {
        check_columns(rows, self.columns)?;
        let values = self.prepared(rows);
        let width = self.weights.len().max(1);
        Ok(values
            .chunks(width)
            .map(|row| {
                let z = self.intercept
                    + row
                        .iter()
                        .zip(&self.weights)
                        .map(|(x, w)| x * w)
                        .sum::<f64>();
                1.0 / (1.0 + libm::exp(-z))
            })
            .collect())
    }
}
