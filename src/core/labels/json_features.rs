//! The feature rows of a version 3 label file: a file-level `feature_names`
//! and, on each label, `features` in that order (`null` for missing) and the
//! alert's `mjd`. They become training-table rows when the names are the
//! session survey's features (matched by name, in any order); names of the
//! other survey refuse the file; any other set of names (another fink-vra's
//! features) keeps the labels and leaves the features out, saying why.

use std::collections::BTreeSet;

use serde_json::Value;

use super::entry::{EntryProblem, LabelEntry};
use super::import_rules::LabelImportError;
use crate::core::alert::Survey;
use crate::core::features::feature_names;
use crate::core::training_table::{StoredRow, STORED_ROW_VERSION};

/// A label's `features` and `mjd` as written, before checking.
pub(super) struct RawRow<'a> {
    pub features: Option<&'a Value>,
    pub mjd: Option<&'a Value>,
}

/// What the file's features give: rows for the training table, or why none.
pub(super) struct FileRows {
    pub rows: Vec<StoredRow>,
    pub left_out: Option<String>,
}

/// Reads `feature_names` (a list of strings) and checks it against `survey`.
fn names(
    file: &str,
    survey: Survey,
    value: &Value,
) -> Result<(Vec<String>, Option<String>), LabelImportError> {
    let bad = |detail: String| LabelImportError::BadFeatureNames {
        file: file.to_string(),
        detail,
    };
    let list = value
        .as_array()
        .ok_or_else(|| bad("it is not a list".to_string()))?;
    let mut names = Vec::with_capacity(list.len());
    for (index, name) in list.iter().enumerate() {
        let name = name
            .as_str()
            .ok_or_else(|| bad(format!("name {} is not text", index + 1)))?;
        names.push(name.to_string());
    }
    let given: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    if given.len() != names.len() {
        return Err(bad("a name appears twice".to_string()));
    }
    let set_of =
        |survey: Survey| -> BTreeSet<&str> { feature_names(survey).iter().copied().collect() };
    if given == set_of(survey) {
        return Ok((names, None));
    }
    let other = Survey::ALL
        .into_iter()
        .find(|&other| other != survey && given == set_of(other));
    if let Some(found) = other {
        return Err(LabelImportError::FeaturesOfOtherSurvey {
            file: file.to_string(),
            found,
            session: survey,
        });
    }
    let unknown: Vec<&str> = given.difference(&set_of(survey)).copied().collect();
    let lacking = set_of(survey).difference(&given).count();
    let why = format!(
        "their feature names are not this page's {survey} features ({} unknown{}, {lacking} \
         missing): the labels are imported without their features",
        unknown.len(),
        unknown
            .first()
            .map(|name| format!(", e.g. `{name}`"))
            .unwrap_or_default(),
    );
    Ok((names, Some(why)))
}

/// One label's values: a list of numbers or `null`, one per name.
fn values(value: &Value, count: usize) -> Result<Vec<f64>, EntryProblem> {
    let list = value
        .as_array()
        .ok_or_else(|| EntryProblem::Features("must be a list of numbers".to_string()))?;
    if list.len() != count {
        return Err(EntryProblem::Features(format!(
            "has {} values for {count} feature names",
            list.len()
        )));
    }
    list.iter()
        .enumerate()
        .map(|(index, value)| match value {
            Value::Null => Ok(f64::NAN),
            Value::Number(number) => number.as_f64().ok_or_else(|| {
                EntryProblem::Features(format!("value {} is not a number", index + 1))
            }),
            _ => Err(EntryProblem::Features(format!(
                "value {} is not a number or null",
                index + 1
            ))),
        })
        .collect()
}

/// Checks every label's `features` against the file's `feature_names` and
/// makes the rows; `labels[i]` is the validated label of `raw[i]`. A label
/// with `features` in a file without `feature_names` is an error, as is a
/// wrong length or a value that is not a number.
pub(super) fn file_rows(
    file: &str,
    survey: Survey,
    feature_names: Option<&Value>,
    raw: &[RawRow],
    labels: &[LabelEntry],
) -> Result<FileRows, LabelImportError> {
    let bad = |index: usize, problem: EntryProblem| LabelImportError::BadEntry {
        file: file.to_string(),
        index: index + 1,
        candid: format!(" (alert_id {})", labels[index].candid),
        problem,
    };
    let (names, left_out) = match feature_names.filter(|value| !value.is_null()) {
        Some(value) => names(file, survey, value)?,
        None => {
            if let Some(index) = raw.iter().position(|row| row.features.is_some()) {
                let problem = EntryProblem::Features(
                    "given, but the file has no `feature_names`".to_string(),
                );
                return Err(bad(index, problem));
            }
            return Ok(FileRows {
                rows: Vec::new(),
                left_out: None,
            });
        }
    };
    let mut rows = Vec::new();
    for (index, (row, label)) in raw.iter().zip(labels).enumerate() {
        let Some(features) = row.features.filter(|value| !value.is_null()) else {
            continue;
        };
        let values = values(features, names.len()).map_err(|problem| bad(index, problem))?;
        let mjd = match row.mjd {
            None | Some(Value::Null) => f64::NAN,
            Some(value) => value
                .as_f64()
                .ok_or_else(|| bad(index, EntryProblem::Mjd))?,
        };
        if left_out.is_some() {
            continue; // checked, but not kept: another fink-vra's features
        }
        rows.push(StoredRow {
            version: STORED_ROW_VERSION,
            survey,
            alert_id: label.candid,
            object_id: label.object_id.clone(),
            mjd,
            file: file.to_string(),
            feature_names: names.clone(),
            values,
        });
    }
    Ok(FileRows { rows, left_out })
}
