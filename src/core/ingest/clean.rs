//! The "clean" layout written by the researcher's finkvra consumer: scalar
//! `candid, objectId, ra, dec, drb`, parallel lists `mjd, mag, maglim, fid,
//! isdiffpos` (current candidate first), `lc_features_*`, `sherl_class`, and
//! `sep_arcsec`, which that consumer writes as a **string** (`"0.42"`, `"nan"`).

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::DataType;

use super::columns::{
    finite_or_nan, float_column, integer_column, optional_finite_or_nan, optional_str,
    string_column, ColumnName, ListColumn,
};
use super::identity::{check_coordinates, required_column, IdentityColumns};
use super::lc_features::LcFeatureColumns;
use super::{IngestError, ParsedFile, SkipReason};
use crate::core::alert::{Alert, Band, DifferenceSign, LightCurvePoint, ZtfAlert};

/// Every top-level column this layout reads (besides `lc_features_*`).
pub(super) const TOP_LEVEL_COLUMNS: [&str; 11] = [
    "candid",
    "objectId",
    "ra",
    "dec",
    "drb",
    "mjd",
    "mag",
    "maglim",
    "fid",
    "isdiffpos",
    "sep_arcsec",
];

/// A light-curve list column with its flattened values typed as `T`.
struct TypedList<T> {
    name: &'static str,
    lists: ListColumn,
    values: T,
}

fn list<T>(
    batch: &RecordBatch,
    file: &str,
    name: &'static str,
    typed: impl Fn(&dyn Array, ColumnName) -> Result<T, IngestError>,
) -> Result<Option<TypedList<T>>, IngestError> {
    let Some(array) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let lists = ListColumn::new(array.as_ref(), ColumnName { file, column: name })?;
    let values = typed(lists.values.as_ref(), ColumnName { file, column: name })?;
    Ok(Some(TypedList {
        name,
        lists,
        values,
    }))
}

fn required_list<T>(
    batch: &RecordBatch,
    file: &str,
    name: &'static str,
    typed: impl Fn(&dyn Array, ColumnName) -> Result<T, IngestError>,
) -> Result<TypedList<T>, IngestError> {
    list(batch, file, name, typed)?.ok_or_else(|| IngestError::MissingColumn {
        file: file.to_string(),
        column: name.to_string(),
    })
}

impl<T> TypedList<T> {
    /// The start of this row's list in `values`, after checking that its length
    /// is `length` (the `mjd` list's); a null list reads as all nulls.
    fn start(&self, row: usize, length: usize) -> Result<Option<usize>, SkipReason> {
        match self.lists.range(row) {
            None => Ok(None),
            Some(range) if range.len() == length => Ok(Some(range.start)),
            Some(_) => Err(SkipReason::LightCurveListsDiffer {
                column: self.name.to_string(),
            }),
        }
    }
}

/// Host separations: the consumer's strings, or numbers from another writer.
enum Separations {
    Text(StringArray),
    Numbers(Float64Array),
}

impl Separations {
    fn from_batch(batch: &RecordBatch, file: &str) -> Result<Option<Separations>, IngestError> {
        let Some(array) = batch.column_by_name("sep_arcsec") else {
            return Ok(None);
        };
        let name = ColumnName {
            file,
            column: "sep_arcsec",
        };
        let separations = if matches!(
            array.data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ) {
            Separations::Text(string_column(array.as_ref(), name)?)
        } else {
            Separations::Numbers(float_column(array.as_ref(), name)?)
        };
        Ok(Some(separations))
    }

    /// The separation in arcsec; `NaN` for null, `"nan"` or unparseable text.
    fn value(&self, row: usize) -> f64 {
        match self {
            Separations::Numbers(numbers) => finite_or_nan(numbers, row),
            Separations::Text(text) => optional_str(text, row)
                .and_then(|value| value.trim().parse::<f64>().ok())
                .filter(|value| value.is_finite())
                .unwrap_or(f64::NAN),
        }
    }
}

pub(super) fn read_batch(
    batch: &RecordBatch,
    file: &str,
    parsed: &mut ParsedFile,
) -> Result<(), IngestError> {
    let identity = IdentityColumns::from_batch(batch, file)?;
    let scalar = |name: &str| {
        float_column(
            required_column(batch, file, name)?.as_ref(),
            ColumnName { file, column: name },
        )
    };
    let ra = scalar("ra")?;
    let dec = scalar("dec")?;
    let drb = batch
        .column_by_name("drb")
        .map(|array| {
            float_column(
                array.as_ref(),
                ColumnName {
                    file,
                    column: "drb",
                },
            )
        })
        .transpose()?;
    let mjd: TypedList<Float64Array> = required_list(batch, file, "mjd", float_column)?;
    let mag: TypedList<Float64Array> = required_list(batch, file, "mag", float_column)?;
    let fid: TypedList<Int64Array> = required_list(batch, file, "fid", integer_column)?;
    let isdiffpos: TypedList<StringArray> = required_list(batch, file, "isdiffpos", string_column)?;
    let maglim: Option<TypedList<Float64Array>> = list(batch, file, "maglim", float_column)?;
    let separations = Separations::from_batch(batch, file)?;
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
        let (alert_ra, alert_dec) = (finite_or_nan(&ra, row), finite_or_nan(&dec, row));
        if let Err(reason) = check_coordinates(alert_ra, alert_dec) {
            parsed.skip(file_row, Some(candid), reason);
            continue;
        }
        let times = mjd.lists.range(row).unwrap_or_default();
        let length = times.len();
        let starts = (|| {
            Ok::<_, SkipReason>((
                mag.start(row, length)?,
                fid.start(row, length)?,
                isdiffpos.start(row, length)?,
                maglim
                    .as_ref()
                    .map(|list| list.start(row, length))
                    .transpose()?
                    .flatten(),
            ))
        })();
        let (mag_start, fid_start, sign_start, maglim_start) = match starts {
            Ok(starts) => starts,
            Err(reason) => {
                parsed.skip(file_row, Some(candid), reason);
                continue;
            }
        };
        let mut light_curve = Vec::with_capacity(length);
        for offset in 0..length {
            let time = finite_or_nan(&mjd.values, times.start + offset);
            let band = fid_start
                .filter(|start| fid.values.is_valid(start + offset))
                .and_then(|start| Band::from_fid(fid.values.value(start + offset)));
            let Some(band) = band.filter(|_| !time.is_nan()) else {
                if offset == 0 {
                    break; // the alert's own point is invalid: skipped below
                }
                parsed.dropped_points += 1;
                continue;
            };
            let mut point = LightCurvePoint::empty(time, band);
            point.magnitude =
                mag_start.map_or(f64::NAN, |start| finite_or_nan(&mag.values, start + offset));
            point.limiting_magnitude = match (&maglim, maglim_start) {
                (Some(list), Some(start)) => finite_or_nan(&list.values, start + offset),
                _ => f64::NAN,
            };
            point.difference_sign = DifferenceSign::from_isdiffpos(
                sign_start.and_then(|start| optional_str(&isdiffpos.values, start + offset)),
            );
            light_curve.push(point);
        }
        if light_curve.is_empty() {
            parsed.skip(file_row, Some(candid), SkipReason::MissingCandidate);
            continue;
        }
        parsed.alerts.push(Alert::Ztf(ZtfAlert {
            candid,
            object_id,
            ra: alert_ra,
            dec: alert_dec,
            drb: optional_finite_or_nan(drb.as_ref(), row),
            sep_arcsec: separations
                .as_ref()
                .map_or(f64::NAN, |separations| separations.value(row)),
            light_curve,
            fink_lc_features: lc_features.as_ref().map(|columns| columns.features(row)),
        }));
    }
    Ok(())
}
