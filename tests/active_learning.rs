//! The active-learning engine on the real labelled ATLAS table (galactic task):
//! a small replay learns and is deterministic; a round records honest metrics
//! and survives a JSON round trip.

mod common;

use common::atlas_table as table;
use fink_vra::core::active::replay::{paired_replay, replay, ReplayConfig};
use fink_vra::core::active::round::{
    history_from_json, history_to_json, train_round, LabelledRows, RoundRequest,
};
use fink_vra::core::active::strategy::{ColdStart, QueryStrategy};
use fink_vra::core::active::table::LabelledTable;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::model::ModelSpec;

fn galactic() -> TargetMapping {
    TargetMapping::parse("galactic", "good=0,galactic=1,pm=1").expect("mapping")
}

fn small_config(model: &str, strategy: QueryStrategy, cold_start: ColdStart) -> ReplayConfig {
    ReplayConfig {
        model: ModelSpec::by_name(model).expect("model"),
        strategy,
        cold_start,
        initial: 10,
        batch: 10,
        rounds: 5,
        repeats: 2,
        seed: 7,
    }
}

fn small_replay(
    model: &str,
    strategy: QueryStrategy,
    cold_start: ColdStart,
) -> Vec<fink_vra::core::active::replay::ReplayPoint> {
    let config = small_config(model, strategy, cold_start);
    replay(&table("train"), &table("val"), &galactic(), &config).expect("replay runs")
}

#[test]
fn small_replay_of_the_default_model_learns_and_is_deterministic() {
    let default_model = fink_vra::core::active::DEFAULT_MODEL;
    let default_strategy =
        QueryStrategy::by_name(fink_vra::core::active::DEFAULT_STRATEGY).expect("strategy");
    let default_cold_start =
        ColdStart::by_name(fink_vra::core::active::DEFAULT_COLD_START).expect("rule");
    let first = small_replay(default_model, default_strategy, default_cold_start);
    assert_eq!(
        first.iter().map(|p| p.n_labels).collect::<Vec<_>>(),
        vec![10, 20, 30, 40, 50]
    );
    for point in &first {
        assert!(
            point.val_auc > 0.5,
            "round {}: AUC {}",
            point.round,
            point.val_auc
        );
    }
    assert!(
        first[2].val_auc > 0.85,
        "30 labels: AUC {}",
        first[2].val_auc
    );
    assert_eq!(
        first,
        small_replay(default_model, default_strategy, default_cold_start),
        "same seed, same curve"
    );
}

#[test]
fn the_random_baseline_starts_from_the_same_cold_start_with_the_same_seeds() {
    let config = ReplayConfig {
        repeats: 4,
        ..small_config(
            "extra-trees",
            QueryStrategy::Uncertainty,
            ColdStart::Diverse,
        )
    };
    let paired =
        paired_replay(&table("train"), &table("val"), &galactic(), &config).expect("replays");
    let unpaired = replay(&table("train"), &table("val"), &galactic(), &config).expect("replays");
    // Round 0 is the cold start alone: the same labels and seed on both sides.
    assert_eq!(paired[0].auc, paired[0].random_auc);
    assert_eq!(
        (
            paired[0].gain_auc.mean,
            paired[0].gain_auc.low,
            paired[0].gain_auc.high
        ),
        (0.0, Some(0.0), Some(0.0))
    );
    // After it, random picks differ from the strategy's.
    assert!(paired[1..].iter().any(|point| point.gain_auc.mean != 0.0));
    for (point, mean) in paired.iter().zip(&unpaired) {
        assert_eq!(point.n_labels, mean.n_labels);
        assert!(
            (point.auc.mean - mean.val_auc).abs() < 1e-12,
            "the strategy's own curve"
        );
        let (low, high) = (point.auc.low.expect("low"), point.auc.high.expect("high"));
        assert!(low <= point.auc.mean && point.auc.mean <= high);
        let gain = point.auc.mean - point.random_auc.mean;
        assert!(
            (point.gain_auc.mean - gain).abs() < 1e-12,
            "the gain is paired"
        );
    }
}

#[test]
fn random_picks_paired_with_themselves_gain_exactly_nothing() {
    let config = small_config("extra-trees", QueryStrategy::Random, ColdStart::Random);
    let paired =
        paired_replay(&table("train"), &table("val"), &galactic(), &config).expect("replays");
    for point in &paired {
        assert_eq!(point.auc, point.random_auc);
        assert_eq!(
            (
                point.gain_aurak.mean,
                point.gain_aurak.low,
                point.gain_aurak.high
            ),
            (0.0, Some(0.0), Some(0.0))
        );
    }
}

#[test]
fn every_model_family_learns_from_fifty_labels() {
    for model in ModelSpec::NAMES {
        let curve = small_replay(model, QueryStrategy::Random, ColdStart::Random);
        assert!(
            curve[4].val_auc > 0.7,
            "{model}: AUC {} at 50 labels",
            curve[4].val_auc
        );
    }
}

#[test]
fn a_round_records_cross_validated_training_and_validation_metrics() {
    let train = table("train");
    let validation = table("val");
    let take = |t: &LabelledTable, n: usize| {
        let indices: Vec<usize> = (0..n).collect();
        (
            t.ids[..n].to_vec(),
            t.labels[..n].to_vec(),
            t.features.select_rows(&indices),
        )
    };
    // 100 labels, so that the folds' 20 held-out rows are not all ranked
    // perfectly: with 60, a forest can separate every fold's 12 (ROC AUC 1 in
    // each), and then no single feature's permutation lowers it.
    let (ids, labels, features) = take(&train, 100);
    let (validation_ids, validation_labels, validation_features) = take(&validation, 200);
    let target = galactic();
    let model = ModelSpec::by_name("extra-trees").expect("model");
    let (record, _) = train_round(RoundRequest {
        round: 0,
        target: &target,
        model: &model,
        strategy: QueryStrategy::Uncertainty,
        seed: 3,
        timestamp: "2026-11-27T00:00:00Z".to_string(),
        feature_names: &train.feature_names,
        training: LabelledRows {
            ids: &ids,
            labels: &labels,
            features: &features,
        },
        validation: Some(LabelledRows {
            ids: &validation_ids,
            labels: &validation_labels,
            features: &validation_features,
        }),
        threads: 1,
    })
    .expect("round trains");
    let mapped = labels
        .iter()
        .filter(|label| target.class_of(label).is_some())
        .count();
    assert_eq!(
        record.training.len(),
        mapped,
        "garbage and AGN labels are left out"
    );
    assert_eq!(record.class_counts[0] + record.class_counts[1], mapped);
    let cv = record.cross_validated.expect("enough labels for CV");
    let importance = record
        .feature_importance
        .as_ref()
        .expect("importance comes with CV");
    assert_eq!(record.features, train.feature_names);
    assert_eq!(
        importance
            .iter()
            .map(|feature| &feature.feature)
            .collect::<Vec<_>>(),
        train.feature_names.iter().collect::<Vec<_>>()
    );
    assert!(
        importance.iter().any(|feature| feature.auc_drop > 0.0),
        "some feature matters: {importance:?} (CV {:?})",
        record.cross_validated
    );
    assert!(cv.folds >= 2 && cv.mean.roc_auc > Some(0.5) && cv.std.roc_auc >= Some(0.0));
    assert!(
        record.training_set.accuracy >= cv.mean.accuracy,
        "training-set accuracy is the optimistic one"
    );
    assert!(record.validation.expect("validation given").roc_auc > Some(0.5));
    let json = history_to_json(std::slice::from_ref(&record));
    assert_eq!(history_from_json(&json).expect("reads back"), vec![record]);
}

#[test]
fn a_typo_in_the_mapping_is_refused_with_the_labels_present_instead_of_dropping_their_rows() {
    let config = ReplayConfig {
        model: ModelSpec::by_name("logistic-regression").expect("model"),
        strategy: QueryStrategy::Random,
        cold_start: ColdStart::Random,
        initial: 10,
        batch: 10,
        rounds: 1,
        repeats: 1,
        seed: 7,
    };
    let typo = TargetMapping::parse("galactic", "good=0,galatic=1,pm=1").expect("mapping");
    let error = replay(&table("train"), &table("val"), &typo, &config).expect_err("typo");
    let message = error.to_string();
    assert!(message.contains("`galatic` is not a label"), "{message}");
    assert!(
        message.contains("galactic ") && message.contains("good ") && message.contains("pm "),
        "{message}"
    );
    let capitalised = TargetMapping::parse("galactic", "Good=0,galactic=1").expect("mapping");
    let message = replay(&table("train"), &table("val"), &capitalised, &config)
        .expect_err("capitalised")
        .to_string();
    assert!(message.contains("`Good` is not a label"), "{message}");
}
