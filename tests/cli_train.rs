//! `fink-vra train` says what it trained on: each class by name with its
//! count and labels, and the labels its target leaves out; a target under
//! which a class has fewer than 2 labels is refused (exit 2, no model file)
//! instead of writing a model that gives every alert the same number. And
//! the model it writes, mistaken for its ONNX export, is named as such.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fixture;

const ALERTS: &str = "raw/ztf_hostless_72alerts.parquet";

fn cli(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(arguments)
        .output()
        .expect("the CLI runs")
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("fink-vra-cli-train-{}-{name}", std::process::id()))
}

/// A labeled.csv of the fixture's first alerts, labelled `labels` in turn.
fn label_file(name: &str, labels: &[&str]) -> PathBuf {
    let alerts = fixture(ALERTS).display().to_string();
    let features = cli(&["features", &alerts]);
    assert!(features.status.success());
    let table = String::from_utf8(features.stdout).expect("utf-8");
    let mut text = String::from("candid,objectId,label,timestamp\n");
    for (row, line) in table.lines().skip(1).take(labels.len()).enumerate() {
        let mut cells = line.split(',');
        let (candid, object) = (
            cells.next().expect("candid"),
            cells.next().expect("objectId"),
        );
        text.push_str(&format!(
            "{candid},{object},{},2026-11-29T00:00:00Z\n",
            labels[row]
        ));
    }
    let path = scratch(name);
    std::fs::write(&path, text).expect("label file");
    path
}

fn train(labels: &Path, target: &str, out: &Path) -> Output {
    let alerts = fixture(ALERTS).display().to_string();
    cli(&[
        "train",
        "--labels",
        &labels.display().to_string(),
        "--target",
        target,
        "--out",
        &out.display().to_string(),
        &alerts,
    ])
}

#[test]
fn train_names_each_class_with_its_count_and_counts_the_labels_its_target_ignores() {
    let mut labels = ["gal", "extragal"].repeat(6);
    labels.extend(["bogus", "varstar", "bogus", "bogus"]);
    let file = label_file("named.csv", &labels);
    let out = scratch("named.json");
    let output = train(&file, "gal", &out);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    std::fs::remove_file(&file).ok();
    std::fs::remove_file(&out).ok();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "on 13 labels: gal 7 (gal 6, varstar 1) / not gal 6 (extragal 6); \
             left out, not in the gal mapping: bogus 3"
        ),
        "{stderr}"
    );
}

#[test]
fn train_refuses_a_target_under_which_a_class_has_fewer_than_two_labels() {
    let file = label_file("single.csv", &["gal", "extragal"].repeat(15));
    let out = scratch("single.json");
    let output = train(&file, "trans", &out);
    let written = out.exists();
    std::fs::remove_file(&file).ok();
    std::fs::remove_file(&out).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!written, "no model file is written");
    assert!(
        stderr.contains(
            "--target trans: not trans has 0 label(s) (trans 30 (extragal 15, gal 15) / not trans 0)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("at least 2 labels of each class"),
        "{stderr}"
    );
}

#[test]
fn score_given_the_onnx_file_as_its_model_says_so_instead_of_invalid_utf8() {
    let file = label_file("onnx.csv", &["gal", "extragal"].repeat(6));
    let (model, onnx) = (scratch("onnx-model.json"), scratch("model.onnx"));
    let trained = train(&file, "gal", &model);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let exported = cli(&[
        "export-onnx",
        &model.display().to_string(),
        &onnx.display().to_string(),
    ]);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let alerts = fixture(ALERTS).display().to_string();
    let output = cli(&["score", "--model", &onnx.display().to_string(), &alerts]);
    for path in [&file, &model, &onnx] {
        std::fs::remove_file(path).ok();
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "is not a model file (JSON) but an ONNX model, which runs in an ONNX runtime"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("UTF-8"), "{stderr}");
}
