//! The model side of a labelling session: the training job of a round (or
//! a refit), applying its answer whenever it comes back, and the settings
//! that decide whether the model's probabilities still hold.

use std::collections::HashMap;

use thiserror::Error;

use super::{FollowUp, LabellingSession};
use crate::core::active::evaluation::{EvaluationJob, RecordState};
use crate::core::active::round::RoundRecord;
use crate::core::active::validation::CrossValidation;
use crate::core::alert::Candid;
use crate::core::model_file::{training_matrix, ModelFileError};
use crate::core::workbench::{TrainingJob, TrainingOutcome, WorkbenchSettings};
use crate::core::workspace::Workspace;

/// Why a training answer was not applied.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StaleTraining {
    #[error("round {round} was already recorded")]
    RoundAlreadyRecorded { round: u32 },
    #[error("the answer has {found} probabilities for {expected} alerts")]
    Mismatched { expected: usize, found: usize },
}

/// P(class 1) by alert id, from the model fitted under `settings`.
#[derive(Clone, Debug, Default)]
pub(super) struct Scores {
    pub(super) settings: Option<WorkbenchSettings>,
    pub(super) by_alert: HashMap<Candid, f64>,
}

impl LabellingSession {
    /// The job that trains the next round (`record`), or a refit: the model
    /// of the current settings fitted again on every label whose row is
    /// loaded or in the training table, without recording anything, so that
    /// it scores every loaded alert (a fitted model is not kept across
    /// reloads or new files).
    pub fn training_job(
        &self,
        workspace: &Workspace,
        timestamp: String,
        record: bool,
    ) -> (TrainingJob, Vec<f64>) {
        let rounds = self.saved.rounds.len() as u32;
        let round = if record {
            rounds
        } else {
            rounds.saturating_sub(1)
        };
        let (mut job, values) = TrainingJob::for_workspace(
            workspace,
            &self.settled.training,
            &self.saved.settings,
            round,
            timestamp,
        );
        job.record = record;
        (job, values)
    }

    /// Applies a training answer: a recorded round sets each trained label's
    /// first round and joins the history; the probabilities are kept, by
    /// alert id, if the settings that fit the model are still the current
    /// ones. Skips end with a new round. Asks for a refit when alerts of
    /// `workspace` (loaded meanwhile) have no probability.
    pub fn apply_training(
        &mut self,
        workspace: &Workspace,
        job: &TrainingJob,
        outcome: TrainingOutcome,
    ) -> Result<FollowUp, StaleTraining> {
        if outcome.probabilities.len() != job.candids.len() {
            return Err(StaleTraining::Mismatched {
                expected: job.candids.len(),
                found: outcome.probabilities.len(),
            });
        }
        if job.record {
            if job.round as usize != self.saved.rounds.len() {
                return Err(StaleTraining::RoundAlreadyRecorded { round: job.round });
            }
            for example in &outcome.record.training {
                if let Ok(candid) = example.id.parse::<Candid>() {
                    self.saved
                        .labels
                        .record_first_round(candid, &example.label, job.round);
                }
            }
            let mut record = outcome.record;
            record.consensus = self.consensus_record();
            self.saved.rounds.push(record);
            self.skipped.clear();
            self.changed();
        } else if self.saved.rounds.is_empty() {
            // A refit for rounds that are gone (another tab's history?): nothing to score with.
            return Ok(FollowUp::default());
        }
        let fits = job.settings.fits_the_same_model(&self.saved.settings);
        if fits {
            self.scores = Scores {
                settings: Some(job.settings.clone()),
                by_alert: job
                    .candids
                    .iter()
                    .copied()
                    .zip(outcome.probabilities)
                    .collect(),
            };
        }
        Ok(FollowUp {
            rerank: true,
            refit: self.needs_scores(workspace),
        })
    }

    /// The cross-validations that complete the rounds whose record waits
    /// for one (recorded as soon as they ranked; the page may have been
    /// left or reloaded since), oldest first.
    pub fn pending_records(&self) -> Vec<EvaluationJob> {
        self.saved
            .rounds
            .iter()
            .filter(|record| record.is_pending())
            .map(EvaluationJob::for_record)
            .collect()
    }

    /// The cross-validation that completes round `round`'s record, if that
    /// record is not complete (pending, or not computed earlier).
    pub fn record_job(&self, round: u32) -> Option<EvaluationJob> {
        self.saved
            .rounds
            .iter()
            .find(|record| record.round == round && !record.is_complete())
            .map(EvaluationJob::for_record)
    }

    /// The training rows of `job`'s round, in its record's order, with its
    /// features: from the loaded alerts or the training table. An error
    /// names the training alerts missing.
    pub fn evaluation_rows(
        &self,
        workspace: &Workspace,
        job: &EvaluationJob,
    ) -> Result<Vec<f64>, ModelFileError> {
        let record = self
            .saved
            .rounds
            .iter()
            .find(|record| job.completes(record))
            .ok_or(ModelFileError::TrainingAlertsMissing {
                round: job.round,
                missing: job.classes.len(),
                total: job.classes.len(),
            })?;
        Ok(training_matrix(workspace, record)?.row_major().to_vec())
    }

    /// The record `job` names, unless it is complete already (another tab
    /// may have finished it first) or gone.
    fn open_record_mut(&mut self, job: &EvaluationJob) -> Option<&mut RoundRecord> {
        self.saved
            .rounds
            .iter_mut()
            .find(|record| job.completes(record) && !record.is_complete())
    }

    /// Sets the record that `job` names to `state`, if it is open. Says
    /// whether anything changed.
    fn set_record_state(&mut self, job: &EvaluationJob, state: RecordState) -> bool {
        let Some(record) = self.open_record_mut(job) else {
            return false;
        };
        if record.record_state == state {
            return false;
        }
        record.record_state = state;
        self.changed();
        true
    }

    /// The page starts `job` (again): its round's record is pending until
    /// the answer, also across a reload.
    pub fn mark_record_pending(&mut self, job: &EvaluationJob) {
        self.set_record_state(job, RecordState::Pending);
    }

    /// Completes the record `job` names with its cross-validation. Says
    /// whether it did (not when the round is gone or already complete).
    pub fn complete_record(&mut self, job: &EvaluationJob, evaluation: CrossValidation) -> bool {
        let Some(record) = self.open_record_mut(job) else {
            return false;
        };
        record.complete(evaluation);
        self.changed();
        true
    }

    /// The record `job` names stays without its cross-validation, and says
    /// why (the page offers to compute it again).
    pub fn record_not_computed(&mut self, job: &EvaluationJob, reason: String) {
        self.set_record_state(job, RecordState::NotComputed { reason });
    }

    /// Every record still pending stays without its cross-validation, and
    /// says why (Cancel: the one computed and those waiting behind it).
    pub fn pending_records_not_computed(&mut self, reason: &str) {
        for job in self.pending_records() {
            self.record_not_computed(&job, reason.to_string());
        }
    }

    /// Drops the probabilities if the current settings would fit another
    /// model than the one that computed them; says whether it did.
    pub(super) fn drop_scores_of_another_model(&mut self) -> bool {
        let stale = self
            .scores
            .settings
            .as_ref()
            .is_some_and(|fitted| !fitted.fits_the_same_model(&self.saved.settings));
        if stale {
            self.scores = Scores::default();
        }
        stale
    }

    /// What to do after alerts were added to the workspace: rank again, and
    /// refit if the model has not scored the new alerts.
    pub fn alerts_added(&self, workspace: &Workspace) -> FollowUp {
        FollowUp {
            rerank: true,
            refit: self.needs_scores(workspace),
        }
    }

    /// Whether a refit is due and can run: rounds were trained, a loaded
    /// alert has no probability from a model of the current settings, and a
    /// loaded alert has a label the current model type maps to a class.
    pub(super) fn needs_scores(&self, workspace: &Workspace) -> bool {
        let rows = workspace.features();
        let target = &self.saved.settings.target;
        !self.saved.rounds.is_empty()
            && rows
                .iter()
                .any(|row| self.probability_of(row.candid).is_none())
            && rows.iter().any(|row| {
                self.settled
                    .training
                    .get(row.candid)
                    .is_some_and(|entry| target.class_of(entry.label.name()).is_some())
            })
    }

    /// Changes the settings; probabilities of a model fitted under other
    /// model settings (target, classifier, seed, validation share) are dropped.
    pub fn set_settings(
        &mut self,
        workspace: &Workspace,
        settings: WorkbenchSettings,
        timestamp: String,
    ) -> FollowUp {
        if settings == self.saved.settings {
            return FollowUp::default();
        }
        self.saved.settings = settings;
        self.saved.settings_changed_at = timestamp;
        let stale = self.drop_scores_of_another_model();
        self.changed();
        FollowUp {
            rerank: true,
            refit: stale && self.needs_scores(workspace),
        }
    }
}
