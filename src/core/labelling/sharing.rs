//! Labels from elsewhere: a label file imported, and the copy of the
//! session another tab saved (the same merge rules for both).

use super::{FollowUp, LabellingSession};
use crate::core::active::evaluation::RecordState;
use crate::core::active::round::RoundRecord;
use crate::core::labels::exchange::LabelImportError;
use crate::core::labels::store::MergeReport;
use crate::core::session::{ImportOutcome, SavedSession, SessionError};
use crate::core::workspace::Workspace;

impl LabellingSession {
    /// Imports a label file and merges it; a bad file changes nothing. The
    /// feature rows of a version 3 file go into the workspace's training
    /// table (for the page to store), so that its labels train without
    /// their alert files.
    pub fn import(
        &mut self,
        workspace: &mut Workspace,
        file: &str,
        text: &str,
    ) -> (Result<ImportOutcome, LabelImportError>, FollowUp) {
        // Labels undone here stay undone, even if a colleague's file has them.
        let outcome = match self.saved.import_label_file(file, text) {
            Ok((outcome, mut rows)) => {
                // Only the rows of labels the store now holds (not of labels
                // undone here); the import refused any other survey's.
                let labels = &self.saved.labels;
                rows.retain(|row| labels.votes().has_votes(row.alert_id));
                let _ = workspace.take_in_rows(rows, false);
                self.changed();
                Ok(outcome)
            }
            Err(error) => Err(error),
        };
        let imported = outcome.is_ok();
        // Rounds the file brought (into a session without any) need a model
        // to score the loaded alerts.
        let refit = imported && self.needs_scores(workspace);
        (
            outcome,
            FollowUp {
                rerank: imported,
                refit,
            },
        )
    }

    /// Merges what another tab saved (text from storage); used before every
    /// save and when the browser says another tab saved. When the stored copy
    /// lacks something of ours (two tabs wrote at once), the revision changes
    /// too, so that the page saves the union.
    pub fn merge_stored(
        &mut self,
        workspace: &Workspace,
        text: &str,
    ) -> Result<(MergeReport, FollowUp), SessionError> {
        let stored = SavedSession::from_json(text)?;
        let before = (self.saved.labels.clone(), self.saved.rounds.len());
        let records_before = record_states(&self.saved.rounds);
        let settings_before = self.saved.settings.clone();
        let report = self.saved.merge_copy(&stored);
        let labels_changed = self.saved.labels != before.0;
        let rounds_changed = self.saved.rounds.len() != before.1;
        let records_changed = record_states(&self.saved.rounds) != records_before;
        let settings_changed = self.saved.settings != settings_before;
        if settings_changed {
            self.drop_scores_of_another_model();
        }
        // Storage lacks something this copy has (a record completed here
        // too): saved again.
        let stored_behind = stored.labels != self.saved.labels
            || stored.undone.len() != self.saved.undone.len()
            || stored.undone_adjudications.len() != self.saved.undone_adjudications.len()
            || stored.rounds.len() != self.saved.rounds.len()
            || record_states(&stored.rounds) != record_states(&self.saved.rounds);
        if labels_changed || settings_changed {
            self.changed();
        } else if rounds_changed || records_changed || stored_behind {
            // Nothing to settle again: only saved again.
            self.changed_without_labels();
        }
        // Labels given elsewhere need no new ranking (the card passes over
        // labelled alerts); alerts open again (a label undone there) do.
        let reopened = before
            .0
            .votes()
            .voted_alerts()
            .any(|candid| !self.saved.labels.is_labelled(candid));
        let follow_up = FollowUp {
            rerank: reopened || rounds_changed || settings_changed,
            refit: (rounds_changed || settings_changed) && self.needs_scores(workspace),
        };
        Ok((report, follow_up))
    }
}

/// Each round's record state, in order: what a merge may change in rounds
/// besides their number.
fn record_states(rounds: &[RoundRecord]) -> Vec<RecordState> {
    rounds
        .iter()
        .map(|record| record.record_state.clone())
        .collect()
}
