//! What every label file import shares, below the modules that read each
//! kind of file (`json_import`, `csv_files`, `lsst_csv`) and the facade that
//! finds them (`exchange`), so that none of them imports another's parent:
//! the JSON export's format and version, the size limit, the one error type
//! ([`LabelImportError`]), what a valid file holds ([`ImportedLabels`]), and
//! the checks of one label and of a file's duplicates.

use thiserror::Error;

use super::adjudication::Adjudication;
use super::entry::{
    check_object_id, check_timestamp, parse_candid, unknown_annotator_of, EntryProblem, LabelEntry,
};
use super::gold::GoldLabel;
use super::vocabulary::Label;
use crate::core::alert::{Candid, Survey};
use crate::core::training_table::StoredRow;

/// The `format` field of a label export.
pub const FORMAT: &str = "fink-vra-labels";
/// The export version this build writes (it reads this one, 3, 2 and 1):
/// version 4 holds every vote and every adjudication.
pub const VERSION: u64 = 4;
/// Label files larger than this are refused before parsing (about 10^6 labels).
pub const MAX_IMPORT_BYTES: usize = 256 * 1024 * 1024;

/// Why a label file was refused. Entry indices are 1-based.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LabelImportError {
    #[error("{file}: {size} bytes is over the {limit}-byte limit for label files")]
    TooLarge {
        file: String,
        size: usize,
        limit: usize,
    },
    #[error("{file}: not valid JSON ({detail})")]
    NotJson { file: String, detail: String },
    #[error("{file}: not a fink-vra label export (`format` must be \"fink-vra-labels\")")]
    WrongFormat { file: String },
    #[error("{file}: made by a newer fink-vra (format version {found}; this page reads version {supported}); update the page")]
    NewerVersion {
        file: String,
        found: u64,
        supported: u64,
    },
    #[error("{file}: `version` must be a whole number")]
    BadVersion { file: String },
    #[error("{file}: `survey` must be \"ztf\" or \"lsst\" in a label file of version 2 or later")]
    BadSurvey { file: String },
    #[error(
        "{file}: these are {found} labels, and this session labels {session} alerts; \
         switch to {found} to import them"
    )]
    OtherSurvey {
        file: String,
        found: Survey,
        session: Survey,
    },
    #[error("{file}: `labels` must be a list")]
    NoLabels { file: String },
    #[error("{file}: label {index}{candid}: {problem}")]
    BadEntry {
        file: String,
        index: usize,
        candid: String,
        problem: EntryProblem,
    },
    #[error("{file}: adjudication {index}{candid}: {problem}")]
    BadAdjudication {
        file: String,
        index: usize,
        candid: String,
        problem: String,
    },
    #[error("{file}: gold mark {index}{candid}: {problem}")]
    BadGold {
        file: String,
        index: usize,
        candid: String,
        problem: String,
    },
    #[error(
        "{file}: adjudication {index} settles alert {candid}, which has no vote in the file: \
         a decision needs the votes it settles"
    )]
    AdjudicationWithoutVotes {
        file: String,
        index: usize,
        candid: Candid,
    },
    #[error("{file}: `feature_names` must be a list of feature names ({detail})")]
    BadFeatureNames { file: String, detail: String },
    #[error(
        "{file}: `feature_names` are {found} features, and this session labels {session} \
         alerts"
    )]
    FeaturesOfOtherSurvey {
        file: String,
        found: Survey,
        session: Survey,
    },
    #[error("{file}: `rounds` is not a valid round history ({detail})")]
    BadRounds { file: String, detail: String },
    #[error("{file}: line {line}: {problem}")]
    BadCsvRow {
        file: String,
        line: usize,
        problem: String,
    },
    #[error("{file}: the header must name the columns {expected}")]
    BadCsvHeader {
        file: String,
        expected: &'static str,
    },
}

/// What a valid label file holds; `R` is the round record, read by serde
/// (`active::round::RoundRecord`, or `serde::de::IgnoredAny` to skip them).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedLabels<R> {
    /// The file's survey (version 1 files are ZTF's).
    pub survey: Survey,
    /// Every vote (version 3 and older: the labels and the versions in
    /// conflict, each its annotator's vote). One annotator may appear twice
    /// for an alert: merged into a vote table, the later label stands.
    pub labels: Vec<LabelEntry>,
    /// The reviewers' decisions (version 4), each on an alert with votes
    /// in the file.
    pub adjudications: Vec<Adjudication>,
    /// Gold marks (version 4), each on an alert with votes in the file.
    pub gold: Vec<GoldLabel>,
    pub rounds: Vec<R>,
    /// The feature rows the file carries (version 3), aligned to its
    /// `feature_names`, for the training table.
    pub rows: Vec<StoredRow>,
    /// Why the file's features were left out, when they were.
    pub features_left_out: Option<String>,
    /// Labels (and versions in conflict) that named no annotator, and who
    /// they were given to: the file's annotator, or `unknown`.
    pub unnamed: Option<Unnamed>,
}

/// Labels of a file that named no annotator, and the name they were given,
/// for the import's warning: every vote must say whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unnamed {
    pub labels: usize,
    pub given: String,
    /// Whether the file names nobody either (`given` is then `unknown (file)`).
    pub file_names_nobody: bool,
}

impl std::fmt::Display for Unnamed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Unnamed { labels, given, .. } = self;
        if self.file_names_nobody {
            write!(
                f,
                "{labels} label(s) name no annotator, and neither does the file: they count as \
                 `{given}`'s"
            )
        } else {
            write!(
                f,
                "{labels} label(s) name no annotator: they count as {given}'s, the file's annotator"
            )
        }
    }
}

impl Unnamed {
    /// The warning for `labels` labels of `file` given `given`, if there are any.
    pub fn of(labels: usize, given: &str, file: &str) -> Option<Unnamed> {
        (labels > 0).then(|| Unnamed {
            labels,
            given: given.to_string(),
            file_names_nobody: given == unknown_annotator_of(file),
        })
    }
}

/// Refuses a label file of `size` bytes over [`MAX_IMPORT_BYTES`]; the page
/// calls it with the file's size before reading a byte.
pub fn check_import_size(file: &str, size: usize) -> Result<(), LabelImportError> {
    if size > MAX_IMPORT_BYTES {
        return Err(LabelImportError::TooLarge {
            file: file.to_string(),
            size,
            limit: MAX_IMPORT_BYTES,
        });
    }
    Ok(())
}

/// Validates one label's fields, for a label of `survey`.
pub fn label_entry(
    survey: Survey,
    candid: &str,
    object_id: &str,
    label: &str,
    timestamp: &str,
    annotator: &str,
    round: Option<u32>,
) -> Result<LabelEntry, EntryProblem> {
    Ok(LabelEntry {
        candid: parse_candid(candid)?,
        object_id: check_object_id(survey, object_id)?,
        label: label
            .parse::<Label>()
            .map_err(|error| EntryProblem::Label(error.to_string()))?,
        timestamp: check_timestamp(timestamp)?,
        annotator: annotator.trim().to_string(),
        round,
        random_pick: false,
    })
}
