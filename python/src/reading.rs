//! Alerts of either survey in, feature rows out, the way `fink-vra features`
//! reads them: from files (every footer checked first, one survey only, each
//! alert id once across the files), or from Arrow batches that another
//! runtime holds (a pyarrow table, a Spark executor's batches), optionally
//! cut into the files they came from by a column of file names.

use std::fs::File;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use fink_vra::core::alert::Survey;
use fink_vra::core::alert_set::DuplicateFilter;
use fink_vra::core::duplicate_report::DuplicateReport;
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, FeatureRow, LcFeatureSource};
use fink_vra::core::ingest::{read_alerts, read_alerts_from_batches, read_layout, ParsedFile};

use pyo3::Python;

use crate::collect_batches;
use crate::error::BindingError;
use crate::guard::without_gil;

/// The feature rows of some alerts, with what the CLI would say on stderr.
pub struct FeatureRows {
    /// The alerts' survey; `None` when there was nothing to read.
    pub survey: Option<Survey>,
    pub rows: Vec<FeatureRow>,
    /// Skipped alerts, one line each, worded as the CLI's.
    pub skipped: Vec<String>,
    /// Alert ids read twice (the first copy kept).
    pub duplicates: DuplicateReport,
    /// Each file read (or table, or run of a file column) and its rows.
    pub files: Vec<(String, Range<usize>)>,
}

impl FeatureRows {
    /// What to warn about, as the CLI writes it on stderr: each skipped
    /// alert, then the duplicates in one summary line, or one line each when
    /// `verbose`.
    pub fn notes(&self, verbose: bool) -> Vec<String> {
        let mut notes = self.skipped.clone();
        notes.extend(self.duplicates.lines(verbose, "verbose=True lists them"));
        notes
    }
}

/// Collects parsed files into feature rows, in order, each alert id once.
struct RowCollector {
    source: LcFeatureSource,
    duplicates: DuplicateFilter,
    first_of_survey: Option<(Survey, String)>,
    rows: FeatureRows,
}

impl RowCollector {
    fn new(source: LcFeatureSource) -> RowCollector {
        RowCollector {
            source,
            duplicates: DuplicateFilter::new(),
            first_of_survey: None,
            rows: FeatureRows {
                survey: None,
                rows: Vec::new(),
                skipped: Vec::new(),
                duplicates: DuplicateReport::new(),
                files: Vec::new(),
            },
        }
    }

    /// Refuses a file of another survey than the first one's.
    fn check_survey(&mut self, file: &str, survey: Survey) -> Result<(), BindingError> {
        match &self.first_of_survey {
            None => {
                self.first_of_survey = Some((survey, file.to_string()));
                self.rows.survey = Some(survey);
                Ok(())
            }
            Some((first, _)) if *first == survey => Ok(()),
            Some((first, first_file)) => Err(BindingError::MixedSurveys {
                first_file: first_file.clone(),
                first: *first,
                second_file: file.to_string(),
                second: survey,
            }),
        }
    }

    fn add(&mut self, parsed: ParsedFile) -> Result<(), BindingError> {
        let name = parsed.file.clone();
        self.check_survey(&name, parsed.layout.survey())?;
        for skipped in &parsed.skipped {
            let candid = skipped
                .candid
                .map_or_else(|| "?".to_string(), |candid| candid.to_string());
            self.rows.skipped.push(format!(
                "skipped: {name}: row {} (alert id {candid}): {}",
                skipped.row, skipped.reason
            ));
        }
        let (alerts, duplicates) = self.duplicates.admit(&name, parsed.alerts);
        self.rows.duplicates.add(&name, duplicates);
        let dust = ExtinctionMap::sfd();
        let first = self.rows.rows.len();
        self.rows.rows.extend(
            alerts
                .iter()
                .map(|alert| compute_features(alert, self.source, dust)),
        );
        self.rows.files.push((name, first..self.rows.rows.len()));
        Ok(())
    }
}

fn open(path: &str) -> Result<File, BindingError> {
    File::open(path).map_err(|source| BindingError::CannotOpen {
        path: path.to_string(),
        source,
    })
}

/// The survey and layout of one file, from its footer only.
pub fn layout_of_file(path: &str) -> Result<(Survey, String), BindingError> {
    let layout = read_layout(path, open(path)?)?;
    Ok((layout.survey(), layout.to_string()))
}

/// The feature rows of `paths`, in order: every footer is read first, so a
/// file that cannot be read, or a mix of surveys, fails before any row.
pub fn rows_of_files(
    paths: &[String],
    source: LcFeatureSource,
) -> Result<FeatureRows, BindingError> {
    let mut collector = RowCollector::new(source);
    for path in paths {
        let (survey, _) = layout_of_file(path)?;
        collector.check_survey(path, survey)?;
    }
    for path in paths {
        collector.add(read_alerts(path, open(path)?)?)?;
    }
    Ok(collector.rows)
}

/// The feature rows of `batches` (all of `schema`). Without `file_column`
/// they are one file named `name`; with it, each run of rows with the same
/// value of that string column is read as the file it names.
pub fn rows_of_batches(
    schema: &Schema,
    batches: &[RecordBatch],
    name: &str,
    file_column: Option<&str>,
    source: LcFeatureSource,
) -> Result<FeatureRows, BindingError> {
    let mut collector = RowCollector::new(source);
    let Some(column) = file_column else {
        collector.add(read_alerts_from_batches(name, schema, batches)?)?;
        return Ok(collector.rows);
    };
    for batch in batches {
        for (file, start, length) in file_runs(batch, column, name)? {
            let run = batch.slice(start, length);
            collector.add(read_alerts_from_batches(&file, schema, [&run])?)?;
        }
    }
    Ok(collector.rows)
}

/// The feature rows of an alert table pyarrow exported, as
/// [`rows_of_batches`] reads them, handed to `then`: the batches are
/// collected with the GIL held (the stream may call back into Python), the
/// reading and `then` run without it.
pub fn with_rows_of_table<T: Send>(
    py: Python<'_>,
    table: RecordBatchStreamReader,
    name: &str,
    file_column: Option<&str>,
    source: LcFeatureSource,
    then: impl FnOnce(FeatureRows) -> Result<T, BindingError> + Send,
) -> Result<T, BindingError> {
    let (schema, batches) = collect_batches(table, |detail| BindingError::AlertArrow { detail })?;
    without_gil(py, || {
        then(rows_of_batches(
            &schema,
            &batches,
            name,
            file_column,
            source,
        )?)
    })
}

/// The runs of rows of `batch` that share a value of the string column
/// `column`: (file name, first row, row count). A null name reads as `fallback`.
fn file_runs(
    batch: &RecordBatch,
    column: &str,
    fallback: &str,
) -> Result<Vec<(String, usize, usize)>, BindingError> {
    let array = batch
        .column_by_name(column)
        .ok_or_else(|| BindingError::FileColumnType {
            column: column.to_string(),
            found: "nothing (no such column)".to_string(),
        })?;
    let name_at = |row: usize| -> Result<String, BindingError> {
        if array.is_null(row) {
            return Ok(fallback.to_string());
        }
        match array.data_type() {
            DataType::Utf8 => Ok(array.as_string::<i32>().value(row).to_string()),
            DataType::LargeUtf8 => Ok(array.as_string::<i64>().value(row).to_string()),
            other => Err(BindingError::FileColumnType {
                column: column.to_string(),
                found: other.to_string(),
            }),
        }
    };
    let mut runs: Vec<(String, usize, usize)> = Vec::new();
    for row in 0..batch.num_rows() {
        let file = name_at(row)?;
        match runs.last_mut() {
            Some((last, _, length)) if *last == file => *length += 1,
            _ => runs.push((file, row, 1)),
        }
    }
    Ok(runs)
}
