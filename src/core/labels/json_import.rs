//! Reading a JSON label export (version 4 with every vote and adjudication,
//! version 3 with its feature rows, version 2, or version 1 as ZTF's),
//! strictly: straight into typed records (never a
//! whole-document tree, so 10^6 labels stay a few hundred bytes each), with a
//! duplicated key anywhere refused rather than silently resolved, and nesting
//! bounded by serde_json's recursion limit. Each label is then validated with
//! the same checks as the CSV imports, and the first bad one is named; the
//! adjudications and gold marks are `json_decisions`'.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::entry::{unknown_annotator_of, EntryProblem, LabelEntry};
use super::import_rules::{
    check_import_size, label_entry, ImportedLabels, LabelImportError, Unnamed, FORMAT, VERSION,
};
use super::json_decisions::{validate_adjudications, validate_gold, RawAdjudication, RawGold};
use super::json_features::{file_rows, FileRows, RawRow};
use crate::core::alert::Survey;

/// The fields read first, to tell "not a label export" and "newer version"
/// apart from a broken one; everything else is skipped unread.
#[derive(Deserialize)]
struct Header {
    format: Option<Value>,
    version: Option<Value>,
    survey: Option<Value>,
}

/// The whole export, as written; fields keep their JSON value until checked.
/// Derived deserialisation refuses a key given twice in one object.
#[derive(Deserialize)]
struct RawExport {
    /// Whose export it is: the annotator of a label that names none.
    annotator: Option<Value>,
    /// The order of every label's `features` (version 3).
    feature_names: Option<Value>,
    labels: Option<Vec<RawLabel>>,
    /// Versions set aside as conflicts (versions 2 and 3).
    conflicts: Option<Vec<RawLabel>>,
    /// The reviewers' decisions (version 4).
    adjudications: Option<Vec<RawAdjudication>>,
    /// Gold marks (version 4).
    gold: Option<Vec<RawGold>>,
    /// Read apart, so that a bad history is reported as such.
    rounds: Option<Box<RawValue>>,
}

/// One label as either version writes it: `alert_id`/`object_id` (version 2 and 3)
/// or `candid`/`objectId` (version 1); the file's version says which are read.
#[derive(Deserialize)]
struct RawLabel {
    alert_id: Option<Value>,
    object_id: Option<Value>,
    candid: Option<Value>,
    #[serde(rename = "objectId")]
    ztf_object_id: Option<Value>,
    label: Option<Value>,
    timestamp: Option<Value>,
    annotator: Option<Value>,
    round: Option<Value>,
    /// Whether the alert was a random pick (the exploration share).
    random_pick: Option<Value>,
    /// Version 3: the alert's feature row and date.
    features: Option<Value>,
    mjd: Option<Value>,
}

/// The survey of a JSON label export, from its header alone (format,
/// version, survey checked; the labels are not read).
pub fn label_file_survey(file: &str, text: &str) -> Result<Survey, LabelImportError> {
    read_header(file, text).map(|(_, survey)| survey)
}

/// The export's version and survey (version 1 files are ZTF's), checked.
fn read_header(file: &str, text: &str) -> Result<(u64, Survey), LabelImportError> {
    check_import_size(file, text.len())?;
    let header: Header = serde_json::from_str(text).map_err(|error| not_json(file, error))?;
    if header.format.as_ref().and_then(Value::as_str) != Some(FORMAT) {
        return Err(LabelImportError::WrongFormat {
            file: file.to_string(),
        });
    }
    let version = header
        .version
        .as_ref()
        .and_then(Value::as_u64)
        .filter(|&version| version >= 1)
        .ok_or_else(|| LabelImportError::BadVersion {
            file: file.to_string(),
        })?;
    if version > VERSION {
        return Err(LabelImportError::NewerVersion {
            file: file.to_string(),
            found: version,
            supported: VERSION,
        });
    }
    let survey = match version {
        1 => Survey::Ztf,
        _ => header
            .survey
            .as_ref()
            .and_then(Value::as_str)
            .and_then(Survey::from_key)
            .ok_or_else(|| LabelImportError::BadSurvey {
                file: file.to_string(),
            })?,
    };
    Ok((version, survey))
}

fn not_json(file: &str, error: serde_json::Error) -> LabelImportError {
    LabelImportError::NotJson {
        file: file.to_string(),
        detail: error.to_string(),
    }
}

/// Reads and validates a JSON label export; its rounds are read as `R`
/// (`active::round::RoundRecord`; `serde::de::IgnoredAny` skips them).
pub fn import_json<R: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<ImportedLabels<R>, LabelImportError> {
    let (version, survey) = read_header(file, text)?;
    let keys = if version == 1 {
        IdKeys::VERSION_1
    } else {
        IdKeys::VERSION_2
    };
    let export: RawExport = serde_json::from_str(text).map_err(|error| not_json(file, error))?;
    let rounds: Vec<R> = match &export.rounds {
        None => Vec::new(),
        Some(raw) => serde_json::from_str::<Option<Vec<R>>>(raw.get())
            .map_err(|error| LabelImportError::BadRounds {
                file: file.to_string(),
                detail: error.to_string(),
            })?
            .unwrap_or_default(),
    };
    let entries = export.labels.ok_or_else(|| LabelImportError::NoLabels {
        file: file.to_string(),
    })?;
    // A label that names no annotator is the file's annotator's, or
    // `unknown (file)`'s.
    let file_annotator = match export.annotator.as_ref().and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ => unknown_annotator_of(file),
    };
    let labels = validate_entries(file, survey, keys, &entries, 0, &file_annotator)?;
    let conflict_entries = export.conflicts.unwrap_or_default();
    let conflicts = validate_entries(
        file,
        survey,
        keys,
        &conflict_entries,
        labels.len(),
        &file_annotator,
    )?;
    let unnamed = entries
        .iter()
        .chain(&conflict_entries)
        .filter(|entry| named_annotator(entry).is_none())
        .count();
    let raw_rows: Vec<RawRow> = entries
        .iter()
        .chain(&conflict_entries)
        .map(|entry| RawRow {
            features: entry.features.as_ref().filter(|_| version >= 3),
            mjd: entry.mjd.as_ref(),
        })
        .collect();
    let every_label: Vec<LabelEntry> = labels.into_iter().chain(conflicts).collect();
    let FileRows { rows, left_out } = file_rows(
        file,
        survey,
        export.feature_names.as_ref().filter(|_| version >= 3),
        &raw_rows,
        &every_label,
    )?;
    let adjudications = validate_adjudications(
        file,
        survey,
        export.adjudications.as_deref().unwrap_or_default(),
        &every_label,
        &file_annotator,
    )?;
    let gold = validate_gold(
        file,
        survey,
        export.gold.as_deref().unwrap_or_default(),
        &every_label,
        &file_annotator,
    )?;
    Ok(ImportedLabels {
        survey,
        labels: every_label,
        adjudications,
        gold,
        rounds,
        rows,
        features_left_out: left_out,
        unnamed: Unnamed::of(unnamed, &file_annotator, file),
    })
}

/// The annotator a label names, if it names one (a non-blank string).
fn named_annotator(entry: &RawLabel) -> Option<&str> {
    entry
        .annotator
        .as_ref()
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
}

/// The names of a label's two id fields in one version of the format.
#[derive(Clone, Copy)]
struct IdKeys {
    alert: &'static str,
    object: &'static str,
}

impl IdKeys {
    const VERSION_1: IdKeys = IdKeys {
        alert: "candid",
        object: "objectId",
    };
    const VERSION_2: IdKeys = IdKeys {
        alert: "alert_id",
        object: "object_id",
    };
}

/// Validates label records of `survey`; errors count entries from
/// `first_index + 1`; a label naming no annotator gets `file_annotator`.
fn validate_entries(
    file: &str,
    survey: Survey,
    keys: IdKeys,
    entries: &[RawLabel],
    first_index: usize,
    file_annotator: &str,
) -> Result<Vec<LabelEntry>, LabelImportError> {
    let mut labels = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let index = first_index + index;
        let bad = |candid: String, problem: EntryProblem| LabelImportError::BadEntry {
            file: file.to_string(),
            index: index + 1,
            candid,
            problem,
        };
        let text_field =
            |name: &'static str, value: &Option<Value>| -> Result<String, LabelImportError> {
                match value {
                    Some(Value::String(text)) => Ok(text.clone()),
                    Some(Value::Number(number)) if name == keys.alert => Err(bad(
                        String::new(),
                        EntryProblem::Candid(format!("the number {number}: write it as a string")),
                    )),
                    _ => Err(bad(String::new(), EntryProblem::Missing(name))),
                }
            };
        let (alert_id, object_id) = if keys.alert == "candid" {
            (&entry.candid, &entry.ztf_object_id)
        } else {
            (&entry.alert_id, &entry.object_id)
        };
        let candid = text_field(keys.alert, alert_id)?;
        let shown = format!(" ({} {candid})", keys.alert);
        let round = entry
            .round
            .as_ref()
            .and_then(Value::as_u64)
            .and_then(|round| u32::try_from(round).ok());
        let annotator = named_annotator(entry).unwrap_or(file_annotator);
        let random_pick = match &entry.random_pick {
            None | Some(Value::Null) => false,
            Some(Value::Bool(random_pick)) => *random_pick,
            Some(_) => return Err(bad(shown, EntryProblem::RandomPick)),
        };
        let parsed = label_entry(
            survey,
            &candid,
            &text_field(keys.object, object_id)?,
            &text_field("label", &entry.label)?,
            &text_field("timestamp", &entry.timestamp)?,
            annotator,
            round,
        )
        .map_err(|problem| bad(shown, problem))?;
        labels.push(LabelEntry {
            random_pick,
            ..parsed
        });
    }
    Ok(labels)
}
