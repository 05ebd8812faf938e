//! Which LSST alerts are solar-system alerts, on files written the way Spark
//! and pandas write them. Regression for: real Fink files whose alerts all
//! carry an `ssSource` struct (children null when there is no solar-system
//! object) left nothing to label, every alert taken for a solar-system one.

mod common;

use std::sync::Arc;

use arrow_array::{
    new_null_array, ArrayRef, Float32Array, Float64Array, Int64Array, StringArray, StructArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field};

use common::{fixture, write_parquet};
use fink_vra::core::alert::{Alert, Survey};
use fink_vra::core::card::CardFacts;
use fink_vra::core::ingest::SkipReason;
use fink_vra::core::labelling::LabellingSession;
use fink_vra::core::session::SavedSession;
use fink_vra::core::workbench::WorkbenchSettings;
use fink_vra::core::workspace::{FileOutcome, Workspace};

/// How a writer types the columns.
#[derive(Clone, Copy, Debug)]
enum Typing {
    /// int64 ids, float32 fluxes, int64 `ssSource.ssObjectId`.
    Spark,
    /// float64 everywhere but `diaSource`'s ids; a column of nulls and ids
    /// is float64, one of nulls only is typed `null`.
    Pandas,
}

/// Where the file puts a source's `ssObjectId`.
#[derive(Clone, Copy, Debug)]
enum IdIn {
    DiaSource,
    SsSource,
}

/// One alert of a hand-made file.
struct Row {
    /// `None`: null in the file.
    dia_object_id: Option<i64>,
    ss_object_id: Option<i64>,
    /// `false`: the `ssSource` struct itself is null on this row.
    ss_source_present: bool,
}

/// Every case of the rule, in file order; diaSourceIds are 100, 101, ….
fn rows() -> Vec<Row> {
    let row = |dia_object_id: i64, ss_object_id, ss_source_present| Row {
        dia_object_id: Some(dia_object_id),
        ss_object_id,
        ss_source_present,
    };
    vec![
        // 100: the struct present with null children (the bug's case).
        row(20, None, true),
        // 101: the struct null.
        row(21, None, false),
        // 102: no diaObject, a solar-system object: a solar-system alert.
        row(0, Some(900_000_000_000_000_001), true),
        // 103: both positive: stays in the queue, marked.
        row(22, Some(900_000_000_000_000_002), true),
        // 104: the struct present with ssObjectId 0.
        row(23, Some(0), true),
        // 105: no diaObject and no solar-system object: not one.
        row(0, None, true),
        // 106: a null diaObjectId with a solar-system object: one.
        Row {
            dia_object_id: None,
            ss_object_id: Some(900_000_000_000_000_003),
            ss_source_present: true,
        },
        // 107: a null diaObjectId without one: skipped, no object id.
        Row {
            dia_object_id: None,
            ss_object_id: None,
            ss_source_present: true,
        },
    ]
}

fn struct_of(fields: Vec<(&str, ArrayRef)>, nulls: Option<NullBuffer>) -> ArrayRef {
    let (fields, columns): (Vec<_>, Vec<_>) = fields
        .into_iter()
        .map(|(name, array)| {
            (
                Arc::new(Field::new(name, array.data_type().clone(), true)),
                array,
            )
        })
        .unzip();
    Arc::new(StructArray::new(fields.into(), columns, nulls))
}

/// An id column as the writer types it: int64 for Spark; for pandas int64
/// without nulls, float64 with some, `null` when all are null.
fn ids(typing: Typing, values: Vec<Option<i64>>) -> ArrayRef {
    match typing {
        Typing::Spark => Arc::new(Int64Array::from(values)),
        Typing::Pandas if values.iter().all(Option::is_none) => {
            new_null_array(&DataType::Null, values.len())
        }
        Typing::Pandas if values.iter().all(Option::is_some) => Arc::new(Int64Array::from(values)),
        Typing::Pandas => Arc::new(Float64Array::from(
            values
                .into_iter()
                .map(|id| id.map(|id| id as f64))
                .collect::<Vec<_>>(),
        )),
    }
}

fn floats(typing: Typing, values: Vec<f64>) -> ArrayRef {
    match typing {
        Typing::Spark => Arc::new(Float32Array::from(
            values.into_iter().map(|v| v as f32).collect::<Vec<_>>(),
        )),
        Typing::Pandas => Arc::new(Float64Array::from(values)),
    }
}

fn lsst_file(typing: Typing, id_in: IdIn, rows: &[Row]) -> Vec<u8> {
    let count = rows.len();
    let source_ids: Vec<i64> = (0..count as i64).map(|i| 100 + i).collect();
    let n = |f: fn(usize) -> f64| (0..count).map(f).collect::<Vec<_>>();
    let ss_ids: Vec<Option<i64>> = rows.iter().map(|row| row.ss_object_id).collect();
    let mut source: Vec<(&str, ArrayRef)> = vec![
        (
            "diaSourceId",
            Arc::new(Int64Array::from(source_ids.clone())),
        ),
        (
            "diaObjectId",
            Arc::new(Int64Array::from(
                rows.iter().map(|row| row.dia_object_id).collect::<Vec<_>>(),
            )),
        ),
        (
            "midpointMjdTai",
            Arc::new(Float64Array::from(n(|i| 61000.5 + i as f64))),
        ),
        ("ra", Arc::new(Float64Array::from(n(|i| 150.0 + i as f64)))),
        (
            "dec",
            Arc::new(Float64Array::from(n(|i| 2.0 + 0.1 * i as f64))),
        ),
        ("band", Arc::new(StringArray::from(vec!["g"; count]))),
        ("psfFlux", floats(typing, n(|i| 1500.0 + 10.0 * i as f64))),
        ("psfFluxErr", floats(typing, n(|_| 50.0))),
        ("snr", floats(typing, n(|i| 30.0 + i as f64))),
    ];
    let mut ss_source: Vec<(&str, ArrayRef)> = vec![(
        "diaSourceId",
        ids(
            typing,
            rows.iter()
                .zip(&source_ids)
                .map(|(row, &id)| row.ss_source_present.then_some(id))
                .collect(),
        ),
    )];
    match id_in {
        IdIn::DiaSource => source.push(("ssObjectId", ids(typing, ss_ids))),
        IdIn::SsSource => ss_source.push(("ssObjectId", ids(typing, ss_ids))),
    }
    let present = NullBuffer::from(
        rows.iter()
            .map(|row| row.ss_source_present)
            .collect::<Vec<_>>(),
    );
    let bytes = write_parquet(vec![
        ("diaSourceId", Arc::new(Int64Array::from(source_ids))),
        ("diaSource", struct_of(source, None)),
        ("ssSource", struct_of(ss_source, Some(present))),
    ]);
    bytes.to_vec()
}

/// A workspace holding `bytes` and a ranked LSST session with `settings`.
fn loaded(bytes: Vec<u8>, settings: WorkbenchSettings) -> (Workspace, LabellingSession) {
    let mut workspace = Workspace::for_survey(Survey::Lsst);
    let loaded = workspace.load_file("alerts.parquet", bytes);
    assert!(
        matches!(loaded.outcome, FileOutcome::Loaded(_)),
        "{:?}",
        loaded.outcome
    );
    let mut session = LabellingSession::new(SavedSession::for_survey(Survey::Lsst));
    let _ = session.set_settings(&workspace, settings, "2026-12-04T00:00:00Z".into());
    let (job, values) = session.queue_job(&workspace);
    session.apply_ranking(job.run(&values));
    (workspace, session)
}

/// The diaSourceIds the session shows, in turn, skipping each.
fn shown_cards(workspace: &Workspace, session: &mut LabellingSession) -> Vec<u64> {
    let mut shown = Vec::new();
    while let Some((_, alert)) = session.current(workspace) {
        let candid = alert.candid;
        shown.push(candid.0);
        session.skip(candid);
    }
    shown.sort_unstable();
    shown
}

fn alert_with_id(workspace: &Workspace, id: u64) -> &Alert {
    workspace
        .alerts()
        .iter()
        .find(|alert| alert.candid().0 == id)
        .expect("the alert is loaded")
}

#[test]
fn an_ss_source_struct_with_null_children_is_no_solar_system_alert() {
    for typing in [Typing::Spark, Typing::Pandas] {
        for id_in in [IdIn::DiaSource, IdIn::SsSource] {
            let case = format!("{typing:?}, ssObjectId in {id_in:?}");
            let bytes = lsst_file(typing, id_in, &rows());
            let (workspace, mut session) = loaded(bytes.clone(), WorkbenchSettings::default());
            assert_eq!(workspace.alerts().len(), 7, "{case}: 107 skipped");
            let skipped = match &workspace.files()[0].outcome {
                FileOutcome::Loaded(summary) => summary.skipped.clone(),
                FileOutcome::Failed(error) => panic!("{case}: {error}"),
            };
            assert_eq!(skipped.len(), 1, "{case}");
            assert_eq!(skipped[0].reason, SkipReason::MissingObjectId, "{case}");
            let solar: Vec<u64> = workspace
                .alerts()
                .iter()
                .filter(|alert| alert.is_solar_system())
                .map(|alert| alert.candid().0)
                .collect();
            assert_eq!(
                solar,
                [102, 106],
                "{case}: only diaObjectId 0 or null with an ssObjectId"
            );
            assert_eq!(
                workspace.solar_system_count(),
                2,
                "{case}: the left-out count"
            );
            assert_eq!(
                shown_cards(&workspace, &mut session),
                [100, 101, 103, 104, 105],
                "{case}: the queue"
            );

            let marks: Vec<Option<String>> = [100, 101, 102, 103, 104, 105, 106]
                .map(|id| CardFacts::of(alert_with_id(&workspace, id)).solar_system)
                .into();
            let exact = matches!(typing, Typing::Spark);
            let id = |n: u64| {
                if exact {
                    format!(" · ssObjectId {n}")
                } else {
                    String::new()
                }
            };
            let expected = [
                None,
                None,
                Some(format!(
                    "Solar-system object{}",
                    id(900_000_000_000_000_001)
                )),
                Some(format!(
                    "Also a solar-system object{}",
                    id(900_000_000_000_000_002)
                )),
                None,
                None,
                Some(format!(
                    "Solar-system object{}",
                    id(900_000_000_000_000_003)
                )),
            ];
            assert_eq!(marks, expected, "{case}: the card's marks");

            let let_in = WorkbenchSettings {
                include_solar_system: true,
                ..WorkbenchSettings::default()
            };
            let (workspace, mut session) = loaded(bytes, let_in);
            assert_eq!(
                shown_cards(&workspace, &mut session),
                [100, 101, 102, 103, 104, 105, 106],
                "{case}: every alert once let in"
            );
        }
    }
}

#[test]
fn a_pandas_ss_object_id_through_a_float_is_an_association_whose_id_is_not_kept() {
    let bytes = lsst_file(Typing::Pandas, IdIn::SsSource, &rows());
    let mut workspace = Workspace::for_survey(Survey::Lsst);
    workspace.load_file("alerts.parquet", bytes);
    let solar = alert_with_id(&workspace, 102).as_lsst().expect("LSST");
    assert!(solar.is_solar_system());
    assert_eq!(solar.ss_object_id(), None, "a float id has lost digits");
    // Each such alert is its own object for "one alert per object".
    assert_eq!(alert_with_id(&workspace, 102).object_key(), "diaSource 102");
    assert_eq!(alert_with_id(&workspace, 105).object_key(), "diaSource 105");
}

#[test]
fn alerts_without_a_dia_object_are_never_grouped_as_object_zero() {
    let bytes = lsst_file(Typing::Spark, IdIn::DiaSource, &rows());
    let mut workspace = Workspace::for_survey(Survey::Lsst);
    workspace.load_file("alerts.parquet", bytes);
    assert_eq!(
        alert_with_id(&workspace, 102).object_key(),
        "ssObject 900000000000000001"
    );
    assert_eq!(alert_with_id(&workspace, 105).object_key(), "diaSource 105");
    assert_eq!(alert_with_id(&workspace, 103).object_key(), "22");
}

/// The real Fink file of the page's LSST sample, rewritten with `ssSource`
/// on every row as Spark's `struct(...)` writes it (see SOURCE.md).
#[test]
fn a_real_fink_file_with_ss_source_on_every_row_keeps_its_alerts_in_the_queue() {
    let name = "lsst/lsst_v10_fink_27alerts_ssSource_every_row.parquet";
    let bytes = std::fs::read(fixture(name)).expect("fixture");
    let (workspace, mut session) = loaded(bytes, WorkbenchSettings::default());
    assert_eq!(workspace.alerts().len(), 27);
    assert_eq!(workspace.solar_system_count(), 3);
    let solar_objects_are_zero = workspace
        .alerts()
        .iter()
        .all(|alert| alert.is_solar_system() == (alert.object_id() == "0"));
    assert!(solar_objects_are_zero);
    assert_eq!(shown_cards(&workspace, &mut session).len(), 24);
}
