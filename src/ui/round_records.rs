//! A round's record after its ranking, in the page (an `impl Workbench`):
//! "Train" records the round as soon as the model has ranked the pool, then
//! the round's cross-validation runs in the worker pool (`worker_pool`) and
//! completes the record while labelling goes on. A round still pending
//! after a reload is finished from its saved record once the stored rows are
//! read; one that cannot be (its training rows are gone, a worker failed,
//! Cancel) says "metrics not computed" and why, and can be computed again.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::workbench::Workbench;
use crate::core::active::evaluation::EvaluationJob;

/// The record being computed: its round, folds done and folds, workers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordProgress {
    pub round: u32,
    pub folds_done: usize,
    pub folds: usize,
    pub workers: usize,
}

impl RecordProgress {
    /// What the page says meanwhile.
    pub fn describe(&self) -> String {
        let workers = match self.workers {
            1 => "1 worker".to_string(),
            many => format!("{many} workers"),
        };
        format!(
            "Round {}: the new ranking is in use; cross-validating for its metrics and importance \
             ({} of {} folds, {workers})…",
            self.round, self.folds_done, self.folds
        )
    }
}

impl Workbench {
    /// Computes, one after the other, the records of the rounds that wait
    /// for theirs; a run already going takes the new ones too. Nothing runs
    /// before the stored rows are read (a reload's pending rounds need them).
    pub(super) fn run_pending_records(&self) {
        if self.records_running.get_value() || !self.stored_rows_read.get_value() {
            return;
        }
        self.records_running.set_value(true);
        let workbench = *self;
        let generation = self.record_generation.get_value();
        spawn_local(async move {
            while workbench.record_generation.get_value() == generation {
                let pending = workbench
                    .session
                    .with_untracked(|session| session.pending_records());
                let Some(job) = pending.into_iter().next() else {
                    break;
                };
                workbench.compute_in_pool(job, generation).await;
            }
            if workbench.record_generation.get_value() == generation {
                workbench.records_running.set_value(false);
                workbench.record_progress.set(None);
            }
        });
    }

    /// Computes round `round`'s record again ("Compute metrics": one not
    /// computed, or one pending that no run here is computing).
    pub fn compute_record(&self, round: u32) {
        let job = self
            .session
            .with_untracked(|session| session.record_job(round));
        if let Some(job) = job {
            self.session
                .update(|session| session.mark_record_pending(&job));
            self.run_pending_records();
        }
    }

    /// Runs `job` in the pool and writes what came of it into the record.
    async fn compute_in_pool(&self, job: EvaluationJob, generation: u64) {
        let rows = self.workspace.with_untracked(|workspace| {
            self.session
                .with_untracked(|session| session.evaluation_rows(workspace, &job))
        });
        let rows = match rows {
            Ok(rows) => rows,
            Err(problem) => {
                self.session
                    .update(|session| session.record_not_computed(&job, problem.to_string()));
                return;
            }
        };
        let workers = self.evaluators.size();
        let workbench = *self;
        let still_wanted = move || workbench.record_generation.get_value() == generation;
        let progress = move |folds_done, folds| {
            if still_wanted() {
                workbench.record_progress.set(Some(RecordProgress {
                    round: job.round,
                    folds_done,
                    folds,
                    workers,
                }))
            }
        };
        let outcome = self
            .evaluators
            .evaluate(&job, &rows, progress, still_wanted)
            .await;
        if !still_wanted() {
            return; // cancelled or switched meanwhile: the record says so already
        }
        self.session.update(|session| match outcome {
            Ok(evaluation) => {
                session.complete_record(&job, evaluation);
            }
            Err(reason) => session.record_not_computed(&job, format!("a worker failed: {reason}")),
        });
    }

    /// Stops the records being computed, if any. With a `reason` (Cancel)
    /// every pending record says "metrics not computed" and why, and can be
    /// computed again; without (a survey switch) they stay pending in their
    /// saved session, finished when it is opened again. Labels and the
    /// ranking stay.
    pub(super) fn stop_records(&self, reason: Option<&str>) {
        self.record_generation
            .set_value(self.record_generation.get_value() + 1);
        let was_running = self.records_running.get_value();
        self.records_running.set_value(false);
        self.record_progress.set(None);
        if was_running {
            self.evaluators.stop();
        }
        if let Some(reason) = reason {
            self.session
                .update(|session| session.pending_records_not_computed(reason));
        }
    }
}
