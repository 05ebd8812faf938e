//! The `fink_vra._core` extension module: the core's features and model
//! files for Python. A thin shell: it converts Arrow data (pyarrow, through
//! the C data interface), runs the core with the GIL released, and turns the
//! core's errors into Python exceptions once (see `error`). The Python
//! package around it (`python/fink_vra/`) adds docstrings, pandas and Spark.

mod arrow_out;
mod error;
mod feature_input;
mod guard;
mod model;
mod reading;
mod team;

use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_pyarrow::PyArrowType;
use arrow_schema::{Schema, SchemaRef};
use fink_vra::core::alert::Survey;
use fink_vra::core::features::{
    feature_names as survey_features, id_column_names, LcFeatureSource,
};
use fink_vra::core::ingest;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use error::{
    AlertFileError, BindingError, FeatureTableError, InternalError, LabelFileError, ModelFileError,
};
use guard::without_gil;
use reading::{rows_of_files, with_rows_of_table, FeatureRows};

/// A result table and the notes (skipped alerts, duplicates) to warn about.
pub type BatchesAndNotes = (PyArrowType<RecordBatch>, Vec<String>);

/// Reads every batch of a stream that pyarrow exported (with the GIL held:
/// the stream may call back into Python); `wrap` says which input failed.
pub fn collect_batches(
    reader: RecordBatchStreamReader,
    wrap: impl Fn(String) -> BindingError,
) -> Result<(SchemaRef, Vec<RecordBatch>), BindingError> {
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| wrap(error.to_string()))?;
    Ok((schema, batches))
}

fn lc_source(recompute_lc: bool) -> LcFeatureSource {
    if recompute_lc {
        LcFeatureSource::Recompute
    } else {
        LcFeatureSource::FileOrRecompute
    }
}

fn survey_named(key: &str) -> PyResult<Survey> {
    Survey::from_key(key)
        .ok_or_else(|| PyValueError::new_err(format!("unknown survey {key:?}: ztf or lsst")))
}

/// The feature table of `read` (a survey's columns even when empty: ZTF's
/// when nothing was read, as the CLI's header).
fn feature_table(
    read: FeatureRows,
    origin: &str,
    verbose: bool,
) -> Result<(RecordBatch, Vec<String>), BindingError> {
    let survey = read.survey.unwrap_or(Survey::Ztf);
    Ok((
        arrow_out::feature_batch(survey, &read.rows, origin)?,
        read.notes(verbose),
    ))
}

/// The features of the alert files `paths`, as `fink-vra features`.
#[pyfunction]
#[pyo3(signature = (paths, recompute_lc = false, verbose = false))]
fn features_of_files(
    py: Python<'_>,
    paths: Vec<String>,
    recompute_lc: bool,
    verbose: bool,
) -> PyResult<BatchesAndNotes> {
    let (batch, notes) = without_gil(py, || {
        let read = rows_of_files(&paths, lc_source(recompute_lc))?;
        feature_table(read, &paths.join(", "), verbose)
    })?;
    Ok((PyArrowType(batch), notes))
}

/// The features of an alert table, read as the file `name`, or cut into
/// files by the string column `file_column`.
#[pyfunction]
#[pyo3(signature = (table, name, file_column = None, recompute_lc = false, verbose = false))]
fn features_of_table(
    py: Python<'_>,
    table: PyArrowType<RecordBatchStreamReader>,
    name: String,
    file_column: Option<String>,
    recompute_lc: bool,
    verbose: bool,
) -> PyResult<BatchesAndNotes> {
    let (batch, notes) = with_rows_of_table(
        py,
        table.0,
        &name,
        file_column.as_deref(),
        lc_source(recompute_lc),
        |read| feature_table(read, &name, verbose),
    )?;
    Ok((PyArrowType(batch), notes))
}

/// `(survey, layout)` of an alert file, from its footer only.
#[pyfunction]
fn layout_of_file(py: Python<'_>, path: String) -> PyResult<(&'static str, String)> {
    let (survey, layout) = without_gil(py, || reading::layout_of_file(&path))?;
    Ok((survey.key(), layout))
}

/// An alert table's schema cut down to the fields the core reads (nested
/// ones too; never the cutouts): the read schema Spark should be given.
#[pyfunction]
fn schema_read(schema: PyArrowType<Schema>) -> PyResult<PyArrowType<Schema>> {
    Ok(PyArrowType(
        ingest::schema_read(&schema.0).map_err(BindingError::from)?,
    ))
}

/// Where an alert table of `schema` keeps each alert's id and own time:
/// `(id path, time path, time is the first of a list, "jd" or "mjd")`,
/// paths from a top-level column down struct fields; for keying a stream.
#[pyfunction]
fn alert_keys(
    schema: PyArrowType<Schema>,
) -> PyResult<(Vec<&'static str>, Vec<&'static str>, bool, &'static str)> {
    let keys = ingest::alert_keys(&schema.0).map_err(BindingError::from)?;
    let scale = match keys.time_scale {
        ingest::TimeScale::JulianDate => "jd",
        ingest::TimeScale::ModifiedJulianDate => "mjd",
    };
    Ok((keys.alert_id, keys.time, keys.time_is_first_of_list, scale))
}

/// The feature columns of `survey` (`ztf` or `lsst`), in order.
#[pyfunction]
fn feature_names(survey: &str) -> PyResult<Vec<&'static str>> {
    Ok(survey_features(survey_named(survey)?).to_vec())
}

/// The two id columns that start `survey`'s feature table.
#[pyfunction]
fn id_columns(survey: &str) -> PyResult<Vec<&'static str>> {
    Ok(id_column_names(survey_named(survey)?).to_vec())
}

/// Panics inside the core on purpose: the tests check that this raises
/// `InternalError` and that the module still works afterwards.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    Ok(without_gil(py, || -> Result<(), BindingError> {
        panic!("a panic raised on purpose by _panic_for_tests")
    })?)
}

#[pymodule]
#[pyo3(name = "_core")]
fn core_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_function(wrap_pyfunction!(features_of_files, module)?)?;
    module.add_function(wrap_pyfunction!(features_of_table, module)?)?;
    module.add_function(wrap_pyfunction!(layout_of_file, module)?)?;
    module.add_function(wrap_pyfunction!(schema_read, module)?)?;
    module.add_function(wrap_pyfunction!(alert_keys, module)?)?;
    module.add_function(wrap_pyfunction!(feature_names, module)?)?;
    module.add_function(wrap_pyfunction!(id_columns, module)?)?;
    module.add_function(wrap_pyfunction!(_panic_for_tests, module)?)?;
    module.add_function(wrap_pyfunction!(team::agreement_of_files, module)?)?;
    module.add_class::<model::Model>()?;
    module.add("AlertFileError", py.get_type::<AlertFileError>())?;
    module.add("ModelFileError", py.get_type::<ModelFileError>())?;
    module.add("FeatureTableError", py.get_type::<FeatureTableError>())?;
    module.add("InternalError", py.get_type::<InternalError>())?;
    module.add("LabelFileError", py.get_type::<LabelFileError>())?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
