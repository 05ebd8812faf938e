//! The `fink-vra features` command: CSV on stdout (or whole to `--out`),
//! problems on stderr (a folder or a missing file each in a sentence of its
//! own, duplicates in one line), nothing written when a file cannot be read,
//! exit code.

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

/// A file that is not parquet, for the tests below; removed by the caller.
fn bogus_file(name: &str) -> std::path::PathBuf {
    let bogus = std::env::temp_dir().join(format!(
        "fink-vra-cli-test-{}-{name}.parquet",
        std::process::id()
    ));
    std::fs::write(&bogus, b"not parquet").expect("temp file");
    bogus
}

#[test]
fn an_unreadable_file_among_good_ones_writes_nothing_instead_of_a_partial_table() {
    let bogus = bogus_file("partial");
    let output = features(&[
        &path("raw/ztf_schema402_10alerts.parquet"),
        &bogus.display().to_string(),
    ]);
    std::fs::remove_file(&bogus).ok();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "not even the header");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a parquet file"), "{stderr}");
    assert!(
        stderr.contains(
            "1 of 2 file(s) cannot be read, so nothing was written \
             (--skip-bad-files leaves them out)"
        ),
        "{stderr}"
    );
}

#[test]
fn skip_bad_files_writes_the_readable_files_and_counts_the_others() {
    let bogus = bogus_file("skip");
    let output = features(&[
        "--skip-bad-files",
        &path("raw/ztf_schema402_10alerts.parquet"),
        &bogus.display().to_string(),
    ]);
    std::fs::remove_file(&bogus).ok();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().count(),
        11,
        "header + 10 rows"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("skipped: "), "{stderr}");
    assert!(
        stderr.contains("1 of 2 file(s) could not be read and were left out"),
        "{stderr}"
    );
}

#[test]
fn out_is_written_whole_or_not_at_all_when_a_file_breaks_while_read() {
    // Its footer reads, its data does not: found only once its rows are read.
    let broken = path("fuzz-crashes/parquet_dictionary_page_missing.parquet");
    let good = path("raw/ztf_schema402_10alerts.parquet");
    let folder = std::env::temp_dir().join(format!("fink-vra-cli-out-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp dir");
    let out = folder.join("features.csv");
    let failed = features(&["--out", &out.display().to_string(), &good, &broken]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(
        !String::from_utf8_lossy(&failed.stderr).contains("so nothing was written"),
        "the footers read: the file broke while its rows were read, after --out began"
    );
    let left: Vec<_> = std::fs::read_dir(&folder).expect("lists").collect();
    assert!(
        left.is_empty(),
        "no file, not even a temporary one: {left:?}"
    );
    let written = features(&["--out", &out.display().to_string(), &good]);
    assert!(written.status.success());
    assert!(written.stdout.is_empty(), "the table went to the file");
    let text = std::fs::read_to_string(&out).expect("written");
    assert_eq!(text.lines().count(), 11);
    assert_eq!(
        text,
        String::from_utf8_lossy(&features(&[&good]).stdout),
        "the same table as on stdout"
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_reader_that_goes_away_like_head_ends_the_command_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(["features", &path("raw/ztf_hostless_72alerts.parquet")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the CLI runs");
    drop(child.stdout.take()); // the reader closes the pipe before reading
    let output = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn duplicates_make_one_summary_line_and_verbose_lists_each() {
    let file = path("raw/ztf_schema402_10alerts.parquet");
    let output = features(&[&file, &file]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 11);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "duplicates: 10 alert ids read again were kept once (the first copy); first: alert id "
        ),
        "{stderr}"
    );
    assert!(stderr.contains("(--verbose lists them)"), "{stderr}");
    let verbose = features(&["--verbose", &file, &file]);
    assert_eq!(
        String::from_utf8_lossy(&verbose.stderr)
            .matches("duplicate: ")
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
