//! Typed views of arrow columns, whatever physical type the writer chose.
//!
//! Real Fink files disagree on types: `magpsf` is `float` in Spark files and
//! `double` in pyarrow ones, `fid` is `int32` or `int64`, strings are `string`,
//! `large_string` or views. These helpers accept every numeric (or string)
//! encoding, cast once to one type, and turn anything else into a typed
//! [`IngestError::WrongType`] that names the column.

use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, StringArray, StructArray, UInt64Array,
};
use arrow_cast::cast;
use arrow_schema::DataType;

use super::IngestError;

/// Names the file and column that a conversion is about, for error messages.
#[derive(Clone, Copy)]
pub(super) struct ColumnName<'a> {
    pub file: &'a str,
    pub column: &'a str,
}

impl ColumnName<'_> {
    fn wrong_type(&self, expected: &'static str, found: &DataType) -> IngestError {
        IngestError::WrongType {
            file: self.file.to_string(),
            column: self.column.to_string(),
            expected,
            found: found.to_string(),
        }
    }

    fn cast_failed(&self, expected: &'static str, found: &DataType) -> IngestError {
        self.wrong_type(expected, found)
    }
}

fn is_numeric(data_type: &DataType) -> bool {
    data_type.is_integer() || data_type.is_floating()
}

fn is_string(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) || matches!(data_type, DataType::Dictionary(_, value) if is_string(value))
}

/// Any numeric column as `f64` (nulls stay null).
pub(super) fn float_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<Float64Array, IngestError> {
    let data_type = array.data_type();
    if !(is_numeric(data_type) || data_type == &DataType::Null) {
        return Err(name.wrong_type("a number", data_type));
    }
    let converted =
        cast(array, &DataType::Float64).map_err(|_| name.cast_failed("a number", data_type))?;
    Ok(converted.as_primitive::<Float64Type>().clone())
}

/// Any integer (or integral float) column as `i64`; out-of-range values become null.
pub(super) fn integer_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<Int64Array, IngestError> {
    let data_type = array.data_type();
    if !(is_numeric(data_type) || data_type == &DataType::Null) {
        return Err(name.wrong_type("an integer", data_type));
    }
    let converted =
        cast(array, &DataType::Int64).map_err(|_| name.cast_failed("an integer", data_type))?;
    Ok(converted.as_primitive::<Int64Type>().clone())
}

/// An integer column as `u64`, for candids; negative values become null.
/// Floats are refused: a candid that went through a float has lost digits.
pub(super) fn candid_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<UInt64Array, IngestError> {
    let data_type = array.data_type();
    if !data_type.is_integer() {
        return Err(name.wrong_type("an integer candid", data_type));
    }
    let converted = cast(array, &DataType::UInt64)
        .map_err(|_| name.cast_failed("an integer candid", data_type))?;
    Ok(converted.as_primitive::<UInt64Type>().clone())
}

/// Any string column as `Utf8`.
pub(super) fn string_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<StringArray, IngestError> {
    let data_type = array.data_type();
    if !(is_string(data_type) || data_type == &DataType::Null) {
        return Err(name.wrong_type("a string", data_type));
    }
    let converted =
        cast(array, &DataType::Utf8).map_err(|_| name.cast_failed("a string", data_type))?;
    Ok(converted.as_string::<i32>().clone())
}

/// A struct column.
pub(super) fn struct_column<'a>(
    array: &'a dyn Array,
    name: ColumnName,
) -> Result<&'a StructArray, IngestError> {
    array
        .as_struct_opt()
        .ok_or_else(|| name.wrong_type("a struct", array.data_type()))
}

/// A child of a struct column, or `None` when the struct has no such field.
pub(super) fn struct_child<'a>(parent: &'a StructArray, child: &str) -> Option<&'a ArrayRef> {
    parent.column_by_name(child)
}

/// A list column, `list` or `large_list`, reduced to per-row ranges into its
/// flattened values.
pub(super) struct ListColumn {
    starts: Vec<usize>,
    valid: Vec<bool>,
    pub values: ArrayRef,
}

impl ListColumn {
    pub(super) fn new(array: &dyn Array, name: ColumnName) -> Result<ListColumn, IngestError> {
        let valid: Vec<bool> = (0..array.len()).map(|row| array.is_valid(row)).collect();
        if let Some(list) = array.as_list_opt::<i32>() {
            let starts = list
                .value_offsets()
                .iter()
                .map(|&offset| offset as usize)
                .collect();
            Ok(ListColumn {
                starts,
                valid,
                values: list.values().clone(),
            })
        } else if let Some(list) = array.as_list_opt::<i64>() {
            let starts = list
                .value_offsets()
                .iter()
                .map(|&offset| offset as usize)
                .collect();
            Ok(ListColumn {
                starts,
                valid,
                values: list.values().clone(),
            })
        } else {
            Err(name.wrong_type("a list", array.data_type()))
        }
    }

    /// The range of `values` that row `row` holds; `None` for a null list.
    pub(super) fn range(&self, row: usize) -> Option<Range<usize>> {
        if self.valid[row] {
            Some(self.starts[row]..self.starts[row + 1])
        } else {
            None
        }
    }
}

/// The value at `row` as `f64`, with nulls and non-finite numbers as `NaN`.
pub(super) fn finite_or_nan(array: &Float64Array, row: usize) -> f64 {
    if array.is_null(row) {
        return f64::NAN;
    }
    let value = array.value(row);
    if value.is_finite() {
        value
    } else {
        f64::NAN
    }
}

/// Like [`finite_or_nan`] for an optional column: a column the file lacks is all `NaN`.
pub(super) fn optional_finite_or_nan(array: Option<&Float64Array>, row: usize) -> f64 {
    array.map_or(f64::NAN, |array| finite_or_nan(array, row))
}

/// The string at `row`, or `None` when null.
pub(super) fn optional_str(array: &StringArray, row: usize) -> Option<&str> {
    if array.is_null(row) {
        None
    } else {
        Some(array.value(row))
    }
}
