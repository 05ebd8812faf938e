//! Browser tests (wasm-bindgen-test in a dedicated worker of headless
//! Chromium) for the worker's glue: a `File` handle read with
//! `FileReaderSync`, parsed, answered through `reply_to` (the worker's one
//! entry point for the page's messages) in the wire format and added to a
//! workspace must give exactly the native CLI's feature table (ZTF and LSST);
//! a card's stamps come back decoded (gzipped and raw FITS); a one-class
//! round trains; an LSST round trains in the worker, and its model file
//! (exported in wasm) scores as the worker's round did.
#![cfg(target_arch = "wasm32")]

use fink_vra::core::alert::Survey;
use fink_vra::core::cutouts::read_card_stamps;
use fink_vra::core::features::csv::write_csv;
use fink_vra::core::file_reading::{read_file, FileReading};
use fink_vra::core::labelling::LabellingSession;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model_file::onnx::to_onnx;
use fink_vra::core::model_file::ModelFile;
use fink_vra::core::session::SavedSession;
use fink_vra::core::wire::protocol::{
    expect_card_stamps, expect_file_read, expect_fold_evaluated, expect_trained,
    expect_tree_blocks_scored, reply_from_bytes, reply_to_bytes, WorkerRequest,
};
use fink_vra::core::wire::to_bytes;
use fink_vra::core::workbench::WorkbenchSettings;
use fink_vra::core::workspace::{FileOutcome, Workspace};
use fink_vra::ui::worker_main::{reply_to, source_bytes};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const SCHEMA402: &[u8] = include_bytes!("fixtures/raw/ztf_schema402_10alerts.parquet");
const SCHEMA402_GOLDEN: &str = include_str!("fixtures/golden/ztf_schema402_10alerts.features.csv");
const DATATEST: &[u8] = include_bytes!("fixtures/raw/ztf_datatest_67alerts_no_lcfeatures.parquet");
const DATATEST_GOLDEN: &str =
    include_str!("fixtures/golden/ztf_datatest_67alerts_no_lcfeatures.features.csv");
const LSST_FINK: &[u8] = include_bytes!("../assets/sample/lsst_v10_fink_27alerts.parquet");
const LSST_FINK_GOLDEN: &str = include_str!("fixtures/golden/lsst_v10_fink_27alerts.features.csv");
const LSST_SIMULATED: &[u8] =
    include_bytes!("../assets/sample/lsst_v7_1_simulated_50alerts.parquet");
const LSST_SIMULATED_GOLDEN: &str =
    include_str!("fixtures/golden/lsst_v7_1_simulated_50alerts.features.csv");
const LSST_PANDAS: &[u8] = include_bytes!("fixtures/lsst/lsst_v10_pandas_25alerts.parquet");
const LSST_PANDAS_GOLDEN: &str =
    include_str!("fixtures/golden/lsst_v10_pandas_25alerts.features.csv");

/// A browser `File` holding `bytes`, as the file picker would hand it over.
fn browser_file(bytes: &[u8], name: &str) -> JsValue {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name)
        .expect("a File can be built")
        .into()
}

/// Labels the first `count` alerts of `workspace` gal and extragal in turn.
fn label_alternately(session: &mut LabellingSession, workspace: &Workspace, count: usize) {
    for (i, row) in workspace.features().iter().take(count).enumerate() {
        let label = if i % 2 == 0 {
            Label::Gal
        } else {
            Label::Extragal
        };
        let time = format!("2026-11-29T00:00:{i:02}.000Z");
        assert!(session.label(workspace, row.candid, label, time));
    }
}

/// The worker's reply to a `read-file` request for a `File` of `bytes`, as
/// the page decodes it.
fn read_through_the_worker(bytes: &[u8], name: &str) -> FileReading {
    let request = WorkerRequest::ReadFile { name: name.into() };
    let reply = reply_to(&message(&request, &browser_file(bytes, name)));
    expect_file_read(reply_from_bytes(&reply_to_bytes(&reply))).expect("the answer decodes")
}

/// What the page's workspace holds after the worker read `bytes` as a `File`.
fn features_through_the_worker(bytes: &[u8], name: &str) -> String {
    survey_features_through_the_worker(Survey::Ztf, bytes, name)
}

/// The same, into a workspace of `survey`.
fn survey_features_through_the_worker(survey: Survey, bytes: &[u8], name: &str) -> String {
    let read = source_bytes(&browser_file(bytes, name)).expect("FileReaderSync reads the File");
    assert_eq!(read, bytes);
    let mut workspace = Workspace::for_survey(survey);
    workspace.add_reading(read_through_the_worker(bytes, name));
    assert!(matches!(
        workspace.files()[0].outcome,
        FileOutcome::Loaded(_)
    ));
    let mut out = Vec::new();
    write_csv(survey, workspace.features(), &mut out).expect("writing to memory");
    String::from_utf8(out).expect("utf-8")
}

#[wasm_bindgen_test]
fn full_schema_features_in_the_worker_equal_the_native_cli_output() {
    assert_eq!(
        features_through_the_worker(SCHEMA402, "schema402.parquet"),
        SCHEMA402_GOLDEN
    );
}

#[wasm_bindgen_test]
fn recomputed_lc_features_in_the_worker_equal_the_native_cli_output() {
    assert_eq!(
        features_through_the_worker(DATATEST, "datatest.parquet"),
        DATATEST_GOLDEN
    );
}

#[wasm_bindgen_test]
fn lsst_features_in_the_worker_equal_the_native_cli_output_byte_for_byte() {
    for (bytes, golden, name) in [
        (LSST_FINK, LSST_FINK_GOLDEN, "lsst_v10_fink.parquet"),
        (LSST_SIMULATED, LSST_SIMULATED_GOLDEN, "lsst_v7_1.parquet"),
        (LSST_PANDAS, LSST_PANDAS_GOLDEN, "lsst_v10_pandas.parquet"),
    ] {
        assert_eq!(
            survey_features_through_the_worker(Survey::Lsst, bytes, name),
            golden,
            "{name}"
        );
    }
}

/// Through the worker's entry point: the `File` is read in slices (the ids,
/// then the alert's row group of stamps), not whole.
#[wasm_bindgen_test]
fn raw_fits_lsst_stamps_decode_in_the_worker() {
    let reading = read_through_the_worker(LSST_SIMULATED, "lsst.parquet");
    let id = reading.result.expect("reads").parsed.alerts[3].candid();
    let request = WorkerRequest::CardStamps {
        name: "lsst.parquet".into(),
        candid: id,
    };
    let reply = reply_to(&message(
        &request,
        &browser_file(LSST_SIMULATED, "lsst.parquet"),
    ));
    let stamps = expect_card_stamps(reply_from_bytes(&reply_to_bytes(&reply)))
        .expect("the answer decodes")
        .expect("has stamps");
    for stamp in &stamps {
        let image = stamp.image.as_ref().expect("decodes");
        assert!(image.width >= 30 && image.height >= 30, "{}", stamp.title);
    }
}

#[wasm_bindgen_test]
fn a_corrupt_file_is_an_answer_not_a_crash() {
    let reading = read_through_the_worker(b"PAR1 not parquet PAR1", "corrupt.parquet");
    assert!(reading.result.is_err());
}

#[wasm_bindgen_test]
fn the_stamps_of_a_file_handle_decode_in_the_worker() {
    let bytes = source_bytes(&browser_file(SCHEMA402, "schema402.parquet")).expect("reads");
    let reading = read_file("schema402.parquet", bytes.clone());
    let candid = reading.result.expect("reads").parsed.alerts[0].candid();
    let stamps = read_card_stamps("schema402.parquet", bytes, candid)
        .expect("readable")
        .expect("has stamps");
    let titles: Vec<&str> = stamps.iter().map(|stamp| stamp.title.as_str()).collect();
    assert_eq!(titles, ["Science", "Template", "Difference"]);
    assert!(stamps.iter().all(|stamp| stamp.image.is_ok()));
}

/// The message the page posts: `[id, name, request (postcard), payload]`.
fn message(request: &WorkerRequest, payload: &JsValue) -> js_sys::Array {
    js_sys::Array::of4(
        &JsValue::from(7),
        &JsValue::from_str(request.name()),
        &js_sys::Uint8Array::from(request.to_bytes().as_slice()),
        payload,
    )
}

/// A round trained through the worker's messages: the simulated LSST file
/// loaded, a session with some of its alerts labelled in turn, the round's
/// job, its rows (and as the worker's payload) and the worker's answer.
struct LsstRound {
    workspace: Workspace,
    session: LabellingSession,
    job: fink_vra::core::workbench::TrainingJob,
    values: Vec<f64>,
    payload: JsValue,
    outcome: fink_vra::core::workbench::TrainingOutcome,
}

/// [`LsstRound`] with `labels` alerts labelled.
fn lsst_round_trained_in_the_worker(labels: usize) -> LsstRound {
    let mut workspace = Workspace::for_survey(Survey::Lsst);
    workspace.load_file("simulated.parquet", LSST_SIMULATED.to_vec());
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Lsst));
    label_alternately(&mut session, &workspace, labels);
    let (job, values) = session.training_job(&workspace, "t".into(), true);
    let payload: JsValue = js_sys::Float64Array::from(values.as_slice()).into();
    let reply = reply_to(&message(&WorkerRequest::Train(job.clone()), &payload));
    let outcome = expect_trained(reply_from_bytes(&reply_to_bytes(&reply))).expect("trains");
    LsstRound {
        workspace,
        session,
        job,
        values,
        payload,
        outcome,
    }
}

#[wasm_bindgen_test]
fn a_one_class_round_trains_in_the_worker_and_its_missing_auc_crosses_as_none() {
    let mut workspace = Workspace::new();
    workspace.load_file("schema402.parquet", SCHEMA402.to_vec());
    let mut session = LabellingSession::new(SavedSession::new());
    let _ = session.set_settings(
        &workspace,
        WorkbenchSettings {
            target: TargetMapping::real(),
            ..WorkbenchSettings::default()
        },
        "2026-11-29T00:00:00.000Z".into(),
    );
    for (i, row) in workspace.features().iter().take(4).enumerate() {
        let time = format!("2026-11-29T00:00:0{i}.000Z");
        assert!(session.label(&workspace, row.candid, Label::Real, time));
    }
    let (job, values) = session.training_job(&workspace, "t".into(), true);
    let payload: JsValue = js_sys::Float64Array::from(values.as_slice()).into();
    let reply = reply_to(&message(&WorkerRequest::Train(job.clone()), &payload));
    let outcome = expect_trained(reply_from_bytes(&reply_to_bytes(&reply))).expect("trains");
    assert_eq!(outcome.record.class_counts, [0, 4]);
    assert_eq!(outcome.record.training_set.roc_auc, None);
    let follow_up = session
        .apply_training(&workspace, &job, outcome)
        .expect("applies");
    assert!(follow_up.rerank);
    assert_eq!(session.saved().rounds.len(), 1);
}

#[wasm_bindgen_test]
fn a_forest_grown_in_blocks_by_two_workers_adds_up_to_the_round_one_worker_trains() {
    let LsstRound {
        workspace,
        job,
        values,
        payload,
        outcome: whole,
        ..
    } = lsst_round_trained_in_the_worker(16);
    let part = |blocks: std::ops::Range<usize>| {
        let request = WorkerRequest::ScoreTreeBlocks {
            job: job.clone(),
            blocks,
        };
        let reply = reply_to(&message(&request, &payload));
        expect_tree_blocks_scored(reply_from_bytes(&reply_to_bytes(&reply))).expect("scores")
    };
    let in_parts = job
        .outcome_from_tree_blocks(&values, vec![part(4..10), part(0..4)])
        .expect("adds up");
    assert_eq!(to_bytes(&in_parts), to_bytes(&whole));
    let file = ModelFile::export_round(&workspace, &in_parts.record).expect("exports");
    assert_eq!(
        file.score(workspace.features()).expect("scores"),
        in_parts.probabilities,
        "the model file scores as the workers' parts did"
    );
}

#[wasm_bindgen_test]
fn a_round_trained_in_the_worker_exports_a_model_file_that_scores_as_the_worker_did() {
    let mut workspace = Workspace::for_survey(Survey::Lsst);
    workspace.load_file("simulated.parquet", LSST_SIMULATED.to_vec());
    for model in ["extra-trees", "gradient-boosting", "logistic-regression"] {
        let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Lsst));
        let mut settings = WorkbenchSettings {
            model: fink_vra::core::model::ModelSpec::by_name(model).expect("known"),
            ..WorkbenchSettings::default()
        };
        settings.set_feature_used("snr", false);
        let _ = session.set_settings(&workspace, settings, "2026-11-29T00:00:00.000Z".into());
        label_alternately(&mut session, &workspace, 16);
        let (job, values) = session.training_job(&workspace, "t".into(), true);
        let payload: JsValue = js_sys::Float64Array::from(values.as_slice()).into();
        let reply = reply_to(&message(&WorkerRequest::Train(job), &payload));
        let outcome = expect_trained(reply_from_bytes(&reply_to_bytes(&reply))).expect("trains");
        let file = ModelFile::export_round(&workspace, &outcome.record).expect("exports");
        assert_eq!(file.feature_names.len(), 45, "every LSST feature but snr");
        assert!(!file.feature_names.iter().any(|name| name == "snr"));
        let read = ModelFile::from_json(&file.to_json()).expect("reads back");
        assert_eq!(
            read.score(workspace.features()).expect("scores"),
            outcome.probabilities,
            "{model}: the model file scores as the worker's round did"
        );
        assert_eq!(to_onnx(&read), to_onnx(&file));
    }
}

#[wasm_bindgen_test]
fn a_rounds_record_completed_fold_by_fold_in_the_worker_is_the_round_trained_whole() {
    let LsstRound {
        workspace,
        mut session,
        job,
        values,
        outcome,
        ..
    } = lsst_round_trained_in_the_worker(20);
    let whole = job.run(&values).expect("trains whole");
    let _ = session
        .apply_training(&workspace, &job, outcome)
        .expect("applies");
    let evaluation = session.pending_records().remove(0);
    let rows = session
        .evaluation_rows(&workspace, &evaluation)
        .expect("rows");
    let rows_payload: JsValue = js_sys::Float64Array::from(rows.as_slice()).into();
    let outcomes: Vec<_> = (0..evaluation.fold_count())
        .map(|fold| {
            let request = WorkerRequest::EvaluateFold {
                job: evaluation.clone(),
                fold,
            };
            let reply = reply_to(&message(&request, &rows_payload));
            expect_fold_evaluated(reply_from_bytes(&reply_to_bytes(&reply))).expect("evaluates")
        })
        .collect();
    assert_eq!(outcomes.len(), 5);
    assert!(session.complete_record(&evaluation, evaluation.summarize(&outcomes)));
    assert_eq!(session.saved().rounds[0], whole.record);
}
