//! Stratified k-fold cross-validation of a round's model, and, on the same
//! folds, permutation importance: how much the held-out ROC AUC drops when
//! one feature's values are shuffled among the held-out rows. The researcher
//! asked which features matter; this answers it with labels the model has
//! not seen, at the cost of predictions only (no extra fits).
//!
//! Each fold is one piece of work ([`evaluate_fold`]), deterministic given
//! the seed and its number, so folds can run on threads (or workers) in any
//! order and give the same record. Importance is measured on a seeded,
//! stratified sample of at most [`IMPORTANCE_SAMPLE_ROWS`] held-out rows per
//! fold, predicted again only where the shuffled feature is read
//! (`model::permutation`).

use serde::{Deserialize, Serialize};

use super::honest::HonestEstimate;
use super::metrics::{binary_metrics, roc_auc, stratified_folds, BinaryMetrics, METRIC_COUNT};
use crate::core::model::permutation::PermutationPredictor;
use crate::core::model::{FeatureMatrix, ModelError, ModelSpec};
use crate::core::random::SplitMix64;

/// Shuffles of each feature per fold; their drops are averaged.
pub const PERMUTATION_REPEATS: usize = 3;

/// The most held-out rows of one fold that permutation importance predicts
/// again. The drop in ROC AUC is a difference on the same rows, so its
/// sampling error shrinks as 1/√rows: at 1,000 rows (5,000 over five folds)
/// it is about 0.005 for a feature that matters, below the spread between
/// folds, while the cost no longer grows with the label count.
pub const IMPORTANCE_SAMPLE_ROWS: usize = 1_000;

/// Mean and standard deviation of each metric across cross-validation folds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossValidated {
    pub folds: usize,
    pub mean: BinaryMetrics,
    pub std: BinaryMetrics,
}

/// One feature's permutation importance: the drop in held-out ROC AUC when it
/// is shuffled, mean, standard deviation and standard error across folds.
/// Near 0 (or below): the model does not need the feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub feature: String,
    pub auc_drop: f64,
    pub auc_drop_std: f64,
    /// The standard error of `auc_drop`: the folds' sample standard
    /// deviation over √folds (0 in rounds saved before it was recorded).
    #[serde(default)]
    pub auc_drop_se: f64,
}

/// What cross-validation found: the metrics and each feature's importance
/// (both `None` when a class has fewer than 2 labels).
#[derive(Clone, Debug, PartialEq)]
pub struct CrossValidation {
    pub metrics: Option<CrossValidated>,
    pub importance: Option<Vec<FeatureImportance>>,
    /// The metrics on the random picks' labels alone, each predicted by the
    /// fold that held it out (`None` without random picks).
    pub honest: Option<HonestEstimate>,
}

/// What one fold found: its metrics (as [`BinaryMetrics::values`]) and the
/// mean drop in ROC AUC of each column, shuffled. It crosses from a
/// worker to the page, so it is serialisable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldOutcome {
    metrics: [f64; METRIC_COUNT],
    auc_drops: Vec<f64>,
    /// The class and held-out P(class 1) of each random pick (exploration
    /// label) of the fold, in row order: the honest estimate's input.
    random_picks: Vec<(u8, f64)>,
}

/// Mean and population standard deviation.
fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count;
    (mean, variance.sqrt())
}

/// The held-out rows of each fold of a stratified `folds`-fold
/// cross-validation (fewer folds when the smaller class has fewer labels);
/// `None` when it has fewer than 2.
pub fn plan_folds(classes: &[u8], folds: usize, seed: u64) -> Option<Vec<Vec<usize>>> {
    let smaller_class = [0u8, 1]
        .iter()
        .map(|&c| classes.iter().filter(|&&x| x == c).count())
        .min()
        .unwrap_or(0);
    let folds = folds.min(smaller_class);
    (folds >= 2).then(|| stratified_folds(classes, folds, seed))
}

/// Fits `model` without the rows `held_out`, measures it on them, and
/// measures each column's permutation importance on a sample of them.
/// `fold` (the fold's number) seeds the sample and the shuffles. The held-out
/// rows that `random_pick` marks (aligned with `classes`; empty: none) keep
/// their prediction for the honest estimate.
pub fn evaluate_fold(
    model: &ModelSpec,
    rows: &FeatureMatrix,
    classes: &[u8],
    random_pick: &[bool],
    held_out: &[usize],
    fold: usize,
    seed: u64,
) -> Result<FoldOutcome, ModelError> {
    let mut is_held_out = vec![false; classes.len()];
    for &index in held_out {
        is_held_out[index] = true;
    }
    let training: Vec<usize> = (0..classes.len()).filter(|&i| !is_held_out[i]).collect();
    let train_classes: Vec<u8> = training.iter().map(|&i| classes[i]).collect();
    let fitted = model.fit(&rows.select_rows(&training), &train_classes, seed)?;
    let truth: Vec<u8> = held_out.iter().map(|&i| classes[i]).collect();
    let held_out_probabilities = fitted.predict_proba(&rows.select_rows(held_out))?;
    let metrics = binary_metrics(&truth, &held_out_probabilities);
    let random_picks = held_out
        .iter()
        .zip(&held_out_probabilities)
        .filter(|(&index, _)| random_pick.get(index).copied().unwrap_or(false))
        .map(|(&index, &probability)| (classes[index], probability))
        .collect();

    let mut random =
        SplitMix64::new(seed ^ 0x5045_524D ^ (fold as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let sample = stratified_sample(held_out, classes, IMPORTANCE_SAMPLE_ROWS, &mut random);
    let sample_truth: Vec<u8> = sample.iter().map(|&i| classes[i]).collect();
    let predictor = PermutationPredictor::new(&fitted, &rows.select_rows(&sample))?;
    let baseline = roc_auc(&sample_truth, predictor.baseline()).unwrap_or(0.5);
    let mut auc_drops = Vec::with_capacity(rows.columns());
    let mut order: Vec<usize> = (0..sample.len()).collect();
    for column in 0..rows.columns() {
        let mut drop = 0.0;
        for _ in 0..PERMUTATION_REPEATS {
            order.iter_mut().enumerate().for_each(|(i, slot)| *slot = i);
            random.shuffle(&mut order);
            let permuted = predictor.with_column_permuted(column, &order)?;
            drop += baseline - roc_auc(&sample_truth, &permuted).unwrap_or(0.5);
        }
        auc_drops.push(drop / PERMUTATION_REPEATS as f64);
    }
    Ok(FoldOutcome {
        metrics: metrics.values(),
        auc_drops,
        random_picks,
    })
}

/// At most `limit` of `indices`, each class in its share (at least one row
/// of a class that is there), in their original order.
fn stratified_sample(
    indices: &[usize],
    classes: &[u8],
    limit: usize,
    random: &mut SplitMix64,
) -> Vec<usize> {
    if indices.len() <= limit {
        return indices.to_vec();
    }
    let mut sample = Vec::with_capacity(limit);
    for class in [0u8, 1] {
        let mut members: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| classes[i] == class)
            .collect();
        if members.is_empty() {
            continue;
        }
        let share = (members.len() * limit / indices.len()).max(1);
        random.shuffle(&mut members);
        sample.extend_from_slice(&members[..share.min(members.len())]);
    }
    sample.sort_unstable();
    sample
}

/// The folds' outcomes as the round's record: each metric's mean and
/// spread, each column's importance (named by `feature_names`), and the
/// honest estimate on the random picks (its bootstrap seeded by `seed`).
pub fn summarize_folds(
    outcomes: &[FoldOutcome],
    feature_names: &[String],
    seed: u64,
) -> CrossValidation {
    let folds = outcomes.len();
    if folds == 0 {
        return CrossValidation {
            metrics: None,
            importance: None,
            honest: None,
        };
    }
    let (truth, probabilities): (Vec<u8>, Vec<f64>) = outcomes
        .iter()
        .flat_map(|fold| fold.random_picks.iter().copied())
        .unzip();
    let spread: [(f64, f64); METRIC_COUNT] = std::array::from_fn(|m| {
        mean_and_std(
            &outcomes
                .iter()
                .map(|fold| fold.metrics[m])
                .collect::<Vec<_>>(),
        )
    });
    let columns = outcomes[0].auc_drops.len();
    let importance = (0..columns)
        .map(|column| {
            let drops: Vec<f64> = outcomes.iter().map(|fold| fold.auc_drops[column]).collect();
            let (auc_drop, auc_drop_std) = mean_and_std(&drops);
            // The sample standard deviation (n − 1) over √n.
            let auc_drop_se = if folds > 1 {
                auc_drop_std * (folds as f64 / (folds - 1) as f64).sqrt() / (folds as f64).sqrt()
            } else {
                0.0
            };
            FeatureImportance {
                feature: feature_names
                    .get(column)
                    .cloned()
                    .unwrap_or_else(|| format!("feature {column}")),
                auc_drop,
                auc_drop_std,
                auc_drop_se,
            }
        })
        .collect();
    CrossValidation {
        metrics: Some(CrossValidated {
            folds,
            mean: BinaryMetrics::from_values(spread.map(|(mean, _)| mean)),
            std: BinaryMetrics::from_values(spread.map(|(_, std)| std)),
        }),
        importance: Some(importance),
        honest: HonestEstimate::of(&truth, &probabilities, seed),
    }
}

/// The importances sorted from the feature the model needs most.
pub fn by_importance(importance: &[FeatureImportance]) -> Vec<&FeatureImportance> {
    let mut sorted: Vec<&FeatureImportance> = importance.iter().collect();
    sorted.sort_by(|a, b| b.auc_drop.total_cmp(&a.auc_drop));
    sorted
}
