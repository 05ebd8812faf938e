//! Bad LSST input gives a typed error naming the file and column, or a
//! reported skip, never a panic; the CLI refuses files of two surveys.

mod common;

use std::sync::Arc;

use arrow_array::{
    new_null_array, ArrayRef, BinaryArray, Float32Array, Float64Array, Int64Array, StringArray,
    StructArray,
};
use arrow_schema::{DataType, Field};
use bytes::Bytes;

use common::{fixture, run_cli as cli, write_parquet};
use fink_vra::core::alert::Candid;
use fink_vra::core::ingest::{
    read_alerts_from_bytes, read_stamps, IngestError, Layout, LsstSchema, SkipReason,
};

/// The `diaSource` fields of a hand-made two-row LSST file; `omit` leaves one
/// out, `replace` swaps one for another array.
fn dia_source(omit: Option<&str>, replace: Option<(&str, ArrayRef)>) -> ArrayRef {
    let mut fields: Vec<(&str, ArrayRef)> = vec![
        ("diaSourceId", Arc::new(Int64Array::from(vec![10, 11]))),
        ("diaObjectId", Arc::new(Int64Array::from(vec![20, 0]))),
        (
            "midpointMjdTai",
            Arc::new(Float64Array::from(vec![61000.5, 61001.5])),
        ),
        ("ra", Arc::new(Float64Array::from(vec![Some(150.0), None]))),
        ("dec", Arc::new(Float64Array::from(vec![2.0, 2.1]))),
        ("band", Arc::new(StringArray::from(vec!["g", "r"]))),
        (
            "psfFlux",
            Arc::new(Float32Array::from(vec![1500.0, -300.0])),
        ),
        ("psfFluxErr", Arc::new(Float32Array::from(vec![50.0, 40.0]))),
        ("snr", Arc::new(Float32Array::from(vec![30.0, 7.5]))),
    ];
    fields.retain(|(name, _)| Some(*name) != omit);
    if let Some((name, array)) = replace {
        for field in &mut fields {
            if field.0 == name {
                field.1 = array.clone();
            }
        }
    }
    let children: Vec<(Arc<Field>, ArrayRef)> = fields
        .into_iter()
        .map(|(name, array)| {
            (
                Arc::new(Field::new(name, array.data_type().clone(), true)),
                array,
            )
        })
        .collect();
    Arc::new(StructArray::from(children))
}

fn lsst_file(id: ArrayRef, source: ArrayRef) -> Bytes {
    write_parquet(vec![("diaSourceId", id), ("diaSource", source)])
}

fn ids() -> ArrayRef {
    Arc::new(Int64Array::from(vec![10, 11]))
}

fn read(bytes: Bytes) -> Result<fink_vra::core::ingest::ParsedFile, IngestError> {
    read_alerts_from_bytes("lsst.parquet", bytes)
}

#[test]
fn a_minimal_lsst_file_reads_and_a_row_without_coordinates_is_skipped() {
    let parsed = read(lsst_file(ids(), dia_source(None, None))).expect("reads");
    assert_eq!(parsed.layout, Layout::Lsst(LsstSchema::Other));
    assert_eq!(parsed.alerts.len(), 1);
    assert_eq!(parsed.skipped.len(), 1);
    assert!(matches!(
        parsed.skipped[0].reason,
        SkipReason::InvalidCoordinates { .. }
    ));
}

/// Found in review: pandas types a column whose values are all null as
/// `null`; a poll without solar-system alerts has `ssObjectId` so typed.
#[test]
fn a_null_typed_ss_object_id_as_pandas_writes_it_is_no_solar_system_object() {
    let null_column = new_null_array(&DataType::Null, 2);
    let bytes = lsst_file(ids(), dia_source(None, Some(("snr", null_column.clone()))));
    assert!(read(bytes).is_ok(), "a null-typed optional float reads");
    let mut source = dia_source(None, None);
    let struct_array = source
        .as_any()
        .downcast_ref::<StructArray>()
        .expect("a struct");
    let (fields, columns, nulls) = struct_array.clone().into_parts();
    let mut fields: Vec<Arc<Field>> = fields.iter().cloned().collect();
    let mut columns = columns;
    fields.push(Arc::new(Field::new("ssObjectId", DataType::Null, true)));
    columns.push(null_column);
    source = Arc::new(StructArray::new(fields.into(), columns, nulls));
    let parsed = read(lsst_file(ids(), source)).expect("reads");
    assert_eq!(parsed.alerts.len(), 1);
    assert!(!parsed.alerts[0].is_solar_system());
}

/// Found in review: a file with the id only inside `diaSource` loaded, but
/// its stamps were looked up by a top-level id that it does not have.
#[test]
fn stamps_are_found_by_dia_source_dia_source_id_when_there_is_no_top_level_id() {
    let stamp: ArrayRef = Arc::new(BinaryArray::from(vec![
        &b"SIMPLE  = T first"[..],
        b"SIMPLE  = T second",
    ]));
    let bytes = write_parquet(vec![
        ("diaSource", dia_source(None, None)),
        ("cutoutScience", stamp),
    ]);
    let parsed = read(bytes.clone()).expect("reads");
    assert_eq!(parsed.alerts[0].candid(), Candid(10));
    let stamps = read_stamps("lsst.parquet", bytes, Candid(11))
        .expect("readable")
        .expect("the alert is in the file");
    assert_eq!(stamps.science.as_deref(), Some(&b"SIMPLE  = T second"[..]));
    assert_eq!(stamps.template, None);
}

#[test]
fn a_missing_dia_source_psf_flux_names_the_file_and_column() {
    let error = read(lsst_file(ids(), dia_source(Some("psfFlux"), None))).unwrap_err();
    assert_eq!(
        error,
        IngestError::MissingColumn {
            file: "lsst.parquet".into(),
            column: "diaSource.psfFlux".into()
        }
    );
}

#[test]
fn a_flux_of_the_wrong_type_is_a_wrong_type_error() {
    let text: ArrayRef = Arc::new(StringArray::from(vec!["1500", "-300"]));
    let error = read(lsst_file(ids(), dia_source(None, Some(("psfFlux", text))))).unwrap_err();
    assert!(
        matches!(&error, IngestError::WrongType { column, .. } if column == "diaSource.psfFlux"),
        "{error:?}"
    );
}

#[test]
fn ids_as_strings_or_floats_are_refused_never_rounded() {
    let as_text: ArrayRef = Arc::new(StringArray::from(vec!["10", "11"]));
    let error = read(lsst_file(as_text, dia_source(None, None))).unwrap_err();
    assert!(
        matches!(&error, IngestError::WrongType { column, found, .. }
            if column == "diaSourceId" && found == &DataType::Utf8.to_string()),
        "{error:?}"
    );
    let object_as_float: ArrayRef = Arc::new(Float64Array::from(vec![20.0, 0.0]));
    let error = read(lsst_file(
        ids(),
        dia_source(None, Some(("diaObjectId", object_as_float))),
    ))
    .unwrap_err();
    assert!(
        matches!(&error, IngestError::WrongType { column, .. } if column == "diaSource.diaObjectId"),
        "{error:?}"
    );
}

#[test]
fn a_truncated_lsst_file_is_corrupt() {
    let bytes = std::fs::read(fixture("lsst/lsst_v10_pandas_25alerts.parquet")).expect("fixture");
    for cut in [bytes.len() / 3, bytes.len() - 100] {
        let error = read(Bytes::from(bytes[..cut].to_vec())).unwrap_err();
        assert!(matches!(error, IngestError::Corrupt { .. }), "{error:?}");
    }
}

#[test]
fn the_cli_writes_the_lsst_header_and_refuses_two_surveys_in_one_call() {
    let lsst = fixture("lsst/lsst_v10_pandas_25alerts.parquet")
        .display()
        .to_string();
    let ztf = fixture("raw/ztf_schema402_10alerts.parquet")
        .display()
        .to_string();
    let alone = cli(&["features", &lsst]);
    assert!(alone.status.success());
    let text = String::from_utf8(alone.stdout).expect("utf-8");
    assert!(text.starts_with("diaSourceId,diaObjectId,ra,dec,reliability,snr,ndets,nnegdets,"));
    assert_eq!(text.lines().count(), 26);
    let golden = std::fs::read_to_string(fixture("golden/lsst_v10_pandas_25alerts.features.csv"))
        .expect("golden");
    assert_eq!(text, golden, "the CLI still writes the golden table");

    let mixed = cli(&["features", &ztf, &lsst]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(mixed.stdout.is_empty(), "nothing written");
    let message = String::from_utf8(mixed.stderr).expect("utf-8");
    assert!(
        message.contains("mix two surveys")
            && message.contains("is ZTF")
            && message.contains("is Rubin/LSST"),
        "{message}"
    );
}
