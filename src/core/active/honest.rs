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
//!
//! A resample is kept as a count per label, over the labels sorted by
//! score once ([`ScoreGroups`]), so each resample's ROC AUC and AuRaK take
//! one pass instead of a sort: for 4,000 random picks, 0.024 s natively
//! instead of 0.58 s with a sort per resample (too long for the page's
//! thread, where a round's record is summarised).

use serde::{Deserialize, Serialize};

use super::metrics::binary_metrics;
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
        let groups = ScoreGroups::of(probabilities);
        // Whether each label is predicted right (`binary_metrics`' rule), once.
        let right: Vec<bool> = truth
            .iter()
            .zip(probabilities)
            .map(|(&class, &p)| (p >= 0.5) == (class == 1))
            .collect();
        let mut random = SplitMix64::new(seed ^ 0x484F_4E45_5354);
        let (mut aucs, mut auraks, mut accuracies) = (Vec::new(), Vec::new(), Vec::new());
        let mut counts = vec![0u32; truth.len()];
        for _ in 0..BOOTSTRAP_RESAMPLES {
            counts.iter_mut().for_each(|count| *count = 0);
            for _ in 0..truth.len() {
                counts[random.below(truth.len())] += 1;
            }
            let correct: u32 = counts
                .iter()
                .zip(&right)
                .filter(|(_, &right)| right)
                .map(|(&count, _)| count)
                .sum();
            accuracies.push(f64::from(correct) / truth.len() as f64);
            aucs.extend(groups.roc_auc(truth, &counts));
            auraks.extend(groups.aurak(truth, &counts));
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

/// The labels grouped by equal score, lowest score first: what a ranking
/// metric of any resample needs, sorted once.
struct ScoreGroups {
    /// Label indices, by ascending score.
    order: Vec<usize>,
    /// Where each group of equal scores starts in `order` (and its end).
    bounds: Vec<usize>,
}

impl ScoreGroups {
    fn of(scores: &[f64]) -> ScoreGroups {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let mut bounds = vec![0];
        for position in 1..order.len() {
            if scores[order[position]] != scores[order[position - 1]] {
                bounds.push(position);
            }
        }
        bounds.push(order.len());
        ScoreGroups { order, bounds }
    }

    /// Each group's (class-1, class-0) weight under `counts`, lowest score first.
    fn weights<'a>(
        &'a self,
        truth: &'a [u8],
        counts: &'a [u32],
    ) -> impl DoubleEndedIterator<Item = (f64, f64)> + 'a {
        self.bounds.windows(2).map(move |bound| {
            self.order[bound[0]..bound[1]]
                .iter()
                .fold((0.0, 0.0), |(ones, zeros), &row| {
                    let count = f64::from(counts[row]);
                    if truth[row] == 1 {
                        (ones + count, zeros)
                    } else {
                        (ones, zeros + count)
                    }
                })
        })
    }

    /// `metrics::roc_auc` of the resample holding label `i` `counts[i]`
    /// times (ties count one half).
    fn roc_auc(&self, truth: &[u8], counts: &[u32]) -> Option<f64> {
        let (mut below, mut sum, mut ones_total) = (0.0, 0.0, 0.0);
        for (ones, zeros) in self.weights(truth, counts) {
            sum += ones * (below + zeros / 2.0);
            below += zeros;
            ones_total += ones;
        }
        (ones_total > 0.0 && below > 0.0).then(|| sum / (ones_total * below))
    }

    /// `metrics::area_under_recall_at_rank` of the same resample: the mean
    /// recall over every rank, a group of equal scores adding its share of
    /// class 1 at each of its ranks.
    fn aurak(&self, truth: &[u8], counts: &[u32]) -> Option<f64> {
        let (mut found, mut area, mut rows, mut ones_total) = (0.0, 0.0, 0.0, 0.0);
        for (ones, zeros) in self.weights(truth, counts).rev() {
            let size = ones + zeros;
            if size == 0.0 {
                continue;
            }
            // Ranks 1..=size of the group each add ones / size: the sum of
            // found + j × share for j = 1..=size.
            area += size * found + ones * (size + 1.0) / 2.0;
            found += ones;
            rows += size;
            ones_total += ones;
        }
        (ones_total > 0.0 && ones_total < rows).then(|| area / (ones_total * rows))
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
    fn a_resample_as_counts_gives_the_metrics_of_the_resample_written_out() {
        use crate::core::active::metrics::{area_under_recall_at_rank, roc_auc};
        let mut random = SplitMix64::new(9);
        // Ties on purpose: scores in tenths.
        let truth: Vec<u8> = (0..60).map(|_| random.below(2) as u8).collect();
        let scores: Vec<f64> = (0..60).map(|_| random.below(10) as f64 / 10.0).collect();
        let groups = ScoreGroups::of(&scores);
        for _ in 0..50 {
            let counts: Vec<u32> = (0..60).map(|_| random.below(3) as u32).collect();
            let (mut sample_truth, mut sample_scores) = (Vec::new(), Vec::new());
            for (row, &count) in counts.iter().enumerate() {
                for _ in 0..count {
                    sample_truth.push(truth[row]);
                    sample_scores.push(scores[row]);
                }
            }
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-12,
                (a, b) => a == b,
            };
            let (auc, written) = (
                groups.roc_auc(&truth, &counts),
                roc_auc(&sample_truth, &sample_scores),
            );
            assert!(close(auc, written), "{auc:?} {written:?}");
            let (aurak, written) = (
                groups.aurak(&truth, &counts),
                area_under_recall_at_rank(&sample_truth, &sample_scores),
            );
            assert!(close(aurak, written), "{aurak:?} {written:?}");
        }
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
