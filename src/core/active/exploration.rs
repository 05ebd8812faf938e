//! The exploration share: a few alerts of each batch drawn uniformly at
//! random from the pool, whatever the strategy prefers.
//!
//! A strategy picks the alerts it finds useful, so its labels are not a
//! sample of the pool, and metrics measured on them say little about how the
//! model does on tonight's alerts. The labels of uniform draws are such a
//! sample: the round's honest estimate (`active::honest`) is measured on
//! them alone. The draw is made here, once, for the page's queue and the
//! replay alike (`active::batch::RankingRule::rank`), so what the replay
//! measures is what a user gets.
//!
//! The draw is uniform over alerts, not objects: a random pick may share its
//! object with another alert of the batch (the strategy's picks keep one per
//! object), because a sample of tonight's alerts is what the estimate needs.

use super::pick_reason::PickReason;
use super::strategy::RankedAlert;
use crate::core::random::SplitMix64;

/// Mixed into the batch's seed so that the exploration draw is not the
/// strategy's own random order (a random strategy would draw its first
/// alerts again).
const EXPLORATION_SALT: u64 = 0x4558_504C_4F52_4521;

/// How many of a batch of `batch` are random picks under `share` (0 to 1):
/// the share of the batch, rounded, and at least one when the share is not
/// zero, so that a small batch still holds one.
pub fn random_pick_count(share: f64, batch: usize) -> usize {
    if share.is_nan() || share <= 0.0 || batch == 0 {
        return 0;
    }
    ((share.min(1.0) * batch as f64).round() as usize).clamp(1, batch)
}

/// `ranking` (a whole pool, its batch first) with [`random_pick_count`]
/// alerts drawn uniformly from it, without replacement, placed in the batch
/// at evenly spaced slots and marked [`PickReason::Exploration`]; the
/// strategy's own picks fill the other slots in their order. Which alerts
/// are drawn depends on the seed and the pool's size only, never on the
/// ranking's order, so the draw is uniform whatever the strategy.
pub fn with_random_picks(
    ranking: Vec<RankedAlert>,
    share: f64,
    batch: usize,
    seed: u64,
) -> Vec<RankedAlert> {
    let count = random_pick_count(share, batch).min(ranking.len());
    if count == 0 {
        return ranking;
    }
    // The draw is over pool indices, which the ranking's order does not touch.
    let mut by_pool_index: Vec<Option<usize>> = vec![None; ranking.len()];
    for (position, alert) in ranking.iter().enumerate() {
        if let Some(slot) = by_pool_index.get_mut(alert.pool_index) {
            *slot = Some(position);
        }
    }
    let drawn = draw_without_replacement(ranking.len(), count, seed ^ EXPLORATION_SALT);
    let mut is_drawn = vec![false; ranking.len()];
    for &pool_index in &drawn {
        if let Some(Some(position)) = by_pool_index.get(pool_index) {
            is_drawn[*position] = true;
        }
    }
    let mut picks: Vec<RankedAlert> = Vec::with_capacity(count);
    let mut rest: Vec<RankedAlert> = Vec::with_capacity(ranking.len());
    for (position, alert) in ranking.into_iter().enumerate() {
        if is_drawn[position] {
            picks.push(alert);
        } else {
            rest.push(alert);
        }
    }
    let batch = batch.min(rest.len() + picks.len());
    let slots: Vec<usize> = (0..picks.len())
        .map(|pick| (2 * pick + 1) * batch / (2 * picks.len()))
        .collect();
    let mut mixed = Vec::with_capacity(rest.len() + picks.len());
    let mut rest = rest.into_iter().peekable();
    let mut picks = picks.into_iter();
    let mut next_slot = slots.into_iter().peekable();
    while mixed.len() < batch {
        if next_slot.peek() == Some(&mixed.len()) {
            next_slot.next();
            if let Some(mut pick) = picks.next() {
                // The score of the slot it takes, so scores still fall along the queue.
                pick.score = rest.peek().map_or(pick.score, |next| next.score);
                let probability = pick.probability.is_finite().then_some(pick.probability);
                pick.reason = PickReason::Exploration { probability };
                mixed.push(pick);
                continue;
            }
        }
        match rest.next() {
            Some(alert) => mixed.push(alert),
            None => break,
        }
    }
    mixed.extend(picks); // none left: every slot lies within the batch
    mixed.extend(rest);
    mixed
}

/// `count` distinct indices below `len`, each subset equally likely (a
/// partial Fisher–Yates shuffle on a sparse map, so a draw from 100k alerts
/// costs `count` steps), in the order drawn.
fn draw_without_replacement(len: usize, count: usize, seed: u64) -> Vec<usize> {
    let mut random = SplitMix64::new(seed);
    let mut swapped: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    (0..count.min(len))
        .map(|step| {
            let other = step + random.below(len - step);
            let at_other = *swapped.get(&other).unwrap_or(&other);
            let at_step = *swapped.get(&step).unwrap_or(&step);
            swapped.insert(other, at_step);
            at_other
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ranking of `len` alerts in pool order, scores falling.
    fn ranking(len: usize) -> Vec<RankedAlert> {
        (0..len)
            .map(|pool_index| RankedAlert {
                pool_index,
                probability: 0.5,
                score: -(pool_index as f64),
                reason: PickReason::Uncertain { probability: 0.5 },
            })
            .collect()
    }

    fn explored(queue: &[RankedAlert]) -> Vec<usize> {
        queue
            .iter()
            .enumerate()
            .filter(|(_, alert)| matches!(alert.reason, PickReason::Exploration { .. }))
            .map(|(position, _)| position)
            .collect()
    }

    #[test]
    fn the_share_of_a_batch_is_rounded_and_at_least_one() {
        assert_eq!(random_pick_count(0.2, 10), 2);
        assert_eq!(random_pick_count(0.2, 30), 6);
        assert_eq!(random_pick_count(0.05, 10), 1, "one at least");
        assert_eq!(random_pick_count(0.0, 10), 0);
        assert_eq!(random_pick_count(f64::NAN, 10), 0);
        assert_eq!(random_pick_count(2.0, 10), 10, "at most the batch");
        assert_eq!(random_pick_count(0.5, 0), 0);
    }

    #[test]
    fn random_picks_sit_at_spread_slots_of_the_batch_and_every_alert_stays_once() {
        let mixed = with_random_picks(ranking(100), 0.2, 10, 3);
        assert_eq!(explored(&mixed), [2, 7]);
        let mut pool: Vec<usize> = mixed.iter().map(|alert| alert.pool_index).collect();
        pool.sort_unstable();
        assert_eq!(pool, (0..100).collect::<Vec<_>>());
        assert!(
            mixed.windows(2).all(|pair| pair[0].score >= pair[1].score),
            "scores still fall along the queue"
        );
        let strategy_picks: Vec<usize> = mixed[..10]
            .iter()
            .filter(|alert| !matches!(alert.reason, PickReason::Exploration { .. }))
            .map(|alert| alert.pool_index)
            .collect();
        let mut expected: Vec<usize> = (0..100)
            .filter(|index| {
                !mixed[2..3]
                    .iter()
                    .chain(&mixed[7..8])
                    .any(|a| a.pool_index == *index)
            })
            .take(8)
            .collect();
        expected.sort_unstable();
        assert_eq!(
            strategy_picks, expected,
            "the strategy's best fill the rest"
        );
        assert_eq!(with_random_picks(ranking(100), 0.0, 10, 3), ranking(100));
        assert_eq!(
            explored(&with_random_picks(ranking(3), 1.0, 10, 3)),
            [0, 1, 2]
        );
    }

    #[test]
    fn the_draw_does_not_depend_on_the_strategys_order() {
        let mut reversed = ranking(50);
        reversed.reverse();
        let drawn = |queue: Vec<RankedAlert>| {
            let mut picks: Vec<usize> = with_random_picks(queue, 0.3, 10, 11)
                .into_iter()
                .filter(|alert| matches!(alert.reason, PickReason::Exploration { .. }))
                .map(|alert| alert.pool_index)
                .collect();
            picks.sort_unstable();
            picks
        };
        assert_eq!(drawn(ranking(50)), drawn(reversed));
    }

    /// χ² with 3 degrees of freedom exceeds 16.27 with probability 0.001.
    const CHI_SQUARED_3_AT_0_001: f64 = 16.27;

    fn chi_squared(observed: &[usize], expected_shares: &[f64]) -> f64 {
        let total: usize = observed.iter().sum();
        observed
            .iter()
            .zip(expected_shares)
            .map(|(&seen, &share)| {
                let expected = share * total as f64;
                (seen as f64 - expected).powi(2) / expected
            })
            .sum()
    }

    #[test]
    fn exploration_picks_are_uniform_over_the_pool_whatever_the_strategy_prefers() {
        // Four strata of 100, 200, 300 and 400 alerts; the strategy ranks
        // stratum 0 first, then 1, 2, 3, so its own batch is all stratum 0.
        let stratum_of = |pool_index: usize| match pool_index {
            0..100 => 0,
            100..300 => 1,
            300..600 => 2,
            _ => 3,
        };
        let shares = [0.1, 0.2, 0.3, 0.4];
        let (mut random_counts, mut strategy_counts) = ([0usize; 4], [0usize; 4]);
        for seed in 0..2_000u64 {
            let mixed = with_random_picks(ranking(1_000), 0.2, 10, seed);
            for alert in &mixed[..10] {
                let counts = match alert.reason {
                    PickReason::Exploration { .. } => &mut random_counts,
                    _ => &mut strategy_counts,
                };
                counts[stratum_of(alert.pool_index)] += 1;
            }
        }
        assert_eq!(random_counts.iter().sum::<usize>(), 4_000);
        let uniform = chi_squared(&random_counts, &shares);
        assert!(
            uniform < CHI_SQUARED_3_AT_0_001,
            "χ² = {uniform:.1} for {random_counts:?}"
        );
        // The test can fail: the strategy's own picks are far from uniform.
        let chosen = chi_squared(&strategy_counts, &shares);
        assert!(chosen > 1_000.0, "χ² = {chosen:.1} for {strategy_counts:?}");
    }

    #[test]
    fn a_sparse_partial_shuffle_draws_distinct_indices_in_range() {
        for seed in 0..50 {
            let mut drawn = draw_without_replacement(30, 12, seed);
            assert!(drawn.iter().all(|&index| index < 30));
            drawn.sort_unstable();
            drawn.dedup();
            assert_eq!(drawn.len(), 12);
        }
        assert_eq!(draw_without_replacement(3, 10, 1).len(), 3);
    }
}
