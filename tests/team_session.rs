//! Team labelling in one session, on a real fixture: blind labelling hides
//! the others' votes on the card until mine and then reveals them with
//! agreement marked; double labelling serves alerts others labelled and I
//! have not, up to the votes per alert the settings gather.

mod common;

use fink_vra::core::active::pick_reason::PickReason;
use fink_vra::core::alert::Candid;
use fink_vra::core::labelling::{CardVotes, LabellingSession, RevealedVotes};
use fink_vra::core::labels::entry::LabelEntry;
use fink_vra::core::labels::gold::GoldLabel;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::session::SavedSession;
use fink_vra::core::workbench::WorkbenchSettings;
use fink_vra::core::workspace::Workspace;

const FILE_A: &str = "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet";

/// Ana's session on file A with `settings`, ranked, and bo's votes (gal) on
/// the first `bo_voted` alerts of its queue; returns those alerts.
fn ana_with_bos_votes(
    settings: WorkbenchSettings,
    bo_voted: usize,
) -> (Workspace, LabellingSession, Vec<Candid>) {
    ana_with_bos_file(settings, bo_voted, 0)
}

/// The same, bo marking the first `gold` of his alerts gold.
fn ana_with_bos_file(
    settings: WorkbenchSettings,
    bo_voted: usize,
    gold: usize,
) -> (Workspace, LabellingSession, Vec<Candid>) {
    let mut workspace = Workspace::new();
    workspace.load_file(
        FILE_A,
        std::fs::read(common::fixture(FILE_A)).expect("fixture"),
    );
    let mut session = LabellingSession::new(SavedSession::new());
    session.set_annotator("ana");
    let _ = session.set_settings(&workspace, settings, "2026-12-07T00:00:00Z".into());
    let (job, values) = session.queue_job(&workspace);
    session.apply_ranking(job.run(&values));
    let alerts: Vec<Candid> = session.queue()[..bo_voted]
        .iter()
        .map(|queued| queued.candid)
        .collect();
    let bos: Vec<LabelEntry> = alerts
        .iter()
        .map(|&candid| {
            let row = workspace.row_of(candid).expect("loaded");
            LabelEntry {
                candid,
                object_id: workspace.features()[row].object_id.clone(),
                label: Label::Gal,
                timestamp: "2026-12-07T09:00:00Z".into(),
                annotator: "bo".into(),
                round: None,
                random_pick: false,
            }
        })
        .collect();
    let export = fink_vra::core::labels::exchange::export_json(
        workspace.survey(),
        &{
            let mut store = fink_vra::core::labels::store::LabelStore::new();
            let marks: Vec<GoldLabel> = bos[..gold]
                .iter()
                .map(|vote| GoldLabel {
                    candid: vote.candid,
                    object_id: vote.object_id.clone(),
                    label: Some(vote.label),
                    marked_by: "bo".into(),
                    timestamp: "2026-12-07T09:10:00Z".into(),
                })
                .collect();
            let _ = store.merge(bos);
            let _ = store.merge_gold(marks);
            store
        },
        None,
        &[] as &[()],
        "bo",
        "2026-12-07T09:30:00Z",
        |_| None,
    );
    let (outcome, follow_up) = session.import(&mut workspace, "bo.json", &export);
    outcome.expect("imports");
    if follow_up.rerank {
        let (job, values) = session.queue_job(&workspace);
        session.apply_ranking(job.run(&values));
    }
    (workspace, session, alerts)
}

#[test]
fn double_labelling_serves_others_alerts_blind_until_my_vote_then_reveals_them() {
    let settings = WorkbenchSettings {
        double_labelling: true,
        votes_per_alert: 2,
        ..WorkbenchSettings::default()
    };
    let (workspace, mut session, bos) = ana_with_bos_votes(settings, 3);
    assert!(session.blind(), "two annotators, the setting on by default");
    // Bo's alerts are open to me; the card hides bo's vote.
    let mut served = None;
    while let Some((_, queued)) = session.current(&workspace) {
        let candid = queued.candid;
        if bos.contains(&candid) {
            served = Some(candid);
            break;
        }
        session.skip(candid);
    }
    let served = served.expect("one of bo's alerts is served");
    assert_eq!(session.card_votes(served), CardVotes::Hidden);
    assert!(session.label(
        &workspace,
        served,
        Label::Extragal,
        "2026-12-07T10:00:00.000Z".into()
    ));
    assert_eq!(
        session.revealed_votes(),
        Some(RevealedVotes {
            candid: served,
            mine: Label::Extragal,
            others: vec![("bo".to_string(), Label::Gal, false)],
        })
    );
    assert_eq!(
        session.card_votes(served),
        CardVotes::Shown(vec![("bo".to_string(), Label::Gal)])
    );
    // Two votes now: the alert is closed, and it would be for a third
    // annotator too (votes per alert = 2).
    assert!(!session.queue_job(&workspace).0.candids.contains(&served));
    // My earlier labels of an object list mine only while blind.
    assert!(session
        .labels_for_cards()
        .labels()
        .all(|label| label.annotator == "ana"));
}

#[test]
fn without_double_labelling_others_alerts_stay_out_of_my_queue_and_show_their_votes_unblinded() {
    let settings = WorkbenchSettings {
        blind_labelling: false,
        ..WorkbenchSettings::default()
    };
    let (workspace, session, bos) = ana_with_bos_votes(settings, 3);
    let pool = session.queue_job(&workspace).0.candids;
    assert!(bos.iter().all(|candid| !pool.contains(candid)));
    assert_eq!(
        session.card_votes(bos[0]),
        CardVotes::Shown(vec![("bo".to_string(), Label::Gal)])
    );
    assert_eq!(
        session.labels_for_cards().len(),
        3,
        "bo's labels, not blind"
    );
}

#[test]
fn a_gold_alert_i_have_not_labelled_is_served_at_its_share_blind_and_measures_my_accuracy() {
    let settings = WorkbenchSettings {
        gold_share: 0.5,
        ..WorkbenchSettings::default()
    };
    let (workspace, mut session, bos) = ana_with_bos_file(settings, 3, 1);
    let gold = bos[0];
    assert_eq!(session.gold_label(gold), Some(Label::Gal));
    // Every second card: the gold alert is the second, a check the card does not name.
    let queue = session.queue();
    assert_eq!(queue[1].candid, gold);
    assert_eq!(queue[1].reason, PickReason::TeamCheck);
    assert!(
        !queue.iter().any(|queued| queued.candid == bos[1]),
        "bo's other alerts are not gold"
    );
    let first = session.current(&workspace).expect("a card").1.candid;
    session.skip(first);
    assert_eq!(session.current(&workspace).expect("a card").1.candid, gold);
    assert_eq!(session.card_votes(gold), CardVotes::Hidden);
    assert!(session.label(
        &workspace,
        gold,
        Label::Extragal,
        "2026-12-07T10:00:00.000Z".into()
    ));
    let report = session.team_report();
    let row = |name: &str| {
        report
            .annotators
            .iter()
            .find(|row| row.annotator == name)
            .map(|row| (row.gold_votes, row.gold_accuracy))
    };
    assert_eq!(
        row("ana"),
        Some((1, Some(0.0))),
        "ana said extragal, gold is gal"
    );
    assert_eq!(
        row("bo"),
        Some((0, None)),
        "bo's own gold mark measures nobody"
    );
    // Served once: labelled, it leaves the queue.
    let (job, values) = session.queue_job(&workspace);
    session.apply_ranking(job.run(&values));
    assert!(!session.queue().iter().any(|queued| queued.candid == gold));
    // My own mark: on my vote, exported and read back.
    assert!(session.mark_gold(gold, true, "2026-12-07T11:00:00.000Z".into()));
    assert_eq!(
        session.gold_label(gold),
        Some(Label::Extragal),
        "the later mark stands"
    );
    let export = fink_vra::core::labels::exchange::export_json(
        workspace.survey(),
        &session.saved().labels,
        None,
        &[] as &[()],
        "ana",
        "t",
        |_| None,
    );
    let mut fresh = SavedSession::new();
    let _ = fresh
        .import_label_file("ana.json", &export)
        .expect("imports");
    assert_eq!(
        fresh.labels.gold_marks(),
        session.saved().labels.gold_marks()
    );
}

#[test]
fn a_gold_mark_an_undo_leaves_alone_is_neither_served_nor_exported_regression() {
    // Ana labelled an alert alone, marked it gold, then undid the label:
    // the mark stayed, was exported and made her own file unreadable.
    let (workspace, mut session, _) = ana_with_bos_votes(WorkbenchSettings::default(), 0);
    let candid = session.current(&workspace).expect("a card").1.candid;
    assert!(session.label(
        &workspace,
        candid,
        Label::Gal,
        "2026-12-07T10:00:00.000Z".into()
    ));
    assert!(session.mark_gold(candid, true, "2026-12-07T10:00:01.000Z".into()));
    assert_eq!(session.undo(), Some(candid));
    assert_eq!(session.gold_label(candid), None);
    let export = fink_vra::core::labels::exchange::export_json(
        workspace.survey(),
        &session.saved().labels,
        None,
        &[] as &[()],
        "ana",
        "t",
        |_| None,
    );
    SavedSession::new()
        .import_label_file("ana.json", &export)
        .expect("her own file imports");
}

#[test]
fn leaving_labelled_objects_out_does_not_switch_off_double_labelling_regression() {
    // Each of bo's alerts has a label, so its object counted as labelled and
    // the alert itself was left out.
    let settings = WorkbenchSettings {
        double_labelling: true,
        skip_labelled_objects: true,
        ..WorkbenchSettings::default()
    };
    let (workspace, session, bos) = ana_with_bos_votes(settings, 3);
    let pool = session.queue_job(&workspace).0.candids;
    assert!(bos.iter().all(|candid| pool.contains(candid)));
}

#[test]
fn unsure_is_neither_gold_nor_an_adjudicated_label_regression() {
    let (workspace, mut session, bos) = ana_with_bos_votes(WorkbenchSettings::default(), 1);
    let candid = session.current(&workspace).expect("a card").1.candid;
    assert!(session.label(
        &workspace,
        candid,
        Label::Unsure,
        "2026-12-07T10:00:00.000Z".into()
    ));
    assert!(!session.mark_gold(candid, true, "2026-12-07T10:00:01.000Z".into()));
    assert!(!session.adjudicate(
        bos[0],
        Some(Label::Unsure),
        None,
        "2026-12-07T10:00:02.000Z".into()
    ));
}

#[test]
fn an_undone_gold_check_stays_in_front_after_a_late_ranking_regression() {
    let settings = WorkbenchSettings {
        gold_share: 0.05,
        ..WorkbenchSettings::default()
    };
    let (workspace, mut session, bos) = ana_with_bos_file(settings, 1, 1);
    let gold = bos[0];
    while session.current(&workspace).expect("a card").1.candid != gold {
        let candid = session.current(&workspace).expect("a card").1.candid;
        assert!(session.label(
            &workspace,
            candid,
            Label::Gal,
            "2026-12-07T10:00:00.000Z".into()
        ));
    }
    assert!(session.label(
        &workspace,
        gold,
        Label::Gal,
        "2026-12-07T10:01:00.000Z".into()
    ));
    assert_eq!(session.undo(), Some(gold));
    let (job, values) = session.queue_job(&workspace);
    session.apply_ranking(job.run(&values));
    assert_eq!(session.current(&workspace).expect("a card").1.candid, gold);
}

#[test]
fn my_labeled_csv_imported_back_adds_no_annotator_regression() {
    let (mut workspace, mut session, _) = ana_with_bos_votes(WorkbenchSettings::default(), 0);
    for second in 0..3 {
        let candid = session.current(&workspace).expect("a card").1.candid;
        assert!(session.label(
            &workspace,
            candid,
            Label::Gal,
            format!("2026-12-07T10:00:0{second}.000Z")
        ));
    }
    let csv = fink_vra::core::labels::exchange::export_labeled_csv(session.training_labels());
    let (outcome, _) = session.import(&mut workspace, "labeled.csv", &csv);
    let said = outcome.expect("imports").to_string();
    assert!(said.contains("0 vote(s) added, 3 already there"), "{said}");
    assert_eq!(session.saved().labels.votes().annotators(), ["ana"]);
}

#[test]
fn the_labels_table_and_the_export_give_each_alerts_provenance_and_training_label() {
    let double = WorkbenchSettings {
        double_labelling: true,
        ..WorkbenchSettings::default()
    };
    let (workspace, mut session, bos) = ana_with_bos_votes(double, 4);
    // Ana agrees on the first, disagrees on the second; the third a reviewer
    // settles; the fourth stays bo's alone.
    let stamp = |minute: u32| format!("2026-12-07T10:{minute:02}:00Z");
    assert!(session.label(&workspace, bos[0], Label::Gal, stamp(1)));
    assert!(session.label(&workspace, bos[1], Label::Agn, stamp(2)));
    assert!(session.label(&workspace, bos[2], Label::Agn, stamp(3)));
    assert!(session.adjudicate(bos[2], Some(Label::Gal), None, stamp(4)));
    let majority = WorkbenchSettings {
        consensus: fink_vra::core::team::consensus::ConsensusRule::Majority,
        ..session.settings().clone()
    };
    let _ = session.set_settings(&workspace, majority, stamp(5));

    let (all, total) = session.labels_page(0, 100, None);
    assert_eq!(total, 4);
    let row_of = |candid| all.iter().find(|row| row.candid == candid).expect("a row");
    use fink_vra::core::team::consensus::Provenance;
    assert_eq!(
        (row_of(bos[0]).provenance, row_of(bos[0]).training_label),
        (Provenance::Unanimous, Some(Label::Gal))
    );
    assert_eq!(
        (row_of(bos[1]).provenance, row_of(bos[1]).training_label),
        (Provenance::Contested, None),
        "a tie under majority does not train"
    );
    assert_eq!(
        row_of(bos[1]).votes,
        vec![("ana".into(), Label::Agn), ("bo".into(), Label::Gal)]
    );
    assert_eq!(
        (row_of(bos[2]).provenance, row_of(bos[2]).training_label),
        (Provenance::Adjudicated, Some(Label::Gal))
    );
    assert_eq!(row_of(bos[3]).provenance, Provenance::Single);
    // Filtered and paged.
    let (contested, total) = session.labels_page(0, 100, Some(Provenance::Contested));
    assert_eq!((contested.len(), total), (1, 1));
    assert_eq!(contested[0].candid, bos[1]);
    let (second_page, total) = session.labels_page(2, 2, None);
    assert_eq!(total, 4);
    assert_eq!(second_page, all[2..4].to_vec());

    // The export writes the same, and an import reads the votes alone.
    let export = session.export_json("2026-12-07T11:00:00Z", |_| None);
    let json: serde_json::Value = serde_json::from_str(&export).expect("JSON");
    assert_eq!(json["consensus"]["rule"], "majority");
    let outcomes = json["consensus"]["alerts"].as_array().expect("alerts");
    assert_eq!(outcomes.len(), 4);
    for row in &all {
        let written = outcomes
            .iter()
            .find(|outcome| outcome["alert_id"] == row.candid.to_string())
            .expect("every alert written");
        assert_eq!(written["provenance"], row.provenance.name());
        assert_eq!(
            written["label"].as_str(),
            row.training_label.map(|label| label.name())
        );
    }
    let mut fresh = LabellingSession::new(SavedSession::new());
    fresh.set_annotator("cy");
    let mut elsewhere = Workspace::new();
    let (outcome, _) = fresh.import(&mut elsewhere, "ana.json", &export);
    outcome.expect("the outcomes do not stop an import");
    assert_eq!(
        fresh.saved().labels.votes().all_votes().count(),
        session.saved().labels.votes().all_votes().count()
    );
}

#[test]
fn anonymous_review_names_the_others_by_letter_and_me_as_you() {
    let majority = WorkbenchSettings {
        consensus: fink_vra::core::team::consensus::ConsensusRule::Majority,
        double_labelling: true,
        ..WorkbenchSettings::default()
    };
    let (workspace, mut session, bos) = ana_with_bos_votes(majority, 1);
    assert!(session.label(
        &workspace,
        bos[0],
        Label::Agn,
        "2026-12-07T10:00:00Z".into()
    ));
    let items = session.review_queue();
    let item = items
        .iter()
        .find(|item| item.candid == bos[0])
        .expect("a tie under majority is contested");
    let named = item.vote_lines("ana", false);
    assert_eq!(
        named,
        vec![
            "ana: agn (2026-12-07T10:00:00Z)".to_string(),
            "bo: gal (2026-12-07T09:00:00Z)".to_string()
        ]
    );
    let anonymous = item.vote_lines("ana", true);
    assert_eq!(
        anonymous,
        vec![
            "you: agn (2026-12-07T10:00:00Z)".to_string(),
            "annotator A: gal (2026-12-07T09:00:00Z)".to_string()
        ]
    );
    assert!(anonymous.iter().all(|line| !line.contains("bo")));
}

#[test]
fn a_copy_saved_without_the_votes_stored_apart_is_not_behind_so_two_tabs_do_not_save_in_turn_regression(
) {
    // Two tabs hold bo's votes; each saves without them once bo's record
    // is in the database. Merging the other's copy must not count it as
    // behind (which saved again, and the other tab merged that…).
    let (workspace, session, _) = ana_with_bos_votes(WorkbenchSettings::default(), 3);
    let apart: std::collections::BTreeSet<String> = session
        .annotators_stored_apart()
        .into_iter()
        .map(|(annotator, _)| annotator)
        .collect();
    assert_eq!(apart, std::collections::BTreeSet::from(["bo".to_string()]));
    let copy = session.saved_json_leaving_out(&apart);
    assert!(
        !copy.contains("\"annotator\":\"bo\""),
        "bo's votes left out"
    );
    let mut other_tab = session.clone();
    let before = other_tab.revision();
    let _ = other_tab
        .merge_stored(&workspace, &copy, &apart)
        .expect("reads");
    assert_eq!(other_tab.revision(), before, "nothing to save again");
    assert_eq!(
        other_tab.saved().labels,
        session.saved().labels,
        "no vote lost"
    );
    // The copy names what it left out: a tab whose own record of bo has
    // not committed does not count it behind either (it writes its record).
    let _ = other_tab
        .merge_stored(&workspace, &copy, &Default::default())
        .expect("reads");
    assert_eq!(other_tab.revision(), before);
    // A copy that lacks bo's votes without saying so is behind: saved again.
    let mut unnamed: serde_json::Value = serde_json::from_str(&copy).expect("JSON");
    unnamed["votes_stored_apart"] = serde_json::json!([]);
    let _ = other_tab
        .merge_stored(&workspace, &unnamed.to_string(), &Default::default())
        .expect("reads");
    assert_ne!(other_tab.revision(), before);
}

#[test]
fn the_others_votes_read_back_from_their_records_are_the_votes_the_session_had() {
    use fink_vra::core::stored_votes::{read_record, record_bytes};
    let (workspace, session, _) = ana_with_bos_votes(WorkbenchSettings::default(), 5);
    let apart: std::collections::BTreeSet<String> = session
        .annotators_stored_apart()
        .into_iter()
        .map(|(annotator, _)| annotator)
        .collect();
    let survey = workspace.survey();
    let records: Vec<_> = apart
        .iter()
        .map(|annotator| {
            read_record(
                &record_bytes(session.saved().labels.votes(), survey, annotator),
                survey,
            )
            .expect("reads")
        })
        .collect();
    // A reload: the saved session without bo's votes, then bo's record.
    let head = SavedSession::from_json(&session.saved_json_leaving_out(&apart)).expect("reads");
    let mut reloaded = LabellingSession::new(head);
    assert_eq!(reloaded.saved().labels.votes().vote_count(), 0);
    let in_step = reloaded.take_in_stored_votes(records);
    assert_eq!(in_step, apart);
    assert_eq!(reloaded.saved().labels, session.saved().labels);
    assert_eq!(
        reloaded.training_labels(),
        session.training_labels(),
        "settled again"
    );
}

#[test]
fn two_tabs_under_two_names_leaving_out_each_others_votes_do_not_save_in_turn_regression() {
    // The name was corrected in one tab only: "anna" there, "ana" here.
    // Each left out the other's votes (another annotator's, in a record),
    // and each found the other's copy behind: they saved in turn forever.
    let (workspace, mut here, bos) = ana_with_bos_votes(
        WorkbenchSettings {
            double_labelling: true,
            ..WorkbenchSettings::default()
        },
        2,
    );
    assert!(here.label(
        &workspace,
        bos[0],
        Label::Gal,
        "2026-12-07T10:00:00Z".into()
    ));
    let mut there = here.clone();
    there.set_annotator("anna");
    let apart_of = |session: &LabellingSession| -> std::collections::BTreeSet<String> {
        session
            .annotators_stored_apart()
            .into_iter()
            .map(|(annotator, _)| annotator)
            .collect()
    };
    let (here_apart, there_apart) = (apart_of(&here), apart_of(&there));
    assert_eq!(there_apart.len(), 2, "there, ana's votes are another's too");
    let there_copy = there.saved_json_leaving_out(&there_apart);
    let before = here.revision();
    let _ = here
        .merge_stored(&workspace, &there_copy, &here_apart)
        .expect("reads");
    assert_eq!(
        here.revision(),
        before,
        "the copy left ana's votes out on purpose"
    );
    let here_copy = here.saved_json_leaving_out(&here_apart);
    let before = there.revision();
    let _ = there
        .merge_stored(&workspace, &here_copy, &there_apart)
        .expect("reads");
    assert_eq!(there.revision(), before);
}

/// An import settles again only the alerts whose votes it changed (and the
/// adjudicated ones): what it settles must be what settling every alert
/// gives, under each rule that settles alert by alert.
#[test]
fn an_import_settles_the_alerts_it_touched_as_settling_everything_would() {
    use fink_vra::core::labels::adjudication::AdjudicationReason;
    use fink_vra::core::team::consensus::{settle, ConsensusRule};
    for rule in [ConsensusRule::Mine, ConsensusRule::Majority] {
        let settings = WorkbenchSettings {
            consensus: rule,
            double_labelling: true,
            ..WorkbenchSettings::default()
        };
        let mut workspace = Workspace::new();
        workspace.load_file(
            FILE_A,
            std::fs::read(common::fixture(FILE_A)).expect("fixture"),
        );
        let alerts: Vec<Candid> = workspace.features().iter().map(|row| row.candid).collect();
        let stamp = |minute: usize| format!("2026-12-07T10:{minute:02}:00Z");
        let session_of = |name: &str| {
            let mut session = LabellingSession::new(SavedSession::new());
            session.set_annotator(name);
            let _ = session.set_settings(&workspace, settings.clone(), stamp(0));
            session
        };
        let mut ana = session_of("ana");
        let cycle = [Label::Gal, Label::Agn, Label::Extragal];
        // 20 of the file's alerts, so that bo's 5 are few enough to be
        // settled alert by alert.
        for (index, &candid) in alerts[..20].iter().enumerate() {
            assert!(ana.label(&workspace, candid, cycle[index % 3], stamp(1 + index)));
        }
        // Bo has ana's votes; he agrees on one, disagrees on two, labels two
        // alerts of his own, settles one disagreement and one of ana's
        // alerts, and leaves another disagreement unresolved.
        let mut bo = session_of("bo");
        let (outcome, _) = bo.import(
            &mut workspace,
            "ana.json",
            &ana.export_json(&stamp(39), |_| None),
        );
        outcome.expect("imports");
        for (candid, label) in [
            (alerts[0], Label::Gal),
            (alerts[1], Label::Gal),
            (alerts[2], Label::Gal),
            (alerts[21], Label::Varstar),
            (alerts[22], Label::Bogus),
        ] {
            assert!(bo.label(&workspace, candid, label, stamp(40)));
        }
        assert!(bo.adjudicate(
            alerts[1],
            Some(Label::Gal),
            Some(AdjudicationReason::Mistake),
            stamp(41)
        ));
        assert!(bo.adjudicate(alerts[2], None, None, stamp(42)));
        assert!(bo.adjudicate(alerts[5], Some(Label::Varstar), None, stamp(42)));
        let export = bo.export_json(&stamp(43), |_| None);
        let (outcome, _) = ana.import(&mut workspace, "bo.json", &export);
        outcome.expect("imports");
        // Ana's own votes came back in bo's file unchanged: not settled again.

        let labels = &ana.saved().labels;
        let everything = settle(
            labels.votes(),
            rule,
            ana.settings().posterior_threshold,
            "ana",
            labels.adjudications(),
        );
        assert_eq!(ana.settled(), &everything, "{rule:?}");
        assert_eq!(
            ana.training_labels().len(),
            20 + 2 - 1,
            "{rule:?}: one left unresolved"
        );
    }
}
