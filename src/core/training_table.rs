//! The training table: the feature row of every labelled alert, kept so that
//! a round trains on every label, whether its alert file is loaded or not.
//! The researcher's scripts kept the `X` of every labelled alert from day to
//! day; this is that table. The page keeps it in the browser's database
//! (`ui::browser::training_db`), a version 3 label file carries it, and
//! [`Workspace`](crate::core::workspace::Workspace) holds it beside the
//! loaded alerts.
//!
//! A row is stored with its survey, the feature names of the fink-vra that
//! computed it, its object id, its alert's date and the file it came from.
//! Rows are keyed by alert id: storing one again is idempotent, and a freshly
//! computed row replaces a stored one that differs (a newer fink-vra's
//! features). In memory every row is aligned to this build's feature names
//! (matched by name; a feature the row lacks is missing, `NaN`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::core::alert::{Candid, Survey};
use crate::core::features::{feature_names, FeatureRow};

/// The version of [`StoredRow`]'s bytes this build writes and reads.
pub const STORED_ROW_VERSION: u8 = 1;

/// One labelled alert's row as stored: self-describing, so that another
/// build of fink-vra can read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRow {
    /// [`STORED_ROW_VERSION`] when written.
    pub version: u8,
    pub survey: Survey,
    pub alert_id: Candid,
    pub object_id: String,
    /// The alert's MJD (LSST: TAI); `NaN` when unknown.
    pub mjd: f64,
    /// The alert file the row was computed from, or the label file it came in.
    pub file: String,
    /// The feature names of the fink-vra that computed `values`, in order.
    pub feature_names: Vec<String>,
    /// One value per name; `NaN` for missing.
    pub values: Vec<f64>,
}

/// Why stored bytes are not a usable row.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StoredRowError {
    #[error("not a stored training row ({0})")]
    Unreadable(String),
    #[error("a stored training row of version {0}, newer than this page reads")]
    Newer(u8),
    #[error("a stored training row with {names} feature names and {values} values")]
    Misaligned { names: usize, values: usize },
    #[error("a stored {found} row in a {session} table")]
    OtherSurvey { found: Survey, session: Survey },
}

impl StoredRow {
    /// The row of a loaded alert, with this build's feature names.
    pub fn of(row: &FeatureRow, mjd: f64, file: &str) -> StoredRow {
        StoredRow {
            version: STORED_ROW_VERSION,
            survey: row.survey,
            alert_id: row.candid,
            object_id: row.object_id.clone(),
            mjd,
            file: file.to_string(),
            feature_names: feature_names(row.survey)
                .iter()
                .map(|name| name.to_string())
                .collect(),
            values: row.values.clone(),
        }
    }

    /// The key a row is stored under: survey and alert id, so that storing
    /// the same alert twice writes one record.
    pub fn key(survey: Survey, alert_id: Candid) -> String {
        format!("{}:{alert_id}", survey.key())
    }

    /// The compact bytes the browser's database holds (postcard; `NaN` kept).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Reads bytes written by [`StoredRow::to_bytes`], checking the version
    /// and that names and values align.
    pub fn from_bytes(bytes: &[u8]) -> Result<StoredRow, StoredRowError> {
        match bytes.first() {
            Some(&version) if version > STORED_ROW_VERSION => {
                return Err(StoredRowError::Newer(version))
            }
            None => return Err(StoredRowError::Unreadable("empty".to_string())),
            _ => {}
        }
        let row: StoredRow = postcard::from_bytes(bytes)
            .map_err(|error| StoredRowError::Unreadable(error.to_string()))?;
        if row.feature_names.len() != row.values.len() {
            return Err(StoredRowError::Misaligned {
                names: row.feature_names.len(),
                values: row.values.len(),
            });
        }
        Ok(row)
    }
}

/// A row of the table, aligned to this build's feature names.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub row: FeatureRow,
    pub mjd: f64,
    pub file: String,
    /// Whether it came with exactly this build's feature names.
    pub current_names: bool,
}

/// The training table of one survey's session.
#[derive(Clone, Debug, Default)]
pub struct TrainingTable {
    survey: Survey,
    rows: BTreeMap<Candid, TableRow>,
    /// Rows added or replaced here and not yet handed to the database.
    unsaved: BTreeSet<Candid>,
}

impl TrainingTable {
    /// An empty table for `survey`'s rows.
    pub fn for_survey(survey: Survey) -> TrainingTable {
        TrainingTable {
            survey,
            ..TrainingTable::default()
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of `alert_id`, if the table has it.
    pub fn get(&self, alert_id: Candid) -> Option<&TableRow> {
        self.rows.get(&alert_id)
    }

    /// Every row, by alert id.
    pub fn rows(&self) -> impl Iterator<Item = &TableRow> {
        self.rows.values()
    }

    /// Takes in a row read from the database (`saved`) or a label file
    /// (not saved yet): aligned to this build's names by name. A row of
    /// another survey is refused. Returns whether the table changed.
    pub fn take_in(&mut self, stored: StoredRow, saved: bool) -> Result<bool, StoredRowError> {
        if stored.survey != self.survey {
            return Err(StoredRowError::OtherSurvey {
                found: stored.survey,
                session: self.survey,
            });
        }
        let names = feature_names(self.survey);
        let current_names = stored.feature_names.len() == names.len()
            && stored.feature_names.iter().zip(names).all(|(a, b)| a == b);
        let values = if current_names {
            stored.values
        } else {
            let by_name: BTreeMap<&str, f64> = stored
                .feature_names
                .iter()
                .map(String::as_str)
                .zip(stored.values.iter().copied())
                .collect();
            names
                .iter()
                .map(|name| by_name.get(name).copied().unwrap_or(f64::NAN))
                .collect()
        };
        let row = TableRow {
            row: FeatureRow {
                survey: self.survey,
                candid: stored.alert_id,
                object_id: stored.object_id,
                values,
                lc_features_recomputed: false,
            },
            mjd: stored.mjd,
            file: stored.file,
            current_names,
        };
        Ok(self.put(row, saved))
    }

    /// Keeps the freshly computed row of a loaded, labelled alert: added when
    /// missing, replacing a stored row that differs (other names or values;
    /// `NaN` equals `NaN`). Returns whether the table changed.
    pub fn keep_fresh(&mut self, row: &FeatureRow, mjd: f64, file: &str) -> bool {
        if let Some(known) = self.rows.get(&row.candid) {
            let same_values = known.row.values.len() == row.values.len()
                && known
                    .row
                    .values
                    .iter()
                    .zip(&row.values)
                    .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
            if known.current_names && same_values && known.row.object_id == row.object_id {
                return false;
            }
        }
        let fresh = TableRow {
            row: row.clone(),
            mjd,
            file: file.to_string(),
            current_names: true,
        };
        self.put(fresh, false)
    }

    fn put(&mut self, row: TableRow, saved: bool) -> bool {
        let alert_id = row.row.candid;
        if self.rows.get(&alert_id) == Some(&row) {
            return false;
        }
        self.rows.insert(alert_id, row);
        if saved {
            self.unsaved.remove(&alert_id);
        } else {
            self.unsaved.insert(alert_id);
        }
        true
    }

    /// The rows added or replaced since the last call, as the database
    /// stores them (the page writes them; a write is idempotent by key).
    pub fn take_unsaved(&mut self) -> Vec<StoredRow> {
        let unsaved = std::mem::take(&mut self.unsaved);
        unsaved
            .into_iter()
            .filter_map(|alert_id| self.rows.get(&alert_id))
            .map(|table_row| StoredRow::of(&table_row.row, table_row.mjd, &table_row.file))
            .collect()
    }

    /// Hands these rows to the database again at the next
    /// [`TrainingTable::take_unsaved`] (a write that failed).
    pub fn mark_unsaved(&mut self, alert_ids: &[Candid]) {
        self.unsaved.extend(
            alert_ids
                .iter()
                .copied()
                .filter(|alert_id| self.rows.contains_key(alert_id)),
        );
    }

    /// Whether rows wait to be handed to the database.
    pub fn has_unsaved(&self) -> bool {
        !self.unsaved.is_empty()
    }
}

/// Reads the database's records of `survey`: the rows, and how many could
/// not be read back (or belong to another survey), which are dropped and
/// counted, never an error.
pub fn read_stored_rows<'a>(
    survey: Survey,
    records: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<StoredRow>, usize) {
    let mut rows = Vec::new();
    let mut dropped = 0;
    for bytes in records {
        match StoredRow::from_bytes(bytes) {
            Ok(row) if row.survey == survey => rows.push(row),
            _ => dropped += 1,
        }
    }
    (rows, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(candid: u64, value: f64) -> FeatureRow {
        FeatureRow {
            survey: Survey::Ztf,
            candid: Candid(candid),
            object_id: format!("ZTF{candid}"),
            values: vec![value; feature_names(Survey::Ztf).len()],
            lc_features_recomputed: false,
        }
    }

    #[test]
    fn a_stored_row_round_trips_through_bytes_with_nan_kept() {
        let mut fresh = row(7, 1.5);
        fresh.values[2] = f64::NAN;
        let stored = StoredRow::of(&fresh, 60000.25, "a.parquet");
        let back = StoredRow::from_bytes(&stored.to_bytes()).expect("reads");
        assert_eq!(back.values[2].to_bits(), f64::NAN.to_bits());
        assert_eq!(back.key_of(), "ztf:7");
        assert_eq!(back.file, "a.parquet");
    }

    impl StoredRow {
        fn key_of(&self) -> String {
            StoredRow::key(self.survey, self.alert_id)
        }
    }

    #[test]
    fn a_fresh_row_replaces_one_that_differs_and_storing_again_changes_nothing() {
        let mut table = TrainingTable::for_survey(Survey::Ztf);
        assert!(table.keep_fresh(&row(1, 1.0), 1.0, "a"));
        assert_eq!(table.take_unsaved().len(), 1);
        assert!(!table.keep_fresh(&row(1, 1.0), 1.0, "a"), "idempotent");
        assert!(!table.has_unsaved());
        assert!(table.keep_fresh(&row(1, 2.0), 1.0, "a"), "a newer row");
        assert_eq!(table.take_unsaved()[0].values[0], 2.0);
    }

    #[test]
    fn rows_whose_write_failed_are_handed_out_again() {
        let mut table = TrainingTable::for_survey(Survey::Ztf);
        table.keep_fresh(&row(1, 1.0), 1.0, "a");
        let first = table.take_unsaved();
        assert!(table.take_unsaved().is_empty());
        table.mark_unsaved(&[first[0].alert_id, Candid(99)]);
        let again = table.take_unsaved();
        assert_eq!(again, first, "the row again; an unknown id is ignored");
    }

    #[test]
    fn rows_of_other_names_are_aligned_by_name_and_replaced_when_fresh() {
        let mut table = TrainingTable::for_survey(Survey::Ztf);
        let mut older = StoredRow::of(&row(3, 4.0), 1.0, "a");
        older.feature_names.reverse();
        older.feature_names.pop();
        older.values.pop();
        assert!(table.take_in(older, true).expect("same survey"));
        let kept = table.get(Candid(3)).expect("kept");
        assert!(!kept.current_names);
        assert!(kept.row.values[0].is_nan(), "the name it lacked is missing");
        assert_eq!(kept.row.values[1], 4.0);
        assert!(table.keep_fresh(&row(3, 4.0), 1.0, "a"), "replaced");
    }

    #[test]
    fn unreadable_and_foreign_rows_are_dropped_and_counted() {
        let good = StoredRow::of(&row(1, 1.0), 1.0, "a").to_bytes();
        let mut lsst = StoredRow::of(&row(2, 1.0), 1.0, "a");
        lsst.survey = Survey::Lsst;
        let lsst = lsst.to_bytes();
        let newer = [9u8, 1, 2];
        let records: Vec<&[u8]> = vec![&good, b"", &newer, &lsst, &good[..good.len() - 3]];
        let (rows, dropped) = read_stored_rows(Survey::Ztf, records);
        assert_eq!((rows.len(), dropped), (1, 4));
        let mut table = TrainingTable::for_survey(Survey::Ztf);
        assert!(table.take_in(rows[0].clone(), true).expect("ZTF"));
        assert!(!table.has_unsaved(), "rows read back need no saving");
    }
}
