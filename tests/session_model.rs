//! The labelling session as a state machine: proptest generates sequences of
//! user actions (load a file, label, skip, undo, train, apply a late
//! ranking, import a colleague's export with or without its features,
//! change the model type, reload with only some files, a second tab
//! labelling, stored rows from an older fink-vra, leaving labelled objects
//! out) and runs them on a
//! `LabellingSession` beside a plain reference model: a list of label acts,
//! each given or undone, and the alerts whose row was ever stored.
//! After every step: nothing panics, every act not undone is in the store
//! (or set aside in a conflict) with its first round, the card never shows a
//! labelled alert (nor a solar-system one unless asked for, nor one of an
//! already labelled object when the settings leave those out), every
//! probability is the one computed for that alert, export then import
//! gives the same store, and a recorded round trains on exactly the usable
//! labels whose row is loaded or stored (the browser's database is a map
//! of bytes here). The same model runs on ZTF and on LSST sessions.
//!
//! `SESSION_MODEL_CASES` sets the number of ZTF sequences (CI: 5,000); LSST
//! sessions run a fifth as many.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use fink_vra::core::active::evaluation::{EvaluationJob, RecordState};
use fink_vra::core::active::round::RoundRecord;
use fink_vra::core::active::validation::FoldOutcome;
use fink_vra::core::alert::Candid;
use fink_vra::core::alert::Survey;
use fink_vra::core::features::feature_names;
use fink_vra::core::file_reading::{read_file, FileReading};
use fink_vra::core::labelling::{FollowUp, LabellingSession};
use fink_vra::core::labels::entry::{unknown_annotator_of, LabelEntry};
use fink_vra::core::labels::exchange::export_json;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model::ModelSpec;
use fink_vra::core::queue::QueuedAlert;
use fink_vra::core::session::SavedSession;
use fink_vra::core::training_table::{read_stored_rows, StoredRow};
use fink_vra::core::wire::protocol::{
    answer, expect_fold_evaluated, expect_ranked, expect_trained, reply_from_bytes, reply_to_bytes,
    Payload, WorkerReply, WorkerRequest,
};
use fink_vra::core::workbench::{is_validation, WorkbenchSettings};
use fink_vra::core::workspace::Workspace;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The two files of each survey that sessions load (the LSST pair has
/// solar-system alerts).
fn files(survey: Survey) -> [&'static str; 2] {
    match survey {
        Survey::Ztf => [
            "clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
            "clean/20250603_110102_alerts_ztf_hostless_72alerts.parquet",
        ],
        Survey::Lsst => [
            "../../assets/sample/lsst_v10_fink_27alerts.parquet",
            "lsst/lsst_v10_pandas_25alerts.parquet",
        ],
    }
}

/// Each fixture read once (parsing is not what is under test).
fn reading(survey: Survey, file: usize) -> FileReading {
    static READINGS: OnceLock<HashMap<Survey, Vec<FileReading>>> = OnceLock::new();
    READINGS.get_or_init(|| {
        Survey::ALL
            .into_iter()
            .map(|survey| {
                let read = |name: &&str| {
                    read_file(name, std::fs::read(common::fixture(name)).expect("fixture"))
                };
                (survey, files(survey).iter().map(read).collect())
            })
            .collect()
    })[&survey][file]
        .clone()
}

/// A worker that answers at once: the request and the reply cross in their
/// wire form, as between the page and its worker.
fn worker(request: WorkerRequest, payload: Payload) -> WorkerReply {
    let request = WorkerRequest::from_bytes(&request.to_bytes()).expect("the request decodes");
    reply_from_bytes(&reply_to_bytes(&answer(request, payload)))
}

/// A stored row's values in this build's feature order, matched by name
/// (an older build may have written them in another order).
fn aligned(survey: Survey, row: StoredRow) -> Vec<f64> {
    feature_names(survey)
        .iter()
        .map(|name| {
            row.feature_names
                .iter()
                .position(|stored| stored == name)
                .map_or(f64::NAN, |index| row.values[index])
        })
        .collect()
}

/// What the generated sequences exercised, so that a weak generator shows.
static ROUNDS: AtomicUsize = AtomicUsize::new(0);
static ONE_CLASS_ROUNDS: AtomicUsize = AtomicUsize::new(0);
static RELABELLED_ROUNDS: AtomicUsize = AtomicUsize::new(0);
static UNDOS: AtomicUsize = AtomicUsize::new(0);
static CONFLICTS: AtomicUsize = AtomicUsize::new(0);
static LATE_RANKINGS: AtomicUsize = AtomicUsize::new(0);
static RESOLVED: AtomicUsize = AtomicUsize::new(0);
static SOLAR_SYSTEM_SHOWN: AtomicUsize = AtomicUsize::new(0);
static FEATURES_TOGGLED: AtomicUsize = AtomicUsize::new(0);
static TRAINED_FROM_STORED_ROWS: AtomicUsize = AtomicUsize::new(0);
static STORED_ROWS_REPLACED: AtomicUsize = AtomicUsize::new(0);
static RECORDS_COMPLETED: AtomicUsize = AtomicUsize::new(0);
static RECORDS_AS_TRAINED_WHOLE: AtomicUsize = AtomicUsize::new(0);

fn count(counter: &AtomicUsize) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Cheap classifiers, so that thousands of rounds run in seconds; every family.
fn classifier(index: usize) -> ModelSpec {
    match index % 3 {
        0 => ModelSpec::LogisticRegression { alpha: 1.0 },
        1 => ModelSpec::ExtraTrees {
            trees: 4,
            min_samples_leaf: 1,
            max_features: None,
        },
        _ => ModelSpec::GradientBoosting {
            iterations: 4,
            learning_rate: 0.3,
            max_depth: 2,
            l2: 1.0,
            min_leaf_weight: 0.5,
        },
    }
}

fn target(index: usize) -> TargetMapping {
    match index % 4 {
        0 => TargetMapping::galactic(),
        1 => TargetMapping::real(),
        2 => TargetMapping::transient(),
        _ => TargetMapping::parse_custom("bogus=0,real=1,gal=1").expect("valid"),
    }
}

#[derive(Clone, Debug)]
enum Action {
    Load(usize),
    Label(Label),
    Skip,
    Undo(usize),
    Train,
    /// Applies the ranking computed just before the last load.
    ApplyRankingFromBeforeTheLastLoad,
    /// A colleague's export: some alerts labelled as ours, some not; a
    /// version 3 file with their feature rows, or without.
    ImportCollaborator {
        alerts: Vec<usize>,
        labels: Vec<Label>,
        with_features: bool,
    },
    ChangeSettings {
        target: usize,
        classifier: usize,
        validation: bool,
    },
    Reload,
    /// Another tab (same storage) labels alerts and saves; its clock may be
    /// ahead of or behind this tab's.
    OtherTab {
        alerts: Vec<usize>,
        label: Label,
        earlier: bool,
    },
    /// Settles the first conflict with one of its versions.
    ResolveConflict(usize),
    /// Lets solar-system alerts into the queue, or leaves them out again.
    ToggleSolarSystem,
    /// Unticks (or ticks again) one of the first features in Model & strategy.
    ToggleFeature(usize),
    /// The database's rows were written by an older fink-vra: other values
    /// (a fresh row of a loaded alert replaces them).
    OlderStoredRows,
    /// Leaves alerts of already labelled objects out of the queue, or lets
    /// them in again.
    ToggleSkipLabelledObjects,
    /// The page completes the records of the rounds that wait for theirs
    /// (and computes again those it gave up on), each fold through the
    /// wire, starting at this fold: a pool's workers finish in any order.
    CompleteRecords(usize),
    /// Cancel while a round's record is being computed.
    CancelRecord,
    /// The annotator types a name (labels given before it take it).
    NameMyself,
}

fn label_strategy() -> impl Strategy<Value = Label> {
    // `real` often, so that the real model meets one-class training sets...
    prop_oneof![
        3 => Just(Label::Real),
        // ... and `bogus`, so that it also meets two classes with folds to
        // cross-validate.
        1 => Just(Label::Bogus),
        1 => proptest::sample::select(Label::ALL.to_vec()),
    ]
}

fn action_strategy() -> impl Strategy<Value = Action> {
    prop_oneof![
        2 => (0..2usize).prop_map(Action::Load),
        12 => label_strategy().prop_map(Action::Label),
        1 => Just(Action::Skip),
        2 => (1..4usize).prop_map(Action::Undo),
        4 => Just(Action::Train),
        1 => Just(Action::ApplyRankingFromBeforeTheLastLoad),
        1 => (
            proptest::collection::vec(0..144usize, 1..6),
            proptest::collection::vec(label_strategy(), 1..6),
            any::<bool>(),
        )
            .prop_map(|(alerts, labels, with_features)| Action::ImportCollaborator {
                alerts,
                labels,
                with_features
            }),
        1 => (0..4usize, 0..3usize, any::<bool>()).prop_map(|(target, classifier, validation)| {
            Action::ChangeSettings { target, classifier, validation }
        }),
        1 => Just(Action::Reload),
        1 => (proptest::collection::vec(0..144usize, 1..4), label_strategy(), any::<bool>())
            .prop_map(|(alerts, label, earlier)| Action::OtherTab { alerts, label, earlier }),
        3 => (0..3usize).prop_map(Action::ResolveConflict),
        1 => Just(Action::ToggleSolarSystem),
        1 => (0..3usize).prop_map(Action::ToggleFeature),
        1 => Just(Action::OlderStoredRows),
        1 => Just(Action::ToggleSkipLabelledObjects),
        1 => Just(Action::NameMyself),
        2 => (0..5usize).prop_map(Action::CompleteRecords),
        1 => Just(Action::CancelRecord),
    ]
}

/// One label act, as the reference model sees it.
#[derive(Clone, Debug)]
struct Act {
    candid: Candid,
    label: Label,
    timestamp: String,
    undone: bool,
    /// The first round recorded after the act whose training set used it.
    first_round: Option<u32>,
    /// Whether the card was a random pick (the exploration share).
    random_pick: bool,
}

/// The reference: every act of either tab, and this tab's undo stack.
#[derive(Default, Debug)]
struct Reference {
    acts: Vec<Act>,
    /// Indices into `acts`, newest last.
    undo_stack: Vec<usize>,
    /// P(class 1) of each alert from the last model applied, by candid.
    probabilities: HashMap<Candid, f64>,
    /// Alerts whose feature row was stored: labelled while loaded (here, in
    /// another tab, or in an import), or imported with a version 3 file.
    stored: std::collections::BTreeSet<Candid>,
    /// Each round recorded here (by number and time): its record trained
    /// whole, cross-validation included, and the training rows it used.
    trained_whole: HashMap<(u32, String), (RoundRecord, Vec<f64>)>,
}

impl Reference {
    /// The act that stands for a candid: the newest not undone.
    fn live(&self, candid: Candid) -> Option<&Act> {
        self.acts
            .iter()
            .rev()
            .find(|act| act.candid == candid && !act.undone)
    }
}

/// The page, without the browser: a session, its workspace, the shared
/// storage, and the other tab.
struct Harness {
    survey: Survey,
    session: LabellingSession,
    workspace: Workspace,
    storage: Option<String>,
    saved_revision: Option<u64>,
    ranking_before_last_load: Option<Vec<QueuedAlert>>,
    reference: Reference,
    step: usize,
    /// The browser's database: stored row bytes by key.
    database: BTreeMap<String, Vec<u8>>,
}

fn timestamp(step: usize, tab: &str) -> String {
    let (second, milli) = (step / 1000, step % 1000);
    let hour = match tab {
        "a" => 10,
        "b-early" => 9,
        _ => 11,
    };
    format!("2026-11-29T{hour}:00:{second:02}.{milli:03}Z")
}

impl Harness {
    fn new(survey: Survey) -> Harness {
        Harness {
            survey,
            session: LabellingSession::new(SavedSession::for_survey(survey)),
            workspace: Workspace::for_survey(survey),
            storage: None,
            saved_revision: None,
            ranking_before_last_load: None,
            reference: Reference::default(),
            step: 0,
            database: BTreeMap::new(),
        }
    }

    /// What the page does after every change: keeps the rows of loaded
    /// labelled alerts in the training table and stores what changed.
    fn store_rows(&mut self) {
        let labels = self.session.saved().labels.clone();
        // The reference's rule: a label present while its alert is loaded
        // (given here, by another tab or by an import) has its row stored.
        for entry in labels.labels() {
            if self.workspace.row_of(entry.candid).is_some() {
                self.reference.stored.insert(entry.candid);
            }
        }
        self.workspace.keep_labelled_rows(&labels);
        for row in self.workspace.take_unsaved_rows() {
            self.database
                .insert(StoredRow::key(row.survey, row.alert_id), row.to_bytes());
        }
    }

    /// A reload: the table read back from the database.
    fn fresh_workspace(&self) -> Workspace {
        let (rows, dropped) =
            read_stored_rows(self.survey, self.database.values().map(Vec::as_slice));
        assert_eq!(dropped, 0, "every stored row reads back");
        let mut workspace = Workspace::for_survey(self.survey);
        let (_, refused) = workspace.take_in_rows(rows, true);
        assert!(refused.is_empty());
        workspace
    }

    /// What the page's saving `Effect` does after each change.
    fn save(&mut self) {
        if self.saved_revision == Some(self.session.revision()) {
            return;
        }
        if let Some(stored) = self.storage.clone() {
            let (_, follow_up) = self
                .session
                .merge_stored(&self.workspace, &stored)
                .expect("our own format");
            self.follow(follow_up);
        }
        self.storage = Some(self.session.saved().to_json());
        self.saved_revision = Some(self.session.revision());
    }

    /// Runs the follow-ups at once, as a worker that answers immediately.
    fn follow(&mut self, follow_up: FollowUp) {
        if follow_up.refit {
            self.train(false);
        }
        if follow_up.rerank {
            let (job, values) = self.session.queue_job(&self.workspace);
            let reply = worker(WorkerRequest::RankQueue(job), Payload::FeatureRows(values));
            self.session
                .apply_ranking(expect_ranked(reply).expect("the worker ranks"));
        }
    }

    fn record_of(&self, job: &EvaluationJob) -> RoundRecord {
        self.session
            .saved()
            .rounds
            .iter()
            .find(|record| job.completes(record))
            .cloned()
            .expect("the round is recorded")
    }

    /// What the page does with rounds whose record is not complete: those
    /// given up on are computed again ("Compute metrics"), then each
    /// pending one is completed through the pool's protocol, or marked not
    /// computed when its training rows are neither loaded nor stored.
    fn complete_records(&mut self, first_fold: usize) {
        let given_up: Vec<u32> = self
            .session
            .saved()
            .rounds
            .iter()
            .filter(|record| matches!(record.record_state, RecordState::NotComputed { .. }))
            .map(|record| record.round)
            .collect();
        for round in given_up {
            let job = self.session.record_job(round).expect("not complete");
            self.session.mark_record_pending(&job);
        }
        for job in self.session.pending_records() {
            let record = self.record_of(&job);
            let missing = record
                .training
                .iter()
                .map(|example| example.id.parse::<Candid>().expect("a candid"))
                .filter(|candid| {
                    self.workspace.row_of(*candid).is_none()
                        && !self.reference.stored.contains(candid)
                })
                .count();
            let rows = match self.session.evaluation_rows(&self.workspace, &job) {
                Ok(rows) => rows,
                Err(problem) => {
                    assert!(missing > 0, "every training row is at hand, yet: {problem}");
                    self.session.record_not_computed(&job, problem.to_string());
                    assert!(matches!(
                        self.record_of(&job).record_state,
                        RecordState::NotComputed { .. }
                    ));
                    // Not reached here: this database never loses rows (the
                    // case is `session_regressions`' reload without them).
                    continue;
                }
            };
            assert_eq!(missing, 0, "a record completes only from its own rows");
            let folds = job.fold_count();
            let mut outcomes: Vec<Option<FoldOutcome>> = vec![None; folds];
            for step in 0..folds {
                let fold = (first_fold + step) % folds;
                let request = WorkerRequest::EvaluateFold {
                    job: job.clone(),
                    fold,
                };
                let reply = worker(request, Payload::FeatureRows(rows.clone()));
                outcomes[fold] = Some(expect_fold_evaluated(reply).expect("a fold evaluates"));
            }
            let outcomes: Vec<FoldOutcome> = outcomes.into_iter().flatten().collect();
            let evaluation = job.summarize(&outcomes);
            assert!(self.session.complete_record(&job, evaluation));
            let completed = self.record_of(&job);
            assert_eq!(completed.record_state, RecordState::Complete);
            // The same record as the round trained whole, when its rows are
            // the ones it trained on (an older build's stored rows may differ).
            if let Some((whole, trained_rows)) = self
                .reference
                .trained_whole
                .get(&(job.round, job.timestamp.clone()))
            {
                assert_eq!(trained_rows.len(), rows.len(), "the same training rows");
                if trained_rows
                    .iter()
                    .zip(&rows)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
                {
                    assert_eq!(
                        &completed, whole,
                        "a record completed later is the whole round's"
                    );
                    count(&RECORDS_AS_TRAINED_WHOLE);
                }
            }
            count(&RECORDS_COMPLETED);
        }
        assert!(self.session.pending_records().is_empty());
    }

    fn train(&mut self, record: bool) {
        let (job, values) =
            self.session
                .training_job(&self.workspace, timestamp(self.step, "a"), record);
        let mapped = job
            .labels
            .iter()
            .filter(|(_, label)| job.settings.target.class_of(label).is_some())
            .count();
        let values_sent = values.clone();
        let reply = worker(
            WorkerRequest::Train(job.clone()),
            Payload::FeatureRows(values),
        );
        let outcome = match expect_trained(reply) {
            Ok(outcome) => outcome,
            Err(error) => {
                assert!(
                    mapped == 0 || job.settings.validation_share > 0.0,
                    "{mapped} usable labels must train (one class too): {error}"
                );
                return;
            }
        };
        // The rows sent are the features of the alerts the job names: the
        // loaded alert's, else the stored row's.
        for (index, candid) in job.candids.iter().enumerate() {
            let columns = feature_names(self.survey).len();
            let sent = &values_sent[index * columns..(index + 1) * columns];
            let expected = match self.workspace.row_of(*candid) {
                Some(row) => self.workspace.features()[row].values.clone(),
                None => {
                    let key = StoredRow::key(self.survey, *candid);
                    let bytes = self.database.get(&key).expect("a loaded or stored row");
                    count(&TRAINED_FROM_STORED_ROWS);
                    aligned(self.survey, StoredRow::from_bytes(bytes).expect("reads"))
                }
            };
            assert!(sent
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        // The round used exactly the features ticked when it was asked for.
        assert_eq!(
            outcome.record.features,
            job.settings.used_features(self.survey).1,
            "the round records the features it used"
        );
        let trained: Vec<(Candid, String)> = outcome
            .record
            .training
            .iter()
            .map(|example| (example.id.parse().expect("a candid"), example.label.clone()))
            .collect();
        let probabilities: HashMap<Candid, f64> = job
            .candids
            .iter()
            .copied()
            .zip(outcome.probabilities.iter().copied())
            .collect();
        // The reference's own view of who trains: exactly every label in
        // the store (ours, another tab's, a colleague's) whose row is loaded
        // or was stored, of a mapped label, and not held out.
        let settings = &job.settings;
        if record {
            let mut expected: Vec<(Candid, String)> = self
                .session
                .saved()
                .labels
                .labels()
                .filter(|entry| {
                    (self.workspace.row_of(entry.candid).is_some()
                        || self.reference.stored.contains(&entry.candid))
                        && settings.target.class_of(entry.label.name()).is_some()
                        && !is_validation(entry.candid, settings.validation_share, settings.seed)
                })
                .map(|entry| (entry.candid, entry.label.name().to_string()))
                .collect();
            let mut got = trained.clone();
            expected.sort();
            got.sort();
            assert_eq!(
                got, expected,
                "a round trains on exactly the usable labels with a row"
            );
        }
        for (candid, label) in &trained {
            let in_store = self
                .session
                .saved()
                .labels
                .get(*candid)
                .map(|e| e.label.name());
            assert_eq!(
                in_store,
                Some(label.as_str()),
                "only labels in the store train"
            );
        }
        let round = job.round;
        let whole = record.then(|| job.run(&values_sent).expect("what fits, fits whole"));
        let follow_up = self
            .session
            .apply_training(&self.workspace, &job, outcome)
            .expect("an answer applied at once is never stale");
        if let Some(whole) = whole {
            let recorded = &self.session.saved().rounds[round as usize];
            assert_eq!(whole.probabilities.len(), job.candids.len());
            let mut pending = whole.record.clone();
            pending.cross_validated = None;
            pending.feature_importance = None;
            pending.honest_estimate = None;
            pending.record_state = recorded.record_state.clone();
            assert_eq!(
                recorded, &pending,
                "the round ranks with the model it records"
            );
            if recorded.record_state == RecordState::Complete {
                assert_eq!(
                    recorded, &whole.record,
                    "a round without folds is complete at once"
                );
            } else {
                let job = EvaluationJob::for_record(recorded);
                let rows = self
                    .session
                    .evaluation_rows(&self.workspace, &job)
                    .expect("a round's rows are at hand when it trains");
                self.reference
                    .trained_whole
                    .insert((round, job.timestamp.clone()), (whole.record, rows));
            }
        }
        if record {
            count(&ROUNDS);
            let [zeros, ones] = self.session.saved().rounds[round as usize].class_counts;
            if zeros == 0 || ones == 0 {
                count(&ONE_CLASS_ROUNDS);
            }
            for (candid, label) in trained {
                let act =
                    self.reference.acts.iter_mut().rev().find(|act| {
                        act.candid == candid && !act.undone && act.label.name() == label
                    });
                if let Some(act) = act {
                    if act.first_round.is_some() {
                        count(&RELABELLED_ROUNDS);
                    }
                    act.first_round.get_or_insert(round);
                }
            }
        }
        self.reference.probabilities = probabilities;
        self.follow(follow_up);
    }

    fn run(&mut self, action: &Action) {
        self.step += 1;
        match action {
            Action::Load(file) => {
                let (job, values) = self.session.queue_job(&self.workspace);
                self.ranking_before_last_load = Some(job.run(&values));
                self.workspace.add_reading(reading(self.survey, *file));
                let follow_up = self.session.alerts_added(&self.workspace);
                self.follow(follow_up);
            }
            Action::Label(label) => {
                if let Some((_, alert)) = self.session.current(&self.workspace) {
                    let candid = alert.candid;
                    let random_pick = alert.reason.is_exploration();
                    if let Some(earlier) = self
                        .reference
                        .acts
                        .iter()
                        .rev()
                        .find(|a| a.candid == candid)
                    {
                        let shown_again_by_undo = matches!(
                            alert.reason,
                            fink_vra::core::active::pick_reason::PickReason::Undone { .. }
                        );
                        if shown_again_by_undo && earlier.undone && earlier.random_pick {
                            assert!(
                                random_pick,
                                "a random pick undone is still one when undo shows it again"
                            );
                        }
                    }
                    let time = timestamp(self.step, "a");
                    assert!(self
                        .session
                        .label(&self.workspace, candid, *label, time.clone()));
                    assert_eq!(
                        self.session
                            .saved()
                            .labels
                            .get(candid)
                            .map(|entry| entry.random_pick),
                        Some(random_pick),
                        "a label given to a random pick's card is marked as one, and only then"
                    );
                    self.reference.stored.insert(candid);
                    self.reference.acts.push(Act {
                        candid,
                        label: *label,
                        timestamp: time,
                        undone: false,
                        first_round: None,
                        random_pick,
                    });
                    self.reference
                        .undo_stack
                        .push(self.reference.acts.len() - 1);
                }
            }
            Action::Skip => {
                if let Some((_, alert)) = self.session.current(&self.workspace) {
                    let candid = alert.candid;
                    self.session.skip(candid);
                    let shown = self.session.current(&self.workspace).map(|(_, a)| a.candid);
                    assert_ne!(shown, Some(candid), "a skipped alert is not shown again");
                }
            }
            Action::Undo(times) => {
                for _ in 0..*times {
                    let expected = self.reference.undo_stack.pop();
                    let undone = self.session.undo();
                    assert_eq!(
                        undone,
                        expected.map(|index| self.reference.acts[index].candid),
                        "undo goes back to the last label given"
                    );
                    if let Some(index) = expected {
                        count(&UNDOS);
                        self.reference.acts[index].undone = true;
                        let shown = self.session.current(&self.workspace).map(|(_, a)| a.candid);
                        if self
                            .workspace
                            .row_of(self.reference.acts[index].candid)
                            .is_some()
                        {
                            assert_eq!(shown, undone, "undo shows that alert's card again");
                        }
                    }
                }
            }
            Action::Train => self.train(true),
            Action::ApplyRankingFromBeforeTheLastLoad => {
                if let Some(ranking) = self.ranking_before_last_load.clone() {
                    count(&LATE_RANKINGS);
                    self.session.apply_ranking(ranking);
                }
            }
            Action::ImportCollaborator {
                alerts,
                labels,
                with_features,
            } => {
                let mut theirs = SavedSession::for_survey(self.survey);
                let workspace = self.both_files();
                let mut colleague = LabellingSession::new(theirs.clone());
                for (i, &alert) in alerts.iter().enumerate() {
                    let candid = workspace.features()[alert % workspace.features().len()].candid;
                    colleague.label(
                        &workspace,
                        candid,
                        labels[i % labels.len()],
                        "2026-11-28T09:00:00Z".to_string(),
                    );
                }
                theirs = colleague.saved().clone();
                let text = export_json(
                    self.survey,
                    &theirs.labels,
                    &theirs.rounds,
                    "bob",
                    "2026-11-28T10:00:00Z",
                    |candid| {
                        workspace
                            .known_row(candid)
                            .filter(|_| *with_features)
                            .map(|row| (row.values.as_slice(), workspace.known_mjd(candid)))
                    },
                );
                let (outcome, follow_up) =
                    self.session.import(&mut self.workspace, "bob.json", &text);
                outcome.expect("a colleague's export imports");
                if *with_features {
                    // Only the rows of labels that survived the merge matter;
                    // a row without its label stays, harmless.
                    self.reference
                        .stored
                        .extend(theirs.labels.labels().map(|entry| entry.candid));
                }
                self.drop_undo_steps_touched_by(
                    theirs
                        .labels
                        .labels()
                        .map(|entry| (entry.candid, entry.label)),
                );
                // As the page does: the imported rows are stored first.
                self.store_rows();
                self.follow(follow_up);
            }
            Action::ChangeSettings {
                target: target_index,
                classifier: classifier_index,
                validation,
            } => {
                let settings = WorkbenchSettings {
                    target: target(*target_index),
                    model: classifier(*classifier_index),
                    validation_share: if *validation { 0.3 } else { 0.0 },
                    ..self.session.settings().clone()
                };
                self.change_model_settings(settings);
            }
            Action::Reload => {
                self.save();
                let stored = self.storage.clone().expect("saved");
                let saved = SavedSession::from_json(&stored).expect("reads back");
                self.session = LabellingSession::new(saved);
                self.workspace = self.fresh_workspace();
                self.saved_revision = None;
                self.ranking_before_last_load = None;
                self.reference.undo_stack.clear();
                self.reference.probabilities.clear();
            }
            Action::ResolveConflict(choice) => {
                let first = self.session.saved().labels.conflicts().iter().next();
                if let Some((&candid, versions)) = first {
                    let versions: Vec<_> = versions.iter().cloned().collect();
                    let chosen = versions[choice % versions.len()].clone();
                    let follow_up = self.session.resolve_conflict(&chosen);
                    count(&RESOLVED);
                    // Our labels of another class are set aside for good.
                    for act in self.reference.acts.iter_mut() {
                        if act.candid == candid && !act.undone && act.label != chosen.label {
                            act.undone = true;
                        }
                    }
                    assert_eq!(self.session.saved().labels.get(candid), Some(&chosen));
                    self.follow(follow_up);
                }
            }
            Action::OtherTab {
                alerts,
                label,
                earlier,
            } => {
                self.save();
                let stored = self.storage.clone().expect("saved");
                let mut other =
                    LabellingSession::new(SavedSession::from_json(&stored).expect("reads"));
                let workspace = self.both_files();
                let mut given = Vec::new();
                for &alert in alerts {
                    let candid = workspace.features()[alert % workspace.features().len()].candid;
                    let clock = if *earlier { "b-early" } else { "b" };
                    let time = timestamp(self.step * 10 + given.len(), clock);
                    if other.label(&workspace, candid, *label, time.clone()) {
                        let random_pick = other
                            .saved()
                            .labels
                            .get(candid)
                            .is_some_and(|entry| entry.random_pick);
                        given.push(Act {
                            candid,
                            label: *label,
                            timestamp: time,
                            undone: false,
                            first_round: None,
                            random_pick,
                        });
                    }
                }
                // The other tab saves (merging with storage); this tab hears of it.
                let _ = other.merge_stored(&workspace, &stored).expect("reads");
                let text = other.saved().to_json();
                self.storage = Some(text.clone());
                self.drop_undo_steps_touched_by(given.iter().map(|act| (act.candid, act.label)));
                self.reference.acts.extend(given);
                let (_, follow_up) = self
                    .session
                    .merge_stored(&self.workspace, &text)
                    .expect("reads");
                self.follow(follow_up);
            }
            Action::ToggleSolarSystem => self.change_queue_settings(|settings| {
                settings.include_solar_system = !settings.include_solar_system
            }),
            Action::ToggleFeature(index) => {
                let name = feature_names(self.survey)[*index];
                let mut settings = self.session.settings().clone();
                let used = settings.uses_feature(name);
                settings.set_feature_used(name, !used);
                count(&FEATURES_TOGGLED);
                self.change_model_settings(settings);
            }
            Action::CompleteRecords(first_fold) => self.complete_records(*first_fold),
            Action::CancelRecord => {
                let pending = self.session.pending_records();
                self.session.pending_records_not_computed("cancelled");
                // The one computed and those waiting behind it: none stays pending.
                for job in &pending {
                    let record = self.record_of(job);
                    assert!(matches!(
                        record.record_state,
                        RecordState::NotComputed { .. }
                    ));
                    assert_eq!(record.cross_validated, None);
                }
                assert!(self.session.pending_records().is_empty());
            }
            Action::NameMyself => {
                self.session.set_annotator("me");
                self.session.name_unnamed_labels();
                assert!(
                    self.session
                        .saved()
                        .labels
                        .all_versions()
                        .chain(&self.session.saved().undone)
                        .all(|entry| !entry.annotator.is_empty()),
                    "no label is left without a name"
                );
            }
            Action::ToggleSkipLabelledObjects => self.change_queue_settings(|settings| {
                settings.skip_labelled_objects = !settings.skip_labelled_objects
            }),
            Action::OlderStoredRows => {
                for bytes in self.database.values_mut() {
                    let mut row = StoredRow::from_bytes(bytes).expect("reads");
                    row.values[0] += 1.0;
                    row.feature_names.swap(1, 2);
                    row.values.swap(1, 2);
                    *bytes = row.to_bytes();
                }
                self.workspace = self.fresh_workspace_keeping_files();
            }
        }
        self.store_rows();
        self.save();
        self.check();
    }

    /// The page after a reload that loads the same files again: rows of
    /// loaded labelled alerts come back fresh and replace older stored ones.
    fn fresh_workspace_keeping_files(&mut self) -> Workspace {
        let mut workspace = self.fresh_workspace();
        let names: Vec<String> = self
            .workspace
            .files()
            .iter()
            .map(|file| file.name.clone())
            .collect();
        for (index, name) in files(self.survey).iter().enumerate() {
            if names.iter().any(|loaded| loaded == name) {
                workspace.add_reading(reading(self.survey, index));
            }
        }
        let labels = self.session.saved().labels.clone();
        if workspace.keep_labelled_rows(&labels) {
            count(&STORED_ROWS_REPLACED);
        }
        workspace
    }

    /// Applies a change of the settings that only rank (which alerts join
    /// the queue).
    fn change_queue_settings(&mut self, change: impl FnOnce(&mut WorkbenchSettings)) {
        let mut settings = self.session.settings().clone();
        change(&mut settings);
        let follow_up =
            self.session
                .set_settings(&self.workspace, settings, timestamp(self.step, "a"));
        self.follow(follow_up);
    }

    /// Applies settings that may change the model (target, classifier,
    /// validation share, features): when the session drops its model, the
    /// reference drops the probabilities too.
    fn change_model_settings(&mut self, settings: WorkbenchSettings) {
        let follow_up =
            self.session
                .set_settings(&self.workspace, settings, timestamp(self.step, "a"));
        if !self.session.has_model() {
            self.reference.probabilities.clear();
        }
        self.follow(follow_up);
    }

    /// A workspace of this survey with both its files loaded (another tab's,
    /// a colleague's).
    fn both_files(&self) -> Workspace {
        let mut workspace = Workspace::for_survey(self.survey);
        workspace.add_reading(reading(self.survey, 0));
        workspace.add_reading(reading(self.survey, 1));
        workspace
    }

    /// A merge drops the undo steps of the alerts whose label it changed: an
    /// alert we had not labelled, or labelled differently.
    fn drop_undo_steps_touched_by(&mut self, incoming: impl Iterator<Item = (Candid, Label)>) {
        let touched: Vec<Candid> = incoming
            .filter(|(candid, label)| {
                self.reference
                    .live(*candid)
                    .is_none_or(|act| act.label != *label)
            })
            .map(|(candid, _)| candid)
            .collect();
        let acts = &self.reference.acts;
        self.reference
            .undo_stack
            .retain(|&index| !touched.contains(&acts[index].candid));
    }

    fn check(&self) {
        let saved = self.session.saved();
        if !saved.labels.conflicts().is_empty() {
            count(&CONFLICTS);
        }
        // Every act not undone is in the store with its first round, or set aside.
        let mut newest: BTreeMap<Candid, &Act> = BTreeMap::new();
        for act in self.reference.acts.iter().filter(|act| !act.undone) {
            newest.insert(act.candid, act);
            match saved.labels.conflicts().get(&act.candid) {
                Some(versions) => assert!(
                    versions.iter().any(|v| v.label == act.label),
                    "{act:?} is among the versions of its conflict"
                ),
                None => {
                    let entry = saved
                        .labels
                        .get(act.candid)
                        .unwrap_or_else(|| panic!("{act:?} was lost"));
                    assert_eq!(entry.label, act.label, "{act:?}");
                }
            }
        }
        // An act undone stays undone, whatever the merges brought back.
        for act in self.reference.acts.iter().filter(|act| act.undone) {
            assert!(
                !saved
                    .labels
                    .all_versions()
                    .any(|entry| entry.candid == act.candid && entry.timestamp == act.timestamp),
                "{act:?} came back"
            );
        }
        for (candid, act) in &newest {
            if let Some(entry) = saved.labels.get(*candid) {
                if entry.timestamp == act.timestamp {
                    assert_eq!(entry.round, act.first_round, "{act:?}: its first round");
                }
            }
        }
        // The card never shows a labelled alert, nor a solar-system one unless
        // asked for (or its label was just undone: undo shows the card again).
        if let Some((row, alert)) = self.session.current(&self.workspace) {
            assert_eq!(self.workspace.features()[row].candid, alert.candid);
            let undone_here = alert.score == f64::INFINITY;
            if self.workspace.alerts()[row].is_solar_system() {
                count(&SOLAR_SYSTEM_SHOWN);
            }
            assert!(
                !self.workspace.alerts()[row].is_solar_system()
                    || saved.settings.include_solar_system
                    || undone_here,
                "a solar-system alert is shown only when asked for: {alert:?}"
            );
            assert!(saved.labels.get(alert.candid).is_none());
            assert!(!saved.labels.conflicts().contains_key(&alert.candid));
            // Nor an alert of an object already labelled, when asked for.
            let object = self.workspace.alerts()[row].object_id();
            let of_a_labelled_object = saved.labels.labels().any(|entry| {
                entry.object_id == object && !(self.survey == Survey::Lsst && object == "0")
            });
            assert!(
                !(of_a_labelled_object && saved.settings.skip_labelled_objects) || undone_here,
                "an alert of a labelled object is shown only when the settings let them in"
            );
        }
        // A record that is not complete has no metrics to show as if it were.
        for record in &saved.rounds {
            if record.record_state != RecordState::Complete {
                assert_eq!(record.cross_validated, None, "round {}", record.round);
                assert_eq!(record.feature_importance, None, "round {}", record.round);
            }
        }
        // Every probability is the one computed for its alert.
        for row in self.workspace.features() {
            if let Some(p) = self.session.probability_of(row.candid) {
                assert_eq!(Some(&p), self.reference.probabilities.get(&row.candid));
            }
        }
        // Export then import gives the same store.
        let workspace = &self.workspace;
        let export = export_json(
            self.survey,
            &saved.labels,
            &saved.rounds,
            &saved.annotator,
            "t",
            |candid| {
                workspace
                    .known_row(candid)
                    .map(|row| (row.values.as_slice(), workspace.known_mjd(candid)))
            },
        );
        let mut fresh = SavedSession::for_survey(self.survey);
        let (_, rows) = fresh
            .import_label_file("export.json", &export)
            .expect("our export imports");
        // Every label with a known row carries it, value for value.
        let with_rows = saved
            .labels
            .labels()
            .chain(saved.labels.conflicts().values().flatten())
            .filter(|entry| workspace.known_row(entry.candid).is_some())
            .count();
        assert_eq!(rows.len(), with_rows);
        for row in &rows {
            let known = workspace.known_row(row.alert_id).expect("known");
            assert!(row
                .values
                .iter()
                .zip(&known.values)
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())));
        }
        // The rows of loaded labelled alerts are stored as computed now.
        for entry in saved.labels.labels() {
            if let Some(row) = workspace.row_of(entry.candid) {
                let key = StoredRow::key(self.survey, entry.candid);
                let stored = StoredRow::from_bytes(&self.database[&key]).expect("reads");
                assert_eq!(stored.values.len(), workspace.features()[row].values.len());
                assert!(stored
                    .values
                    .iter()
                    .zip(&workspace.features()[row].values)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
        // A label that names no annotator comes back as the file's
        // annotator's, or `unknown (export.json)`'s when the session has no name.
        let named = |entry: &LabelEntry| -> LabelEntry {
            let mut entry = entry.clone();
            if entry.annotator.trim().is_empty() {
                entry.annotator = match saved.annotator.trim() {
                    "" => unknown_annotator_of("export.json"),
                    name => name.to_string(),
                };
            }
            entry
        };
        assert_eq!(
            fresh.labels.all_versions().cloned().collect::<Vec<_>>(),
            saved.labels.all_versions().map(named).collect::<Vec<_>>()
        );
        let named_conflicts: BTreeMap<Candid, BTreeSet<LabelEntry>> = saved
            .labels
            .conflicts()
            .iter()
            .map(|(candid, versions)| (*candid, versions.iter().map(named).collect()))
            .collect();
        assert_eq!(fresh.labels.conflicts(), &named_conflicts);
        assert_eq!(fresh.rounds, saved.rounds);
    }
}

fn cases() -> u32 {
    std::env::var("SESSION_MODEL_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(300)
}

/// Runs `cases` generated sequences on sessions of `survey`, then checks that
/// the generator reached what the rules are about.
fn run_the_model(survey: Survey, cases: u32) {
    let started = std::time::Instant::now();
    let counters: [(&str, &AtomicUsize); 12] = [
        ("rounds", &ROUNDS),
        ("one-class rounds", &ONE_CLASS_ROUNDS),
        ("labels trained again", &RELABELLED_ROUNDS),
        ("undos", &UNDOS),
        ("conflicts", &CONFLICTS),
        ("late rankings", &LATE_RANKINGS),
        ("conflicts settled", &RESOLVED),
        ("feature choices", &FEATURES_TOGGLED),
        ("rows trained from the database", &TRAINED_FROM_STORED_ROWS),
        ("stored rows replaced by fresh ones", &STORED_ROWS_REPLACED),
        ("records completed after the ranking", &RECORDS_COMPLETED),
        (
            "completed records checked against the round trained whole",
            &RECORDS_AS_TRAINED_WHOLE,
        ),
    ];
    let before = counters.map(|(_, counter)| counter.load(Ordering::Relaxed));
    let solar_system_before = SOLAR_SYSTEM_SHOWN.load(Ordering::Relaxed);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let settings_for_speed = WorkbenchSettings {
        target: TargetMapping::real(),
        model: classifier(0),
        first_batch: 5,
        batch: 3,
        ..WorkbenchSettings::default()
    };
    let sequences = proptest::collection::vec(action_strategy(), 1..60);
    let result = runner.run(&sequences, |actions| {
        let mut harness = Harness::new(survey);
        let _ = harness.session.set_settings(
            &Workspace::for_survey(survey),
            settings_for_speed.clone(),
            timestamp(0, "a"),
        );
        for action in &actions {
            harness.run(action);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{survey}: {failure}");
    }
    let seen: Vec<usize> = counters
        .iter()
        .zip(before)
        .map(|((_, counter), before)| counter.load(Ordering::Relaxed) - before)
        .collect();
    eprintln!(
        "session model ({survey}): {cases} sequences of up to 60 actions in {:.1} s; {} rounds \
         ({} of one class, {} trained a label again), {} undos, {} steps with conflicts, \
         {} late rankings, {} settled, {} feature choices, {} rows trained from the database, \
         {} stored rows replaced, {} records completed after the ranking ({} checked against \
         the round trained whole)",
        started.elapsed().as_secs_f64(),
        seen[0],
        seen[1],
        seen[2],
        seen[3],
        seen[4],
        seen[5],
        seen[6],
        seen[7],
        seen[8],
        seen[9],
        seen[10],
        seen[11],
    );
    for ((what, _), seen) in counters.iter().zip(seen) {
        assert!(seen > 0, "{survey}: no {what} in {cases} sequences");
    }
    let solar_system_shown = SOLAR_SYSTEM_SHOWN.load(Ordering::Relaxed) - solar_system_before;
    assert_eq!(
        solar_system_shown > 0,
        survey == Survey::Lsst,
        "{survey}: solar-system cards shown {solar_system_shown} times"
    );
}

/// ZTF then LSST, one after the other (the counters are shared).
#[test]
fn generated_sequences_of_user_actions_keep_every_rule_of_the_session() {
    run_the_model(Survey::Ztf, cases());
    run_the_model(Survey::Lsst, (cases() / 5).max(120));
}
