//! Light-curve points from the full Fink schema's `candidate` struct and
//! `prv_candidates` list elements, which share one layout.

use arrow_array::{Array, Float64Array, Int64Array, StringArray, StructArray};
use arrow_buffer::NullBuffer;

use super::columns::{
    finite_or_nan, integer_column, optional_finite_or_nan, optional_float_child, optional_str,
    required_child, required_float_child, string_column, ColumnName,
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
        let path = |field: &str| format!("{column}.{field}");
        let float = |field: &str| required_float_child(parent, file, column, field);
        let optional_float = |field: &str| optional_float_child(parent, file, column, field);
        let fid_path = path("fid");
        let isdiffpos_path = path("isdiffpos");
        Ok(PointColumns {
            present: parent.nulls().cloned(),
            jd: float("jd")?,
            fid: integer_column(
                required_child(parent, file, column, "fid")?,
                ColumnName {
                    file,
                    column: &fid_path,
                },
            )?,
            magpsf: float("magpsf")?,
            sigmapsf: float("sigmapsf")?,
            diffmaglim: float("diffmaglim")?,
            isdiffpos: string_column(
                required_child(parent, file, column, "isdiffpos")?,
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
