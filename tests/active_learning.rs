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
        exploration_share: 0.0,
        measure_estimates: false,
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
            random_picks: &[],
        },
        validation: Some(LabelledRows {
            ids: &validation_ids,
            labels: &validation_labels,
            features: &validation_features,
            random_picks: &[],
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
    assert_eq!(
        record.honest_estimate, None,
        "no random picks, no honest estimate"
    );
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
        exploration_share: 0.0,
        measure_estimates: false,
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

#[test]
fn the_honest_estimate_is_measured_on_the_random_picks_labels_and_never_on_the_chosen_ones() {
    // 200 labelled alerts of the real table; every eighth is a "random
    // pick", and those have their galactic/good labels swapped. The
    // cross-validation (mostly on the true labels) stays good; the honest
    // estimate, measured on the swapped ones alone, must fall below 0.5.
    let train = table("train");
    let indices: Vec<usize> = (0..200).collect();
    let features = train.features.select_rows(&indices);
    let ids = train.ids[..200].to_vec();
    let random_picks: Vec<bool> = (0..200).map(|i| i % 8 == 0).collect();
    let swapped = |label: &str| match label {
        "good" => "galactic".to_string(),
        "galactic" | "pm" => "good".to_string(),
        other => other.to_string(),
    };
    let labels: Vec<String> = train.labels[..200]
        .iter()
        .zip(&random_picks)
        .map(|(label, &random)| {
            if random {
                swapped(label)
            } else {
                label.clone()
            }
        })
        .collect();
    let target = galactic();
    let model = ModelSpec::by_name("extra-trees").expect("model");
    let request = |random_picks| RoundRequest {
        round: 1,
        target: &target,
        model: &model,
        strategy: QueryStrategy::Uncertainty,
        seed: 5,
        timestamp: "2026-12-07T00:00:00Z".to_string(),
        feature_names: &train.feature_names,
        training: LabelledRows {
            ids: &ids,
            labels: &labels,
            features: &features,
            random_picks,
        },
        validation: None,
        threads: 1,
    };
    let (record, _) = train_round(request(&random_picks)).expect("trains");
    let mapped_random_picks = labels
        .iter()
        .zip(&random_picks)
        .filter(|(label, &random)| random && target.class_of(label).is_some())
        .count();
    assert_eq!(record.random_picks.len(), mapped_random_picks);
    // Training keeps the mapped rows in their order (garbage and AGN left out).
    let mapped: Vec<usize> = (0..200)
        .filter(|&row| target.class_of(&labels[row]).is_some())
        .collect();
    for &position in &record.random_picks {
        assert!(
            random_picks[mapped[position as usize]],
            "position {position} is a random pick"
        );
    }
    let honest = record.honest_estimate.as_ref().expect("random picks");
    assert_eq!(honest.labels(), mapped_random_picks);
    let honest_auc = honest.roc_auc.expect("both classes").value;
    let cv_auc = record
        .cross_validated
        .as_ref()
        .and_then(|cv| cv.mean.roc_auc)
        .expect("cross-validated");
    assert!(
        honest_auc < 0.3 && cv_auc > 0.6,
        "honest {honest_auc} on the swapped labels, CV {cv_auc} on all"
    );
    let auc = honest.roc_auc.expect("both classes");
    assert!(auc.low <= auc.value && auc.value <= auc.high, "{auc:?}");

    // The same labels with no random pick: no honest estimate at all.
    let (plain, _) = train_round(request(&[])).expect("trains");
    assert_eq!(plain.honest_estimate, None);
    assert!(plain.random_picks.is_empty());

    // The page's two steps (record first, folds after) give the same estimate.
    let job = fink_vra::core::active::evaluation::EvaluationJob::for_record(&record);
    let values: Vec<f64> = mapped
        .iter()
        .flat_map(|&row| features.row(row).to_vec())
        .collect();
    let evaluated = job.run(&values).expect("folds run");
    assert_eq!(evaluated.honest.as_ref(), Some(honest));
}

#[test]
fn a_replay_with_random_picks_measures_the_pages_cv_and_honest_estimate_against_the_truth() {
    let config = ReplayConfig {
        initial: 20,
        batch: 20,
        rounds: 4,
        repeats: 3,
        exploration_share: 0.3,
        measure_estimates: true,
        ..small_config(
            "extra-trees",
            QueryStrategy::Uncertainty,
            ColdStart::Diverse,
        )
    };
    let paired =
        paired_replay(&table("train"), &table("val"), &galactic(), &config).expect("replays");
    // The random picks are in the cold start too, the same on both sides.
    assert_eq!(paired[0].gain_auc.mean, 0.0);
    assert_eq!(paired[0].auc, paired[0].random_auc);
    let last = paired.last().expect("rounds");
    assert_eq!(last.n_labels, 80);
    assert!(last.cv_error.is_some(), "80 labels cross-validate");
    assert!(
        last.honest_repeats > 0,
        "24 random picks hold both classes in some repeat"
    );
    let error = last.honest_error.expect("an honest estimate");
    assert!(error.mean.abs() < 0.5, "{error:?}");
    // Without random picks there is nothing to measure honestly.
    let none = paired_replay(
        &table("train"),
        &table("val"),
        &galactic(),
        &ReplayConfig {
            exploration_share: 0.0,
            ..config
        },
    )
    .expect("replays");
    assert!(none
        .iter()
        .all(|point| point.honest_repeats == 0 && point.honest_error.is_none()));
    assert!(none.last().expect("rounds").cv_error.is_some());
}
