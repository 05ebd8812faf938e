//! The training table in the page: reads the survey's stored rows from the
//! browser's database when a session starts, stores the rows of labelled
//! alerts after every change, and fetches the rows another tab stored for
//! the labels it shared. The rules (which rows, when a fresh row replaces a
//! stored one) are `core::workspace` and `core::training_table`; the
//! database calls are `ui::browser::training_db`. With no database
//! (private mode, blocked, quota) the page says so and keeps the rows in
//! the tab, to store at the next change: no label is lost, rounds train on
//! what the tab knows.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::training_db::{self, DatabaseProblem};
use super::workbench::Workbench;
use crate::core::alert::Candid;
use crate::core::training_table::{read_stored_rows, StoredRow};
use crate::core::workspace::Workspace;

impl Workbench {
    /// Reads the current survey's stored rows into the workspace, then ranks
    /// and refits, so that their labels train.
    pub(super) fn load_stored_rows(&self) {
        let workbench = *self;
        let survey = self.survey();
        spawn_local(async move {
            let read = training_db::read_rows(survey).await;
            if workbench.survey() != survey {
                return; // switched meanwhile: that session reads its own
            }
            match read {
                Ok(records) => {
                    let (rows, dropped) =
                        read_stored_rows(survey, records.iter().map(Vec::as_slice));
                    let taken = workbench.take_in_stored(rows);
                    workbench.database_problem.set(None);
                    workbench.dropped_rows.set(dropped);
                    if taken > 0 {
                        // Ranks and refits with them, and stores the rows of
                        // loaded labelled alerts that were not among them.
                        workbench.alerts_added();
                    }
                }
                Err(problem) => workbench.report(problem),
            }
            // Rounds left pending by a reload: their rows are in now, if anywhere.
            workbench.stored_rows_read.set_value(true);
            workbench.run_pending_records();
        });
    }

    /// Listens for other tabs' stored rows, for the labels they share.
    pub(super) fn follow_other_tabs_rows(&self) {
        let workbench = *self;
        training_db::on_rows_stored_by_another_tab(move || workbench.fetch_missing_rows());
    }

    /// Fetches the stored rows of labels that have none in the tab (labels
    /// another tab gave and stored).
    pub(super) fn fetch_missing_rows(&self) {
        let survey = self.survey();
        let keys: Vec<String> = self.workspace.with_untracked(|workspace| {
            self.session.with_untracked(|session| {
                workspace
                    .labels_without_rows(session.training_labels())
                    .map(|candid| StoredRow::key(survey, candid))
                    .collect()
            })
        });
        if keys.is_empty() {
            return;
        }
        let workbench = *self;
        spawn_local(async move {
            match training_db::read_some(keys).await {
                Ok(records) if workbench.survey() == survey => {
                    let (rows, dropped) =
                        read_stored_rows(survey, records.iter().map(Vec::as_slice));
                    if workbench.take_in_stored(rows) > 0 {
                        workbench.alerts_added();
                    }
                    workbench.dropped_rows.update(|count| *count += dropped);
                }
                Ok(_) => {}
                Err(problem) => workbench.report(problem),
            }
        });
    }

    /// Takes rows read from the database into the workspace; returns how
    /// many changed its table.
    fn take_in_stored(&self, rows: Vec<StoredRow>) -> usize {
        let taken = self
            .workspace
            .try_update_untracked(|workspace| workspace.take_in_rows(rows, true).0)
            .unwrap_or(0);
        if taken > 0 {
            self.table_revision.update(|revision| *revision += 1);
        }
        taken
    }

    /// Keeps the rows of the loaded labelled alerts in the training table and
    /// stores what changed (a write per alert key: idempotent).
    pub(super) fn store_rows(&self) {
        let changed = self.session.with_untracked(|session| {
            self.workspace.try_update_untracked(|workspace| {
                workspace.keep_labelled_rows(session.saved().labels.votes().voted_alerts())
            })
        });
        let unsaved = self
            .workspace
            .try_update_untracked(Workspace::take_unsaved_rows)
            .unwrap_or_default();
        if changed == Some(true) || !unsaved.is_empty() {
            self.table_revision.update(|revision| *revision += 1);
        }
        if unsaved.is_empty() {
            return;
        }
        let survey = self.survey();
        let ids: Vec<Candid> = unsaved.iter().map(|row| row.alert_id).collect();
        let records: Vec<(String, Vec<u8>)> = unsaved
            .iter()
            .map(|row| (StoredRow::key(row.survey, row.alert_id), row.to_bytes()))
            .collect();
        let workbench = *self;
        spawn_local(async move {
            match training_db::put_rows(records).await {
                Ok(()) => workbench.database_problem.set(None),
                Err(problem) => {
                    // Not stored: they wait for the next change, and are tried again.
                    if workbench.survey() == survey {
                        workbench
                            .workspace
                            .update_untracked(|workspace| workspace.mark_unsaved(&ids));
                    }
                    workbench.report(problem);
                }
            }
        });
    }

    fn report(&self, problem: DatabaseProblem) {
        self.database_problem.set(Some(format!(
            "{problem}. Your labels are safe (they are saved apart), but the feature rows of \
             labelled alerts are kept in this tab only (the page tries to store them again at \
             each change): a round trains on the labels whose alerts are loaded or imported \
             here."
        )));
    }
}
