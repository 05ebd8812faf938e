//! An object's earlier labels: listed on the card whether the labelled
//! alert is loaded or only in the training table, the latest given again,
//! and the setting that leaves alerts of labelled objects out of the queue.
//! The clean fixture of 2025-06-03 has two alerts of ZTF24aaefwoh.

mod common;

use fink_vra::core::alert::{Alert, Candid, Survey};
use fink_vra::core::labelling::LabellingSession;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::object_labels::earlier_labels;
use fink_vra::core::session::SavedSession;
use fink_vra::core::workbench::WorkbenchSettings;
use fink_vra::core::workspace::Workspace;

const FILE: &str = "clean/20250603_110102_alerts_ztf_hostless_72alerts.parquet";
const OBJECT: &str = "ZTF24aaefwoh";
const FIRST: Candid = Candid(2_662_505_624_015_015_009);
const SECOND: Candid = Candid(2_667_499_290_515_015_007);

fn loaded() -> Workspace {
    let mut workspace = Workspace::for_survey(Survey::Ztf);
    workspace.load_file(FILE, std::fs::read(common::fixture(FILE)).expect("fixture"));
    workspace
}

fn alert(workspace: &Workspace, candid: Candid) -> &Alert {
    &workspace.alerts()[workspace.row_of(candid).expect("loaded")]
}

fn session_with(workspace: &Workspace, settings: WorkbenchSettings) -> LabellingSession {
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Ztf));
    let _ = session.set_settings(workspace, settings, "2026-12-04T00:00:00Z".into());
    let (job, values) = session.queue_job(workspace);
    session.apply_ranking(job.run(&values));
    session
}

#[test]
fn the_card_lists_the_objects_labels_loaded_or_not_and_repeats_the_latest() {
    let workspace = loaded();
    assert_eq!(alert(&workspace, FIRST).object_id(), OBJECT);
    assert_eq!(alert(&workspace, SECOND).object_id(), OBJECT);
    let mut session = session_with(&workspace, WorkbenchSettings::default());
    assert!(session.label(
        &workspace,
        FIRST,
        Label::Varstar,
        "2026-12-04T10:00:00.000Z".into()
    ));
    let labels = session.training_labels();
    let listed = earlier_labels(&workspace, labels, alert(&workspace, SECOND));
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].label, listed[0].alert_id),
        (Label::Varstar, FIRST)
    );
    assert!(listed[0].date.starts_with("20"), "{}", listed[0].date);
    // The labelled alert's file not loaded: the date comes from the table.
    let mut with_rows = loaded();
    with_rows.keep_labelled_rows(labels.labels().map(|entry| entry.candid));
    let mut elsewhere = Workspace::for_survey(Survey::Ztf);
    elsewhere.take_in_rows(with_rows.take_unsaved_rows(), true);
    let from_table = earlier_labels(&elsewhere, labels, alert(&workspace, SECOND));
    assert_eq!(from_table, listed, "the same line, date included");
    let without_row = earlier_labels(&Workspace::new(), labels, alert(&workspace, SECOND));
    assert_eq!(without_row[0].date, "date unknown");
    // The latest label of the object, for the repeat key; none for itself.
    assert_eq!(
        session.object_latest_label(&workspace, SECOND),
        Some(Label::Varstar)
    );
    assert!(session.label(
        &workspace,
        SECOND,
        Label::Gal,
        "2026-12-04T10:00:01.000Z".into()
    ));
    assert_eq!(
        earlier_labels(
            &workspace,
            session.training_labels(),
            alert(&workspace, FIRST)
        )[0]
        .label,
        Label::Gal
    );
}

#[test]
fn the_setting_leaves_alerts_of_labelled_objects_out_of_the_queue() {
    let workspace = loaded();
    let leave_out = WorkbenchSettings {
        skip_labelled_objects: true,
        ..WorkbenchSettings::default()
    };
    for (settings, second_shown) in [(leave_out, false), (WorkbenchSettings::default(), true)] {
        let mut session = session_with(&workspace, settings.clone());
        assert!(session.label(
            &workspace,
            FIRST,
            Label::Gal,
            "2026-12-04T10:00:00.000Z".into()
        ));
        assert_eq!(
            session.labelled_object_alerts_left_out(&workspace),
            usize::from(!second_shown)
        );
        let mut shown = Vec::new();
        while let Some((_, queued)) = session.current(&workspace) {
            let candid = queued.candid;
            shown.push(candid);
            session.skip(candid);
        }
        assert_eq!(shown.contains(&SECOND), second_shown, "{settings:?}");
        assert_eq!(
            shown.len(),
            workspace.alerts().len() - 1 - usize::from(!second_shown)
        );
        // A new ranking leaves it out of the pool too.
        let (job, values) = session.queue_job(&workspace);
        let ranked = job.run(&values);
        assert_eq!(
            ranked.iter().any(|queued| queued.candid == SECOND),
            second_shown
        );
    }
}
