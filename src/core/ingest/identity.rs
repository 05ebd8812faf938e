//! What every alert row needs in both layouts: a candid, an objectId and valid
//! coordinates. Rows without them are skipped, not fatal.

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, UInt64Array};

use super::columns::{candid_column, string_column, ColumnName};
use super::{IngestError, SkipReason};
use crate::core::alert::Candid;

/// A top-level column that the layout requires.
pub(super) fn required_column<'a>(
    batch: &'a RecordBatch,
    file: &str,
    column: &str,
) -> Result<&'a ArrayRef, IngestError> {
    batch
        .column_by_name(column)
        .ok_or_else(|| IngestError::MissingColumn {
            file: file.to_string(),
            column: column.to_string(),
        })
}

/// The `candid` and `objectId` columns of a batch.
pub(super) struct IdentityColumns {
    candid: UInt64Array,
    object_id: StringArray,
}

impl IdentityColumns {
    pub(super) fn from_batch(
        batch: &RecordBatch,
        file: &str,
    ) -> Result<IdentityColumns, IngestError> {
        let candid = required_column(batch, file, "candid")?;
        let object_id = required_column(batch, file, "objectId")?;
        Ok(IdentityColumns {
            candid: candid_column(
                candid.as_ref(),
                ColumnName {
                    file,
                    column: "candid",
                },
            )?,
            object_id: string_column(
                object_id.as_ref(),
                ColumnName {
                    file,
                    column: "objectId",
                },
            )?,
        })
    }

    /// The candid of `row`, if any (for reporting a skipped row).
    pub(super) fn candid(&self, row: usize) -> Option<Candid> {
        self.candid
            .is_valid(row)
            .then(|| Candid(self.candid.value(row)))
    }

    /// The candid and objectId of `row`, or why the row must be skipped.
    pub(super) fn identity(&self, row: usize) -> Result<(Candid, String), SkipReason> {
        let candid = self.candid(row).ok_or(SkipReason::MissingCandid)?;
        if self.object_id.is_null(row) || self.object_id.value(row).trim().is_empty() {
            return Err(SkipReason::MissingObjectId);
        }
        Ok((candid, self.object_id.value(row).trim().to_string()))
    }
}

/// Right ascension must be finite and declination within `[-90, 90]`.
pub(super) fn check_coordinates(ra: f64, dec: f64) -> Result<(), SkipReason> {
    if ra.is_finite() && dec.is_finite() && (-90.0..=90.0).contains(&dec) {
        Ok(())
    } else {
        Err(SkipReason::InvalidCoordinates { ra, dec })
    }
}
