//! Labels from elsewhere and to elsewhere: a label file imported, the copy
//! of the session another tab saved (the same merge rules for both), and
//! the JSON export.

use std::collections::BTreeSet;

use super::{FollowUp, LabellingSession};
use crate::core::active::evaluation::RecordState;
use crate::core::active::round::RoundRecord;
use crate::core::alert::Candid;
use crate::core::labels::exchange::{
    export_json, AlertOutcome, KnownRow, LabelImportError, Outcomes,
};
use crate::core::labels::store::MergeReport;
use crate::core::session::{ImportOutcome, SavedSession, SessionError};
use crate::core::stored_votes::VoteRecord;
use crate::core::team::consensus::ConsensusRule;
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
                self.changed_votes();
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
    /// too, so that the page saves the union; the votes of `stored_apart`
    /// (kept in the browser's database, left out of saved copies) are not
    /// looked for in it.
    pub fn merge_stored(
        &mut self,
        workspace: &Workspace,
        text: &str,
        stored_apart: &BTreeSet<String>,
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
        // Votes either tab keeps in the database are not looked for in the
        // copy (two tabs under two names each leave out the other's).
        let apart: BTreeSet<String> = stored_apart
            .union(&stored.votes_stored_apart)
            .cloned()
            .collect();
        let stored_behind = !stored.labels.same_leaving_out(&self.saved.labels, &apart)
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

impl LabellingSession {
    /// Takes in the other annotators' votes read back from the browser's
    /// database (`core::stored_votes`); returns the annotators whose record
    /// holds every vote of theirs here, as it is. Alerts they voted on
    /// leave the queue as any voted alert does (the card passes over them).
    pub fn take_in_stored_votes(&mut self, records: Vec<VoteRecord>) -> BTreeSet<String> {
        let changes_before: Vec<(String, u64)> = self.saved.annotators_stored_apart();
        let (report, in_step) = self.saved.take_in_stored_votes(records);
        // A record of my own name may replace a vote of mine; a round set
        // on a vote changes no count, but its annotator's changes.
        if report.added + report.replaced > 0
            || self.saved.annotators_stored_apart() != changes_before
        {
            self.changed_votes();
        }
        in_step
    }

    /// The saved session as JSON, without the votes of `stored_apart`
    /// (`SavedSession::to_json_leaving_out`).
    pub fn saved_json_leaving_out(&self, stored_apart: &BTreeSet<String>) -> String {
        self.saved.to_json_leaving_out(stored_apart)
    }

    /// The annotators whose votes are stored apart, with the number that
    /// moves when their votes change (`SavedSession::annotators_stored_apart`).
    pub fn annotators_stored_apart(&self) -> Vec<(String, u64)> {
        self.saved.annotators_stored_apart()
    }

    /// What the consensus rule made of every alert with a vote that counts
    /// (not only `unsure`): its training label and provenance, with the
    /// rule, for the export.
    pub fn outcomes(&self) -> Outcomes {
        let settings = &self.saved.settings;
        Outcomes {
            rule: settings.consensus.name(),
            posterior_threshold: settings.posterior_threshold,
            annotator: match settings.consensus {
                ConsensusRule::Mine => self.saved.annotator.clone(),
                _ => String::new(),
            },
            alerts: self
                .settled
                .provenance
                .iter()
                .map(|(candid, provenance)| AlertOutcome {
                    alert_id: candid.to_string(),
                    label: self
                        .settled
                        .training
                        .get(*candid)
                        .map(|entry| entry.label.to_string()),
                    provenance: provenance.name(),
                })
                .collect(),
        }
    }

    /// The JSON export (version 4) of this session: every vote,
    /// adjudication and gold mark, each alert's outcome under the consensus
    /// rule, the rounds; each vote with the feature row `row_of` knows.
    pub fn export_json<'a>(
        &self,
        exported_at: &str,
        row_of: impl Fn(Candid) -> Option<KnownRow<'a>>,
    ) -> String {
        let saved = &self.saved;
        export_json(
            saved.survey,
            &saved.labels,
            Some(&self.outcomes()),
            &saved.rounds,
            &saved.annotator,
            exported_at,
            row_of,
        )
    }
}
