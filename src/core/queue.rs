//! The queue of alerts to label: every loaded alert without a label (but
//! solar-system alerts, unless the settings let them in), ranked by the
//! strategy (or the cold-start rule before the first model), with the
//! exploration share's random picks in the batch (`active::batch`).
//!
//! Ranking a large pool by features takes a while (at 100k alerts the
//! diverse cold start is about 0.3 s), so the page sends such a ranking to
//! its worker as a [`QueueJob`]: the job is built on the page (which alerts
//! are unlabelled, their objects and probabilities), the feature values
//! travel apart as one row-major `f64` array, and the worker runs it. A
//! ranking that reads probabilities only (uncertainty, margin, entropy,
//! random) carries no feature values and is quick enough to run in place
//! ([`QueueJob::reads_features`]): sending 100k rows to the worker would
//! cost more than the ranking.
//!
//! Everything here is keyed by alert id (candid), never by row index: a
//! ranking computed before more files were loaded, or before labels changed,
//! still names existing alerts, so applying it late can never index out of
//! range.

use serde::{Deserialize, Serialize};

pub use crate::core::active::batch::RankingRule;
use crate::core::active::pick_reason::PickReason;
use crate::core::active::strategy::{ColdStart, QueryStrategy};
use crate::core::alert::Candid;
use crate::core::model::FeatureMatrix;

/// One alert in the ranked queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueuedAlert {
    pub candid: Candid,
    /// Higher is shown earlier.
    pub score: f64,
    /// Why it is here, for the card ("p = 0.48: |p − 0.5| = 0.02").
    pub reason: PickReason,
}

/// An unlabelled alert offered to the ranking.
pub struct PoolAlert<'a> {
    pub candid: Candid,
    /// What groups alerts into one object for "one alert per object per
    /// batch" (`Alert::object_key`).
    pub object_id: std::borrow::Cow<'a, str>,
    /// Its feature row (every alert of a pool has the same columns).
    pub values: &'a [f64],
    /// The current model's P(class 1), if it has scored this alert.
    pub probability: Option<f64>,
}

/// A ranking to run, as data that can cross to a Web Worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueJob {
    /// The alerts the ranking orders, in row order (their feature values
    /// travel apart, in the same order).
    pub candids: Vec<Candid>,
    /// The object id of each of them.
    pub object_ids: Vec<String>,
    /// Feature values per alert (the survey's feature count).
    pub columns: usize,
    /// P(class 1) of each of them, once a model exists.
    pub probabilities: Option<Vec<f64>>,
    /// Unlabelled alerts the model has not scored yet (loaded after the
    /// round): queued after the ranked ones until the model scores them.
    pub unscored: Vec<Candid>,
    pub strategy: QueryStrategy,
    pub cold_start: ColdStart,
    /// The batch to fill first (the first batch before round 1).
    pub batch: usize,
    pub seed: u64,
    /// The share of the batch drawn uniformly at random (`active::exploration`).
    pub exploration_share: f64,
}

impl QueueJob {
    /// The job for `pool`, and the feature values of its ranked alerts
    /// (row-major, one feature row per alert). With no probability at all
    /// the cold-start rule ranks every alert; otherwise the strategy ranks
    /// the scored ones and the unscored follow.
    pub fn for_pool<'a>(
        pool: impl IntoIterator<Item = PoolAlert<'a>>,
        rule: RankingRule,
    ) -> (QueueJob, Vec<f64>) {
        let pool: Vec<PoolAlert> = pool.into_iter().collect();
        let model_exists = pool.iter().any(|alert| alert.probability.is_some());
        let (ranked, unscored): (Vec<&PoolAlert>, Vec<&PoolAlert>) = pool
            .iter()
            .partition(|alert| !model_exists || alert.probability.is_some());
        let reads_features = !model_exists || rule.strategy.reads_features();
        let job = QueueJob {
            candids: ranked.iter().map(|alert| alert.candid).collect(),
            object_ids: ranked
                .iter()
                .map(|alert| alert.object_id.to_string())
                .collect(),
            columns: match ranked.first() {
                Some(alert) if reads_features => alert.values.len(),
                _ => 0,
            },
            probabilities: model_exists.then(|| {
                ranked
                    .iter()
                    .map(|alert| alert.probability.unwrap_or(f64::NAN))
                    .collect()
            }),
            unscored: unscored.iter().map(|alert| alert.candid).collect(),
            strategy: rule.strategy,
            cold_start: rule.cold_start,
            batch: rule.batch,
            seed: rule.seed,
            exploration_share: rule.exploration_share,
        };
        let values = if reads_features {
            ranked
                .iter()
                .flat_map(|alert| alert.values.iter().copied())
                .collect()
        } else {
            Vec::new()
        };
        (job, values)
    }

    /// The rule the job ranks by.
    pub fn rule(&self) -> RankingRule {
        RankingRule {
            strategy: self.strategy,
            cold_start: self.cold_start,
            batch: self.batch,
            seed: self.seed,
            exploration_share: self.exploration_share,
        }
    }

    /// Whether the ranking reads feature values (a cold start, or a
    /// strategy that reads where alerts lie in feature space). One that does not
    /// carries none, and is quick to run where it is.
    pub fn reads_features(&self) -> bool {
        self.columns > 0
    }

    /// Ranks the job's alerts; `values` are theirs, as [`QueueJob::for_pool`]
    /// made them. Values of the wrong length rank nothing but the unscored.
    pub fn run(&self, values: &[f64]) -> Vec<QueuedAlert> {
        let rows: Vec<&[f64]> = if self.reads_features() {
            values.chunks_exact(self.columns).collect()
        } else if values.is_empty() {
            vec![&[]; self.candids.len()]
        } else {
            Vec::new() // values where none belong: inconsistent
        };
        let consistent = rows.len() == self.candids.len()
            && self.object_ids.len() == self.candids.len()
            && self
                .probabilities
                .as_ref()
                .is_none_or(|p| p.len() == self.candids.len());
        let mut queue = Vec::with_capacity(self.candids.len() + self.unscored.len());
        if let (true, Some(matrix)) = (consistent, FeatureMatrix::from_rows(&rows)) {
            let ranking =
                self.rule()
                    .rank(&matrix, &self.object_ids, self.probabilities.as_deref());
            queue.extend(ranking.into_iter().filter_map(|alert| {
                self.candids
                    .get(alert.pool_index)
                    .map(|&candid| QueuedAlert {
                        candid,
                        score: alert.score,
                        reason: alert.reason,
                    })
            }));
        }
        queue.extend(self.unscored.iter().map(|&candid| QueuedAlert {
            candid,
            score: f64::NEG_INFINITY,
            reason: PickReason::NotScoredYet,
        }));
        queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::active::strategy::{rank_pool, Pool};
    use crate::core::features::ZTF_FEATURE_COUNT as FEATURE_COUNT;

    fn pool_alert<'a>(
        index: u64,
        values: &'a [f64; FEATURE_COUNT],
        p: Option<f64>,
    ) -> PoolAlert<'a> {
        PoolAlert {
            candid: Candid(500 + index),
            object_id: ["a", "b", "c", "d"][index as usize % 4].into(),
            values,
            probability: p,
        }
    }

    const RULE: RankingRule = RankingRule {
        strategy: QueryStrategy::Uncertainty,
        cold_start: ColdStart::Diverse,
        batch: 3,
        seed: 9,
        exploration_share: 0.0,
    };

    #[test]
    fn a_job_that_crossed_as_bytes_ranks_as_the_job_in_place() {
        let values: Vec<[f64; FEATURE_COUNT]> = (0..60)
            .map(|i| std::array::from_fn(|column| ((i * 13 + column * 5) % 17) as f64))
            .collect();
        for with_model in [false, true] {
            let pool = values.iter().enumerate().map(|(i, v)| {
                pool_alert(i as u64, v, with_model.then_some((i as f64 * 0.37) % 1.0))
            });
            let (job, values) = QueueJob::for_pool(pool, RULE);
            let crossed: QueueJob =
                crate::core::wire::from_bytes(&crate::core::wire::to_bytes(&job)).expect("decodes");
            assert_eq!(crossed.run(&values), job.run(&values));
            let queue = job.run(&values);
            assert_eq!(queue.len(), 60);
            let mut candids: Vec<u64> = queue.iter().map(|alert| alert.candid.0).collect();
            candids.sort_unstable();
            assert_eq!(candids, (500..560).collect::<Vec<_>>(), "every alert once");
        }
    }

    #[test]
    fn alerts_the_model_has_not_scored_follow_the_ranked_ones() {
        let values = [
            [1.0; FEATURE_COUNT],
            [2.0; FEATURE_COUNT],
            [3.0; FEATURE_COUNT],
        ];
        let pool = [
            pool_alert(0, &values[0], Some(0.9)),
            pool_alert(1, &values[1], None),
            pool_alert(2, &values[2], Some(0.5)),
        ];
        let (job, values) = QueueJob::for_pool(pool, RULE);
        let queue: Vec<u64> = job.run(&values).iter().map(|a| a.candid.0).collect();
        assert_eq!(queue, [502, 500, 501]);
    }

    #[test]
    fn a_ranking_by_probabilities_carries_no_feature_values_and_ranks_as_with_them() {
        let rows: Vec<[f64; FEATURE_COUNT]> = (0..40)
            .map(|i| std::array::from_fn(|column| ((i * 7 + column) % 11) as f64))
            .collect();
        let object_ids: Vec<String> = (0..40)
            .map(|i| ["a", "b", "c", "d"][i % 4].into())
            .collect();
        let probabilities: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37) % 1.0).collect();
        let matrix = FeatureMatrix::from_rows(&rows).expect("equal rows");
        for strategy in [
            QueryStrategy::Uncertainty,
            QueryStrategy::Margin,
            QueryStrategy::Entropy,
            QueryStrategy::Random,
        ] {
            let rule = RankingRule { strategy, ..RULE };
            let pool = rows
                .iter()
                .enumerate()
                .map(|(i, v)| pool_alert(i as u64, v, Some(probabilities[i])));
            let (job, values) = QueueJob::for_pool(pool, rule);
            assert!(!job.reads_features() && values.is_empty(), "{strategy:?}");
            let pool = Pool {
                features: &matrix,
                object_ids: &object_ids,
                probabilities: &probabilities,
            };
            let with_features: Vec<(u64, PickReason)> =
                rank_pool(strategy, &pool, rule.batch, rule.seed)
                    .into_iter()
                    .map(|alert| (500 + alert.pool_index as u64, alert.reason))
                    .collect();
            let without: Vec<(u64, PickReason)> = job
                .run(&values)
                .into_iter()
                .map(|alert| (alert.candid.0, alert.reason))
                .collect();
            assert_eq!(without, with_features, "{strategy:?}");
            assert!(
                job.run(&[1.0; FEATURE_COUNT]).is_empty(),
                "values where none belong rank nothing"
            );
        }
    }

    #[test]
    fn a_cold_start_and_the_diverse_strategy_read_feature_values() {
        let values = [[1.0; FEATURE_COUNT], [2.0; FEATURE_COUNT]];
        for (probability, strategy) in [
            (None, QueryStrategy::Uncertainty),
            (Some(0.4), QueryStrategy::DiverseUncertainty),
            (Some(0.4), QueryStrategy::DensityUncertainty),
        ] {
            let rule = RankingRule { strategy, ..RULE };
            let pool = values
                .iter()
                .enumerate()
                .map(|(i, v)| pool_alert(i as u64, v, probability));
            let (job, values) = QueueJob::for_pool(pool, rule);
            assert!(job.reads_features(), "{strategy:?}");
            assert_eq!(values.len(), 2 * FEATURE_COUNT);
        }
    }

    #[test]
    fn values_of_the_wrong_length_rank_nothing_and_never_panic() {
        let values = [[1.0; FEATURE_COUNT], [2.0; FEATURE_COUNT]];
        let pool = [
            pool_alert(0, &values[0], None),
            pool_alert(1, &values[1], None),
        ];
        let (job, values) = QueueJob::for_pool(pool, RULE);
        assert!(job.run(&values[..FEATURE_COUNT]).is_empty());
        assert_eq!(job.run(&values).len(), 2);
    }
}
