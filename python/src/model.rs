//! `fink_vra._core.Model`: a model file (the page's "Model" download, or
//! `fink-vra train`'s output) that predicts from feature tables and scores
//! alerts, with the same core as `fink-vra score`, to the bit.

use std::collections::BTreeMap;

use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_array::{Array, Float64Array, RecordBatch};
use arrow_pyarrow::PyArrowType;
use fink_vra::core::features::{FeatureRow, LcFeatureSource};
use fink_vra::core::model_file::ModelFile;
use pyo3::prelude::*;

use crate::arrow_out::score_batch;
use crate::error::BindingError;
use crate::feature_input::matrix_of;
use crate::guard::without_gil;
use crate::reading::{rows_of_files, with_rows_of_table, FeatureRows};
use crate::{collect_batches, BatchesAndNotes};

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

    /// The probabilities of feature rows read from alerts, as `fink-vra score`.
    fn score_rows(&self, read: FeatureRows, origin: &str) -> Result<RecordBatch, BindingError> {
        if let Some(found) = read.survey.filter(|survey| *survey != self.file.survey) {
            return Err(BindingError::OtherSurvey {
                file: origin.to_string(),
                model: self.file.survey,
                found,
            });
        }
        let probabilities = self.probabilities(&read.rows)?;
        score_batch(self.file.survey, &read.rows, probabilities, origin)
    }

    fn probabilities(&self, rows: &[FeatureRow]) -> Result<Vec<f64>, BindingError> {
        self.file.score(rows).map_err(|error| BindingError::Model {
            source_name: self.source.clone(),
            error,
        })
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

    /// P(class 1) of each row of a feature table, as a float64 array.
    fn predict(
        &self,
        py: Python<'_>,
        table: PyArrowType<RecordBatchStreamReader>,
    ) -> PyResult<PyArrowType<arrow_data::ArrayData>> {
        let (schema, batches) =
            collect_batches(table.0, |detail| BindingError::FeatureArrow { detail })?;
        let probabilities = without_gil(py, || {
            let matrix = matrix_of(&schema, &batches, &self.file.feature_names)?;
            self.file
                .fitted
                .predict_proba(&matrix)
                .map_err(|error| BindingError::Model {
                    source_name: self.source.clone(),
                    error: error.into(),
                })
        })?;
        Ok(PyArrowType(Float64Array::from(probabilities).to_data()))
    }

    /// `alert_id, object_id, p_class1` of the alerts of `paths`.
    #[pyo3(signature = (paths, verbose = false))]
    fn score_files(
        &self,
        py: Python<'_>,
        paths: Vec<String>,
        verbose: bool,
    ) -> PyResult<BatchesAndNotes> {
        let (batch, notes) = without_gil(py, || {
            let read = rows_of_files(&paths, LcFeatureSource::FileOrRecompute)?;
            let notes = read.notes(verbose);
            Ok((self.score_rows(read, &paths.join(", "))?, notes))
        })?;
        Ok((PyArrowType(batch), notes))
    }

    /// `alert_id, object_id, p_class1` of an alert table, read as the file
    /// `name`, or cut into files by the string column `file_column`.
    #[pyo3(signature = (table, name, file_column = None, verbose = false))]
    fn score_table(
        &self,
        py: Python<'_>,
        table: PyArrowType<RecordBatchStreamReader>,
        name: String,
        file_column: Option<String>,
        verbose: bool,
    ) -> PyResult<BatchesAndNotes> {
        let (batch, notes) = with_rows_of_table(
            py,
            table.0,
            &name,
            file_column.as_deref(),
            LcFeatureSource::FileOrRecompute,
            |read| {
                let notes = read.notes(verbose);
                Ok((self.score_rows(read, &name)?, notes))
            },
        )?;
        Ok((PyArrowType(batch), notes))
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
