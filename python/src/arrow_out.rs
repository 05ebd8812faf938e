//! Feature rows and probabilities as Arrow record batches, the tables
//! `fink_vra.features` and `Model.score` return: the columns of
//! `fink-vra features` (the survey's two id columns, then its features as
//! float64, a missing value as null, as the CLI's empty cell) and of
//! `fink-vra score` (`alert_id`, `object_id`, `p_class1`).
//!
//! Ids are int64, what Spark and pandas hold natively: a ZTF `objectId`
//! stays a string, an LSST `diaObjectId` is an int64 like `diaSourceId`.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use fink_vra::core::alert::Survey;
use fink_vra::core::features::{feature_names, id_column_names, FeatureRow};

use crate::error::BindingError;

/// The names of `fink-vra score`'s columns.
pub const SCORE_COLUMNS: [&str; 3] = ["alert_id", "object_id", "p_class1"];

fn object_id_type(survey: Survey) -> DataType {
    match survey {
        Survey::Ztf => DataType::Utf8,
        Survey::Lsst => DataType::Int64,
    }
}

fn alert_ids(rows: &[FeatureRow], file: &str) -> Result<ArrayRef, BindingError> {
    let ids = rows
        .iter()
        .map(|row| {
            i64::try_from(row.candid.0).map_err(|_| BindingError::IdBeyondInt64 {
                file: file.to_string(),
                id: row.candid.to_string(),
            })
        })
        .collect::<Result<Vec<i64>, BindingError>>()?;
    Ok(Arc::new(Int64Array::from(ids)))
}

fn object_ids(survey: Survey, rows: &[FeatureRow], file: &str) -> Result<ArrayRef, BindingError> {
    match survey {
        Survey::Ztf => Ok(Arc::new(StringArray::from_iter_values(
            rows.iter().map(|row| row.object_id.as_str()),
        ))),
        Survey::Lsst => {
            let ids = rows
                .iter()
                .map(|row| {
                    row.object_id
                        .parse::<i64>()
                        .map_err(|_| BindingError::IdBeyondInt64 {
                            file: file.to_string(),
                            id: row.object_id.clone(),
                        })
                })
                .collect::<Result<Vec<i64>, BindingError>>()?;
            Ok(Arc::new(Int64Array::from(ids)))
        }
    }
}

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>) -> Result<RecordBatch, BindingError> {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|error| {
        BindingError::Output {
            detail: error.to_string(),
        }
    })
}

/// The feature table of `rows` (all of `survey`); `file` names them in errors.
pub fn feature_batch(
    survey: Survey,
    rows: &[FeatureRow],
    file: &str,
) -> Result<RecordBatch, BindingError> {
    let [alert_id, object_id] = id_column_names(survey);
    let mut fields = vec![
        Field::new(alert_id, DataType::Int64, false),
        Field::new(object_id, object_id_type(survey), false),
    ];
    let mut columns = vec![alert_ids(rows, file)?, object_ids(survey, rows, file)?];
    for (index, name) in feature_names(survey).iter().enumerate() {
        fields.push(Field::new(*name, DataType::Float64, true));
        let values: Float64Array = rows
            .iter()
            .map(|row| {
                row.values
                    .get(index)
                    .copied()
                    .filter(|value| !value.is_nan())
            })
            .collect();
        columns.push(Arc::new(values));
    }
    batch(fields, columns)
}

/// `alert_id, object_id, p_class1` for `rows` and their probabilities.
pub fn score_batch(
    survey: Survey,
    rows: &[FeatureRow],
    probabilities: Vec<f64>,
    file: &str,
) -> Result<RecordBatch, BindingError> {
    let [alert_id, object_id, p_class1] = SCORE_COLUMNS;
    let fields = vec![
        Field::new(alert_id, DataType::Int64, false),
        Field::new(object_id, object_id_type(survey), false),
        Field::new(p_class1, DataType::Float64, false),
    ];
    let columns = vec![
        alert_ids(rows, file)?,
        object_ids(survey, rows, file)?,
        Arc::new(Float64Array::from(probabilities)) as ArrayRef,
    ];
    batch(fields, columns)
}
