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

/// Alerts in load order, unique by candid.
#[derive(Debug, Default)]
pub struct AlertSet {
    alerts: Vec<Alert>,
    position_by_candid: HashMap<Candid, usize>,
    source_file: Vec<usize>,
    files: Vec<FileSummary>,
}

impl AlertSet {
    pub fn new() -> AlertSet {
        AlertSet::default()
    }

    /// Adds a parsed file's alerts, leaving out candids already present, and
    /// returns the file's summary.
    pub fn add_file(&mut self, parsed: ParsedFile) -> &FileSummary {
        let file_index = self.files.len();
        let mut duplicates = Vec::new();
        let mut alerts_added = 0;
        for alert in parsed.alerts {
            if let Some(&position) = self.position_by_candid.get(&alert.candid) {
                let first_file = self.source_file[position];
                let first_seen_in = self
                    .files
                    .get(first_file)
                    .map_or_else(|| parsed.file.clone(), |f| f.file.clone());
                duplicates.push(DuplicateAlert {
                    candid: alert.candid,
                    first_seen_in,
                });
                continue;
            }
            self.position_by_candid
                .insert(alert.candid, self.alerts.len());
            self.source_file.push(file_index);
            self.alerts.push(alert);
            alerts_added += 1;
        }
        self.files.push(FileSummary {
            file: parsed.file,
            layout: parsed.layout,
            rows: parsed.rows,
            alerts_added,
            skipped: parsed.skipped,
            duplicates,
            dropped_points: parsed.dropped_points,
        });
        &self.files[file_index]
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

    /// The summaries of the files added, in order.
    pub fn files(&self) -> &[FileSummary] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }
}
