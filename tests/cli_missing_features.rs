//! No silent missing features: a model trained on clean-layout files (which
//! have `sep_arcsec`) scoring raw Fink files (where it is missing for every
//! alert) says so on stderr, once per file, naming the feature and its
//! training share; `--strict` makes it an error. Before, `score` exited 0
//! with nothing on stderr.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, run_cli as cli};

const CLEAN: [&str; 3] = [
    "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
    "clean/20250603_110102_alerts_ztf_hostless_72alerts.parquet",
    "clean/20250604_120102_alerts_ztf_hostless_72alerts.parquet",
];
const RAW: &str = "raw/ztf_hostless_72alerts.parquet";

fn scratch(name: &str) -> PathBuf {
    common::scratch_path("missing", name)
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

/// A model trained on the clean files' 72 alerts, labelled in turn.
fn clean_model(name: &str) -> PathBuf {
    let files: Vec<String> = CLEAN.iter().map(|name| text(&fixture(name))).collect();
    let mut arguments = vec!["features"];
    arguments.extend(files.iter().map(String::as_str));
    let table = String::from_utf8(cli(&arguments).stdout).expect("utf-8");
    let mut labels = String::from("candid,objectId,label,timestamp\n");
    for (row, line) in table.lines().skip(1).enumerate() {
        let mut cells = line.split(',');
        let (alert, object) = (cells.next().expect("id"), cells.next().expect("object"));
        let label = ["gal", "extragal"][row % 2];
        labels.push_str(&format!("{alert},{object},{label},2026-12-06T00:00:00Z\n"));
    }
    let (label_file, model) = (
        scratch(&format!("{name}.csv")),
        scratch(&format!("{name}.json")),
    );
    std::fs::write(&label_file, labels).expect("written");
    let mut arguments = vec!["train", "--labels"];
    let (label_path, model_path) = (text(&label_file), text(&model));
    arguments.extend([label_path.as_str(), "--out", model_path.as_str()]);
    arguments.extend(files.iter().map(String::as_str));
    let trained = cli(&arguments);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    std::fs::remove_file(&label_file).ok();
    model
}

#[test]
fn scoring_raw_files_with_a_clean_layout_model_names_sep_arcsec_instead_of_staying_silent() {
    let model = clean_model("warned");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).expect("model")).expect("JSON");
    let names = written["feature_names"].as_array().expect("names");
    let shares = written["training_missing_share"]
        .as_array()
        .expect("the model file keeps the training's missing shares");
    assert_eq!(shares.len(), names.len());
    let sep = names
        .iter()
        .position(|name| name == "sep_arcsec")
        .expect("the model uses sep_arcsec");
    assert_eq!(shares[sep], 0.0, "present for every clean alert");

    let (model_path, raw, clean) = (text(&model), text(&fixture(RAW)), text(&fixture(CLEAN[0])));
    let warned = cli(&["score", "--model", &model_path, &raw, &clean]);
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(warned.status.success(), "a warning, not an error: {stderr}");
    assert!(
        stderr.contains("missing features in 1 of 2 file(s): the model scores these alerts"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "  {raw}: `sep_arcsec` missing for all 72 alerts, 0 % in training"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(&format!("  {clean}:")), "{stderr}");
    assert_eq!(
        stderr.matches("sep_arcsec").count(),
        1,
        "once per file: {stderr}"
    );

    let strict = cli(&["score", "--strict", "--model", &model_path, &raw]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(2), "{stderr}");
    assert!(strict.stdout.is_empty(), "not even the header");
    assert!(
        stderr.contains("--strict refuses alerts that lack features"),
        "{stderr}"
    );
    let clean_strict = cli(&["score", "--strict", "--model", &model_path, &clean]);
    assert!(
        clean_strict.status.success(),
        "clean alerts have every feature: {}",
        String::from_utf8_lossy(&clean_strict.stderr)
    );
    std::fs::remove_file(&model).ok();
}

#[test]
fn a_model_file_with_a_bad_missing_share_is_refused() {
    let model = clean_model("bad-share");
    let mut written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).expect("model")).expect("JSON");
    written["training_missing_share"][0] = serde_json::json!(1.5);
    std::fs::write(&model, written.to_string()).expect("written");
    let scored = cli(&["score", "--model", &text(&model), &text(&fixture(RAW))]);
    std::fs::remove_file(&model).ok();
    let stderr = String::from_utf8_lossy(&scored.stderr);
    assert_eq!(scored.status.code(), Some(2));
    assert!(
        stderr.contains("`training_missing_share` needs one share from 0 to 1 per feature"),
        "{stderr}"
    );
}
