//! Flux points from a struct of `diaSource` fields: the alert's `diaSource`,
//! the `prvDiaSources` elements and the `prvDiaForcedSources` elements share
//! these fields (`midpointMjdTai`, `band`, `psfFlux`, `psfFluxErr`).

use arrow_array::{Array, Float64Array, StringArray, StructArray, UInt64Array};
use arrow_buffer::NullBuffer;

use super::super::columns::{
    finite_or_nan, lenient_id_child, optional_str, required_child, required_float_child,
    string_column, ColumnName,
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

impl FluxColumns {
    /// Reads the flux-point fields of `parent`, a struct column named
    /// `column` in file `file`; `with_ids` also reads `diaSourceId`.
    pub(super) fn new(
        parent: &StructArray,
        file: &str,
        column: &str,
        with_ids: bool,
    ) -> Result<FluxColumns, IngestError> {
        let float = |field: &str| required_float_child(parent, file, column, field);
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
