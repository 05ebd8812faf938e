//! Regression tests for the defects a long session on the page found, each
//! named after the bug it guards (the session's rules are in
//! `core::labelling`; the page only carries actions to it).

mod common;

use fink_vra::core::active::round::RoundRecord;
use fink_vra::core::alert::Candid;
use fink_vra::core::alert::Survey;
use fink_vra::core::file_reading::read_file;
use fink_vra::core::labelling::LabellingSession;
use fink_vra::core::labels::adjudication::AdjudicationReason;
use fink_vra::core::labels::exchange::export_json;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model::ModelSpec;
use fink_vra::core::session::SavedSession;
use fink_vra::core::team::consensus::ConsensusRule;
use fink_vra::core::wire::protocol::{
    answer, expect_ranked, expect_trained, reply_from_bytes, reply_to_bytes, Payload, WorkerError,
    WorkerRequest,
};
use fink_vra::core::workbench::WorkbenchSettings;
use fink_vra::core::workspace::Workspace;

const FILE_A: &str = "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet";
const FILE_B: &str = "clean/20250604_120102_alerts_ztf_hostless_72alerts.parquet";

/// A workspace holding file A, as the page has it after loading that file.
fn file_a() -> Workspace {
    let mut workspace = Workspace::new();
    load(&mut workspace, FILE_A);
    workspace
}

fn load(workspace: &mut Workspace, name: &str) {
    workspace.load_file(name, std::fs::read(common::fixture(name)).expect("fixture"));
}

fn session_with(settings: WorkbenchSettings) -> LabellingSession {
    let mut session = LabellingSession::new(SavedSession::new());
    let _ = session.set_settings(&Workspace::new(), settings, "2026-11-29T00:00:00Z".into());
    session
}

/// A new session with `settings` whose queue ranks `workspace`'s alerts.
fn ranked_session(workspace: &Workspace, settings: WorkbenchSettings) -> LabellingSession {
    let mut session = session_with(settings);
    rank(&mut session, workspace);
    session
}

fn rank(session: &mut LabellingSession, workspace: &Workspace) {
    let (job, values) = session.queue_job(workspace);
    session.apply_ranking(job.run(&values));
}

/// Labels the cards shown, in turn, with `labels`; returns their candids.
fn label_cards(
    session: &mut LabellingSession,
    workspace: &Workspace,
    labels: &[Label],
) -> Vec<Candid> {
    labels
        .iter()
        .enumerate()
        .map(|(i, &label)| {
            let candid = session.current(workspace).expect("a card").1.candid;
            assert!(session.label(
                workspace,
                candid,
                label,
                format!("2026-11-29T10:00:{i:02}.000Z")
            ));
            candid
        })
        .collect()
}

/// Trains a round (or refits) through the worker protocol, in postcard both ways.
fn train_through_the_wire(
    session: &mut LabellingSession,
    workspace: &Workspace,
    record: bool,
) -> Result<(), WorkerError> {
    let (job, values) = session.training_job(workspace, "2026-11-29T11:00:00Z".into(), record);
    let request = WorkerRequest::from_bytes(&WorkerRequest::Train(job.clone()).to_bytes())?;
    let reply = answer(request, Payload::FeatureRows(values));
    let outcome = expect_trained(reply_from_bytes(&reply_to_bytes(&reply)))?;
    let follow_up = session
        .apply_training(workspace, &job, outcome)
        .expect("applied");
    if follow_up.rerank {
        rank(session, workspace);
    }
    Ok(())
}

/// A session on file A whose first cards were labelled `labels`, with round
/// 0 trained through the worker's messages.
fn one_round(labels: &[Label]) -> (Workspace, LabellingSession) {
    let workspace = file_a();
    let mut session = ranked_session(&workspace, WorkbenchSettings::default());
    label_cards(&mut session, &workspace, labels);
    train_through_the_wire(&mut session, &workspace, true).expect("round 0 over the wire");
    (workspace, session)
}

#[test]
fn loading_a_second_file_after_a_round_never_indexes_past_the_rounds_probabilities() {
    let mut workspace = file_a();
    let mut session = ranked_session(&workspace, WorkbenchSettings::default());
    label_cards(
        &mut session,
        &workspace,
        &[Label::Gal, Label::Extragal, Label::Gal, Label::Agn],
    );
    // A round trains while the second file loads: its answer comes back late.
    let (job, values) = session.training_job(&workspace, "t".into(), true);
    let loaded_before = workspace.features().len();
    load(&mut workspace, FILE_B);
    assert!(workspace.features().len() > loaded_before);
    let outcome = job.run(&values).expect("trains");
    let follow_up = session
        .apply_training(&workspace, &job, outcome)
        .expect("applies");
    assert!(
        follow_up.refit,
        "the new alerts need the model's probabilities"
    );
    rank(&mut session, &workspace);
    let shown = session.current(&workspace).expect("a card").1.candid;
    assert_eq!(
        session.probability_of(shown).is_some(),
        job.candids.contains(&shown),
        "an alert has the late round's probability exactly when that round scored it"
    );
    // The refit scores every alert, the new file's too.
    train_through_the_wire(&mut session, &workspace, false).expect("refits");
    assert!(workspace
        .features()
        .iter()
        .all(|row| session.probability_of(row.candid).is_some()));
    label_cards(&mut session, &workspace, &[Label::Gal, Label::Agn]);
    train_through_the_wire(&mut session, &workspace, true).expect("round 1");
    assert_eq!(session.saved().rounds.len(), 2);
}

#[test]
fn the_real_model_trains_on_real_labels_alone_and_its_round_crosses_the_wire() {
    let workspace = file_a();
    let mut session = ranked_session(
        &workspace,
        WorkbenchSettings {
            target: TargetMapping::real(),
            validation_share: 0.3,
            ..WorkbenchSettings::default()
        },
    );
    label_cards(&mut session, &workspace, &[Label::Real; 8]);
    train_through_the_wire(&mut session, &workspace, true).expect("a single class trains");
    let round = &session.saved().rounds[0];
    assert_eq!(round.class_counts[0], 0);
    assert_eq!(round.training_set.roc_auc, None, "no AUC with one class");
    // The saved session (JSON) reads back: no NaN became null.
    let restored = SavedSession::from_json(&session.saved().to_json()).expect("reads back");
    assert_eq!(restored.rounds, session.saved().rounds);
}

#[test]
fn a_labels_round_is_the_first_round_that_trained_it_not_the_latest() {
    let workspace = file_a();
    let mut session = ranked_session(&workspace, WorkbenchSettings::default());
    let first = label_cards(
        &mut session,
        &workspace,
        &[Label::Gal, Label::Extragal, Label::Gal],
    );
    train_through_the_wire(&mut session, &workspace, true).expect("round 0");
    let second = label_cards(&mut session, &workspace, &[Label::Agn, Label::Varstar]);
    train_through_the_wire(&mut session, &workspace, true).expect("round 1");
    let round_of = |candid: Candid| session.training_labels().get(candid).and_then(|e| e.round);
    assert!(first.iter().all(|&c| round_of(c) == Some(0)));
    assert!(second.iter().all(|&c| round_of(c) == Some(1)));
    let export = export_json(
        Survey::Ztf,
        &session.saved().labels,
        None,
        &session.saved().rounds,
        "",
        "t",
        |_| None,
    );
    let exported =
        fink_vra::core::labels::exchange::import_json::<RoundRecord>("export.json", &export)
            .expect("reads");
    let exported_round = |candid: &Candid| {
        exported
            .labels
            .iter()
            .find(|entry| entry.candid == *candid)
            .and_then(|entry| entry.round)
    };
    assert!(
        first.iter().all(|c| exported_round(c) == Some(0)),
        "the export says so too"
    );
    assert!(second.iter().all(|c| exported_round(c) == Some(1)));
}

#[test]
fn an_answer_the_page_cannot_decode_is_an_error_not_an_empty_queue() {
    let reply = reply_from_bytes(&[0xff, 0x13, 0x37]);
    assert!(
        matches!(reply, Err(WorkerError::Undecodable { .. })),
        "{reply:?}"
    );
    assert!(
        expect_ranked(reply).is_err(),
        "the page then ranks in place"
    );
    // An answer of the wrong kind is refused too.
    let workspace = file_a();
    let session = session_with(WorkbenchSettings::default());
    let (job, values) = session.queue_job(&workspace);
    let ranked = answer(
        WorkerRequest::RankQueue(job.clone()),
        Payload::FeatureRows(values.clone()),
    );
    assert!(matches!(
        expect_trained(ranked.clone()),
        Err(WorkerError::UnexpectedAnswer { .. })
    ));
    assert_eq!(expect_ranked(ranked).expect("ranked"), job.run(&values));
    // A request with the wrong payload is an error, not a guess.
    let wrong = answer(WorkerRequest::RankQueue(job), Payload::File(Ok(Vec::new())));
    assert!(matches!(wrong, Err(WorkerError::BadRequest { .. })));
}

#[test]
fn a_file_read_in_the_worker_and_its_stamps_cross_the_protocol() {
    let name = "raw/ztf_schema402_10alerts.parquet";
    let bytes = std::fs::read(common::fixture(name)).expect("fixture");
    let request = WorkerRequest::ReadFile { name: name.into() };
    let reply = answer(request, Payload::File(Ok(bytes.clone())));
    let reading =
        fink_vra::core::wire::protocol::expect_file_read(reply_from_bytes(&reply_to_bytes(&reply)))
            .expect("read");
    // (NaN features: compared in their wire form.)
    assert_eq!(
        fink_vra::core::wire::to_bytes(&reading),
        fink_vra::core::wire::to_bytes(&read_file(name, bytes.clone()))
    );
    let candid = reading.result.expect("parses").parsed.alerts[0].candid();
    let stamps = answer(
        WorkerRequest::CardStamps {
            name: name.into(),
            candid,
        },
        Payload::File(Ok(bytes)),
    );
    let stamps = fink_vra::core::wire::protocol::expect_card_stamps(reply_from_bytes(
        &reply_to_bytes(&stamps),
    ))
    .expect("readable")
    .expect("has stamps");
    assert_eq!(stamps.len(), 3);
    let unreadable = answer(
        WorkerRequest::CardStamps {
            name: name.into(),
            candid,
        },
        Payload::File(Err("NotReadableError".into())),
    );
    assert!(matches!(unreadable, Err(WorkerError::Source { .. })));
}

#[test]
fn the_custom_model_type_is_saved_restored_and_trains() {
    let workspace = file_a();
    let custom = TargetMapping::parse_custom("extragal=1,agn=1,gal=0,varstar=0").expect("valid");
    let mut session = session_with(WorkbenchSettings {
        target: custom.clone(),
        model: ModelSpec::LogisticRegression { alpha: 1.0 },
        ..WorkbenchSettings::default()
    });
    let restored = SavedSession::from_json(&session.saved().to_json()).expect("reads");
    assert_eq!(restored.settings.target, custom);
    assert_eq!(restored.settings.target.name, TargetMapping::CUSTOM);
    rank(&mut session, &workspace);
    label_cards(
        &mut session,
        &workspace,
        &[Label::Extragal, Label::Gal, Label::Agn, Label::Varstar],
    );
    train_through_the_wire(&mut session, &workspace, true).expect("trains");
    assert_eq!(session.saved().rounds[0].model_type, "custom");
    assert_eq!(session.saved().rounds[0].class_counts, [2, 2]);
}

#[test]
fn two_tabs_saving_in_turn_keep_the_labels_of_both() {
    let workspace = file_a();
    let mut first = session_with(WorkbenchSettings::default());
    let mut storage = first.saved().to_json();
    let mut second = LabellingSession::new(SavedSession::from_json(&storage).expect("reads"));
    rank(&mut first, &workspace);
    rank(&mut second, &workspace);
    let by_first = label_cards(&mut first, &workspace, &[Label::Gal, Label::Agn]);
    // The second tab labels other alerts (it skips what the first shows).
    for candid in &by_first {
        second.skip(*candid);
    }
    let by_second = label_cards(&mut second, &workspace, &[Label::Varstar]);
    // Each tab saves as the page does: merge with storage, then write.
    for tab in [&mut first, &mut second] {
        let _ = tab
            .merge_stored(&workspace, &storage, &Default::default())
            .expect("reads");
        storage = tab.saved().to_json();
    }
    // The first tab hears of the second's save; a reload sees both.
    let _ = first
        .merge_stored(&workspace, &storage, &Default::default())
        .expect("reads");
    let reloaded = SavedSession::from_json(&storage).expect("reads");
    for candid in by_first.iter().chain(&by_second) {
        assert!(first.saved().labels.is_labelled(*candid));
        assert!(reloaded.labels.is_labelled(*candid));
    }
    // A label undone in one tab does not come back from the other's copy.
    assert_eq!(first.undo(), Some(by_first[1]));
    let _ = first
        .merge_stored(&workspace, &second.saved().to_json(), &Default::default())
        .expect("reads");
    assert!(!first.saved().labels.is_labelled(by_first[1]));
}

#[test]
fn an_adjudication_stays_after_saving_over_the_copy_that_had_none_and_undo_takes_it_back() {
    let mut workspace = file_a();
    let settings = WorkbenchSettings {
        consensus: ConsensusRule::Majority,
        ..WorkbenchSettings::default()
    };
    let mut session = ranked_session(&workspace, settings);
    session.set_annotator("ana");
    let labelled = label_cards(&mut session, &workspace, &[Label::Gal]);
    // A colleague labelled the same alert otherwise.
    let mut colleague = LabellingSession::new(SavedSession::new());
    assert!(colleague.label(
        &workspace,
        labelled[0],
        Label::Agn,
        "2026-11-28T09:00:00.000Z".into()
    ));
    let export = export_json(
        Survey::Ztf,
        &colleague.saved().labels,
        None,
        &[] as &[RoundRecord],
        "bob",
        "t",
        |_| None,
    );
    let (outcome, _) = session.import(&mut workspace, "bob.json", &export);
    outcome.expect("imports");
    let votes_on = |session: &LabellingSession| -> Vec<(String, Label)> {
        session
            .saved()
            .labels
            .votes()
            .votes_on(labelled[0])
            .map(|vote| (vote.annotator.clone(), vote.label))
            .collect()
    };
    assert_eq!(
        votes_on(&session),
        [
            ("ana".to_string(), Label::Gal),
            ("bob".to_string(), Label::Agn)
        ],
        "the colleague's vote is added, mine kept"
    );
    assert_eq!(
        session.training_labels().get(labelled[0]),
        None,
        "a tie is contested"
    );
    assert_eq!(session.review_queue().len(), 1);
    let stored = session.saved().to_json(); // saved while contested
    assert!(session.adjudicate(
        labelled[0],
        Some(Label::Agn),
        Some(AdjudicationReason::Mistake),
        "2026-11-28T10:00:00.000Z".into()
    ));
    // The page's next save merges the copy that had no decision.
    let _ = session
        .merge_stored(&workspace, &stored, &Default::default())
        .expect("reads");
    assert!(session.review_queue().is_empty(), "the decision holds");
    assert_eq!(
        session.training_labels().get(labelled[0]).map(|e| e.label),
        Some(Label::Agn)
    );
    // So does a reload, and a second import of the same file.
    let decided = session.saved().to_json();
    let mut reloaded = LabellingSession::new(SavedSession::from_json(&decided).expect("reads"));
    let (outcome, _) = reloaded.import(&mut workspace, "bob.json", &export);
    outcome.expect("imports");
    assert_eq!(
        reloaded.training_labels().get(labelled[0]).map(|e| e.label),
        Some(Label::Agn)
    );
    // Undo takes the decision back, and the copy that had it does not revive it.
    assert_eq!(session.undo(), Some(labelled[0]));
    assert_eq!(
        votes_on(&session).len(),
        2,
        "undo of a decision leaves every vote"
    );
    let _ = session
        .merge_stored(&workspace, &decided, &Default::default())
        .expect("reads");
    assert_eq!(session.training_labels().get(labelled[0]), None);
    assert_eq!(session.review_queue().len(), 1);
}

#[test]
fn a_refit_is_asked_for_only_when_it_can_fit_something() {
    let workspace = file_a();
    let mut session = ranked_session(&workspace, WorkbenchSettings::default());
    label_cards(&mut session, &workspace, &[Label::Gal, Label::Agn]);
    train_through_the_wire(&mut session, &workspace, true).expect("round 0");
    // A reload, then only a file with none of the labelled alerts.
    let mut reloaded = LabellingSession::new(session.saved().clone());
    let mut other_day = Workspace::new();
    load(
        &mut other_day,
        "clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet",
    );
    assert!(
        !reloaded.alerts_added(&other_day).refit,
        "no loaded label to fit on"
    );
    assert!(
        reloaded.alerts_added(&workspace).refit,
        "the labelled alerts are loaded"
    );
    // A model type with no label of its classes yet: nothing to refit.
    let real_or_bogus = WorkbenchSettings {
        target: TargetMapping::parse_custom("bogus=0,real=1").expect("valid"),
        ..reloaded.settings().clone()
    };
    let follow_up = reloaded.set_settings(&workspace, real_or_bogus, "2026-11-29T12:00:00Z".into());
    assert!(follow_up.rerank && !follow_up.refit);
}

/// Found by the session model on LSST: a ranking computed while solar-system
/// alerts were let in, applied after they were left out again, put one on the
/// card.
#[test]
fn a_ranking_from_before_solar_system_alerts_were_left_out_never_shows_one() {
    let mut workspace = Workspace::for_survey(Survey::Lsst);
    load(&mut workspace, "lsst/lsst_v10_pandas_25alerts.parquet");
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Lsst));
    let let_in = WorkbenchSettings {
        include_solar_system: true,
        ..WorkbenchSettings::default()
    };
    let _ = session.set_settings(&workspace, let_in.clone(), "2026-11-29T00:00:01Z".into());
    let (job, values) = session.queue_job(&workspace);
    let ranking_with_them = job.run(&values);
    assert_eq!(ranking_with_them.len(), 25, "all 25 alerts ranked");
    let left_out = WorkbenchSettings {
        include_solar_system: false,
        ..let_in
    };
    let _ = session.set_settings(&workspace, left_out, "2026-11-29T00:00:02Z".into());
    session.apply_ranking(ranking_with_them);
    let mut shown = 0;
    while let Some((row, alert)) = session.current(&workspace) {
        assert!(!workspace.alerts()[row].is_solar_system(), "{alert:?}");
        let candid = alert.candid;
        session.skip(candid);
        shown += 1;
    }
    assert_eq!(shown, 22, "every other alert is still shown");
}

/// A round is recorded as soon as it ranks; a reload before its
/// cross-validation came back, on a browser that kept no training rows
/// (private mode), must not leave it "being computed" for ever, nor invent
/// metrics: it says "metrics not computed" and why, and once the file is
/// loaded again it is computed, the same as the round trained whole.
#[test]
fn a_round_pending_at_a_reload_without_its_rows_says_metrics_not_computed_then_computes() {
    use fink_vra::core::active::evaluation::RecordState;
    let workspace = file_a();
    let mut session = ranked_session(&workspace, WorkbenchSettings::default());
    label_cards(
        &mut session,
        &workspace,
        &[
            Label::Gal,
            Label::Extragal,
            Label::Gal,
            Label::Agn,
            Label::Gal,
            Label::Extragal,
        ],
    );
    let (job, values) = session.training_job(&workspace, "2026-11-29T11:00:00Z".into(), true);
    let whole = job.run(&values).expect("trains whole");
    train_through_the_wire(&mut session, &workspace, true).expect("trains");
    assert_eq!(session.saved().rounds[0].record_state, RecordState::Pending);
    assert_eq!(session.saved().rounds[0].cross_validated, None);

    // Reload: the saved session, no file, no stored rows.
    let saved = SavedSession::from_json(&session.saved().to_json()).expect("reads");
    let mut reloaded = LabellingSession::new(saved);
    let mut empty = Workspace::new();
    let pending = reloaded.pending_records();
    assert_eq!(pending.len(), 1, "the round still waits for its record");
    let problem = reloaded
        .evaluation_rows(&empty, &pending[0])
        .expect_err("no rows at hand");
    reloaded.record_not_computed(&pending[0], problem.to_string());
    let record = &reloaded.saved().rounds[0];
    match &record.record_state {
        RecordState::NotComputed { reason } => {
            assert!(reason.contains("neither loaded nor stored"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(reloaded.pending_records().is_empty());

    // The file is loaded again: "Compute metrics".
    load(&mut empty, FILE_A);
    let job = reloaded.record_job(0).expect("not complete");
    reloaded.mark_record_pending(&job);
    assert_eq!(reloaded.pending_records(), vec![job.clone()]);
    let rows = reloaded.evaluation_rows(&empty, &job).expect("rows");
    let evaluation = job.run(&rows).expect("evaluates");
    assert!(reloaded.complete_record(&job, evaluation.clone()));
    assert_eq!(reloaded.saved().rounds[0], whole.record);
    assert!(
        !reloaded.complete_record(&job, evaluation),
        "a record completes once"
    );
}

/// Two tabs: one completes a round's record while the other still has it
/// pending; merging either way keeps the complete record.
#[test]
fn merging_a_tab_that_completed_a_record_keeps_it_complete() {
    use fink_vra::core::active::evaluation::RecordState;
    let (workspace, mut session) =
        one_round(&[Label::Gal, Label::Extragal, Label::Gal, Label::Extragal]);
    let pending_copy = session.saved().to_json();
    let job = session.pending_records().remove(0);
    let rows = session.evaluation_rows(&workspace, &job).expect("rows");
    assert!(session.complete_record(&job, job.run(&rows).expect("evaluates")));
    let _ = session
        .merge_stored(&workspace, &pending_copy, &Default::default())
        .expect("reads");
    assert_eq!(
        session.saved().rounds[0].record_state,
        RecordState::Complete
    );
    let mut other = LabellingSession::new(SavedSession::from_json(&pending_copy).expect("reads"));
    let _ = other
        .merge_stored(&workspace, &session.saved().to_json(), &Default::default())
        .expect("reads");
    assert_eq!(other.saved().rounds, session.saved().rounds);
}

/// The bug: a round's `consensus` was skipped when empty, and postcard, which
/// is not self-describing, could then not decode any round the worker sent.
#[test]
fn a_round_with_or_without_a_consensus_record_crosses_the_worker_boundary() {
    use fink_vra::core::team::consensus::{ConsensusRecord, ConsensusRule, ProvenanceCounts};
    let (_, session) = one_round(&[Label::Gal, Label::Extragal, Label::Gal, Label::Agn]);
    let without = session.saved().rounds[0].clone();
    assert_eq!(without.consensus, None);
    let with = RoundRecord {
        consensus: Some(ConsensusRecord {
            rule: ConsensusRule::Weighted,
            posterior_threshold: 0.8,
            annotator: String::new(),
            counts: ProvenanceCounts {
                unanimous: 3,
                left_out: 1,
                ..ProvenanceCounts::default()
            },
        }),
        ..without.clone()
    };
    for record in [without, with] {
        let bytes = fink_vra::core::wire::to_bytes(&record);
        let crossed: RoundRecord = fink_vra::core::wire::from_bytes(&bytes).expect("decodes");
        assert_eq!(crossed, record);
        let json = serde_json::to_string(&record).expect("json");
        assert_eq!(
            serde_json::from_str::<RoundRecord>(&json).expect("reads"),
            record
        );
    }
}
