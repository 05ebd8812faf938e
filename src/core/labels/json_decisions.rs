//! The decisions a version 4 label file carries beside its votes, read
//! strictly as `json_import` reads the votes: the reviewers' adjudications
//! and the gold marks. Both name an alert that has votes in the file, a
//! label of the vocabulary or `null`, who decided (the file's annotator when
//! nobody is named) and a UTC time; the first bad one is named.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

use super::adjudication::{Adjudication, AdjudicationReason};
use super::entry::{check_object_id, check_timestamp, parse_candid, LabelEntry};
use super::gold::GoldLabel;
use super::import_rules::LabelImportError;
use super::vocabulary::Label;
use crate::core::alert::{Candid, Survey};

/// One adjudication as version 4 writes it.
#[derive(Deserialize)]
pub(super) struct RawAdjudication {
    alert_id: Option<Value>,
    object_id: Option<Value>,
    /// A label, or `null`: left unresolved.
    label: Option<Value>,
    reason: Option<Value>,
    reviewer: Option<Value>,
    timestamp: Option<Value>,
}

/// One gold mark as version 4 writes it.
#[derive(Deserialize)]
pub(super) struct RawGold {
    alert_id: Option<Value>,
    object_id: Option<Value>,
    /// A label, or `null`: no longer gold.
    label: Option<Value>,
    marked_by: Option<Value>,
    timestamp: Option<Value>,
}

/// The fields an adjudication and a gold mark share, checked.
struct DecisionFields {
    candid: Candid,
    object_id: String,
    label: Option<Label>,
    /// Who decided: the file's annotator when the entry names nobody.
    who: String,
    timestamp: String,
}

/// A problem with one decision: the alert id as given (empty when
/// unreadable) and what is wrong.
type DecisionProblem = (String, String);

/// Reads the shared fields; `who` is the name field and its key, `null_label`
/// what a `null` label means.
fn decision_fields(
    survey: Survey,
    entry: [&Option<Value>; 4],
    who: (&str, &Option<Value>),
    null_label: &str,
    file_annotator: &str,
) -> Result<DecisionFields, DecisionProblem> {
    let [alert_id, object_id, label, timestamp] = entry;
    let text = |name: &str, value: &Option<Value>| match value {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(format!("missing field `{name}`")),
    };
    let alert_id = text("alert_id", alert_id).map_err(|problem| (String::new(), problem))?;
    let bad = |problem: String| (alert_id.clone(), problem);
    let candid = parse_candid(&alert_id).map_err(|problem| bad(problem.to_string()))?;
    let object_id = check_object_id(survey, &text("object_id", object_id).map_err(bad)?)
        .map_err(|problem| bad(problem.to_string()))?;
    let label = match label {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => match name.parse::<Label>().map_err(|e| bad(e.to_string()))? {
            Label::Unsure => {
                return Err(bad("`unsure` is no label to decide or know for sure".into()))
            }
            label => Some(label),
        },
        Some(_) => {
            return Err(bad(format!(
                "`label` must be a label or null ({null_label})"
            )))
        }
    };
    let (who_key, who) = who;
    let who = match who {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_string(),
        None | Some(Value::Null) | Some(Value::String(_)) => file_annotator.to_string(),
        Some(_) => return Err(bad(format!("`{who_key}` must be a name"))),
    };
    let timestamp = check_timestamp(&text("timestamp", timestamp).map_err(bad)?)
        .map_err(|problem| bad(problem.to_string()))?;
    Ok(DecisionFields {
        candid,
        object_id,
        label,
        who,
        timestamp,
    })
}

/// " (alert_id 12)", or nothing when the id could not be read.
fn shown(alert_id: &str) -> String {
    if alert_id.is_empty() {
        String::new()
    } else {
        format!(" (alert_id {alert_id})")
    }
}

/// The alerts voted on in the file.
fn voted(votes: &[LabelEntry]) -> BTreeSet<Candid> {
    votes.iter().map(|vote| vote.candid).collect()
}

/// Validates the adjudications of a file of `survey` whose votes are
/// `votes`; a decision naming no reviewer is the file's annotator's.
pub(super) fn validate_adjudications(
    file: &str,
    survey: Survey,
    raw: &[RawAdjudication],
    votes: &[LabelEntry],
    file_annotator: &str,
) -> Result<Vec<Adjudication>, LabelImportError> {
    let voted = voted(votes);
    let mut adjudications = Vec::with_capacity(raw.len());
    for (index, entry) in raw.iter().enumerate() {
        let bad = |(alert_id, problem): DecisionProblem| LabelImportError::BadAdjudication {
            file: file.to_string(),
            index: index + 1,
            candid: shown(&alert_id),
            problem,
        };
        let fields = decision_fields(
            survey,
            [
                &entry.alert_id,
                &entry.object_id,
                &entry.label,
                &entry.timestamp,
            ],
            ("reviewer", &entry.reviewer),
            "left unresolved",
            file_annotator,
        )
        .map_err(bad)?;
        let reason = match &entry.reason {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(
                name.parse::<AdjudicationReason>()
                    .map_err(|problem| bad((fields.candid.to_string(), problem)))?,
            ),
            Some(_) => {
                return Err(bad((
                    fields.candid.to_string(),
                    "`reason` must be a string or null".into(),
                )))
            }
        };
        if !voted.contains(&fields.candid) {
            return Err(LabelImportError::AdjudicationWithoutVotes {
                file: file.to_string(),
                index: index + 1,
                candid: fields.candid,
            });
        }
        adjudications.push(Adjudication {
            candid: fields.candid,
            object_id: fields.object_id,
            label: fields.label,
            reason,
            reviewer: fields.who,
            timestamp: fields.timestamp,
        });
    }
    Ok(adjudications)
}

/// Validates the gold marks of a file of `survey` whose votes are `votes`;
/// a mark naming nobody is the file's annotator's.
pub(super) fn validate_gold(
    file: &str,
    survey: Survey,
    raw: &[RawGold],
    votes: &[LabelEntry],
    file_annotator: &str,
) -> Result<Vec<GoldLabel>, LabelImportError> {
    let voted = voted(votes);
    let mut marks = Vec::with_capacity(raw.len());
    for (index, entry) in raw.iter().enumerate() {
        let bad = |(alert_id, problem): DecisionProblem| LabelImportError::BadGold {
            file: file.to_string(),
            index: index + 1,
            candid: shown(&alert_id),
            problem,
        };
        let fields = decision_fields(
            survey,
            [
                &entry.alert_id,
                &entry.object_id,
                &entry.label,
                &entry.timestamp,
            ],
            ("marked_by", &entry.marked_by),
            "no longer gold",
            file_annotator,
        )
        .map_err(bad)?;
        if !voted.contains(&fields.candid) {
            return Err(bad((
                fields.candid.to_string(),
                "a gold alert needs a vote in the file".into(),
            )));
        }
        marks.push(GoldLabel {
            candid: fields.candid,
            object_id: fields.object_id,
            label: fields.label,
            marked_by: fields.who,
            timestamp: fields.timestamp,
        });
    }
    Ok(marks)
}
