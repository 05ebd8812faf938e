//! Replays active learning on an already-labelled table, to compare models and
//! strategies before a human spends time on labels: start from `initial`
//! labels chosen by the cold-start rule, then each round fit, score on the
//! validation table, and "label" the next `batch` alerts the strategy asks for.
//!
//! Each batch is the page's: ranked by the queue's own rule
//! (`active::batch::RankingRule::rank`: cold start, strategy, one alert per
//! object, the exploration share's random picks), with the seeds the page's
//! rounds use (the settings' seed moved on by the round), so that what the
//! replay measures is what a user gets.

use serde::Serialize;
use thiserror::Error;

use super::batch::RankingRule;
use super::evaluation::cross_validate;
use super::interval::Interval;
use super::metrics::binary_metrics;
use super::round::mapped_rows;
use super::strategy::{ColdStart, QueryStrategy};
use super::table::LabelledTable;
use crate::core::labels::targets::TargetMapping;
use crate::core::model::{FeatureMatrix, ModelError, ModelSpec};
use crate::core::random::SplitMix64;

/// A replay's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayConfig {
    pub model: ModelSpec,
    pub strategy: QueryStrategy,
    pub cold_start: ColdStart,
    pub initial: usize,
    pub batch: usize,
    pub rounds: usize,
    pub repeats: usize,
    pub seed: u64,
    /// The share of each batch drawn uniformly at random (the page's setting).
    pub exploration_share: f64,
    /// Whether each round is also cross-validated as the page's record is,
    /// with its honest estimate on the random picks, to compare both with
    /// the validation table's truth (several fits more per round).
    pub measure_estimates: bool,
}

impl ReplayConfig {
    /// The page's ranking rule for the batch after `rounds` rounds, with
    /// `strategy` (the configuration's, or random for the baseline).
    fn rule(&self, strategy: QueryStrategy, rounds: usize, seed: u64) -> RankingRule {
        RankingRule {
            strategy,
            cold_start: self.cold_start,
            batch: if rounds == 0 {
                self.initial
            } else {
                self.batch
            },
            seed: seed.wrapping_add(rounds as u64),
            exploration_share: self.exploration_share,
        }
    }
}

/// Validation metrics after one round, averaged over the repeats.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ReplayPoint {
    pub round: usize,
    pub n_labels: usize,
    pub val_auc: f64,
    pub val_accuracy: f64,
    pub val_f1: f64,
    /// The area under recall at rank K on the validation rows (AuRaK).
    pub val_aurak: f64,
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ReplayError {
    #[error(
        "the mapping's label `{label}` is not a label of the training table (its labels: {present})"
    )]
    MappingLabelAbsent { label: String, present: String },
    #[error("the training table has no row the mapping gives a class to")]
    EmptyPool,
    #[error("the validation table needs rows of both classes under the mapping")]
    OneClassValidation,
    #[error("the training and validation tables have different feature columns")]
    ColumnMismatch,
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Refuses a mapping that names a label the training table does not hold (a
/// typo, or another capitalisation), which would otherwise leave that
/// label's rows out without a word; names the labels present, with counts.
fn check_mapping_labels(target: &TargetMapping, train: &LabelledTable) -> Result<(), ReplayError> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for label in &train.labels {
        *counts.entry(label.as_str()).or_default() += 1;
    }
    match target
        .classes
        .keys()
        .find(|label| !counts.contains_key(label.as_str()))
    {
        None => Ok(()),
        Some(label) => Err(ReplayError::MappingLabelAbsent {
            label: label.clone(),
            present: counts
                .iter()
                .map(|(label, count)| format!("{label} {count}"))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The seed of repeat `repeat`: repeats differ, and the whole replay is fixed by `seed`.
fn repeat_seed(seed: u64, repeat: usize) -> u64 {
    SplitMix64::new(seed ^ (repeat as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64()
}

/// The batch `rule` picks among `candidates` (table rows), as the page's
/// queue would rank them, scored by `probabilities` once there is a model:
/// each row, and whether it is a random pick.
fn batch_of(
    rule: &RankingRule,
    table: &LabelledTable,
    candidates: &[usize],
    probabilities: Option<&[f64]>,
) -> Vec<(usize, bool)> {
    let object_ids: Vec<String> = candidates.iter().map(|&i| table.ids[i].clone()).collect();
    rule.rank(
        &table.features.select_rows(candidates),
        &object_ids,
        probabilities,
    )
    .into_iter()
    .take(rule.batch)
    .map(|alert| (candidates[alert.pool_index], alert.reason.is_exploration()))
    .collect()
}

/// The round's cross-validated ROC AUC and its honest estimate's, as the
/// page's record computes them (`evaluation::cross_validate`): `None` where
/// the labels are too few for folds, or the random picks hold one class.
fn page_estimates(
    config: &ReplayConfig,
    rows: &FeatureMatrix,
    classes: &[u8],
    random_picks: &[bool],
    seed: u64,
) -> Result<(Option<f64>, Option<f64>), ModelError> {
    let summary = cross_validate(&config.model, rows, classes, random_picks, &[], seed)?;
    Ok((
        summary.metrics.and_then(|cv| cv.mean.roc_auc),
        summary
            .honest
            .and_then(|honest| honest.roc_auc)
            .map(|auc| auc.value),
    ))
}

/// One repeat's validation metrics after one round.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RoundMetrics {
    pub n_labels: usize,
    pub auc: f64,
    pub accuracy: f64,
    pub f1: f64,
    pub aurak: f64,
    /// The cross-validated ROC AUC on the labels so far (with
    /// `measure_estimates`).
    pub cv_auc: Option<f64>,
    /// The ROC AUC on the random picks' labels (the honest estimate).
    pub honest_auc: Option<f64>,
}

/// What every repeat of a replay shares: the pool (table rows the mapping
/// gives a class) and the validation rows.
struct Prepared<'a> {
    train: &'a LabelledTable,
    pool: Vec<usize>,
    class_of_row: std::collections::HashMap<usize, u8>,
    validation_features: crate::core::model::FeatureMatrix,
    validation_classes: Vec<u8>,
}

fn prepare<'a>(
    train: &'a LabelledTable,
    validation: &LabelledTable,
    target: &TargetMapping,
) -> Result<Prepared<'a>, ReplayError> {
    if train.feature_names != validation.feature_names {
        return Err(ReplayError::ColumnMismatch);
    }
    check_mapping_labels(target, train)?;
    let (pool, pool_classes) = mapped_rows(target, &train.labels);
    if pool.is_empty() {
        return Err(ReplayError::EmptyPool);
    }
    let class_of_row = pool.iter().copied().zip(pool_classes).collect();
    let (validation_rows, validation_classes) = mapped_rows(target, &validation.labels);
    if !(validation_classes.contains(&0) && validation_classes.contains(&1)) {
        return Err(ReplayError::OneClassValidation);
    }
    Ok(Prepared {
        train,
        pool,
        class_of_row,
        validation_features: validation.features.select_rows(&validation_rows),
        validation_classes,
    })
}

/// One repeat, its labels picked by `strategy` after `config`'s cold start:
/// the metrics after each of `config.rounds` rounds.
fn replay_repeat(
    prepared: &Prepared,
    config: &ReplayConfig,
    strategy: QueryStrategy,
    repeat: usize,
) -> Result<Vec<RoundMetrics>, ReplayError> {
    let (train, pool) = (prepared.train, &prepared.pool);
    let seed = repeat_seed(config.seed, repeat);
    let (mut labelled, mut random_picks): (Vec<usize>, Vec<bool>) =
        batch_of(&config.rule(strategy, 0, seed), train, pool, None)
            .into_iter()
            .unzip();
    let mut curve = Vec::with_capacity(config.rounds);
    for round in 0..config.rounds {
        let classes: Vec<u8> = labelled
            .iter()
            .map(|row| prepared.class_of_row[row])
            .collect();
        let rows = train.features.select_rows(&labelled);
        let round_seed = seed.wrapping_add(round as u64);
        let model = config.model.fit(&rows, &classes, round_seed)?;
        let (cv_auc, honest_auc) = if config.measure_estimates {
            page_estimates(config, &rows, &classes, &random_picks, round_seed)?
        } else {
            (None, None)
        };
        let metrics = binary_metrics(
            &prepared.validation_classes,
            &model.predict_proba(&prepared.validation_features)?,
        );
        curve.push(RoundMetrics {
            n_labels: labelled.len(),
            auc: metrics.roc_auc.unwrap_or(0.5),
            accuracy: metrics.accuracy,
            f1: metrics.f1,
            aurak: metrics.aurak.unwrap_or(0.5),
            cv_auc,
            honest_auc,
        });
        if round + 1 == config.rounds {
            break;
        }
        let unlabelled: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|row| !labelled.contains(row))
            .collect();
        if unlabelled.is_empty() {
            continue;
        }
        let probabilities = model.predict_proba(&train.features.select_rows(&unlabelled))?;
        for (row, random) in batch_of(
            &config.rule(strategy, round + 1, seed),
            train,
            &unlabelled,
            Some(&probabilities),
        ) {
            labelled.push(row);
            random_picks.push(random);
        }
    }
    Ok(curve)
}

/// Runs the replay and returns one point per round (`initial + round × batch` labels).
pub fn replay(
    train: &LabelledTable,
    validation: &LabelledTable,
    target: &TargetMapping,
    config: &ReplayConfig,
) -> Result<Vec<ReplayPoint>, ReplayError> {
    let prepared = prepare(train, validation, target)?;
    let curves = (0..config.repeats.max(1))
        .map(|repeat| replay_repeat(&prepared, config, config.strategy, repeat))
        .collect::<Result<Vec<_>, _>>()?;
    let mean = |round: usize, of: fn(&RoundMetrics) -> f64| {
        curves.iter().map(|curve| of(&curve[round])).sum::<f64>() / curves.len() as f64
    };
    Ok((0..config.rounds)
        .map(|round| ReplayPoint {
            round,
            n_labels: mean(round, |m| m.n_labels as f64).round() as usize,
            val_auc: mean(round, |m| m.auc),
            val_accuracy: mean(round, |m| m.accuracy),
            val_f1: mean(round, |m| m.f1),
            val_aurak: mean(round, |m| m.aurak),
        })
        .collect())
}

/// One round of a paired replay: the configuration's metrics and those of
/// random picks after the same cold start with the same seeds, each with
/// its mean and 95 % interval over the repeats, and the configuration's
/// gain over random, paired repeat by repeat.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairedPoint {
    pub round: usize,
    pub n_labels: usize,
    pub auc: Interval,
    pub aurak: Interval,
    pub accuracy: f64,
    pub f1: f64,
    pub random_auc: Interval,
    pub random_aurak: Interval,
    pub gain_auc: Interval,
    pub gain_aurak: Interval,
    /// The cross-validated ROC AUC minus the validation table's, over the
    /// repeats that have one (with `measure_estimates`): how far the
    /// page's CV figure is from the truth.
    pub cv_error: Option<Interval>,
    /// The honest estimate's ROC AUC minus the validation table's.
    pub honest_error: Option<Interval>,
    /// The repeats with an honest estimate at this round.
    pub honest_repeats: usize,
}

/// Runs `config`'s replay paired with a random-picks baseline: each repeat
/// runs both from the same cold start with the same seeds (a random
/// strategy is its own baseline), so that their difference is the
/// strategy's alone.
pub fn paired_replay(
    train: &LabelledTable,
    validation: &LabelledTable,
    target: &TargetMapping,
    config: &ReplayConfig,
) -> Result<Vec<PairedPoint>, ReplayError> {
    let prepared = prepare(train, validation, target)?;
    let mut pairs = Vec::with_capacity(config.repeats.max(1));
    for repeat in 0..config.repeats.max(1) {
        let chosen = replay_repeat(&prepared, config, config.strategy, repeat)?;
        let random = if config.strategy == QueryStrategy::Random {
            chosen.clone()
        } else {
            // The baseline needs its validation figures only.
            let baseline = ReplayConfig {
                measure_estimates: false,
                ..config.clone()
            };
            replay_repeat(&prepared, &baseline, QueryStrategy::Random, repeat)?
        };
        pairs.push((chosen, random));
    }
    let over = |round: usize, of: &dyn Fn(&RoundMetrics, &RoundMetrics) -> f64| {
        let values: Vec<f64> = pairs
            .iter()
            .map(|(chosen, random)| of(&chosen[round], &random[round]))
            .collect();
        Interval::of_mean(&values)
    };
    let error_of = |round: usize, estimate: fn(&RoundMetrics) -> Option<f64>| {
        let errors: Vec<f64> = pairs
            .iter()
            .filter_map(|(chosen, _)| Some(estimate(&chosen[round])? - chosen[round].auc))
            .collect();
        (!errors.is_empty()).then(|| Interval::of_mean(&errors))
    };
    Ok((0..config.rounds)
        .map(|round| PairedPoint {
            round,
            n_labels: over(round, &|chosen, _| chosen.n_labels as f64)
                .mean
                .round() as usize,
            auc: over(round, &|chosen, _| chosen.auc),
            aurak: over(round, &|chosen, _| chosen.aurak),
            accuracy: over(round, &|chosen, _| chosen.accuracy).mean,
            f1: over(round, &|chosen, _| chosen.f1).mean,
            random_auc: over(round, &|_, random| random.auc),
            random_aurak: over(round, &|_, random| random.aurak),
            gain_auc: over(round, &|chosen, random| chosen.auc - random.auc),
            gain_aurak: over(round, &|chosen, random| chosen.aurak - random.aurak),
            cv_error: error_of(round, |metrics| metrics.cv_auc),
            honest_error: error_of(round, |metrics| metrics.honest_auc),
            honest_repeats: pairs
                .iter()
                .filter(|(chosen, _)| chosen[round].honest_auc.is_some())
                .count(),
        })
        .collect())
}
