//! One order, one record: the same labels and settings give the same round
//! (model, cross-validated metrics and importance) whichever way their rows
//! came in: the page with two files loaded, `fink-vra train` from a version
//! 3 label file alone (rows in id order), and `fink-vra train` with the
//! alert files given in another order. Before, the training list followed
//! the rows' order, so the folds, hence the metrics, differed by route.

mod common;

use std::path::Path;
use std::process::Command;

use fink_vra::core::alert::Survey;
use fink_vra::core::labelling::LabellingSession;
use fink_vra::core::labels::exchange::export_json;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model_file::ModelFile;
use fink_vra::core::session::SavedSession;
use fink_vra::core::workspace::Workspace;

const FILE_A: &str = "raw/ztf_hostless_72alerts.parquet";
const FILE_B: &str = "raw/ztf_schema402_10alerts.parquet";

/// The model file's JSON less the time it was trained.
fn without_time(model: &str) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_str(model).expect("a model file");
    value
        .as_object_mut()
        .expect("an object")
        .remove("trained_at");
    value
}

/// `fink-vra train --labels LABELS --out OUT FILES…`; it must succeed.
fn train_cli(labels: &Path, files: &[&str], out: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_fink-vra"))
        .args(["train", "--labels"])
        .arg(labels)
        .arg("--out")
        .arg(out)
        .args(files.iter().map(|name| common::fixture(name)))
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(out).expect("written")
}

#[test]
fn a_rounds_record_does_not_depend_on_the_order_its_rows_came_in() {
    let mut workspace = Workspace::for_survey(Survey::Ztf);
    for name in [FILE_A, FILE_B] {
        workspace.load_file(name, std::fs::read(common::fixture(name)).expect("fixture"));
    }
    // 30 labels on alerts of both files, taken from the end of the list
    // backwards: neither file order nor id order.
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Ztf));
    let rows: Vec<_> = workspace
        .features()
        .iter()
        .rev()
        .step_by(2)
        .take(30)
        .collect();
    assert_eq!(rows.len(), 30);
    for (index, row) in rows.iter().enumerate() {
        let label = if row.values[0].to_bits() % 2 == 0 {
            Label::Gal
        } else {
            Label::Extragal
        };
        let label = if index < 4 {
            [Label::Gal, Label::Extragal][index % 2]
        } else {
            label
        };
        let time = format!("2026-12-06T10:00:{index:02}.000Z");
        assert!(session.label(&workspace, row.candid, label, time));
    }
    let saved = session.saved();
    let label_file = export_json(
        Survey::Ztf,
        &saved.labels,
        None,
        &saved.rounds,
        "ana",
        "2026-12-06T12:00:00Z",
        |candid| {
            workspace
                .known_row(candid)
                .map(|row| (row.values.as_slice(), workspace.known_mjd(candid)))
        },
    );

    // The page: "Train round 0", then "Export model".
    let (job, values) = session.training_job(&workspace, "2026-12-06T11:00:00Z".into(), true);
    let outcome = job.run(&values).expect("trains");
    let _ = session.apply_training(&workspace, &job, outcome);
    let record = &session.saved().rounds[0];
    assert!(
        record.cross_validated.is_some(),
        "the record has its metrics"
    );
    let page = ModelFile::export_round(&workspace, record)
        .expect("exports")
        .to_json();

    let directory = std::env::temp_dir().join(format!("fink-vra-routes-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let labels = directory.join("labels.json");
    std::fs::write(&labels, label_file).expect("written");
    let alone = train_cli(&labels, &[], &directory.join("alone.json"));
    let files_reversed = train_cli(&labels, &[FILE_B, FILE_A], &directory.join("files.json"));
    let _ = std::fs::remove_dir_all(&directory);

    let page = without_time(&page);
    assert!(
        page["metrics"]["cross_validated"].is_object(),
        "{}",
        page["metrics"]
    );
    assert_eq!(
        without_time(&alone),
        page,
        "`train` from the label file alone gives the page's round"
    );
    assert_eq!(
        without_time(&files_reversed),
        page,
        "`train` with the files in another order gives the page's round"
    );
}
