//! The model file: a round's trained VRA as a versioned JSON document
//! (`"format": "fink-vra-model", "version": 1`) holding everything needed to
//! score a new alert exactly as the page did (survey, feature names in input
//! order, target mapping, classifier and hyper-parameters, the fitted model
//! with its imputation and scaling) and to say where it came from (training
//! alerts and labels, metrics, importance, seed, tool version). Nothing in it
//! is specific to a language: trees are node lists, the rest numbers.
//!
//! The CLI scores alert files with it (`fink-vra score`), `model_file::onnx`
//! turns it into an ONNX-ML graph, and the page exports one per round.

pub mod missing;
pub mod onnx;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::core::active::honest::HonestEstimate;
use crate::core::active::metrics::BinaryMetrics;
use crate::core::active::round::{refit, RoundRecord, TrainingExample};
use crate::core::active::strategy::QueryStrategy;
use crate::core::active::validation::{CrossValidated, FeatureImportance};
use crate::core::alert::Survey;
use crate::core::features::{feature_names, FeatureRow};
use crate::core::labels::targets::TargetMapping;
use crate::core::model::fitted::FittedModelError;
use crate::core::model::{FeatureMatrix, FittedModel, ModelError, ModelSpec};
use crate::core::team::consensus::ConsensusRecord;
use crate::core::workspace::Workspace;

/// The `format` field of every model file.
pub const MODEL_FORMAT: &str = "fink-vra-model";
/// The version this build writes, and the newest it reads.
pub const MODEL_VERSION: u32 = 1;

/// How the round's model did, as the round recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// Stratified k-fold cross-validation on the training labels.
    pub cross_validated: Option<CrossValidated>,
    /// On the training labels themselves (optimistic).
    pub training_set: BinaryMetrics,
    /// On the held-out validation labels, if any.
    pub validation: Option<BinaryMetrics>,
    /// On the random picks' labels alone ("estimated on tonight's
    /// alerts"), when the round had random picks. Absent from files
    /// written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honest_estimate: Option<HonestEstimate>,
}

/// A model file, version 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Always [`MODEL_VERSION`] when written by this build.
    pub version: u32,
    /// The program and version that wrote it, e.g. `fink-vra 0.1.0`.
    pub tool: String,
    pub survey: Survey,
    /// The model's input columns, in order (the ONNX input's columns too).
    pub feature_names: Vec<String>,
    /// The model type: its name and label → class mapping (class 1 is
    /// what `p_class1` is the probability of).
    pub target: TargetMapping,
    /// The classifier and all its hyper-parameters.
    pub classifier: ModelSpec,
    /// The fitted model: imputation and scaling values, trees or weights.
    pub fitted: FittedModel,
    pub round: u32,
    /// The seed the round's model was fitted with.
    pub seed: u64,
    /// The query strategy of the session (it does not change the model).
    pub strategy: QueryStrategy,
    /// When the round was trained (UTC, ISO 8601).
    pub trained_at: String,
    /// The training alerts (ids as decimal strings) with label and class,
    /// in the order the model was fitted on them.
    pub training: Vec<TrainingExample>,
    pub metrics: ModelMetrics,
    /// Permutation importance per feature (mean drop in ROC AUC).
    pub feature_importance: Option<Vec<FeatureImportance>>,
    /// Per feature (in `feature_names` order), the share of the training
    /// rows where it was missing, so that scoring can say when alerts lack
    /// a feature far more often (`missing`). Absent from files written
    /// before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_missing_share: Option<Vec<f64>>,
    /// How a team's votes became the training labels, when they did (the
    /// round's `consensus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consensus: Option<ConsensusRecord>,
}

/// Why a model file cannot be read, or a round's model not exported.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelFileError {
    #[error("this is not JSON: {detail}")]
    NotJson { detail: String },
    #[error("this is not a fink-vra model file (no \"format\": \"{MODEL_FORMAT}\")")]
    NotAModelFile,
    #[error("this model file is version {found}, newer than this fink-vra reads (up to {MODEL_VERSION}): update fink-vra")]
    Newer { found: u64 },
    #[error("this model file is broken: {detail}")]
    Invalid { detail: String },
    #[error("this model file's fitted model is broken: {problem}")]
    BrokenModel { problem: FittedModelError },
    #[error("the model uses {feature}, which is not a {survey} feature")]
    UnknownFeature { feature: String, survey: Survey },
    #[error("round {round}'s model needs {missing} of its {total} training alerts, which are neither loaded nor stored: load their files once")]
    TrainingAlertsMissing {
        round: u32,
        missing: usize,
        total: usize,
    },
    #[error("the model is for {model} alerts, not {alerts}")]
    OtherSurvey { model: Survey, alerts: Survey },
    #[error("round {round} was trained by an earlier fink-vra, whose models this one does not fit again: train a new round to export its model")]
    OlderRound { round: u32 },
    #[error("round {round}'s model could not be exported: {problem}")]
    Unexportable {
        round: u32,
        problem: FittedModelError,
    },
    #[error("the model could not be fitted again: {0}")]
    Model(#[from] ModelError),
}

impl ModelFile {
    /// The model file of `record`, whose model is `fitted`.
    pub fn for_round(
        survey: Survey,
        record: &RoundRecord,
        fitted: FittedModel,
        training_missing_share: Vec<f64>,
    ) -> ModelFile {
        ModelFile {
            format: MODEL_FORMAT.to_string(),
            version: MODEL_VERSION,
            tool: format!("fink-vra {}", env!("CARGO_PKG_VERSION")),
            survey,
            feature_names: record.features.clone(),
            target: record.target.clone(),
            classifier: record.model.clone(),
            fitted,
            round: record.round,
            seed: record.seed,
            strategy: record.strategy,
            trained_at: record.timestamp.clone(),
            training: record.training.clone(),
            metrics: ModelMetrics {
                cross_validated: record.cross_validated,
                training_set: record.training_set,
                validation: record.validation,
                honest_estimate: record.honest_estimate.clone(),
            },
            feature_importance: record.feature_importance.clone(),
            training_missing_share: Some(training_missing_share),
            consensus: record.consensus.clone(),
        }
    }

    /// The model of round `record`, fitted again on the workspace's rows of
    /// its training alerts (all must be loaded): the round's model exactly.
    /// Rounds recorded before rounds named their features were fitted by an
    /// earlier forest, so they are not exported as if they were this one's.
    pub fn export_round(
        workspace: &Workspace,
        record: &RoundRecord,
    ) -> Result<ModelFile, ModelFileError> {
        if record.features.is_empty() {
            return Err(ModelFileError::OlderRound {
                round: record.round,
            });
        }
        let matrix = training_matrix(workspace, record)?;
        let fitted = refit(record, &matrix)?;
        ModelFile::checked(workspace.survey(), record, fitted, &matrix)
    }

    /// The model file of `record` with the model it fitted on `training`
    /// (its training rows, in the record's features; checked first: a model
    /// that could not be scored elsewhere is refused), when the fit is at
    /// hand and need not be done again.
    pub fn checked(
        survey: Survey,
        record: &RoundRecord,
        fitted: FittedModel,
        training: &FeatureMatrix,
    ) -> Result<ModelFile, ModelFileError> {
        fitted
            .check()
            .map_err(|problem| ModelFileError::Unexportable {
                round: record.round,
                problem,
            })?;
        Ok(ModelFile::for_round(
            survey,
            record,
            fitted,
            missing::missing_shares(training),
        ))
    }

    /// The file as compact JSON, on one line: a forest's nodes are most of
    /// it, and indenting them more than doubled it (51 MB against 23 MB for
    /// 50 trees on 20,000 labels), which every download, MLflow upload and
    /// Spark broadcast pays for.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and checks a model file: its format and version first (a newer
    /// file is refused with a message), then every field, then the model
    /// itself, so that a file that reads can score without failing.
    pub fn from_json(text: &str) -> Result<ModelFile, ModelFileError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| ModelFileError::NotJson {
                detail: error.to_string(),
            })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(MODEL_FORMAT) {
            return Err(ModelFileError::NotAModelFile);
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            None | Some(0) => {
                return Err(ModelFileError::Invalid {
                    detail: "`version` is not a positive whole number".to_string(),
                })
            }
            Some(found) if found > u64::from(MODEL_VERSION) => {
                return Err(ModelFileError::Newer { found })
            }
            Some(_) => {}
        }
        let file: ModelFile =
            serde_json::from_value(value).map_err(|error| ModelFileError::Invalid {
                detail: error.to_string(),
            })?;
        if file.feature_names.is_empty() {
            return Err(ModelFileError::Invalid {
                detail: "`feature_names` is empty: a model needs at least one feature".to_string(),
            });
        }
        input_columns(file.survey, &file.feature_names)?;
        file.fitted
            .check()
            .map_err(|problem| ModelFileError::BrokenModel { problem })?;
        if let Some(shares) = &file.training_missing_share {
            if shares.len() != file.feature_names.len()
                || !shares.iter().all(|share| (0.0..=1.0).contains(share))
            {
                return Err(ModelFileError::Invalid {
                    detail: format!(
                        "`training_missing_share` needs one share from 0 to 1 per feature ({})",
                        file.feature_names.len()
                    ),
                });
            }
        }
        if file.fitted.input_columns() != file.feature_names.len() {
            return Err(ModelFileError::Invalid {
                detail: format!(
                    "the fitted model takes {} features but {} are named",
                    file.fitted.input_columns(),
                    file.feature_names.len()
                ),
            });
        }
        Ok(file)
    }

    /// The model's features that `matrix` (in `feature_names` order) lacks
    /// far more often than its training rows did.
    pub fn missing_in(&self, matrix: &FeatureMatrix) -> Vec<missing::MissingFeature> {
        missing::missing_features(
            &self.feature_names,
            self.training_missing_share.as_deref(),
            matrix,
        )
    }

    /// P(class 1) of each row (rows of this file's survey), in order.
    pub fn score(&self, rows: &[FeatureRow]) -> Result<Vec<f64>, ModelFileError> {
        self.probabilities_of(&self.input_matrix(rows)?)
    }

    /// [`ModelFile::score`] of the rows of one file (or table, or batch),
    /// and the model's features they lack far more often than its training
    /// rows did ([`ModelFile::missing_in`]), from one matrix of their values.
    pub fn score_noting_missing(
        &self,
        rows: &[FeatureRow],
    ) -> Result<(Vec<f64>, Vec<missing::MissingFeature>), ModelFileError> {
        let matrix = self.input_matrix(rows)?;
        Ok((self.probabilities_of(&matrix)?, self.missing_in(&matrix)))
    }

    /// The model's input columns of `rows`, which must be of its survey.
    fn input_matrix(&self, rows: &[FeatureRow]) -> Result<FeatureMatrix, ModelFileError> {
        let columns = input_columns(self.survey, &self.feature_names)?;
        if let Some(other) = rows.iter().find(|row| row.survey != self.survey) {
            return Err(ModelFileError::OtherSurvey {
                model: self.survey,
                alerts: other.survey,
            });
        }
        let rows: Vec<&FeatureRow> = rows.iter().collect();
        matrix_of(&rows, &columns)
    }

    /// P(class 1) of each row of `matrix`, one per row.
    fn probabilities_of(&self, matrix: &FeatureMatrix) -> Result<Vec<f64>, ModelFileError> {
        let probabilities = self.fitted.predict_proba(matrix)?;
        if probabilities.len() != matrix.rows() {
            return Err(ModelFileError::Invalid {
                detail: format!(
                    "the model gave {} probabilities for {} alerts",
                    probabilities.len(),
                    matrix.rows()
                ),
            });
        }
        Ok(probabilities)
    }
}

/// The feature rows of `record`'s training alerts in `workspace`, in the
/// record's order; an error if any is neither loaded nor in the training table.
pub fn training_rows<'w>(
    workspace: &'w Workspace,
    record: &RoundRecord,
) -> Result<Vec<&'w FeatureRow>, ModelFileError> {
    let rows: Vec<&FeatureRow> = record
        .training
        .iter()
        .filter_map(|example| workspace.feature_row_of_id(&example.id))
        .collect();
    if rows.len() != record.training.len() {
        return Err(ModelFileError::TrainingAlertsMissing {
            round: record.round,
            missing: record.training.len() - rows.len(),
            total: record.training.len(),
        });
    }
    Ok(rows)
}

/// The rows `record` trained on, in its order, with its features: from the
/// workspace's loaded alerts or its training table. An error names the
/// training alerts missing, or a feature the survey does not have.
pub fn training_matrix(
    workspace: &Workspace,
    record: &RoundRecord,
) -> Result<FeatureMatrix, ModelFileError> {
    let columns = input_columns(workspace.survey(), &record.features)?;
    matrix_of(&training_rows(workspace, record)?, &columns)
}

/// The column of each named feature in `survey`'s feature row.
pub fn input_columns(survey: Survey, names: &[String]) -> Result<Vec<usize>, ModelFileError> {
    let all = feature_names(survey);
    names
        .iter()
        .map(|name| {
            all.iter().position(|known| known == name).ok_or_else(|| {
                ModelFileError::UnknownFeature {
                    feature: name.clone(),
                    survey,
                }
            })
        })
        .collect()
}

/// The given columns of `rows`, as a matrix; an error for a row too short
/// (not a row of the model's survey).
fn matrix_of(rows: &[&FeatureRow], columns: &[usize]) -> Result<FeatureMatrix, ModelFileError> {
    let mut matrix = FeatureMatrix::with_columns(columns.len());
    let mut cells = Vec::with_capacity(columns.len());
    for row in rows {
        cells.clear();
        for &column in columns {
            let value = row
                .values
                .get(column)
                .ok_or_else(|| ModelFileError::Invalid {
                    detail: format!(
                        "alert {} has {} features, not its survey's",
                        row.candid,
                        row.values.len()
                    ),
                })?;
            cells.push(*value);
        }
        matrix.push_row(&cells);
    }
    Ok(matrix)
}
