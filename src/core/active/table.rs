//! A labelled feature table from CSV: the replay's input (and any table a
//! researcher exported from pandas). The features CSV has an ID column first,
//! then numeric columns; the labels CSV has the ID and a `type` or `label`
//! column. Rows align by position (an ID may repeat, e.g. one per day).
//!
//! Cells: empty (or `nan`) is missing, `True`/`False` are 1/0, and any other
//! text is an error naming the file, column and row.

use thiserror::Error;

use crate::core::csv_text::read_csv_text;
use crate::core::model::FeatureMatrix;

/// Why a table could not be read. Rows are 1-based data rows (after the header).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TableError {
    #[error("{file}: no header line")]
    Empty { file: String },
    #[error("{file}: needs an ID column and at least one feature column")]
    NoFeatures { file: String },
    #[error("{file}: row {row} is not valid CSV ({detail})")]
    Malformed {
        file: String,
        row: usize,
        detail: String,
    },
    #[error("{file}: row {row} has {found} cells, the header has {expected}")]
    RaggedRow {
        file: String,
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("{file}: column `{column}`, row {row}: `{text}` is not a number, True/False or empty")]
    BadCell {
        file: String,
        column: String,
        row: usize,
        text: String,
    },
    #[error("{file}: no `type` or `label` column")]
    NoLabelColumn { file: String },
    #[error("{features_file} has {features} rows but {labels_file} has {labels}: rows must align")]
    RowCountMismatch {
        features_file: String,
        features: usize,
        labels_file: String,
        labels: usize,
    },
}

/// Feature rows with their IDs and labels, aligned by position.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledTable {
    pub ids: Vec<String>,
    pub feature_names: Vec<String>,
    pub features: FeatureMatrix,
    pub labels: Vec<String>,
}

fn records(file: &str, text: &str) -> Result<(Vec<String>, Vec<csv::StringRecord>), TableError> {
    let parsed = read_csv_text(text).map_err(|problem| TableError::Malformed {
        file: file.to_string(),
        row: problem.row,
        detail: problem.detail,
    })?;
    if parsed.header.is_empty() || parsed.header.iter().all(String::is_empty) {
        return Err(TableError::Empty {
            file: file.to_string(),
        });
    }
    let mut rows = Vec::with_capacity(parsed.records.len());
    for (row, record) in parsed.records {
        if record.len() != parsed.header.len() {
            return Err(TableError::RaggedRow {
                file: file.to_string(),
                row,
                expected: parsed.header.len(),
                found: record.len(),
            });
        }
        rows.push(record);
    }
    Ok((parsed.header, rows))
}

/// A cell as a number: empty or nan is `NaN`, True/False are 1/0.
fn cell_value(text: &str) -> Option<f64> {
    match text.trim() {
        "" => Some(f64::NAN),
        "True" | "true" | "TRUE" => Some(1.0),
        "False" | "false" | "FALSE" => Some(0.0),
        other => other
            .parse::<f64>()
            .ok()
            .map(|value| if value.is_finite() { value } else { f64::NAN }),
    }
}

/// Reads a features CSV: IDs, feature names and values.
pub fn read_features(
    file: &str,
    text: &str,
) -> Result<(Vec<String>, Vec<String>, FeatureMatrix), TableError> {
    let (header, rows) = records(file, text)?;
    if header.len() < 2 {
        return Err(TableError::NoFeatures {
            file: file.to_string(),
        });
    }
    let feature_names = header[1..].to_vec();
    let mut features = FeatureMatrix::with_columns(feature_names.len());
    let mut ids = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(feature_names.len());
    for (index, record) in rows.iter().enumerate() {
        ids.push(record[0].trim().to_string());
        values.clear();
        for (column, text) in record.iter().enumerate().skip(1) {
            let value = cell_value(text).ok_or_else(|| TableError::BadCell {
                file: file.to_string(),
                column: header[column].clone(),
                row: index + 1,
                text: text.to_string(),
            })?;
            values.push(value);
        }
        features.push_row(&values);
    }
    Ok((ids, feature_names, features))
}

/// Reads a labels CSV: the `type` (or else `label`) column, as text.
pub fn read_labels(file: &str, text: &str) -> Result<Vec<String>, TableError> {
    let (header, rows) = records(file, text)?;
    let column = ["type", "label"]
        .iter()
        .find_map(|name| header.iter().position(|column| column == name))
        .ok_or_else(|| TableError::NoLabelColumn {
            file: file.to_string(),
        })?;
    Ok(rows
        .iter()
        .map(|record| record[column].trim().to_string())
        .collect())
}

impl LabelledTable {
    /// Reads and aligns a features CSV and a labels CSV (by position).
    pub fn from_csv(
        features_file: &str,
        features_text: &str,
        labels_file: &str,
        labels_text: &str,
    ) -> Result<LabelledTable, TableError> {
        let (ids, feature_names, features) = read_features(features_file, features_text)?;
        let labels = read_labels(labels_file, labels_text)?;
        if labels.len() != ids.len() {
            return Err(TableError::RowCountMismatch {
                features_file: features_file.to_string(),
                features: ids.len(),
                labels_file: labels_file.to_string(),
                labels: labels.len(),
            });
        }
        Ok(LabelledTable {
            ids,
            feature_names,
            features,
            labels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cells_booleans_and_numbers_are_read() {
        let (ids, names, features) = read_features(
            "x.csv",
            "\u{feff}ID,a,b,flag\r\n7,1.5,,True\r\n8,\"2\",nan,False\r\n",
        )
        .expect("valid");
        assert_eq!(
            (ids, names),
            (
                vec!["7".to_string(), "8".to_string()],
                vec!["a".into(), "b".into(), "flag".into()]
            )
        );
        assert_eq!(features.row(0)[0], 1.5);
        assert!(features.row(0)[1].is_nan() && features.row(1)[1].is_nan());
        assert_eq!(
            (features.row(0)[2], features.row(1)[2], features.row(1)[0]),
            (1.0, 0.0, 2.0)
        );
    }

    #[test]
    fn text_in_a_numeric_column_names_the_column_and_row() {
        let error = read_features("x.csv", "ID,a,b\n1,2,3\n2,4,oops\n").unwrap_err();
        assert_eq!(
            error,
            TableError::BadCell {
                file: "x.csv".into(),
                column: "b".into(),
                row: 2,
                text: "oops".into()
            }
        );
    }

    #[test]
    fn labels_come_from_type_or_label_and_must_align() {
        assert_eq!(
            read_labels("y.csv", "ID,type\n1,good\n").expect("type"),
            vec!["good"]
        );
        assert_eq!(
            read_labels("y.csv", "ID,label\n1,gal\n").expect("label"),
            vec!["gal"]
        );
        assert!(matches!(
            read_labels("y.csv", "ID,class\n1,gal\n"),
            Err(TableError::NoLabelColumn { .. })
        ));
        let mismatch =
            LabelledTable::from_csv("x.csv", "ID,a\n1,2\n2,3\n", "y.csv", "ID,type\n1,good\n");
        assert!(matches!(
            mismatch,
            Err(TableError::RowCountMismatch {
                features: 2,
                labels: 1,
                ..
            })
        ));
    }
}
