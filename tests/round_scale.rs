//! A round at team scale on the real labelled ATLAS table, its 2,000 rows
//! (training and validation) replicated with jitter to more labels than the
//! importance sample holds: the record is the same on 1, 2 and 4 threads,
//! the importance sample is a function of the seed, and the binned forest
//! still separates the classes.

mod common;

use common::atlas_table as table;
use fink_vra::core::active::round::{train_round, LabelledRows, RoundRecord, RoundRequest};
use fink_vra::core::active::strategy::QueryStrategy;
use fink_vra::core::active::validation::IMPORTANCE_SAMPLE_ROWS;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::model::{FeatureMatrix, ModelSpec};
use fink_vra::core::random::SplitMix64;

/// Ids, labels and rows: both splits, each row `copies` times (jittered by
/// up to ±1 %, missing values kept).
struct Labelled {
    ids: Vec<String>,
    labels: Vec<String>,
    rows: FeatureMatrix,
    feature_names: Vec<String>,
}

fn replicated(copies: usize) -> Labelled {
    let (train, validation) = (table("train"), table("val"));
    let mut random = SplitMix64::new(17);
    let mut labelled = Labelled {
        ids: Vec::new(),
        labels: Vec::new(),
        rows: FeatureMatrix::with_columns(train.features.columns()),
        feature_names: train.feature_names.clone(),
    };
    for copy in 0..copies {
        for source in [&train, &validation] {
            for index in 0..source.features.rows() {
                let row: Vec<f64> = source
                    .features
                    .row(index)
                    .iter()
                    .map(|value| value * (0.99 + random.below(2001) as f64 / 100_000.0))
                    .collect();
                labelled.rows.push_row(&row);
                labelled.ids.push(format!("{copy}-{}", labelled.ids.len()));
                labelled.labels.push(source.labels[index].clone());
            }
        }
    }
    labelled
}

fn round(labelled: &Labelled, model: &ModelSpec, seed: u64, threads: usize) -> RoundRecord {
    let target = TargetMapping::parse("galactic", "good=0,galactic=1,pm=1").expect("mapping");
    train_round(RoundRequest {
        round: 0,
        target: &target,
        model,
        strategy: QueryStrategy::Uncertainty,
        seed,
        timestamp: "2026-12-06T00:00:00Z".to_string(),
        feature_names: &labelled.feature_names,
        training: LabelledRows {
            ids: &labelled.ids,
            labels: &labelled.labels,
            features: &labelled.rows,
            random_picks: &[],
        },
        validation: None,
        threads,
    })
    .expect("round trains")
    .0
}

fn small_forest() -> ModelSpec {
    ModelSpec::ExtraTrees {
        trees: 8,
        min_samples_leaf: 1,
        max_features: None,
    }
}

#[test]
fn the_same_round_on_1_2_and_4_threads_gives_byte_identical_records() {
    let labelled = replicated(1);
    for model in [
        small_forest(),
        ModelSpec::by_name("gradient-boosting").expect("known"),
    ] {
        let one = serde_json::to_string(&round(&labelled, &model, 5, 1)).expect("serialises");
        for threads in [2, 4] {
            let many =
                serde_json::to_string(&round(&labelled, &model, 5, threads)).expect("serialises");
            assert!(one == many, "{} on {threads} threads", model.name());
        }
    }
}

#[test]
fn the_importance_sample_is_a_function_of_the_seed_and_the_forest_still_separates_the_classes() {
    // 6 copies: about 6,100 mapped labels, so each fold holds out more rows
    // than the importance sample takes.
    let labelled = replicated(6);
    let first = round(&labelled, &small_forest(), 9, 2);
    let cv = first.cross_validated.expect("two classes");
    let held_out_per_fold = first.training.len() / cv.folds;
    assert!(
        held_out_per_fold > IMPORTANCE_SAMPLE_ROWS,
        "{held_out_per_fold}"
    );
    assert!(cv.mean.roc_auc > Some(0.95), "{:?}", cv.mean.roc_auc);
    assert!(cv.mean.aurak > Some(0.5) && cv.mean.recall_at_k > Some(0.8));
    let importance = first.feature_importance.clone().expect("importance");
    assert!(importance
        .iter()
        .all(|f| f.auc_drop_se >= 0.0 && f.auc_drop_se.is_finite()));
    assert!(importance
        .iter()
        .any(|f| f.auc_drop > 2.0 * f.auc_drop_se && f.auc_drop > 0.0));
    let again = round(&labelled, &small_forest(), 9, 1);
    assert_eq!(again.feature_importance, first.feature_importance);
    let other_seed = round(&labelled, &small_forest(), 10, 2);
    assert_ne!(other_seed.feature_importance, first.feature_importance);
}
