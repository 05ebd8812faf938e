//! The labelling session as a state machine: proptest generates sequences of
//! user actions (load a file, label, skip, undo, train, apply a late
//! ranking, import colleagues' exports with or without their features, or
//! an earlier one again, adjudicate a contested alert, switch the consensus
//! rule, change the model type, reload with only some files, a second tab
//! labelling, stored rows from an older fink-vra, leaving labelled objects
//! out) and runs them on a `LabellingSession` beside a plain reference
//! model ([`Reference`]): every annotator's current vote on each alert (mine,
//! the other tab's under my name, the colleagues' under theirs), the
//! reviewers' adjudications, my undo stack, the votes and decisions I undid,
//! and the alerts whose row was ever stored.
//!
//! After every step ([`Harness::check`]): nothing panics; the store holds
//! exactly the model's votes (no vote is lost but those I undid, each
//! keeps its first round) and adjudications, and nothing undone comes back;
//! each alert trains with the consensus of its votes (`mine`: my vote, else
//! the others' when unanimous; or `majority`), an adjudication winning, and
//! the review queue lists exactly the contested and unresolved alerts; the
//! card never shows an alert someone voted on (nor a solar-system one
//! unless asked for, nor one of an object that already trains when the
//! settings leave those out); every probability is the one computed for
//! its alert; export then import into a fresh session gives the same votes
//! and adjudications; and a recorded round trains on exactly the training
//! labels whose row is loaded or stored (the browser's database is a map of
//! bytes here), recording the rule and what it settled when several
//! annotators voted. Within the actions: my undo takes back my last act and
//! never another annotator's vote, importing a file twice changes nothing
//! (and an earlier file imported again adds or loses no vote), the other
//! tab can label exactly the alerts nobody voted on, and an adjudicated
//! alert trains with the decision (or not at all when left unresolved). The
//! same model runs on ZTF and on LSST sessions.
//!
//! `SESSION_MODEL_CASES` sets the number of ZTF sequences (CI: 5,000); LSST
//! sessions run a fifth as many.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use fink_vra::core::active::evaluation::{EvaluationJob, RecordState};
use fink_vra::core::active::pick_reason::PickReason;
use fink_vra::core::active::round::RoundRecord;
use fink_vra::core::active::validation::FoldOutcome;
use fink_vra::core::alert::Candid;
use fink_vra::core::alert::Survey;
use fink_vra::core::features::feature_names;
use fink_vra::core::file_reading::{read_file, FileReading};
use fink_vra::core::labelling::{FollowUp, LabellingSession};
use fink_vra::core::labels::adjudication::{Adjudication, AdjudicationReason};
use fink_vra::core::labels::entry::{unknown_annotator_of, LabelEntry};
use fink_vra::core::labels::exchange::export_json;
use fink_vra::core::labels::store::LabelStore;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::labels::vocabulary::Label;
use fink_vra::core::model::ModelSpec;
use fink_vra::core::queue::QueuedAlert;
use fink_vra::core::session::SavedSession;
use fink_vra::core::stored_votes::{merge_records, read_record, record_bytes};
use fink_vra::core::team::consensus::{
    ConsensusRecord, ConsensusRule, Provenance, ProvenanceCounts,
};
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
static CONTESTED: AtomicUsize = AtomicUsize::new(0);
static MINE_OVER_OTHERS: AtomicUsize = AtomicUsize::new(0);
static LATE_RANKINGS: AtomicUsize = AtomicUsize::new(0);
static ADJUDICATED: AtomicUsize = AtomicUsize::new(0);
static ADJUDICATIONS_UNDONE: AtomicUsize = AtomicUsize::new(0);
static VOTES_REPLACED: AtomicUsize = AtomicUsize::new(0);
static FILES_IMPORTED_AGAIN: AtomicUsize = AtomicUsize::new(0);
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
    /// An export of one or more colleagues (`COLLEAGUES`, each under their
    /// own name): each votes on every one of `alerts`, the first colleague
    /// with `labels` in turn and the second one label further on (so that
    /// they disagree where `labels` differ); a version 3 file with their
    /// feature rows, or without. Imported twice: the second time changes
    /// nothing.
    ImportCollaborator {
        alerts: Vec<usize>,
        labels: Vec<Label>,
        colleagues: usize,
        clock: Clock,
        /// The first colleague's decision on the file's first alert:
        /// `Some(true)` its first label, `Some(false)` left unresolved.
        adjudicates: Option<bool>,
        with_features: bool,
    },
    /// Imports one of the files imported before again.
    ImportSameFileAgain(usize),
    ChangeSettings {
        target: usize,
        classifier: usize,
        validation: bool,
    },
    Reload,
    /// Another tab (same storage, same annotator) labels alerts and saves;
    /// its clock may be ahead of or behind this tab's.
    OtherTab {
        alerts: Vec<usize>,
        label: Label,
        earlier: bool,
    },
    /// Adjudicates the first contested alert of the review queue (or, when
    /// none is, the first one left unresolved) with one of its voted labels,
    /// or leaves it unresolved.
    Adjudicate {
        choice: usize,
        leave_unresolved: bool,
    },
    /// Switches the consensus rule between `mine` and `majority`.
    ToggleMajorityRule,
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

/// The clock of a colleague's export: behind this tab's, ahead of it, or
/// one fixed time for every file (two votes of one colleague then tie, and
/// the greater label stands).
#[derive(Clone, Copy, Debug)]
enum Clock {
    Behind,
    Ahead,
    Fixed,
}

/// The colleagues whose exports are imported (never this session's name).
const COLLEAGUES: [&str; 2] = ["bo", "cy"];

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

/// An alert of the two files: often one of the first few, so that
/// colleagues' files and this tab's labels meet on the same alerts.
fn alert_strategy() -> impl Strategy<Value = usize> {
    prop_oneof![2 => 0..8usize, 1 => 0..144usize]
}

fn colleague_files() -> impl Strategy<Value = Action> {
    (
        proptest::collection::vec(alert_strategy(), 1..6),
        proptest::collection::vec(label_strategy(), 1..4),
        1..=COLLEAGUES.len(),
        prop_oneof![Just(Clock::Behind), Just(Clock::Ahead), Just(Clock::Fixed)],
        prop_oneof![3 => Just(None), 1 => Just(Some(true)), 1 => Just(Some(false))],
        any::<bool>(),
    )
        .prop_map(
            |(alerts, labels, colleagues, clock, adjudicates, with_features)| {
                Action::ImportCollaborator {
                    alerts,
                    labels,
                    colleagues,
                    clock,
                    adjudicates,
                    with_features,
                }
            },
        )
}

fn action_strategy() -> impl Strategy<Value = Action> {
    prop_oneof![
        2 => (0..2usize).prop_map(Action::Load),
        12 => label_strategy().prop_map(Action::Label),
        1 => Just(Action::Skip),
        2 => (1..4usize).prop_map(Action::Undo),
        4 => Just(Action::Train),
        1 => Just(Action::ApplyRankingFromBeforeTheLastLoad),
        1 => colleague_files(),
        1 => (0..4usize).prop_map(Action::ImportSameFileAgain),
        1 => (0..4usize, 0..3usize, any::<bool>()).prop_map(|(target, classifier, validation)| {
            Action::ChangeSettings { target, classifier, validation }
        }),
        1 => Just(Action::Reload),
        1 => (proptest::collection::vec(alert_strategy(), 1..4), label_strategy(), any::<bool>())
            .prop_map(|(alerts, label, earlier)| Action::OtherTab { alerts, label, earlier }),
        3 => (0..3usize, proptest::bool::weighted(0.25)).prop_map(|(choice, leave_unresolved)| {
            Action::Adjudicate { choice, leave_unresolved }
        }),
        1 => Just(Action::ToggleMajorityRule),
        1 => Just(Action::ToggleSolarSystem),
        1 => (0..3usize).prop_map(Action::ToggleFeature),
        1 => Just(Action::OlderStoredRows),
        1 => Just(Action::ToggleSkipLabelledObjects),
        1 => Just(Action::NameMyself),
        2 => (0..5usize).prop_map(Action::CompleteRecords),
        1 => Just(Action::CancelRecord),
    ]
}

/// One annotator's current vote on an alert, as the reference model holds it.
#[derive(Clone, Debug, PartialEq)]
struct Vote {
    label: Label,
    timestamp: String,
    object_id: String,
    /// The first round recorded after the vote whose training set used
    /// this label for this alert.
    round: Option<u32>,
    /// Whether the card was a random pick (the exploration share).
    random_pick: bool,
}

impl Vote {
    fn new(label: Label, timestamp: &str, object_id: &str, random_pick: bool) -> Vote {
        Vote {
            label,
            timestamp: timestamp.to_string(),
            object_id: object_id.to_string(),
            round: None,
            random_pick,
        }
    }

    /// The vote a stored label entry is.
    fn of(entry: &LabelEntry) -> Vote {
        Vote {
            label: entry.label,
            timestamp: entry.timestamp.clone(),
            object_id: entry.object_id.clone(),
            round: entry.round,
            random_pick: entry.random_pick,
        }
    }

    /// The label entry of this vote of `annotator` on `candid`.
    fn entry(&self, candid: Candid, annotator: &str) -> LabelEntry {
        LabelEntry {
            candid,
            object_id: self.object_id.clone(),
            label: self.label,
            timestamp: self.timestamp.clone(),
            annotator: annotator.to_string(),
            round: self.round,
            random_pick: self.random_pick,
        }
    }
}

/// One of my acts, as my undo takes them back (newest last).
#[derive(Clone, Debug)]
enum MyAct {
    /// My vote on an alert (nobody had voted on it: the card showed it).
    Vote(Candid),
    /// My decision on an alert, and the one it replaced.
    Adjudication {
        candid: Candid,
        previous: Option<Adjudication>,
    },
}

impl MyAct {
    fn candid(&self) -> Candid {
        match self {
            MyAct::Vote(candid) | MyAct::Adjudication { candid, .. } => *candid,
        }
    }
}

/// A vote of mine that my undo took back: it must never come back.
#[derive(Clone, Debug)]
struct UndoneVote {
    candid: Candid,
    label: Label,
    timestamp: String,
    random_pick: bool,
}

/// What the consensus rule (and the reviewers) make of an alert's votes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Trains(Label),
    /// The rule settles on no label, and no reviewer decided.
    Contested,
    /// A reviewer left it unresolved.
    Unresolved,
}

/// A colleague's export, kept to import it again, with what it holds.
#[derive(Clone, Debug)]
struct ColleagueFile {
    name: String,
    text: String,
    with_features: bool,
    /// Each colleague's vote on each alert of the file.
    votes: Vec<(Candid, String, Vote)>,
    adjudication: Option<Adjudication>,
}

/// The reference: the votes and decisions the store should hold, my undo
/// stack, and what the page stored and scored.
#[derive(Default, Debug)]
struct Reference {
    /// My name, as the session knows it (empty until I type one).
    me: String,
    /// The consensus rule is `majority` (else `mine`).
    majority: bool,
    /// Every annotator's current vote: (alert, annotator) → vote.
    votes: BTreeMap<(Candid, String), Vote>,
    /// The decision on each adjudicated alert.
    adjudications: BTreeMap<Candid, Adjudication>,
    /// My acts this tab can undo, newest last.
    undo_stack: Vec<MyAct>,
    /// My votes and decisions undone: none may come back.
    undone_votes: Vec<UndoneVote>,
    undone_adjudications: Vec<Adjudication>,
    /// P(class 1) of each alert from the last model applied, by candid.
    probabilities: HashMap<Candid, f64>,
    /// Alerts whose feature row was stored: voted on while loaded (here, in
    /// another tab, or in an import), or imported with a version 3 file.
    stored: BTreeSet<Candid>,
    /// Each round recorded here (by number and time): its record trained
    /// whole, cross-validation included, and the training rows it used.
    trained_whole: HashMap<(u32, String), (RoundRecord, Vec<f64>)>,
}

/// Whether decision `a` stands over `b` on one alert: the later one, then
/// by its fields (so that any order of imports gives one answer).
fn later_decision(a: &Adjudication, b: &Adjudication) -> bool {
    (&a.timestamp, a) > (&b.timestamp, b)
}

impl Reference {
    /// The votes on `candid`, by annotator.
    fn votes_on(&self, candid: Candid) -> impl Iterator<Item = (&str, &Vote)> {
        self.votes
            .range((candid, String::new())..)
            .take_while(move |((voted, _), _)| *voted == candid)
            .map(|((_, annotator), vote)| (annotator.as_str(), vote))
    }

    fn voted_alerts(&self) -> BTreeSet<Candid> {
        self.votes.keys().map(|(candid, _)| *candid).collect()
    }

    /// Whether the alert waits to be labelled: nobody voted, nobody decided.
    fn is_open(&self, candid: Candid) -> bool {
        self.votes_on(candid).next().is_none() && !self.adjudications.contains_key(&candid)
    }

    /// My vote on an open alert (an act my undo can take back).
    fn label(&mut self, candid: Candid, vote: Vote) {
        assert!(self.is_open(candid), "the card shows open alerts only");
        self.votes.insert((candid, self.me.clone()), vote);
        self.undo_stack.push(MyAct::Vote(candid));
    }

    /// My decision on an alert (an act my undo can take back).
    fn adjudicate(&mut self, decision: Adjudication) {
        let candid = decision.candid;
        let previous = self.adjudications.insert(candid, decision);
        self.undo_stack
            .push(MyAct::Adjudication { candid, previous });
    }

    /// A vote from elsewhere (a file, the other tab) by the merge rule: one
    /// vote per annotator and alert; the later act stands (by timestamp,
    /// then label, then object id), whether it repeats the label or changes
    /// it; two copies of one act keep the earliest round; a random pick once
    /// any copy was one. A merge that changes the label of my vote on an
    /// alert drops my undo step there.
    fn merge_vote(&mut self, candid: Candid, annotator: &str, incoming: Vote) {
        let key = (candid, annotator.to_string());
        let act = |vote: &Vote| (vote.timestamp.clone(), vote.label, vote.object_id.clone());
        let changed = match self.votes.get_mut(&key) {
            None => {
                self.votes.insert(key, incoming);
                true
            }
            Some(kept) => {
                let random_pick = kept.random_pick || incoming.random_pick;
                let relabelled = kept.label != incoming.label;
                let stands = act(&incoming) > act(kept);
                if act(&incoming) == act(kept) {
                    kept.round = match (kept.round, incoming.round) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                } else if stands {
                    *kept = incoming;
                    if relabelled {
                        count(&VOTES_REPLACED);
                    }
                }
                kept.random_pick = random_pick;
                stands && relabelled
            }
        };
        if changed && annotator == self.me {
            self.undo_stack
                .retain(|act| !matches!(act, MyAct::Vote(voted) if *voted == candid));
        }
    }

    /// A decision from elsewhere: the later one stands; when it changes the
    /// alert's decision, my undo step there goes.
    fn merge_adjudication(&mut self, incoming: Adjudication) {
        let candid = incoming.candid;
        let stands = self
            .adjudications
            .get(&candid)
            .is_none_or(|kept| later_decision(&incoming, kept));
        if stands {
            self.adjudications.insert(candid, incoming);
            self.undo_stack.retain(
                |act| !matches!(act, MyAct::Adjudication { candid: decided, .. } if *decided == candid),
            );
        }
    }

    /// What importing `file` does.
    fn take_in(&mut self, file: &ColleagueFile) {
        for (candid, annotator, vote) in &file.votes {
            self.merge_vote(*candid, annotator, vote.clone());
        }
        if let Some(decision) = &file.adjudication {
            self.merge_adjudication(decision.clone());
        }
    }

    /// Takes back my last act: my vote (the alert opens again, unless
    /// someone else voted on it), or my decision (the one before comes back).
    fn undo(&mut self) -> Option<MyAct> {
        let act = self.undo_stack.pop()?;
        match &act {
            MyAct::Vote(candid) => {
                let vote = self.votes.remove(&(*candid, self.me.clone())).expect(
                    "my vote stands until undone (a merge that replaces it drops the step)",
                );
                self.undone_votes.push(UndoneVote {
                    candid: *candid,
                    label: vote.label,
                    timestamp: vote.timestamp,
                    random_pick: vote.random_pick,
                });
            }
            MyAct::Adjudication { candid, previous } => {
                let removed = match previous {
                    Some(previous) => self.adjudications.insert(*candid, previous.clone()),
                    None => self.adjudications.remove(candid),
                };
                self.undone_adjudications
                    .push(removed.expect("my decision stands until undone"));
            }
        }
        Some(act)
    }

    /// What the consensus rule makes of the alert's votes (`None`: no vote
    /// but `unsure`, nothing to settle).
    fn outcome(&self, candid: Candid) -> Option<Outcome> {
        let votes: Vec<(&str, Label)> = self
            .votes_on(candid)
            .filter(|(_, vote)| vote.label != Label::Unsure)
            .map(|(annotator, vote)| (annotator, vote.label))
            .collect();
        let (_, first) = *votes.first()?;
        if let Some(decision) = self.adjudications.get(&candid) {
            return Some(decision.label.map_or(Outcome::Unresolved, Outcome::Trains));
        }
        let unanimous = votes.iter().all(|(_, label)| *label == first);
        let settled = if self.majority {
            most_voted(&votes)
        } else {
            let mine = votes.iter().find(|(annotator, _)| *annotator == self.me);
            mine.map(|(_, label)| *label).or(unanimous.then_some(first))
        };
        Some(settled.map_or(Outcome::Contested, Outcome::Trains))
    }

    /// The label each alert trains with.
    fn training_labels(&self) -> BTreeMap<Candid, Label> {
        self.voted_alerts()
            .into_iter()
            .filter_map(|candid| match self.outcome(candid)? {
                Outcome::Trains(label) => Some((candid, label)),
                _ => None,
            })
            .collect()
    }

    /// The alerts whose outcome is `outcome`.
    fn alerts_that_are(&self, outcome: Outcome) -> BTreeSet<Candid> {
        self.voted_alerts()
            .into_iter()
            .filter(|candid| self.outcome(*candid) == Some(outcome))
            .collect()
    }

    fn rule(&self) -> ConsensusRule {
        if self.majority {
            ConsensusRule::Majority
        } else {
            ConsensusRule::Mine
        }
    }

    /// How many alerts the rule settled, by provenance.
    fn provenance_counts(&self) -> ProvenanceCounts {
        let mut counts = ProvenanceCounts::default();
        for candid in self.voted_alerts() {
            let votes: Vec<Label> = self
                .votes_on(candid)
                .map(|(_, vote)| vote.label)
                .filter(|label| *label != Label::Unsure)
                .collect();
            let counter = match self.outcome(candid) {
                None => continue,
                Some(Outcome::Contested | Outcome::Unresolved) => &mut counts.left_out,
                Some(Outcome::Trains(_)) if self.adjudications.contains_key(&candid) => {
                    &mut counts.adjudicated
                }
                Some(Outcome::Trains(_)) if votes.len() == 1 => &mut counts.single,
                Some(Outcome::Trains(_)) if votes.iter().all(|label| *label == votes[0]) => {
                    &mut counts.unanimous
                }
                Some(Outcome::Trains(_)) if self.majority => &mut counts.majority,
                Some(Outcome::Trains(_)) => &mut counts.mine,
            };
            *counter += 1;
        }
        counts
    }

    /// The consensus a round records: when more than one annotator voted,
    /// the rule and what it settled.
    fn consensus_record(&self, settings: &WorkbenchSettings) -> Option<ConsensusRecord> {
        let annotators: BTreeSet<&str> = self.votes.keys().map(|(_, name)| name.as_str()).collect();
        (annotators.len() > 1).then(|| ConsensusRecord {
            rule: self.rule(),
            posterior_threshold: settings.posterior_threshold,
            // Whose votes `mine` preferred (nobody's for `majority`).
            annotator: if self.majority {
                String::new()
            } else {
                self.me.clone()
            },
            counts: self.provenance_counts(),
        })
    }

    /// The object of a voted or decided alert.
    fn object_of(&self, candid: Candid) -> Option<&str> {
        self.votes_on(candid)
            .map(|(_, vote)| vote.object_id.as_str())
            .next()
            .or_else(|| {
                self.adjudications
                    .get(&candid)
                    .map(|d| d.object_id.as_str())
            })
    }

    /// Round `round` trained on `trained` (alert, label): each vote for that
    /// label on that alert without a round gets it. Returns how many of
    /// them trained a round before.
    fn record_round(&mut self, round: u32, trained: &[(Candid, String)]) -> usize {
        let mut again = 0;
        for (candid, label) in trained {
            let mut trained_before = false;
            for ((voted, _), vote) in self.votes.iter_mut() {
                if voted == candid && vote.label.name() == label {
                    trained_before |= vote.round.is_some();
                    vote.round.get_or_insert(round);
                }
            }
            again += usize::from(trained_before);
        }
        again
    }

    /// I typed `name`: my votes and decisions given without one take it.
    fn name_me(&mut self, name: &str) {
        if !self.me.is_empty() {
            return;
        }
        let mine: Vec<(Candid, String)> = self
            .votes
            .keys()
            .filter(|(_, annotator)| annotator.is_empty())
            .cloned()
            .collect();
        for key in mine {
            let vote = self.votes.remove(&key).expect("listed");
            let named = self.votes.insert((key.0, name.to_string()), vote);
            assert!(named.is_none(), "I had one vote on {}", key.0);
        }
        let decisions = self
            .adjudications
            .values_mut()
            .chain(&mut self.undone_adjudications)
            .chain(self.undo_stack.iter_mut().filter_map(|act| match act {
                MyAct::Adjudication { previous, .. } => previous.as_mut(),
                MyAct::Vote(_) => None,
            }));
        for decision in decisions {
            if decision.reviewer.is_empty() {
                decision.reviewer = name.to_string();
            }
        }
        self.me = name.to_string();
    }
}

/// The label most voted for, unless two tie.
fn most_voted(votes: &[(&str, Label)]) -> Option<Label> {
    let mut counts: BTreeMap<Label, usize> = BTreeMap::new();
    for (_, label) in votes {
        *counts.entry(*label).or_default() += 1;
    }
    let most = counts.values().copied().max()?;
    let mut leaders = counts.iter().filter(|(_, count)| **count == most);
    match (leaders.next(), leaders.next()) {
        (Some((label, _)), None) => Some(*label),
        _ => None,
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
    /// The colleagues' files imported so far.
    imported: Vec<ColleagueFile>,
    /// The browser's database: the other annotators' vote records, by
    /// annotator (`core::stored_votes`).
    vote_records: BTreeMap<String, Vec<u8>>,
    /// Per annotator, the changes of their votes their record was written
    /// at (or read back equal to): their votes are left out of `storage`.
    written: BTreeMap<String, u64>,
}

/// The time of an act at `step` on a clock: this tab's (`a`), the other
/// tab's (`b`, or `b-early` behind this one), a colleague's (behind or
/// ahead of this tab).
fn timestamp(step: usize, clock: &str) -> String {
    let (second, milli) = (step / 1000, step % 1000);
    let hour = match clock {
        "a" => 10,
        "b-early" => 9,
        "colleague-behind" => 8,
        "colleague-ahead" => 12,
        _ => 11,
    };
    format!("2026-11-29T{hour:02}:00:{second:02}.{milli:03}Z")
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
            imported: Vec::new(),
            vote_records: BTreeMap::new(),
            written: BTreeMap::new(),
        }
    }

    /// The annotators whose committed record holds their votes as they are.
    fn stored_apart(
        session: &LabellingSession,
        written: &BTreeMap<String, u64>,
    ) -> BTreeSet<String> {
        session
            .annotators_stored_apart()
            .into_iter()
            .filter(|(annotator, changes)| written.get(annotator) == Some(changes))
            .map(|(annotator, _)| annotator)
            .collect()
    }

    /// A tab's session as the page starts it: the saved session, then the
    /// vote records read back; returns it with what it knows is written.
    fn start_tab(&self) -> (LabellingSession, BTreeMap<String, u64>) {
        let stored = self.storage.clone().expect("saved");
        let mut session = LabellingSession::new(SavedSession::from_json(&stored).expect("reads"));
        let records = self
            .vote_records
            .values()
            .map(|bytes| read_record(bytes, self.survey).expect("every record reads back"))
            .collect();
        let in_step = session.take_in_stored_votes(records);
        let changes: BTreeMap<String, u64> =
            session.annotators_stored_apart().into_iter().collect();
        let written = in_step
            .into_iter()
            .filter_map(|annotator| Some((annotator.clone(), *changes.get(&annotator)?)))
            .collect();
        (session, written)
    }

    /// Writes the records of the annotators whose votes changed since
    /// (committed at once), as the page does after a save.
    fn write_vote_records(
        session: &LabellingSession,
        survey: Survey,
        written: &mut BTreeMap<String, u64>,
        records: &mut BTreeMap<String, Vec<u8>>,
    ) {
        for (annotator, changes) in session.annotators_stored_apart() {
            if written.get(&annotator) != Some(&changes) {
                // Merged with the record stored, in one transaction, as the page does.
                let ours = record_bytes(session.saved().labels.votes(), survey, &annotator);
                let bytes =
                    merge_records(records.get(&annotator).map(Vec::as_slice), &ours, survey)
                        .expect("every record reads back");
                records.insert(annotator.clone(), bytes);
                written.insert(annotator, changes);
            }
        }
    }

    /// What the page does after every change: keeps the rows of loaded
    /// alerts anyone voted on in the training table and stores what changed.
    fn store_rows(&mut self) {
        let voted: Vec<Candid> = self.session.saved().labels.votes().voted_alerts().collect();
        // The reference's rule: a vote present while its alert is loaded
        // (given here, by another tab or by an import) has its row stored.
        for candid in &voted {
            if self.workspace.row_of(*candid).is_some() {
                self.reference.stored.insert(*candid);
            }
        }
        self.workspace.keep_labelled_rows(voted);
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
            let apart = Harness::stored_apart(&self.session, &self.written);
            let (_, follow_up) = self
                .session
                .merge_stored(&self.workspace, &stored, &apart)
                .expect("our own format");
            self.follow(follow_up);
        }
        // The others' votes go to their records; the saved session keeps
        // the rest (the page saves once before the records commit and once
        // after: the second is what stays).
        Harness::write_vote_records(
            &self.session,
            self.survey,
            &mut self.written,
            &mut self.vote_records,
        );
        let apart = Harness::stored_apart(&self.session, &self.written);
        self.storage = Some(self.session.saved_json_leaving_out(&apart));
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
        // The reference's own view of who trains: exactly the alerts the
        // consensus of the votes gives a label (my vote, another tab's, a
        // colleague's, a decision), whose row is loaded or was stored, of a
        // mapped label, and not held out.
        let settings = &job.settings;
        if record {
            let expected: Vec<(Candid, String)> = self
                .reference
                .training_labels()
                .into_iter()
                .filter(|(candid, label)| {
                    (self.workspace.row_of(*candid).is_some()
                        || self.reference.stored.contains(candid))
                        && settings.target.class_of(label.name()).is_some()
                        && !is_validation(*candid, settings.validation_share, settings.seed)
                })
                .map(|(candid, label)| (candid, label.name().to_string()))
                .collect();
            let mut got = trained.clone();
            got.sort();
            assert_eq!(
                got, expected,
                "a round trains on exactly the usable training labels with a row"
            );
        }
        for (candid, label) in &trained {
            let training = self
                .session
                .training_labels()
                .get(*candid)
                .map(|entry| entry.label.name());
            assert_eq!(
                training,
                Some(label.as_str()),
                "only the training labels (the consensus of the votes) train"
            );
        }
        let round = job.round;
        let whole = record.then(|| {
            let mut whole = job.run(&values_sent).expect("what fits, fits whole");
            // The session records with the round the consensus that settled its labels.
            whole.record.consensus = self.reference.consensus_record(&job.settings);
            whole
        });
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
            for _ in 0..self.reference.record_round(round, &trained) {
                count(&RELABELLED_ROUNDS);
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
            Action::Label(label) => self.label_the_card(*label),
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
                    self.undo_once();
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
                colleagues,
                clock,
                adjudicates,
                with_features,
            } => {
                let file = self.colleague_file(
                    alerts,
                    labels,
                    &COLLEAGUES[..*colleagues],
                    *clock,
                    *adjudicates,
                    *with_features,
                );
                self.reference.take_in(&file);
                self.import(&file);
                // The same file again changes nothing, the undo stack included.
                let labels = &self.session.saved().labels;
                let before = (labels.clone(), labels.undo_depth());
                self.import(&file);
                let labels = &self.session.saved().labels;
                assert_eq!(labels, &before.0, "a file imported twice changes nothing");
                assert_eq!(labels.undo_depth(), before.1, "nor what undo takes back");
                self.imported.push(file);
            }
            Action::ImportSameFileAgain(index) => self.import_again(*index),
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
                let (session, written) = self.start_tab();
                self.session = session;
                self.written = written;
                self.workspace = self.fresh_workspace();
                self.saved_revision = None;
                self.ranking_before_last_load = None;
                // Undo is the tab's: a reload starts without it.
                self.reference.undo_stack.clear();
                self.reference.probabilities.clear();
            }
            Action::Adjudicate {
                choice,
                leave_unresolved,
            } => self.adjudicate(*choice, *leave_unresolved),
            Action::ToggleMajorityRule => {
                self.reference.majority = !self.reference.majority;
                self.change_queue_settings(|settings| {
                    settings.consensus = match settings.consensus {
                        ConsensusRule::Mine => ConsensusRule::Majority,
                        _ => ConsensusRule::Mine,
                    }
                });
            }
            Action::OtherTab {
                alerts,
                label,
                earlier,
            } => self.other_tab_labels(alerts, *label, *earlier),
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
                self.reference.name_me("me");
                let saved = self.session.saved();
                assert!(
                    saved
                        .labels
                        .all_votes()
                        .chain(&saved.undone)
                        .all(|entry| !entry.annotator.is_empty()),
                    "no vote is left without a name"
                );
                assert!(
                    saved
                        .labels
                        .adjudications()
                        .values()
                        .chain(&saved.undone_adjudications)
                        .all(|decision| !decision.reviewer.is_empty()),
                    "no decision is left without a name"
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

    /// Labels the card shown, if any: my vote.
    fn label_the_card(&mut self, label: Label) {
        let Some((row, alert)) = self.session.current(&self.workspace) else {
            return;
        };
        let candid = alert.candid;
        let random_pick = alert.reason.is_exploration();
        if matches!(alert.reason, PickReason::Undone { .. }) {
            let undone = self
                .reference
                .undone_votes
                .iter()
                .rev()
                .find(|undone| undone.candid == candid);
            if undone.is_some_and(|undone| undone.random_pick) {
                assert!(
                    random_pick,
                    "a random pick undone is still one when undo shows it again"
                );
            }
        }
        let time = timestamp(self.step, "a");
        let object_id = self.workspace.features()[row].object_id.clone();
        assert!(self
            .session
            .label(&self.workspace, candid, label, time.clone()));
        let saved = self.session.saved();
        assert_eq!(
            saved
                .labels
                .vote_of(candid, &saved.annotator)
                .map(|entry| entry.random_pick),
            Some(random_pick),
            "a label given to a random pick's card is marked as one, and only then"
        );
        self.reference.stored.insert(candid);
        self.reference
            .label(candid, Vote::new(label, &time, &object_id, random_pick));
    }

    /// One undo: it takes back my last act, and never another annotator's
    /// vote.
    fn undo_once(&mut self) {
        let saved = self.session.saved();
        let others_before: Vec<LabelEntry> = saved
            .labels
            .all_votes()
            .filter(|vote| vote.annotator != saved.annotator)
            .cloned()
            .collect();
        let undone = self.session.undo();
        let expected = self.reference.undo();
        assert_eq!(
            undone,
            expected.as_ref().map(MyAct::candid),
            "undo goes back to my last act"
        );
        let labels = &self.session.saved().labels;
        for vote in &others_before {
            assert_eq!(
                labels.vote_of(vote.candid, &vote.annotator),
                Some(vote),
                "my undo never takes back another annotator's vote"
            );
        }
        match expected {
            None => {}
            Some(MyAct::Vote(candid)) => {
                count(&UNDOS);
                // The card shows the alert again, if it is loaded and nobody
                // else voted on it meanwhile.
                let shown = self.session.current(&self.workspace).map(|(_, a)| a.candid);
                if self.workspace.row_of(candid).is_some() && self.reference.is_open(candid) {
                    assert_eq!(shown, Some(candid), "undo shows that alert's card again");
                }
            }
            Some(MyAct::Adjudication { candid, previous }) => {
                count(&UNDOS);
                count(&ADJUDICATIONS_UNDONE);
                assert_eq!(
                    labels.adjudications().get(&candid),
                    previous.as_ref(),
                    "undo takes my decision back (the one before it stands again)"
                );
            }
        }
    }

    /// Adjudicates the first contested alert of the review queue (else the
    /// first one left unresolved), then checks that it trains with the
    /// decision.
    fn adjudicate(&mut self, choice: usize, leave_unresolved: bool) {
        let queue = self.session.review_queue();
        let item = queue
            .iter()
            .find(|item| item.provenance == Provenance::Contested)
            .or_else(|| {
                queue
                    .iter()
                    .find(|item| item.provenance == Provenance::Unresolved)
            });
        let Some(item) = item else {
            return;
        };
        let candid = item.candid;
        let voted: Vec<Label> = item
            .votes
            .iter()
            .map(|vote| vote.label)
            .filter(|label| *label != Label::Unsure)
            .collect::<BTreeSet<Label>>()
            .into_iter()
            .collect();
        let decision = (!leave_unresolved).then(|| voted[choice % voted.len()]);
        let reason = AdjudicationReason::ALL[choice % AdjudicationReason::ALL.len()];
        let time = timestamp(self.step, "a");
        assert!(
            self.session
                .adjudicate(candid, decision, Some(reason), time.clone()),
            "an alert of the review queue has votes to decide on"
        );
        count(&ADJUDICATED);
        let object_id = self
            .reference
            .object_of(candid)
            .expect("voted on")
            .to_string();
        self.reference.adjudicate(Adjudication {
            candid,
            object_id,
            label: decision,
            reason: Some(reason),
            reviewer: self.reference.me.clone(),
            timestamp: time,
        });
        assert_eq!(
            self.session
                .training_labels()
                .get(candid)
                .map(|entry| entry.label),
            decision,
            "an adjudicated alert trains with the decision (left unresolved: not at all)"
        );
    }

    /// A colleagues' export: each of `colleagues` votes on every alert
    /// (`labels` in turn, each colleague one further on), the first one
    /// maybe decides on the first alert.
    fn colleague_file(
        &self,
        alerts: &[usize],
        labels: &[Label],
        colleagues: &[&str],
        clock: Clock,
        adjudicates: Option<bool>,
        with_features: bool,
    ) -> ColleagueFile {
        let workspace = self.both_files();
        let rows = workspace.features();
        let time = match clock {
            Clock::Behind => timestamp(self.step, "colleague-behind"),
            Clock::Ahead => timestamp(self.step, "colleague-ahead"),
            Clock::Fixed => "2026-11-28T09:00:00Z".to_string(),
        };
        // A colleague's vote on an alert listed twice is their last one.
        let mut votes: BTreeMap<(Candid, String), Vote> = BTreeMap::new();
        for (i, &alert) in alerts.iter().enumerate() {
            let row = &rows[alert % rows.len()];
            for (shift, name) in colleagues.iter().enumerate() {
                let label = labels[(i + shift) % labels.len()];
                let vote = Vote::new(label, &time, &row.object_id, false);
                votes.insert((row.candid, name.to_string()), vote);
            }
        }
        let mut theirs = LabelStore::new();
        for ((candid, name), vote) in &votes {
            theirs.set(vote.entry(*candid, name));
        }
        // A decision is timed behind this tab's clock, whatever the votes'
        // clock: one timed ahead of it, imported before I decide on the same
        // alert, stands over my decision by the merge rule (the later
        // timestamp), so my next save would take my act back.
        let decided_at = match clock {
            Clock::Fixed => time.clone(),
            Clock::Behind | Clock::Ahead => timestamp(self.step, "colleague-behind"),
        };
        let adjudication = adjudicates.map(|decides| {
            let row = &rows[alerts[0] % rows.len()];
            Adjudication {
                candid: row.candid,
                object_id: row.object_id.clone(),
                label: Some(labels[0]).filter(|label| decides && *label != Label::Unsure),
                reason: Some(AdjudicationReason::Mistake),
                reviewer: colleagues[0].to_string(),
                timestamp: decided_at,
            }
        });
        if let Some(decision) = &adjudication {
            assert!(theirs.adjudicate(decision.clone()));
        }
        let text = export_json(
            self.survey,
            &theirs,
            None,
            &[] as &[RoundRecord],
            colleagues[0],
            &time,
            |candid| {
                workspace
                    .known_row(candid)
                    .filter(|_| with_features)
                    .map(|row| (row.values.as_slice(), workspace.known_mjd(candid)))
            },
        );
        ColleagueFile {
            name: format!("{}-{}.json", colleagues.join("-"), self.step),
            text,
            with_features,
            votes: votes
                .into_iter()
                .map(|((candid, name), vote)| (candid, name, vote))
                .collect(),
            adjudication,
        }
    }

    /// Imports a colleague's file, as the page does (its rows stored first).
    fn import(&mut self, file: &ColleagueFile) {
        let (outcome, follow_up) = self
            .session
            .import(&mut self.workspace, &file.name, &file.text);
        outcome.expect("a colleague's export imports");
        if file.with_features {
            // Every vote of the file is in the store now (a colleague's vote
            // is never undone here): its row is taken in.
            self.reference
                .stored
                .extend(file.votes.iter().map(|(candid, _, _)| *candid));
        }
        self.store_rows();
        self.follow(follow_up);
    }

    /// Imports one of the files imported before again: it changes no vote
    /// (the merge keeps the greatest act, the least round of that act, the
    /// OR of the marks: taking in a copy again changes none of them). A
    /// decision may come in, though: one imported while a later one of mine
    /// stood was dropped, and stands once my undo took mine back.
    fn import_again(&mut self, index: usize) {
        if self.imported.is_empty() {
            return;
        }
        let file = self.imported[index % self.imported.len()].clone();
        let voters = |session: &LabellingSession| -> Vec<LabelEntry> {
            session.saved().labels.all_votes().cloned().collect()
        };
        let before = voters(&self.session);
        self.reference.take_in(&file);
        self.import(&file);
        assert_eq!(
            voters(&self.session),
            before,
            "a file imported again changes no vote"
        );
        count(&FILES_IMPORTED_AGAIN);
    }

    /// Another tab (same storage, same annotator) labels alerts and saves;
    /// this tab hears of it.
    fn other_tab_labels(&mut self, alerts: &[usize], label: Label, earlier: bool) {
        self.save();
        let stored = self.storage.clone().expect("saved");
        let (mut other, mut other_written) = self.start_tab();
        let workspace = self.both_files();
        let me = self.reference.me.clone();
        for (given, &alert) in alerts.iter().enumerate() {
            let candid = workspace.features()[alert % workspace.features().len()].candid;
            let object_id = workspace.features()[alert % workspace.features().len()]
                .object_id
                .clone();
            let clock = if earlier { "b-early" } else { "b" };
            let time = timestamp(self.step * 10 + given, clock);
            let open = self.reference.is_open(candid);
            let labelled = other.label(&workspace, candid, label, time.clone());
            assert_eq!(
                labelled, open,
                "the other tab labels exactly the alerts nobody voted on"
            );
            if labelled {
                let random_pick = other
                    .saved()
                    .labels
                    .vote_of(candid, &me)
                    .expect("its vote, under my name")
                    .random_pick;
                // Its vote is mine, but not an act this tab can undo.
                self.reference.merge_vote(
                    candid,
                    &me,
                    Vote::new(label, &time, &object_id, random_pick),
                );
            }
        }
        // The other tab saves (merging with storage, writing the records
        // that lag behind); this tab hears of it.
        let other_apart = Harness::stored_apart(&other, &other_written);
        let _ = other
            .merge_stored(&workspace, &stored, &other_apart)
            .expect("reads");
        Harness::write_vote_records(
            &other,
            self.survey,
            &mut other_written,
            &mut self.vote_records,
        );
        let text = other.saved_json_leaving_out(&Harness::stored_apart(&other, &other_written));
        self.storage = Some(text.clone());
        let apart = Harness::stored_apart(&self.session, &self.written);
        let (_, follow_up) = self
            .session
            .merge_stored(&self.workspace, &text, &apart)
            .expect("reads");
        self.follow(follow_up);
    }

    /// The page after a reload that loads the same files again: rows of
    /// loaded alerts with votes come back fresh and replace older stored ones.
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
        let voted = self.session.saved().labels.votes().voted_alerts();
        if workspace.keep_labelled_rows(voted) {
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

    /// Every invariant, after every step.
    fn check(&self) {
        let saved = self.session.saved();
        assert_eq!(saved.annotator, self.reference.me, "my name");
        assert_eq!(
            saved.settings.consensus,
            self.reference.rule(),
            "the consensus rule"
        );
        self.check_votes();
        self.check_consensus();
        self.check_card();
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
        self.check_export_round_trip();
        // The rows of loaded alerts with votes are stored as computed now.
        for candid in saved.labels.votes().voted_alerts() {
            if let Some(row) = self.workspace.row_of(candid) {
                let key = StoredRow::key(self.survey, candid);
                let stored = StoredRow::from_bytes(&self.database[&key]).expect("reads");
                let values = &self.workspace.features()[row].values;
                assert_eq!(stored.values.len(), values.len());
                assert!(stored
                    .values
                    .iter()
                    .zip(values)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }

    /// The store holds exactly the model's votes and decisions: no vote is
    /// lost (but those I undid), each keeps its first round, and no act
    /// undone comes back.
    fn check_votes(&self) {
        let labels = &self.session.saved().labels;
        let in_store: BTreeMap<(Candid, String), Vote> = labels
            .all_votes()
            .map(|entry| ((entry.candid, entry.annotator.clone()), Vote::of(entry)))
            .collect();
        assert_eq!(
            in_store.len(),
            labels.all_votes().count(),
            "one vote per annotator and alert"
        );
        for (key, vote) in &self.reference.votes {
            match in_store.get(key) {
                Some(stored) => assert_eq!(stored, vote, "the vote of {key:?}"),
                None => panic!("the vote of {key:?} was lost: {vote:?}"),
            }
        }
        for (key, vote) in &in_store {
            assert!(
                self.reference.votes.contains_key(key),
                "a vote nobody gave (or one undone came back): {key:?} {vote:?}"
            );
        }
        // An act undone stays undone, whatever the merges brought back.
        for undone in &self.reference.undone_votes {
            assert!(
                !labels.votes().votes_on(undone.candid).any(|entry| {
                    entry.timestamp == undone.timestamp && entry.label == undone.label
                }),
                "{undone:?} came back"
            );
        }
        assert_eq!(
            labels.adjudications(),
            &self.reference.adjudications,
            "the decisions"
        );
        for undone in &self.reference.undone_adjudications {
            assert_ne!(
                labels.adjudications().get(&undone.candid),
                Some(undone),
                "a decision undone came back"
            );
        }
    }

    /// Each alert trains with the consensus of its votes (a decision wins),
    /// and the review queue lists exactly the alerts left out: the
    /// contested ones first, then those left unresolved.
    fn check_consensus(&self) {
        let training: BTreeMap<Candid, Label> = self
            .session
            .training_labels()
            .labels()
            .map(|entry| (entry.candid, entry.label))
            .collect();
        assert_eq!(
            training,
            self.reference.training_labels(),
            "each alert trains with the consensus of its votes"
        );
        let queue = self.session.review_queue();
        let listed = |provenance: Provenance| -> BTreeSet<Candid> {
            queue
                .iter()
                .filter(|item| item.provenance == provenance)
                .map(|item| item.candid)
                .collect()
        };
        let contested = self.reference.alerts_that_are(Outcome::Contested);
        assert_eq!(listed(Provenance::Contested), contested, "contested alerts");
        assert_eq!(
            listed(Provenance::Unresolved),
            self.reference.alerts_that_are(Outcome::Unresolved),
            "alerts left unresolved"
        );
        assert_eq!(
            queue.len(),
            contested.len() + listed(Provenance::Unresolved).len(),
            "the review lists the alerts left out only"
        );
        assert!(
            queue.windows(2).all(|pair| {
                !(pair[0].provenance == Provenance::Unresolved
                    && pair[1].provenance == Provenance::Contested)
            }),
            "contested alerts are reviewed before those left unresolved"
        );
        if !contested.is_empty() {
            count(&CONTESTED);
        }
        if self.session.settled().counts.mine > 0 {
            count(&MINE_OVER_OTHERS);
        }
    }

    /// The card never shows an alert someone voted on or decided, nor a
    /// solar-system one unless asked for, nor one of an object that
    /// already trains when the settings leave those out (unless its vote
    /// was just undone: undo shows the card again).
    fn check_card(&self) {
        let saved = self.session.saved();
        let Some((row, alert)) = self.session.current(&self.workspace) else {
            return;
        };
        assert_eq!(self.workspace.features()[row].candid, alert.candid);
        let undone_here = alert.score == f64::INFINITY;
        let shown = &self.workspace.alerts()[row];
        if shown.is_solar_system() {
            count(&SOLAR_SYSTEM_SHOWN);
        }
        assert!(
            !shown.is_solar_system() || saved.settings.include_solar_system || undone_here,
            "a solar-system alert is shown only when asked for: {alert:?}"
        );
        assert!(
            self.reference.is_open(alert.candid) && !saved.labels.is_labelled(alert.candid),
            "the card shows only an alert nobody voted on: {alert:?}"
        );
        let object = shown.object_id();
        let of_a_labelled_object = self
            .reference
            .training_labels()
            .keys()
            .filter_map(|candid| self.reference.object_of(*candid))
            .any(|trained| trained == object && !(self.survey == Survey::Lsst && object == "0"));
        assert!(
            !(of_a_labelled_object && saved.settings.skip_labelled_objects) || undone_here,
            "an alert of a labelled object is shown only when the settings let them in"
        );
    }

    /// Export then import into a fresh session gives the same votes and
    /// decisions (a vote or decision that names no one comes back as the
    /// file's annotator's, or `unknown (export.json)`'s when the session
    /// has no name), the same rounds, and every vote with a known row
    /// carries it, value for value.
    fn check_export_round_trip(&self) {
        let saved = self.session.saved();
        let workspace = &self.workspace;
        let export = export_json(
            self.survey,
            &saved.labels,
            None,
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
        let with_rows = saved
            .labels
            .all_votes()
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
        let file_annotator = match saved.annotator.trim() {
            "" => unknown_annotator_of("export.json"),
            name => name.to_string(),
        };
        let named = |name: &str| -> String {
            match name.trim() {
                "" => file_annotator.clone(),
                name => name.to_string(),
            }
        };
        let without_round = |entry: &LabelEntry| LabelEntry {
            round: None,
            ..entry.clone()
        };
        let imported: BTreeSet<LabelEntry> = fresh.labels.all_votes().map(without_round).collect();
        let exported: BTreeSet<LabelEntry> = saved
            .labels
            .all_votes()
            .map(|entry| LabelEntry {
                annotator: named(&entry.annotator),
                ..without_round(entry)
            })
            .collect();
        assert_eq!(imported, exported, "export then import: the same votes");
        let exported_decisions: BTreeMap<Candid, Adjudication> = saved
            .labels
            .adjudications()
            .iter()
            .map(|(candid, decision)| {
                let decision = Adjudication {
                    reviewer: named(&decision.reviewer),
                    ..decision.clone()
                };
                (*candid, decision)
            })
            .collect();
        assert_eq!(
            fresh.labels.adjudications(),
            &exported_decisions,
            "export then import: the same decisions"
        );
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
    let counters: [(&str, &AtomicUsize); 17] = [
        ("rounds", &ROUNDS),
        ("of one class", &ONE_CLASS_ROUNDS),
        ("labels trained again", &RELABELLED_ROUNDS),
        ("undos", &UNDOS),
        ("steps with contested alerts", &CONTESTED),
        (
            "steps where my vote settled a disagreement",
            &MINE_OVER_OTHERS,
        ),
        ("late rankings", &LATE_RANKINGS),
        ("adjudications", &ADJUDICATED),
        ("adjudications undone", &ADJUDICATIONS_UNDONE),
        (
            "votes replaced by their annotator's later one",
            &VOTES_REPLACED,
        ),
        ("files imported again", &FILES_IMPORTED_AGAIN),
        ("feature choices", &FEATURES_TOGGLED),
        ("rows trained from the database", &TRAINED_FROM_STORED_ROWS),
        ("stored rows replaced by fresh ones", &STORED_ROWS_REPLACED),
        ("solar-system cards shown", &SOLAR_SYSTEM_SHOWN),
        ("records completed after the ranking", &RECORDS_COMPLETED),
        (
            "completed records checked against the round trained whole",
            &RECORDS_AS_TRAINED_WHOLE,
        ),
    ];
    let before = counters.map(|(_, counter)| counter.load(Ordering::Relaxed));
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
    let report: Vec<String> = counters
        .iter()
        .zip(&seen)
        .map(|((what, _), seen)| format!("{seen} {what}"))
        .collect();
    eprintln!(
        "session model ({survey}): {cases} sequences of up to 60 actions in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        report.join(", ")
    );
    for ((what, counter), seen) in counters.iter().zip(seen) {
        if std::ptr::eq(*counter, &SOLAR_SYSTEM_SHOWN) {
            // Only the LSST files have solar-system alerts.
            assert_eq!(
                seen > 0,
                survey == Survey::Lsst,
                "{survey}: solar-system cards shown {seen} times"
            );
        } else {
            assert!(seen > 0, "{survey}: no {what} in {cases} sequences");
        }
    }
}

/// ZTF then LSST, one after the other (the counters are shared).
#[test]
fn generated_sequences_of_user_actions_keep_every_rule_of_the_session() {
    run_the_model(Survey::Ztf, cases());
    run_the_model(Survey::Lsst, (cases() / 5).max(120));
}
