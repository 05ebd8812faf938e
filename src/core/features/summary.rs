//! Per-feature summary statistics of a feature table (count, missing, min,
//! median, max), as a researcher would look at `df.describe()`.

use super::stats::median;
use super::{feature_names, FeatureRow};
use crate::core::alert::Survey;

/// The statistics of one feature column.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureSummary {
    pub name: &'static str,
    /// Rows with a value.
    pub count: usize,
    /// Rows without one (`NaN`).
    pub missing: usize,
    /// `NaN` when the column has no value at all.
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

/// Summarises every feature column of `rows` (all of `survey`), in
/// [`feature_names`] order.
pub fn summarize_features(survey: Survey, rows: &[FeatureRow]) -> Vec<FeatureSummary> {
    feature_names(survey)
        .iter()
        .enumerate()
        .map(|(column, &name)| {
            let mut values: Vec<f64> = rows
                .iter()
                .map(|row| row.values[column])
                .filter(|value| !value.is_nan())
                .collect();
            let (min, max) = values
                .iter()
                .fold((f64::NAN, f64::NAN), |(low, high), &value| {
                    (value.min(low), value.max(high))
                });
            FeatureSummary {
                name,
                count: values.len(),
                missing: rows.len() - values.len(),
                min,
                median: median(&mut values),
                max,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;
    use crate::core::features::ZTF_FEATURE_COUNT;

    fn row(first: f64) -> FeatureRow {
        let mut values = vec![f64::NAN; ZTF_FEATURE_COUNT];
        values[0] = first;
        FeatureRow {
            survey: Survey::Ztf,
            candid: Candid(1),
            object_id: "ZTF25aaaaaaa".into(),
            values,
            lc_features_recomputed: false,
        }
    }

    #[test]
    fn summary_counts_missing_values_and_ignores_them_in_statistics() {
        let summaries =
            summarize_features(Survey::Ztf, &[row(3.0), row(f64::NAN), row(1.0), row(2.0)]);
        let ra = &summaries[0];
        assert_eq!((ra.name, ra.count, ra.missing), ("ra", 3, 1));
        assert_eq!((ra.min, ra.median, ra.max), (1.0, 2.0, 3.0));
        assert!(summaries[1].min.is_nan() && summaries[1].count == 0);
    }
}
