//! Errors of the ingest layer: why a file could not be read at all.
//!
//! Problems with a single alert are not errors: the alert is skipped and
//! reported as a [`SkipReason`](super::SkipReason), and the file still loads.

use thiserror::Error;

/// A file that could not be turned into alerts. Every variant names the file;
/// the UI turns it into a sentence once, at its edge.
#[derive(Debug, Error, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum IngestError {
    #[error("{file}: the file is empty (0 bytes)")]
    EmptyFile { file: String },

    #[error("{file}: not a parquet file ({detail})")]
    NotParquet { file: String, detail: String },

    #[error("{file}: the parquet file is corrupt or truncated ({detail})")]
    Corrupt { file: String, detail: String },

    #[error(
        "{file}: not a Fink alert file: expected a `candidate` column (ZTF, full Fink schema), \
         `mjd`/`mag` list columns (ZTF, finkvra clean layout) or a `diaSource` column (Rubin/LSST)"
    )]
    UnknownLayout { file: String },

    #[error("{file}: required column `{column}` is missing")]
    MissingColumn { file: String, column: String },

    #[error("{file}: column `{column}` has type {found}, expected {expected}")]
    WrongType {
        file: String,
        column: String,
        expected: String,
        found: String,
    },
}
