//! The image stamps (cutouts) of one alert, read again from its file when its
//! card is shown.
//!
//! Loading never reads the stamps (about 44 KB per alert), so the page's memory
//! grows with the number of alerts, not with file size. When a card is shown,
//! [`read_stamps`] finds the alert's row by its id (reading only the id
//! column: ZTF `candid`, LSST `diaSourceId` or `alertId`), then decodes the
//! three stamp cells of that one row: `cutoutX.stampData` in ZTF files (gzipped
//! FITS), `cutoutX` itself in LSST files (raw FITS). `core::cutouts` decodes
//! either.

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatchReader};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
};
use parquet::arrow::ProjectionMask;
use parquet::file::reader::ChunkReader;

use std::ops::Range;

use super::columns::{candid_column, ColumnName};
use super::sparse::{read_footer, SparseFile};
use super::{check_magic, contain_reader_panics, IngestError};
use crate::core::alert::Candid;

/// The three stamp columns of both surveys, in display order.
pub const STAMP_COLUMNS: [&str; 3] = ["cutoutScience", "cutoutTemplate", "cutoutDifference"];

/// The stamps of one alert as stored (FITS, gzipped or not), in the order of
/// [`STAMP_COLUMNS`]; `None` where the cell is null or the column is absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StampBytes {
    pub science: Option<Vec<u8>>,
    pub template: Option<Vec<u8>>,
    pub difference: Option<Vec<u8>>,
}

impl StampBytes {
    /// Each stamp with its column name, in display order.
    pub fn named(&self) -> [(&'static str, Option<&[u8]>); 3] {
        [
            (STAMP_COLUMNS[0], self.science.as_deref()),
            (STAMP_COLUMNS[1], self.template.as_deref()),
            (STAMP_COLUMNS[2], self.difference.as_deref()),
        ]
    }

    fn slot(&mut self, column: &str) -> Option<&mut Option<Vec<u8>>> {
        match column {
            "cutoutScience" => Some(&mut self.science),
            "cutoutTemplate" => Some(&mut self.template),
            "cutoutDifference" => Some(&mut self.difference),
            _ => None,
        }
    }
}

fn corrupt(file: &str, error: impl ToString) -> IngestError {
    IngestError::Corrupt {
        file: file.to_string(),
        detail: error.to_string(),
    }
}

/// The stamps of the alert `candid` in a parquet file.
///
/// `Ok(None)` when the file has no stamp columns (the clean layout) or no row
/// with that id. The footer is parsed once; `reader` is cloned for two
/// passes: the candid column, then the row's stamps.
pub fn read_stamps<R: ChunkReader + Clone + 'static>(
    file: &str,
    reader: R,
    candid: Candid,
) -> Result<Option<StampBytes>, IngestError> {
    contain_reader_panics(file, || read_stamps_unguarded(file, reader, candid))
}

fn read_stamps_unguarded<R: ChunkReader + Clone + 'static>(
    file: &str,
    reader: R,
    candid: Candid,
) -> Result<Option<StampBytes>, IngestError> {
    check_magic(file, &reader)?;
    let metadata = ArrowReaderMetadata::load(&reader, ArrowReaderOptions::default())
        .map_err(|error| corrupt(file, error))?;
    let stamp_leaves = stamp_leaves(&metadata);
    if stamp_leaves.is_empty() {
        return Ok(None);
    }
    let Some(row) = find_row(file, reader.clone(), metadata.clone(), candid)? else {
        return Ok(None);
    };
    let Some((row_group, row_in_group)) = row_group_of(&metadata, row) else {
        return Ok(None);
    };
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(reader, metadata);
    let mask = ProjectionMask::leaves(builder.parquet_schema(), stamp_leaves);
    // Only the row's row group is read: its stamp column chunks are all the
    // bytes needed (what `read_needed_for_stamps` fetches).
    let batches = builder
        .with_projection(mask)
        .with_row_groups(vec![row_group])
        .with_row_selection(RowSelection::from_consecutive_ranges(
            std::iter::once(row_in_group..row_in_group + 1),
            row_in_group + 1,
        ))
        .with_batch_size(1)
        .build()
        .map_err(|error| corrupt(file, error))?;
    let schema = batches.schema();
    let mut stamps = StampBytes::default();
    for batch in batches {
        let batch = batch.map_err(|error| corrupt(file, error))?;
        if batch.num_rows() == 0 {
            continue;
        }
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            let Some(slot) = stamps.slot(field.name()) else {
                continue;
            };
            if !column.data_type().is_nested() {
                // LSST: the cell is the stamp itself.
                *slot =
                    binary_value(column.as_ref(), 0).map_err(|found| IngestError::WrongType {
                        file: file.to_string(),
                        column: field.name().clone(),
                        expected: "binary".to_string(),
                        found,
                    })?;
                continue;
            }
            let Some(parent) = column.as_struct_opt() else {
                return Err(IngestError::WrongType {
                    file: file.to_string(),
                    column: field.name().clone(),
                    expected: "a struct with stampData".to_string(),
                    found: column.data_type().to_string(),
                });
            };
            let Some(data) = parent.column_by_name("stampData") else {
                continue;
            };
            if parent.is_null(0) {
                continue;
            }
            *slot = binary_value(data.as_ref(), 0).map_err(|found| IngestError::WrongType {
                file: file.to_string(),
                column: format!("{}.stampData", field.name()),
                expected: "binary".to_string(),
                found,
            })?;
        }
    }
    Ok(Some(stamps))
}

/// The leaves of the stamp columns: `cutoutX.stampData` (ZTF) or `cutoutX` (LSST).
fn stamp_leaves(metadata: &ArrowReaderMetadata) -> Vec<usize> {
    metadata
        .parquet_schema()
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, column)| {
            let parts = column.path().parts();
            let stamp_column = parts
                .first()
                .is_some_and(|top| STAMP_COLUMNS.contains(&top.as_str()));
            stamp_column && (parts.len() == 1 || (parts.len() == 2 && parts[1] == "stampData"))
        })
        .map(|(index, _)| index)
        .collect()
}

/// The row group holding file row `row`, and the row's index within it.
fn row_group_of(metadata: &ArrowReaderMetadata, row: usize) -> Option<(usize, usize)> {
    let mut first = 0usize;
    for (index, group) in metadata.metadata().row_groups().iter().enumerate() {
        let end = first.checked_add(usize::try_from(group.num_rows()).ok()?)?;
        if row < end {
            return Some((index, row - first));
        }
        first = end;
    }
    None
}

/// The byte ranges of the column chunks of `leaves` in `groups`. A hostile
/// footer's negative offsets make the parquet crate panic, so callers run
/// this inside `contain_reader_panics`.
fn chunk_ranges(
    metadata: &ArrowReaderMetadata,
    leaves: &[usize],
    groups: impl Iterator<Item = usize>,
) -> Vec<Range<u64>> {
    let row_groups = metadata.metadata().row_groups();
    groups
        .flat_map(|group| leaves.iter().map(move |&leaf| (group, leaf)))
        .filter_map(|(group, leaf)| {
            let (start, length) = row_groups.get(group)?.column(leaf).byte_range();
            Some(start..start.saturating_add(length))
        })
        .collect()
}

/// The leaf of the alert id column (see [`ID_PATHS`]) and its path.
fn id_leaf(metadata: &ArrowReaderMetadata) -> Option<(usize, &'static [&'static str])> {
    let columns = metadata.parquet_schema().columns();
    ID_PATHS.iter().find_map(|&path| {
        columns
            .iter()
            .position(|column| column.path().parts() == path)
            .map(|leaf| (leaf, path))
    })
}

/// Reads through `read` (a byte range in, its bytes out) only what a card's
/// stamps need: the footer, the id column, then the stamp column chunks of
/// the row group that holds `candid`. `Ok(None)`: no plan could be made,
/// read the whole file (errors then read as before). `Err`: a read failed.
pub fn read_needed_for_stamps(
    file: &str,
    length: u64,
    candid: Candid,
    mut read: impl FnMut(Range<u64>) -> Result<Vec<u8>, String>,
) -> Result<Option<SparseFile>, String> {
    let Some(mut sparse) = read_footer(length, &mut read)? else {
        return Ok(None);
    };
    let loaded = contain_reader_panics(file, || {
        ArrowReaderMetadata::load(&sparse, ArrowReaderOptions::default())
            .map_err(|error| corrupt(file, error))
    });
    let Ok(metadata) = loaded else {
        return Ok(None);
    };
    let stamp_leaves = stamp_leaves(&metadata);
    let Some((leaf, _)) = id_leaf(&metadata).filter(|_| !stamp_leaves.is_empty()) else {
        // No stamps, or no id: the footer alone gives `read_stamps`' answer.
        return Ok(Some(sparse));
    };
    let groups = metadata.metadata().num_row_groups();
    let Ok(id_chunks) =
        contain_reader_panics(file, || Ok(chunk_ranges(&metadata, &[leaf], 0..groups)))
    else {
        return Ok(None);
    };
    if sparse.read_ranges(id_chunks, &mut read)?.is_none() {
        return Ok(None);
    }
    let found = contain_reader_panics(file, || {
        find_row(file, sparse.clone(), metadata.clone(), candid)
    });
    let Some((row_group, _)) = found
        .ok()
        .flatten()
        .and_then(|row| row_group_of(&metadata, row))
    else {
        // Not in the file (or unreadable ids): the ids read are enough to say so.
        return Ok(Some(sparse));
    };
    let Ok(stamp_chunks) = contain_reader_panics(file, || {
        Ok(chunk_ranges(
            &metadata,
            &stamp_leaves,
            std::iter::once(row_group),
        ))
    }) else {
        return Ok(None);
    };
    Ok(sparse
        .read_ranges(stamp_chunks, &mut read)?
        .map(|()| sparse))
}

/// Where the alert id is, by survey: ZTF's `candid`, then LSST's top-level
/// `diaSourceId` (schema 8+) or `alertId` (7), then `diaSource.diaSourceId`.
const ID_PATHS: [&[&str]; 4] = [
    &["candid"],
    &["diaSourceId"],
    &["alertId"],
    &["diaSource", "diaSourceId"],
];

/// The zero-based row of `candid` in the file, reading its id column only.
fn find_row<R: ChunkReader + 'static>(
    file: &str,
    reader: R,
    metadata: ArrowReaderMetadata,
    candid: Candid,
) -> Result<Option<usize>, IngestError> {
    let (id_leaf, id_path) = id_leaf(&metadata).ok_or_else(|| IngestError::MissingColumn {
        file: file.to_string(),
        column: "candid (ZTF) or diaSourceId (LSST)".to_string(),
    })?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(reader, metadata);
    let id_column = id_path.join(".");
    let mask = ProjectionMask::leaves(builder.parquet_schema(), [id_leaf]);
    let batches = builder
        .with_projection(mask)
        .build()
        .map_err(|error| corrupt(file, error))?;
    let mut first_row = 0;
    for batch in batches {
        let batch = batch.map_err(|error| corrupt(file, error))?;
        // A nested id comes inside its struct: take the leaf out.
        let mut ids = batch.column(0).clone();
        for part in &id_path[1..] {
            let child = ids
                .as_struct_opt()
                .and_then(|parent| parent.column_by_name(part));
            ids = child.cloned().ok_or_else(|| IngestError::MissingColumn {
                file: file.to_string(),
                column: id_column.clone(),
            })?;
        }
        let candids = candid_column(
            ids.as_ref(),
            ColumnName {
                file,
                column: &id_column,
            },
        )?;
        if let Some(offset) = candids.iter().position(|value| value == Some(candid.0)) {
            return Ok(Some(first_row + offset));
        }
        first_row += batch.num_rows();
    }
    Ok(None)
}

/// The bytes of a binary cell (`binary`, `large_binary` or `binary_view`);
/// `Ok(None)` for null, `Err(type)` for any other type.
fn binary_value(array: &dyn Array, row: usize) -> Result<Option<Vec<u8>>, String> {
    if array.is_null(row) {
        return Ok(None);
    }
    let bytes = match array.data_type() {
        DataType::Binary => array.as_binary::<i32>().value(row),
        DataType::LargeBinary => array.as_binary::<i64>().value(row),
        DataType::BinaryView => array.as_binary_view().value(row),
        other => return Err(other.to_string()),
    };
    Ok(Some(bytes.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> bytes::Bytes {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).expect("fixture").into()
    }

    #[test]
    fn the_stamps_of_a_full_schema_alert_are_its_gzipped_fits() {
        let bytes = fixture("raw/ztf_schema402_10alerts.parquet");
        let parsed = super::super::read_alerts_from_bytes("f", bytes.clone()).expect("reads");
        let last = parsed.alerts.last().expect("alerts").candid();
        let stamps = read_stamps("f", bytes, last)
            .expect("reads")
            .expect("has stamps");
        for (name, stamp) in stamps.named() {
            let stamp = stamp.unwrap_or_else(|| panic!("{name} present"));
            assert_eq!(&stamp[..2], &[0x1f, 0x8b], "{name} is gzip");
        }
        assert_ne!(stamps.science, stamps.template);
    }

    #[test]
    fn the_stamps_of_an_lsst_alert_are_raw_fits_found_by_its_dia_source_id() {
        let path = format!(
            "{}/assets/sample/lsst_v7_1_simulated_50alerts.parquet",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes: bytes::Bytes = std::fs::read(path).expect("fixture").into();
        let parsed = super::super::read_alerts_from_bytes("l", bytes.clone()).expect("reads");
        let last = parsed.alerts.last().expect("alerts").candid();
        let stamps = read_stamps("l", bytes, last)
            .expect("reads")
            .expect("has stamps");
        for (name, stamp) in stamps.named() {
            let stamp = stamp.unwrap_or_else(|| panic!("{name} present"));
            assert!(stamp.starts_with(b"SIMPLE  ="), "{name} is raw FITS");
        }
        assert_ne!(stamps.science, stamps.difference);
    }

    /// `bytes` written again with row groups of `rows` rows (as a night's
    /// Spark file has many).
    fn with_row_groups_of(bytes: bytes::Bytes, rows: usize) -> bytes::Bytes {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        use parquet::arrow::ArrowWriter;
        use parquet::file::properties::WriterProperties;
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
            .expect("parquet")
            .build()
            .expect("reader");
        let schema = reader.schema();
        let properties = WriterProperties::builder()
            .set_max_row_group_row_count(Some(rows))
            .build();
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, schema, Some(properties)).expect("writer");
        for batch in reader {
            writer.write(&batch.expect("batch")).expect("write");
        }
        writer.close().expect("close");
        out.into()
    }

    #[test]
    fn a_cards_stamps_are_read_from_its_row_group_only_and_are_the_same() {
        // Row groups of 10 alerts, and of 1 (whose id chunks lie close enough
        // to be read in one piece that spans the stamps between them).
        for rows in [10, 1] {
            let bytes = with_row_groups_of(
                fixture("../../assets/sample/lsst_v7_1_simulated_50alerts.parquet"),
                rows,
            );
            check_row_group_stamps(&bytes);
        }
        let too_short = read_needed_for_stamps("f", 3, Candid(1), |_| Ok(Vec::new()));
        assert!(
            matches!(too_short, Ok(None)),
            "too short: read the whole file"
        );
    }

    fn check_row_group_stamps(bytes: &bytes::Bytes) {
        let parsed = super::super::read_alerts_from_bytes("f", bytes.clone()).expect("reads");
        for alert in [&parsed.alerts[0], &parsed.alerts[27], &parsed.alerts[49]] {
            let mut asked = 0;
            let sparse = read_needed_for_stamps("f", bytes.len() as u64, alert.candid(), |range| {
                asked += range.end - range.start;
                Ok(bytes[range.start as usize..range.end as usize].to_vec())
            })
            .expect("reads")
            .expect("a plan");
            assert!(asked * 3 < bytes.len() as u64, "{asked} of {}", bytes.len());
            let whole = read_stamps("f", bytes.clone(), alert.candid()).expect("reads");
            let few = read_stamps("f", sparse, alert.candid()).expect("reads");
            assert!(whole
                .as_ref()
                .is_some_and(|stamps| stamps.science.is_some()));
            assert_eq!(whole, few);
        }
        let too_short = read_needed_for_stamps("f", 3, Candid(1), |_| Ok(Vec::new()));
        assert!(
            matches!(too_short, Ok(None)),
            "too short: read the whole file"
        );
    }

    #[test]
    fn an_unknown_candid_or_a_clean_file_has_no_stamps() {
        let raw = fixture("raw/ztf_schema402_10alerts.parquet");
        assert_eq!(read_stamps("f", raw, Candid(1)).expect("reads"), None);
        let clean = fixture("clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet");
        let parsed = super::super::read_alerts_from_bytes("c", clean.clone()).expect("reads");
        let first = parsed.alerts[0].candid();
        assert_eq!(read_stamps("c", clean, first).expect("reads"), None);
    }
}
