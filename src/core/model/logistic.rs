//! Logistic regression (smartcore) on median-imputed, standardised features:
//! the linear baseline. Only its coefficients are kept: the model predicts
//! with them (`FittedModel::LogisticRegression`).

use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};

use super::impute::MedianImputer;
use super::standardize::Standardizer;
use super::{FeatureMatrix, FittedModel, ModelError};

fn learner_error(error: impl std::fmt::Display) -> ModelError {
    ModelError::Learner {
        model: "logistic-regression",
        detail: error.to_string(),
    }
}

pub(super) fn fit(
    rows: &FeatureMatrix,
    targets: &[f64],
    alpha: f64,
) -> Result<FittedModel, ModelError> {
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
    Ok(FittedModel::LogisticRegression {
        imputer,
        scaler,
        weights,
        intercept,
    })
}
