//! Reading only the bytes a file's alerts need.
//!
//! Alert files are mostly cutouts (an LSST alert carries about 56 KB of
//! stamps, a ZTF one 41 KB), which loading never decodes: [`read_alerts`]
//! projects the columns the features need. Natively the parquet reader then
//! reads only those column chunks from disk. The page's worker, which reads a
//! `File` synchronously, used to copy the whole file first. [`read_needed`]
//! asks for the footer, then for the needed column chunks only, through any
//! ranged reader (`File.slice` in the worker, a byte slice in tests), and
//! returns a [`SparseFile`] that the parquet reader reads as if whole.
//!
//! When the plan cannot be made (too short, not parquet, a footer that does
//! not decode, a range beyond the data), [`read_needed`] returns `None` and
//! the caller reads the whole file, so that those errors read exactly as
//! before. A layout fink-vra does not read needs the footer only: the error
//! is the same. Should the parquet reader still ask for bytes that were not
//! read (a damaged page header at a chunk's end), the file says so
//! ([`SparseFile::missed`]) and the caller reads the whole file again.
//!
//! [`read_alerts`]: super::read_alerts

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

use super::{contain_reader_panics, detect_layout, needed_leaves};

/// The parquet magic bytes, at both ends of a file.
const MAGIC_LENGTH: u64 = 4;
/// The footer's tail: the metadata length (4 bytes) and the magic.
const TAIL_LENGTH: u64 = 8;
/// Column chunks closer than this are read in one piece (fewer, larger reads).
const COALESCE_GAP: u64 = 64 * 1024;

/// A file of `length` bytes of which some ranges were read: enough for the
/// parquet reader when the ranges cover what it asks for. A request outside
/// them is an I/O error, never a panic.
#[derive(Clone, Debug, Default)]
pub struct SparseFile {
    length: u64,
    /// Where the data ends and the footer (metadata) starts.
    data_end: u64,
    /// Pieces by start offset, sorted (they may overlap).
    pieces: Vec<(u64, Bytes)>,
    /// Set when the reader asked for bytes that were not read; shared by clones.
    missed: Arc<AtomicBool>,
}

impl SparseFile {
    /// A file of `length` bytes with nothing read yet.
    pub fn new(length: u64) -> SparseFile {
        SparseFile {
            length,
            data_end: length,
            pieces: Vec::new(),
            missed: Arc::default(),
        }
    }

    /// A flag, shared with every clone of this file, that is set once the
    /// parquet reader asked for bytes that were not read: an error it then
    /// gave says nothing about the file, which should be read whole.
    pub fn missed(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.missed)
    }

    /// Bytes read from the file, in total.
    pub fn bytes_held(&self) -> u64 {
        self.pieces
            .iter()
            .map(|(_, bytes)| bytes.len() as u64)
            .sum()
    }

    /// Reads `ranges` (within the data, before the footer) through `read`,
    /// nearby ones in one piece; `None` when one lies outside the data.
    pub(super) fn read_ranges(
        &mut self,
        ranges: Vec<Range<u64>>,
        read: &mut impl FnMut(Range<u64>) -> Result<Vec<u8>, String>,
    ) -> Result<Option<()>, String> {
        let end = self.length.saturating_sub(TAIL_LENGTH);
        if ranges
            .iter()
            .any(|range| range.start < MAGIC_LENGTH || range.end > end)
        {
            return Ok(None);
        }
        for range in coalesce(ranges, end) {
            let start = range.start;
            self.add(start, read(range)?);
        }
        Ok(Some(()))
    }

    /// Adds the bytes read at `start`.
    fn add(&mut self, start: u64, bytes: Vec<u8>) {
        let at = self.pieces.partition_point(|(piece, _)| *piece < start);
        self.pieces.insert(at, (start, Bytes::from(bytes)));
    }

    /// The bytes from `start` to the end of the piece that holds `start` and
    /// reaches furthest (pieces read in two passes may overlap).
    fn rest_of_piece(&self, start: u64) -> Option<Bytes> {
        let at = self.pieces.partition_point(|(piece, _)| *piece <= start);
        self.pieces[..at]
            .iter()
            .filter_map(|(piece_start, bytes)| {
                let offset = usize::try_from(start - piece_start).ok()?;
                (offset <= bytes.len()).then(|| bytes.slice(offset..))
            })
            .max_by_key(Bytes::len)
    }

    fn missing(&self, start: u64, length: usize) -> ParquetError {
        self.missed.store(true, Ordering::Relaxed);
        ParquetError::General(format!(
            "bytes {start}..{} of the file were not read",
            start.saturating_add(length as u64)
        ))
    }
}

impl Length for SparseFile {
    fn len(&self) -> u64 {
        self.length
    }
}

impl ChunkReader for SparseFile {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        self.rest_of_piece(start)
            .map(Buf::reader)
            .ok_or_else(|| self.missing(start, 0))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.rest_of_piece(start)
            .filter(|rest| rest.len() >= length)
            .map(|rest| rest.slice(..length))
            .ok_or_else(|| self.missing(start, length))
    }
}

/// Reads through `read` (a byte range in, its bytes out, or why not) the
/// bytes that reading `file`'s alerts needs: both magics, the footer, and the
/// column chunks of the columns the features use. `Ok(None)`: no plan could
/// be made, read the whole file. `Err`: a read failed.
pub fn read_needed(
    file: &str,
    length: u64,
    mut read: impl FnMut(Range<u64>) -> Result<Vec<u8>, String>,
) -> Result<Option<SparseFile>, String> {
    let Some(mut sparse) = read_footer(length, &mut read)? else {
        return Ok(None);
    };
    let Some(ranges) = column_ranges(file, &sparse) else {
        return Ok(None);
    };
    Ok(sparse.read_ranges(ranges, &mut read)?.map(|()| sparse))
}

/// Reads `range` through `read`, refusing a short read.
fn read_exactly(
    read: &mut impl FnMut(Range<u64>) -> Result<Vec<u8>, String>,
    range: Range<u64>,
) -> Result<Vec<u8>, String> {
    let expected = range.end - range.start;
    let bytes = read(range.clone())?;
    if bytes.len() as u64 == expected {
        Ok(bytes)
    } else {
        Err(format!(
            "reading bytes {}..{} gave {} bytes",
            range.start,
            range.end,
            bytes.len()
        ))
    }
}

/// Reads both magics and the footer; `Ok(None)` when the file is too short
/// or they are not parquet's.
pub(super) fn read_footer(
    length: u64,
    read: &mut impl FnMut(Range<u64>) -> Result<Vec<u8>, String>,
) -> Result<Option<SparseFile>, String> {
    if length < MAGIC_LENGTH + TAIL_LENGTH {
        return Ok(None);
    }
    let mut sparse = SparseFile::new(length);
    let head = read_exactly(read, 0..MAGIC_LENGTH)?;
    let tail = read_exactly(read, length - TAIL_LENGTH..length)?;
    let mut metadata_length = [0u8; 4];
    if head != b"PAR1" || tail.len() != 8 || &tail[4..] != b"PAR1" {
        return Ok(None);
    }
    metadata_length.copy_from_slice(&tail[..4]);
    let metadata_length = u64::from(u32::from_le_bytes(metadata_length));
    let Some(metadata_start) = (length - TAIL_LENGTH)
        .checked_sub(metadata_length)
        .filter(|&start| start >= MAGIC_LENGTH)
    else {
        return Ok(None);
    };
    let metadata = read_exactly(read, metadata_start..length - TAIL_LENGTH)?;
    sparse.data_end = metadata_start;
    sparse.add(0, head);
    sparse.add(metadata_start, metadata);
    sparse.add(length - TAIL_LENGTH, tail);
    Ok(Some(sparse))
}

/// The byte ranges of the needed column chunks, from the footer held by
/// `footer`; `None` when the footer or the layout will not do.
fn column_ranges(file: &str, footer: &SparseFile) -> Option<Vec<Range<u64>>> {
    let plan =
        contain_reader_panics(file, || {
            let metadata = ArrowReaderMetadata::load(footer, ArrowReaderOptions::default())
                .map_err(|error| super::IngestError::Corrupt {
                    file: file.to_string(),
                    detail: error.to_string(),
                })?;
            // A layout fink-vra does not read: the footer alone gives the error.
            let Ok(layout) = detect_layout(metadata.schema(), file) else {
                return Ok(Vec::new());
            };
            let leaves = needed_leaves(layout, metadata.parquet_schema());
            let mut ranges: Vec<Range<u64>> = Vec::new();
            for row_group in metadata.metadata().row_groups() {
                for &leaf in &leaves {
                    let (start, length) = row_group.column(leaf).byte_range();
                    ranges.push(start..start.saturating_add(length));
                }
            }
            Ok(ranges)
        })
        .ok()?;
    let end = footer.len() - TAIL_LENGTH;
    if plan
        .iter()
        .any(|range| range.start < MAGIC_LENGTH || range.end > end)
    {
        return None;
    }
    Some(coalesce(plan, end))
}

/// Sorts ranges and merges those that overlap or lie within
/// [`COALESCE_GAP`] of each other; the merged pieces end at `end` at most.
fn coalesce(mut ranges: Vec<Range<u64>>, end: u64) -> Vec<Range<u64>> {
    ranges.sort_by_key(|range| range.start);
    let mut merged: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for range in ranges.into_iter().filter(|range| !range.is_empty()) {
        match merged.last_mut() {
            Some(last) if range.start <= last.end.saturating_add(COALESCE_GAP) => {
                last.end = last.end.max(range.end).min(end);
            }
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::{read_alerts, read_alerts_from_bytes};
    use std::io::Read;

    /// Reads a piece back, for tests of what was read.
    fn read_all(reader: &mut impl Read) -> Vec<u8> {
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("in memory");
        out
    }

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
    }

    /// `read_needed` over a byte slice, counting the bytes it asked for.
    fn sparse_of(bytes: &[u8]) -> (Option<SparseFile>, u64) {
        let mut asked = 0;
        let sparse = read_needed("f", bytes.len() as u64, |range| {
            asked += range.end - range.start;
            bytes
                .get(range.start as usize..range.end as usize)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| "out of range".to_string())
        })
        .expect("reads");
        (sparse, asked)
    }

    #[test]
    fn only_a_fraction_of_a_file_with_cutouts_is_read_and_the_alerts_are_the_same() {
        for path in [
            "assets/sample/lsst_v7_1_simulated_50alerts.parquet",
            "assets/sample/lsst_v10_fink_27alerts.parquet",
            "tests/fixtures/raw/ztf_schema402_10alerts.parquet",
        ] {
            let bytes = fixture(path);
            let (sparse, asked) = sparse_of(&bytes);
            let sparse = sparse.expect("a plan");
            assert!(
                asked * 4 < bytes.len() as u64,
                "{path}: {asked} of {} bytes",
                bytes.len()
            );
            assert_eq!(sparse.bytes_held(), asked);
            let whole = read_alerts_from_bytes("f", bytes).expect("reads");
            let from_sparse = read_alerts("f", sparse).expect("reads");
            assert_eq!(format!("{whole:?}"), format!("{from_sparse:?}"), "{path}");
        }
    }

    #[test]
    fn without_a_plan_the_whole_file_is_read_and_errors_read_as_before() {
        let bytes = fixture("tests/fixtures/raw/ztf_schema402_10alerts.parquet");
        for broken in [
            Vec::new(),
            b"PAR1 too short".to_vec(),
            b"not parquet at all, but long enough to have a tail".to_vec(),
            bytes[..bytes.len() / 2].to_vec(),
        ] {
            assert!(sparse_of(&broken).0.is_none(), "{} bytes", broken.len());
        }
        // A footer that claims more metadata than the file holds.
        let mut lying = bytes.clone();
        let at = lying.len() - 8;
        lying[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(sparse_of(&lying).0.is_none());
    }

    #[test]
    fn a_request_outside_what_was_read_is_an_error_not_a_panic() {
        let mut sparse = SparseFile::new(100);
        sparse.add(10, vec![1, 2, 3]);
        assert_eq!(
            sparse.get_bytes(11, 2).expect("held"),
            Bytes::from(vec![2, 3])
        );
        assert_eq!(
            read_all(&mut sparse.get_read(10).expect("held")),
            vec![1, 2, 3]
        );
        assert!(sparse.get_bytes(11, 5).is_err());
        assert!(sparse.get_bytes(0, 1).is_err());
        assert!(sparse.get_read(50).is_err());
    }

    /// Found in review: pieces read in two passes can overlap, and the
    /// lookup took the last one that starts before an offset, not one that
    /// holds the bytes.
    #[test]
    fn bytes_inside_an_earlier_longer_piece_are_found() {
        let file: Vec<u8> = (0..100).collect();
        let mut sparse = SparseFile::new(1000);
        sparse.add(0, file.clone());
        sparse.add(10, file[10..15].to_vec());
        assert_eq!(sparse.get_bytes(50, 10).expect("held"), &file[50..60]);
        assert_eq!(sparse.get_bytes(11, 2).expect("held"), &file[11..13]);
        assert!(!sparse.missed().load(Ordering::Relaxed));
        assert!(sparse.get_bytes(99, 5).is_err());
        assert!(sparse.missed().load(Ordering::Relaxed), "a miss is told");
    }

    #[test]
    fn a_short_read_is_an_error_and_an_unknown_layout_needs_the_footer_only() {
        let bytes = fixture("tests/fixtures/raw/ztf_schema402_10alerts.parquet");
        let short = read_needed("f", bytes.len() as u64, |range| {
            Ok(bytes[range.start as usize..range.end as usize - 1].to_vec())
        });
        assert!(short.is_err());
        // A parquet file of another kind: only its footer is read, and the
        // error is the one the whole file gives.
        let table = crate::core::labels::exchange::LSST_CSV_HEADER;
        let other = {
            use arrow_array::{ArrayRef, RecordBatch, StringArray};
            let column: ArrayRef = std::sync::Arc::new(StringArray::from(vec![table; 3]));
            let batch = RecordBatch::try_from_iter([("text", column)]).expect("batch");
            let mut out = Vec::new();
            let mut writer =
                parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).expect("w");
            writer.write(&batch).expect("write");
            writer.close().expect("close");
            out
        };
        let (sparse, asked) = sparse_of(&other);
        let sparse = sparse.expect("a plan");
        assert!(asked < other.len() as u64);
        assert_eq!(
            read_alerts("f", sparse).expect_err("not alerts"),
            read_alerts_from_bytes("f", other).expect_err("not alerts")
        );
    }

    #[test]
    fn nearby_ranges_are_read_in_one_piece() {
        let merged = coalesce(
            vec![100..200, 0..10, 150..300, 10_000_000..10_000_100],
            20_000_000,
        );
        assert_eq!(merged, vec![0..300, 10_000_000..10_000_100]);
    }
}
