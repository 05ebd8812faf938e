//! The data of one session in the page: the alerts of every loaded file, their
//! feature rows, what happened to each file (loaded, or why not), and the
//! training table (the rows of labelled alerts, loaded or not). A workspace
//! holds one survey's alerts: a file of the other survey is refused
//! ([`LoadError::OtherSurvey`]).
//!
//! The page holds one `Workspace` and adds to it the [`FileReading`] of each
//! file, made in its worker ([`Workspace::add_reading`]); the bytes never
//! reach the page's own thread. [`Workspace::load_file`] does both steps in
//! place, for native code and tests.

use std::collections::HashMap;

use crate::core::alert::{Alert, Candid, Survey};
use crate::core::alert_set::{AlertSet, FileSummary};
use crate::core::features::FeatureRow;
pub use crate::core::file_reading::LoadError;
use crate::core::file_reading::{read_file, FileReading, ReadAlerts};
use crate::core::ingest::Layout;
use crate::core::training_table::TrainingTable;

mod training_rows;

pub use training_rows::LabelRows;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    Loaded(FileSummary),
    Failed(LoadError),
}

/// A file the user gave, with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedFile {
    pub name: String,
    pub size_bytes: usize,
    pub outcome: FileOutcome,
}

impl LoadedFile {
    /// Whether the file's layout carries cutout stamps (ZTF's full Fink
    /// schema, and every LSST file).
    pub fn has_cutouts(&self) -> bool {
        matches!(&self.outcome, FileOutcome::Loaded(summary)
            if matches!(summary.layout, Layout::FullFink | Layout::Lsst(_)))
    }

    /// The survey of a file refused for being of the other survey.
    pub fn other_survey(&self) -> Option<Survey> {
        match &self.outcome {
            FileOutcome::Failed(LoadError::OtherSurvey { found, .. }) => Some(*found),
            _ => None,
        }
    }
}

/// Alerts, features and file outcomes of a session. Feature rows are kept in
/// the same order as the alerts: `features()[i]` belongs to `alerts()[i]`.
#[derive(Debug, Default)]
pub struct Workspace {
    survey: Survey,
    alerts: AlertSet,
    features: Vec<FeatureRow>,
    /// The row of each alert, by candid.
    rows: HashMap<Candid, usize>,
    /// `alert_files[i]` is the index in `files` of the file `alerts()[i]` came from.
    alert_files: Vec<usize>,
    files: Vec<LoadedFile>,
    /// The rows of labelled alerts, from the browser's database, label
    /// files, and the loaded alerts themselves.
    table: TrainingTable,
}

impl Workspace {
    /// An empty ZTF workspace.
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// An empty workspace for `survey`'s alerts.
    pub fn for_survey(survey: Survey) -> Workspace {
        Workspace {
            survey,
            table: TrainingTable::for_survey(survey),
            ..Workspace::default()
        }
    }

    /// The survey whose alerts this workspace holds.
    pub fn survey(&self) -> Survey {
        self.survey
    }

    /// Parses one file's bytes, adds its new alerts and their features, and
    /// records the outcome. A bad file is recorded as failed; nothing else changes.
    pub fn load_file(&mut self, name: &str, bytes: Vec<u8>) -> &LoadedFile {
        self.add_reading(read_file(name, bytes))
    }

    /// Adds a file read elsewhere (the page's worker): its alerts not seen
    /// before, with their feature rows, and its outcome. A reading without a
    /// row for each of its alerts is recorded as failed (`ReaderFailed`).
    pub fn add_reading(&mut self, reading: FileReading) -> &LoadedFile {
        let outcome = match reading.result {
            Ok(ReadAlerts { parsed, .. }) if parsed.layout.survey() != self.survey => {
                FileOutcome::Failed(LoadError::OtherSurvey {
                    file: reading.name.clone(),
                    found: parsed.layout.survey(),
                    session: self.survey,
                })
            }
            Ok(ReadAlerts { parsed, features }) => {
                let mut features_by_candid: HashMap<Candid, FeatureRow> =
                    features.into_iter().map(|row| (row.candid, row)).collect();
                // `read_file` computes a row for every alert. A reading that
                // lacks some is refused whole, so that rows and alerts stay
                // aligned; computing them here instead would link the
                // feature code and its 192 KiB dust map into the page.
                let missing = parsed
                    .alerts
                    .iter()
                    .filter(|alert| !features_by_candid.contains_key(&alert.candid()))
                    .count();
                if missing > 0 {
                    FileOutcome::Failed(LoadError::ReaderFailed {
                        file: reading.name.clone(),
                        detail: format!("no features for {missing} of its alerts"),
                    })
                } else {
                    let first_new = self.alerts.len();
                    let summary = self.alerts.add_file(parsed);
                    let file_index = self.files.len();
                    for alert in &self.alerts.alerts()[first_new..] {
                        if let Some(row) = features_by_candid.remove(&alert.candid()) {
                            self.rows.insert(row.candid, self.features.len());
                            self.features.push(row);
                        }
                    }
                    self.alert_files.resize(self.alerts.len(), file_index);
                    FileOutcome::Loaded(summary)
                }
            }
            Err(error) => FileOutcome::Failed(error),
        };
        self.push(LoadedFile {
            name: reading.name,
            size_bytes: reading.size_bytes as usize,
            outcome,
        })
    }

    /// Records a file whose bytes could not be obtained at all.
    pub fn record_unreadable(&mut self, name: &str, detail: &str) -> &LoadedFile {
        let error = LoadError::Unreadable {
            file: name.to_string(),
            detail: detail.to_string(),
        };
        self.push(LoadedFile {
            name: name.to_string(),
            size_bytes: 0,
            outcome: FileOutcome::Failed(error),
        })
    }

    fn push(&mut self, file: LoadedFile) -> &LoadedFile {
        self.files.push(file);
        &self.files[self.files.len() - 1]
    }

    /// Every alert, in load order, each candid once.
    pub fn alerts(&self) -> &[Alert] {
        self.alerts.alerts()
    }

    /// How many loaded alerts are solar-system ones (LSST).
    pub fn solar_system_count(&self) -> usize {
        self.alerts()
            .iter()
            .filter(|alert| alert.is_solar_system())
            .count()
    }

    /// The feature row of every alert, in the same order.
    pub fn features(&self) -> &[FeatureRow] {
        &self.features
    }

    /// The row (in [`Workspace::alerts`] and [`Workspace::features`]) of
    /// the alert with this candid, if it is loaded.
    pub fn row_of(&self, candid: Candid) -> Option<usize> {
        self.rows.get(&candid).copied()
    }

    /// The feature row of the alert whose id is `id` (a decimal string, as
    /// rounds record their training alerts): loaded, or in the training table.
    pub fn feature_row_of_id(&self, id: &str) -> Option<&FeatureRow> {
        let candid = id.parse::<u64>().ok().map(Candid)?;
        self.known_row(candid)
    }

    /// The index in [`Workspace::files`] of the file alert `alert_index` was
    /// read from (to read its cutouts again), or `None` for no such alert.
    pub fn file_index_of(&self, alert_index: usize) -> Option<usize> {
        self.alert_files.get(alert_index).copied()
    }

    /// Every file given, in order, with its outcome.
    pub fn files(&self) -> &[LoadedFile] {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_file_is_recorded_and_the_good_ones_still_load() {
        let mut workspace = Workspace::new();
        let good = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet"
        ))
        .expect("fixture");
        workspace.load_file("broken.parquet", b"PAR1 not really".to_vec());
        workspace.load_file("good.parquet", good.clone());
        workspace.load_file("again.parquet", good);
        assert!(matches!(
            workspace.files()[0].outcome,
            FileOutcome::Failed(LoadError::Ingest(_))
        ));
        assert_eq!(workspace.alerts().len(), 10);
        assert_eq!(workspace.features().len(), 10);
        let FileOutcome::Loaded(again) = &workspace.files()[2].outcome else {
            panic!("loaded")
        };
        assert_eq!((again.alerts_added, again.duplicates.len()), (0, 10));
        assert_eq!(workspace.file_index_of(0), Some(1), "the first good file");
        assert_eq!(workspace.file_index_of(9), Some(1));
        assert_eq!(workspace.file_index_of(10), None);
    }

    #[test]
    fn a_reading_without_every_feature_row_is_refused_whole() {
        let good = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet"
        ))
        .expect("fixture");
        let mut reading = read_file("short.parquet", good);
        if let Ok(read) = &mut reading.result {
            read.features.pop();
        }
        let mut workspace = Workspace::new();
        workspace.add_reading(reading);
        assert!(matches!(
            &workspace.files()[0].outcome,
            FileOutcome::Failed(LoadError::ReaderFailed { detail, .. })
                if detail == "no features for 1 of its alerts"
        ));
        assert_eq!(
            (workspace.alerts().len(), workspace.features().len()),
            (0, 0)
        );
    }

    #[test]
    fn a_file_of_the_other_survey_is_refused_and_names_both_surveys() {
        let lsst = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/lsst/lsst_v10_pandas_25alerts.parquet"
        ))
        .expect("fixture");
        let mut workspace = Workspace::new();
        let refused = workspace.load_file("lsst.parquet", lsst.clone());
        assert_eq!(refused.other_survey(), Some(Survey::Lsst));
        let FileOutcome::Failed(error) = &refused.outcome else {
            panic!("refused")
        };
        assert!(
            error.to_string().contains("switch to Rubin/LSST"),
            "{error}"
        );
        assert!(workspace.alerts().is_empty());
        let mut workspace = Workspace::for_survey(Survey::Lsst);
        workspace.load_file("lsst.parquet", lsst);
        assert_eq!(workspace.alerts().len(), 25);
        assert_eq!(workspace.solar_system_count(), 3);
        assert_eq!(workspace.features()[0].values.len(), 46);
    }
}
