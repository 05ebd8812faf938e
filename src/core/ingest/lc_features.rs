//! Fink's precomputed light-curve features (`lc_features_g`, `lc_features_r`),
//! shared by both layouts. Only the six fields the VRA uses are read.

use arrow_array::{Array, Float64Array, RecordBatch, StructArray};

use super::columns::{finite_or_nan, float_column, struct_child, struct_column, ColumnName};
use super::IngestError;
use crate::core::alert::{BandFeatures, FinkLcFeatures};

/// The two top-level columns, g band then r band.
pub(super) const LC_FEATURE_COLUMNS: [&str; 2] = ["lc_features_g", "lc_features_r"];

/// The six feature columns of one band; `None` for a field the struct lacks.
struct BandColumns {
    valid: Vec<bool>,
    fields: [Option<Float64Array>; 6],
}

impl BandColumns {
    fn new(array: &dyn Array, file: &str, column: &str) -> Result<BandColumns, IngestError> {
        let parent: &StructArray = struct_column(array, ColumnName { file, column })?;
        let valid = (0..parent.len()).map(|row| parent.is_valid(row)).collect();
        let mut fields: [Option<Float64Array>; 6] = Default::default();
        for (slot, field) in fields.iter_mut().zip(BandFeatures::FIELD_NAMES) {
            let full = format!("{column}.{field}");
            *slot = struct_child(parent, field)
                .map(|child| {
                    float_column(
                        child.as_ref(),
                        ColumnName {
                            file,
                            column: &full,
                        },
                    )
                })
                .transpose()?;
        }
        Ok(BandColumns { valid, fields })
    }

    fn features(&self, row: usize) -> BandFeatures {
        if !self.valid[row] {
            return BandFeatures::MISSING;
        }
        BandFeatures::from_values(self.fields.each_ref().map(|field| {
            field
                .as_ref()
                .map_or(f64::NAN, |values| finite_or_nan(values, row))
        }))
    }
}

/// Fink's features of every row of a batch, when the file carries them.
pub(super) struct LcFeatureColumns {
    g: Option<BandColumns>,
    r: Option<BandColumns>,
}

impl LcFeatureColumns {
    /// `Ok(None)` when the batch has neither `lc_features_g` nor `lc_features_r`
    /// (an older schema: the features are then recomputed downstream).
    pub(super) fn from_batch(
        batch: &RecordBatch,
        file: &str,
    ) -> Result<Option<LcFeatureColumns>, IngestError> {
        let band = |column: &str| {
            batch
                .column_by_name(column)
                .map(|array| BandColumns::new(array.as_ref(), file, column))
                .transpose()
        };
        let g = band(LC_FEATURE_COLUMNS[0])?;
        let r = band(LC_FEATURE_COLUMNS[1])?;
        if g.is_none() && r.is_none() {
            return Ok(None);
        }
        Ok(Some(LcFeatureColumns { g, r }))
    }

    pub(super) fn features(&self, row: usize) -> FinkLcFeatures {
        let band = |columns: &Option<BandColumns>| {
            columns
                .as_ref()
                .map_or(BandFeatures::MISSING, |columns| columns.features(row))
        };
        FinkLcFeatures {
            g: band(&self.g),
            r: band(&self.r),
        }
    }
}
