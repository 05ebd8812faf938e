//! The other annotators' votes in the page (an `impl Workbench`): read back
//! from the browser's database when a session starts (and when another tab
//! stored some), each annotator's record written again after their votes
//! change, and left out of the session `localStorage` keeps once their
//! record has committed. The rules (whose votes, the record, the merge) are
//! `core::stored_votes`; the database calls `ui::browser::training_db`.
//!
//! Until the records are read, and whenever the database cannot be used
//! (private mode, blocked, an unreadable record), every vote stays in the
//! saved session as before: a vote is always in one store at least.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::training_db;
use super::workbench::Workbench;
use crate::core::labelling::LabellingSession;
use crate::core::stored_votes::{merge_records, read_record, record_bytes, VoteRecord};

/// One annotator's record: their name and the record's bytes.
type RecordToWrite = (String, Vec<u8>);

/// Where the other annotators' votes stand in the database.
#[derive(Clone, Debug, Default)]
pub struct VoteStoreState {
    /// The records have been read and the database works: records may be
    /// written and their votes left out of the saved session.
    pub ready: bool,
    /// A write is on its way (one at a time; the next save starts another).
    pub writing: bool,
    /// Per annotator, `VoteTable::changes_of` when their committed record
    /// was written (or read back holding every vote of theirs here).
    pub written: BTreeMap<String, u64>,
    /// Bumped by a survey switch: a write or read of the previous survey
    /// that ends later changes nothing.
    pub epoch: u64,
}

impl VoteStoreState {
    /// Whether `annotator`'s committed record holds their votes as they
    /// are now (`changes`: `VoteTable::changes_of`).
    fn holds(&self, annotator: &str, changes: u64) -> bool {
        self.written.get(annotator) == Some(&changes)
    }
}

impl Workbench {
    /// The annotators whose votes are stored apart, each with whether
    /// their committed record holds their votes as they are now.
    fn records_in_step(&self, state: &VoteStoreState) -> Vec<(String, bool)> {
        self.session.with_untracked(|session| {
            session
                .annotators_stored_apart()
                .into_iter()
                .map(|(annotator, changes)| {
                    let in_step = state.holds(&annotator, changes);
                    (annotator, in_step)
                })
                .collect()
        })
    }

    /// The annotators whose votes the saved session leaves out: those whose
    /// committed record holds their votes as they are now.
    pub(super) fn votes_stored_apart(&self) -> BTreeSet<String> {
        let state = self.vote_store.get_value();
        if !state.ready {
            return BTreeSet::new();
        }
        self.records_in_step(&state)
            .into_iter()
            .filter_map(|(annotator, in_step)| in_step.then_some(annotator))
            .collect()
    }

    /// Whether some of the others' votes wait for their record to be
    /// written (or are being written): a save without them follows.
    pub(super) fn votes_wait_for_records(&self) -> bool {
        let state = self.vote_store.get_value();
        state.ready
            && (state.writing
                || self
                    .records_in_step(&state)
                    .iter()
                    .any(|(_, in_step)| !in_step))
    }

    /// Reads the survey's vote records into the session (at start, after a
    /// survey switch, when another tab stored some); then saves, which
    /// writes the records that lag behind and leaves out the others' votes.
    pub(super) fn load_stored_votes(&self) {
        let workbench = *self;
        let survey = self.survey();
        let epoch = self.vote_store.with_value(|state| state.epoch);
        self.team_votes_loading.set(true);
        spawn_local(async move {
            let read = training_db::read_vote_records(survey).await;
            if workbench.vote_store.with_value(|state| state.epoch) != epoch {
                return; // switched meanwhile: that session reads its own
            }
            workbench.team_votes_loading.set(false);
            let bytes = match read {
                Ok(bytes) => bytes,
                Err(problem) => {
                    workbench.votes_problem.set(Some(format!(
                        "{problem}: the team's votes stay in this tab's saved session, which may fill up."
                    )));
                    return;
                }
            };
            // Every readable record is taken in; one this page cannot read
            // (a newer page's) is never written over: nothing is written
            // then, and every vote stays in the saved session.
            let mut records = Vec::new();
            let mut unreadable = None;
            for record in bytes.iter().map(|bytes| read_record(bytes, survey)) {
                match record {
                    Ok(record) => records.push(record),
                    Err(error) => unreadable = Some(error),
                }
            }
            workbench.take_in_records(records, unreadable.is_none());
            workbench.votes_problem.set(unreadable.map(|error| {
                format!("{error}; they are left as they are, and the team's votes stay in this tab's saved session.")
            }));
        });
    }

    /// Takes records read back (or just merged and stored) into the
    /// session; `usable`: the database may be written and relied on. The
    /// annotators whose record holds all their votes here count as written;
    /// the others' records lag behind and are written again.
    fn take_in_records(&self, records: Vec<VoteRecord>, usable: bool) {
        let read: Vec<String> = records
            .iter()
            .map(|record| record.annotator.clone())
            .collect();
        let before = self.session.with_untracked(LabellingSession::revision);
        let Some((in_step, changes)) = self.session.try_update_untracked(|session| {
            let in_step = session.take_in_stored_votes(records);
            let changes: BTreeMap<String, u64> =
                session.annotators_stored_apart().into_iter().collect();
            (in_step, changes)
        }) else {
            return;
        };
        let can_leave_out = !in_step.is_empty();
        self.vote_store.update_value(|state| {
            state.ready = usable;
            for annotator in read {
                match changes
                    .get(&annotator)
                    .filter(|_| in_step.contains(&annotator))
                {
                    Some(changes) => state.written.insert(annotator, *changes),
                    None => state.written.remove(&annotator),
                };
            }
        });
        if self.session.with_untracked(LabellingSession::revision) != before {
            self.session.notify(); // saves, and ranks with them
            self.fetch_missing_rows();
            self.rebuild_queue();
        } else if can_leave_out {
            // The saved session may still hold votes their record holds.
            self.save();
        } else {
            // Nothing new: only records that lag behind (an older save's votes).
            self.store_votes();
        }
    }

    /// Listens for other tabs' stored votes.
    pub(super) fn follow_other_tabs_votes(&self) {
        let workbench = *self;
        training_db::on_votes_stored_by_another_tab(move || {
            if workbench.vote_store.with_value(|state| state.ready) {
                workbench.load_stored_votes();
            }
        });
    }

    /// Writes the records of the annotators whose votes changed since their
    /// record was written (one write at a time); once committed, saves
    /// again, leaving their votes out.
    pub(super) fn store_votes(&self) {
        let state = self.vote_store.get_value();
        if !state.ready || state.writing {
            return;
        }
        let survey = self.survey();
        let lagging: Vec<String> = self
            .records_in_step(&state)
            .into_iter()
            .filter_map(|(annotator, in_step)| (!in_step).then_some(annotator))
            .collect();
        let records: Vec<RecordToWrite> = self.session.with_untracked(|session| {
            lagging
                .into_iter()
                .map(|annotator| {
                    let bytes = record_bytes(session.saved().labels.votes(), survey, &annotator);
                    (annotator, bytes)
                })
                .collect()
        });
        if records.is_empty() {
            return;
        }
        self.vote_store.update_value(|state| state.writing = true);
        let workbench = *self;
        let epoch = state.epoch;
        spawn_local(async move {
            let merge = |stored: Option<&[u8]>, ours: &[u8]| {
                merge_records(stored, ours, survey).map_err(|error| error.to_string())
            };
            let stored = training_db::merge_vote_records(survey, records, merge).await;
            let current = workbench.vote_store.with_value(|state| state.epoch) == epoch;
            if !current {
                return;
            }
            workbench
                .vote_store
                .update_value(|state| state.writing = false);
            match stored {
                Ok(stored) => {
                    workbench.votes_problem.set(None);
                    // What another tab had written comes in with them; the
                    // votes their records hold are then left out.
                    let records = stored
                        .iter()
                        .filter_map(|(_, bytes)| read_record(bytes, survey).ok())
                        .collect();
                    workbench.take_in_records(records, true);
                }
                Err(problem) => {
                    workbench
                        .vote_store
                        .update_value(|state| state.ready = false);
                    workbench.votes_problem.set(Some(format!(
                        "{problem}: the team's votes stay in this tab's saved session, which may fill up."
                    )));
                    // Saved whole again: a full storage is said now.
                    workbench.save();
                }
            }
        });
    }

    /// Forgets the previous survey's vote records (a survey switch) and
    /// reads the new one's.
    pub(super) fn restart_vote_store(&self) {
        self.vote_store.update_value(|state| {
            *state = VoteStoreState {
                epoch: state.epoch + 1,
                ..VoteStoreState::default()
            };
        });
        self.load_stored_votes();
    }
}
