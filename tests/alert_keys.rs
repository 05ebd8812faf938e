//! The alert keys the core names for a Spark stream (its id and time
//! columns) are, in every layout of the fixtures, fields of the read schema
//! and hold, row for row, the id and time of the alert the core reads.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use common::{fixture, parse_fixture};
use fink_vra::core::ingest::{alert_keys, schema_read, TimeScale, MJD_ZERO_JD};

const FILES: [&str; 8] = [
    "raw/ztf_hostless_72alerts.parquet",
    "raw/ztf_datatest_67alerts_no_lcfeatures.parquet",
    "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
    "clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet",
    "lsst/lsst_v10_pandas_25alerts.parquet",
    "lsst/lsst_v10_fink_27alerts_ssSource_every_row.parquet",
    "../../assets/sample/lsst_v7_1_simulated_50alerts.parquet",
    "../../assets/sample/lsst_v10_fink_27alerts.parquet",
];

fn batch_of(relative: &str) -> RecordBatch {
    let file = std::fs::File::open(fixture(relative)).expect("fixture");
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet")
        .with_batch_size(1 << 20)
        .build()
        .expect("reader");
    reader.next().expect("a batch").expect("readable")
}

/// The column at `path` (a top-level column, then struct fields).
fn column_at(batch: &RecordBatch, path: &[&str]) -> ArrayRef {
    let mut column = batch
        .column_by_name(path[0])
        .expect("top-level column")
        .clone();
    for field in &path[1..] {
        column = column
            .as_struct()
            .column_by_name(field)
            .expect("struct field")
            .clone();
    }
    column
}

fn integer(column: &ArrayRef, row: usize) -> Option<u64> {
    if column.is_null(row) {
        return None;
    }
    match column.data_type() {
        DataType::Int64 => Some(column.as_primitive::<Int64Type>().value(row) as u64),
        DataType::UInt64 => Some(column.as_primitive::<UInt64Type>().value(row)),
        other => panic!("alert id of type {other}"),
    }
}

fn float(column: &ArrayRef, row: usize) -> Option<f64> {
    if column.is_null(row) {
        return None;
    }
    match column.data_type() {
        DataType::Float64 => Some(column.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => Some(f64::from(column.as_primitive::<Float32Type>().value(row))),
        other => panic!("alert time of type {other}"),
    }
}

#[test]
fn the_keys_are_the_id_and_time_of_each_alert_the_core_reads() {
    for relative in FILES {
        let batch = batch_of(relative);
        let keys = alert_keys(&batch.schema()).expect("a layout the core reads");
        let read_schema = schema_read(&batch.schema()).expect("a layout the core reads");
        assert!(
            read_schema.field_with_name(keys.alert_id[0]).is_ok(),
            "{relative}: id read"
        );
        assert!(
            read_schema.field_with_name(keys.time[0]).is_ok(),
            "{relative}: time read"
        );
        let ids = column_at(&batch, &keys.alert_id);
        let mut times = column_at(&batch, &keys.time);
        if keys.time_is_first_of_list {
            let lists = times.as_list::<i32>();
            let firsts: Vec<Option<f64>> = (0..lists.len())
                .map(|row| {
                    let values = lists.value(row);
                    (lists.is_valid(row) && !values.is_empty())
                        .then(|| float(&values, 0))
                        .flatten()
                })
                .collect();
            times = std::sync::Arc::new(arrow_array::Float64Array::from(firsts));
        }
        let parsed = parse_fixture(relative);
        assert!(!parsed.alerts.is_empty(), "{relative}");
        let skipped: Vec<usize> = parsed.skipped.iter().map(|skip| skip.row).collect();
        let read_rows = (0..batch.num_rows()).filter(|row| !skipped.contains(row));
        for (row, alert) in read_rows.zip(&parsed.alerts) {
            assert_eq!(
                integer(&ids, row),
                Some(alert.candid().0),
                "{relative} row {row}"
            );
            let time = float(&times, row).expect("a time");
            let mjd = match keys.time_scale {
                TimeScale::JulianDate => time - MJD_ZERO_JD,
                TimeScale::ModifiedJulianDate => time,
            };
            assert_eq!(Some(mjd), alert.mjd(), "{relative} row {row}");
        }
    }
}
