//! The workspace's training table: the feature row of every labelled alert,
//! loaded or not (`core::training_table`), and what a session asks of it:
//! a labelled alert's row from wherever it is, the rows a round adds to the
//! loaded ones, where the labels' rows are, keeping fresh rows of loaded
//! labelled alerts, and the rows the page still has to store.

use super::Workspace;
use crate::core::alert::{Alert, Candid};
use crate::core::features::FeatureRow;
use crate::core::labels::settled::SettledLabels;
use crate::core::training_table::{StoredRow, StoredRowError, TrainingTable};

/// Where the feature rows of a session's labels are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LabelRows {
    /// Labels whose alert is loaded.
    pub loaded: usize,
    /// Labels whose alert is not loaded but whose row is in the training table.
    pub stored_only: usize,
    /// Labels with no row anywhere: they wait for their alert file.
    pub waiting: usize,
}

impl LabelRows {
    /// The page's sentence about them, or `None` when every label is loaded.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.stored_only > 0 {
            parts.push(format!(
                "{} labels train from their stored feature rows (alert files not loaded)",
                self.stored_only
            ));
        }
        if self.waiting > 0 {
            parts.push(format!(
                "{} labels wait for their alert files to train",
                self.waiting
            ));
        }
        (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
    }
}

impl Workspace {
    /// The feature row of `candid`: the loaded alert's, else the training
    /// table's (a labelled alert whose file is not loaded).
    pub fn known_row(&self, candid: Candid) -> Option<&FeatureRow> {
        match self.row_of(candid) {
            Some(row) => self.features.get(row),
            None => self.table.get(candid).map(|stored| &stored.row),
        }
    }

    /// The MJD of `candid`'s alert, loaded or in the training table.
    pub fn known_mjd(&self, candid: Candid) -> Option<f64> {
        match self.row_of(candid) {
            Some(row) => self.alerts().get(row).and_then(Alert::mjd),
            None => self
                .table
                .get(candid)
                .map(|stored| stored.mjd)
                .filter(|mjd| !mjd.is_nan()),
        }
    }

    /// The rows a round trains on besides the loaded ones: the training
    /// table's rows of labelled alerts that are not loaded, by alert id.
    pub fn stored_rows_not_loaded<'a>(
        &'a self,
        labels: &'a SettledLabels,
    ) -> impl Iterator<Item = &'a FeatureRow> + 'a {
        self.table
            .rows()
            .map(|stored| &stored.row)
            .filter(move |row| self.row_of(row.candid).is_none())
            .filter(move |row| labels.get(row.candid).is_some())
    }

    /// Labels whose alert has no row anywhere, loaded or stored: they train
    /// once their alert file is loaded.
    pub fn labels_waiting_for_rows(&self, labels: &SettledLabels) -> usize {
        self.labels_without_rows(labels).count()
    }

    /// The alert ids of those labels (for the page to look for their rows
    /// in the browser's database, where another tab may have stored them).
    pub fn labels_without_rows<'a>(
        &'a self,
        labels: &'a SettledLabels,
    ) -> impl Iterator<Item = Candid> + 'a {
        labels
            .labels()
            .map(|entry| entry.candid)
            .filter(|&candid| self.known_row(candid).is_none())
    }

    /// Where the labels' feature rows are: loaded, stored only, or nowhere yet.
    pub fn rows_of_labels(&self, labels: &SettledLabels) -> LabelRows {
        let mut summary = LabelRows::default();
        for entry in labels.labels() {
            if self.row_of(entry.candid).is_some() {
                summary.loaded += 1;
            } else if self.table.get(entry.candid).is_some() {
                summary.stored_only += 1;
            } else {
                summary.waiting += 1;
            }
        }
        summary
    }

    /// Keeps the row of every loaded alert of `labelled` (every alert
    /// anyone voted on) in the training table (added, or replacing a stored
    /// row that differs); returns whether the table changed. Rows of labels
    /// removed stay, harmless.
    pub fn keep_labelled_rows(&mut self, labelled: impl IntoIterator<Item = Candid>) -> bool {
        let mut changed = false;
        for candid in labelled {
            let Some(row) = self.row_of(candid) else {
                continue;
            };
            let mjd = self.alerts()[row].mjd().unwrap_or(f64::NAN);
            let file = self
                .file_index_of(row)
                .and_then(|index| self.files.get(index))
                .map_or("", |file| file.name.as_str());
            changed |= self.table.keep_fresh(&self.features[row], mjd, file);
        }
        changed
    }

    /// Takes rows into the training table: `saved` ones read from the
    /// browser's database, unsaved ones from a label file. Returns how many
    /// changed the table and how many were refused (another survey).
    pub fn take_in_rows(
        &mut self,
        rows: impl IntoIterator<Item = StoredRow>,
        saved: bool,
    ) -> (usize, Vec<StoredRowError>) {
        let (mut taken, mut refused) = (0, Vec::new());
        for row in rows {
            match self.table.take_in(row, saved) {
                Ok(changed) => taken += usize::from(changed),
                Err(error) => refused.push(error),
            }
        }
        (taken, refused)
    }

    /// The training table (rows of labelled alerts, loaded or not).
    pub fn training_table(&self) -> &TrainingTable {
        &self.table
    }

    /// The rows added or replaced since the last call, for the page to store.
    pub fn take_unsaved_rows(&mut self) -> Vec<StoredRow> {
        self.table.take_unsaved()
    }

    /// Rows whose write failed: handed out again at the next
    /// [`Workspace::take_unsaved_rows`].
    pub fn mark_unsaved(&mut self, alert_ids: &[Candid]) {
        self.table.mark_unsaved(alert_ids);
    }
}
