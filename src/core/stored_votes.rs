//! The other annotators' votes, kept apart from the saved session.
//!
//! The saved session is one JSON text in `localStorage`, written on every
//! key press and limited to a few MB: a team's 100,000 votes (about 14 MB)
//! neither fit nor could be written at every label. So the page keeps each
//! other annotator's votes as one record in the browser's database (a
//! [`VoteRecord`], written again only when that annotator's votes change:
//! an import, a round set on them), and the saved session leaves out the
//! votes of annotators whose record holds them
//! ([`SavedSession::to_json_leaving_out`]). My own votes (and those given
//! before I had a name) stay in the saved session, where undo and the
//! other tabs' merge already work on them.
//!
//! A record read back merges as another tab's copy does: by the votes'
//! merge rule (order-independent), acts undone here kept out.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::core::alert::Survey;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::store::MergeReport;
use crate::core::labels::votes::VoteTable;
use crate::core::session::SavedSession;

/// The `format` of a record.
pub const RECORD_FORMAT: &str = "fink-vra-votes";
/// The record version this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// One annotator's votes on one survey's alerts, as stored.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct VoteRecord {
    pub format: String,
    pub version: u32,
    pub survey: Survey,
    pub annotator: String,
    /// In alert order.
    pub votes: Vec<LabelEntry>,
}

#[derive(Serialize)]
struct RecordOut<'a> {
    format: &'static str,
    version: u32,
    survey: Survey,
    annotator: &'a str,
    votes: Vec<&'a LabelEntry>,
}

/// Why a stored record was not taken in.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum StoredVotesError {
    #[error("the stored votes could not be read ({0})")]
    Unreadable(String),
    #[error("the stored votes are from a newer fink-vra (record version {0})")]
    Newer(u32),
    #[error("the stored votes of {annotator} are {found}'s alerts, not {wanted}'s")]
    OtherSurvey {
        annotator: String,
        found: Survey,
        wanted: Survey,
    },
    #[error("the stored votes of {annotator} hold a vote of {other}")]
    OtherAnnotator { annotator: String, other: String },
}

/// Whether `record` holds every vote of its annotator in `table`, as it is.
fn record_holds_every_vote(record: &VoteRecord, table: &VoteTable) -> bool {
    let stored: BTreeMap<_, &LabelEntry> = record
        .votes
        .iter()
        .map(|vote| (vote.candid, vote))
        .collect();
    table
        .votes_of(&record.annotator)
        .all(|vote| stored.get(&vote.candid) == Some(&vote))
}

/// The record to store when `ours` (this tab's record of an annotator) is
/// written over `stored` (the record the database holds, perhaps another
/// tab's): the union of both by the votes' merge rule, so that no tab's
/// write drops votes another tab wrote meanwhile. A stored record this page
/// cannot read is not written over (an error).
pub fn merge_records(
    stored: Option<&[u8]>,
    ours: &[u8],
    survey: Survey,
) -> Result<Vec<u8>, StoredVotesError> {
    let ours = read_record(ours, survey)?;
    let Some(stored) = stored else {
        return Ok(record_bytes(
            &VoteTable::from_entries(&ours.votes),
            survey,
            &ours.annotator,
        ));
    };
    let stored = read_record(stored, survey)?;
    let mut table = VoteTable::default();
    for vote in stored.votes.into_iter().chain(ours.votes) {
        let _ = table.merge_vote(vote);
    }
    Ok(record_bytes(&table, survey, &ours.annotator))
}

/// `annotator`'s votes of `table` as a record's bytes (JSON).
pub fn record_bytes(table: &VoteTable, survey: Survey, annotator: &str) -> Vec<u8> {
    let record = RecordOut {
        format: RECORD_FORMAT,
        version: RECORD_VERSION,
        survey,
        annotator,
        votes: table.votes_of(annotator).collect(),
    };
    serde_json::to_vec(&record).unwrap_or_default()
}

/// A record read back from `bytes`, checked: its format and version, its
/// survey (`survey`'s), every vote its annotator's.
pub fn read_record(bytes: &[u8], survey: Survey) -> Result<VoteRecord, StoredVotesError> {
    let record: VoteRecord = serde_json::from_slice(bytes)
        .map_err(|error| StoredVotesError::Unreadable(error.to_string()))?;
    if record.format != RECORD_FORMAT {
        return Err(StoredVotesError::Unreadable(
            "not fink-vra votes".to_string(),
        ));
    }
    if record.version > RECORD_VERSION {
        return Err(StoredVotesError::Newer(record.version));
    }
    if record.survey != survey {
        return Err(StoredVotesError::OtherSurvey {
            annotator: record.annotator,
            found: record.survey,
            wanted: survey,
        });
    }
    if let Some(other) = record
        .votes
        .iter()
        .find(|vote| vote.annotator != record.annotator)
    {
        return Err(StoredVotesError::OtherAnnotator {
            annotator: record.annotator.clone(),
            other: other.annotator.clone(),
        });
    }
    Ok(record)
}

impl SavedSession {
    /// The annotators whose votes are stored apart: everyone with a vote
    /// but me (and the votes given before I had a name), each with the
    /// number that moves when their votes change
    /// (`VoteTable::changes_of`).
    pub fn annotators_stored_apart(&self) -> Vec<(String, u64)> {
        let me = self.annotator.trim();
        self.labels
            .votes()
            .changes()
            .filter(|(annotator, _)| !annotator.is_empty() && *annotator != me)
            .map(|(annotator, changes)| (annotator.to_string(), changes))
            .collect()
    }

    /// Takes in records read back from the database (acts undone here kept
    /// out). Returns what changed here, and the annotators whose record
    /// holds every vote of theirs here as it is (the record may hold more:
    /// acts undone here): their record need not be written again, and the
    /// saved session may leave their votes out.
    pub fn take_in_stored_votes(
        &mut self,
        records: Vec<VoteRecord>,
    ) -> (MergeReport, BTreeSet<String>) {
        let mut in_step = BTreeSet::new();
        let mut total = MergeReport::default();
        for record in records {
            let incoming = self.not_undone(record.votes.iter().cloned());
            total += self.labels.merge(incoming);
            let _ = self.labels.take_replaced();
            if record_holds_every_vote(&record, self.labels.votes()) {
                in_step.insert(record.annotator);
            }
        }
        (total, in_step)
    }

    /// The saved session as JSON without the votes of `stored_apart`
    /// (annotators whose record in the database holds them): with an empty
    /// set, exactly [`SavedSession::to_json`].
    pub fn to_json_leaving_out(&self, stored_apart: &BTreeSet<String>) -> String {
        let view = SessionView {
            format: &self.format,
            version: self.version,
            survey: self.survey,
            annotator: &self.annotator,
            labels: self.labels.saved_leaving_out(stored_apart),
            rounds: &self.rounds,
            settings: &self.settings,
            settings_changed_at: &self.settings_changed_at,
            unexported_changes: self.unexported_changes,
            undone: &self.undone,
            undone_adjudications: &self.undone_adjudications,
            votes_stored_apart: stored_apart,
        };
        serde_json::to_string(&view).unwrap_or_default()
    }
}

/// [`SavedSession`]'s fields in its order, its votes filtered.
#[derive(Serialize)]
struct SessionView<'a, L: Serialize> {
    format: &'a str,
    version: u32,
    survey: Survey,
    annotator: &'a str,
    labels: L,
    rounds: &'a [crate::core::active::round::RoundRecord],
    settings: &'a crate::core::workbench::WorkbenchSettings,
    settings_changed_at: &'a str,
    unexported_changes: usize,
    undone: &'a BTreeSet<LabelEntry>,
    undone_adjudications: &'a BTreeSet<crate::core::labels::adjudication::Adjudication>,
    votes_stored_apart: &'a BTreeSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;
    use crate::core::labels::vocabulary::Label;

    fn vote(candid: u64, annotator: &str, label: Label, minute: u32) -> LabelEntry {
        LabelEntry {
            candid: Candid(candid),
            object_id: "ZTF25aaaaaaa".into(),
            label,
            timestamp: format!("2026-12-07T10:{minute:02}:00Z"),
            annotator: annotator.into(),
            round: None,
            random_pick: false,
        }
    }

    fn session_of(me: &str, votes: Vec<LabelEntry>) -> SavedSession {
        let mut saved = SavedSession::new();
        saved.annotator = me.into();
        let _ = saved.labels.merge(votes);
        saved
    }

    #[test]
    fn the_session_left_without_the_others_votes_and_their_records_give_it_back_whole() {
        let saved = session_of(
            "ana",
            vec![
                vote(1, "ana", Label::Gal, 1),
                vote(1, "bo", Label::Agn, 2),
                vote(2, "bo", Label::Gal, 3),
                vote(2, "cy", Label::Gal, 4),
            ],
        );
        assert_eq!(saved.to_json_leaving_out(&BTreeSet::new()), saved.to_json());
        let apart: BTreeSet<String> = saved
            .annotators_stored_apart()
            .into_iter()
            .map(|(annotator, _)| annotator)
            .collect();
        assert_eq!(apart, BTreeSet::from(["bo".to_string(), "cy".to_string()]));
        let head = SavedSession::from_json(&saved.to_json_leaving_out(&apart)).expect("reads");
        assert_eq!(head.labels.votes().vote_count(), 1, "my vote alone");
        let records: Vec<VoteRecord> = apart
            .iter()
            .map(|annotator| {
                read_record(
                    &record_bytes(saved.labels.votes(), Survey::Ztf, annotator),
                    Survey::Ztf,
                )
                .expect("reads back")
            })
            .collect();
        let mut again = head;
        let (_, in_step) = again.take_in_stored_votes(records.clone());
        assert_eq!(in_step, apart);
        assert_eq!(again.labels.votes(), saved.labels.votes());
        // Taken in twice, nothing changes.
        let before = again.labels.votes().changes_of("bo");
        let _ = again.take_in_stored_votes(records);
        assert_eq!(again.labels.votes().changes_of("bo"), before);
    }

    #[test]
    fn a_record_with_more_here_than_it_holds_must_be_written_again() {
        let stored = session_of("ana", vec![vote(1, "bo", Label::Agn, 1)]);
        let record = read_record(
            &record_bytes(stored.labels.votes(), Survey::Ztf, "bo"),
            Survey::Ztf,
        )
        .expect("reads");
        let mut here = session_of("ana", vec![vote(2, "bo", Label::Gal, 2)]);
        assert!(here.take_in_stored_votes(vec![record]).1.is_empty());
        assert_eq!(here.labels.votes().votes_of("bo").count(), 2);
    }

    #[test]
    fn a_vote_undone_here_does_not_come_back_from_a_record() {
        let stored = session_of("bo", vec![vote(1, "ana", Label::Agn, 1)]);
        let record = read_record(
            &record_bytes(stored.labels.votes(), Survey::Ztf, "ana"),
            Survey::Ztf,
        )
        .expect("reads");
        let mut here = session_of("ana", Vec::new());
        here.set_aside([vote(1, "ana", Label::Agn, 1)]);
        let _ = here.take_in_stored_votes(vec![record]);
        assert_eq!(here.labels.votes().vote_count(), 0);
    }

    #[test]
    fn a_write_over_another_tabs_record_keeps_the_votes_of_both_regression() {
        // Tab A wrote bo's record with vote 1; tab B, which had not read
        // it, wrote bo's record with vote 2 over it: vote 1 was gone.
        let tab_a = session_of("ana", vec![vote(1, "bo", Label::Agn, 1)]);
        let tab_b = session_of(
            "ana",
            vec![vote(2, "bo", Label::Gal, 2), vote(1, "bo", Label::Gal, 0)],
        );
        let stored = record_bytes(tab_a.labels.votes(), Survey::Ztf, "bo");
        let ours = record_bytes(tab_b.labels.votes(), Survey::Ztf, "bo");
        let merged = merge_records(Some(&stored), &ours, Survey::Ztf).expect("merges");
        let record = read_record(&merged, Survey::Ztf).expect("reads");
        let kept: Vec<(u64, Label)> = record
            .votes
            .iter()
            .map(|vote| (vote.candid.0, vote.label))
            .collect();
        assert_eq!(
            kept,
            vec![(1, Label::Agn), (2, Label::Gal)],
            "the later act on alert 1, and both alerts"
        );
        let newer = String::from_utf8(stored)
            .expect("JSON")
            .replace("\"version\":1", "\"version\":9");
        assert_eq!(
            merge_records(Some(newer.as_bytes()), &ours, Survey::Ztf),
            Err(StoredVotesError::Newer(9)),
            "a record this page cannot read is not written over"
        );
    }

    #[test]
    fn a_record_of_another_survey_or_annotator_or_version_is_refused() {
        let stored = session_of("ana", vec![vote(1, "bo", Label::Agn, 1)]);
        let bytes = record_bytes(stored.labels.votes(), Survey::Ztf, "bo");
        assert!(matches!(
            read_record(&bytes, Survey::Lsst),
            Err(StoredVotesError::OtherSurvey { .. })
        ));
        let text = String::from_utf8(bytes).expect("JSON");
        let forged = text.replace(
            "\"annotator\":\"bo\",\"votes\"",
            "\"annotator\":\"cy\",\"votes\"",
        );
        assert!(matches!(
            read_record(forged.as_bytes(), Survey::Ztf),
            Err(StoredVotesError::OtherAnnotator { .. })
        ));
        let newer = text.replace("\"version\":1", "\"version\":9");
        assert_eq!(
            read_record(newer.as_bytes(), Survey::Ztf),
            Err(StoredVotesError::Newer(9))
        );
        assert!(matches!(
            read_record(b"{", Survey::Ztf),
            Err(StoredVotesError::Unreadable(_))
        ));
    }
}
