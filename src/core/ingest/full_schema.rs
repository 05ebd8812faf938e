//! The full Fink alert schema: `candid`, `objectId`, the `candidate` struct,
//! the `prv_candidates` list of the same struct, and optional `lc_features_*`.

use arrow_array::{Array, RecordBatch};

use super::columns::{
    finite_or_nan, optional_finite_or_nan, optional_float_child, required_float_child,
    struct_column, ColumnName, ListColumn,
};
use super::identity::{check_coordinates, required_column, IdentityColumns};
use super::lc_features::LcFeatureColumns;
use super::points::{PointColumns, OPTIONAL_POINT_FIELDS, REQUIRED_POINT_FIELDS};
use super::{IngestError, ParsedFile, SkipReason};
use crate::core::alert::{Alert, ZtfAlert};

/// Candidate-only fields (not in every history point) that the features use.
const CANDIDATE_FIELDS: [&str; 3] = ["ra", "dec", "drb"];

/// Whether the leaf `top...leaf` (a path of `depth` parts) is read.
pub(super) fn is_needed_leaf(top: &str, leaf: &str, depth: usize) -> bool {
    let point_field =
        REQUIRED_POINT_FIELDS.contains(&leaf) || OPTIONAL_POINT_FIELDS.contains(&leaf);
    match top {
        "candid" | "objectId" => depth == 1,
        "candidate" => depth == 2 && (point_field || CANDIDATE_FIELDS.contains(&leaf)),
        // prv_candidates.<list>.<element>.field: the wrapper names vary by writer.
        "prv_candidates" => depth >= 3 && point_field,
        _ => false,
    }
}

pub(super) fn read_batch(
    batch: &RecordBatch,
    file: &str,
    parsed: &mut ParsedFile,
) -> Result<(), IngestError> {
    let identity = IdentityColumns::from_batch(batch, file)?;
    let candidate = struct_column(
        required_column(batch, file, "candidate")?.as_ref(),
        ColumnName {
            file,
            column: "candidate",
        },
    )?;
    let current = PointColumns::new(candidate, file, "candidate")?;
    let ra = required_float_child(candidate, file, "candidate", "ra")?;
    let dec = required_float_child(candidate, file, "candidate", "dec")?;
    let drb = optional_float_child(candidate, file, "candidate", "drb")?;
    let history = match batch.column_by_name("prv_candidates") {
        None => None,
        Some(array) => {
            let lists = ListColumn::new(
                array.as_ref(),
                ColumnName {
                    file,
                    column: "prv_candidates",
                },
            )?;
            let elements = struct_column(
                lists.values.as_ref(),
                ColumnName {
                    file,
                    column: "prv_candidates.element",
                },
            )?;
            let points = PointColumns::new(elements, file, "prv_candidates")?;
            Some((lists, points))
        }
    };
    let lc_features = LcFeatureColumns::from_batch(batch, file)?;

    for row in 0..batch.num_rows() {
        let file_row = parsed.rows;
        parsed.rows += 1;
        let (candid, object_id) = match identity.identity(row) {
            Ok(found) => found,
            Err(reason) => {
                parsed.skip(file_row, identity.candid(row), reason);
                continue;
            }
        };
        let Some(current_point) = candidate
            .is_valid(row)
            .then(|| current.point(row))
            .flatten()
        else {
            parsed.skip(file_row, Some(candid), SkipReason::MissingCandidate);
            continue;
        };
        let (alert_ra, alert_dec) = (finite_or_nan(&ra, row), finite_or_nan(&dec, row));
        if let Err(reason) = check_coordinates(alert_ra, alert_dec) {
            parsed.skip(file_row, Some(candid), reason);
            continue;
        }
        let mut light_curve = vec![current_point];
        if let Some((lists, points)) = &history {
            for index in lists.range(row).unwrap_or_default() {
                match points.point(index) {
                    Some(point) => light_curve.push(point),
                    None => parsed.dropped_points += 1,
                }
            }
        }
        parsed.alerts.push(Alert::Ztf(ZtfAlert {
            candid,
            object_id,
            ra: alert_ra,
            dec: alert_dec,
            drb: optional_finite_or_nan(drb.as_ref(), row),
            sep_arcsec: f64::NAN,
            light_curve,
            fink_lc_features: lc_features.as_ref().map(|columns| columns.features(row)),
        }));
    }
    Ok(())
}
