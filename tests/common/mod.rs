//! Helpers shared by the integration tests: fixture paths and the reference CSVs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;

use fink_vra::core::active::table::LabelledTable;
use fink_vra::core::alert_set::{AlertSet, FileSummary};
use fink_vra::core::ingest::{read_alerts_from_bytes, ParsedFile};

/// Runs the `fink-vra` CLI built for these tests with `arguments`.
pub fn run_cli(arguments: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(arguments)
        .output()
        .expect("the CLI runs")
}

/// A path in the temporary folder for the file `name` of the tests `group`,
/// unique to this test process.
pub fn scratch_path(group: &str, name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("fink-vra-{group}-{}-{name}", std::process::id()))
}

/// Path of a file under `tests/fixtures`.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// The researcher's labelled ATLAS table (galactic task, dayN features),
/// split `train` or `val`: `tests/fixtures/labelled/atlas_vra_dayN_{X,y}_<split>.csv`.
pub fn atlas_table(split: &str) -> LabelledTable {
    let read = |kind: &str| {
        let path = fixture(&format!("labelled/atlas_vra_dayN_{kind}_{split}.csv"));
        (
            path.display().to_string(),
            std::fs::read_to_string(&path).expect("fixture"),
        )
    };
    let ((x_name, x_text), (y_name, y_text)) = (read("X"), read("y"));
    LabelledTable::from_csv(&x_name, &x_text, &y_name, &y_text).expect("fixture table parses")
}

/// Reads a fixture parquet file through the in-memory (browser) path.
pub fn parse_fixture(relative: &str) -> ParsedFile {
    let bytes = std::fs::read(fixture(relative)).expect("fixture is readable");
    read_alerts_from_bytes(relative, bytes).expect("fixture parses")
}

/// Loads fixtures, in order, into one alert set.
pub fn load_set(relatives: &[&str]) -> AlertSet {
    load_set_with_summaries(relatives).0
}

/// Like [`load_set`], also returning each file's summary.
pub fn load_set_with_summaries(relatives: &[&str]) -> (AlertSet, Vec<FileSummary>) {
    let mut set = AlertSet::new();
    let summaries = relatives
        .iter()
        .map(|relative| set.add_file(parse_fixture(relative)))
        .collect();
    (set, summaries)
}

/// A reference feature table: header, then rows of cells (`None` for empty).
pub struct ExpectedTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl ExpectedTable {
    pub fn read(relative: &str) -> ExpectedTable {
        let text = std::fs::read_to_string(fixture(relative)).expect("expected CSV is readable");
        let mut lines = text.lines();
        let header = lines
            .next()
            .expect("header")
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .filter(|line| !line.is_empty())
            .map(|line| line.split(',').map(str::to_string).collect())
            .collect();
        ExpectedTable { header, rows }
    }

    pub fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|column| column == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// The numeric cell, `NaN` when empty.
    pub fn number(&self, row: usize, column: usize) -> f64 {
        let cell = &self.rows[row][column];
        if cell.is_empty() {
            f64::NAN
        } else {
            cell.parse()
                .unwrap_or_else(|_| panic!("not a number: {cell}"))
        }
    }
}

/// Equal within `relative` tolerance, with NaN equal to NaN.
pub fn close(actual: f64, expected: f64, relative: f64) -> bool {
    if actual.is_nan() || expected.is_nan() {
        return actual.is_nan() && expected.is_nan();
    }
    (actual - expected).abs() <= relative * expected.abs().max(f64::MIN_POSITIVE)
}

/// A parquet file in memory with these top-level columns (all nullable).
pub fn write_parquet(columns: Vec<(&'static str, ArrayRef)>) -> Bytes {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, array)| array).collect(),
    )
    .expect("batch");
    let mut buffer = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buffer, schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
    Bytes::from(buffer)
}
