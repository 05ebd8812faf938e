//! The votes of label files, of any kind the page imports: a JSON export
//! (every version: its labels, and an older one's conflicts, are each their
//! annotator's vote; version 4's adjudications come with them), `labeled.csv`, the LSST label CSV, or a CSV with `score`'s id
//! names. A label without an annotator is the JSON export's annotator's
//! vote, or else `unknown (file)`'s: one voter per file. The command
//! line and Python read them here, with the same checks and notes.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::core::alert::{Candid, Survey};
use crate::core::csv_text::read_csv_text;
use crate::core::labels::adjudication::Adjudication;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::exchange::{import_json, LabelCsvKind, LabelImportError, Unnamed};
use crate::core::labels::gold::GoldLabel;
use crate::core::labels::votes::VoteTable;

pub use crate::core::labels::entry::UNKNOWN_ANNOTATOR;

/// The labels of one file, each with its annotator, and its adjudications.
pub struct FileVotes {
    pub survey: Survey,
    pub labels: Vec<LabelEntry>,
    /// The reviewers' decisions (a version 4 export).
    pub adjudications: Vec<Adjudication>,
    /// Gold marks (a version 4 export).
    pub gold: Vec<GoldLabel>,
    /// Labels that named no annotator, and whose they count as (a JSON
    /// export's annotator, or `unknown`).
    pub unnamed: Option<Unnamed>,
}

/// The survey of `file` and its labels, each with its annotator.
pub fn votes_of_label_file(file: &str, text: &str) -> Result<FileVotes, LabelImportError> {
    if file.to_ascii_lowercase().ends_with(".json") {
        let imported = import_json::<serde::de::IgnoredAny>(file, text)?;
        return Ok(FileVotes {
            survey: imported.survey,
            labels: imported.labels,
            adjudications: imported.adjudications,
            gold: imported.gold,
            unnamed: imported.unnamed,
        });
    }
    let kind = LabelCsvKind::of(text);
    let survey = kind.survey().unwrap_or_else(|| survey_of_object_ids(text));
    let (labels, unnamed) = kind.import(file, text, survey)?;
    Ok(FileVotes {
        survey,
        labels,
        adjudications: Vec::new(),
        gold: Vec::new(),
        unnamed,
    })
}

/// The survey of a CSV with `score`'s id names, told by its `object_id`
/// column: ZTF's object ids are names (`ZTF…`), LSST's numbers. A file
/// whose first row has no object id is read as ZTF's, and its ids then
/// checked as such.
fn survey_of_object_ids(text: &str) -> Survey {
    let first_object = read_csv_text(text).ok().and_then(|table| {
        let column = table.header.iter().position(|name| name == "object_id")?;
        let (_, first_row) = table.records.first()?;
        first_row.get(column).map(|value| value.trim().to_string())
    });
    match first_object {
        Some(object) if !object.is_empty() && !object.starts_with("ZTF") => Survey::Lsst,
        _ => Survey::Ztf,
    }
}

/// Why label files give no votes.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TeamFilesError {
    #[error(transparent)]
    Import(#[from] LabelImportError),
    #[error(
        "{first_file} holds {first} labels and {second_file} {second} labels: measure each \
         survey's team apart"
    )]
    MixedSurveys {
        first_file: String,
        first: Survey,
        second_file: String,
        second: Survey,
    },
}

/// What a team's label files hold together.
pub struct TeamVotes {
    pub table: VoteTable,
    /// The reviewers' decisions, the later of two on one alert.
    pub adjudications: BTreeMap<Candid, Adjudication>,
    /// Gold marks, the later of two on one alert.
    pub gold: BTreeMap<Candid, GoldLabel>,
    /// What to tell the user: labels that name no annotator, and votes an
    /// annotator changed.
    pub notes: Vec<String>,
}

/// The votes and adjudications of label files (name, text), one survey's.
pub fn votes_of_label_files(files: &[(String, String)]) -> Result<TeamVotes, TeamFilesError> {
    let mut entries = Vec::new();
    let mut adjudications: BTreeMap<Candid, Adjudication> = BTreeMap::new();
    let mut gold: BTreeMap<Candid, GoldLabel> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut first_of_survey: Option<(Survey, &str)> = None;
    for (name, text) in files {
        let FileVotes {
            survey,
            labels,
            adjudications: decisions,
            gold: marks,
            unnamed,
        } = votes_of_label_file(name, text)?;
        for mark in marks {
            match gold.get(&mark.candid) {
                Some(kept) if !mark.supersedes(kept) => {}
                _ => {
                    gold.insert(mark.candid, mark);
                }
            }
        }
        for decision in decisions {
            match adjudications.get(&decision.candid) {
                Some(kept) if !decision.supersedes(kept) => {}
                _ => {
                    adjudications.insert(decision.candid, decision);
                }
            }
        }
        if labels.is_empty() {
            continue;
        }
        match first_of_survey {
            None => first_of_survey = Some((survey, name)),
            Some((first, first_file)) if first != survey => {
                return Err(TeamFilesError::MixedSurveys {
                    first_file: first_file.to_string(),
                    first,
                    second_file: name.clone(),
                    second: survey,
                })
            }
            Some(_) => {}
        }
        if let Some(unnamed) = unnamed {
            notes.push(format!(
                "{name}: {unnamed} (give each label an annotator, or the file one)"
            ));
        }
        entries.extend(labels);
    }
    let table = VoteTable::from_entries(&entries);
    notes.extend(table.replaced().iter().map(|replaced| {
        format!(
            "{}: alert {} labelled {} and later {}: the later label is the vote",
            replaced.annotator,
            replaced.candid,
            replaced.dropped.name(),
            replaced.kept.name()
        )
    }));
    Ok(TeamVotes {
        table,
        adjudications,
        gold,
        notes,
    })
}
