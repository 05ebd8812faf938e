//! Errors of the Python layer, each with the fields that explain it, turned
//! into Python exceptions once, at the module's edge ([`BindingError::into_py`]):
//! a bad alert file or alert table is an `AlertFileError`, a bad model file a
//! `ModelFileError`, a feature table that does not fit the model a
//! `FeatureTableError`, a bad label file a `LabelFileError` (all four
//! `ValueError`s), and a panic in the core an
//! `InternalError` (a `RuntimeError`), never a dead interpreter.

use fink_vra::core::alert::Survey;
use fink_vra::core::ingest::IngestError;
use fink_vra::core::model_file::ModelFileError as CoreModelFileError;
use fink_vra::core::team::files::TeamFilesError;
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::PyErr;
use thiserror::Error;

create_exception!(
    fink_vra,
    AlertFileError,
    PyValueError,
    "An alert file (or table) that fink-vra cannot read: the message names it and says why."
);
create_exception!(
    fink_vra,
    ModelFileError,
    PyValueError,
    "A model file that fink-vra cannot read, or that does not fit the alerts given."
);
create_exception!(
    fink_vra,
    FeatureTableError,
    PyValueError,
    "A feature table that lacks a column the model needs, or holds something other than numbers."
);
create_exception!(
    fink_vra,
    LabelFileError,
    PyValueError,
    "A label file that fink-vra cannot read, or label files of two surveys at once."
);
create_exception!(
    fink_vra,
    InternalError,
    PyRuntimeError,
    "fink-vra's core failed (a bug): the interpreter and the module stay usable."
);

/// Why a call into the core could not answer.
#[derive(Debug, Error)]
pub enum BindingError {
    #[error("{path}: cannot open: {source}")]
    CannotOpen {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(
        "the alerts mix two surveys ({first_file} is {first}, {second_file} is {second}): \
         their features differ, so read each survey apart"
    )]
    MixedSurveys {
        first_file: String,
        first: Survey,
        second_file: String,
        second: Survey,
    },
    #[error("{file}: the model is for {model} alerts, but these are {found} alerts")]
    OtherSurvey {
        file: String,
        model: Survey,
        found: Survey,
    },
    #[error("{file}: alert or object id {id} does not fit a signed 64-bit integer")]
    IdBeyondInt64 { file: String, id: String },
    #[error("the file-name column `{column}` has type {found}, expected strings")]
    FileColumnType { column: String, found: String },
    #[error("the alert table cannot be read: {detail}")]
    AlertArrow { detail: String },
    #[error("{path}: cannot read: {source}")]
    ModelUnreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("{source_name}: {error}")]
    Model {
        source_name: String,
        error: CoreModelFileError,
    },
    #[error("the feature table has no column `{column}`, which the model takes")]
    MissingFeatureColumn { column: String },
    #[error("feature column `{column}` has type {found}, expected numbers")]
    FeatureColumnType { column: String, found: String },
    #[error("the feature table cannot be read: {detail}")]
    FeatureArrow { detail: String },
    #[error(
        "{line}: strict mode refuses alerts that lack features the model was trained with \
         (without it, they are scored and this is a warning)"
    )]
    MissingFeatures { line: String },
    #[error("the result cannot be built as Arrow data: {detail}")]
    Output { detail: String },
    #[error(transparent)]
    LabelFiles(#[from] TeamFilesError),
    #[error("{path}: cannot read: {source}")]
    LabelFileUnreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("fink-vra's core failed ({detail}): this is a bug, please report it")]
    Panicked { detail: String },
}

impl BindingError {
    /// The Python exception for this error, carrying the core's message.
    pub fn into_py(self) -> PyErr {
        let message = self.to_string();
        match self {
            BindingError::CannotOpen { .. }
            | BindingError::Ingest(_)
            | BindingError::MixedSurveys { .. }
            | BindingError::IdBeyondInt64 { .. }
            | BindingError::FileColumnType { .. }
            | BindingError::AlertArrow { .. } => AlertFileError::new_err(message),
            BindingError::ModelUnreadable { .. }
            | BindingError::Model { .. }
            | BindingError::OtherSurvey { .. } => ModelFileError::new_err(message),
            BindingError::MissingFeatureColumn { .. }
            | BindingError::FeatureColumnType { .. }
            | BindingError::FeatureArrow { .. }
            | BindingError::MissingFeatures { .. } => FeatureTableError::new_err(message),
            BindingError::LabelFiles(_) | BindingError::LabelFileUnreadable { .. } => {
                LabelFileError::new_err(message)
            }
            BindingError::Output { .. } | BindingError::Panicked { .. } => {
                InternalError::new_err(message)
            }
        }
    }
}

impl From<BindingError> for PyErr {
    fn from(error: BindingError) -> PyErr {
        error.into_py()
    }
}
