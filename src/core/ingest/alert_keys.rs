//! Where each layout keeps an alert's id and the time of its own
//! observation, for a reader that must key alerts before the core sees
//! them: a Spark stream drops an alert id met twice within a window of
//! alert time (`fink_vra.spark.read_alerts_stream`), so it needs both
//! columns as Spark expressions, in the fields [`super::schema_read`] keeps.

use arrow_schema::Schema;

use super::{detect_layout, lsst, IngestError, Layout};

/// The time scale of a layout's alert time column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeScale {
    /// Julian Date (ZTF's `candidate.jd`).
    JulianDate,
    /// Modified Julian Date (the clean layout's `mjd`, LSST's `midpointMjdTai`).
    ModifiedJulianDate,
}

/// The columns that key an alert in one layout. Paths start at a top-level
/// column and go down struct fields by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertKeys {
    /// The alert id the core reads (ZTF `candid`; LSST's top-level id, or
    /// `diaSource.diaSourceId` when the file has none).
    pub alert_id: Vec<&'static str>,
    /// The time of the alert's own observation.
    pub time: Vec<&'static str>,
    /// `time` is a list whose first element is the alert's own time (the
    /// clean layout puts the current candidate first).
    pub time_is_first_of_list: bool,
    pub time_scale: TimeScale,
}

/// The keys of alerts in a table of `schema`; an error when the schema is
/// not one the core reads (the same as [`super::schema_read`]'s).
pub fn alert_keys(schema: &Schema) -> Result<AlertKeys, IngestError> {
    let keys = match detect_layout(schema, "the alert table")? {
        Layout::FullFink => AlertKeys {
            alert_id: vec!["candid"],
            time: vec!["candidate", "jd"],
            time_is_first_of_list: false,
            time_scale: TimeScale::JulianDate,
        },
        Layout::FinkvraClean => AlertKeys {
            alert_id: vec!["candid"],
            time: vec!["mjd"],
            time_is_first_of_list: true,
            time_scale: TimeScale::ModifiedJulianDate,
        },
        Layout::Lsst(_) => {
            let top_level = lsst::ALERT_ID_COLUMNS
                .into_iter()
                .find(|name| schema.field_with_name(name).is_ok());
            AlertKeys {
                alert_id: top_level
                    .map_or(vec![lsst::SOURCE_COLUMN, "diaSourceId"], |name| vec![name]),
                time: vec![lsst::SOURCE_COLUMN, "midpointMjdTai"],
                time_is_first_of_list: false,
                time_scale: TimeScale::ModifiedJulianDate,
            }
        }
    };
    Ok(keys)
}
