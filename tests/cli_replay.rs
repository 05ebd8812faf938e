//! `fink-vra replay` as a scientist meets it: it prints the learning curve,
//! and it refuses what it would otherwise guess (a label of `--map` that the
//! table lacks, label files whose IDs are not the features' rows), and it
//! reads `fink-vra features` output as it is.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::fixture;

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

fn labelled(name: &str) -> String {
    path(&format!("labelled/{name}"))
}

/// `fink-vra replay` on these tables with this mapping, 3 short rounds.
fn replay(train: &str, train_labels: &str, val: &str, val_labels: &str, map: &str) -> Output {
    replay_repeated("1", train, train_labels, val, val_labels, map)
}

/// [`replay`] over `repeats` repeats.
fn replay_repeated(
    repeats: &str,
    train: &str,
    train_labels: &str,
    val: &str,
    val_labels: &str,
    map: &str,
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(["replay", "--train", train, "--train-labels", train_labels])
        .args(["--val", val, "--val-labels", val_labels, "--map", map])
        .args([
            "--initial",
            "10",
            "--batch",
            "10",
            "--rounds",
            "3",
            "--repeats",
            repeats,
        ])
        .output()
        .expect("the CLI runs")
}

/// [`replay_repeated`] on the developers' ATLAS table, galactic task.
fn atlas_replay(repeats: &str) -> Output {
    replay_repeated(
        repeats,
        &labelled("atlas_vra_dayN_X_train.csv"),
        &labelled("atlas_vra_dayN_y_train.csv"),
        &labelled("atlas_vra_dayN_X_val.csv"),
        &labelled("atlas_vra_dayN_y_val.csv"),
        "good=0,galactic=1,pm=1",
    )
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("fink-vra-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("temp file");
        TempFile(path)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn replay_prints_one_row_per_round_and_names_a_bad_column() {
    let output = atlas_replay("1");
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("round,n_labels,val_auc,val_accuracy,val_f1,val_aurak,auc,"),
        "the columns before intervals come first: {}",
        lines[0]
    );
    assert_eq!(lines.len(), 4);
    assert!(lines[3].starts_with("2,30,"));

    let bad = TempFile::new("bad-x.csv", "ID,a,b\n1,2,3\n2,4,text\n");
    let output = replay(
        &bad.path(),
        &labelled("atlas_vra_dayN_y_train.csv"),
        &labelled("atlas_vra_dayN_X_val.csv"),
        &labelled("atlas_vra_dayN_y_val.csv"),
        "good=0,galactic=1,pm=1",
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("column `b`, row 2: `text` is not a number"));
}

#[test]
fn replay_pairs_each_round_with_random_picks_and_gives_intervals_over_the_repeats() {
    let output = atlas_replay("3");
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = String::from_utf8_lossy(&output.stdout);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let rows: Vec<std::collections::HashMap<&str, &str>> = lines
        .map(|line| header.iter().copied().zip(line.split(',')).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let number = |row: &std::collections::HashMap<&str, &str>, column: &str| -> f64 {
        row[column]
            .parse()
            .unwrap_or_else(|_| panic!("{column}: {}", row[column]))
    };
    // Round 0 is the same cold start on both sides: no gain, no spread.
    for column in ["gain_auc", "gain_auc_low", "gain_auc_high", "gain_aurak"] {
        assert_eq!(number(&rows[0], column), 0.0, "{column}");
    }
    for row in &rows {
        assert_eq!(row["val_auc"], row["auc"]);
        assert!(
            number(row, "auc_low") <= number(row, "auc")
                && number(row, "auc") <= number(row, "auc_high")
        );
        let gain = number(row, "auc") - number(row, "random_auc");
        assert!(
            (number(row, "gain_auc") - gain).abs() <= 1e-4 + 1e-9,
            "{row:?}"
        );
    }
}

#[test]
fn replay_refuses_a_typo_in_map_naming_the_labels_present() {
    let output = replay(
        &labelled("atlas_vra_dayN_X_train.csv"),
        &labelled("atlas_vra_dayN_y_train.csv"),
        &labelled("atlas_vra_dayN_X_val.csv"),
        &labelled("atlas_vra_dayN_y_val.csv"),
        "good=0,galatic=1,pm=1",
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("`galatic` is not a label of the training table"),
        "{message}"
    );
    assert!(
        message.contains("galactic "),
        "the labels present are named: {message}"
    );
}

#[test]
fn replay_refuses_label_files_whose_ids_are_not_the_features_rows() {
    // The training labels with their rows in reverse: the same count, the
    // same labels, none of them on its own alert.
    let text =
        std::fs::read_to_string(fixture("labelled/atlas_vra_dayN_y_train.csv")).expect("fixture");
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let reversed = TempFile::new("y-reversed.csv", &(lines.join("\n") + "\n"));
    let output = replay(
        &labelled("atlas_vra_dayN_X_train.csv"),
        &reversed.path(),
        &labelled("atlas_vra_dayN_X_val.csv"),
        &labelled("atlas_vra_dayN_y_val.csv"),
        "good=0,galactic=1,pm=1",
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("row 1 is `"), "{message}");
    assert!(message.contains("joined row by row"), "{message}");
}

#[test]
fn replay_reads_features_output_leaving_its_id_columns_out() {
    let features = Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(["features", &path("raw/ztf_hostless_72alerts.parquet")])
        .output()
        .expect("features runs");
    assert!(features.status.success(), "{}", stderr(&features));
    let table = String::from_utf8(features.stdout).expect("utf-8");
    assert!(table.starts_with("candid,objectId,"), "{}", &table[..40]);
    let mut labels = String::from("candid,type\n");
    for (row, line) in table.lines().skip(1).enumerate() {
        let candid = line.split(',').next().expect("candid");
        labels.push_str(&format!(
            "{candid},{}\n",
            if row % 2 == 0 { "gal" } else { "extragal" }
        ));
    }
    let x = TempFile::new("features.csv", &table);
    let y = TempFile::new("features-labels.csv", &labels);
    let output = replay(
        &x.path(),
        &y.path(),
        &x.path(),
        &y.path(),
        "gal=0,extragal=1",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 4);
}
