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
//! Whenever the plan cannot be made (too short, not parquet, a footer that
//! does not decode, a layout fink-vra does not read, a range beyond the
//! file's end), [`read_needed`] returns `None` and the caller reads the whole
//! file, so that every error reads exactly as before.
//!
//! [`read_alerts`]: super::read_alerts

use std::ops::Range;

use bytes::{Buf, Bytes};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

use super::{contain_reader_panics, detect_layout, is_needed_leaf};

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
    /// Pieces by start offset, sorted, not overlapping.
    pieces: Vec<(u64, Bytes)>,
}

impl SparseFile {
    /// A file of `length` bytes with nothing read yet.
    pub fn new(length: u64) -> SparseFile {
        SparseFile {
            length,
            pieces: Vec::new(),
        }
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

    /// The bytes from `start` to the end of the piece holding it.
    fn rest_of_piece(&self, start: u64) -> Option<Bytes> {
        let at = self.pieces.partition_point(|(piece, _)| *piece <= start);
        let (piece_start, bytes) = self.pieces.get(at.checked_sub(1)?)?;
        let offset = usize::try_from(start - piece_start).ok()?;
        (offset <= bytes.len()).then(|| bytes.slice(offset..))
    }

    fn missing(start: u64, length: usize) -> ParquetError {
        ParquetError::General(format!(
            "bytes {start}..{} of the file were not read",
            start + length as u64
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
            .ok_or_else(|| SparseFile::missing(start, 0))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.rest_of_piece(start)
            .filter(|rest| rest.len() >= length)
            .map(|rest| rest.slice(..length))
            .ok_or_else(|| SparseFile::missing(start, length))
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
    let head = read(0..MAGIC_LENGTH)?;
    let tail = read(length - TAIL_LENGTH..length)?;
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
    let metadata = read(metadata_start..length - TAIL_LENGTH)?;
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
            let layout = detect_layout(metadata.schema(), file)?;
            let leaves: Vec<usize> = metadata
                .parquet_schema()
                .columns()
                .iter()
                .enumerate()
                .filter(|(_, column)| is_needed_leaf(layout, column.path().parts()))
                .map(|(index, _)| index)
                .collect();
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

    #[test]
    fn nearby_ranges_are_read_in_one_piece() {
        let merged = coalesce(
            vec![100..200, 0..10, 150..300, 10_000_000..10_000_100],
            20_000_000,
        );
        assert_eq!(merged, vec![0..300, 10_000_000..10_000_100]);
    }
}
