//! Query strategies: which unlabelled alerts to show the human next.
//!
//! [`rank_pool`] returns the whole pool, best first, each alert with its score
//! and the reason it stands there, so the page can say "why this one".
//! Batches hold at most one alert per object (unless the pool has nothing
//! else), and [`QueryStrategy::DiverseUncertainty`] also keeps a batch from
//! being ten near-copies of one kind of alert.

use serde::{Deserialize, Serialize};

use super::density::pool_density;
use super::diversity::{distances_to, farthest_point_batch, StandardizedPool};
use super::pick_reason::{entropy, PickReason};
use super::representative::representative_batch;
use crate::core::model::FeatureMatrix;
use crate::core::random::SplitMix64;

/// How to choose the next alerts to label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryStrategy {
    /// Closest to p = 0.5 first (|p − 0.5| smallest).
    Uncertainty,
    /// Smallest margin between the two class probabilities, |p₁ − p₀|.
    Margin,
    /// Highest predictive entropy of the prediction (not of the true label).
    Entropy,
    /// A seeded random order: the baseline.
    Random,
    /// Uncertainty, with each pick penalised by its closeness (in
    /// standardised feature space) to the alerts already picked.
    DiverseUncertainty,
    /// Uncertainty, 1 − 2|p − 0.5|, times the alert's density in the pool
    /// (information density, `active::density`): uncertain and typical first.
    DensityUncertainty,
}

impl QueryStrategy {
    pub const ALL: [QueryStrategy; 6] = [
        QueryStrategy::Uncertainty,
        QueryStrategy::Margin,
        QueryStrategy::Entropy,
        QueryStrategy::Random,
        QueryStrategy::DiverseUncertainty,
        QueryStrategy::DensityUncertainty,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QueryStrategy::Uncertainty => "uncertainty",
            QueryStrategy::Margin => "margin",
            QueryStrategy::Entropy => "entropy",
            QueryStrategy::Random => "random",
            QueryStrategy::DiverseUncertainty => "diverse-uncertainty",
            QueryStrategy::DensityUncertainty => "density-uncertainty",
        }
    }

    /// Whether ranking by it reads the alerts' feature values, not only
    /// their probabilities.
    pub fn reads_features(self) -> bool {
        matches!(
            self,
            QueryStrategy::DiverseUncertainty | QueryStrategy::DensityUncertainty
        )
    }

    pub fn by_name(name: &str) -> Option<QueryStrategy> {
        QueryStrategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == name)
    }
}

/// How the first batch is chosen, before any model exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColdStart {
    /// Seeded random alerts, one per object.
    Random,
    /// Farthest-point sampling in standardised feature space: the batch
    /// covers the pool's corners instead of its crowded middle.
    Diverse,
    /// The most typical alert of each of `batch` groups of similar alerts
    /// (k-means), largest groups first: the batch samples where the pool is
    /// dense (`representative`).
    Representative,
}

impl ColdStart {
    pub fn name(self) -> &'static str {
        match self {
            ColdStart::Random => "random",
            ColdStart::Diverse => "diverse",
            ColdStart::Representative => "representative",
        }
    }

    pub const ALL: [ColdStart; 3] = [
        ColdStart::Random,
        ColdStart::Diverse,
        ColdStart::Representative,
    ];

    pub fn by_name(name: &str) -> Option<ColdStart> {
        ColdStart::ALL.into_iter().find(|rule| rule.name() == name)
    }
}

/// One pool alert in a ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankedAlert {
    /// Index into the pool given to [`rank_pool`].
    pub pool_index: usize,
    /// The model's P(class 1); `NaN` in a cold start (no model yet).
    pub probability: f64,
    /// Higher is queried earlier.
    pub score: f64,
    pub reason: PickReason,
}

/// The unlabelled alerts to rank.
pub struct Pool<'a> {
    pub features: &'a FeatureMatrix,
    /// Object of each alert (ZTF objectId, ATLAS_ID…): a batch takes one per object.
    pub object_ids: &'a [String],
    /// P(class 1) of each alert.
    pub probabilities: &'a [f64],
}

/// Ranks the whole pool; the first `batch` entries are the batch to label.
pub fn rank_pool(
    strategy: QueryStrategy,
    pool: &Pool,
    batch: usize,
    seed: u64,
) -> Vec<RankedAlert> {
    let density = (strategy == QueryStrategy::DensityUncertainty)
        .then(|| pool_density(pool.features, seed))
        .filter(|density| density.len() == pool.probabilities.len());
    let mut ranking: Vec<RankedAlert> = pool
        .probabilities
        .iter()
        .enumerate()
        .map(|(pool_index, &p)| {
            let density_of = density.as_ref().map_or(1.0, |density| density[pool_index]);
            let score = match strategy {
                QueryStrategy::Uncertainty | QueryStrategy::DiverseUncertainty => -(p - 0.5).abs(),
                QueryStrategy::Margin => -(2.0 * p - 1.0).abs(),
                QueryStrategy::Entropy => entropy(p),
                QueryStrategy::Random => 0.0,
                QueryStrategy::DensityUncertainty => (1.0 - 2.0 * (p - 0.5).abs()) * density_of,
            };
            RankedAlert {
                pool_index,
                probability: p,
                score,
                reason: match strategy {
                    QueryStrategy::Uncertainty | QueryStrategy::DiverseUncertainty => {
                        PickReason::Uncertain { probability: p }
                    }
                    QueryStrategy::Margin => PickReason::Margin { probability: p },
                    QueryStrategy::Entropy => PickReason::Entropy { probability: p },
                    QueryStrategy::Random => PickReason::RandomDraw { probability: p },
                    QueryStrategy::DensityUncertainty => PickReason::DensityWeighted {
                        probability: p,
                        density: density_of,
                    },
                },
            }
        })
        .collect();
    if strategy == QueryStrategy::Random {
        let mut random = SplitMix64::new(seed);
        random.shuffle(&mut ranking);
        let count = ranking.len() as f64;
        for (position, alert) in ranking.iter_mut().enumerate() {
            alert.score = 1.0 - position as f64 / count.max(1.0);
        }
    } else {
        // Stable sort on score; ties keep pool order, so rankings are deterministic.
        ranking.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    match strategy {
        QueryStrategy::DiverseUncertainty => diversify(ranking, pool, batch),
        _ => one_per_object(ranking, pool.object_ids, batch),
    }
}

/// Ranks the whole pool with no model (round 0): the first `batch` entries are
/// chosen by `rule`, one per object; the rest follow in a seeded random order.
pub fn rank_cold_start(
    rule: ColdStart,
    features: &FeatureMatrix,
    object_ids: &[String],
    batch: usize,
    seed: u64,
) -> Vec<RankedAlert> {
    let mut order: Vec<usize> = (0..features.rows()).collect();
    SplitMix64::new(seed).shuffle(&mut order);
    let unranked = |pool_index: usize, reason: PickReason| RankedAlert {
        pool_index,
        probability: f64::NAN,
        score: 0.0,
        reason,
    };
    let ranking: Vec<RankedAlert> = match rule {
        ColdStart::Random => order
            .into_iter()
            .map(|index| unranked(index, PickReason::ColdStartDraw))
            .collect(),
        ColdStart::Diverse => {
            let picks = farthest_point_batch(features, object_ids, batch, seed);
            let first: Vec<(usize, PickReason)> = picks
                .iter()
                .enumerate()
                .map(|(step, &index)| (index, PickReason::ColdStartSpread { pick: step + 1 }))
                .collect();
            picks_then_the_rest(first, order, features.rows())
        }
        ColdStart::Representative => {
            let picks = representative_batch(features, object_ids, batch, seed);
            let first: Vec<(usize, PickReason)> = picks
                .iter()
                .enumerate()
                .map(|(step, pick)| {
                    let reason = PickReason::ColdStartTypical {
                        pick: step + 1,
                        group_size: pick.group_size,
                    };
                    (pick.row, reason)
                })
                .collect();
            picks_then_the_rest(first, order, features.rows())
        }
    };
    let mut ranking = one_per_object(ranking, object_ids, batch);
    let count = ranking.len() as f64;
    for (position, alert) in ranking.iter_mut().enumerate() {
        alert.score = 1.0 - position as f64 / count.max(1.0);
    }
    ranking
}

/// A cold start's picks, with their reasons, then every other alert of a
/// pool of `rows` in the seeded random `order`.
fn picks_then_the_rest(
    picks: Vec<(usize, PickReason)>,
    order: Vec<usize>,
    rows: usize,
) -> Vec<RankedAlert> {
    let unranked = |pool_index: usize, reason: PickReason| RankedAlert {
        pool_index,
        probability: f64::NAN,
        score: 0.0,
        reason,
    };
    let mut picked = vec![false; rows];
    for &(index, _) in &picks {
        picked[index] = true;
    }
    let mut ranking: Vec<RankedAlert> = picks
        .into_iter()
        .map(|(index, reason)| unranked(index, reason))
        .collect();
    ranking.extend(
        order
            .into_iter()
            .filter(|&index| !picked[index])
            .map(|index| unranked(index, PickReason::ColdStartRest)),
    );
    ranking
}

/// Moves to the front the first `batch` alerts of distinct objects, keeping
/// the rest in order after them. If the pool has fewer objects than `batch`,
/// the batch is filled from repeats.
pub fn one_per_object(
    ranking: Vec<RankedAlert>,
    object_ids: &[String],
    batch: usize,
) -> Vec<RankedAlert> {
    let mut chosen = Vec::with_capacity(batch);
    let mut rest = Vec::with_capacity(ranking.len());
    for alert in ranking {
        // Once the batch is full, the rest keep their order unchecked.
        let takes = chosen.len() < batch && {
            let object = &object_ids[alert.pool_index];
            !chosen
                .iter()
                .any(|c: &RankedAlert| &object_ids[c.pool_index] == object)
        };
        if takes {
            chosen.push(alert);
        } else {
            rest.push(alert);
        }
    }
    chosen.extend(rest);
    chosen
}

/// Candidates considered per batch slot by the diversity penalty.
const DIVERSITY_CANDIDATES_PER_SLOT: usize = 10;

/// Greedy batch selection among the most uncertain candidates: each pick
/// maximises uncertainty × (distance to the nearest earlier pick / typical
/// distance, capped at 1), one alert per object.
fn diversify(ranking: Vec<RankedAlert>, pool: &Pool, batch: usize) -> Vec<RankedAlert> {
    let considered = (batch * DIVERSITY_CANDIDATES_PER_SLOT).min(ranking.len());
    if batch <= 1 || considered <= batch {
        return one_per_object(ranking, pool.object_ids, batch);
    }
    let candidates: Vec<usize> = ranking[..considered]
        .iter()
        .map(|alert| alert.pool_index)
        .collect();
    let space = StandardizedPool::new(pool.features, &candidates);
    let typical = space.typical_distance().max(f64::MIN_POSITIVE);
    let mut nearest_pick = vec![f64::INFINITY; considered];
    let mut taken = vec![false; considered];
    let mut picks: Vec<(usize, f64)> = Vec::with_capacity(batch);
    while picks.len() < batch {
        let picked_objects: Vec<&String> = picks
            .iter()
            .map(|&(slot, _)| &pool.object_ids[candidates[slot]])
            .collect();
        let best = (0..considered)
            .filter(|&slot| {
                !taken[slot] && !picked_objects.contains(&&pool.object_ids[candidates[slot]])
            })
            .map(|slot| {
                let uncertainty = 1.0 - 2.0 * (ranking[slot].probability - 0.5).abs();
                let spread = (nearest_pick[slot] / typical).min(1.0);
                (slot, uncertainty * spread)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((slot, value)) = best else { break };
        taken[slot] = true;
        for (other, distance) in distances_to(&space, slot).into_iter().enumerate() {
            nearest_pick[other] = nearest_pick[other].min(distance);
        }
        picks.push((slot, value));
    }
    let mut ordered: Vec<RankedAlert> = Vec::with_capacity(ranking.len());
    for &(slot, value) in &picks {
        let mut alert = ranking[slot].clone();
        alert.reason = PickReason::Diversified {
            probability: alert.probability,
            weighted_score: value,
        };
        ordered.push(alert);
    }
    ordered.extend(
        ranking
            .into_iter()
            .enumerate()
            .filter(|(slot, _)| !(*slot < considered && taken[*slot]))
            .map(|(_, a)| a),
    );
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool_of(probabilities: &[f64], objects: &[&str]) -> (FeatureMatrix, Vec<String>) {
        let rows: Vec<[f64; 1]> = (0..probabilities.len()).map(|i| [i as f64]).collect();
        (
            FeatureMatrix::from_rows(&rows).expect("matrix"),
            objects.iter().map(|o| o.to_string()).collect(),
        )
    }

    #[test]
    fn uncertainty_margin_and_entropy_put_the_most_uncertain_first() {
        let probabilities = [0.9, 0.52, 0.1, 0.35];
        let (features, objects) = pool_of(&probabilities, &["a", "b", "c", "d"]);
        let pool = Pool {
            features: &features,
            object_ids: &objects,
            probabilities: &probabilities,
        };
        for strategy in [
            QueryStrategy::Uncertainty,
            QueryStrategy::Margin,
            QueryStrategy::Entropy,
        ] {
            let order: Vec<usize> = rank_pool(strategy, &pool, 2, 1)
                .iter()
                .map(|a| a.pool_index)
                .collect();
            assert_eq!(order[..2], [1, 3], "{strategy:?}");
        }
    }

    #[test]
    fn a_batch_takes_one_alert_per_object_unless_the_pool_has_no_other() {
        let probabilities = [0.5, 0.51, 0.9];
        let (features, objects) = pool_of(&probabilities, &["same", "same", "other"]);
        let pool = Pool {
            features: &features,
            object_ids: &objects,
            probabilities: &probabilities,
        };
        let order: Vec<usize> = rank_pool(QueryStrategy::Uncertainty, &pool, 2, 1)
            .iter()
            .map(|a| a.pool_index)
            .collect();
        assert_eq!(order, vec![0, 2, 1]);
    }

    #[test]
    fn random_ranking_is_seeded_and_whole() {
        let probabilities = [0.1; 20];
        let objects: Vec<&str> = vec!["o"; 20];
        let (features, objects) = pool_of(&probabilities, &objects);
        let pool = Pool {
            features: &features,
            object_ids: &objects,
            probabilities: &probabilities,
        };
        let first = rank_pool(QueryStrategy::Random, &pool, 5, 9);
        assert_eq!(first, rank_pool(QueryStrategy::Random, &pool, 5, 9));
        assert_eq!(first.len(), 20);
        assert_ne!(first, rank_pool(QueryStrategy::Random, &pool, 5, 10));
    }

    #[test]
    fn cold_start_ranks_the_whole_pool_with_the_batch_first() {
        let (features, objects) = pool_of(
            &[0.0; 12],
            &["a", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"],
        );
        for rule in ColdStart::ALL {
            let ranking = rank_cold_start(rule, &features, &objects, 4, 5);
            assert_eq!(ranking.len(), 12, "{rule:?}");
            let mut every: Vec<usize> = ranking.iter().map(|a| a.pool_index).collect();
            every.sort_unstable();
            assert_eq!(
                every,
                (0..12).collect::<Vec<_>>(),
                "{rule:?}: every alert once"
            );
            let batch_objects: Vec<&String> = ranking[..4]
                .iter()
                .map(|a| &objects[a.pool_index])
                .collect();
            assert!(
                batch_objects
                    .iter()
                    .all(|o| batch_objects.iter().filter(|p| p == &o).count() == 1),
                "{rule:?}"
            );
            assert!(ranking.iter().all(|a| a.probability.is_nan()));
            let order =
                |ranking: &[RankedAlert]| ranking.iter().map(|a| a.pool_index).collect::<Vec<_>>();
            let again = rank_cold_start(rule, &features, &objects, 4, 5);
            assert_eq!(order(&ranking), order(&again), "{rule:?} is seeded");
        }
    }

    #[test]
    fn diverse_uncertainty_spreads_a_batch_over_feature_space() {
        // Twenty equally uncertain alerts in two tight clumps: a batch of 2
        // must take one from each clump, not the two first in the ranking.
        let rows: Vec<[f64; 1]> = (0..20)
            .map(|i| {
                [if i < 10 {
                    i as f64 * 0.001
                } else {
                    100.0 + i as f64 * 0.001
                }]
            })
            .collect();
        let features = FeatureMatrix::from_rows(&rows).expect("matrix");
        let objects: Vec<String> = (0..20).map(|i| format!("o{i}")).collect();
        let probabilities = [0.5; 20];
        let pool = Pool {
            features: &features,
            object_ids: &objects,
            probabilities: &probabilities,
        };
        let ranking = rank_pool(QueryStrategy::DiverseUncertainty, &pool, 2, 1);
        let clumps: Vec<bool> = ranking[..2].iter().map(|a| a.pool_index < 10).collect();
        assert_ne!(clumps[0], clumps[1], "{ranking:?}");
        assert_eq!(ranking.len(), 20);
    }

    #[test]
    fn density_uncertainty_puts_an_uncertain_typical_alert_before_an_uncertain_outlier() {
        // Thirty alerts in a crowd, one far away (row 30); the outlier and a
        // crowd member (row 7) are equally uncertain, the rest are sure.
        let rows: Vec<[f64; 1]> = (0..31)
            .map(|i| [if i == 30 { 1_000.0 } else { i as f64 * 0.01 }])
            .collect();
        let features = FeatureMatrix::from_rows(&rows).expect("matrix");
        let objects: Vec<String> = (0..31).map(|i| format!("o{i}")).collect();
        let mut probabilities = [0.95; 31];
        probabilities[30] = 0.5;
        probabilities[7] = 0.5;
        let pool = Pool {
            features: &features,
            object_ids: &objects,
            probabilities: &probabilities,
        };
        let ranking = rank_pool(QueryStrategy::DensityUncertainty, &pool, 2, 1);
        assert_eq!(ranking[0].pool_index, 7, "{ranking:?}");
        assert!(matches!(
            ranking[0].reason,
            PickReason::DensityWeighted { .. }
        ));
        let plain = rank_pool(QueryStrategy::Uncertainty, &pool, 2, 1);
        assert_eq!(plain[0].pool_index, 7, "ties keep pool order");
        let outlier_position =
            |ranking: &[RankedAlert]| ranking.iter().position(|alert| alert.pool_index == 30);
        assert_eq!(outlier_position(&plain), Some(1));
        assert!(
            outlier_position(&ranking) > Some(1),
            "the outlier falls behind sure but typical alerts: {ranking:?}"
        );
        assert_eq!(ranking.len(), 31);
    }
}
