//! `fink-vra train` says what it trained on: each class by name with its
//! count and labels, and the labels its target leaves out; a target under
//! which a class has fewer than 2 labels is refused (exit 2, no model file)
//! instead of writing a model that gives every alert the same number. And
//! the model it writes, mistaken for its ONNX export, is named as such;
//! `score` checks every file before it writes a byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{fixture, run_cli as cli};

const ALERTS: &str = "raw/ztf_hostless_72alerts.parquet";

fn scratch(name: &str) -> PathBuf {
    common::scratch_path("cli-train", name)
}

/// A labeled.csv of the fixture's first alerts, labelled `labels` in turn.
fn label_file(name: &str, labels: &[&str]) -> PathBuf {
    label_file_of(ALERTS, "candid,objectId,label,timestamp", "", name, labels)
}

/// A label CSV (`header`, each row ending with `tail`) of the first alerts
/// of the fixture `alerts`, labelled `labels` in turn.
fn label_file_of(alerts: &str, header: &str, tail: &str, name: &str, labels: &[&str]) -> PathBuf {
    let features = cli(&["features", &fixture(alerts).display().to_string()]);
    assert!(features.status.success());
    let table = String::from_utf8(features.stdout).expect("utf-8");
    let mut text = format!("{header}\n");
    for (row, line) in table.lines().skip(1).take(labels.len()).enumerate() {
        let mut cells = line.split(',');
        let (alert, object) = (
            cells.next().expect("alert id"),
            cells.next().expect("object id"),
        );
        text.push_str(&format!(
            "{alert},{object},{},2026-11-29T00:00:00Z{tail}\n",
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

#[test]
fn score_checks_every_file_before_writing_the_header() {
    let file = label_file("score-all.csv", &["gal", "extragal"].repeat(6));
    let model = scratch("score-all-model.json");
    assert!(train(&file, "gal", &model).status.success());
    let alerts = fixture(ALERTS).display().to_string();
    let missing = fixture("raw/no_such_alerts.parquet").display().to_string();
    let model_path = model.display().to_string();
    let output = cli(&["score", "--model", &model_path, &alerts, &missing]);
    let out = scratch("score-all.csv.out");
    let to_file = cli(&[
        "score",
        "--model",
        &model_path,
        "--out",
        &out.display().to_string(),
        &alerts,
    ]);
    let on_stdout = cli(&["score", "--model", &model_path, &alerts]);
    let written = std::fs::read(&out).unwrap_or_default();
    for path in [&file, &model, &out] {
        std::fs::remove_file(path).ok();
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "not even the header");
    assert!(
        stderr.contains("no_such_alerts.parquet: no such file"),
        "{stderr}"
    );
    assert!(to_file.status.success() && to_file.stdout.is_empty());
    assert_eq!(written, on_stdout.stdout, "--out holds what stdout would");
}

#[test]
fn a_label_csv_naming_its_ids_as_score_does_trains_the_same_model_in_both_surveys() {
    let labels = ["gal", "extragal"].repeat(6);
    for (alerts, native_header, tail) in [
        (ALERTS, "candid,objectId,label,timestamp", ""),
        (
            "lsst/lsst_v10_pandas_25alerts.parquet",
            "diaSourceId,diaObjectId,label,timestamp,session_id,url",
            ",s1,",
        ),
    ] {
        let native = label_file_of(alerts, native_header, tail, "native-ids.csv", &labels);
        let score_ids = label_file_of(
            alerts,
            "alert_id,object_id,label,timestamp",
            "",
            "score-ids.csv",
            &labels,
        );
        let model_of = |labels: &Path, name: &str| {
            let out = scratch(name);
            let trained = cli(&[
                "train",
                "--labels",
                &labels.display().to_string(),
                "--out",
                &out.display().to_string(),
                &fixture(alerts).display().to_string(),
            ]);
            assert!(
                trained.status.success(),
                "{alerts}: {}",
                String::from_utf8_lossy(&trained.stderr)
            );
            let text = std::fs::read_to_string(&out).expect("written");
            std::fs::remove_file(&out).ok();
            text
        };
        let (from_native, from_score_ids) = (
            model_of(&native, "native-ids.json"),
            model_of(&score_ids, "score-ids.json"),
        );
        std::fs::remove_file(&native).ok();
        std::fs::remove_file(&score_ids).ok();
        let without_time = |text: &str| {
            let mut value: serde_json::Value = serde_json::from_str(text).expect("JSON");
            value.as_object_mut().expect("object").remove("trained_at");
            value
        };
        assert_eq!(
            without_time(&from_native),
            without_time(&from_score_ids),
            "{alerts}"
        );
    }
}

#[test]
fn train_on_lsst_labels_with_ztf_files_speaks_of_the_files_not_of_the_pages_survey_switch() {
    let lsst_labels = label_file_of(
        "lsst/lsst_v10_pandas_25alerts.parquet",
        "diaSourceId,diaObjectId,label,timestamp,session_id,url",
        ",tests,",
        "lsst-labels.csv",
        &["gal", "extragal"].repeat(3),
    );
    let out = scratch("lsst-labels.json");
    let output = train(&lsst_labels, "gal", &out);
    std::fs::remove_file(&lsst_labels).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "these are Rubin/LSST labels, and the alert files given are ZTF alerts: \
             give a label file and alert files of the same survey"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("switch to"), "{stderr}");
}

#[test]
fn train_on_files_of_two_surveys_says_to_run_train_once_per_survey() {
    let file = label_file("two-surveys.csv", &["gal", "extragal"].repeat(3));
    let lsst = fixture("lsst/lsst_v10_pandas_25alerts.parquet")
        .display()
        .to_string();
    let ztf = fixture(ALERTS).display().to_string();
    let out = scratch("two-surveys.json").display().to_string();
    let labels = file.display().to_string();
    let output = cli(&["train", "--labels", &labels, "--out", &out, &ztf, &lsst]);
    std::fs::remove_file(&file).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("so run `train` once per survey"),
        "{stderr}"
    );
}

/// `train` on label files `files` (as many `--labels`) plus `extra`
/// arguments, with the fixture's alerts; its output, the model file's
/// training labels, as (alert id, label) in fitting order, and the model
/// file (`null` when none was written).
fn train_team(
    name: &str,
    files: &[&Path],
    extra: &[&str],
) -> (Output, Vec<(String, String)>, serde_json::Value) {
    let out = scratch(name);
    let mut arguments = vec!["train".to_string()];
    for file in files {
        arguments.extend(["--labels".to_string(), file.display().to_string()]);
    }
    arguments.extend(extra.iter().map(|argument| argument.to_string()));
    arguments.extend([
        "--out".to_string(),
        out.display().to_string(),
        fixture(ALERTS).display().to_string(),
    ]);
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    let output = cli(&arguments);
    let model: serde_json::Value = std::fs::read_to_string(&out)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let training = model["training"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|example| {
            let text = |key: &str| example[key].as_str().unwrap_or_default().to_string();
            (text("id"), text("label"))
        })
        .collect();
    std::fs::remove_file(&out).ok();
    (output, training, model)
}

/// The label files of three annotators (named after `test`, so that tests
/// running at once keep apart): ana and bo label the first 12 alerts, and
/// differ on the first; cy labels the first 2 only.
fn team_files(test: &str) -> [PathBuf; 3] {
    let header = "candid,objectId,label,timestamp,annotator";
    let mut ana = ["gal"; 6].to_vec();
    ana.extend(["extragal"; 6]);
    let mut bo = ana.clone();
    bo[0] = "extragal";
    [
        label_file_of(ALERTS, header, ",ana", &format!("{test}-ana.csv"), &ana),
        label_file_of(ALERTS, header, ",bo", &format!("{test}-bo.csv"), &bo),
        label_file_of(
            ALERTS,
            header,
            ",cy",
            &format!("{test}-cy.csv"),
            &["extragal", "extragal"],
        ),
    ]
}

#[test]
fn train_on_a_teams_label_files_fits_each_alert_on_its_consensus_and_says_where_labels_came_from() {
    let files = team_files("consensus");
    let [ana, bo, cy] = files.each_ref().map(PathBuf::as_path);
    let (majority, trained, model) = train_team("team-majority.json", &[ana, bo, cy], &[]);
    let stderr = String::from_utf8_lossy(&majority.stderr).to_string();
    assert!(majority.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "consensus majority over 3 annotators' votes: 0 single, 10 unanimous, 2 majority, \
             0 weighted, 0 mine, 0 adjudicated, 0 left out"
        ),
        "{stderr}"
    );
    assert_eq!(trained.len(), 12);
    assert_eq!(
        model["consensus"]["rule"], "majority",
        "the model file records the rule"
    );
    assert_eq!(model["consensus"]["counts"]["majority"], 2);
    assert_eq!(model["consensus"]["counts"]["left_out"], 0);
    // The first alert: gal (ana) against extragal (bo, cy).
    let ana_text = std::fs::read_to_string(ana).expect("ana's file");
    let first_alert = ana_text
        .lines()
        .nth(1)
        .and_then(|row| row.split(',').next())
        .expect("a first row")
        .to_string();
    let label_of = |trained: &[(String, String)]| {
        trained
            .iter()
            .find(|(id, _)| *id == first_alert)
            .map(|(_, label)| label.clone())
    };
    assert_eq!(label_of(&trained).as_deref(), Some("extragal"));

    let (mine, trained, _) = train_team(
        "team-mine.json",
        &[ana, bo, cy],
        &["--consensus", "mine", "--annotator", "ana"],
    );
    let stderr = String::from_utf8_lossy(&mine.stderr).to_string();
    assert!(mine.status.success(), "{stderr}");
    assert!(stderr.contains("2 mine"), "{stderr}");

    // Two annotators who differ on an alert: a tie, left out.
    let (tie, trained_on_a_tie, _) = train_team("team-tie.json", &[ana, bo], &[]);
    let stderr = String::from_utf8_lossy(&tie.stderr).to_string();
    assert!(tie.status.success(), "{stderr}");
    assert!(
        stderr.contains("11 unanimous, 0 majority") && stderr.contains("1 left out"),
        "{stderr}"
    );
    assert_eq!(trained_on_a_tie.len(), 11);
    assert_eq!(
        label_of(&trained_on_a_tie),
        None,
        "the contested alert does not train"
    );
    for file in &files {
        std::fs::remove_file(file).ok();
    }
    assert_eq!(trained.len(), 12);
}

#[test]
fn train_refuses_a_consensus_it_cannot_apply_before_fitting_anything() {
    let files = team_files("refused");
    let [ana, bo, cy] = files.each_ref().map(PathBuf::as_path);
    let cases: [(&[&str], &str); 4] = [
        (
            &["--consensus", "mine"],
            "--consensus mine prefers one annotator's votes: name them with --annotator",
        ),
        (
            &["--consensus", "loudest"],
            "--consensus: unknown `loudest`",
        ),
        (
            &["--consensus", "weighted", "--posterior", "1.5"],
            "--posterior: 1.5 is not a probability",
        ),
        (
            &["--round", "0"],
            "--round fits a round of one JSON export again: give one --labels file",
        ),
    ];
    for (extra, message) in cases {
        let (output, trained, _) = train_team("team-refused.json", &[ana, bo, cy], extra);
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
        assert!(trained.is_empty(), "{extra:?}: no model file");
    }
    for file in &files {
        std::fs::remove_file(file).ok();
    }
}

#[test]
fn train_on_labels_with_random_picks_reports_the_estimate_on_tonights_alerts() {
    // A JSON export of the fixture's first 40 alerts, every third a random pick.
    let features = cli(&["features", &fixture(ALERTS).display().to_string()]);
    assert!(features.status.success());
    let table = String::from_utf8(features.stdout).expect("utf-8");
    let labels: Vec<serde_json::Value> = table
        .lines()
        .skip(1)
        .take(40)
        .enumerate()
        .map(|(row, line)| {
            let mut cells = line.split(',');
            serde_json::json!({
                "alert_id": cells.next().expect("alert id"),
                "object_id": cells.next().expect("object id"),
                "label": if row % 2 == 0 { "gal" } else { "extragal" },
                "timestamp": "2026-12-07T00:00:00Z",
                "annotator": "ana",
                "round": null,
                "random_pick": row % 3 == 0,
            })
        })
        .collect();
    let file = scratch("random-picks.json");
    let export = serde_json::json!({"format": "fink-vra-labels", "version": 2, "survey": "ztf",
        "exported_at": "2026-12-07T00:00:00Z", "annotator": "ana", "labels": labels, "rounds": []});
    std::fs::write(&file, export.to_string()).expect("label file");
    let (output, training, model) =
        train_team("random-picks-model.json", &[&file], &["--target", "gal"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(training.len(), 40);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("estimated on tonight's alerts: ROC AUC")
            && said.contains("(14 random picks)"),
        "{said}"
    );
    let counts = &model["metrics"]["honest_estimate"]["class_counts"];
    assert_eq!(
        counts[0].as_u64().unwrap_or(0) + counts[1].as_u64().unwrap_or(0),
        14,
        "{model}"
    );
    std::fs::remove_file(&file).ok();
}
