//! A labelled feature table from CSV: the replay's input (and any table a
//! researcher exported from pandas). The features CSV has an ID column first,
//! then numeric columns; `fink-vra features` output is read as it is, its
//! object-id column left out by name ([`ID_COLUMNS`]). The labels CSV has
//! the ID first and a `type` or `label` column. Rows are joined row by row
//! (an ID may repeat, e.g. one per day), and their IDs must agree, so that
//! swapped or re-sorted files are refused rather than silently misread; a
//! labels CSV without an ID column aligns by position.
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
    #[error(
        "{labels_file} row {row} is `{label_id}` but {features_file} row {row} is `{feature_id}` \
         ({differing} of {rows} rows differ): the two files are joined row by row, so their IDs \
         must be the same alerts in the same order"
    )]
    IdMismatch {
        features_file: String,
        labels_file: String,
        row: usize,
        feature_id: String,
        label_id: String,
        differing: usize,
        rows: usize,
    },
}

/// ID columns of `fink-vra features` output (ZTF, LSST) and of `score`
/// output: after the first column (the row's ID), a column of these names
/// is an ID, not a feature, and is left out.
pub const ID_COLUMNS: [&str; 6] = [
    "candid",
    "objectId",
    "diaSourceId",
    "diaObjectId",
    "alert_id",
    "object_id",
];

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

/// Reads a features CSV: IDs (the first column), feature names and values
/// (the other columns but [`ID_COLUMNS`]).
pub fn read_features(
    file: &str,
    text: &str,
) -> Result<(Vec<String>, Vec<String>, FeatureMatrix), TableError> {
    let (header, rows) = records(file, text)?;
    let feature_columns: Vec<usize> = (1..header.len())
        .filter(|&column| !ID_COLUMNS.contains(&header[column].as_str()))
        .collect();
    if feature_columns.is_empty() {
        return Err(TableError::NoFeatures {
            file: file.to_string(),
        });
    }
    let feature_names: Vec<String> = feature_columns
        .iter()
        .map(|&column| header[column].clone())
        .collect();
    let mut features = FeatureMatrix::with_columns(feature_names.len());
    let mut ids = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(feature_names.len());
    for (index, record) in rows.iter().enumerate() {
        ids.push(record[0].trim().to_string());
        values.clear();
        for &column in &feature_columns {
            let text = &record[column];
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

/// A labels CSV: the `type` (or else `label`) column, as text, and the IDs
/// of the first column unless the label column is the first.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelColumn {
    pub ids: Option<Vec<String>>,
    pub labels: Vec<String>,
}

/// Reads a labels CSV.
pub fn read_labels(file: &str, text: &str) -> Result<LabelColumn, TableError> {
    let (header, rows) = records(file, text)?;
    let column = ["type", "label"]
        .iter()
        .find_map(|name| header.iter().position(|column| column == name))
        .ok_or_else(|| TableError::NoLabelColumn {
            file: file.to_string(),
        })?;
    let cells = |column: usize| -> Vec<String> {
        rows.iter()
            .map(|record| record[column].trim().to_string())
            .collect()
    };
    Ok(LabelColumn {
        ids: (column != 0).then(|| cells(0)),
        labels: cells(column),
    })
}

impl LabelledTable {
    /// Reads a features CSV and a labels CSV and joins them row by row,
    /// refusing rows whose IDs differ.
    pub fn from_csv(
        features_file: &str,
        features_text: &str,
        labels_file: &str,
        labels_text: &str,
    ) -> Result<LabelledTable, TableError> {
        let (ids, feature_names, features) = read_features(features_file, features_text)?;
        let LabelColumn {
            ids: label_ids,
            labels,
        } = read_labels(labels_file, labels_text)?;
        if labels.len() != ids.len() {
            return Err(TableError::RowCountMismatch {
                features_file: features_file.to_string(),
                features: ids.len(),
                labels_file: labels_file.to_string(),
                labels: labels.len(),
            });
        }
        let differing: Vec<usize> = match &label_ids {
            Some(label_ids) => (0..ids.len())
                .filter(|&row| label_ids[row] != ids[row])
                .collect(),
            None => Vec::new(),
        };
        if let (Some(&first), Some(label_ids)) = (differing.first(), &label_ids) {
            return Err(TableError::IdMismatch {
                features_file: features_file.to_string(),
                labels_file: labels_file.to_string(),
                row: first + 1,
                feature_id: ids[first].clone(),
                label_id: label_ids[first].clone(),
                differing: differing.len(),
                rows: ids.len(),
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
            LabelColumn {
                ids: Some(vec!["1".into()]),
                labels: vec!["good".into()]
            }
        );
        assert_eq!(
            read_labels("y.csv", "label\ngal\n").expect("label"),
            LabelColumn {
                ids: None,
                labels: vec!["gal".into()]
            }
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

    #[test]
    fn swapped_label_files_are_refused_because_their_ids_differ_row_by_row() {
        let features = "ID,a\n1,2\n2,3\n3,4\n";
        let swapped = LabelledTable::from_csv(
            "x.csv",
            features,
            "y.csv",
            "ID,type\n1,good\n9,pm\n8,good\n",
        );
        let error = swapped.expect_err("ids differ");
        assert_eq!(
            error,
            TableError::IdMismatch {
                features_file: "x.csv".into(),
                labels_file: "y.csv".into(),
                row: 2,
                feature_id: "2".into(),
                label_id: "9".into(),
                differing: 2,
                rows: 3,
            }
        );
        assert!(error.to_string().contains("joined row by row"), "{error}");
        let by_position =
            LabelledTable::from_csv("x.csv", features, "y.csv", "type\ngood\npm\ngood\n");
        assert_eq!(
            by_position.expect("no ids: by position").labels,
            ["good", "pm", "good"]
        );
    }

    #[test]
    fn features_output_is_read_with_its_object_id_column_left_out_by_name() {
        let ztf = "candid,objectId,ra,dec\n11,ZTF24aaknknn,1.5,2.5\n";
        let (ids, names, features) = read_features("features.csv", ztf).expect("features output");
        assert_eq!(
            (ids, names),
            (
                vec!["11".to_string()],
                vec!["ra".to_string(), "dec".to_string()]
            )
        );
        assert_eq!(features.row(0), [1.5, 2.5]);
        let lsst = "diaSourceId,diaObjectId,snr\n5,6,7.5\n";
        let (_, names, _) = read_features("features.csv", lsst).expect("LSST features output");
        assert_eq!(names, ["snr"]);
        assert!(matches!(
            read_features("ids.csv", "alert_id,object_id\n1,2\n"),
            Err(TableError::NoFeatures { .. })
        ));
    }
}
