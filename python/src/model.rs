//! `fink_vra._core.Model`: a model file (the page's "Model" download, or
//! `fink-vra train`'s output) that predicts from feature tables and scores
//! alerts, with the same core as `fink-vra score`, to the bit.

use std::collections::BTreeMap;

use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_array::{Array, Float64Array, RecordBatch};
use arrow_pyarrow::PyArrowType;
use fink_vra::core::features::LcFeatureSource;
use fink_vra::core::model_file::missing::{
    missing_features_line, MissingFeature, MISSING_FEATURES_CONSEQUENCE,
};
use fink_vra::core::model_file::{ModelFile, ModelFileError};
use pyo3::prelude::*;

use crate::arrow_out::score_batch;
use crate::collect_batches;
use crate::error::BindingError;
use crate::feature_input::matrix_of;
use crate::guard::without_gil;
use crate::reading::{rows_of_files, with_rows_of_table, FeatureRows};

/// A score table, the notes to warn about (skipped alerts, duplicates) and
/// the missing-feature warning, if any.
pub type ScoredBatch = (PyArrowType<RecordBatch>, Vec<String>, Option<String>);

/// The one warning about the `lines` (one per file that lacks features)
/// among `files` read; `None` without lines.
fn missing_warning(lines: &[String], files: usize) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    Some(format!(
        "missing features in {} of {files} file(s) or table(s): {MISSING_FEATURES_CONSEQUENCE} \
         (strict mode makes this an error: strict=True, or --strict for `python -m \
         fink_vra.spark`):\n  {}",
        lines.len(),
        lines.join("\n  ")
    ))
}

/// A checked model file, ready to score.
#[pyclass(name = "Model", module = "fink_vra._core", frozen)]
pub struct Model {
    file: ModelFile,
    /// Where it came from (a path, or what the caller named the text), for errors.
    source: String,
}

impl Model {
    fn checked(text: &str, source: String) -> Result<Model, BindingError> {
        let file = ModelFile::from_json(text).map_err(|error| BindingError::Model {
            source_name: source.clone(),
            error,
        })?;
        Ok(Model { file, source })
    }

    /// The probabilities of feature rows read from alerts, as `fink-vra
    /// score`, and the warning about files that lack features the model was
    /// trained with (an error when `strict`).
    fn score_rows(
        &self,
        read: &FeatureRows,
        origin: &str,
        strict: bool,
    ) -> Result<(RecordBatch, Option<String>), BindingError> {
        if let Some(found) = read.survey.filter(|survey| *survey != self.file.survey) {
            return Err(BindingError::OtherSurvey {
                file: origin.to_string(),
                model: self.file.survey,
                found,
            });
        }
        // Each file's rows are scored and checked for missing features
        // from one matrix; the files' runs cover the rows, in order.
        let mut lines = Vec::new();
        let mut probabilities = Vec::with_capacity(read.rows.len());
        for (file, rows) in &read.files {
            let (scored, missing) = self
                .file
                .score_noting_missing(&read.rows[rows.clone()])
                .map_err(|error| self.model_error(error))?;
            lines.extend(self.missing_line(file, &missing, strict)?);
            probabilities.extend(scored);
        }
        if probabilities.len() != read.rows.len() {
            return Err(BindingError::Output {
                detail: format!(
                    "{} probabilities for {} alerts",
                    probabilities.len(),
                    read.rows.len()
                ),
            });
        }
        let batch = score_batch(self.file.survey, &read.rows, probabilities, origin)?;
        Ok((batch, missing_warning(&lines, read.files.len())))
    }

    /// The line saying what `file` lacks (`None` when nothing), or the error
    /// when `strict`.
    fn missing_line(
        &self,
        file: &str,
        missing: &[MissingFeature],
        strict: bool,
    ) -> Result<Option<String>, BindingError> {
        if missing.is_empty() {
            return Ok(None);
        }
        let line = missing_features_line(file, missing);
        if strict {
            return Err(BindingError::MissingFeatures { line });
        }
        Ok(Some(line))
    }

    fn model_error(&self, error: ModelFileError) -> BindingError {
        BindingError::Model {
            source_name: self.source.clone(),
            error,
        }
    }
}

#[pymethods]
impl Model {
    /// Reads and checks the model file at `path`.
    #[staticmethod]
    fn load(py: Python<'_>, path: String) -> PyResult<Model> {
        Ok(without_gil(py, || {
            let text =
                std::fs::read_to_string(&path).map_err(|source| BindingError::ModelUnreadable {
                    path: path.clone(),
                    source,
                })?;
            Model::checked(&text, path.clone())
        })?)
    }

    /// Checks a model file's JSON text; `source` names it in errors.
    #[staticmethod]
    #[pyo3(signature = (text, source = "model file".to_string()))]
    fn from_json(py: Python<'_>, text: String, source: String) -> PyResult<Model> {
        Ok(without_gil(py, || Model::checked(&text, source))?)
    }

    /// `ztf` or `lsst`.
    #[getter]
    fn survey(&self) -> &'static str {
        self.file.survey.key()
    }

    /// The model's input columns, in order.
    #[getter]
    fn feature_names(&self) -> Vec<String> {
        self.file.feature_names.clone()
    }

    /// The target's name (`gal`, `real`, `trans` or a custom name).
    #[getter]
    fn target_name(&self) -> String {
        self.file.target.name.clone()
    }

    /// Label → class (0 or 1) of the target.
    #[getter]
    fn target_classes(&self) -> BTreeMap<String, u8> {
        self.file.target.classes.clone()
    }

    /// P(class 1) of each row of a feature table (called `name` in
    /// messages), as a float64 array, and the warning about features it
    /// lacks far more often than training did (an error when `strict`).
    #[pyo3(signature = (table, name = "<features>".to_string(), strict = false))]
    fn predict(
        &self,
        py: Python<'_>,
        table: PyArrowType<RecordBatchStreamReader>,
        name: String,
        strict: bool,
    ) -> PyResult<(PyArrowType<arrow_data::ArrayData>, Option<String>)> {
        let (schema, batches) =
            collect_batches(table.0, |detail| BindingError::FeatureArrow { detail })?;
        let (probabilities, warning) = without_gil(py, || {
            let matrix = matrix_of(&schema, &batches, &self.file.feature_names)?;
            let missing = self.file.missing_in(&matrix);
            let line = self.missing_line(&name, &missing, strict)?;
            let probabilities = self
                .file
                .fitted
                .predict_proba(&matrix)
                .map_err(|error| self.model_error(error.into()))?;
            Ok::<_, BindingError>((probabilities, missing_warning(&Vec::from_iter(line), 1)))
        })?;
        Ok((
            PyArrowType(Float64Array::from(probabilities).to_data()),
            warning,
        ))
    }

    /// `alert_id, object_id, p_class1` of the alerts of `paths`, the notes
    /// (skipped alerts, duplicates) and the missing-feature warning.
    #[pyo3(signature = (paths, verbose = false, strict = false))]
    fn score_files(
        &self,
        py: Python<'_>,
        paths: Vec<String>,
        verbose: bool,
        strict: bool,
    ) -> PyResult<ScoredBatch> {
        let (batch, notes, warning) = without_gil(py, || {
            let read = rows_of_files(&paths, LcFeatureSource::FileOrRecompute)?;
            let (batch, warning) = self.score_rows(&read, &paths.join(", "), strict)?;
            Ok::<_, BindingError>((batch, read.notes(verbose), warning))
        })?;
        Ok((PyArrowType(batch), notes, warning))
    }

    /// `alert_id, object_id, p_class1` of an alert table, read as the file
    /// `name`, or cut into files by the string column `file_column`, with
    /// the notes and the missing-feature warning as [`Model::score_files`].
    #[pyo3(signature = (table, name, file_column = None, verbose = false, strict = false))]
    fn score_table(
        &self,
        py: Python<'_>,
        table: PyArrowType<RecordBatchStreamReader>,
        name: String,
        file_column: Option<String>,
        verbose: bool,
        strict: bool,
    ) -> PyResult<ScoredBatch> {
        let (batch, notes, warning) = with_rows_of_table(
            py,
            table.0,
            &name,
            file_column.as_deref(),
            LcFeatureSource::FileOrRecompute,
            |read| {
                let (batch, warning) = self.score_rows(&read, &name, strict)?;
                Ok((batch, read.notes(verbose), warning))
            },
        )?;
        Ok((PyArrowType(batch), notes, warning))
    }

    fn __repr__(&self) -> String {
        format!(
            "Model(survey={:?}, target={:?}, features={}, source={:?})",
            self.file.survey.key(),
            self.file.target.name,
            self.file.feature_names.len(),
            self.source
        )
    }
}
