//! The workbench's state in the page: the saved session (labels, rounds,
//! settings) and what follows from it, with one method per user action.
//! Every change to the session is written to storage at once, through
//! `browser::storage`; a storage failure is shown, never silent.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::clock::now_iso;
use super::browser::storage::{self, StorageProblem, SESSION_KEY, UNREADABLE_SESSION_KEY};
use super::worker_slot::WorkerSlot;
use crate::core::active::strategy::RankedAlert;
use crate::core::alert::Candid;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::vocabulary::Label;
use crate::core::queue::QueueJob;
use crate::core::session::SavedSession;
use crate::core::workbench::{TrainingJob, TrainingOutcome};
use crate::core::workspace::Workspace;

/// All workbench signals; `Copy`, so components take it by value.
#[derive(Clone, Copy)]
pub struct Workbench {
    pub session: RwSignal<SavedSession>,
    /// P(class 1) of every loaded alert from the latest round, if any.
    pub probabilities: RwSignal<Option<Vec<f64>>>,
    /// The ranked queue of the current round (indices into the workspace).
    pub queue: RwSignal<Vec<RankedAlert>>,
    /// Candids skipped in this round (shown again next round).
    pub skipped: RwSignal<Vec<Candid>>,
    pub storage_problem: RwSignal<Option<StorageProblem>>,
    /// The outcome of the last import, or an error, for the exchange section.
    pub exchange_message: RwSignal<Option<Result<String, String>>>,
    pub training: RwSignal<bool>,
    pub training_error: RwSignal<Option<String>>,
    /// Bumped by each training and each cancel, so a stale answer is ignored.
    training_generation: RwSignal<u64>,
    /// Bumped by each ranking, so that only the latest ranking is applied.
    queue_generation: StoredValue<u64>,
    /// The worker that trains and ranks, started on first use.
    worker: WorkerSlot,
    /// True when a saved session could be neither read nor kept aside: then
    /// nothing is saved over it, and the page says so.
    saving_blocked: StoredValue<bool>,
}

impl Workbench {
    /// Restores the saved session (or starts a new one).
    pub fn restore() -> Workbench {
        let mut saving_blocked = false;
        let (session, problem) = match storage::load(SESSION_KEY) {
            Ok(Some(text)) => match SavedSession::from_json(&text) {
                Ok(session) => (session, None),
                Err(error) => {
                    // Never overwrite labels we cannot read (a newer version,
                    // a damaged entry): keep them aside before anything is saved.
                    let kept = storage::save(UNREADABLE_SESSION_KEY, &text).is_ok();
                    saving_blocked = !kept;
                    let detail = if kept {
                        format!("{error}; it is kept under the key {UNREADABLE_SESSION_KEY}")
                    } else {
                        format!("{error}; it could not be kept aside, so nothing is saved over it")
                    };
                    (SavedSession::new(), Some(StorageProblem::Failed(detail)))
                }
            },
            Ok(None) => (SavedSession::new(), None),
            Err(problem) => (SavedSession::new(), Some(problem)),
        };
        Workbench {
            session: RwSignal::new(session),
            probabilities: RwSignal::new(None),
            queue: RwSignal::new(Vec::new()),
            skipped: RwSignal::new(Vec::new()),
            storage_problem: RwSignal::new(problem),
            exchange_message: RwSignal::new(None),
            training: RwSignal::new(false),
            training_error: RwSignal::new(None),
            training_generation: RwSignal::new(0),
            queue_generation: StoredValue::new(0),
            worker: WorkerSlot::default(),
            saving_blocked: StoredValue::new(saving_blocked),
        }
    }

    /// Writes the session to storage now (unless an unreadable saved session
    /// could not be kept aside: then nothing may overwrite it).
    fn persist(&self) {
        if self.saving_blocked.get_value() {
            return;
        }
        let result = self
            .session
            .with_untracked(|session| storage::save(SESSION_KEY, &session.to_json()));
        self.storage_problem.set(result.err());
    }

    /// Changes the session, then saves it.
    pub fn update_session(&self, change: impl FnOnce(&mut SavedSession)) {
        self.session.update(change);
        self.persist();
    }

    /// Ranks the loaded, unlabelled alerts for the current round, in the
    /// worker (at 100k alerts a ranking takes longer than a frame should).
    /// Until the answer comes the current queue stays; alerts labelled
    /// meanwhile are never shown again (see [`Workbench::current`]). Should the
    /// worker fail, the page ranks in place.
    pub fn rebuild_queue(&self, workspace: RwSignal<Workspace>) {
        let (job, values) = workspace.with_untracked(|workspace| {
            self.session.with_untracked(|session| {
                self.probabilities.with_untracked(|probabilities| {
                    QueueJob::for_loaded(
                        workspace.features(),
                        &session.labels,
                        probabilities.as_deref(),
                        &session.settings,
                        session.rounds.len(),
                    )
                })
            })
        });
        let generation = self.queue_generation.get_value() + 1;
        self.queue_generation.set_value(generation);
        let workbench = *self;
        spawn_local(async move {
            let ranked = match workbench.worker.get().await {
                Ok(worker) => worker.rank_queue(&job, &values).await,
                Err(error) => Err(error),
            };
            let queue = ranked.unwrap_or_else(|_| job.run(&values));
            if workbench.queue_generation.get_value() == generation {
                workbench.queue.set(queue);
                workbench.skipped.set(Vec::new());
            }
        });
    }

    /// The queue entry to show: the first not labelled, not in conflict, not skipped.
    pub fn current(&self, workspace: RwSignal<Workspace>) -> Option<RankedAlert> {
        self.queue.with(|queue| {
            self.session.with(|session| {
                self.skipped.with(|skipped| {
                    workspace.with(|workspace| {
                        queue
                            .iter()
                            .find(|alert| {
                                let candid = workspace.features()[alert.pool_index].candid;
                                session.labels.get(candid).is_none()
                                    && !session.labels.conflicts().contains_key(&candid)
                                    && !skipped.contains(&candid)
                            })
                            .cloned()
                    })
                })
            })
        })
    }

    /// Labels the alert at `pool_index` of the workspace.
    pub fn label(&self, workspace: RwSignal<Workspace>, pool_index: usize, label: Label) {
        let Some((candid, object_id)) = workspace.with_untracked(|workspace| {
            workspace
                .features()
                .get(pool_index)
                .map(|row| (row.candid, row.object_id.clone()))
        }) else {
            return;
        };
        let timestamp = now_iso();
        self.update_session(|session| {
            let annotator = session.annotator.clone();
            session.labels.set(LabelEntry {
                candid,
                object_id,
                label,
                timestamp,
                annotator,
                round: None,
            });
            session.unexported_changes += 1;
        });
    }

    /// Passes over the alert at `pool_index` for this round.
    pub fn skip(&self, workspace: RwSignal<Workspace>, pool_index: usize) {
        if let Some(candid) = workspace
            .with_untracked(|workspace| workspace.features().get(pool_index).map(|row| row.candid))
        {
            self.skipped.update(|skipped| skipped.push(candid));
        }
    }

    /// Undoes the last label (any number of times); its alert is shown again.
    pub fn undo(&self, workspace: RwSignal<Workspace>) {
        let mut undone = None;
        self.update_session(|session| {
            undone = session.labels.undo();
            if undone.is_some() {
                session.unexported_changes += 1;
            }
        });
        if let Some(candid) = undone {
            self.skipped
                .update(|skipped| skipped.retain(|c| *c != candid));
            // Bring the alert to the front of the queue, so its card is next.
            let Some(pool_index) = workspace.with_untracked(|workspace| {
                workspace
                    .features()
                    .iter()
                    .position(|row| row.candid == candid)
            }) else {
                return;
            };
            self.queue.update(|queue| {
                let alert = match queue
                    .iter()
                    .position(|alert| alert.pool_index == pool_index)
                {
                    Some(position) => queue.remove(position),
                    None => RankedAlert {
                        pool_index,
                        probability: self
                            .probabilities
                            .with_untracked(|p| p.as_ref().map_or(f64::NAN, |p| p[pool_index])),
                        score: f64::INFINITY,
                        reason: "label undone: label it again".to_string(),
                    },
                };
                queue.insert(0, alert);
            });
        }
    }

    /// Trains the next round in the Web Worker, then re-ranks. The page stays
    /// responsive meanwhile; [`Workbench::cancel_training`] stops it.
    pub async fn train(&self, workspace: RwSignal<Workspace>) {
        self.run_training(workspace, true).await;
    }

    /// After a reload the model is gone but the rounds remain: fits it again
    /// on the current labels (recording no new round), so the queue is ranked
    /// by the model rather than by the cold-start rule.
    pub async fn refit_if_trained(&self, workspace: RwSignal<Workspace>) {
        let trained = self
            .session
            .with_untracked(|session| !session.rounds.is_empty());
        let loaded = workspace.with_untracked(|workspace| !workspace.features().is_empty());
        if trained && loaded && self.probabilities.with_untracked(Option::is_none) {
            self.run_training(workspace, false).await;
        }
    }

    /// Runs a training job in the worker; `record` adds the round to the history.
    async fn run_training(&self, workspace: RwSignal<Workspace>, record: bool) {
        let round = self
            .session
            .with_untracked(|session| session.rounds.len() as u32);
        let (job, values) = workspace.with_untracked(|workspace| {
            self.session.with_untracked(|session| {
                TrainingJob::for_loaded(
                    workspace.features(),
                    &session.labels,
                    &session.settings,
                    round,
                    now_iso(),
                )
            })
        });
        self.training.set(true);
        self.training_error.set(None);
        let generation = self.training_generation.get_untracked() + 1;
        self.training_generation.set(generation);
        let outcome = match self.worker.get().await {
            Ok(worker) => worker.train(&job, &values).await,
            Err(error) => Err(error),
        };
        if self.training_generation.get_untracked() != generation {
            return; // cancelled meanwhile: this answer is stale
        }
        self.training.set(false);
        match outcome {
            Ok(TrainingOutcome {
                record: _,
                probabilities,
            }) if !record => {
                self.probabilities.set(Some(probabilities));
                self.rebuild_queue(workspace);
            }
            Ok(TrainingOutcome {
                record,
                probabilities,
            }) => {
                let ids: std::collections::BTreeMap<Candid, u32> = record
                    .training
                    .iter()
                    .filter_map(|example| example.id.parse().ok().map(|candid| (candid, round)))
                    .collect();
                self.update_session(|session| {
                    session.labels.set_rounds(&ids);
                    session.rounds.push(record);
                });
                self.probabilities.set(Some(probabilities));
                self.rebuild_queue(workspace);
            }
            Err(error) => {
                // A crashed or confused worker is replaced on the next attempt.
                self.worker.stop();
                self.training_error.set(Some(format!(
                    "Training failed: {error}. Your labels are safe; you can train again."
                )));
            }
        }
    }

    /// Stops a running training at once; labels and earlier rounds are untouched.
    pub fn cancel_training(&self) {
        self.worker.stop();
        self.training_generation
            .update(|generation| *generation += 1);
        self.training.set(false);
        self.training_error
            .set(Some("Training cancelled.".to_string()));
    }

    /// Imports a label file (JSON export, labeled.csv or training-ids CSV) and
    /// merges it; a bad file changes nothing.
    pub fn import(&self, workspace: RwSignal<Workspace>, file: &str, text: &str) {
        let mut outcome = None;
        self.update_session(|session| outcome = Some(session.import_label_file(file, text)));
        let message = outcome.map(|outcome| {
            outcome
                .map(|done| done.to_string())
                .map_err(|error| error.to_string())
        });
        self.exchange_message.set(message);
        self.rebuild_queue(workspace);
    }
}
