//! The `fink-vra features` command: CSV on stdout, problems on stderr (a
//! folder or a missing file each in a sentence of its own), exit code.

mod common;

use std::process::{Command, Output};

use common::{close, fixture, ExpectedTable};

fn features(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .arg("features")
        .args(arguments)
        .output()
        .expect("the CLI runs")
}

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

#[test]
fn features_csv_matches_the_reference_table() {
    let output = features(&[&path("raw/ztf_hostless_72alerts.parquet")]);
    assert!(output.status.success());
    let csv = String::from_utf8(output.stdout).expect("utf-8");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let expected = ExpectedTable::read("expected/ztf_hostless_72alerts.raw_features.csv");
    let mut rows = 0;
    for (index, line) in lines.enumerate() {
        rows += 1;
        let cells: Vec<&str> = line.split(',').collect();
        for (column, name) in header.iter().enumerate().skip(2) {
            let reference = if *name == "ebv" { "ebv_nearest" } else { name };
            let want = expected.number(index, expected.column(reference));
            let got = if cells[column].is_empty() {
                f64::NAN
            } else {
                cells[column].parse().expect("number")
            };
            assert!(
                close(got, want, 1e-9),
                "row {index} {name}: {got} vs {want}"
            );
        }
        assert_eq!(
            cells[0], expected.rows[index][0],
            "candid keeps every digit"
        );
    }
    assert_eq!(rows, 72);
}

#[test]
fn recompute_flag_fills_the_fink_columns_of_clean_and_raw_files() {
    let raw = features(&[
        "--recompute-lc",
        &path("raw/ztf_schema402_10alerts.parquet"),
    ]);
    let from_file = features(&[&path("raw/ztf_schema402_10alerts.parquet")]);
    assert!(raw.status.success() && from_file.status.success());
    let (recomputed, read) = (
        String::from_utf8_lossy(&raw.stdout),
        String::from_utf8_lossy(&from_file.stdout),
    );
    assert_eq!(recomputed.lines().count(), read.lines().count());
    assert_ne!(
        recomputed, read,
        "recomputed values differ in the last digits from Fink's"
    );
}

#[test]
fn unreadable_file_is_reported_and_the_others_still_written() {
    let bogus =
        std::env::temp_dir().join(format!("fink-vra-cli-test-{}.parquet", std::process::id()));
    std::fs::write(&bogus, b"not parquet").expect("temp file");
    let output = features(&[
        &path("raw/ztf_schema402_10alerts.parquet"),
        &bogus.display().to_string(),
    ]);
    std::fs::remove_file(&bogus).ok();
    assert!(!output.status.success(), "exit code is non-zero");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().count(),
        11,
        "header + 10 rows"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a parquet file"), "{stderr}");
    assert!(
        stderr.contains("1 of 2 file(s) could not be read"),
        "{stderr}"
    );
}

#[test]
fn duplicates_across_files_are_reported_on_stderr() {
    let file = path("raw/ztf_schema402_10alerts.parquet");
    let output = features(&[&file, &file]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 11);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr)
            .matches("duplicate:")
            .count(),
        10
    );
}

#[test]
fn missing_file_argument_is_a_usage_error() {
    assert!(!Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .arg("features")
        .output()
        .expect("runs")
        .status
        .success());
}

#[test]
fn cli_output_equals_the_golden_tables_byte_for_byte() {
    for stem in [
        "ztf_schema402_10alerts",
        "ztf_datatest_67alerts_no_lcfeatures",
    ] {
        let output = features(&[&path(&format!("raw/{stem}.parquet"))]);
        let golden =
            std::fs::read(fixture(&format!("golden/{stem}.features.csv"))).expect("golden file");
        assert!(
            output.stdout == golden,
            "{stem}: CLI output differs from tests/fixtures/golden"
        );
    }
}

#[test]
fn a_folder_given_as_an_alert_file_is_called_a_folder_and_a_missing_file_missing() {
    let folder = fixture("raw").display().to_string();
    let output = features(&[&folder]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!(
            "{folder} is a folder, not a parquet file: give the files in it (e.g. {folder}/*.parquet)"
        )),
        "{stderr}"
    );
    let missing = fixture("raw/no_such_alerts.parquet").display().to_string();
    let output = features(&[&missing]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{missing}: no such file")),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
}
