//! The saved session: everything the page keeps between visits (annotator,
//! labels, rounds, settings, changes not yet exported), as versioned JSON,
//! and how two copies of it merge (two tabs saving to one store). Writing it
//! to browser storage is the page's `ui::browser::storage`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::core::active::round::RoundRecord;
use crate::core::alert::Survey;
use crate::core::labels::adjudication::Adjudication;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::exchange::{
    import_json, import_training_ids_csv, LabelCsvKind, LabelImportError, Unnamed,
};
use crate::core::labels::store::{LabelStore, MergeReport};
use crate::core::labels::votes::{same_act, ReplacedVote};
use crate::core::training_table::StoredRow;
use crate::core::workbench::WorkbenchSettings;

/// The `format` of a saved session.
pub const SESSION_FORMAT: &str = "fink-vra-session";
/// The saved session's version this build writes (it reads 1, whose store
/// held one label per alert and conflicts, as votes).
pub const SESSION_VERSION: u32 = 2;

/// Everything the page keeps between visits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedSession {
    pub format: String,
    pub version: u32,
    /// The survey whose alerts this session labels (older saves: ZTF).
    #[serde(default)]
    pub survey: Survey,
    pub annotator: String,
    /// Every annotator's votes and the reviewers' adjudications.
    pub labels: LabelStore,
    pub rounds: Vec<RoundRecord>,
    pub settings: WorkbenchSettings,
    /// When the settings were last changed (UTC ISO 8601; empty: never): of
    /// two tabs' settings, the newer wins.
    #[serde(default)]
    pub settings_changed_at: String,
    /// Labels given or changed since the last export.
    pub unexported_changes: usize,
    /// Votes undone (round cleared): no merge, with another tab's copy or
    /// a label file, brings them back.
    #[serde(default)]
    pub undone: BTreeSet<LabelEntry>,
    /// Adjudications undone: no merge brings them back either.
    #[serde(default)]
    pub undone_adjudications: BTreeSet<Adjudication>,
    /// In a copy read from storage: the annotators whose votes the tab that
    /// saved it left out (their record in the browser's database holds
    /// them, `core::stored_votes`); empty in a session this tab holds.
    #[serde(default)]
    pub votes_stored_apart: BTreeSet<String>,
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum SessionError {
    #[error("the saved session could not be read ({0})")]
    Unreadable(String),
    #[error("the saved session is from a newer fink-vra (version {0})")]
    Newer(u32),
}

impl SavedSession {
    pub fn new() -> SavedSession {
        SavedSession {
            format: SESSION_FORMAT.to_string(),
            version: SESSION_VERSION,
            ..SavedSession::default()
        }
    }

    /// A new session labelling `survey`'s alerts.
    pub fn for_survey(survey: Survey) -> SavedSession {
        SavedSession {
            survey,
            ..SavedSession::new()
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<SavedSession, SessionError> {
        let session: SavedSession = serde_json::from_str(text)
            .map_err(|error| SessionError::Unreadable(error.to_string()))?;
        if session.format != SESSION_FORMAT {
            return Err(SessionError::Unreadable(
                "not a fink-vra session".to_string(),
            ));
        }
        if session.version > SESSION_VERSION {
            return Err(SessionError::Newer(session.version));
        }
        Ok(SavedSession {
            version: SESSION_VERSION,
            ..session
        })
    }

    /// Merges another copy of the session (what another tab saved): votes
    /// and adjudications by the import's rules (one vote per annotator and
    /// alert, the later decision), acts undone in either copy stay undone,
    /// the longer round history and the newer settings win; a round's
    /// record complete in either copy (its cross-validation in) is kept.
    /// No vote of either copy is lost, but those undone.
    pub fn merge_copy(&mut self, other: &SavedSession) -> MergeReport {
        self.set_aside(other.undone.iter().cloned());
        self.undone_adjudications
            .extend(other.undone_adjudications.iter().cloned());
        // Ours that the other copy undid, before theirs come in (an earlier
        // vote of ours that they restored by undo then stands).
        let _ = self.labels.purge(&self.undone, &self.undone_adjudications);
        let incoming = self.not_undone(other.labels.all_votes().cloned());
        let mut report = self.labels.merge(incoming);
        report.adjudications = self.labels.merge_adjudications(
            other
                .labels
                .adjudications()
                .values()
                .filter(|adjudication| !self.undone_adjudications.contains(*adjudication))
                .cloned(),
        );
        report.gold = self
            .labels
            .merge_gold(other.labels.gold_marks().values().cloned());
        let _ = self.labels.take_replaced();
        if self.annotator.is_empty() {
            self.annotator = other.annotator.clone();
        }
        // The other tab's votes given before this session had a name are
        // this session's: named as ours are.
        if !self.annotator.is_empty() {
            let annotator = self.annotator.clone();
            let _ = self.name_unnamed(&annotator);
        }
        // The longer history is kept; the other one may still hold a
        // record completed where the kept one waits for it.
        let history_not_kept = if other.rounds.len() > self.rounds.len() {
            std::mem::replace(&mut self.rounds, other.rounds.clone())
        } else {
            other.rounds.clone()
        };
        keep_finished_records(&mut self.rounds, &history_not_kept);
        if other.settings_changed_at > self.settings_changed_at {
            self.settings = other.settings.clone();
            self.settings_changed_at = other.settings_changed_at.clone();
        }
        self.unexported_changes += report.added;
        report
    }

    /// Keeps these votes (undone) out of every later merge; the round
    /// recorded for them does not matter.
    pub fn set_aside(&mut self, entries: impl IntoIterator<Item = LabelEntry>) {
        self.undone
            .extend(entries.into_iter().map(|entry| LabelEntry {
                round: None,
                ..entry
            }));
    }

    /// `entries` without the votes undone here.
    pub(crate) fn not_undone(
        &self,
        entries: impl IntoIterator<Item = LabelEntry>,
    ) -> Vec<LabelEntry> {
        entries
            .into_iter()
            .filter(|entry| {
                !self
                    .undone
                    .iter()
                    .any(|gone| gone.candid == entry.candid && same_act(gone, entry))
            })
            .collect()
    }

    /// Gives `annotator` to the votes, adjudications and acts undone that
    /// name nobody (this session's own, given before it had a name);
    /// returns how many it named.
    pub fn name_unnamed(&mut self, annotator: &str) -> usize {
        let mut named = self.labels.name_unnamed(annotator);
        self.undone = std::mem::take(&mut self.undone)
            .into_iter()
            .map(|mut entry| {
                if entry.annotator.trim().is_empty() {
                    entry.annotator = annotator.to_string();
                    named += 1;
                }
                entry
            })
            .collect();
        self.undone_adjudications = std::mem::take(&mut self.undone_adjudications)
            .into_iter()
            .map(|mut adjudication| {
                if adjudication.reviewer.trim().is_empty() {
                    adjudication.reviewer = annotator.to_string();
                }
                adjudication
            })
            .collect();
        named
    }

    /// Imports a label file, by its kind: a JSON export (`.json`), a
    /// training-ids CSV (header `candid,round`), the researcher's LSST label
    /// CSV (header `diaSourceId,...`) or the original `labeled.csv`. A label
    /// that names no annotator is the file header's annotator's (a JSON
    /// export), or else `unknown (file)`'s, never this session's: the
    /// outcome says how many there were. The file is validated whole
    /// first: a bad file, or one of the other survey, changes nothing. A
    /// version 3 export's feature rows are returned for the training table.
    pub fn import_label_file(
        &mut self,
        file: &str,
        text: &str,
    ) -> Result<(ImportOutcome, Vec<StoredRow>), LabelImportError> {
        let other_survey = |found: Survey| LabelImportError::OtherSurvey {
            file: file.to_string(),
            found,
            session: self.survey,
        };
        if file.to_ascii_lowercase().ends_with(".json") {
            let imported = import_json(file, text)?;
            if imported.survey != self.survey {
                return Err(other_survey(imported.survey));
            }
            let incoming = self.not_undone(imported.labels);
            let mut report = self.labels.merge(incoming);
            report.adjudications = self.labels.merge_adjudications(
                imported
                    .adjudications
                    .into_iter()
                    .filter(|adjudication| !self.undone_adjudications.contains(adjudication)),
            );
            report.gold = self.labels.merge_gold(imported.gold);
            let replaced = self.labels.take_replaced();
            if self.rounds.is_empty() {
                self.rounds = imported.rounds;
            }
            let outcome = ImportOutcome::Merged {
                file: file.to_string(),
                report,
                feature_rows: imported.rows.len(),
                features_left_out: imported.features_left_out,
                unnamed: imported.unnamed,
                replaced,
            };
            Ok((outcome, imported.rows))
        } else if text
            .trim_start_matches('\u{feff}')
            .starts_with("candid,round")
        {
            let rounds = import_training_ids_csv(file, text)?;
            self.labels.set_rounds(&rounds);
            let outcome = ImportOutcome::Rounds {
                file: file.to_string(),
                labels: rounds.len(),
            };
            Ok((outcome, Vec::new()))
        } else {
            let kind = LabelCsvKind::of(text);
            if let Some(found) = kind.survey().filter(|found| *found != self.survey) {
                return Err(other_survey(found));
            }
            // A CSV with `score`'s id names holds the session's survey's alerts.
            let (labels, unnamed) = kind.import(file, text, self.survey)?;
            let labels = self.not_undone(labels);
            let report = self.labels.merge(labels);
            let outcome = ImportOutcome::Merged {
                file: file.to_string(),
                report,
                feature_rows: 0,
                features_left_out: None,
                unnamed,
                replaced: self.labels.take_replaced(),
            };
            Ok((outcome, Vec::new()))
        }
    }
}

/// What importing a label file did; its `Display` is the page's report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Labels merged into the store, and the feature rows the file carried.
    Merged {
        file: String,
        report: MergeReport,
        /// Feature rows the file carried for the training table (version 3).
        feature_rows: usize,
        /// Why the file's features were left out, when they were.
        features_left_out: Option<String>,
        /// Labels that named no annotator, and whose they count as.
        unnamed: Option<Unnamed>,
        /// Votes replaced by a later, different label of the same annotator
        /// (in the file, or against what the store held).
        replaced: Vec<ReplacedVote>,
    },
    /// Training rounds set for this many labels.
    Rounds { file: String, labels: usize },
}

impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportOutcome::Merged {
                file,
                report,
                feature_rows,
                features_left_out,
                unnamed,
                replaced,
            } => {
                write!(
                    f,
                    "{file}: {} vote(s) added, {} already there.",
                    report.added, report.duplicates
                )?;
                if report.adjudications > 0 {
                    write!(f, " {} adjudication(s) taken in.", report.adjudications)?;
                }
                if report.gold > 0 {
                    write!(f, " {} gold mark(s) taken in.", report.gold)?;
                }
                if let Some(first) = replaced.first() {
                    write!(
                        f,
                        " {} vote(s) changed by their annotator: the later label counts (first: \
                         {} labelled alert {} {} and later {}).",
                        replaced.len(),
                        first.annotator,
                        first.candid,
                        first.dropped,
                        first.kept
                    )?;
                }
                if *feature_rows > 0 {
                    write!(f, " Feature rows kept for {feature_rows} labels.")?;
                }
                if let Some(why) = features_left_out {
                    write!(f, " Features left out: {why}.")?;
                }
                match unnamed {
                    Some(unnamed) => write!(f, " {unnamed}."),
                    None => Ok(()),
                }
            }
            ImportOutcome::Rounds { file, labels } => {
                write!(f, "{file}: training rounds read for {labels} labels.")
            }
        }
    }
}

/// Takes into `rounds` each record of `other` that is the same round
/// (number and time) and complete where the one in `rounds` is not.
fn keep_finished_records(rounds: &mut [RoundRecord], other: &[RoundRecord]) {
    for record in rounds.iter_mut().filter(|record| !record.is_complete()) {
        if let Some(finished) = other.iter().find(|theirs| {
            theirs.round == record.round
                && theirs.timestamp == record.timestamp
                && theirs.is_complete()
        }) {
            *record = finished.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::labels::entry::test_entry;
    use crate::core::labels::vocabulary::Label;

    fn label(store: &mut LabelStore, candid: u64, label: Label) {
        store.set(test_entry(candid, label));
    }

    #[test]
    fn session_round_trips_through_json_and_refuses_newer_versions() {
        let mut session = SavedSession::new();
        session.annotator = "ana".into();
        label(
            &mut session.labels,
            3_069_386_410_515_015_007,
            Label::Varstar,
        );
        let json = session.to_json();
        assert!(
            json.contains("\"3069386410515015007\""),
            "candid stays a string"
        );
        let mut back = SavedSession::from_json(&json).expect("reads");
        back.labels.merge([]);
        session.labels.merge([]);
        assert_eq!(back, session);
        let newer = json.replace("\"version\":2", "\"version\":9");
        assert_eq!(SavedSession::from_json(&newer), Err(SessionError::Newer(9)));
    }

    #[test]
    fn a_colleagues_labeled_csv_is_not_counted_as_mine_regression() {
        // labeled.csv names no annotator: its labels were given this
        // session's name, so a colleague's votes counted as mine.
        let mut session = SavedSession::new();
        session.annotator = "ana".into();
        let csv = "candid,objectId,label,timestamp\n\
                   1,ZTF19aarxyde,gal,2025-06-02T08:37:22Z\n\
                   2,ZTF19aarxyde,agn,2025-06-02T08:37:22Z\n";
        let (outcome, _) = session
            .import_label_file("labeled.csv", csv)
            .expect("valid");
        let annotators: Vec<&str> = session
            .labels
            .all_votes()
            .map(|entry| entry.annotator.as_str())
            .collect();
        assert_eq!(
            annotators,
            ["unknown (labeled.csv)", "unknown (labeled.csv)"]
        );
        let said = outcome.to_string();
        assert!(
            said.contains("2 label(s) name no annotator, and neither does the file"),
            "{said}"
        );
    }
}
