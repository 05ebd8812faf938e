//! Bytes in, typed alerts out: the only code that knows parquet.
//!
//! [`read_alerts`] detects the survey and layout from the schema (ZTF's full
//! Fink alert schema or the "clean" layout of the finkvra consumer; Rubin/LSST
//! alerts as Fink writes them, schema 7.x to 10.x), reads only the
//! leaf columns the features need (cutouts are never decoded here), checks
//! types once, and returns validated [`Alert`]s. A broken file is an
//! [`IngestError`]; a broken alert inside a good file is skipped and listed
//! with its row and [`SkipReason`], and the rest of the file still loads.

mod alert_keys;
mod arrow_batches;
mod clean;
mod columns;
mod error;
mod full_schema;
mod identity;
mod lc_features;
mod lsst;
mod points;
mod sparse;
mod stamps;

use std::fmt;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::Schema;
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use parquet::file::reader::ChunkReader;
use parquet::schema::types::SchemaDescriptor;

pub use alert_keys::{alert_keys, AlertKeys, TimeScale};
pub use arrow_batches::{read_alerts_from_batches, schema_read};
pub use error::IngestError;
pub use lsst::LsstSchema;
pub use points::MJD_ZERO_JD;
pub use sparse::{read_needed, SparseFile};
pub use stamps::{read_needed_for_stamps, read_stamps, StampBytes, STAMP_COLUMNS};

use crate::core::alert::{Alert, Candid, Survey};

/// The file layouts fink-vra reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Layout {
    /// ZTF: the full Fink alert schema (Data Transfer service, `fink_consumer --save`).
    FullFink,
    /// ZTF: the layout written by the researcher's finkvra consumer.
    FinkvraClean,
    /// Rubin/LSST alerts as Fink writes them, in the given alert schema.
    Lsst(LsstSchema),
}

impl Layout {
    /// The survey whose alerts the layout holds.
    pub fn survey(self) -> Survey {
        match self {
            Layout::FullFink | Layout::FinkvraClean => Survey::Ztf,
            Layout::Lsst(_) => Survey::Lsst,
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::FullFink => f.write_str("ZTF, full Fink schema"),
            Layout::FinkvraClean => f.write_str("ZTF, finkvra clean layout"),
            Layout::Lsst(schema) => write!(f, "LSST, {schema}"),
        }
    }
}

/// Why one alert of a readable file was left out.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum SkipReason {
    MissingCandid,
    MissingObjectId,
    /// `ra` not finite, or `dec` outside `[-90, 90]`.
    InvalidCoordinates {
        ra: f64,
        dec: f64,
    },
    /// The alert's own candidate (its first light-curve point) is null or has no time or band.
    MissingCandidate,
    /// The clean layout's light-curve lists disagree in length for this row.
    LightCurveListsDiffer {
        column: String,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::MissingCandid => write!(f, "no alert id (candid or diaSourceId)"),
            SkipReason::MissingObjectId => write!(f, "no object id (objectId or diaObjectId)"),
            SkipReason::InvalidCoordinates { ra, dec } => {
                write!(f, "invalid coordinates (ra {ra}, dec {dec})")
            }
            SkipReason::MissingCandidate => write!(
                f,
                "no valid observation of its own (candidate or diaSource: time and band)"
            ),
            SkipReason::LightCurveListsDiffer { column } => {
                write!(
                    f,
                    "light-curve list `{column}` differs in length from `mjd`"
                )
            }
        }
    }
}

/// An alert left out of a file, with where it was.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SkippedAlert {
    /// Zero-based row in the file.
    pub row: usize,
    pub candid: Option<Candid>,
    pub reason: SkipReason,
}

/// Everything read from one file.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParsedFile {
    pub file: String,
    pub layout: Layout,
    /// Rows in the file (alerts read plus alerts skipped).
    pub rows: usize,
    /// The valid alerts, in file order.
    pub alerts: Vec<Alert>,
    pub skipped: Vec<SkippedAlert>,
    /// History points dropped because they had no time or no known band.
    pub dropped_points: usize,
}

impl ParsedFile {
    fn new(file: &str, layout: Layout) -> ParsedFile {
        ParsedFile {
            file: file.to_string(),
            layout,
            rows: 0,
            alerts: Vec::new(),
            skipped: Vec::new(),
            dropped_points: 0,
        }
    }

    fn skip(&mut self, row: usize, candid: Option<Candid>, reason: SkipReason) {
        self.skipped.push(SkippedAlert {
            row,
            candid,
            reason,
        });
    }
}

/// Rows decoded per batch; small enough to keep memory flat on large files.
const BATCH_ROWS: usize = 1024;

/// Reads the alerts of one parquet file held in memory (the browser's path).
pub fn read_alerts_from_bytes(
    file: &str,
    bytes: impl Into<Bytes>,
) -> Result<ParsedFile, IngestError> {
    read_alerts(file, bytes.into())
}

/// Reads the alerts of one parquet file from any parquet chunk reader
/// (`bytes::Bytes` in the browser, `std::fs::File` natively, so that the CLI
/// never holds a whole file's cutouts in memory). `file` names it in errors.
pub fn read_alerts<R: ChunkReader + 'static>(
    file: &str,
    reader: R,
) -> Result<ParsedFile, IngestError> {
    contain_reader_panics(file, || read_alerts_unguarded(file, reader))
}

/// Reads only the footer of a parquet file and tells its layout (and so its
/// survey), with the same errors as [`read_alerts`] for a file that is not a
/// readable Fink alert file. No row is decoded.
pub fn read_layout<R: ChunkReader + 'static>(file: &str, reader: R) -> Result<Layout, IngestError> {
    contain_reader_panics(file, || {
        check_magic(file, &reader)?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(reader).map_err(|error| {
            IngestError::Corrupt {
                file: file.to_string(),
                detail: error.to_string(),
            }
        })?;
        detect_layout(builder.schema(), file)
    })
}

/// Runs `read`, turning a panic inside the parquet crate into
/// [`IngestError::Corrupt`]. The parquet crate still panics on some malformed
/// files (fuzzing found one: a dictionary-encoded page with no dictionary, see
/// `bench/FUZZ.md`). Natively, with unwinding, this keeps the CLI and tests
/// alive; in the browser, where a panic aborts, the page parses files in its
/// worker so that such a file costs a worker, not the page.
pub(crate) fn contain_reader_panics<T>(
    file: &str,
    read: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    quiet_reader_panics::install();
    let caught = quiet_reader_panics::while_reading(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
    });
    caught.unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|message| message.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string());
        Err(IngestError::Corrupt {
            file: file.to_string(),
            detail: format!("the parquet reader failed on malformed data: {detail}"),
        })
    })
}

/// A panic caught by [`contain_reader_panics`] becomes the file's error; the
/// default hook would first print "thread 'main' panicked at
/// …/parquet-…" and a backtrace, in the CLI and in Python, before the real
/// message. While a reader runs on this thread the hook stays silent; any
/// other panic is printed as before. Natively only: in wasm a panic aborts
/// and its printed message is all a crashed worker leaves.
mod quiet_reader_panics {
    use std::cell::Cell;

    thread_local! {
        static READING: Cell<bool> = const { Cell::new(false) };
    }

    /// Wraps the process's panic hook once (idempotent).
    pub(super) fn install() {
        #[cfg(not(target_arch = "wasm32"))]
        {
            static INSTALL: std::sync::Once = std::sync::Once::new();
            INSTALL.call_once(|| {
                let previous = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| {
                    if !READING.with(Cell::get) {
                        previous(info);
                    }
                }));
            });
        }
    }

    /// Runs `read` with this thread's panics silent.
    pub(super) fn while_reading<T>(read: impl FnOnce() -> T) -> T {
        let before = READING.with(|reading| reading.replace(true));
        let result = read();
        READING.with(|reading| reading.set(before));
        result
    }
}

fn read_alerts_unguarded<R: ChunkReader + 'static>(
    file: &str,
    reader: R,
) -> Result<ParsedFile, IngestError> {
    check_magic(file, &reader)?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(reader).map_err(|error| IngestError::Corrupt {
            file: file.to_string(),
            detail: error.to_string(),
        })?;
    let layout = detect_layout(builder.schema(), file)?;
    let wanted = needed_leaves(layout, builder.parquet_schema());
    let mask = ProjectionMask::leaves(builder.parquet_schema(), wanted);
    let batches = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|error| IngestError::Corrupt {
            file: file.to_string(),
            detail: error.to_string(),
        })?;

    let projected_schema = batches.schema();
    let mut parsed = ParsedFile::new(file, layout);
    let mut saw_batch = false;
    for batch in batches {
        let batch = batch.map_err(|error| IngestError::Corrupt {
            file: file.to_string(),
            detail: error.to_string(),
        })?;
        saw_batch = true;
        read_batch(layout, &batch, file, &mut parsed)?;
    }
    if !saw_batch {
        // A file with zero rows still has its schema checked, by the same code.
        read_batch(
            layout,
            &RecordBatch::new_empty(projected_schema),
            file,
            &mut parsed,
        )?;
    }
    Ok(parsed)
}

fn read_batch(
    layout: Layout,
    batch: &RecordBatch,
    file: &str,
    parsed: &mut ParsedFile,
) -> Result<(), IngestError> {
    match layout {
        Layout::FullFink => full_schema::read_batch(batch, file, parsed),
        Layout::FinkvraClean => clean::read_batch(batch, file, parsed),
        Layout::Lsst(_) => lsst::read_batch(batch, file, parsed),
    }
}

/// Refuses files that are not parquet at all before the parquet reader sees
/// them, so that "not parquet" and "truncated parquet" read differently.
fn check_magic<R: ChunkReader>(file: &str, reader: &R) -> Result<(), IngestError> {
    const MAGIC: &[u8] = b"PAR1";
    let length = reader.len();
    if length == 0 {
        return Err(IngestError::EmptyFile {
            file: file.to_string(),
        });
    }
    let read = |start: u64, count: usize| reader.get_bytes(start, count).ok();
    let head = read(0, MAGIC.len().min(length as usize));
    if head.as_deref() != Some(MAGIC) {
        return Err(IngestError::NotParquet {
            file: file.to_string(),
            detail: "it does not start with the parquet magic bytes".to_string(),
        });
    }
    let tail = length
        .checked_sub(MAGIC.len() as u64)
        .and_then(|start| read(start, MAGIC.len()));
    if length < 12 || tail.as_deref() != Some(MAGIC) {
        return Err(IngestError::Corrupt {
            file: file.to_string(),
            detail: "the file ends before the parquet footer: it was probably cut short"
                .to_string(),
        });
    }
    Ok(())
}

fn detect_layout(schema: &Schema, file: &str) -> Result<Layout, IngestError> {
    let has = |name: &str| schema.field_with_name(name).is_ok();
    if has(lsst::SOURCE_COLUMN) {
        Ok(Layout::Lsst(LsstSchema::detect(schema)))
    } else if has("candidate") {
        Ok(Layout::FullFink)
    } else if has("mjd") && has("mag") {
        Ok(Layout::FinkvraClean)
    } else {
        Err(IngestError::UnknownLayout {
            file: file.to_string(),
        })
    }
}

/// The indices of the leaf columns read for `layout`: the projection of
/// [`read_alerts`], and the column chunks `read_needed` fetches.
fn needed_leaves(layout: Layout, schema: &SchemaDescriptor) -> Vec<usize> {
    schema
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, column)| is_needed_leaf(layout, column.path().parts()))
        .map(|(index, _)| index)
        .collect()
}

/// Whether a parquet leaf column (given by its path) is read for `layout`.
fn is_needed_leaf(layout: Layout, path: &[String]) -> bool {
    let (Some(top), Some(leaf)) = (path.first(), path.last()) else {
        return false;
    };
    let ztf = layout == Layout::FullFink || layout == Layout::FinkvraClean;
    if ztf && lc_features::LC_FEATURE_COLUMNS.contains(&top.as_str()) {
        return path.len() == 2
            && crate::core::alert::BandFeatures::FIELD_NAMES.contains(&leaf.as_str());
    }
    match layout {
        Layout::FullFink => full_schema::is_needed_leaf(top, leaf, path.len()),
        Layout::FinkvraClean => clean::TOP_LEVEL_COLUMNS.contains(&top.as_str()),
        Layout::Lsst(_) => lsst::is_needed_leaf(top, leaf, path.len()),
    }
}
