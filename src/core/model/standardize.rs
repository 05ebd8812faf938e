//! Standardisation (zero mean, unit variance per column), fitted on training
//! rows only: for logistic regression, and for distances between alerts in
//! the diversity strategies.

use serde::{Deserialize, Serialize};

use super::check::FittedModelError;

/// Per-column mean and standard deviation (1 for a constant column).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    means: Vec<f64>,
    deviations: Vec<f64>,
}

impl Standardizer {
    /// Learns the scaling from `rows` row-major values of `columns` columns,
    /// ignoring `NaN`.
    pub fn fit(values: &[f64], columns: usize) -> Standardizer {
        let mut means = vec![0.0; columns];
        let mut deviations = vec![1.0; columns];
        for column in 0..columns {
            let present: Vec<f64> = values
                .iter()
                .skip(column)
                .step_by(columns.max(1))
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            if present.is_empty() {
                continue;
            }
            let mean = present.iter().sum::<f64>() / present.len() as f64;
            let variance =
                present.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / present.len() as f64;
            means[column] = mean;
            deviations[column] = if variance > 0.0 { variance.sqrt() } else { 1.0 };
        }
        Standardizer { means, deviations }
    }

    /// The training mean of each column.
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// The training standard deviation of each column (1 when constant).
    pub fn deviations(&self) -> &[f64] {
        &self.deviations
    }

    /// Checks a scaler read from a file for `columns` columns: finite means,
    /// finite positive deviations.
    pub fn check(&self, columns: usize) -> Result<(), FittedModelError> {
        for (what, values) in [
            ("the means", &self.means),
            ("the deviations", &self.deviations),
        ] {
            if values.len() != columns {
                return Err(FittedModelError::Length {
                    what,
                    expected: columns,
                    found: values.len(),
                });
            }
        }
        if !self.means.iter().all(|m| m.is_finite())
            || !self.deviations.iter().all(|d| d.is_finite() && *d > 0.0)
        {
            return Err(FittedModelError::NotFinite {
                what: "the standardisation",
            });
        }
        Ok(())
    }

    /// Scales row-major `values` in place; `NaN` becomes 0 (the mean).
    pub fn transform_in_place(&self, values: &mut [f64]) {
        let columns = self.means.len().max(1);
        for (index, value) in values.iter_mut().enumerate() {
            let column = index % columns;
            *value = if value.is_nan() {
                0.0
            } else {
                (*value - self.means[column]) / self.deviations[column]
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_get_zero_mean_unit_variance_and_constants_are_left_centred() {
        let mut values = vec![1.0, 5.0, 3.0, 5.0];
        let scaler = Standardizer::fit(&values, 2);
        scaler.transform_in_place(&mut values);
        assert_eq!(values, vec![-1.0, 0.0, 1.0, 0.0]);
    }
}
