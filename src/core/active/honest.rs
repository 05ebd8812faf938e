//! The round's honest estimate: its metrics on the labels of alerts drawn
//! uniformly from the pool (`active::exploration`), and on them alone.
//!
//! The cross-validated figures are measured on the labels the strategy
//! chose, which are not a sample of the pool, so they say little about how
//! the model does on tonight's alerts. The random picks' labels are such a
//! sample. Each is predicted by the cross-validation fold that held it out
//! (a model that never saw it), so the estimate costs no extra fit; the
//! interval is a percentile bootstrap over those labels, because a few
//! dozen labels are a small sample and the figure must say so.

use serde::{Deserialize, Serialize};

use super::metrics::{area_under_recall_at_rank, binary_metrics, roc_auc};
use crate::core::random::SplitMix64;

/// Bootstrap resamples behind each interval.
pub const BOOTSTRAP_RESAMPLES: usize = 500;

/// A figure and its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// What the round's model does on a uniform sample of the pool: "estimated
/// on tonight's alerts". Ranking metrics need both classes among the
/// random picks (`None` otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HonestEstimate {
    /// The random picks' labels it is measured on, by class.
    pub class_counts: [usize; 2],
    pub roc_auc: Option<Estimate>,
    pub aurak: Option<Estimate>,
    pub accuracy: Estimate,
}

impl HonestEstimate {
    /// The estimate from the random picks' classes and the probabilities a
    /// model that did not train on them gave them (`None` without any);
    /// the bootstrap is seeded by `seed`, so a round's record is the same
    /// wherever it is computed.
    pub fn of(truth: &[u8], probabilities: &[f64], seed: u64) -> Option<HonestEstimate> {
        if truth.is_empty() || truth.len() != probabilities.len() {
            return None;
        }
        let positives = truth.iter().filter(|&&class| class == 1).count();
        let whole = binary_metrics(truth, probabilities);
        let mut random = SplitMix64::new(seed ^ 0x484F_4E45_5354);
        let (mut aucs, mut auraks, mut accuracies) = (Vec::new(), Vec::new(), Vec::new());
        let (mut sample_truth, mut sample_scores) = (Vec::new(), Vec::new());
        for _ in 0..BOOTSTRAP_RESAMPLES {
            sample_truth.clear();
            sample_scores.clear();
            for _ in 0..truth.len() {
                let row = random.below(truth.len());
                sample_truth.push(truth[row]);
                sample_scores.push(probabilities[row]);
            }
            accuracies.push(binary_metrics(&sample_truth, &sample_scores).accuracy);
            aucs.extend(roc_auc(&sample_truth, &sample_scores));
            auraks.extend(area_under_recall_at_rank(&sample_truth, &sample_scores));
        }
        Some(HonestEstimate {
            class_counts: [truth.len() - positives, positives],
            roc_auc: whole
                .roc_auc
                .map(|value| with_percentiles(value, &mut aucs)),
            aurak: whole
                .aurak
                .map(|value| with_percentiles(value, &mut auraks)),
            accuracy: with_percentiles(whole.accuracy, &mut accuracies),
        })
    }

    /// The random picks it is measured on.
    pub fn labels(&self) -> usize {
        self.class_counts[0] + self.class_counts[1]
    }
}

/// `value` with the 2.5th and 97.5th percentiles of its bootstrap `samples`.
fn with_percentiles(value: f64, samples: &mut [f64]) -> Estimate {
    samples.sort_by(f64::total_cmp);
    let at = |quantile: f64| -> f64 {
        if samples.is_empty() {
            return value;
        }
        let position = (quantile * (samples.len() - 1) as f64).round() as usize;
        samples[position.min(samples.len() - 1)]
    };
    Estimate {
        value,
        low: at(0.025),
        high: at(0.975),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_ranking_on_both_classes_has_a_tight_interval_at_one() {
        let truth = [0, 0, 0, 1, 1, 1, 0, 1];
        let probabilities = [0.1, 0.2, 0.3, 0.9, 0.8, 0.7, 0.4, 0.6];
        let estimate = HonestEstimate::of(&truth, &probabilities, 1).expect("labels");
        assert_eq!(estimate.labels(), 8);
        assert_eq!(estimate.class_counts, [4, 4]);
        let auc = estimate.roc_auc.expect("both classes");
        assert_eq!((auc.value, auc.low, auc.high), (1.0, 1.0, 1.0));
        assert_eq!(estimate.accuracy.value, 1.0);
    }

    #[test]
    fn few_labels_give_a_wide_interval_and_many_a_narrow_one() {
        let make = |count: usize| -> (Vec<u8>, Vec<f64>) {
            let mut random = SplitMix64::new(5);
            (0..count)
                .map(|i| {
                    let class = (i % 2) as u8;
                    let noise = random.below(1000) as f64 / 1000.0;
                    (class, 0.35 * f64::from(class) + 0.65 * noise)
                })
                .unzip()
        };
        let width = |count| {
            let (truth, probabilities) = make(count);
            let auc = HonestEstimate::of(&truth, &probabilities, 3)
                .and_then(|estimate| estimate.roc_auc)
                .expect("both classes");
            assert!(auc.low <= auc.value && auc.value <= auc.high, "{auc:?}");
            auc.high - auc.low
        };
        let (few, many) = (width(20), width(2_000));
        assert!(few > 3.0 * many && many < 0.06, "{few} against {many}");
    }

    #[test]
    fn one_class_among_the_random_picks_has_accuracy_but_no_ranking_metric() {
        let estimate = HonestEstimate::of(&[1, 1, 1], &[0.9, 0.4, 0.8], 1).expect("labels");
        assert_eq!(estimate.roc_auc, None);
        assert_eq!(estimate.aurak, None);
        assert!((estimate.accuracy.value - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(HonestEstimate::of(&[], &[], 1), None);
    }
}
