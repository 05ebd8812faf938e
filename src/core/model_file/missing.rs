//! Features a model uses that the alerts being scored lack.
//!
//! A model trained on clean-layout files (which have `sep_arcsec`) scores
//! raw Fink files too, where `sep_arcsec` is missing for every alert: the
//! model fills the gap as it was taught to (a training median, or a tree's
//! missing branch), and `p_class1` moved by up to 0.54 without a word. The
//! model file now keeps how often each feature was missing in training, so
//! that scoring can say when the alerts at hand are far from that, per file,
//! in every tool.

use std::fmt;

use crate::core::model::FeatureMatrix;

/// A share of missing values this far above the training rows' share (on
/// at least [`MIN_ALERTS_FOR_SHARE`] alerts) is reported, e.g. 60 % missing
/// where training had 5 %.
pub const FAR_ABOVE_TRAINING: f64 = 0.5;

/// Below this many alerts, only a feature missing for every alert is
/// reported: a share over a handful of alerts says little.
pub const MIN_ALERTS_FOR_SHARE: usize = 20;

/// A feature missing for every alert is reported when that would happen by
/// chance less often than this, given its missing share in training: a
/// feature training never lacked, on any number of alerts; one missing in
/// 30 % of the training rows, from 6 alerts on. (A model file without the
/// shares: from 2 alerts on.)
pub const CHANCE_OF_ALL_MISSING: f64 = 1e-3;

/// The share of rows of `matrix` where each column is missing (`NaN`), in
/// column order; 0 for every column of an empty matrix.
pub fn missing_shares(matrix: &FeatureMatrix) -> Vec<f64> {
    let rows = matrix.rows();
    (0..matrix.columns())
        .map(|column| match rows {
            0 => 0.0,
            _ => missing_count(matrix, column) as f64 / rows as f64,
        })
        .collect()
}

/// How many rows of `matrix` lack a value (`NaN`) in `column`.
fn missing_count(matrix: &FeatureMatrix, column: usize) -> usize {
    matrix.column(column).filter(|value| value.is_nan()).count()
}

/// One feature of the model missing far more often in some alerts than in
/// its training rows.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingFeature {
    pub feature: String,
    /// Alerts without a value for it.
    pub missing: usize,
    /// Alerts looked at.
    pub alerts: usize,
    /// Its missing share in the training rows; `None` for a model file
    /// written before files kept it.
    pub training_share: Option<f64>,
}

impl fmt::Display for MissingFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.missing == self.alerts {
            write!(
                f,
                "`{}` missing for all {} alerts",
                self.feature, self.alerts
            )?;
        } else {
            write!(
                f,
                "`{}` missing for {} of {} alerts ({})",
                self.feature,
                self.missing,
                self.alerts,
                percent(self.missing as f64 / self.alerts as f64)
            )?;
        }
        match self.training_share {
            Some(share) => write!(f, ", {} in training", percent(share)),
            None => Ok(()),
        }
    }
}

fn percent(share: f64) -> String {
    let percent = share * 100.0;
    if percent > 0.0 && percent < 1.0 {
        "under 1 %".to_string()
    } else if percent > 99.0 && percent < 100.0 {
        "over 99 %".to_string()
    } else {
        format!("{percent:.0} %")
    }
}

/// The model's features (`names`, the columns of `matrix`) that the rows of
/// `matrix` lack far more than training did (`training_shares`, per
/// feature, when the model file has them): missing for every row where
/// training makes that unlikely ([`CHANCE_OF_ALL_MISSING`]), or (on enough
/// rows) a share at least [`FAR_ABOVE_TRAINING`] above training's.
pub fn missing_features(
    names: &[String],
    training_shares: Option<&[f64]>,
    matrix: &FeatureMatrix,
) -> Vec<MissingFeature> {
    let alerts = matrix.rows();
    if alerts == 0 {
        return Vec::new();
    }
    names
        .iter()
        .enumerate()
        .filter_map(|(column, name)| {
            let missing = missing_count(matrix, column);
            let training_share = training_shares.and_then(|shares| shares.get(column).copied());
            let share = missing as f64 / alerts as f64;
            let everywhere = missing == alerts
                && match training_share {
                    // Missing everywhere by chance is unlikely, given training.
                    Some(training) => training.powi(alerts as i32) < CHANCE_OF_ALL_MISSING,
                    None => alerts >= 2,
                };
            let far_above = alerts >= MIN_ALERTS_FOR_SHARE
                && training_share.is_some_and(|training| share - training >= FAR_ABOVE_TRAINING);
            (everywhere || far_above).then(|| MissingFeature {
                feature: name.clone(),
                missing,
                alerts,
                training_share,
            })
        })
        .collect()
}

/// What the tools say of one file (or table, or batch): `FILE: `sep_arcsec`
/// missing for all 72 alerts, 0 % in training; …`.
pub fn missing_features_line(file: &str, features: &[MissingFeature]) -> String {
    let features: Vec<String> = features.iter().map(ToString::to_string).collect();
    format!("{file}: {}", features.join("; "))
}

/// What follows the lines: why it matters.
pub const MISSING_FEATURES_CONSEQUENCE: &str = "the model scores these alerts without the \
     features it was trained with, so p_class1 may differ from what complete alerts would get";

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    fn matrix(rows: &[[f64; 2]]) -> FeatureMatrix {
        FeatureMatrix::from_rows(rows).expect("rows")
    }

    #[test]
    fn a_feature_missing_for_every_alert_is_reported_unless_training_lacked_it_too() {
        let rows = matrix(&[[NAN, 1.0], [NAN, NAN]]);
        let found = missing_features(&names(&["sep_arcsec", "snr"]), Some(&[0.0, 0.2]), &rows);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            missing_features_line("raw.parquet", &found),
            "raw.parquet: `sep_arcsec` missing for all 2 alerts, 0 % in training"
        );
        let empty_in_training =
            missing_features(&names(&["sep_arcsec", "snr"]), Some(&[1.0, 0.2]), &rows);
        assert!(empty_in_training.is_empty(), "{empty_in_training:?}");
        let older_file = missing_features(&names(&["sep_arcsec", "snr"]), None, &rows);
        assert_eq!(
            older_file[0].to_string(),
            "`sep_arcsec` missing for all 2 alerts"
        );
    }

    #[test]
    fn one_alert_missing_a_feature_training_often_lacked_is_not_reported() {
        let one = matrix(&[[NAN, 1.0]]);
        let names = names(&["linear_fit_slope_g", "snr"]);
        assert!(
            missing_features(&names, Some(&[0.3, 0.0]), &one).is_empty(),
            "missing in 30 % of training: one alert without it is ordinary"
        );
        assert_eq!(
            missing_features(&names, Some(&[0.0, 0.0]), &one).len(),
            1,
            "never missing in training: even one alert without it is named"
        );
        let six = matrix(&[[NAN, 1.0]; 6]);
        assert_eq!(missing_features(&names, Some(&[0.3, 0.0]), &six).len(), 1);
        assert!(missing_features(&names, None, &one).is_empty());
    }

    #[test]
    fn a_share_far_above_trainings_is_reported_on_enough_alerts_only() {
        let mut rows: Vec<[f64; 2]> = (0..20).map(|_| [NAN, 1.0]).collect();
        for row in rows.iter_mut().take(8) {
            row[0] = 1.0;
        }
        let many = matrix(&rows);
        let found = missing_features(&names(&["a", "b"]), Some(&[0.05, 0.0]), &many);
        assert_eq!(
            found.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["`a` missing for 12 of 20 alerts (60 %), 5 % in training"]
        );
        assert!(
            missing_features(&names(&["a", "b"]), Some(&[0.2, 0.0]), &many).is_empty(),
            "40 points above training is not far enough"
        );
        let few = matrix(&rows[..19]);
        assert!(missing_features(&names(&["a", "b"]), Some(&[0.0, 0.0]), &few).is_empty());
    }

    #[test]
    fn shares_count_nan_per_column() {
        let rows = matrix(&[[NAN, 1.0], [2.0, NAN], [NAN, 3.0], [4.0, 5.0]]);
        assert_eq!(missing_shares(&rows), vec![0.5, 0.25]);
        assert_eq!(
            missing_shares(&FeatureMatrix::with_columns(2)),
            vec![0.0, 0.0]
        );
    }
}
