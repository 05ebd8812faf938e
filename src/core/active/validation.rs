//! Stratified k-fold cross-validation of a round's model, and, on the same
//! folds, permutation importance: how much the held-out ROC AUC drops when
//! one feature's values are shuffled among the held-out rows. The researcher
//! asked which features matter; this answers it with labels the model has
//! not seen, at the cost of predictions only (no extra fits).

use serde::{Deserialize, Serialize};

use super::metrics::{binary_metrics, roc_auc, stratified_folds, BinaryMetrics};
use crate::core::model::{FeatureMatrix, ModelError, ModelSpec};
use crate::core::random::SplitMix64;

/// Shuffles of each feature per fold; their drops are averaged.
pub const PERMUTATION_REPEATS: usize = 3;

/// Mean and standard deviation of each metric across cross-validation folds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossValidated {
    pub folds: usize,
    pub mean: BinaryMetrics,
    pub std: BinaryMetrics,
}

/// One feature's permutation importance: the drop in held-out ROC AUC when it
/// is shuffled, mean and standard deviation across folds. Near 0 (or below):
/// the model does not need the feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub feature: String,
    pub auc_drop: f64,
    pub auc_drop_std: f64,
}

/// What cross-validation found: the metrics and each feature's importance
/// (both `None` when a class has fewer than 2 labels).
#[derive(Clone, Debug, PartialEq)]
pub struct CrossValidation {
    pub metrics: Option<CrossValidated>,
    pub importance: Option<Vec<FeatureImportance>>,
}

/// Mean and population standard deviation.
fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count;
    (mean, variance.sqrt())
}

/// Stratified k-fold cross-validation of `model` on the labelled rows, with
/// `folds` reduced to the smaller class's size, and the permutation
/// importance of each column (named by `feature_names`) on the held-out folds.
pub fn cross_validate(
    model: &ModelSpec,
    rows: &FeatureMatrix,
    classes: &[u8],
    feature_names: &[String],
    folds: usize,
    seed: u64,
) -> Result<CrossValidation, ModelError> {
    let smaller_class = [0u8, 1]
        .iter()
        .map(|&c| classes.iter().filter(|&&x| x == c).count())
        .min()
        .unwrap_or(0);
    let folds = folds.min(smaller_class);
    if folds < 2 {
        return Ok(CrossValidation {
            metrics: None,
            importance: None,
        });
    }
    let mut per_fold = Vec::with_capacity(folds);
    // drops[feature][fold]
    let mut drops = vec![Vec::with_capacity(folds); rows.columns()];
    let mut random = SplitMix64::new(seed ^ 0x5045_524D);
    for held_out in stratified_folds(classes, folds, seed) {
        let training: Vec<usize> = (0..classes.len())
            .filter(|i| !held_out.contains(i))
            .collect();
        let train_classes: Vec<u8> = training.iter().map(|&i| classes[i]).collect();
        let fitted = model.fit(&rows.select_rows(&training), &train_classes, seed)?;
        let held_out_rows = rows.select_rows(&held_out);
        let probabilities = fitted.predict_proba(&held_out_rows)?;
        let truth: Vec<u8> = held_out.iter().map(|&i| classes[i]).collect();
        let metrics = binary_metrics(&truth, &probabilities);
        let baseline = metrics.roc_auc.unwrap_or(0.5);
        per_fold.push(metrics.values());
        for (column, feature_drops) in drops.iter_mut().enumerate() {
            let mut fold_drop = 0.0;
            for _ in 0..PERMUTATION_REPEATS {
                let shuffled = shuffle_column(&held_out_rows, column, &mut random);
                let permuted = fitted.predict_proba(&shuffled)?;
                fold_drop += baseline - roc_auc(&truth, &permuted).unwrap_or(0.5);
            }
            feature_drops.push(fold_drop / PERMUTATION_REPEATS as f64);
        }
    }
    let spread: [(f64, f64); 5] = std::array::from_fn(|m| {
        mean_and_std(&per_fold.iter().map(|fold| fold[m]).collect::<Vec<_>>())
    });
    let mean = spread.map(|(mean, _)| mean);
    let std = spread.map(|(_, std)| std);
    let importance = drops
        .iter()
        .enumerate()
        .map(|(column, fold_drops)| {
            let (auc_drop, auc_drop_std) = mean_and_std(fold_drops);
            FeatureImportance {
                feature: feature_names
                    .get(column)
                    .cloned()
                    .unwrap_or_else(|| format!("feature {column}")),
                auc_drop,
                auc_drop_std,
            }
        })
        .collect();
    Ok(CrossValidation {
        metrics: Some(CrossValidated {
            folds,
            mean: BinaryMetrics::from_values(mean),
            std: BinaryMetrics::from_values(std),
        }),
        importance: Some(importance),
    })
}

/// `rows` with column `column`'s values shuffled among the rows.
fn shuffle_column(rows: &FeatureMatrix, column: usize, random: &mut SplitMix64) -> FeatureMatrix {
    let mut order: Vec<usize> = (0..rows.rows()).collect();
    random.shuffle(&mut order);
    let values: Vec<f64> = rows.column(column).collect();
    let mut shuffled = FeatureMatrix::with_columns(rows.columns());
    for (row, &source) in order.iter().enumerate() {
        let mut cells = rows.row(row).to_vec();
        cells[column] = values[source];
        shuffled.push_row(&cells);
    }
    shuffled
}

/// The importances sorted from the feature the model needs most.
pub fn by_importance(importance: &[FeatureImportance]) -> Vec<&FeatureImportance> {
    let mut sorted: Vec<&FeatureImportance> = importance.iter().collect();
    sorted.sort_by(|a, b| b.auc_drop.total_cmp(&a.auc_drop));
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feature_that_separates_the_classes_matters_and_noise_does_not() {
        let mut random = SplitMix64::new(1);
        let rows: Vec<[f64; 2]> = (0..60)
            .map(|i| {
                let class = (i % 2) as f64;
                [class * 3.0 + (i % 5) as f64 * 0.1, random.below(100) as f64]
            })
            .collect();
        let classes: Vec<u8> = (0..60).map(|i| (i % 2) as u8).collect();
        let names = vec!["signal".to_string(), "noise".to_string()];
        let model = ModelSpec::by_name("extra-trees").expect("known");
        let found = cross_validate(
            &model,
            &FeatureMatrix::from_rows(&rows).expect("matrix"),
            &classes,
            &names,
            5,
            7,
        )
        .expect("validates");
        let importance = found.importance.expect("two classes");
        assert_eq!(importance[0].feature, "signal");
        assert!(importance[0].auc_drop > 0.2, "{importance:?}");
        assert!(importance[1].auc_drop.abs() < 0.1, "{importance:?}");
        assert_eq!(by_importance(&importance)[0].feature, "signal");
        assert_eq!(found.metrics.expect("two classes").folds, 5);
    }
}
