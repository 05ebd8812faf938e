//! Fink's `lc_features` column of LSST files: a map from band name to a
//! struct of 26 light-curve values. Only the six the VRA uses are read.

use arrow_array::cast::AsArray;
use arrow_array::{Array, Float64Array, StringArray};

use super::super::columns::{
    finite_or_nan, optional_float_child, string_column, struct_column, ColumnName,
};
use super::super::IngestError;
use crate::core::alert::{BandFeatures, LsstBand, LsstLcFeatures};

/// The column's name.
pub(super) const COLUMN: &str = "lc_features";

/// The `lc_features` map of every row of a batch.
pub(super) struct LsstLcFeatureColumns {
    valid: Vec<bool>,
    offsets: Vec<usize>,
    bands: StringArray,
    /// The six fields in [`BandFeatures::FIELD_NAMES`] order; `None` for a
    /// field the struct lacks.
    fields: [Option<Float64Array>; 6],
    /// Validity of each map value (a null struct: the band has no features).
    value_valid: Vec<bool>,
}

impl LsstLcFeatureColumns {
    /// `Ok(None)` when the batch has no `lc_features` column (the features
    /// are then recomputed downstream).
    pub(super) fn from_batch(
        batch: &arrow_array::RecordBatch,
        file: &str,
    ) -> Result<Option<LsstLcFeatureColumns>, IngestError> {
        let Some(array) = batch.column_by_name(COLUMN) else {
            return Ok(None);
        };
        let wrong_type = || IngestError::WrongType {
            file: file.to_string(),
            column: COLUMN.to_string(),
            expected: "a map from band to a struct of features".to_string(),
            found: array.data_type().to_string(),
        };
        let map = array.as_map_opt().ok_or_else(wrong_type)?;
        let bands = string_column(
            map.keys().as_ref(),
            ColumnName {
                file,
                column: "lc_features.key",
            },
        )?;
        let values = struct_column(
            map.values().as_ref(),
            ColumnName {
                file,
                column: "lc_features.value",
            },
        )?;
        let mut fields: [Option<Float64Array>; 6] = Default::default();
        for (slot, field) in fields.iter_mut().zip(BandFeatures::FIELD_NAMES) {
            *slot = optional_float_child(values, file, "lc_features.value", field)?;
        }
        Ok(Some(LsstLcFeatureColumns {
            valid: (0..map.len()).map(|row| map.is_valid(row)).collect(),
            offsets: map
                .value_offsets()
                .iter()
                .map(|&offset| offset as usize)
                .collect(),
            bands,
            fields,
            value_valid: (0..values.len())
                .map(|index| values.is_valid(index))
                .collect(),
        }))
    }

    /// The features of row `row`: a band absent from the map, a null value or
    /// a null map gives `NaN`s.
    pub(super) fn features(&self, row: usize) -> LsstLcFeatures {
        let mut features = [BandFeatures::MISSING; 6];
        if !self.valid[row] {
            return features;
        }
        for entry in self.offsets[row]..self.offsets[row + 1] {
            let band = (!self.bands.is_null(entry))
                .then(|| LsstBand::from_name(self.bands.value(entry)))
                .flatten();
            let Some(band) = band else { continue };
            if !self.value_valid[entry] {
                continue;
            }
            features[band.index()] =
                BandFeatures::from_values(self.fields.each_ref().map(|field| {
                    field
                        .as_ref()
                        .map_or(f64::NAN, |values| finite_or_nan(values, entry))
                }));
        }
        features
    }
}
