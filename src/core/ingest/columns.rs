//! Typed views of arrow columns, whatever physical type the writer chose.
//!
//! Real Fink files disagree on types: `magpsf` is `float` in Spark files and
//! `double` in pyarrow ones, `fid` is `int32` or `int64`, strings are `string`,
//! `large_string` or views. These helpers accept every numeric (or string)
//! encoding, convert once to one type, and turn anything else into a typed
//! [`IngestError::WrongType`] that names the column.
//!
//! The conversions are written out here rather than taken from `arrow-cast`,
//! whose generic kernels for every pair of types would add over a megabyte to
//! the page's wasm for the handful of conversions needed.

use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, PrimitiveArray, StringArray, StructArray,
    UInt64Array,
};
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
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}

/// Converts every value of a primitive array with `convert`; nulls, and values
/// that `convert` refuses, become null.
fn convert<From, To>(
    array: &dyn Array,
    convert: impl Fn(From::Native) -> Option<To::Native>,
) -> PrimitiveArray<To>
where
    From: ArrowPrimitiveType,
    To: ArrowPrimitiveType,
{
    array
        .as_primitive::<From>()
        .iter()
        .map(|value| value.and_then(&convert))
        .collect()
}

/// Applies `$convert` to `$array` according to its numeric data type, or
/// evaluates `$otherwise` for a non-numeric one.
macro_rules! by_numeric_type {
    ($array:expr, $to:ty, $convert:expr, $otherwise:expr) => {
        match $array.data_type() {
            DataType::Int8 => convert::<Int8Type, $to>($array, |v| $convert(v as f64, v as i128)),
            DataType::Int16 => convert::<Int16Type, $to>($array, |v| $convert(v as f64, v as i128)),
            DataType::Int32 => convert::<Int32Type, $to>($array, |v| $convert(v as f64, v as i128)),
            DataType::Int64 => convert::<Int64Type, $to>($array, |v| $convert(v as f64, v as i128)),
            DataType::UInt8 => convert::<UInt8Type, $to>($array, |v| $convert(v as f64, v as i128)),
            DataType::UInt16 => {
                convert::<UInt16Type, $to>($array, |v| $convert(v as f64, v as i128))
            }
            DataType::UInt32 => {
                convert::<UInt32Type, $to>($array, |v| $convert(v as f64, v as i128))
            }
            DataType::UInt64 => {
                convert::<UInt64Type, $to>($array, |v| $convert(v as f64, v as i128))
            }
            DataType::Float32 => convert::<Float32Type, $to>($array, |v| {
                $convert(f64::from(v), integral(f64::from(v)))
            }),
            DataType::Float64 => convert::<Float64Type, $to>($array, |v| $convert(v, integral(v))),
            DataType::Null => std::iter::repeat_n(None, $array.len()).collect(),
            _ => return $otherwise,
        }
    };
}

/// The integer a float holds exactly, or an impossible value (beyond i64 and
/// u64) that the integer conversions refuse.
fn integral(value: f64) -> i128 {
    if value.fract() == 0.0 && value.abs() < 9.2e18 {
        value as i128
    } else {
        i128::MAX
    }
}

/// Any numeric column as `f64` (nulls stay null).
pub(super) fn float_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<Float64Array, IngestError> {
    Ok(by_numeric_type!(
        array,
        Float64Type,
        |float: f64, _| Some(float),
        Err(name.wrong_type("a number", array.data_type()))
    ))
}

/// Any integer (or integral float) column as `i64`; other values become null.
pub(super) fn integer_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<Int64Array, IngestError> {
    Ok(by_numeric_type!(
        array,
        Int64Type,
        |_, integer: i128| i64::try_from(integer).ok(),
        Err(name.wrong_type("an integer", array.data_type()))
    ))
}

/// An integer column as `u64`, for 64-bit ids (candids, diaSourceIds,
/// diaObjectIds); negative values become null. Floats are refused: an id
/// that went through a float has lost digits.
pub(super) fn candid_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<UInt64Array, IngestError> {
    if !array.data_type().is_integer() {
        return Err(name.wrong_type("an integer id", array.data_type()));
    }
    Ok(by_numeric_type!(
        array,
        UInt64Type,
        |_, integer: i128| u64::try_from(integer).ok(),
        Err(name.wrong_type("an integer id", array.data_type()))
    ))
}

/// Any string column (`string`, `large_string`, `string_view`) as `Utf8`.
pub(super) fn string_column(
    array: &dyn Array,
    name: ColumnName,
) -> Result<StringArray, IngestError> {
    match array.data_type() {
        DataType::Utf8 => Ok(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 => Ok(array.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Ok(array.as_string_view().iter().collect()),
        DataType::Null => Ok(std::iter::repeat_n(None::<&str>, array.len()).collect()),
        other => Err(name.wrong_type("a string", other)),
    }
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

/// The typed child `field` of `parent` (a struct column named `column`), or
/// a [`IngestError::MissingColumn`] naming `column.field`.
pub(super) fn required_child<'a>(
    parent: &'a StructArray,
    file: &str,
    column: &str,
    field: &str,
) -> Result<&'a dyn Array, IngestError> {
    struct_child(parent, field)
        .map(|array| array.as_ref())
        .ok_or_else(|| IngestError::MissingColumn {
            file: file.to_string(),
            column: format!("{column}.{field}"),
        })
}

/// A numeric child of `parent` as `f64`, or a [`IngestError::MissingColumn`]
/// naming `column.field`.
pub(super) fn required_float_child(
    parent: &StructArray,
    file: &str,
    column: &str,
    field: &str,
) -> Result<Float64Array, IngestError> {
    float_column(
        required_child(parent, file, column, field)?,
        ColumnName {
            file,
            column: &format!("{column}.{field}"),
        },
    )
}

/// A numeric child of `parent` as `f64`, or `None` when the struct lacks it.
pub(super) fn optional_float_child(
    parent: &StructArray,
    file: &str,
    column: &str,
    field: &str,
) -> Result<Option<Float64Array>, IngestError> {
    struct_child(parent, field)
        .map(|array| {
            float_column(
                array.as_ref(),
                ColumnName {
                    file,
                    column: &format!("{column}.{field}"),
                },
            )
        })
        .transpose()
}

/// An integer id child of `parent` as `u64`, or `None` when the struct lacks
/// it. Floats and strings are refused: a 64-bit id must come as an integer.
pub(super) fn optional_id_child(
    parent: &StructArray,
    file: &str,
    column: &str,
    field: &str,
) -> Result<Option<UInt64Array>, IngestError> {
    struct_child(parent, field)
        .map(|array| {
            candid_column(
                array.as_ref(),
                ColumnName {
                    file,
                    column: &format!("{column}.{field}"),
                },
            )
        })
        .transpose()
}

/// An id child of `parent` that only marks or groups something (a source's
/// id for de-duplication, a solar-system object's id), read leniently: an
/// integer column as `u64`; a column pandas typed `null` (every value null),
/// or one of any other type, as no ids at all rather than an error.
pub(super) fn lenient_id_child(parent: &StructArray, field: &str) -> Option<UInt64Array> {
    let array = struct_child(parent, field)?;
    if !array.data_type().is_integer() {
        return None;
    }
    let name = ColumnName {
        file: "",
        column: field,
    };
    let ids = integer_column(array.as_ref(), name).ok()?;
    Some(
        ids.iter()
            .map(|id| id.and_then(|id| u64::try_from(id).ok()))
            .collect(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float32Array, Int32Array, LargeStringArray};

    const NAME: ColumnName<'static> = ColumnName {
        file: "f.parquet",
        column: "c",
    };

    #[test]
    fn integral_floats_become_integers_and_fractions_become_null() {
        let fids = Float32Array::from(vec![Some(2.0), Some(2.5), None]);
        let converted = integer_column(&fids, NAME).expect("numeric");
        assert_eq!(
            converted.iter().collect::<Vec<_>>(),
            vec![Some(2), None, None]
        );
    }

    #[test]
    fn negative_candids_become_null_and_floats_are_refused() {
        let candids = Int32Array::from(vec![Some(5), Some(-1)]);
        let converted = candid_column(&candids, NAME).expect("integer");
        assert_eq!(converted.iter().collect::<Vec<_>>(), vec![Some(5), None]);
        assert!(candid_column(&Float32Array::from(vec![5.0]), NAME).is_err());
    }

    #[test]
    fn large_strings_read_like_strings_and_numbers_are_not_strings() {
        let ids = LargeStringArray::from(vec![Some("ZTF25aaaaaaa"), None]);
        let converted = string_column(&ids, NAME).expect("string");
        assert_eq!(
            converted.iter().collect::<Vec<_>>(),
            vec![Some("ZTF25aaaaaaa"), None]
        );
        assert!(matches!(
            string_column(&Int32Array::from(vec![1]), NAME),
            Err(IngestError::WrongType { .. })
        ));
    }
}
