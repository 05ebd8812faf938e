//! Honest metrics for a binary classifier: accuracy, precision, recall, F1,
//! ROC AUC, recall at rank K and its area (AuRaK, the ATLAS VRA's measure of
//! a ranking), and the stratified folds of the cross-validation
//! (`active::validation`), so that a round reports how the model does on
//! labels it has not seen.

use serde::{Deserialize, Serialize};

/// Metrics at a 0.5 threshold, plus the ranking metrics of the
/// probabilities (ROC AUC, recall at rank K, AuRaK). Precision (recall) is 0
/// when nothing is predicted (present) positive; a ranking metric does not
/// exist (`None`, shown as "n/a") when only one class is present: it is never
/// a `NaN`, which JSON would turn into `null`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinaryMetrics {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub roc_auc: Option<f64>,
    /// Recall at rank K with K = the number of class-1 rows: the share of
    /// them found in the top K by probability (`None` in older rounds).
    #[serde(default)]
    pub recall_at_k: Option<f64>,
    /// The area under recall at rank K over every K, K / rows from 0 to 1
    /// (`None` in older rounds).
    #[serde(default)]
    pub aurak: Option<f64>,
}

/// How many values [`BinaryMetrics::values`] lists.
pub(super) const METRIC_COUNT: usize = 7;

impl BinaryMetrics {
    pub(super) fn values(&self) -> [f64; METRIC_COUNT] {
        let or_nan = |metric: Option<f64>| metric.unwrap_or(f64::NAN);
        [
            self.accuracy,
            self.precision,
            self.recall,
            self.f1,
            or_nan(self.roc_auc),
            or_nan(self.recall_at_k),
            or_nan(self.aurak),
        ]
    }

    pub(super) fn from_values(values: [f64; METRIC_COUNT]) -> BinaryMetrics {
        let [accuracy, precision, recall, f1, roc_auc, recall_at_k, aurak] = values;
        let present = |metric: f64| metric.is_finite().then_some(metric);
        BinaryMetrics {
            accuracy,
            precision,
            recall,
            f1,
            roc_auc: present(roc_auc),
            recall_at_k: present(recall_at_k),
            aurak: present(aurak),
        }
    }
}

/// Metrics of `probabilities` of class 1 against the true classes.
pub fn binary_metrics(truth: &[u8], probabilities: &[f64]) -> BinaryMetrics {
    let (mut true_positive, mut false_positive, mut false_negative, mut correct) =
        (0.0, 0.0, 0.0, 0.0);
    for (&class, &probability) in truth.iter().zip(probabilities) {
        let predicted = probability >= 0.5;
        let actual = class == 1;
        correct += f64::from(u8::from(predicted == actual));
        true_positive += f64::from(u8::from(predicted && actual));
        false_positive += f64::from(u8::from(predicted && !actual));
        false_negative += f64::from(u8::from(!predicted && actual));
    }
    let ratio = |numerator: f64, denominator: f64| {
        if denominator > 0.0 {
            numerator / denominator
        } else {
            0.0
        }
    };
    let precision = ratio(true_positive, true_positive + false_positive);
    let recall = ratio(true_positive, true_positive + false_negative);
    BinaryMetrics {
        accuracy: ratio(correct, truth.len() as f64),
        precision,
        recall,
        f1: ratio(2.0 * precision * recall, precision + recall),
        roc_auc: roc_auc(truth, probabilities),
        recall_at_k: recall_at_rank(truth, probabilities),
        aurak: area_under_recall_at_rank(truth, probabilities),
    }
}

/// Recall at every rank: entry `k - 1` is the expected share of the class-1
/// rows among the `k` highest scores, rows of equal score taken in a random
/// order (so ties neither help nor hurt). Empty unless both classes are present.
fn recall_curve(truth: &[u8], scores: &[f64]) -> Vec<f64> {
    let positives = truth.iter().filter(|&&class| class == 1).count();
    if positives == 0 || positives == truth.len() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut curve = Vec::with_capacity(order.len());
    let mut found = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let group = &order[start..end];
        let share = group.iter().filter(|&&i| truth[i] == 1).count() as f64 / group.len() as f64;
        for _ in group {
            found += share;
            curve.push(found / positives as f64);
        }
        start = end;
    }
    curve
}

/// Recall at rank K, K the number of class-1 rows; `None` unless both
/// classes are present.
pub fn recall_at_rank(truth: &[u8], scores: &[f64]) -> Option<f64> {
    let positives = truth.iter().filter(|&&class| class == 1).count();
    recall_curve(truth, scores)
        .get(positives.checked_sub(1)?)
        .copied()
}

/// AuRaK: the mean of recall at rank K over K = 1..rows, the area under the
/// recall-at-rank curve with K scaled to (0, 1]. About 0.5 for a random
/// ranking; 1 − (P − 1) / (2·rows) for a perfect one with P class-1 rows.
/// `None` unless both classes are present.
pub fn area_under_recall_at_rank(truth: &[u8], scores: &[f64]) -> Option<f64> {
    let curve = recall_curve(truth, scores);
    (!curve.is_empty()).then(|| curve.iter().sum::<f64>() / curve.len() as f64)
}

/// ROC AUC as the Mann–Whitney statistic: the chance that a random positive
/// scores above a random negative, ties counting one half; `None` unless both
/// classes are present.
pub fn roc_auc(truth: &[u8], scores: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let positives = truth.iter().filter(|&&class| class == 1).count() as f64;
    let negatives = truth.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && scores[order[end + 1]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + end) as f64 / 2.0 + 1.0;
        positive_rank_sum += order[start..=end]
            .iter()
            .filter(|&&i| truth[i] == 1)
            .count() as f64
            * average_rank;
        start = end + 1;
    }
    Some((positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// Splits row indices into `folds` folds with each class spread evenly, after
/// a seeded shuffle.
pub fn stratified_folds(classes: &[u8], folds: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut random = crate::core::random::SplitMix64::new(seed);
    let mut assignment = vec![Vec::new(); folds.max(1)];
    for class in [0u8, 1] {
        let mut members: Vec<usize> = (0..classes.len())
            .filter(|&i| classes[i] == class)
            .collect();
        random.shuffle(&mut members);
        for (position, index) in members.into_iter().enumerate() {
            assignment[position % folds.max(1)].push(index);
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half_and_does_not_exist_for_one_class() {
        assert_eq!(roc_auc(&[0, 1], &[0.2, 0.8]), Some(1.0));
        assert_eq!(roc_auc(&[0, 1], &[0.8, 0.2]), Some(0.0));
        assert_eq!(roc_auc(&[0, 1, 1], &[0.5, 0.5, 0.9]), Some(0.75));
        assert_eq!(roc_auc(&[1, 1], &[0.1, 0.2]), None);
        assert_eq!(binary_metrics(&[1, 1], &[0.1, 0.2]).roc_auc, None);
    }

    #[test]
    fn recall_at_rank_counts_the_class_1_rows_in_the_top_k_and_ties_share_it() {
        // Ranked: 0.9 (1), 0.8 (0), 0.7 (1), 0.1 (0): K = 2 finds one of two.
        let truth = [1, 0, 1, 0];
        let scores = [0.9, 0.8, 0.7, 0.1];
        assert_eq!(recall_at_rank(&truth, &scores), Some(0.5));
        // Recall at K = 1..4: 0.5, 0.5, 1, 1.
        assert_eq!(area_under_recall_at_rank(&truth, &scores), Some(0.75));
        // A perfect ranking of 2 in 4: 0.5, 1, 1, 1.
        assert_eq!(
            area_under_recall_at_rank(&truth, &[0.9, 0.1, 0.8, 0.2]),
            Some(0.875)
        );
        // All tied: each rank holds half a positive on average.
        assert_eq!(recall_at_rank(&truth, &[0.5; 4]), Some(0.5));
        assert_eq!(recall_at_rank(&[1, 1], &[0.1, 0.2]), None);
        assert_eq!(area_under_recall_at_rank(&[0, 0], &[0.1, 0.2]), None);
        let metrics = binary_metrics(&truth, &scores);
        assert_eq!(
            (metrics.recall_at_k, metrics.aurak),
            (Some(0.5), Some(0.75))
        );
    }

    #[test]
    fn metrics_at_half_threshold() {
        let metrics = binary_metrics(&[1, 1, 0, 0], &[0.9, 0.4, 0.6, 0.1]);
        assert_eq!(
            (
                metrics.accuracy,
                metrics.precision,
                metrics.recall,
                metrics.f1
            ),
            (0.5, 0.5, 0.5, 0.5)
        );
        let nothing_positive = binary_metrics(&[1, 0], &[0.1, 0.1]);
        assert_eq!(
            (nothing_positive.precision, nothing_positive.f1),
            (0.0, 0.0)
        );
    }

    #[test]
    fn folds_are_stratified_and_cover_every_row_once() {
        let classes = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let folds = stratified_folds(&classes, 2, 3);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        for fold in &folds {
            assert_eq!(fold.iter().filter(|&&i| classes[i] == 1).count(), 3);
        }
    }
}
