//! A round's record after its ranking. The page shows the new ranking as
//! soon as the model is fitted and the pool scored; the cross-validated
//! metrics and the permutation importance, which cost several fits more,
//! follow and complete the round's record. Until then the record says so
//! ([`RecordState`]).
//!
//! An [`EvaluationJob`] is that second half as data: everything it needs is
//! in the round's record (the model, the seed, the features, the classes in
//! training order), and the training rows travel beside it in the record's
//! order. So a reload can finish a saved round again, and each fold is one
//! request that any worker of a pool can answer: the record does not depend
//! on how many workers ran the folds, nor in which order they finished
//! ([`FoldSchedule`]).

use serde::{Deserialize, Serialize};

use super::round::{RoundRecord, CROSS_VALIDATION_FOLDS};
use super::validation::{evaluate_fold, plan_folds, summarize_folds, CrossValidation, FoldOutcome};
use crate::core::model::{FeatureMatrix, ModelError, ModelSpec};

/// Whether a round's cross-validated metrics and importance are in its record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum RecordState {
    /// Everything is recorded (rounds saved before records came in two steps too).
    #[default]
    Complete,
    /// The model ranked the pool; the cross-validation is still to come.
    Pending,
    /// The cross-validation could not be computed, and why (a cancel, a
    /// worker's failure, training rows no longer at hand).
    NotComputed { reason: String },
}

/// The cross-validation of one recorded round, as data that can cross to a
/// worker. The training rows (the record's alerts, in its order, with its
/// features) travel beside it as one row-major `f64` array.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationJob {
    /// The round, and when it was trained: together they name the record.
    pub round: u32,
    pub timestamp: String,
    pub model: ModelSpec,
    /// The round's seed (as recorded: the settings' seed plus the round).
    pub seed: u64,
    pub features: Vec<String>,
    /// The class of each training row, in the record's order.
    pub classes: Vec<u8>,
    /// Whether each training row is a random pick's label (the exploration
    /// share), whose held-out prediction joins the honest estimate.
    pub random_picks: Vec<bool>,
}

impl EvaluationJob {
    /// The job that completes `record`.
    pub fn for_record(record: &RoundRecord) -> EvaluationJob {
        EvaluationJob {
            round: record.round,
            timestamp: record.timestamp.clone(),
            model: record.model.clone(),
            seed: record.seed,
            features: record.features.clone(),
            classes: record
                .training
                .iter()
                .map(|example| example.class)
                .collect(),
            random_picks: record.random_pick_flags(),
        }
    }

    /// Whether this job completes `record` (the same round, trained at the same time).
    pub fn completes(&self, record: &RoundRecord) -> bool {
        record.round == self.round && record.timestamp == self.timestamp
    }

    /// The folds of the cross-validation (0 when a class has fewer than 2 labels).
    pub fn fold_count(&self) -> usize {
        self.folds().map_or(0, |folds| folds.len())
    }

    fn folds(&self) -> Option<Vec<Vec<usize>>> {
        plan_folds(&self.classes, CROSS_VALIDATION_FOLDS, self.seed)
    }

    fn rows(&self, values: &[f64]) -> Result<FeatureMatrix, ModelError> {
        let columns = self.features.len();
        let expected = self.classes.len() * columns;
        if columns == 0 || values.len() != expected {
            return Err(ModelError::FeatureCountMismatch {
                expected,
                found: values.len(),
            });
        }
        let rows: Vec<&[f64]> = values.chunks_exact(columns).collect();
        FeatureMatrix::from_rows(&rows).ok_or(ModelError::NoTrainingRows)
    }

    /// Evaluates fold number `fold` on the training rows `values`.
    pub fn run_fold(&self, values: &[f64], fold: usize) -> Result<FoldOutcome, ModelError> {
        let rows = self.rows(values)?;
        let folds = self.folds().unwrap_or_default();
        let held_out = folds.get(fold).ok_or(ModelError::NoSuchFold {
            fold,
            folds: folds.len(),
        })?;
        evaluate_fold(
            &self.model,
            &rows,
            &self.classes,
            &self.random_picks,
            held_out,
            fold,
            self.seed,
        )
    }

    /// Every fold, one after the other, summarised: what the page's pool
    /// gives from the folds run anywhere, in one call (the round trained
    /// whole runs its folds beside its model instead: `round::train_round`).
    pub fn run(&self, values: &[f64]) -> Result<CrossValidation, ModelError> {
        cross_validate(
            &self.model,
            &self.rows(values)?,
            &self.classes,
            &self.random_picks,
            &self.features,
            self.seed,
        )
    }

    /// The folds' outcomes, in fold order, as the record's metrics and importance.
    pub fn summarize(&self, outcomes: &[FoldOutcome]) -> CrossValidation {
        summarize_folds(outcomes, &self.features, self.seed)
    }
}

/// A round's stratified cross-validation, every fold one after the other,
/// summarised as its record keeps it (metrics, each of `feature_names`'
/// importance, the honest estimate on the rows `random_picks` marks): what
/// [`EvaluationJob::run`] gives, and what the replay measures each round.
pub fn cross_validate(
    model: &ModelSpec,
    rows: &FeatureMatrix,
    classes: &[u8],
    random_picks: &[bool],
    feature_names: &[String],
    seed: u64,
) -> Result<CrossValidation, ModelError> {
    let outcomes = plan_folds(classes, CROSS_VALIDATION_FOLDS, seed)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(fold, held_out)| {
            evaluate_fold(model, rows, classes, random_picks, held_out, fold, seed)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(summarize_folds(&outcomes, feature_names, seed))
}

/// Which folds are still to run, on which worker, and what came back: the
/// bookkeeping of a pool of workers, kept out of the page so it is tested
/// natively. A fold whose worker failed goes back to the queue for another
/// worker; the evaluation fails only when no worker is left.
#[derive(Clone, Debug)]
pub struct FoldSchedule {
    waiting: Vec<usize>,
    outcomes: Vec<Option<FoldOutcome>>,
    workers_left: usize,
    last_failure: Option<String>,
}

/// What a worker of the pool does next.
#[derive(Clone, Debug, PartialEq)]
pub enum NextFold {
    Run(usize),
    /// Nothing left for this worker (the others finish what runs).
    Idle,
}

impl FoldSchedule {
    /// `folds` folds for `workers` workers.
    pub fn new(folds: usize, workers: usize) -> FoldSchedule {
        FoldSchedule {
            waiting: (0..folds).rev().collect(),
            outcomes: vec![None; folds],
            workers_left: workers.max(1),
            last_failure: None,
        }
    }

    /// The next fold for a free worker, lowest number first.
    pub fn next_fold(&mut self) -> NextFold {
        if self.workers_left == 0 {
            return NextFold::Idle;
        }
        self.waiting.pop().map_or(NextFold::Idle, NextFold::Run)
    }

    /// A fold's outcome came back.
    pub fn done(&mut self, fold: usize, outcome: FoldOutcome) {
        if let Some(slot) = self.outcomes.get_mut(fold) {
            *slot = Some(outcome);
        }
    }

    /// The worker running `fold` failed (`reason`): the fold waits for
    /// another worker, and this one takes no more.
    pub fn worker_failed(&mut self, fold: usize, reason: String) {
        if fold < self.outcomes.len() && self.outcomes[fold].is_none() {
            self.waiting.push(fold);
        }
        self.workers_left = self.workers_left.saturating_sub(1);
        self.last_failure = Some(reason);
    }

    /// Folds done, out of all.
    pub fn progress(&self) -> (usize, usize) {
        let done = self.outcomes.iter().filter(|o| o.is_some()).count();
        (done, self.outcomes.len())
    }

    /// Every outcome in fold order once all are in; the last worker's
    /// failure once no worker is left for the folds still waiting; `None`
    /// while folds run.
    pub fn finished(&self) -> Option<Result<Vec<FoldOutcome>, String>> {
        if self.outcomes.iter().all(Option::is_some) {
            return Some(Ok(self.outcomes.iter().flatten().cloned().collect()));
        }
        (self.workers_left == 0).then(|| {
            Err(self
                .last_failure
                .clone()
                .unwrap_or_else(|| "no worker was left".to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::random::SplitMix64;

    fn separable_job() -> (EvaluationJob, Vec<f64>) {
        let mut random = SplitMix64::new(1);
        let values: Vec<f64> = (0..60)
            .flat_map(|i| {
                let class = (i % 2) as f64;
                [class * 3.0 + (i % 5) as f64 * 0.1, random.below(100) as f64]
            })
            .collect();
        let job = EvaluationJob {
            round: 0,
            timestamp: "t".into(),
            model: ModelSpec::by_name("extra-trees").expect("known"),
            seed: 7,
            features: vec!["signal".to_string(), "noise".to_string()],
            classes: (0..60).map(|i| (i % 2) as u8).collect(),
            random_picks: Vec::new(),
        };
        (job, values)
    }

    #[test]
    fn the_feature_that_separates_the_classes_matters_and_noise_does_not() {
        let (job, values) = separable_job();
        let found = job.run(&values).expect("validates");
        let importance = found.importance.expect("two classes");
        assert_eq!(importance[0].feature, "signal");
        assert!(importance[0].auc_drop > 0.2, "{importance:?}");
        assert!(importance[1].auc_drop.abs() < 0.1, "{importance:?}");
        assert_eq!(found.metrics.expect("two classes").folds, 5);
    }

    #[test]
    fn folds_run_one_by_one_in_any_order_give_what_the_whole_run_gives() {
        let (job, values) = separable_job();
        let mut outcomes: Vec<(usize, FoldOutcome)> = [3, 0, 4, 1, 2]
            .iter()
            .map(|&fold| (fold, job.run_fold(&values, fold).expect("runs")))
            .collect();
        outcomes.sort_by_key(|(fold, _)| *fold);
        let outcomes: Vec<FoldOutcome> = outcomes.into_iter().map(|(_, o)| o).collect();
        assert_eq!(job.summarize(&outcomes), job.run(&values).expect("runs"));
        assert!(job.run_fold(&values, 5).is_err(), "there are 5 folds");
        assert!(job.run_fold(&values[1..], 0).is_err(), "short rows");
    }

    #[test]
    fn a_failed_worker_hands_its_fold_to_another_and_the_last_failure_is_the_reason() {
        let (job, values) = separable_job();
        let outcome = |fold| job.run_fold(&values, fold).expect("runs");
        let mut schedule = FoldSchedule::new(3, 2);
        assert_eq!(schedule.next_fold(), NextFold::Run(0));
        assert_eq!(schedule.next_fold(), NextFold::Run(1));
        schedule.worker_failed(0, "out of memory".into());
        assert_eq!(schedule.finished(), None);
        schedule.done(1, outcome(1));
        assert_eq!(
            schedule.next_fold(),
            NextFold::Run(0),
            "the failed fold first"
        );
        schedule.done(0, outcome(0));
        assert_eq!(schedule.next_fold(), NextFold::Run(2));
        schedule.done(2, outcome(2));
        assert_eq!(schedule.next_fold(), NextFold::Idle);
        assert_eq!(schedule.progress(), (3, 3));
        let done = schedule.finished().expect("finished").expect("complete");
        assert_eq!(done, vec![outcome(0), outcome(1), outcome(2)]);

        // A worker fails while the other is idle: the idle one takes the fold.
        let mut idle = FoldSchedule::new(2, 2);
        assert_eq!(idle.next_fold(), NextFold::Run(0));
        assert_eq!(idle.next_fold(), NextFold::Run(1));
        idle.done(1, outcome(1));
        assert_eq!(idle.next_fold(), NextFold::Idle, "the second worker waits");
        idle.worker_failed(0, "the worker stopped".into());
        assert_eq!(
            idle.next_fold(),
            NextFold::Run(0),
            "the idle worker takes it"
        );
        idle.done(0, outcome(0));
        assert_eq!(idle.finished(), Some(Ok(vec![outcome(0), outcome(1)])));

        let mut alone = FoldSchedule::new(2, 1);
        assert_eq!(alone.next_fold(), NextFold::Run(0));
        alone.worker_failed(0, "the worker stopped: unreachable".into());
        assert_eq!(alone.next_fold(), NextFold::Idle);
        assert_eq!(
            alone.finished(),
            Some(Err("the worker stopped: unreachable".to_string()))
        );
    }
}
