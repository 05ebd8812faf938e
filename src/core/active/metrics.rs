//! Honest metrics for a binary classifier: accuracy, precision, recall, F1 and
//! ROC AUC, and the stratified folds of the cross-validation
//! (`active::validation`), so that a round reports how the model does on
//! labels it has not seen.

use serde::{Deserialize, Serialize};

/// Metrics at a 0.5 threshold, plus ROC AUC of the probabilities.
/// Precision (recall) is 0 when nothing is predicted (present) positive;
/// ROC AUC does not exist (`None`, shown as "n/a") when only one class is
/// present: it is never a `NaN`, which JSON would turn into `null`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinaryMetrics {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub roc_auc: Option<f64>,
}

impl BinaryMetrics {
    pub(super) fn values(&self) -> [f64; 5] {
        [
            self.accuracy,
            self.precision,
            self.recall,
            self.f1,
            self.roc_auc.unwrap_or(f64::NAN),
        ]
    }

    pub(super) fn from_values(values: [f64; 5]) -> BinaryMetrics {
        let [accuracy, precision, recall, f1, roc_auc] = values;
        BinaryMetrics {
            accuracy,
            precision,
            recall,
            f1,
            roc_auc: roc_auc.is_finite().then_some(roc_auc),
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
    }
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

/// Mean and standard deviation of each metric across cross-validation folds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossValidated {
    pub folds: usize,
    pub mean: BinaryMetrics,
    pub std: BinaryMetrics,
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
