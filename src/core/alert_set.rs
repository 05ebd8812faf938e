//! The alerts of every file loaded in a session, each candid once.
//!
//! Hourly polls overlap and users drop the same file twice, so a candid seen
//! again is reported as a duplicate (with the file that had it first) and
//! kept once: the first copy wins.

use std::collections::HashMap;

use crate::core::alert::{Alert, Candid};
use crate::core::ingest::{Layout, ParsedFile, SkippedAlert};

/// An alert left out because its candid was already loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateAlert {
    pub candid: Candid,
    /// The file whose copy was kept (possibly the same file).
    pub first_seen_in: String,
}

/// What one file contributed to the set.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSummary {
    pub file: String,
    pub layout: Layout,
    /// Rows in the file.
    pub rows: usize,
    /// Alerts added to the set.
    pub alerts_added: usize,
    pub skipped: Vec<SkippedAlert>,
    pub duplicates: Vec<DuplicateAlert>,
    /// History points dropped for lack of a time or band.
    pub dropped_points: usize,
}

/// Remembers which file first held each candid, and lets only new candids
/// through. [`AlertSet`] uses it to hold alerts; the CLI uses it alone, so
/// that it can stream rows without keeping every alert in memory.
#[derive(Debug, Default)]
pub struct DuplicateFilter {
    first_file_by_candid: HashMap<Candid, usize>,
    file_names: Vec<String>,
}

impl DuplicateFilter {
    pub fn new() -> DuplicateFilter {
        DuplicateFilter::default()
    }

    /// Splits a file's alerts into those whose candid is new (kept, in order)
    /// and duplicates of a candid seen before, in this file or an earlier one.
    pub fn admit(&mut self, file: &str, alerts: Vec<Alert>) -> (Vec<Alert>, Vec<DuplicateAlert>) {
        let file_index = self.file_names.len();
        self.file_names.push(file.to_string());
        let mut duplicates = Vec::new();
        let mut admitted = Vec::with_capacity(alerts.len());
        for alert in alerts {
            match self.first_file_by_candid.get(&alert.candid()) {
                Some(&first_file) => duplicates.push(DuplicateAlert {
                    candid: alert.candid(),
                    first_seen_in: self.file_names[first_file].clone(),
                }),
                None => {
                    self.first_file_by_candid.insert(alert.candid(), file_index);
                    admitted.push(alert);
                }
            }
        }
        (admitted, duplicates)
    }
}

/// Alerts in load order, unique by candid.
#[derive(Debug, Default)]
pub struct AlertSet {
    alerts: Vec<Alert>,
    position_by_candid: HashMap<Candid, usize>,
    duplicate_filter: DuplicateFilter,
}

impl AlertSet {
    pub fn new() -> AlertSet {
        AlertSet::default()
    }

    /// Adds a parsed file's alerts, leaving out candids already present, and
    /// returns the file's summary.
    pub fn add_file(&mut self, parsed: ParsedFile) -> FileSummary {
        let (admitted, duplicates) = self.duplicate_filter.admit(&parsed.file, parsed.alerts);
        let alerts_added = admitted.len();
        for alert in admitted {
            self.position_by_candid
                .insert(alert.candid(), self.alerts.len());
            self.alerts.push(alert);
        }
        FileSummary {
            file: parsed.file,
            layout: parsed.layout,
            rows: parsed.rows,
            alerts_added,
            skipped: parsed.skipped,
            duplicates,
            dropped_points: parsed.dropped_points,
        }
    }

    /// Every alert, in load order.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// The alert with this candid, if loaded.
    pub fn get(&self, candid: Candid) -> Option<&Alert> {
        self.position_by_candid
            .get(&candid)
            .map(|&position| &self.alerts[position])
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }
}
