//! Bad input gives a typed error or a reported skip, and never a panic.

mod common;

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{
    new_null_array, ArrayRef, Float32Array, Float64Array, Int32Array, Int64Array, StringArray,
    StructArray,
};
use arrow_schema::{DataType, Field, Fields};
use bytes::Bytes;

use common::{fixture, load_set_with_summaries, write_parquet};
use fink_vra::core::alert::Candid;
use fink_vra::core::features::{compute_feature_table, LcFeatureSource};
use fink_vra::core::ingest::{read_alerts_from_bytes, IngestError, Layout, SkipReason};

/// One row of a hand-made clean-layout file.
struct CleanRow {
    candid: i64,
    mjd: Option<Vec<Option<f64>>>,
    mag: Option<Vec<Option<f64>>>,
    fid: Option<Vec<Option<i64>>>,
    isdiffpos: Option<Vec<Option<&'static str>>>,
}

impl CleanRow {
    /// A row whose light curve has `magnitudes.len()` positive detections in g.
    fn detections(candid: i64, magnitudes: &[f64]) -> CleanRow {
        let count = magnitudes.len();
        CleanRow {
            candid,
            mjd: Some((0..count).map(|day| Some(60000.0 + day as f64)).collect()),
            mag: Some(magnitudes.iter().map(|&m| Some(m)).collect()),
            fid: Some(vec![Some(1); count]),
            isdiffpos: Some(vec![Some("t"); count]),
        }
    }
}

fn float_lists(
    rows: &[CleanRow],
    pick: impl Fn(&CleanRow) -> &Option<Vec<Option<f64>>>,
) -> ArrayRef {
    let mut builder = ListBuilder::new(Float64Builder::new());
    for row in rows {
        builder.append_option(pick(row).clone());
    }
    Arc::new(builder.finish())
}

/// Columns of a clean-layout file; tests remove or replace some.
fn clean_columns(rows: &[CleanRow]) -> Vec<(&'static str, ArrayRef)> {
    let count = rows.len();
    let mut fid = ListBuilder::new(Int64Builder::new());
    let mut isdiffpos = ListBuilder::new(StringBuilder::new());
    for row in rows {
        fid.append_option(row.fid.clone());
        isdiffpos.append_option(row.isdiffpos.clone());
    }
    vec![
        (
            "candid",
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|row| row.candid),
            )),
        ),
        (
            "objectId",
            Arc::new(StringArray::from_iter_values(
                (0..count).map(|_| "ZTF25aaaaaaa"),
            )),
        ),
        ("ra", Arc::new(Float64Array::from(vec![150.0; count]))),
        ("dec", Arc::new(Float64Array::from(vec![20.0; count]))),
        ("drb", Arc::new(Float64Array::from(vec![0.9; count]))),
        ("mjd", float_lists(rows, |row| &row.mjd)),
        ("mag", float_lists(rows, |row| &row.mag)),
        ("fid", Arc::new(fid.finish())),
        ("isdiffpos", Arc::new(isdiffpos.finish())),
        (
            "sep_arcsec",
            Arc::new(StringArray::from_iter_values((0..count).map(|_| "nan"))),
        ),
    ]
}

fn read(bytes: Bytes) -> Result<fink_vra::core::ingest::ParsedFile, IngestError> {
    read_alerts_from_bytes("test.parquet", bytes)
}

#[test]
fn non_parquet_file_is_refused_as_not_parquet() {
    let error = read(Bytes::from_static(b"candid,objectId\n1,ZTF25aaaaaaa\n")).unwrap_err();
    assert!(
        matches!(error, IngestError::NotParquet { ref file, .. } if file == "test.parquet"),
        "{error:?}"
    );
}

#[test]
fn empty_file_is_refused_as_empty() {
    assert_eq!(
        read(Bytes::new()).unwrap_err(),
        IngestError::EmptyFile {
            file: "test.parquet".into()
        }
    );
}

#[test]
fn truncated_parquet_is_refused_as_corrupt() {
    let bytes = std::fs::read(fixture("raw/ztf_schema402_10alerts.parquet")).expect("fixture");
    let error = read(Bytes::from(bytes[..bytes.len() / 2].to_vec())).unwrap_err();
    assert!(matches!(error, IngestError::Corrupt { .. }), "{error:?}");
}

#[test]
fn every_truncation_and_corrupted_byte_gives_an_error_or_alerts_never_a_panic() {
    let bytes = std::fs::read(fixture(
        "clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet",
    ))
    .expect("fixture");
    let intact = read(Bytes::from(bytes.clone())).expect("the intact file reads");
    // A cut file has lost its footer: always a typed error, never alerts.
    for cut in (0..bytes.len()).step_by(997) {
        let error = read(Bytes::from(bytes[..cut].to_vec())).unwrap_err();
        assert!(
            matches!(
                error,
                IngestError::EmptyFile { .. }
                    | IngestError::NotParquet { .. }
                    | IngestError::Corrupt { .. }
            ),
            "cut at {cut}: {error:?}"
        );
    }
    // A flipped byte is an error naming the file, or a file whose every
    // alert is accounted for: read or skipped, and never more than it holds.
    let (mut refused, mut read_anyway) = (0, 0);
    for position in (4..bytes.len() - 4).step_by(211) {
        let mut corrupted = bytes.clone();
        corrupted[position] ^= 0x5a;
        match read(Bytes::from(corrupted)) {
            Err(error) => {
                assert!(error.to_string().contains("test.parquet"), "{error}");
                refused += 1;
            }
            Ok(parsed) => {
                assert_eq!(
                    parsed.alerts.len() + parsed.skipped.len(),
                    parsed.rows,
                    "byte {position}"
                );
                assert!(
                    parsed.rows <= intact.rows,
                    "byte {position}: {} rows",
                    parsed.rows
                );
                read_anyway += 1;
            }
        }
    }
    assert!(
        refused > 0 && read_anyway > 0,
        "{refused} refused, {read_anyway} read"
    );
}

#[test]
fn zero_rows_read_as_a_file_with_no_alerts() {
    let parsed = read(write_parquet(clean_columns(&[]))).expect("an empty poll is a valid file");
    assert_eq!(
        (parsed.layout, parsed.rows, parsed.alerts.len()),
        (Layout::FinkvraClean, 0, 0)
    );
}

#[test]
fn zero_rows_still_have_their_columns_checked() {
    let mut columns = clean_columns(&[]);
    columns.retain(|(name, _)| *name != "ra");
    let error = read(write_parquet(columns)).unwrap_err();
    assert_eq!(
        error,
        IngestError::MissingColumn {
            file: "test.parquet".into(),
            column: "ra".into()
        }
    );
}

#[test]
fn missing_required_column_names_the_file_and_column() {
    let mut columns = clean_columns(&[CleanRow::detections(1, &[18.0])]);
    columns.retain(|(name, _)| *name != "isdiffpos");
    let error = read(write_parquet(columns)).unwrap_err();
    assert_eq!(
        error,
        IngestError::MissingColumn {
            file: "test.parquet".into(),
            column: "isdiffpos".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "test.parquet: required column `isdiffpos` is missing"
    );
}

#[test]
fn file_of_neither_layout_is_refused() {
    let columns = vec![("candid", Arc::new(Int64Array::from(vec![1])) as ArrayRef)];
    assert_eq!(
        read(write_parquet(columns)).unwrap_err(),
        IngestError::UnknownLayout {
            file: "test.parquet".into()
        }
    );
}

#[test]
fn ra_as_a_string_is_a_wrong_type_error() {
    let mut columns = clean_columns(&[CleanRow::detections(1, &[18.0])]);
    columns[2] = ("ra", Arc::new(StringArray::from(vec!["150.0"])));
    let error = read(write_parquet(columns)).unwrap_err();
    assert!(
        matches!(&error, IngestError::WrongType { column, expected, .. } if column == "ra" && expected == "a number"),
        "{error:?}"
    );
}

#[test]
fn candid_as_a_float_is_a_wrong_type_error() {
    // A candid that went through a float has lost digits: refuse it.
    let mut columns = clean_columns(&[CleanRow::detections(1, &[18.0])]);
    columns[0] = ("candid", Arc::new(Float64Array::from(vec![1.0])));
    let error = read(write_parquet(columns)).unwrap_err();
    assert!(
        matches!(&error, IngestError::WrongType { column, .. } if column == "candid"),
        "{error:?}"
    );
}

#[test]
fn all_null_lists_skip_the_alert_and_keep_the_others() {
    let null_lists = CleanRow {
        candid: 2,
        mjd: None,
        mag: None,
        fid: None,
        isdiffpos: None,
    };
    let null_elements = CleanRow {
        candid: 3,
        mjd: Some(vec![None, None]),
        mag: Some(vec![None, None]),
        fid: Some(vec![None, None]),
        isdiffpos: Some(vec![None, None]),
    };
    let parsed = read(write_parquet(clean_columns(&[
        CleanRow::detections(1, &[18.0]),
        null_lists,
        null_elements,
    ])))
    .expect("file still loads");
    assert_eq!(
        parsed
            .alerts
            .iter()
            .map(|alert| alert.candid())
            .collect::<Vec<_>>(),
        vec![Candid(1)]
    );
    assert_eq!(parsed.skipped.len(), 2);
    assert!(parsed
        .skipped
        .iter()
        .all(|skip| skip.reason == SkipReason::MissingCandidate));
    assert_eq!(parsed.skipped[0].row, 1);
}

#[test]
fn lists_of_different_lengths_skip_the_alert() {
    let mut row = CleanRow::detections(1, &[18.0, 18.5]);
    row.fid = Some(vec![Some(1)]);
    let parsed = read(write_parquet(clean_columns(&[row]))).expect("file still loads");
    assert_eq!(
        parsed.skipped[0].reason,
        SkipReason::LightCurveListsDiffer {
            column: "fid".to_string()
        }
    );
}

#[test]
fn nan_and_infinite_magnitudes_are_treated_as_missing() {
    let row = CleanRow::detections(1, &[18.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 19.0]);
    let parsed = read(write_parquet(clean_columns(&[row]))).expect("file loads");
    let rows = compute_feature_table(&parsed.alerts, LcFeatureSource::FileOrRecompute);
    let feature = |name| rows[0].get(name).expect("feature exists");
    assert_eq!(feature("ndets"), 2.0);
    assert_eq!(feature("nnondets"), 3.0);
    assert_eq!(feature("dets_median"), 18.5);
    assert!(rows[0].values.iter().all(|value| !value.is_infinite()));
}

#[test]
fn a_light_curve_thousands_of_points_long_is_read_whole() {
    let magnitudes: Vec<f64> = (0..5000)
        .map(|index| 18.0 + (index % 10) as f64 * 0.1)
        .collect();
    let parsed = read(write_parquet(clean_columns(&[CleanRow::detections(
        1,
        &magnitudes,
    )])))
    .expect("file loads");
    assert_eq!(
        parsed.alerts[0]
            .as_ztf()
            .expect("a ZTF alert")
            .light_curve
            .len(),
        5000
    );
    let rows = compute_feature_table(&parsed.alerts, LcFeatureSource::FileOrRecompute);
    assert_eq!(rows[0].get("ndets"), Some(5000.0));
    assert!((rows[0].get("dets_median").expect("feature") - 18.45).abs() < 1e-9);
}

#[test]
fn duplicate_candids_across_files_are_reported_and_kept_once() {
    let file = "raw/ztf_schema402_10alerts.parquet";
    let (set, summaries) = load_set_with_summaries(&[file, file]);
    assert_eq!(set.len(), 10);
    let second = &summaries[1];
    assert_eq!(
        (second.rows, second.alerts_added, second.duplicates.len()),
        (10, 0, 10)
    );
    assert!(second
        .duplicates
        .iter()
        .all(|duplicate| duplicate.first_seen_in == file));
}

#[test]
fn the_same_alerts_in_both_layouts_are_duplicates() {
    let (set, summaries) = load_set_with_summaries(&[
        "raw/ztf_schema402_10alerts.parquet",
        "clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet",
    ]);
    assert_eq!((set.len(), summaries[1].duplicates.len()), (10, 10));
}

/// A full-schema file of one alert whose `prv_candidates` is `history`
/// (`None`: no such column).
fn full_schema_file(history: Option<ArrayRef>) -> Bytes {
    full_schema_file_without(history, "")
}

/// Like [`full_schema_file`], with the candidate field `omitted` left out.
fn full_schema_file_without(history: Option<ArrayRef>, omitted: &str) -> Bytes {
    let candidate_fields: Vec<(Arc<Field>, ArrayRef)> = vec![
        (
            Arc::new(Field::new("jd", DataType::Float64, true)),
            Arc::new(Float64Array::from(vec![2_460_000.5])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("fid", DataType::Int32, true)),
            Arc::new(Int32Array::from(vec![2])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("magpsf", DataType::Float32, true)),
            Arc::new(Float32Array::from(vec![19.5])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("sigmapsf", DataType::Float32, true)),
            Arc::new(Float32Array::from(vec![0.1])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("diffmaglim", DataType::Float32, true)),
            Arc::new(Float32Array::from(vec![20.5])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("isdiffpos", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["1"])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("ra", DataType::Float64, true)),
            Arc::new(Float64Array::from(vec![10.0])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("dec", DataType::Float64, true)),
            Arc::new(Float64Array::from(vec![-5.0])) as ArrayRef,
        ),
    ]
    .into_iter()
    .filter(|(field, _)| field.name() != omitted)
    .collect();
    let candidate = StructArray::from(candidate_fields);
    let mut columns: Vec<(&'static str, ArrayRef)> = vec![
        ("candid", Arc::new(Int64Array::from(vec![7]))),
        (
            "objectId",
            Arc::new(StringArray::from(vec!["ZTF25aaaaaab"])) as ArrayRef,
        ),
        ("candidate", Arc::new(candidate)),
    ];
    if let Some(history) = history {
        columns.push(("prv_candidates", history));
    }
    write_parquet(columns)
}

#[test]
fn full_schema_file_without_history_column_reads_the_candidate_alone() {
    let parsed = read(full_schema_file(None)).expect("file loads");
    assert_eq!(parsed.layout, Layout::FullFink);
    let alert = parsed.alerts[0].as_ztf().expect("a ZTF alert");
    assert_eq!((alert.light_curve.len(), alert.fink_lc_features), (1, None));
    assert!(
        (alert.light_curve[0].mjd - 60_000.0).abs() < 1e-9,
        "jd is turned into MJD"
    );
    let rows = compute_feature_table(&parsed.alerts, LcFeatureSource::FileOrRecompute);
    assert_eq!(
        (rows[0].get("ndets"), rows[0].get("median_r")),
        (Some(1.0), Some(19.5))
    );
}

#[test]
fn full_schema_null_history_list_reads_the_candidate_alone() {
    let element = Field::new(
        "element",
        DataType::Struct(Fields::from(vec![
            Field::new("jd", DataType::Float64, true),
            Field::new("fid", DataType::Int64, true),
            Field::new("magpsf", DataType::Float64, true),
            Field::new("sigmapsf", DataType::Float64, true),
            Field::new("diffmaglim", DataType::Float64, true),
            Field::new("isdiffpos", DataType::Utf8, true),
        ])),
        true,
    );
    let history = new_null_array(&DataType::List(Arc::new(element)), 1);
    let parsed = read(full_schema_file(Some(history))).expect("file loads");
    assert_eq!(
        parsed.alerts[0]
            .as_ztf()
            .expect("a ZTF alert")
            .light_curve
            .len(),
        1
    );
}

#[test]
fn full_schema_without_a_candidate_field_names_it() {
    let error = read(full_schema_file_without(None, "sigmapsf")).unwrap_err();
    assert_eq!(
        error,
        IngestError::MissingColumn {
            file: "test.parquet".into(),
            column: "candidate.sigmapsf".into()
        }
    );
}
