//! The CSV label files: the original pipeline's `labeled.csv` and
//! training-ids CSV, a round's training table (the X and y the researcher
//! logged), and the CSV reading every label CSV import shares (`csv_rows`,
//! `labels_from_rows`, also used by the LSST label CSV).

use std::collections::BTreeMap;

use super::entry::{parse_candid, LabelEntry, TrainedRound};
use super::import_rules::{check_import_size, label_entry, LabelImportError};
use super::settled::SettledLabels;
use crate::core::alert::{Candid, Survey};
use crate::core::csv_text::{quote_cell, read_csv_text};
use crate::core::features::csv as feature_csv;
use crate::core::features::FeatureRow;

/// The original `labeled.csv`, `candid,objectId,label,timestamp`, with
/// each label's `annotator` after them (the pipeline reads the columns it
/// knows; an import back keeps whose vote each label is, instead of
/// counting the file as one more annotator).
pub fn export_labeled_csv(store: &SettledLabels) -> String {
    let mut out = String::from("candid,objectId,label,timestamp,annotator\n");
    for entry in store.labels() {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            entry.candid,
            quote_cell(&entry.object_id),
            entry.label,
            quote_cell(&entry.timestamp),
            quote_cell(&entry.annotator)
        ));
    }
    out
}

/// The original training-ids CSV: `candid,round`, one row per training label per round.
pub fn export_training_ids_csv(rounds: &[impl TrainedRound]) -> String {
    let mut out = String::from("candid,round\n");
    for round in rounds {
        for example in round.training() {
            out.push_str(&format!(
                "{},{}\n",
                quote_cell(&example.id),
                round.round_number()
            ));
        }
    }
    out
}

/// A round's training table (the X and y the researcher logged): the
/// survey's feature CSV, as `fink-vra features` writes it, of the round's
/// training alerts in training order, with `label` and `class` appended.
/// Alerts `row_of` does not find (not loaded) are left out.
pub fn export_training_features_csv<'a>(
    survey: Survey,
    round: &impl TrainedRound,
    row_of: impl Fn(&str) -> Option<&'a FeatureRow>,
) -> String {
    let mut out = format!("{},label,class\n", feature_csv::header(survey));
    for example in round.training() {
        if let Some(row) = row_of(&example.id) {
            out.push_str(&format!(
                "{},{},{}\n",
                feature_csv::row_line(row),
                quote_cell(&example.label),
                example.class
            ));
        }
    }
    out
}

/// A CSV data row: its line number and its cells by column name.
pub(super) type CsvRow = (usize, BTreeMap<String, String>);

/// CSV rows by header name; the header must contain `required`.
pub(super) fn csv_rows(
    file: &str,
    text: &str,
    required: &[&str],
    expected: &'static str,
) -> Result<Vec<CsvRow>, LabelImportError> {
    check_import_size(file, text.len())?;
    let parsed = read_csv_text(text).map_err(|problem| match problem.row {
        0 => LabelImportError::BadCsvHeader {
            file: file.to_string(),
            expected,
        },
        row => LabelImportError::BadCsvRow {
            file: file.to_string(),
            line: row + 1,
            problem: problem.detail,
        },
    })?;
    if !required
        .iter()
        .all(|name| parsed.header.iter().any(|column| column == name))
    {
        return Err(LabelImportError::BadCsvHeader {
            file: file.to_string(),
            expected,
        });
    }
    let mut rows = Vec::with_capacity(parsed.records.len());
    for (row, record) in parsed.records {
        if record.iter().all(|value| value.trim().is_empty()) {
            continue;
        }
        if record.len() != parsed.header.len() {
            return Err(LabelImportError::BadCsvRow {
                file: file.to_string(),
                line: row + 1,
                problem: format!(
                    "it has {} fields, the header has {}",
                    record.len(),
                    parsed.header.len()
                ),
            });
        }
        let cells = parsed
            .header
            .iter()
            .cloned()
            .zip(record.iter().map(|value| value.trim().to_string()))
            .collect();
        rows.push((row + 1, cells));
    }
    Ok(rows)
}

/// Reads the original `labeled.csv` (`candid,objectId,label,timestamp`);
/// an `annotator` column is used when present, else `annotator` is.
pub fn import_labeled_csv(
    file: &str,
    text: &str,
    annotator: &str,
) -> Result<Vec<LabelEntry>, LabelImportError> {
    let header = "candid,objectId,label,timestamp";
    annotated_csv(file, text, Survey::Ztf, header, annotator)
}

/// Reads a label CSV that names its ids as `fink-vra score` does
/// (`alert_id,object_id,label,timestamp`, e.g. labels typed next to a
/// score table), for alerts of `survey`; an `annotator` column is used when
/// present, else `annotator` is.
pub fn import_id_labels_csv(
    file: &str,
    text: &str,
    survey: Survey,
    annotator: &str,
) -> Result<Vec<LabelEntry>, LabelImportError> {
    let header = "alert_id,object_id,label,timestamp";
    annotated_csv(file, text, survey, header, annotator)
}

/// A label CSV with the columns of `header` (alert id, object id, label,
/// timestamp) and an optional `annotator` column (else `annotator`).
fn annotated_csv(
    file: &str,
    text: &str,
    survey: Survey,
    header: &'static str,
    annotator: &str,
) -> Result<Vec<LabelEntry>, LabelImportError> {
    let columns: Vec<&str> = header.split(',').collect();
    let rows = csv_rows(file, text, &columns, header)?;
    let ids = [columns[0], columns[1]];
    labels_from_rows(
        file,
        rows,
        survey,
        ids,
        |row| {
            row.get("annotator")
                .filter(|who| !who.is_empty())
                .map(String::as_str)
        },
        annotator,
    )
}

/// The labels of CSV rows of `survey` whose alert and object ids are in the
/// columns `ids`; each gets `annotator_of(row)`, or `default_annotator`. Every
/// row is checked (the first bad one named by its line) and a file giving
/// one alert two labels is refused.
pub(super) fn labels_from_rows(
    file: &str,
    rows: Vec<CsvRow>,
    survey: Survey,
    ids: [&str; 2],
    annotator_of: impl Fn(&BTreeMap<String, String>) -> Option<&str>,
    default_annotator: &str,
) -> Result<Vec<LabelEntry>, LabelImportError> {
    let mut labels = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let field = |name: &str| row.get(name).map(String::as_str).unwrap_or("");
        let entry = label_entry(
            survey,
            field(ids[0]),
            field(ids[1]),
            field("label"),
            field("timestamp"),
            annotator_of(&row).unwrap_or(default_annotator),
            None,
        )
        .map_err(|problem| LabelImportError::BadCsvRow {
            file: file.to_string(),
            line,
            problem: problem.to_string(),
        })?;
        labels.push(entry);
    }
    Ok(labels)
}

/// Reads a training-ids CSV (`candid,round`): which round used which label.
pub fn import_training_ids_csv(
    file: &str,
    text: &str,
) -> Result<BTreeMap<Candid, u32>, LabelImportError> {
    let rows = csv_rows(file, text, &["candid", "round"], "candid,round")?;
    let mut rounds = BTreeMap::new();
    for (line, row) in rows {
        let bad = |problem: String| LabelImportError::BadCsvRow {
            file: file.to_string(),
            line,
            problem,
        };
        let candid = parse_candid(&row["candid"]).map_err(|problem| bad(problem.to_string()))?;
        let round: u32 = row["round"]
            .parse()
            .map_err(|_| bad(format!("round `{}` is not a whole number", row["round"])))?;
        // A label first used in round r trains every later round too: keep the first.
        let first = rounds.entry(candid).or_insert(round);
        *first = (*first).min(round);
    }
    Ok(rounds)
}
