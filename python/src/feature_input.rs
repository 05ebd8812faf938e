//! A feature table given to `Model.predict` (a pyarrow table, or a pandas
//! DataFrame converted to one) as the model's input matrix: the model's
//! features taken by name, in the model's order; any numeric type, a null as
//! a missing value (`NaN`), exactly as `fink-vra score` builds its rows.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, Schema};
use fink_vra::core::model::FeatureMatrix;

use crate::error::BindingError;

/// The values of a numeric column as `f64`, nulls as `NaN`.
fn as_f64<T: ArrowPrimitiveType>(array: &dyn Array, to_f64: impl Fn(T::Native) -> f64) -> Vec<f64> {
    array
        .as_primitive::<T>()
        .iter()
        .map(|value| value.map_or(f64::NAN, &to_f64))
        .collect()
}

fn column_values(array: &dyn Array, column: &str) -> Result<Vec<f64>, BindingError> {
    Ok(match array.data_type() {
        DataType::Float64 => as_f64::<Float64Type>(array, |value| value),
        DataType::Float32 => as_f64::<Float32Type>(array, f64::from),
        DataType::Int8 => as_f64::<Int8Type>(array, f64::from),
        DataType::Int16 => as_f64::<Int16Type>(array, f64::from),
        DataType::Int32 => as_f64::<Int32Type>(array, f64::from),
        DataType::Int64 => as_f64::<Int64Type>(array, |value| value as f64),
        DataType::UInt8 => as_f64::<UInt8Type>(array, f64::from),
        DataType::UInt16 => as_f64::<UInt16Type>(array, f64::from),
        DataType::UInt32 => as_f64::<UInt32Type>(array, f64::from),
        DataType::UInt64 => as_f64::<UInt64Type>(array, |value| value as f64),
        DataType::Null => vec![f64::NAN; array.len()],
        other => {
            return Err(BindingError::FeatureColumnType {
                column: column.to_string(),
                found: other.to_string(),
            })
        }
    })
}

/// The matrix of the columns `names` of `batches` (all of `schema`), row by row.
pub fn matrix_of(
    schema: &Schema,
    batches: &[RecordBatch],
    names: &[String],
) -> Result<FeatureMatrix, BindingError> {
    let indices = names
        .iter()
        .map(|name| {
            schema
                .index_of(name)
                .map_err(|_| BindingError::MissingFeatureColumn {
                    column: name.clone(),
                })
        })
        .collect::<Result<Vec<usize>, BindingError>>()?;
    let mut matrix = FeatureMatrix::with_columns(names.len());
    let mut row = vec![0.0; names.len()];
    for batch in batches {
        let columns = indices
            .iter()
            .zip(names)
            .map(|(&index, name)| column_values(batch.column(index).as_ref(), name))
            .collect::<Result<Vec<Vec<f64>>, BindingError>>()?;
        for index in 0..batch.num_rows() {
            for (cell, column) in row.iter_mut().zip(&columns) {
                *cell = column[index];
            }
            matrix.push_row(&row);
        }
    }
    Ok(matrix)
}
