//! Every fixture file reproduces its reference feature table row for row
//! (`../shared/fixtures/expected`, copied into `tests/fixtures/expected`).

mod common;

use common::{close, load_set, ExpectedTable};
use fink_vra::core::features::{
    compute_feature_table, LcFeatureSource, ZTF_FEATURE_NAMES as FEATURE_NAMES,
};

const RELATIVE_TOLERANCE: f64 = 1e-9;

/// Columns that are Fink's light-curve features (empty in the reference of
/// files without `lc_features`, because there they are recomputed).
fn is_fink_lc_column(name: &str) -> bool {
    name.ends_with("_g") || name.ends_with("_r")
}

fn check(files: &[&str], expected: &str, skip_fink_lc_columns: bool) {
    let set = load_set(files);
    let rows = compute_feature_table(set.alerts(), LcFeatureSource::FileOrRecompute);
    let table = ExpectedTable::read(expected);
    assert_eq!(rows.len(), table.rows.len(), "{expected}: row count");
    let candid_column = table.column("candid");
    let object_column = table.column("objectId");
    let mut mismatches = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(
            row.candid.to_string(),
            table.rows[index][candid_column],
            "{expected}: candid of row {index}"
        );
        assert_eq!(
            row.object_id, table.rows[index][object_column],
            "{expected}: objectId of row {index}"
        );
        for (feature, name) in FEATURE_NAMES.iter().enumerate() {
            if skip_fink_lc_columns && is_fink_lc_column(name) {
                continue;
            }
            let reference = if *name == "ebv" { "ebv_nearest" } else { name };
            let want = table.number(index, table.column(reference));
            let got = row.values[feature];
            if !close(got, want, RELATIVE_TOLERANCE) {
                mismatches.push(format!(
                    "row {index} ({}) {name}: got {got}, want {want}",
                    row.candid
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{expected}: {} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn raw_schema402_matches_reference() {
    check(
        &["raw/ztf_schema402_10alerts.parquet"],
        "expected/ztf_schema402_10alerts.raw_features.csv",
        false,
    );
}

#[test]
fn raw_hostless_matches_reference() {
    check(
        &["raw/ztf_hostless_72alerts.parquet"],
        "expected/ztf_hostless_72alerts.raw_features.csv",
        false,
    );
}

#[test]
fn raw_datatest_without_lc_features_matches_reference_outside_fink_columns() {
    check(
        &["raw/ztf_datatest_67alerts_no_lcfeatures.parquet"],
        "expected/ztf_datatest_67alerts_no_lcfeatures.raw_features.csv",
        true,
    );
}

#[test]
fn clean_schema402_matches_reference() {
    check(
        &["clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet"],
        "expected/ztf_schema402_10alerts.clean_features.csv",
        false,
    );
}

#[test]
fn clean_hostless_files_in_name_order_match_reference() {
    check(
        &[
            "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
            "clean/20250603_110102_alerts_ztf_hostless_72alerts.parquet",
            "clean/20250604_120102_alerts_ztf_hostless_72alerts.parquet",
        ],
        "expected/ztf_hostless_72alerts.clean_features.csv",
        false,
    );
}
