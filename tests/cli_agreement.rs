//! `fink-vra agreement`: a team's numbers from its label files alone. The
//! formulas are checked against scikit-learn, krippendorff and crowd-kit in
//! tests/team (pytest); here, what the command says: the JSON's keys, why
//! there is nothing to measure, a vote changed by its own annotator, and
//! files of two surveys.

mod common;

use common::run_cli as cli;

use std::path::PathBuf;

/// A labeled.csv with an annotator column: (candid, objectId, label,
/// timestamp, annotator) rows.
fn votes(name: &str, rows: &[(&str, &str, &str, &str)]) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("fink-vra-agreement-{}-{name}", std::process::id()));
    let mut text = String::from("candid,objectId,label,timestamp,annotator\n");
    for (candid, label, timestamp, annotator) in rows {
        text.push_str(&format!(
            "{candid},ZTF21aaaaaaa,{label},{timestamp},{annotator}\n"
        ));
    }
    std::fs::write(&path, text).expect("written");
    path
}

const T: &str = "2026-12-06T10:00:00Z";

#[test]
fn agreement_json_has_the_documented_keys_and_null_for_undefined_numbers() {
    let ana = votes(
        "ana.csv",
        &[
            ("1", "gal", T, "ana"),
            ("2", "gal", T, "ana"),
            ("3", "agn", T, "ana"),
        ],
    );
    let bo = votes(
        "bo.csv",
        &[("1", "gal", T, "bo"), ("2", "extragal", T, "bo")],
    );
    let output = cli(&[
        "agreement",
        "--json",
        &ana.display().to_string(),
        &bo.display().to_string(),
    ]);
    std::fs::remove_file(&ana).ok();
    std::fs::remove_file(&bo).ok();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object");
    let mut keys: Vec<&str> = report
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "alerts",
            "alpha",
            "alpha_target",
            "annotators",
            "contested",
            "labels",
            "pairs"
        ]
    );
    assert_eq!(
        report["alpha_target"],
        serde_json::Value::Null,
        "no --target"
    );
    assert_eq!(
        report["alerts"],
        serde_json::json!({"single": 1, "unanimous": 1, "majority": 0, "contested": 1, "adjudicated": 0})
    );
    assert_eq!(
        report["contested"],
        serde_json::json!(["2"]),
        "ids as strings"
    );
    assert_eq!(report["pairs"][0]["shared"], 2);
    assert_eq!(report["pairs"][0]["agreement"], 0.5);
    assert_eq!(report["annotators"][0]["annotator"], "ana");
    assert_eq!(report["annotators"][0]["votes"], 3);
    assert_eq!(report["annotators"][0]["shared"], 2);
}

#[test]
fn one_annotator_is_told_why_there_is_nothing_to_measure() {
    let ana = votes(
        "alone.csv",
        &[("1", "gal", T, "ana"), ("2", "gal", T, "ana")],
    );
    let output = cli(&["agreement", &ana.display().to_string()]);
    std::fs::remove_file(&ana).ok();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "agreement needs votes of 2 annotators or more; there are only ana's\n"
    );
}

#[test]
fn an_annotators_later_label_is_their_vote_and_the_change_is_reported() {
    let ana = votes(
        "changed.csv",
        &[
            ("1", "gal", "2026-12-06T09:00:00Z", "ana"),
            ("2", "gal", T, "ana"),
        ],
    );
    let later = votes(
        "later.csv",
        &[
            ("1", "agn", "2026-12-06T11:00:00Z", "ana"),
            ("1", "agn", T, "bo"),
        ],
    );
    let output = cli(&[
        "agreement",
        "--json",
        &ana.display().to_string(),
        &later.display().to_string(),
    ]);
    std::fs::remove_file(&ana).ok();
    std::fs::remove_file(&later).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ana: alert 1 labelled gal and later agn: the later label is the vote"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        report["alerts"]["unanimous"], 1,
        "ana's agn agrees with bo's"
    );
}

#[test]
fn label_files_of_two_surveys_are_refused() {
    let ztf = votes("ztf.csv", &[("1", "gal", T, "ana")]);
    let lsst = std::env::temp_dir().join(format!(
        "fink-vra-agreement-{}-lsst.csv",
        std::process::id()
    ));
    std::fs::write(
        &lsst,
        "diaSourceId,diaObjectId,label,timestamp,session_id,url\n7,8,gal,2026-12-06T10:00:00Z,s,\n",
    )
    .expect("written");
    let output = cli(&[
        "agreement",
        &ztf.display().to_string(),
        &lsst.display().to_string(),
    ]);
    std::fs::remove_file(&ztf).ok();
    std::fs::remove_file(&lsst).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("measure each survey's team apart"),
        "{stderr}"
    );
}

#[test]
fn a_label_csv_with_scores_id_names_is_told_lsst_by_its_object_id_column_in_any_order() {
    let dir = std::env::temp_dir();
    let lsst = dir.join(format!(
        "fink-vra-agreement-{}-lsst-ana.csv",
        std::process::id()
    ));
    std::fs::write(
        &lsst,
        "diaSourceId,diaObjectId,label,timestamp,session_id,url\n7,8,gal,2026-12-06T10:00:00Z,s,\n",
    )
    .expect("written");
    let reordered = dir.join(format!(
        "fink-vra-agreement-{}-ids-bo.csv",
        std::process::id()
    ));
    std::fs::write(
        &reordered,
        "label,alert_id,timestamp,object_id,annotator\n\"gal\",7,2026-12-06T10:00:00Z,8,bo\n",
    )
    .expect("written");
    let output = cli(&[
        "agreement",
        "--json",
        &lsst.display().to_string(),
        &reordered.display().to_string(),
    ]);
    std::fs::remove_file(&lsst).ok();
    std::fs::remove_file(&reordered).ok();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["alerts"]["unanimous"], 1);
}

#[test]
fn a_version_4_files_adjudications_and_gold_marks_count_in_the_report() {
    // Alert 1: ana gal, bo extragal (a tie), settled extragal by a reviewer;
    // alert 2: ana marked gold (gal), bo said extragal; alert 3: both agn.
    let vote = |alert: &str, label: &str, annotator: &str| {
        serde_json::json!({"alert_id": alert, "object_id": "ZTF21aaaaaaa", "label": label,
                           "timestamp": T, "annotator": annotator, "round": null})
    };
    let file = serde_json::json!({
        "format": "fink-vra-labels", "version": 4, "survey": "ztf", "exported_at": T,
        "annotator": "ana",
        "labels": [vote("1", "gal", "ana"), vote("1", "extragal", "bo"), vote("2", "gal", "ana"),
                   vote("2", "extragal", "bo"), vote("3", "agn", "ana"), vote("3", "agn", "bo")],
        "adjudications": [{"alert_id": "1", "object_id": "ZTF21aaaaaaa", "label": "extragal",
                           "reason": "mistake", "reviewer": "cy", "timestamp": T}],
        "gold": [{"alert_id": "2", "object_id": "ZTF21aaaaaaa", "label": "gal",
                  "marked_by": "ana", "timestamp": T}],
        "rounds": []
    });
    let path =
        std::env::temp_dir().join(format!("fink-vra-agreement-{}-v4.json", std::process::id()));
    std::fs::write(&path, file.to_string()).expect("written");
    let output = cli(&["agreement", "--json", &path.display().to_string()]);
    let text = cli(&["agreement", &path.display().to_string()]);
    std::fs::remove_file(&path).ok();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["alerts"]["adjudicated"], 1);
    assert_eq!(
        report["alerts"]["contested"], 1,
        "alert 2 ties; alert 1 is settled"
    );
    assert_eq!(report["contested"], serde_json::json!(["2"]));
    let bo = &report["annotators"][1];
    assert_eq!(
        (&bo["annotator"], &bo["gold_votes"], &bo["gold_accuracy"]),
        (
            &serde_json::json!("bo"),
            &serde_json::json!(1),
            &serde_json::json!(0.0)
        )
    );
    assert_eq!(
        report["annotators"][0]["gold_votes"], 0,
        "ana's own mark measures nobody"
    );
    let table = String::from_utf8_lossy(&text.stdout);
    assert!(table.contains("gold votes\tgold accuracy"), "{table}");
}
