//! Light-curve points from the full Fink schema's `candidate` struct and
//! `prv_candidates` list elements, which share one layout.

use arrow_array::{Array, Float64Array, Int64Array, StringArray, StructArray};
use arrow_buffer::NullBuffer;

use super::columns::{
    finite_or_nan, float_column, integer_column, optional_finite_or_nan, optional_str,
    string_column, struct_child, ColumnName,
};
use super::IngestError;
use crate::core::alert::{Band, DifferenceSign, LightCurvePoint};

/// Julian Date of MJD 0.
pub const MJD_ZERO_JD: f64 = 2_400_000.5;

/// The candidate fields that every point needs; a file without one of these
/// in `candidate` is refused.
pub(super) const REQUIRED_POINT_FIELDS: [&str; 6] =
    ["jd", "fid", "magpsf", "sigmapsf", "diffmaglim", "isdiffpos"];

/// Fields used when present: the reference-source values for DC magnitudes.
pub(super) const OPTIONAL_POINT_FIELDS: [&str; 3] = ["distnr", "magnr", "sigmagnr"];

/// Typed columns of a struct of ZTF candidate fields.
pub(super) struct PointColumns {
    /// Validity of the struct itself: a null struct is no point at all.
    present: Option<NullBuffer>,
    jd: Float64Array,
    fid: Int64Array,
    magpsf: Float64Array,
    sigmapsf: Float64Array,
    diffmaglim: Float64Array,
    isdiffpos: StringArray,
    distnr: Option<Float64Array>,
    magnr: Option<Float64Array>,
    sigmagnr: Option<Float64Array>,
}

impl PointColumns {
    /// Reads the point fields of `parent`, a struct column named `column`
    /// (`candidate` or `prv_candidates`), in file `file`.
    pub(super) fn new(
        parent: &StructArray,
        file: &str,
        column: &str,
    ) -> Result<PointColumns, IngestError> {
        let required = |field: &str| {
            struct_child(parent, field).ok_or_else(|| IngestError::MissingColumn {
                file: file.to_string(),
                column: format!("{column}.{field}"),
            })
        };
        let path = |field: &str| format!("{column}.{field}");
        let float = |field: &str| -> Result<Float64Array, IngestError> {
            let full = path(field);
            float_column(
                required(field)?.as_ref(),
                ColumnName {
                    file,
                    column: &full,
                },
            )
        };
        let optional_float = |field: &str| -> Result<Option<Float64Array>, IngestError> {
            let full = path(field);
            struct_child(parent, field)
                .map(|array| {
                    float_column(
                        array.as_ref(),
                        ColumnName {
                            file,
                            column: &full,
                        },
                    )
                })
                .transpose()
        };
        let fid_path = path("fid");
        let isdiffpos_path = path("isdiffpos");
        Ok(PointColumns {
            present: parent.nulls().cloned(),
            jd: float("jd")?,
            fid: integer_column(
                required("fid")?.as_ref(),
                ColumnName {
                    file,
                    column: &fid_path,
                },
            )?,
            magpsf: float("magpsf")?,
            sigmapsf: float("sigmapsf")?,
            diffmaglim: float("diffmaglim")?,
            isdiffpos: string_column(
                required("isdiffpos")?.as_ref(),
                ColumnName {
                    file,
                    column: &isdiffpos_path,
                },
            )?,
            distnr: optional_float("distnr")?,
            magnr: optional_float("magnr")?,
            sigmagnr: optional_float("sigmagnr")?,
        })
    }

    /// The point at `index`, or `None` when it has no valid time or band.
    pub(super) fn point(&self, index: usize) -> Option<LightCurvePoint> {
        if self
            .present
            .as_ref()
            .is_some_and(|present| present.is_null(index))
        {
            return None;
        }
        let jd = finite_or_nan(&self.jd, index);
        if jd.is_nan() || self.fid.is_null(index) {
            return None;
        }
        let band = Band::from_fid(self.fid.value(index))?;
        Some(LightCurvePoint {
            mjd: jd - MJD_ZERO_JD,
            band,
            magnitude: finite_or_nan(&self.magpsf, index),
            magnitude_error: finite_or_nan(&self.sigmapsf, index),
            limiting_magnitude: finite_or_nan(&self.diffmaglim, index),
            difference_sign: DifferenceSign::from_isdiffpos(optional_str(&self.isdiffpos, index)),
            nearest_ref_distance: optional_finite_or_nan(self.distnr.as_ref(), index),
            nearest_ref_magnitude: optional_finite_or_nan(self.magnr.as_ref(), index),
            nearest_ref_magnitude_error: optional_finite_or_nan(self.sigmagnr.as_ref(), index),
        })
    }
}
