//! Parquet files whose metadata lies about sizes: never an allocation of what
//! the metadata claims (which would abort the reader) and never a panic; a
//! file whose claimed sizes cannot be read is refused with a clear error.

mod common;

use bytes::Bytes;
use parquet::file::metadata::{
    ColumnChunkMetaDataBuilder, ParquetMetaData, ParquetMetaDataReader, ParquetMetaDataWriter,
    RowGroupMetaDataBuilder,
};

use fink_vra::core::alert::Candid;
use fink_vra::core::ingest::{read_alerts_from_bytes, read_stamps, IngestError};

const FIXTURE: &str = "raw/ztf_schema402_10alerts.parquet";

fn fixture_bytes() -> Vec<u8> {
    std::fs::read(common::fixture(FIXTURE)).expect("fixture")
}

/// The fixture's data pages with its metadata rewritten: every row group
/// through `group`, every column chunk through `column`.
fn with_metadata(
    group: impl Fn(RowGroupMetaDataBuilder) -> RowGroupMetaDataBuilder,
    column: impl Fn(ColumnChunkMetaDataBuilder) -> ColumnChunkMetaDataBuilder,
) -> Bytes {
    let bytes = Bytes::from(fixture_bytes());
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&bytes)
        .expect("the fixture's metadata");
    let row_groups = metadata
        .row_groups()
        .iter()
        .map(|row_group| {
            let columns = row_group
                .columns()
                .iter()
                .map(|chunk| {
                    column(chunk.clone().into_builder())
                        .build()
                        .expect("column metadata")
                })
                .collect();
            group(row_group.clone().into_builder())
                .set_column_metadata(columns)
                .build()
                .expect("row group metadata")
        })
        .collect();
    let lying = ParquetMetaData::new(metadata.file_metadata().clone(), row_groups);
    let footer_length = u32::from_le_bytes(
        bytes[bytes.len() - 8..bytes.len() - 4]
            .try_into()
            .expect("4 bytes"),
    );
    let data_end = bytes.len() - 8 - footer_length as usize;
    let mut out = bytes[..data_end].to_vec();
    ParquetMetaDataWriter::new(&mut out, &lying)
        .finish()
        .expect("metadata writes");
    Bytes::from(out)
}

fn assert_refused(bytes: Bytes) {
    match read_alerts_from_bytes("lying.parquet", bytes.clone()) {
        Err(IngestError::Corrupt { file, .. }) => assert_eq!(file, "lying.parquet"),
        other => panic!("expected a corrupt-file error, got {other:?}"),
    }
    match read_stamps("lying.parquet", bytes, Candid(1)) {
        Err(IngestError::Corrupt { .. }) => {}
        other => panic!("the stamp reader too refuses it, got {other:?}"),
    }
}

#[test]
fn a_footer_that_claims_gigabytes_of_metadata_is_refused() {
    let mut bytes = fixture_bytes();
    let length = bytes.len();
    bytes[length - 8..length - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_refused(Bytes::from(bytes));
}

#[test]
fn column_chunks_that_claim_huge_sizes_are_refused() {
    // A terabyte per column chunk (small enough that the metadata writer's
    // own sums do not overflow).
    let huge = 1_i64 << 40;
    let lying = with_metadata(
        |group| group,
        |column| {
            column
                .set_total_compressed_size(huge)
                .set_total_uncompressed_size(huge)
        },
    );
    assert_refused(lying);
}

#[test]
fn row_and_value_counts_in_the_quintillions_read_only_what_is_there() {
    let lying = with_metadata(
        |group| group.set_num_rows(i64::MAX / 4),
        |column| column.set_num_values(i64::MAX / 4),
    );
    // Nothing is allocated from the counts: the pages are decoded as they
    // come, so the ten real alerts are read and nothing more.
    let parsed = read_alerts_from_bytes("lying.parquet", lying).expect("reads what is there");
    assert_eq!((parsed.rows, parsed.alerts.len()), (10, 10));
}
