//! How one batch is ranked, the same for the page's queue (`core::queue`)
//! and the replay (`active::replay`): the cold-start rule while there is no
//! model, the strategy after, then the exploration share's random picks in
//! their slots. One rule in one place, so that what the replay measures is
//! what a user gets.

use super::exploration::with_random_picks;
use super::strategy::{rank_cold_start, rank_pool, ColdStart, Pool, QueryStrategy, RankedAlert};
use crate::core::model::FeatureMatrix;

/// How a batch is ranked (from the session's settings and round).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankingRule {
    pub strategy: QueryStrategy,
    pub cold_start: ColdStart,
    pub batch: usize,
    pub seed: u64,
    /// The share of the batch drawn uniformly at random.
    pub exploration_share: f64,
}

impl RankingRule {
    /// Ranks a whole pool, its batch first: the cold-start rule while there
    /// is no model (`probabilities` is `None`), the strategy after; then the
    /// exploration share's random picks take their slots in the batch.
    pub fn rank(
        &self,
        features: &FeatureMatrix,
        object_ids: &[String],
        probabilities: Option<&[f64]>,
    ) -> Vec<RankedAlert> {
        let ranking = match probabilities {
            None => rank_cold_start(self.cold_start, features, object_ids, self.batch, self.seed),
            Some(probabilities) => rank_pool(
                self.strategy,
                &Pool {
                    features,
                    object_ids,
                    probabilities,
                },
                self.batch,
                self.seed,
            ),
        };
        with_random_picks(ranking, self.exploration_share, self.batch, self.seed)
    }
}
