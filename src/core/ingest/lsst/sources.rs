//! Flux points from a struct of `diaSource` fields: the alert's `diaSource`,
//! the `prvDiaSources` elements and the `prvDiaForcedSources` elements share
//! these fields (`midpointMjdTai`, `band`, `psfFlux`, `psfFluxErr`).

use arrow_array::{Array, Float64Array, StringArray, StructArray, UInt64Array};
use arrow_buffer::NullBuffer;

use super::super::columns::{
    candid_column, finite_or_nan, float_column, integer_column, optional_str, string_column,
    struct_child, ColumnName,
};
use super::super::IngestError;
use crate::core::alert::{FluxPoint, LsstBand};

/// The fields every flux point needs; a struct without one is refused.
pub(super) const FLUX_POINT_FIELDS: [&str; 4] = ["midpointMjdTai", "band", "psfFlux", "psfFluxErr"];

/// Typed columns of a struct of flux-point fields.
pub(super) struct FluxColumns {
    /// Validity of the struct itself: a null struct is no point at all.
    present: Option<NullBuffer>,
    source_id: Option<UInt64Array>,
    mjd: Float64Array,
    band: StringArray,
    flux: Float64Array,
    flux_error: Float64Array,
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

impl FluxColumns {
    /// Reads the flux-point fields of `parent`, a struct column named
    /// `column` in file `file`; `with_ids` also reads `diaSourceId`.
    pub(super) fn new(
        parent: &StructArray,
        file: &str,
        column: &str,
        with_ids: bool,
    ) -> Result<FluxColumns, IngestError> {
        let float = |field: &str| -> Result<Float64Array, IngestError> {
            float_column(
                required_child(parent, file, column, field)?,
                ColumnName {
                    file,
                    column: &format!("{column}.{field}"),
                },
            )
        };
        let source_id = if with_ids {
            lenient_id_child(parent, "diaSourceId")
        } else {
            None
        };
        Ok(FluxColumns {
            present: parent.nulls().cloned(),
            source_id,
            mjd: float("midpointMjdTai")?,
            band: string_column(
                required_child(parent, file, column, "band")?,
                ColumnName {
                    file,
                    column: &format!("{column}.band"),
                },
            )?,
            flux: float("psfFlux")?,
            flux_error: float("psfFluxErr")?,
        })
    }

    /// The point at `index`, or `None` when it is null or has no time.
    pub(super) fn point(&self, index: usize) -> Option<FluxPoint> {
        if self
            .present
            .as_ref()
            .is_some_and(|present| present.is_null(index))
        {
            return None;
        }
        let mjd = finite_or_nan(&self.mjd, index);
        if mjd.is_nan() {
            return None;
        }
        Some(FluxPoint {
            source_id: self
                .source_id
                .as_ref()
                .and_then(|ids| ids.is_valid(index).then(|| ids.value(index))),
            mjd,
            band: optional_str(&self.band, index).and_then(LsstBand::from_name),
            flux: finite_or_nan(&self.flux, index),
            flux_error: finite_or_nan(&self.flux_error, index),
        })
    }
}
