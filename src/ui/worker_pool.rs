//! The pool of Web Workers that computes a round's record after its ranking:
//! one fold of the cross-validation per request, on plain workers (a static
//! host cannot set the headers SharedArrayBuffer needs, so nothing is
//! shared; each worker gets a copy of the training rows). The pool has
//! `navigator.hardwareConcurrency − 1` workers, at most 4, at least 1;
//! `?workers=N` in the page's address sets it (for benchmarks). The trainer
//! (the worker that fits and ranks) takes folds too, after the pool's own
//! workers: once the ranking is out it would sit idle while the record is
//! computed, and on a machine of two cores that halves the record's time. A
//! ranking or a new round asked for meanwhile waits for its fold. Which fold
//! runs where, and what a crash does, is `core::active::evaluation::FoldSchedule`:
//! each fold is seeded by its number, so the record is the same on any
//! number of workers.

use std::future::Future;
use std::pin::Pin;

use futures::future::select_all;
use leptos::prelude::*;

use super::worker_slot::WorkerSlot;
use crate::core::active::evaluation::{EvaluationJob, FoldSchedule, NextFold};
use crate::core::active::validation::{CrossValidation, FoldOutcome};
use crate::core::wire::protocol::WorkerError;

/// The most workers a pool starts.
const MOST_WORKERS: usize = 4;

/// The pool's size for this browser: the `workers` query parameter (1–8)
/// if given, else one worker fewer than the cores (the page and its trainer
/// keep one), at most [`MOST_WORKERS`], at least 1.
pub fn pool_size() -> usize {
    let Some(window) = web_sys::window() else {
        return 1;
    };
    let asked = window
        .location()
        .search()
        .ok()
        .and_then(|query| {
            web_sys::UrlSearchParams::new_with_str(&query)
                .ok()?
                .get("workers")
        })
        .and_then(|text| text.parse::<usize>().ok())
        .filter(|count| (1..=8).contains(count));
    let cores = window.navigator().hardware_concurrency() as usize;
    asked.unwrap_or_else(|| cores.saturating_sub(1).clamp(1, MOST_WORKERS))
}

/// Workers started on first use and kept between rounds, then the trainer;
/// copies share them.
#[derive(Clone, Copy)]
pub struct WorkerPool {
    own: StoredValue<Vec<WorkerSlot>, LocalStorage>,
    trainer: WorkerSlot,
    /// Whether the trainer is computing a fold now.
    trainer_has_fold: StoredValue<bool>,
}

type FoldAnswer = (usize, usize, Result<FoldOutcome, WorkerError>);

impl WorkerPool {
    /// A pool of `size` workers of its own (at least 1), none started yet,
    /// helped by `trainer`.
    pub fn new(size: usize, trainer: WorkerSlot) -> WorkerPool {
        WorkerPool {
            own: StoredValue::new_local((0..size.max(1)).map(|_| WorkerSlot::default()).collect()),
            trainer,
            trainer_has_fold: StoredValue::new(false),
        }
    }

    /// The workers that take folds: the pool's own and the trainer.
    pub fn size(&self) -> usize {
        self.own.with_value(Vec::len) + 1
    }

    /// The pool's own workers (the ranking's fit shares a forest's trees
    /// with them, `ui::ranking_fit`).
    pub fn own_slots(&self) -> Vec<WorkerSlot> {
        self.own.get_value()
    }

    /// The trainer, which helps the pool.
    pub fn trainer(&self) -> WorkerSlot {
        self.trainer
    }

    /// Every worker that takes folds, the trainer last (it is given a fold
    /// only when the pool's own are busy).
    fn slots(&self) -> Vec<WorkerSlot> {
        let mut slots = self.own.get_value();
        slots.push(self.trainer);
        slots
    }

    /// Stops the pool's own workers at once, and the trainer if it is
    /// computing a fold (Cancel); the next evaluation, ranking or round
    /// starts new ones.
    pub fn stop(&self) {
        self.own
            .with_value(|slots| slots.iter().for_each(WorkerSlot::stop));
        if self.trainer_has_fold.get_value() {
            self.trainer.stop();
            self.trainer_has_fold.set_value(false);
        }
    }

    /// `job`'s cross-validation, its folds spread over the pool; `rows` are
    /// the round's training rows. `progress` hears (folds done, folds) after
    /// each fold. A worker that fails leaves its fold to the others; when
    /// none is left, or a fold cannot be fitted, the error says why. Once
    /// `still_wanted` says no (a Cancel, a survey switch, which stop the
    /// pool), no fold starts and no worker is stopped by this run.
    pub async fn evaluate(
        &self,
        job: &EvaluationJob,
        rows: &[f64],
        progress: impl Fn(usize, usize),
        still_wanted: impl Fn() -> bool,
    ) -> Result<CrossValidation, String> {
        let slots = self.slots();
        let trainer = slots.len() - 1;
        let rows = js_sys::Float64Array::from(rows);
        let mut schedule = FoldSchedule::new(job.fold_count(), slots.len());
        let mut free: Vec<usize> = (0..slots.len()).rev().collect();
        let mut running: Vec<Pin<Box<dyn Future<Output = FoldAnswer>>>> = Vec::new();
        progress(0, job.fold_count());
        loop {
            // Whoever stopped the run stopped the pool too (a worker still
            // starting then is stopped by its slot); a new run may use it now.
            if !still_wanted() {
                return Err("stopped".to_string());
            }
            while let Some(worker) = free.pop() {
                let NextFold::Run(fold) = schedule.next_fold() else {
                    free.push(worker);
                    break;
                };
                self.trainer_has_fold
                    .set_value(self.trainer_has_fold.get_value() || worker == trainer);
                let (slot, job, rows) = (slots[worker], job.clone(), rows.clone());
                running.push(Box::pin(async move {
                    let outcome = async {
                        let worker = slot.start().await?;
                        worker.evaluate_fold(job, fold, &rows).await
                    }
                    .await;
                    (worker, fold, outcome)
                }));
            }
            if running.is_empty() {
                break;
            }
            let ((worker, fold, outcome), _, still_running) = select_all(running).await;
            running = still_running;
            if worker == trainer {
                self.trainer_has_fold.set_value(false);
            }
            match outcome {
                Ok(outcome) => {
                    schedule.done(fold, outcome);
                    free.push(worker);
                }
                // The fold itself cannot be fitted: another worker would fail
                // the same way. The others' folds are of no use now.
                Err(WorkerError::Training { detail }) => {
                    self.stop();
                    return Err(detail);
                }
                Err(error) => {
                    if still_wanted() {
                        slots[worker].stop();
                    }
                    schedule.worker_failed(fold, error.to_string());
                }
            }
            let (done, folds) = schedule.progress();
            progress(done, folds);
        }
        match schedule.finished() {
            Some(Ok(outcomes)) => Ok(job.summarize(&outcomes)),
            Some(Err(reason)) => Err(reason),
            None => Err("the pool stopped before every fold was evaluated".to_string()),
        }
    }
}
