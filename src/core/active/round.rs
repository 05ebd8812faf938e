//! One active-learning round: fit the chosen model on the labels so far (those
//! the model type maps to a class), measure it honestly, and record everything
//! needed to reproduce it, as the researcher logged rounds to MLflow.

use serde::{Deserialize, Serialize};

use super::evaluation::RecordState;
use super::honest::HonestEstimate;
use super::metrics::{binary_metrics, BinaryMetrics};
use super::strategy::QueryStrategy;
use super::validation::{
    evaluate_fold, plan_folds, summarize_folds, CrossValidated, CrossValidation, FeatureImportance,
    FoldOutcome,
};
use crate::core::labels::class_summary::ClassSummary;
use crate::core::labels::entry::TrainedRound;
use crate::core::labels::targets::TargetMapping;
use crate::core::model::{FeatureMatrix, FittedModel, ModelError, ModelSpec};
use crate::core::parallel::map_in_order;
use crate::core::team::consensus::ConsensusRecord;

/// Folds of the cross-validation reported with each round (fewer when a class
/// has fewer labels).
pub const CROSS_VALIDATION_FOLDS: usize = 5;

pub use crate::core::labels::entry::TrainingExample;

/// Everything about one round, serialisable for storage and export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    pub round: u32,
    /// The model type (target mapping) name, e.g. `gal`.
    pub model_type: String,
    pub target: TargetMapping,
    pub model: ModelSpec,
    pub strategy: QueryStrategy,
    pub seed: u64,
    /// UTC, ISO 8601; given by the caller (the core reads no clock).
    pub timestamp: String,
    /// The features the model used, in the order of its input (empty in
    /// rounds saved before the choice existed: all of the survey's).
    #[serde(default)]
    pub features: Vec<String>,
    /// The training labels, in the order the model was fitted on them.
    pub training: Vec<TrainingExample>,
    /// Training labels in class 0 and class 1.
    pub class_counts: [usize; 2],
    /// Stratified k-fold cross-validation on the training labels: the honest figure.
    pub cross_validated: Option<CrossValidated>,
    /// Permutation importance of each used feature on the cross-validation
    /// folds (`None` without cross-validation, or in older rounds).
    #[serde(default)]
    pub feature_importance: Option<Vec<FeatureImportance>>,
    /// Metrics on the training labels themselves: optimistic, labelled as such.
    pub training_set: BinaryMetrics,
    /// Metrics on the user's held-out validation labels, if any.
    pub validation: Option<BinaryMetrics>,
    /// Whether `cross_validated` and `feature_importance` are in: a round
    /// recorded as soon as it ranks has them later (`active::evaluation`).
    #[serde(default)]
    pub record_state: RecordState,
    /// How a team's votes became the training labels, when they did
    /// (`fink-vra train --consensus`); `None` for rounds of one annotator's
    /// labels and in older rounds. (Never skipped when written: a round
    /// crosses to the page's workers in postcard, which is not
    /// self-describing.)
    #[serde(default)]
    pub consensus: Option<ConsensusRecord>,
    /// Positions in `training` of the random picks' labels (the exploration
    /// share: alerts drawn uniformly from the pool), ascending; empty
    /// without them and in older rounds.
    #[serde(default)]
    pub random_picks: Vec<u32>,
    /// The round's metrics on the random picks alone, "estimated on
    /// tonight's alerts" (`active::honest`); `None` without random picks,
    /// before the cross-validation and in older rounds.
    #[serde(default)]
    pub honest_estimate: Option<HonestEstimate>,
}

impl RoundRecord {
    /// What the round trained on, each class by name with its labels.
    pub fn class_summary(&self) -> ClassSummary {
        ClassSummary::of(
            &self.target,
            self.training.iter().map(|example| example.label.as_str()),
        )
    }

    /// Completes a pending record with its cross-validation.
    pub fn complete(&mut self, evaluation: CrossValidation) {
        self.cross_validated = evaluation.metrics;
        self.feature_importance = evaluation.importance;
        self.honest_estimate = evaluation.honest;
        self.record_state = RecordState::Complete;
    }

    /// Whether each training label is a random pick's, in training order.
    pub fn random_pick_flags(&self) -> Vec<bool> {
        let mut flags = vec![false; self.training.len()];
        for &position in &self.random_picks {
            if let Some(flag) = flags.get_mut(position as usize) {
                *flag = true;
            }
        }
        flags
    }

    /// Whether the cross-validation is still to come.
    pub fn is_pending(&self) -> bool {
        self.record_state == RecordState::Pending
    }

    /// Whether the cross-validation and importance are in.
    pub fn is_complete(&self) -> bool {
        self.record_state == RecordState::Complete
    }
}

impl TrainedRound for RoundRecord {
    fn round_number(&self) -> u32 {
        self.round
    }

    fn training(&self) -> &[TrainingExample] {
        &self.training
    }
}

/// Labelled rows for a round: IDs, label text and feature rows, aligned.
pub struct LabelledRows<'a> {
    pub ids: &'a [String],
    pub labels: &'a [String],
    pub features: &'a FeatureMatrix,
    /// Whether each row is a random pick's label (the exploration share);
    /// empty when none is.
    pub random_picks: &'a [bool],
}

/// What a round is asked to do.
pub struct RoundRequest<'a> {
    pub round: u32,
    pub target: &'a TargetMapping,
    pub model: &'a ModelSpec,
    pub strategy: QueryStrategy,
    pub seed: u64,
    pub timestamp: String,
    /// The names of the feature columns of `training` (and `validation`).
    pub feature_names: &'a [String],
    pub training: LabelledRows<'a>,
    pub validation: Option<LabelledRows<'a>>,
    /// Threads the round's fits may run on (1 in the page's worker). The
    /// record does not depend on it.
    pub threads: usize,
}

/// A round's independent pieces of work: the model, and each fold.
enum Piece<'a> {
    Model,
    Fold {
        number: usize,
        held_out: &'a [usize],
    },
}

enum PieceOutcome {
    /// The model and its record without the cross-validation (measured in
    /// the same piece, while other threads run folds).
    Model(Box<(RoundRecord, FittedModel)>),
    Fold(FoldOutcome),
}

/// The rows of `rows` whose label the target maps, with their classes.
pub fn mapped_rows(target: &TargetMapping, labels: &[String]) -> (Vec<usize>, Vec<u8>) {
    labels
        .iter()
        .enumerate()
        .filter_map(|(index, label)| target.class_of(label).map(|class| (index, class)))
        .unzip()
}

/// Whether each of the rows `indices` is a random pick's label.
fn mapped_flags(random_picks: &[bool], indices: &[usize]) -> Vec<bool> {
    indices
        .iter()
        .map(|&index| random_picks.get(index).copied().unwrap_or(false))
        .collect()
}

/// Fits the round's model and measures it, cross-validation included (the
/// model and the folds on up to `request.threads` threads). Labels without
/// a class for the target are ignored.
pub fn train_round(request: RoundRequest) -> Result<(RoundRecord, FittedModel), ModelError> {
    let (indices, classes) = mapped_rows(request.target, request.training.labels);
    let rows = request.training.features.select_rows(&indices);
    let random_picks = mapped_flags(request.training.random_picks, &indices);
    let folds = plan_folds(&classes, CROSS_VALIDATION_FOLDS, request.seed).unwrap_or_default();
    let pieces: Vec<Piece> = std::iter::once(Piece::Model)
        .chain(
            folds
                .iter()
                .enumerate()
                .map(|(number, held_out)| Piece::Fold { number, held_out }),
        )
        .collect();
    let mut model = None;
    let mut fold_outcomes = Vec::with_capacity(folds.len());
    for outcome in map_in_order(&pieces, request.threads, |piece| match piece {
        Piece::Model => {
            let fitted = request.model.fit(&rows, &classes, request.seed)?;
            let record = record_of(&request, &fitted)?;
            Ok(PieceOutcome::Model(Box::new((record, fitted))))
        }
        Piece::Fold { number, held_out } => evaluate_fold(
            request.model,
            &rows,
            &classes,
            &random_picks,
            held_out,
            *number,
            request.seed,
        )
        .map(PieceOutcome::Fold),
    }) {
        match outcome? {
            PieceOutcome::Model(fitted) => model = Some(*fitted),
            PieceOutcome::Fold(fold) => fold_outcomes.push(fold),
        }
    }
    let (mut record, model) = model.ok_or(ModelError::NoTrainingRows)?;
    record.complete(summarize_folds(
        &fold_outcomes,
        request.feature_names,
        request.seed,
    ));
    Ok((record, model))
}

/// The round's record without its cross-validation, which follows
/// (`RecordState::Pending`, completed by an `active::evaluation::EvaluationJob`),
/// so that the new model ranks the pool at once; a round that cannot be
/// cross-validated (a class with fewer than 2 labels) is complete already,
/// as with [`train_round`]. Made from the probabilities the round's model
/// gives every row of `request.training` and of `request.validation`
/// (mapped to a class or not, in their order): the model is fitted and
/// applied by the caller (`core::ranking_fit`), whole or in parts.
pub fn record_from_probabilities(
    request: &RoundRequest,
    training: &[f64],
    validation: Option<&[f64]>,
) -> RoundRecord {
    pending_unless_too_few(record_with(request, training, validation), request)
}

/// `record` pending its cross-validation, or complete without one when a
/// class has too few labels for folds.
fn pending_unless_too_few(mut record: RoundRecord, request: &RoundRequest) -> RoundRecord {
    let (_, classes) = mapped_rows(request.target, request.training.labels);
    if plan_folds(&classes, CROSS_VALIDATION_FOLDS, request.seed).is_some() {
        record.record_state = RecordState::Pending;
    } else {
        record.complete(summarize_folds(&[], request.feature_names, request.seed));
    }
    record
}

/// The record of the round `request` fitted as `model`, without its
/// cross-validation.
fn record_of(request: &RoundRequest, model: &FittedModel) -> Result<RoundRecord, ModelError> {
    let training = model.predict_proba(request.training.features)?;
    let validation = match &request.validation {
        Some(held_out) => Some(model.predict_proba(held_out.features)?),
        None => None,
    };
    Ok(record_with(request, &training, validation.as_deref()))
}

/// The record of the round `request` whose model gave `training` and
/// `validation` (every row of each), without its cross-validation.
fn record_with(
    request: &RoundRequest,
    training_probabilities: &[f64],
    validation_probabilities: Option<&[f64]>,
) -> RoundRecord {
    let (indices, classes) = mapped_rows(request.target, request.training.labels);
    let of_mapped = |probabilities: &[f64], indices: &[usize]| -> Vec<f64> {
        indices.iter().map(|&index| probabilities[index]).collect()
    };
    let training_set = binary_metrics(&classes, &of_mapped(training_probabilities, &indices));
    let validation = request
        .validation
        .as_ref()
        .zip(validation_probabilities)
        .and_then(|(held_out, probabilities)| {
            let (validation_indices, validation_classes) =
                mapped_rows(request.target, held_out.labels);
            (!validation_classes.is_empty()).then(|| {
                binary_metrics(
                    &validation_classes,
                    &of_mapped(probabilities, &validation_indices),
                )
            })
        });
    let training = indices
        .iter()
        .zip(&classes)
        .map(|(&index, &class)| TrainingExample {
            id: request.training.ids[index].clone(),
            label: request.training.labels[index].clone(),
            class,
        })
        .collect();
    let positives = classes.iter().filter(|&&class| class == 1).count();
    let random_picks = mapped_flags(request.training.random_picks, &indices)
        .iter()
        .enumerate()
        .filter(|(_, &random)| random)
        .map(|(position, _)| position as u32)
        .collect();
    RoundRecord {
        round: request.round,
        model_type: request.target.name.clone(),
        target: request.target.clone(),
        model: request.model.clone(),
        strategy: request.strategy,
        seed: request.seed,
        timestamp: request.timestamp.clone(),
        features: request.feature_names.to_vec(),
        training,
        class_counts: [classes.len() - positives, positives],
        cross_validated: None,
        feature_importance: None,
        training_set,
        validation,
        record_state: RecordState::Complete,
        consensus: None,
        random_picks,
        honest_estimate: None,
    }
}

/// Fits `record`'s model again on `rows`: its training alerts' feature rows,
/// in the record's order, with its features. Fitting is deterministic, so
/// this is the model the round trained, bit for bit (how a model is exported
/// after the page has been reloaded).
pub fn refit(record: &RoundRecord, rows: &FeatureMatrix) -> Result<FittedModel, ModelError> {
    let classes: Vec<u8> = record
        .training
        .iter()
        .map(|example| example.class)
        .collect();
    record.model.fit(rows, &classes, record.seed)
}

/// The round history as JSON (for storage and exports).
pub fn history_to_json(rounds: &[RoundRecord]) -> String {
    serde_json::to_string(rounds).unwrap_or_else(|_| "[]".to_string())
}

/// Reads a round history written by [`history_to_json`].
pub fn history_from_json(text: &str) -> Result<Vec<RoundRecord>, serde_json::Error> {
    serde_json::from_str(text)
}
