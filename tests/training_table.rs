//! The training table through the core: rows of labelled alerts kept when
//! their file is loaded (backfilled for labels given before), a fresh row
//! replacing a stored one that differs, the version 3 label file carrying
//! the rows both ways, `fink-vra train` from such a file alone, and bad
//! feature rows in a label file refused with nothing changed.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use fink_vra::core::alert::{Candid, Survey};
use fink_vra::core::labelling::LabellingSession;
use fink_vra::core::labels::exchange::{export_json, LabelImportError};
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model_file::ModelFile;
use fink_vra::core::session::SavedSession;
use fink_vra::core::training_table::{read_stored_rows, StoredRow};
use fink_vra::core::workbench::{class_medians, WorkbenchSettings};
use fink_vra::core::workspace::Workspace;

const FILE_A: &str = "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet";
const FILE_B: &str = "clean/20250604_120102_alerts_ztf_hostless_72alerts.parquet";

fn loaded(names: &[&str]) -> Workspace {
    let mut workspace = Workspace::for_survey(Survey::Ztf);
    for name in names {
        workspace.load_file(name, std::fs::read(common::fixture(name)).expect("fixture"));
    }
    workspace
}

/// A session with the first `count` alerts of `workspace` labelled gal and
/// extragal in turn.
fn labelled(workspace: &Workspace, count: usize) -> LabellingSession {
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Ztf));
    let settings = WorkbenchSettings {
        first_batch: 4,
        ..WorkbenchSettings::default()
    };
    let _ = session.set_settings(workspace, settings, "2026-12-04T00:00:00Z".into());
    for (index, row) in workspace.features().iter().take(count).enumerate() {
        let label = if index % 2 == 0 {
            Label::Gal
        } else {
            Label::Extragal
        };
        let time = format!("2026-12-04T10:00:{index:02}.000Z");
        assert!(session.label(workspace, row.candid, label, time));
    }
    session
}

fn export_with_rows(workspace: &Workspace, session: &LabellingSession) -> String {
    let saved = session.saved();
    export_json(
        Survey::Ztf,
        &saved.labels,
        None,
        &saved.rounds,
        "ana",
        "2026-12-04T12:00:00Z",
        |candid| {
            workspace
                .known_row(candid)
                .map(|row| (row.values.as_slice(), workspace.known_mjd(candid)))
        },
    )
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn a_round_trains_on_stored_rows_when_the_alert_file_is_not_loaded() {
    // Day 1: file A, 8 labels, their rows stored.
    let mut day_one = loaded(&[FILE_A]);
    let mut session = labelled(&day_one, 8);
    assert!(day_one.keep_labelled_rows(session.saved().labels.votes().voted_alerts()));
    let database: Vec<Vec<u8>> = day_one
        .take_unsaved_rows()
        .iter()
        .map(StoredRow::to_bytes)
        .collect();
    assert_eq!(database.len(), 8);
    // Day 2: a reload, file B only; the table read back.
    let mut day_two = loaded(&[FILE_B]);
    let (rows, dropped) = read_stored_rows(Survey::Ztf, database.iter().map(Vec::as_slice));
    assert_eq!(dropped, 0);
    day_two.take_in_rows(rows, true);
    assert_eq!(
        day_two.labels_waiting_for_rows(session.training_labels()),
        0
    );
    let (job, values) = session.training_job(&day_two, "2026-12-05T00:00:00Z".into(), true);
    let outcome = job.run(&values).expect("trains");
    assert_eq!(outcome.record.training.len(), 8, "every day-1 label trains");
    let _ = session.apply_training(&day_two, &job, outcome);
    // The round's model file is made without file A.
    let record = session.saved().rounds[0].clone();
    let model = ModelFile::export_round(&day_two, &record).expect("rows are known");
    let with_file_a = ModelFile::export_round(&day_one, &record).expect("loaded");
    assert_eq!(model.to_json(), with_file_a.to_json());
}

#[test]
fn labels_given_before_rows_were_kept_are_backfilled_when_their_file_loads() {
    let workspace = loaded(&[FILE_A]);
    let session = labelled(&workspace, 6);
    let empty = Workspace::for_survey(Survey::Ztf);
    assert_eq!(empty.labels_waiting_for_rows(session.training_labels()), 6);
    let summary = empty.rows_of_labels(session.training_labels());
    assert_eq!(
        summary.describe().as_deref(),
        Some("6 labels wait for their alert files to train.")
    );
    let mut reloaded = loaded(&[FILE_A]);
    assert!(reloaded.keep_labelled_rows(session.saved().labels.votes().voted_alerts()));
    assert_eq!(reloaded.take_unsaved_rows().len(), 6);
    assert!(
        !reloaded.keep_labelled_rows(session.saved().labels.votes().voted_alerts()),
        "storing again changes nothing"
    );
}

#[test]
fn a_fresh_row_replaces_a_stored_row_that_differs() {
    let workspace = loaded(&[FILE_A]);
    let session = labelled(&workspace, 2);
    let candid = workspace.features()[0].candid;
    let mut older = StoredRow::of(&workspace.features()[0], 60000.0, FILE_A);
    older.values[3] += 1.0;
    let mut reloaded = loaded(&[FILE_A]);
    reloaded.take_in_rows([older], true);
    assert!(reloaded.keep_labelled_rows(session.saved().labels.votes().voted_alerts()));
    let stored = reloaded.take_unsaved_rows();
    let fresh = stored
        .iter()
        .find(|row| row.alert_id == candid)
        .expect("replaced");
    assert!(same_bits(&fresh.values, &workspace.features()[0].values));
}

#[test]
fn a_label_file_carries_the_rows_and_imports_them_into_the_table() {
    let workspace = loaded(&[FILE_A]);
    let session = labelled(&workspace, 8);
    let text = export_with_rows(&workspace, &session);
    assert!(text.contains("\"version\": 4") && text.contains("\"feature_names\""));
    let mut collaborator = LabellingSession::new(SavedSession::for_survey(Survey::Ztf));
    let mut theirs = loaded(&[FILE_B]);
    let (outcome, _) = collaborator.import(&mut theirs, "day1.json", &text);
    let outcome = outcome.expect("imports");
    assert!(
        outcome
            .to_string()
            .contains("Feature rows kept for 8 labels"),
        "{outcome}"
    );
    for entry in session.saved().labels.all_votes() {
        let original = workspace.known_row(entry.candid).expect("loaded");
        let carried = theirs.known_row(entry.candid).expect("imported");
        assert!(same_bits(&original.values, &carried.values));
        assert_eq!(
            theirs.known_mjd(entry.candid),
            workspace.known_mjd(entry.candid)
        );
    }
    assert_eq!(theirs.take_unsaved_rows().len(), 8, "for the page to store");
}

/// `{"format": …, "feature_names": …, "labels": [label]}` of version 3.
fn one_label_file(names: serde_json::Value, features: serde_json::Value) -> String {
    serde_json::json!({
        "format": "fink-vra-labels", "version": 3, "survey": "ztf", "exported_at": "x",
        "annotator": "a", "feature_names": names,
        "labels": [{"alert_id": "1", "object_id": "ZTF19aarxyde", "label": "gal",
                    "timestamp": "2025-06-02T08:37:22Z", "annotator": "a", "round": null,
                    "features": features}],
        "conflicts": [], "rounds": []
    })
    .to_string()
}

#[test]
fn bad_feature_rows_name_the_first_bad_entry_and_change_nothing() {
    let ztf: Vec<&str> = fink_vra::core::features::feature_names(Survey::Ztf).to_vec();
    let lsst: Vec<&str> = fink_vra::core::features::feature_names(Survey::Lsst).to_vec();
    let refused = |text: String| {
        let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Ztf));
        let mut workspace = Workspace::for_survey(Survey::Ztf);
        let (outcome, _) = session.import(&mut workspace, "bad.json", &text);
        assert!(session.saved().labels.is_empty(), "nothing changed");
        assert!(workspace.training_table().is_empty(), "nothing changed");
        outcome.expect_err("refused")
    };
    let short = refused(one_label_file(
        serde_json::json!(ztf),
        serde_json::json!([1.0, 2.0]),
    ));
    assert!(
        short
            .to_string()
            .contains("label 1 (alert_id 1): `features` has 2 values for"),
        "{short}"
    );
    let mut text_values = vec![serde_json::json!(1.0); ztf.len()];
    text_values[4] = serde_json::json!("19.5");
    let text = refused(one_label_file(
        serde_json::json!(ztf),
        serde_json::json!(text_values),
    ));
    assert!(
        text.to_string().contains("value 5 is not a number"),
        "{text}"
    );
    let other = refused(one_label_file(
        serde_json::json!(lsst),
        serde_json::json!(vec![1.0; lsst.len()]),
    ));
    assert!(
        matches!(other, LabelImportError::FeaturesOfOtherSurvey { .. }),
        "{other}"
    );
}

#[test]
fn features_of_another_fink_vra_are_left_out_and_the_labels_kept() {
    let mut names: Vec<String> = fink_vra::core::features::feature_names(Survey::Ztf)
        .iter()
        .map(|name| name.to_string())
        .collect();
    names[0] = "a_newer_feature".into();
    let count = names.len();
    let text = one_label_file(
        serde_json::json!(names),
        serde_json::json!(vec![1.0; count]),
    );
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Ztf));
    let mut workspace = Workspace::for_survey(Survey::Ztf);
    let (outcome, _) = session.import(&mut workspace, "newer.json", &text);
    let report = outcome.expect("imports").to_string();
    assert!(report.contains("Features left out"), "{report}");
    assert!(report.contains("`a_newer_feature`"), "{report}");
    assert_eq!(session.saved().labels.alert_count(), 1);
    assert!(workspace.training_table().is_empty());
    assert_eq!(
        workspace.labels_waiting_for_rows(session.training_labels()),
        1
    );
    let _ = Candid(1);
}

/// `fink-vra train --labels LABELS ARGUMENTS --out OUT`, with no alert file;
/// it must succeed.
fn train_cli(labels: &Path, arguments: &[&str], out: &Path) -> Output {
    let run = Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(["train", "--labels"])
        .arg(labels)
        .args(arguments)
        .arg("--out")
        .arg(out)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    run
}

#[test]
fn train_from_a_version_3_file_alone_writes_the_pages_model_file() {
    let workspace = loaded(&[FILE_A]);
    let mut session = labelled(&workspace, 10);
    let (job, values) = session.training_job(&workspace, "2026-12-04T11:00:00Z".into(), true);
    let outcome = job.run(&values).expect("trains");
    let _ = session.apply_training(&workspace, &job, outcome);
    let page_model = ModelFile::export_round(&workspace, &session.saved().rounds[0])
        .expect("exports")
        .to_json();
    let directory = std::env::temp_dir().join(format!("fink-vra-v3-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let labels = directory.join("labels.json");
    let out = directory.join("model.json");
    std::fs::write(&labels, export_with_rows(&workspace, &session)).expect("written");
    let _ = train_cli(&labels, &["--round", "0"], &out);
    let cli_model = std::fs::read_to_string(&out).expect("written");
    assert_eq!(
        cli_model, page_model,
        "the CLI writes the page's model, byte for byte"
    );
    // A new round: labels without a row anywhere are counted and left out.
    let mut partial = session.saved().clone();
    let mut extra = partial.labels.all_votes().next().expect("a label").clone();
    extra.candid = Candid(42);
    partial.labels.set(extra);
    let text = export_json(
        Survey::Ztf,
        &partial.labels,
        None,
        &partial.rounds,
        "ana",
        "t",
        |candid| {
            workspace
                .known_row(candid)
                .map(|row| (row.values.as_slice(), None))
        },
    );
    std::fs::write(&labels, text).expect("written");
    let run = train_cli(&labels, &[], &out);
    assert!(String::from_utf8_lossy(&run.stderr).contains("1 labels have no feature row"));
    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn the_cards_class_medians_count_stored_rows_too() {
    let day_one = loaded(&[FILE_A]);
    let session = labelled(&day_one, 8);
    let target = &session.settings().target;
    let with_file = class_medians(&day_one, session.training_labels(), target);
    let mut day_two = loaded(&[FILE_B]);
    let mut rows_of_day_one = loaded(&[FILE_A]);
    rows_of_day_one.keep_labelled_rows(session.saved().labels.votes().voted_alerts());
    day_two.take_in_rows(rows_of_day_one.take_unsaved_rows(), true);
    let without_file = class_medians(&day_two, session.training_labels(), target);
    for (a, b) in with_file.iter().zip(&without_file) {
        assert!(same_bits(a, b), "the same medians, file A loaded or not");
    }
    assert!(with_file[0].iter().any(|value| !value.is_nan()));
}
