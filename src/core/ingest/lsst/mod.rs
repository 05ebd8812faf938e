//! Rubin/LSST alerts as Fink writes them (alert schema 7.x to 10.x): one row
//! per `diaSource`, with `prvDiaSources`, `prvDiaForcedSources`, `ssSource`
//! and, after Fink's processing, `lc_features`.
//!
//! Spark writes int64/float32/int32 and pandas float64 everywhere (and
//! `null`-typed columns where every value is null): the column helpers accept
//! both. Ids are read only from integer columns, so that an id that went
//! through a float (pandas' `diaObject.diaObjectId`) is never used: the
//! object id comes from `diaSource.diaObjectId`.

mod lc_features;
mod solar_system;
mod sources;

use std::fmt;

use arrow_array::{Array, RecordBatch, UInt64Array};
use arrow_schema::Schema;

use super::columns::{
    candid_column, finite_or_nan, optional_finite_or_nan, optional_float_child, optional_id_child,
    required_float_child, struct_column, ColumnName, ListColumn,
};
use super::identity::{check_coordinates, required_column};
use super::{IngestError, ParsedFile, SkipReason};
use crate::core::alert::{Alert, BandFeatures, Candid, LsstAlert};
use lc_features::LsstLcFeatureColumns;
use solar_system::SolarSystemColumns;
use sources::{FluxColumns, FLUX_POINT_FIELDS};

/// The Rubin alert schema a file follows, told from its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LsstSchema {
    /// 7.x: the alert id is a top-level `alertId`.
    V7,
    /// 9.x: `diaSourceId` at the top, solar-system orbits in `MPCORB`.
    V9,
    /// 10.x: solar-system orbits in `mpc_orbits`.
    V10,
    /// A `diaSourceId` layout that is neither (8.x, or newer than 10).
    Other,
}

impl LsstSchema {
    /// Tells the schema from the file's top-level columns.
    pub(super) fn detect(schema: &Schema) -> LsstSchema {
        let has = |name: &str| schema.field_with_name(name).is_ok();
        if has("alertId") {
            LsstSchema::V7
        } else if has("mpc_orbits") {
            LsstSchema::V10
        } else if has("MPCORB") {
            LsstSchema::V9
        } else {
            LsstSchema::Other
        }
    }
}

impl fmt::Display for LsstSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LsstSchema::V7 => "Rubin alert schema 7.x",
            LsstSchema::V9 => "Rubin alert schema 9.x",
            LsstSchema::V10 => "Rubin alert schema 10.x",
            LsstSchema::Other => "Rubin alert schema (8.x or newer than 10)",
        })
    }
}

/// The top-level struct of the alert's own source: its presence marks an LSST file.
pub(super) const SOURCE_COLUMN: &str = "diaSource";
const HISTORY_COLUMN: &str = "prvDiaSources";
const FORCED_COLUMN: &str = "prvDiaForcedSources";
/// The top-level alert id: `diaSourceId` from schema 8, `alertId` in 7.
pub(super) const ALERT_ID_COLUMNS: [&str; 2] = ["diaSourceId", "alertId"];

/// `diaSource` fields read beside the flux-point ones.
const SOURCE_FIELDS: [&str; 7] = [
    "diaSourceId",
    "diaObjectId",
    solar_system::ID_FIELD,
    "ra",
    "dec",
    "snr",
    "reliability",
];

/// Whether the leaf `top...leaf` (a path of `depth` parts) is read.
pub(super) fn is_needed_leaf(top: &str, leaf: &str, depth: usize) -> bool {
    let point_field = FLUX_POINT_FIELDS.contains(&leaf);
    match top {
        _ if ALERT_ID_COLUMNS.contains(&top) => depth == 1,
        SOURCE_COLUMN => depth == 2 && (point_field || SOURCE_FIELDS.contains(&leaf)),
        // <column>.<list>.<element>.field: the wrapper names vary by writer.
        HISTORY_COLUMN => depth >= 3 && (point_field || leaf == "diaSourceId"),
        FORCED_COLUMN => depth >= 3 && point_field,
        // The association is its id's value, never the struct's presence.
        solar_system::COLUMN => depth == 2 && leaf == solar_system::ID_FIELD,
        // lc_features.<key_value>.key and lc_features.<key_value>.value.<field>
        lc_features::COLUMN => {
            (depth == 3 && leaf == "key")
                || (depth == 4 && BandFeatures::FIELD_NAMES.contains(&leaf))
        }
        _ => false,
    }
}

/// The alert ids of a batch: the top-level id column, or `diaSource.diaSourceId`.
fn alert_ids(
    batch: &RecordBatch,
    source: &arrow_array::StructArray,
    file: &str,
) -> Result<UInt64Array, IngestError> {
    for column in ALERT_ID_COLUMNS {
        if let Some(array) = batch.column_by_name(column) {
            return candid_column(array.as_ref(), ColumnName { file, column });
        }
    }
    optional_id_child(source, file, SOURCE_COLUMN, "diaSourceId")?.ok_or_else(|| {
        IngestError::MissingColumn {
            file: file.to_string(),
            column: "diaSourceId".to_string(),
        }
    })
}

/// A list-of-struct column of flux points, or `None` when the file lacks it
/// or every value is null (pandas types an all-null list as `list<null>`).
fn flux_lists(
    batch: &RecordBatch,
    file: &str,
    column: &str,
    with_ids: bool,
) -> Result<Option<(ListColumn, FluxColumns)>, IngestError> {
    let Some(array) = batch.column_by_name(column) else {
        return Ok(None);
    };
    let lists = ListColumn::new(array.as_ref(), ColumnName { file, column })?;
    if lists.values.data_type().is_null() {
        return Ok(None);
    }
    let element = format!("{column}.element");
    let elements = struct_column(
        lists.values.as_ref(),
        ColumnName {
            file,
            column: &element,
        },
    )?;
    let points = FluxColumns::new(elements, file, column, with_ids)?;
    Ok(Some((lists, points)))
}

pub(super) fn read_batch(
    batch: &RecordBatch,
    file: &str,
    parsed: &mut ParsedFile,
) -> Result<(), IngestError> {
    let source_array = required_column(batch, file, SOURCE_COLUMN)?;
    let source = struct_column(
        source_array.as_ref(),
        ColumnName {
            file,
            column: SOURCE_COLUMN,
        },
    )?;
    let ids = alert_ids(batch, source, file)?;
    let own = FluxColumns::new(source, file, SOURCE_COLUMN, true)?;
    let object_ids =
        optional_id_child(source, file, SOURCE_COLUMN, "diaObjectId")?.ok_or_else(|| {
            IngestError::MissingColumn {
                file: file.to_string(),
                column: "diaSource.diaObjectId".to_string(),
            }
        })?;
    let solar_system = SolarSystemColumns::new(batch, source);
    let float = |field: &str| optional_float_child(source, file, SOURCE_COLUMN, field);
    let required_float = |field: &str| required_float_child(source, file, SOURCE_COLUMN, field);
    let (ra, dec) = (required_float("ra")?, required_float("dec")?);
    let (snr, reliability) = (float("snr")?, float("reliability")?);
    let history = flux_lists(batch, file, HISTORY_COLUMN, true)?;
    let forced = flux_lists(batch, file, FORCED_COLUMN, false)?;
    let lc_features = LsstLcFeatureColumns::from_batch(batch, file)?;

    for row in 0..batch.num_rows() {
        let file_row = parsed.rows;
        parsed.rows += 1;
        if ids.is_null(row) {
            parsed.skip(file_row, None, SkipReason::MissingCandid);
            continue;
        }
        let id = Candid(ids.value(row));
        let ss_object = solar_system.ss_object(row);
        // A null diaObjectId is no object; with a solar-system object, the
        // source is that object's (read as diaObjectId 0), else it is refused.
        let dia_object_id = match (object_ids.is_null(row), ss_object) {
            (false, _) => object_ids.value(row),
            (true, Some(_)) => 0,
            (true, None) => {
                parsed.skip(file_row, Some(id), SkipReason::MissingObjectId);
                continue;
            }
        };
        let Some(own_source) = source.is_valid(row).then(|| own.point(row)).flatten() else {
            parsed.skip(file_row, Some(id), SkipReason::MissingCandidate);
            continue;
        };
        let (alert_ra, alert_dec) = (finite_or_nan(&ra, row), finite_or_nan(&dec, row));
        if let Err(reason) = check_coordinates(alert_ra, alert_dec) {
            parsed.skip(file_row, Some(id), reason);
            continue;
        }
        let mut points_of = |lists: &Option<(ListColumn, FluxColumns)>, into: &mut Vec<_>| {
            if let Some((lists, points)) = lists {
                for index in lists.range(row).unwrap_or_default() {
                    match points.point(index) {
                        Some(point) => into.push(point),
                        None => parsed.dropped_points += 1,
                    }
                }
            }
        };
        let mut sources = vec![own_source];
        points_of(&history, &mut sources);
        let mut forced_sources = Vec::new();
        points_of(&forced, &mut forced_sources);
        parsed.alerts.push(Alert::Lsst(LsstAlert {
            dia_source_id: id,
            dia_object_id,
            ra: alert_ra,
            dec: alert_dec,
            reliability: optional_finite_or_nan(reliability.as_ref(), row),
            snr: optional_finite_or_nan(snr.as_ref(), row),
            ss_object,
            sources,
            forced_sources,
            lc_features: lc_features
                .as_ref()
                .map(|columns| Box::new(columns.features(row))),
        }));
    }
    Ok(())
}
