//! The workbench in the page: one `core::labelling::LabellingSession` in a
//! signal, the trainer worker, and generation counters so that only the
//! latest answer is applied. Every rule is the session's; this module only
//! carries actions to it, runs the follow-ups it asks for in the worker, and
//! saves in one place (an `Effect` on the session's revision), merging with
//! what other tabs saved. Each survey has its own saved session; switching
//! survey swaps the workspace and the session, and loses nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::clock::now_iso;
use super::browser::storage::{self, session_key, unreadable_session_key, StorageProblem};
use super::ranking_fit;
use super::round_records::RecordProgress;
use super::team_votes::VoteStoreState;
use super::worker_pool::{pool_size, WorkerPool};
use super::worker_slot::WorkerSlot;
use crate::core::alert::{Candid, Survey};
use crate::core::labelling::{FollowUp, LabellingSession};
use crate::core::labels::adjudication::AdjudicationReason;
use crate::core::labels::vocabulary::Label;
use crate::core::session::SavedSession;
use crate::core::wire::protocol::WorkerError;
use crate::core::workbench::WorkbenchSettings;
use crate::core::workspace::Workspace;

/// All workbench signals; `Copy`, so components take it by value.
#[derive(Clone, Copy)]
pub struct Workbench {
    pub session: RwSignal<LabellingSession>,
    pub workspace: RwSignal<Workspace>,
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
    /// The workers that compute a round's record after its ranking (the
    /// pool's own, then the trainer).
    pub(super) evaluators: WorkerPool,
    /// Bumped by each cancel and survey switch, so a stale record is ignored.
    pub(super) record_generation: StoredValue<u64>,
    /// Whether records are being computed (`round_records`).
    pub(super) records_running: StoredValue<bool>,
    /// Whether the survey's stored rows have been read (or could not be):
    /// records wait for it, since a reload's pending rounds need them.
    pub(super) stored_rows_read: StoredValue<bool>,
    /// The record being computed, for the page to show.
    pub record_progress: RwSignal<Option<RecordProgress>>,
    /// True when a saved session could be neither read nor kept aside: then
    /// nothing is saved over it, and the page says so.
    saving_blocked: StoredValue<bool>,
    /// Why the browser's database cannot keep the training table, if so.
    pub database_problem: RwSignal<Option<String>>,
    /// Stored rows that could not be read back, dropped.
    pub dropped_rows: RwSignal<usize>,
    /// Bumped whenever the workspace's training table changes.
    pub table_revision: RwSignal<u64>,
    /// The other annotators' votes in the browser's database (`team_votes`).
    pub(super) vote_store: StoredValue<VoteStoreState>,
    /// True while the team's stored votes are being read (an export then
    /// would lack them).
    pub team_votes_loading: RwSignal<bool>,
    /// Why the team's votes cannot be kept in the database, if so.
    pub votes_problem: RwSignal<Option<String>>,
}

/// Reads `survey`'s saved session; one that cannot be read is kept aside
/// first, so that nothing is ever saved over labels this page cannot read.
fn restore_saved(survey: Survey) -> (SavedSession, Option<StorageProblem>, bool) {
    let fresh = SavedSession::for_survey(survey);
    let unreadable_key = unreadable_session_key(survey);
    match storage::load(session_key(survey)) {
        Ok(Some(text)) => match SavedSession::from_json(&text) {
            Ok(session) => (SavedSession { survey, ..session }, None, false),
            Err(error) => {
                let kept = storage::save(unreadable_key, &text).is_ok();
                let detail = if kept {
                    format!("{error}; it is kept under the key {unreadable_key}")
                } else {
                    format!("{error}; it could not be kept aside, so nothing is saved over it")
                };
                (fresh, Some(StorageProblem::Failed(detail)), !kept)
            }
        },
        Ok(None) => (fresh, None, false),
        Err(problem) => (fresh, Some(problem), false),
    }
}

impl Workbench {
    /// Restores the saved session of the workspace's survey (or starts a new
    /// one), saves every change from now on, and takes in the labels other
    /// tabs save.
    pub fn start(workspace: RwSignal<Workspace>) -> Workbench {
        let (saved, problem, saving_blocked) =
            restore_saved(workspace.with_untracked(Workspace::survey));
        let trainer = WorkerSlot::default();
        let workbench = Workbench {
            session: RwSignal::new(LabellingSession::new(saved)),
            workspace,
            storage_problem: RwSignal::new(problem),
            exchange_message: RwSignal::new(None),
            training: RwSignal::new(false),
            training_error: RwSignal::new(None),
            training_generation: RwSignal::new(0),
            queue_generation: StoredValue::new(0),
            worker: trainer,
            evaluators: WorkerPool::new(pool_size(), trainer),
            record_generation: StoredValue::new(0),
            records_running: StoredValue::new(false),
            stored_rows_read: StoredValue::new(false),
            record_progress: RwSignal::new(None),
            saving_blocked: StoredValue::new(saving_blocked),
            database_problem: RwSignal::new(None),
            dropped_rows: RwSignal::new(0),
            table_revision: RwSignal::new(0),
            vote_store: StoredValue::new(VoteStoreState::default()),
            team_votes_loading: RwSignal::new(false),
            votes_problem: RwSignal::new(None),
        };
        let revision = Memo::new(move |_| workbench.session.with(LabellingSession::revision));
        // `get`, not `track`: a memo computes (and subscribes) only when read.
        // The first run only subscribes: nothing has changed yet.
        Effect::new(move |first_run_done: Option<()>| {
            let _ = revision.get();
            if first_run_done.is_some() {
                workbench.save();
                workbench.store_rows();
            }
        });
        workbench.load_stored_rows();
        workbench.follow_other_tabs_rows();
        workbench.load_stored_votes();
        workbench.follow_other_tabs_votes();
        let keys = Survey::ALL.map(session_key).to_vec();
        storage::on_saved_by_another_tab(keys, move |key, text| {
            if key == session_key(workbench.survey()) {
                workbench.merge_stored(&text);
            }
        });
        workbench
    }

    /// The survey whose alerts the session labels.
    pub fn survey(&self) -> Survey {
        self.workspace.with_untracked(Workspace::survey)
    }

    /// Switches to `survey`'s session: an empty workspace of that survey and
    /// its saved session (this one stays saved under its own key). A running
    /// training is stopped; the page remembers the survey for next time.
    pub fn switch_survey(&self, survey: Survey) {
        if survey == self.survey() {
            return;
        }
        self.stop_records(None);
        let was_training = self.training.get_untracked();
        if was_training {
            self.worker.stop();
            self.training.set(false);
        }
        self.training_generation
            .update(|generation| *generation += 1);
        self.queue_generation
            .set_value(self.queue_generation.get_value() + 1);
        let left = self.survey();
        self.training_error.set(was_training.then(|| {
            format!(
                "The round being trained for the {left} session was stopped by the switch; \
                 its labels are safe: train it when you switch back."
            )
        }));
        self.exchange_message.set(None);
        let (saved, problem, saving_blocked) = restore_saved(survey);
        self.saving_blocked.set_value(saving_blocked);
        self.storage_problem.set(problem);
        let _ = storage::save(storage::SURVEY_KEY, survey.key());
        self.workspace.set(Workspace::for_survey(survey));
        self.session.set(LabellingSession::new(saved));
        self.dropped_rows.set(0);
        self.table_revision.update(|revision| *revision += 1);
        self.stored_rows_read.set_value(false);
        self.load_stored_rows();
        self.votes_problem.set(None);
        self.restart_vote_store();
    }

    /// Saves the session, merged first with what storage holds if another
    /// tab stored it (its labels are kept, never overwritten), without the
    /// votes whose record the database holds; then writes the records of
    /// votes that changed.
    pub(super) fn save(&self) {
        if self.saving_blocked.get_value() {
            return;
        }
        let key = session_key(self.survey());
        match storage::load_stored_by_others(key) {
            Ok(Some(stored)) => self.merge_stored(&stored),
            Ok(None) => {}
            Err(problem) => {
                self.storage_problem.set(Some(problem));
                return;
            }
        }
        if self.saving_blocked.get_value() {
            return;
        }
        let stored_apart = self.votes_stored_apart();
        let text = self
            .session
            .with_untracked(|session| session.saved_json_leaving_out(&stored_apart));
        let saved = storage::save(key, &text);
        // Full only because the others' votes wait for their records (an
        // import's first save): the save after the records commit tells.
        let full_until_stored =
            matches!(saved, Err(StorageProblem::QuotaExceeded)) && self.votes_wait_for_records();
        if !full_until_stored {
            self.storage_problem.set(saved.err());
        }
        self.store_votes();
    }

    /// Takes in a saved copy of the session (another tab's). One this page
    /// cannot read (a newer page in another tab) is kept aside before it is
    /// saved over; if it cannot be, nothing is saved over it from now on.
    fn merge_stored(&self, stored: &str) {
        let before = self.session.with_untracked(LabellingSession::revision);
        let stored_apart = self.votes_stored_apart();
        let merged = self.workspace.with_untracked(|workspace| {
            self.session.try_update_untracked(|session| {
                session.merge_stored(workspace, stored, &stored_apart)
            })
        });
        match merged {
            Some(Ok((_, follow_up))) => {
                if self.session.with_untracked(LabellingSession::revision) != before {
                    self.session.notify();
                    self.fetch_missing_rows();
                }
                self.follow_up(follow_up)
            }
            Some(Err(error)) => {
                let unreadable_key = unreadable_session_key(self.survey());
                let kept = match storage::load(unreadable_key) {
                    Ok(None) => storage::save(unreadable_key, stored).is_ok(),
                    Ok(Some(already)) => already == stored,
                    Err(_) => false,
                };
                if !kept {
                    self.saving_blocked.set_value(true);
                    self.storage_problem
                        .set(Some(StorageProblem::Failed(format!(
                            "{error}; it could not be kept aside, so nothing is saved over it"
                        ))));
                }
            }
            None => {}
        }
    }

    /// Starts what the session asked for after an action.
    pub fn follow_up(&self, follow_up: FollowUp) {
        if follow_up.rerank {
            self.rebuild_queue();
        }
        if follow_up.refit && !self.training.get_untracked() {
            let workbench = *self;
            spawn_local(async move { workbench.run_training(false).await });
        }
    }

    /// New alerts were loaded (or rows of labelled alerts arrived).
    pub fn alerts_added(&self) {
        self.store_rows();
        let follow_up = self.workspace.with_untracked(|workspace| {
            self.session
                .with_untracked(|session| session.alerts_added(workspace))
        });
        self.follow_up(follow_up);
    }

    /// Ranks the loaded, unlabelled alerts: by probabilities alone in
    /// place, since that is quicker than sending them to the worker; by
    /// feature values (a cold start, the diverse strategy) in the worker,
    /// since at 100k alerts that takes longer than a frame should. Until the
    /// worker answers the current queue stays; should it fail, the page
    /// ranks in place.
    pub fn rebuild_queue(&self) {
        let (job, values) = self.workspace.with_untracked(|workspace| {
            self.session
                .with_untracked(|session| session.queue_job(workspace))
        });
        let generation = self.queue_generation.get_value() + 1;
        self.queue_generation.set_value(generation);
        if !job.reads_features() {
            let queue = job.run(&values);
            self.session.update(|session| session.apply_ranking(queue));
            return;
        }
        let workbench = *self;
        spawn_local(async move {
            let ranked = async {
                let worker = workbench.worker.start().await?;
                worker.rank_queue(job.clone(), &values).await
            }
            .await;
            let queue = ranked.unwrap_or_else(|_| job.run(&values));
            if workbench.queue_generation.get_value() == generation {
                workbench
                    .session
                    .update(|session| session.apply_ranking(queue));
            }
        });
    }

    /// Labels an alert (the card's).
    pub fn label(&self, candid: Candid, label: Label) {
        let timestamp = now_iso();
        self.workspace.with_untracked(|workspace| {
            self.session.update(|session| {
                session.label(workspace, candid, label, timestamp);
            })
        });
    }

    /// Gives the alert its object's latest label (on another alert) again.
    pub fn repeat_object_label(&self, candid: Candid) {
        let latest = self.workspace.with_untracked(|workspace| {
            self.session
                .with_untracked(|session| session.object_latest_label(workspace, candid))
        });
        if let Some(label) = latest {
            self.label(candid, label);
        }
    }

    /// Passes over an alert for this round.
    pub fn skip(&self, candid: Candid) {
        self.session.update(|session| session.skip(candid));
    }

    /// Undoes the last label (any number of times); its alert is shown again.
    pub fn undo(&self) {
        self.session.update(|session| {
            session.undo();
        });
    }

    /// Changes the settings ("Model & strategy").
    pub fn change_settings(&self, change: impl FnOnce(&mut WorkbenchSettings)) {
        let mut settings = self
            .session
            .with_untracked(|session| session.settings().clone());
        change(&mut settings);
        let timestamp = now_iso();
        let follow_up = self.workspace.with_untracked(|workspace| {
            self.session
                .try_update(|session| session.set_settings(workspace, settings, timestamp))
        });
        self.follow_up(follow_up.unwrap_or_default());
    }

    pub fn set_annotator(&self, annotator: &str) {
        self.session
            .update(|session| session.set_annotator(annotator));
    }

    /// The name field was left: the labels given before there was a name get it.
    pub fn name_unnamed_labels(&self) {
        self.session.update(|session| session.name_unnamed_labels());
    }

    /// Marks my label of `candid` gold, or takes the mark off.
    pub fn mark_gold(&self, candid: Candid, gold: bool) {
        let timestamp = now_iso();
        self.session.update(|session| {
            let _ = session.mark_gold(candid, gold, timestamp);
        });
    }

    /// A reviewer's decision on a contested alert (`None`: left unresolved).
    pub fn adjudicate(
        &self,
        candid: Candid,
        label: Option<Label>,
        reason: Option<AdjudicationReason>,
    ) {
        let timestamp = now_iso();
        self.session.update(|session| {
            let _ = session.adjudicate(candid, label, reason, timestamp);
        });
    }

    /// The export was handed to the browser.
    pub fn mark_exported(&self) {
        self.session.update(LabellingSession::mark_exported);
    }

    /// Trains the next round in the Web Worker, then re-ranks; the round's
    /// cross-validated record follows in the worker pool (`round_records`).
    /// The page stays responsive meanwhile; [`Workbench::cancel_training`]
    /// stops it.
    pub async fn train(&self) {
        self.run_training(true).await;
    }

    /// Runs a training job in the worker: a new round (`record`), or the
    /// last round's model fitted again to score every loaded alert.
    async fn run_training(&self, record: bool) {
        let (job, values) = self.workspace.with_untracked(|workspace| {
            self.session
                .with_untracked(|session| session.training_job(workspace, now_iso(), record))
        });
        self.training.set(true);
        if record {
            self.training_error.set(None);
        }
        let generation = self.training_generation.get_untracked() + 1;
        self.training_generation.set(generation);
        let outcome = ranking_fit::fit_and_score(self.evaluators, job.clone(), &values).await;
        if self.training_generation.get_untracked() != generation {
            return; // cancelled meanwhile: this answer is stale
        }
        self.training.set(false);
        match outcome {
            Ok(outcome) => {
                let applied = self.workspace.with_untracked(|workspace| {
                    self.session
                        .try_update(|session| session.apply_training(workspace, &job, outcome))
                });
                match applied {
                    Some(Ok(follow_up)) => {
                        self.follow_up(follow_up);
                        if record {
                            self.run_pending_records();
                        }
                    }
                    Some(Err(stale)) => self
                        .training_error
                        .set(Some(format!("This round was not recorded: {stale}."))),
                    None => {}
                }
            }
            // A refit that cannot fit (the loaded labels are all held out
            // for validation, say) leaves the queue as it is, quietly.
            Err(WorkerError::Training { .. }) if !record => {}
            Err(error) => {
                // A crashed or confused worker is replaced on the next attempt.
                self.worker.stop();
                self.training_error.set(Some(format!(
                    "Training failed: {error}. Your labels are safe; you can train again."
                )));
            }
        }
    }

    /// Stops a running training at once; labels and earlier rounds are
    /// untouched. Once the round has ranked, Cancel stops its record
    /// instead: the round stays, "metrics not computed" (and so do rounds
    /// whose record waited behind it).
    pub fn cancel_training(&self) {
        if !self.training.get_untracked() {
            self.stop_records(Some("cancelled"));
            return;
        }
        self.worker.stop();
        self.training_generation
            .update(|generation| *generation += 1);
        self.training.set(false);
        self.training_error
            .set(Some("Training cancelled.".to_string()));
    }

    /// Imports a label file (JSON export, labeled.csv or training-ids CSV) and
    /// merges it; a bad file changes nothing.
    pub fn import(&self, file: &str, text: &str) {
        let imported = self.workspace.try_update_untracked(|workspace| {
            self.session
                .try_update(|session| session.import(workspace, file, text))
        });
        if let Some(Some((outcome, follow_up))) = imported {
            self.store_rows();
            self.exchange_message.set(Some(
                outcome
                    .map(|done| done.to_string())
                    .map_err(|error| error.to_string()),
            ));
            self.follow_up(follow_up);
            // A colleague's rounds may come without their record yet.
            self.run_pending_records();
        }
    }
}
