//! The model leaves the browser: a round trained as the page trains it
//! (`TrainingJob`), exported as a model file, read back, scored by the CLI
//! and by onnxruntime, on every fixture layout and for every model family.

use std::path::{Path, PathBuf};
use std::process::Command;

use fink_vra::core::alert::{Candid, Survey};
use fink_vra::core::labels::entry::LabelEntry;
use fink_vra::core::labels::settled::SettledLabels;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model::tree::{Tree, TreeNode};
use fink_vra::core::model::{FittedModel, ModelSpec};
use fink_vra::core::model_file::{ModelFile, ModelFileError};
use fink_vra::core::workbench::{TrainingJob, WorkbenchSettings};
use fink_vra::core::workspace::Workspace;

const FIXTURES: [&str; 4] = [
    "tests/fixtures/raw/ztf_hostless_72alerts.parquet",
    "tests/fixtures/clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
    "tests/fixtures/lsst/lsst_v10_pandas_25alerts.parquet",
    "assets/sample/lsst_v7_1_simulated_50alerts.parquet",
];

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fink-vra"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("model_file");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// A workspace of one fixture, two thirds of its alerts labelled (gal or
/// extragal by a seeded draw), a round trained as the page does, and the
/// page's probability of every alert.
fn trained_round(
    fixture: &str,
    model: &ModelSpec,
    excluded: &[&str],
) -> (
    Workspace,
    fink_vra::core::active::round::RoundRecord,
    Vec<f64>,
) {
    let bytes = std::fs::read(fixture).expect("fixture");
    let survey = if fixture.contains("lsst") {
        Survey::Lsst
    } else {
        Survey::Ztf
    };
    let mut workspace = Workspace::for_survey(survey);
    let name = Path::new(fixture).file_name().unwrap().to_string_lossy();
    workspace.load_file(&name, bytes);
    assert!(!workspace.features().is_empty(), "{fixture} loads");
    let mut store = SettledLabels::new();
    for (index, row) in workspace.features().iter().enumerate() {
        if index % 3 == 2 {
            continue;
        }
        let label = if (row.candid.0 / 7 + index as u64).is_multiple_of(2) {
            Label::Gal
        } else {
            Label::Extragal
        };
        store.insert(LabelEntry {
            candid: Candid(row.candid.0),
            object_id: row.object_id.clone(),
            label,
            timestamp: "2026-11-29T00:00:00.000Z".into(),
            annotator: "test".into(),
            round: None,
            random_pick: false,
        });
    }
    let settings = WorkbenchSettings {
        model: model.clone(),
        excluded_features: excluded.iter().map(|f| f.to_string()).collect(),
        ..WorkbenchSettings::default()
    };
    let (job, values) = TrainingJob::for_workspace(
        &workspace,
        &store,
        &settings,
        3,
        "2026-11-29T00:00:00Z".into(),
    );
    let outcome = job.run(&values).expect("the round trains");
    (workspace, outcome.record, outcome.probabilities)
}

fn families() -> Vec<ModelSpec> {
    ModelSpec::NAMES
        .iter()
        .map(|name| ModelSpec::by_name(name).expect("known family"))
        .collect()
}

/// `alert_id → p_class1` from `fink-vra score` output.
fn scores(csv_text: &str) -> Vec<(u64, f64)> {
    csv_text
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (
                fields[0].parse().expect("alert id"),
                fields[2].parse().expect("probability"),
            )
        })
        .collect()
}

#[test]
fn a_model_file_round_trips_and_the_cli_scores_exactly_as_the_page_on_every_layout_and_family() {
    for fixture in FIXTURES {
        for model in families() {
            let (workspace, record, page) = trained_round(fixture, &model, &[]);
            let file = ModelFile::export_round(&workspace, &record).expect("exports");
            let json = file.to_json();
            let read = ModelFile::from_json(&json).expect("reads back");
            assert_eq!(read, file, "{fixture} {}", model.name());
            let again = read.score(workspace.features()).expect("scores");
            assert_eq!(
                again, page,
                "the model file predicts bit for bit as the round"
            );

            let path = scratch(&format!("{}-{}.json", model.name(), record.round));
            std::fs::write(&path, &json).expect("write model");
            let output = cli()
                .args(["score", "--model"])
                .arg(&path)
                .arg(fixture)
                .output()
                .expect("runs");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let cli_scores = scores(&String::from_utf8_lossy(&output.stdout));
            assert_eq!(
                cli_scores.len(),
                page.len(),
                "{fixture}: one line per alert"
            );
            for ((alert_id, p_cli), (row, p_page)) in cli_scores
                .iter()
                .zip(workspace.features().iter().zip(&page))
            {
                assert_eq!(*alert_id, row.candid.0, "input order");
                assert!(
                    (p_cli - p_page).abs() <= 1e-12,
                    "{fixture} {}: alert {alert_id}: CLI {p_cli} vs page {p_page}",
                    model.name()
                );
            }
        }
    }
}

#[test]
fn the_features_left_out_are_left_out_of_the_model_file_and_its_scores() {
    let fixture = FIXTURES[0];
    let (workspace, record, page) = trained_round(
        fixture,
        &ModelSpec::by_name("extra-trees").unwrap(),
        &["ra", "dec", "drb"],
    );
    let file = ModelFile::export_round(&workspace, &record).expect("exports");
    assert_eq!(file.feature_names.len(), 21 - 3);
    assert!(!file.feature_names.iter().any(|name| name == "drb"));
    assert_eq!(file.fitted.input_columns(), 18);
    assert_eq!(file.score(workspace.features()).expect("scores"), page);
    let importance = file.feature_importance.expect("importance is in the file");
    assert_eq!(importance.len(), 18);
}

#[test]
fn a_newer_version_or_a_missing_field_is_refused_with_a_message() {
    let (workspace, record, _) = trained_round(
        FIXTURES[0],
        &ModelSpec::by_name("extra-trees").unwrap(),
        &[],
    );
    let json = ModelFile::export_round(&workspace, &record)
        .expect("exports")
        .to_json();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["version"] = 2.into();
    let newer = ModelFile::from_json(&value.to_string()).unwrap_err();
    assert_eq!(newer, ModelFileError::Newer { found: 2 });
    assert!(newer.to_string().contains("update fink-vra"), "{newer}");

    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value.as_object_mut().unwrap().remove("fitted");
    let missing = ModelFile::from_json(&value.to_string()).unwrap_err();
    assert!(
        missing.to_string().contains("missing field `fitted`"),
        "{missing}"
    );

    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["fitted"]["trees"][0]["nodes"][0]["left"] = 0.into();
    let looping = ModelFile::from_json(&value.to_string()).unwrap_err();
    assert!(
        matches!(looping, ModelFileError::BrokenModel { .. }),
        "{looping}"
    );

    let not_a_model = ModelFile::from_json(r#"{"format": "fink-vra-labels"}"#).unwrap_err();
    assert_eq!(not_a_model, ModelFileError::NotAModelFile);

    let path = scratch("newer.json");
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["version"] = 7.into();
    std::fs::write(&path, value.to_string()).unwrap();
    let output = cli()
        .args(["score", "--model"])
        .arg(&path)
        .arg(FIXTURES[0])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("version 7, newer"));
}

#[test]
fn a_model_of_one_survey_refuses_files_of_the_other() {
    let (workspace, record, _) = trained_round(
        FIXTURES[0],
        &ModelSpec::by_name("extra-trees").unwrap(),
        &[],
    );
    let path = scratch("ztf-model.json");
    std::fs::write(
        &path,
        ModelFile::export_round(&workspace, &record)
            .unwrap()
            .to_json(),
    )
    .unwrap();
    let output = cli()
        .args(["score", "--model"])
        .arg(&path)
        .arg(FIXTURES[2])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("the model is for ZTF alerts"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A tree whose first split sends missing values to a leaf of their own
/// (as a forust booster built with a missing branch would), on a feature
/// that is missing in some fixtures' alerts.
fn missing_values_apart(feature_names: &[String]) -> Tree {
    let feature = feature_names
        .iter()
        .position(|name| {
            name == "sep_arcsec" || name == "linear_fit_slope_r" || name == "amplitude_g"
        })
        .expect("a feature with missing values");
    Tree {
        nodes: vec![
            TreeNode::Split {
                feature,
                threshold: 0.5,
                left: 1,
                right: 2,
                missing: 3,
            },
            TreeNode::Leaf { value: 0.25 },
            TreeNode::Leaf { value: -0.5 },
            TreeNode::Leaf { value: 1.5 },
        ],
    }
}

/// The Pythons of the test virtualenvs: onnxruntime's latest and Fink's
/// 1.16.3 (scripts/test sets both, and `FINK_VRA_REQUIRE_PYTHON=1` so that
/// CI cannot skip this).
fn test_pythons() -> Vec<String> {
    let pythons: Vec<String> = ["FINK_VRA_PYTHON", "FINK_VRA_PYTHON_ORT_116"]
        .iter()
        .filter_map(|variable| std::env::var(variable).ok())
        .collect();
    if pythons.len() < 2 && std::env::var("FINK_VRA_REQUIRE_PYTHON").as_deref() == Ok("1") {
        panic!(
            "FINK_VRA_PYTHON and FINK_VRA_PYTHON_ORT_116 must name the test virtualenvs' python"
        );
    }
    pythons
}

#[test]
fn onnxruntime_scores_the_exported_graph_as_the_cli_does_for_every_family_and_survey() {
    let pythons = test_pythons();
    if pythons.is_empty() {
        eprintln!("skipped: set FINK_VRA_PYTHON to a python with onnxruntime (scripts/test does)");
        return;
    }
    for fixture in [FIXTURES[0], FIXTURES[2], FIXTURES[3]] {
        let stem = Path::new(fixture)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let features = scratch(&format!("{stem}.features.csv"));
        let output = cli().arg("features").arg(fixture).output().unwrap();
        assert!(output.status.success());
        std::fs::write(&features, &output.stdout).unwrap();
        for model in families() {
            for excluded in [&[][..], &["ndets"][..]] {
                let (workspace, record, _) = trained_round(fixture, &model, excluded);
                let name = format!("{stem}-{}-{}", model.name(), excluded.len());
                let json = scratch(&format!("{name}.json"));
                let onnx = scratch(&format!("{name}.onnx"));
                let scores = scratch(&format!("{name}.scores.csv"));
                let mut file = ModelFile::export_round(&workspace, &record).unwrap();
                if let (FittedModel::GradientBoosting { trees, .. }, true) =
                    (&mut file.fitted, excluded.is_empty())
                {
                    // forust sends missing values left or right; a branch of
                    // their own (which the export splits in two) is added here.
                    trees.push(missing_values_apart(&file.feature_names));
                }
                std::fs::write(&json, file.to_json()).unwrap();
                let exported = cli()
                    .arg("export-onnx")
                    .arg(&json)
                    .arg(&onnx)
                    .output()
                    .unwrap();
                assert!(
                    exported.status.success(),
                    "{}",
                    String::from_utf8_lossy(&exported.stderr)
                );
                let scored = cli()
                    .args(["score", "--model"])
                    .arg(&json)
                    .arg(fixture)
                    .output()
                    .unwrap();
                assert!(scored.status.success());
                std::fs::write(&scores, &scored.stdout).unwrap();
                for python in &pythons {
                    let checked = Command::new(python)
                        .arg("tests/python/onnx_check.py")
                        .args([&json, &onnx, &features, &scores])
                        .output()
                        .expect("python runs");
                    eprintln!(
                        "{name}: {}",
                        String::from_utf8_lossy(&checked.stdout).trim()
                    );
                    assert!(
                        checked.status.success(),
                        "{name}: {}{}",
                        String::from_utf8_lossy(&checked.stdout),
                        String::from_utf8_lossy(&checked.stderr)
                    );
                }
            }
        }
    }
}

#[test]
fn the_cli_trains_a_new_round_from_a_label_csv_as_the_page_would_and_refuses_an_unknown_round() {
    for fixture in [FIXTURES[0], FIXTURES[2]] {
        let (workspace, _, _) = trained_round(
            fixture,
            &ModelSpec::by_name("gradient-boosting").unwrap(),
            &[],
        );
        let mut store = SettledLabels::new();
        for (index, row) in workspace.features().iter().enumerate().take(12) {
            store.insert(LabelEntry {
                candid: row.candid,
                object_id: row.object_id.clone(),
                label: if index % 2 == 0 {
                    Label::Gal
                } else {
                    Label::Extragal
                },
                timestamp: "2026-11-29T00:00:00Z".into(),
                annotator: "test".into(),
                round: None,
                random_pick: false,
            });
        }
        let labels = scratch(&format!("labels-{}.csv", workspace.survey().key()));
        std::fs::write(
            &labels,
            fink_vra::core::labels::exchange::export_labels_csv(workspace.survey(), &store),
        )
        .unwrap();
        let out = scratch(&format!("trained-{}.json", workspace.survey().key()));
        let trained = cli()
            .args([
                "train",
                "--model",
                "gradient-boosting",
                "--exclude",
                "ndets",
                "--labels",
            ])
            .arg(&labels)
            .arg("--out")
            .arg(&out)
            .arg(fixture)
            .output()
            .unwrap();
        assert!(
            trained.status.success(),
            "{}",
            String::from_utf8_lossy(&trained.stderr)
        );
        let model = ModelFile::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!((model.training.len(), model.round), (12, 0));
        assert_eq!(model.classifier.name(), "gradient-boosting");
        assert!(!model.feature_names.iter().any(|name| name == "ndets"));
        assert_eq!(
            model.score(workspace.features()).unwrap().len(),
            workspace.features().len()
        );
        let unknown = cli()
            .args(["train", "--round", "3", "--labels"])
            .arg(&labels)
            .arg("--out")
            .arg(scratch("never.json"))
            .arg(fixture)
            .output()
            .unwrap();
        assert!(!unknown.status.success());
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("--round 3"));
    }
}

#[test]
fn a_round_saved_before_rounds_named_their_features_is_not_exported_as_this_forest() {
    let (workspace, mut record, _) = trained_round(
        FIXTURES[0],
        &ModelSpec::by_name("extra-trees").unwrap(),
        &[],
    );
    record.features.clear();
    let refused = ModelFile::export_round(&workspace, &record).unwrap_err();
    assert_eq!(refused, ModelFileError::OlderRound { round: 3 });
    assert!(
        refused.to_string().contains("train a new round"),
        "{refused}"
    );
}

#[test]
fn a_model_file_without_features_is_refused_rather_than_scoring_nothing() {
    let (workspace, record, _) = trained_round(
        FIXTURES[0],
        &ModelSpec::by_name("logistic-regression").unwrap(),
        &[],
    );
    let json = ModelFile::export_round(&workspace, &record)
        .unwrap()
        .to_json();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["feature_names"] = serde_json::json!([]);
    let refused = ModelFile::from_json(&value.to_string()).unwrap_err();
    assert!(
        refused.to_string().contains("`feature_names` is empty"),
        "{refused}"
    );
}
