//! Median imputation with missing-value indicators, fitted on the training
//! rows only, for learners that cannot take `NaN` (forests, logistic regression).

use serde::{Deserialize, Serialize};

use super::check::FittedModelError;
use super::matrix::FeatureMatrix;
use crate::core::features::stats::median;

/// Per column: the training median, and whether an indicator column is added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MedianImputer {
    medians: Vec<f64>,
    /// Columns that had a missing value in training get a 0/1 indicator column.
    indicator_columns: Vec<usize>,
}

impl MedianImputer {
    /// Learns the medians (0 for an all-missing column) from `training`.
    pub fn fit(training: &FeatureMatrix) -> MedianImputer {
        let mut medians = Vec::with_capacity(training.columns());
        let mut indicator_columns = Vec::new();
        for column in 0..training.columns() {
            let mut present: Vec<f64> = training
                .column(column)
                .filter(|value| !value.is_nan())
                .collect();
            if present.len() < training.rows() {
                indicator_columns.push(column);
            }
            let middle = median(&mut present);
            medians.push(if middle.is_nan() { 0.0 } else { middle });
        }
        MedianImputer {
            medians,
            indicator_columns,
        }
    }

    /// Columns of the input.
    pub fn input_columns(&self) -> usize {
        self.medians.len()
    }

    /// The value put in place of a missing one, per input column.
    pub fn medians(&self) -> &[f64] {
        &self.medians
    }

    /// The input columns that get a 0/1 missing indicator, in output order.
    pub fn indicator_columns(&self) -> &[usize] {
        &self.indicator_columns
    }

    /// Checks an imputer read from a file: finite medians, indicators of
    /// existing columns.
    pub fn check(&self) -> Result<(), FittedModelError> {
        if !self.medians.iter().all(|m| m.is_finite()) {
            return Err(FittedModelError::NotFinite {
                what: "the imputation medians",
            });
        }
        if let Some(&column) = self
            .indicator_columns
            .iter()
            .find(|&&column| column >= self.medians.len())
        {
            return Err(FittedModelError::Length {
                what: "the imputer's columns",
                expected: self.medians.len(),
                found: column + 1,
            });
        }
        Ok(())
    }

    /// Columns of the output: the inputs, then one indicator per column that
    /// had missing values in training.
    pub fn output_columns(&self) -> usize {
        self.medians.len() + self.indicator_columns.len()
    }

    /// `matrix` with missing values replaced by the training medians, plus
    /// the indicator columns, in row-major order.
    pub fn transform(&self, matrix: &FeatureMatrix) -> Vec<f64> {
        let mut out = Vec::with_capacity(matrix.rows() * self.output_columns());
        for row in 0..matrix.rows() {
            self.transform_row_into(matrix.row(row), &mut out);
        }
        out
    }

    /// One row (of the training columns) transformed as by
    /// [`MedianImputer::transform`], appended to `out`.
    pub fn transform_row_into(&self, values: &[f64], out: &mut Vec<f64>) {
        out.extend(values.iter().zip(&self.medians).map(
            |(&value, &fill)| {
                if value.is_nan() {
                    fill
                } else {
                    value
                }
            },
        ));
        out.extend(self.indicator_columns.iter().map(|&column| {
            if values[column].is_nan() {
                1.0
            } else {
                0.0
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_come_from_training_and_indicators_mark_missing_values() {
        let training =
            FeatureMatrix::from_rows(&[[1.0, 5.0], [f64::NAN, 7.0], [3.0, 6.0]]).expect("matrix");
        let imputer = MedianImputer::fit(&training);
        assert_eq!(imputer.output_columns(), 3);
        let later = FeatureMatrix::from_rows(&[[f64::NAN, f64::NAN]]).expect("matrix");
        // Column 1 had no missing value in training: imputed, no indicator.
        assert_eq!(imputer.transform(&later), vec![2.0, 6.0, 1.0]);
    }
}
