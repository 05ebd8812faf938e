//! The labelling session's rules, in one type the page drives and the tests
//! check against a reference model: the current card, label, skip,
//! multi-level undo, batch progress, recording a round, applying a ranking,
//! new alerts, imports, another tab's labels, settings.
//!
//! The page keeps signals, workers and generation counters; every decision
//! about labels, rounds, probabilities and the queue is made here. What
//! crosses to a worker (a `TrainingJob`, a [`QueueJob`]) is built here, and
//! its answer is applied here, whenever it comes back: everything is keyed by
//! alert id, so a late answer can be stale but never out of range.

mod labels_table;
mod review;
mod rounds;
mod sharing;
mod team_card;

use std::collections::BTreeSet;

use crate::core::active::pick_reason::PickReason;
use crate::core::alert::{Alert, Candid};
use crate::core::labels::adjudication::{Adjudication, AdjudicationReason};
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::settled::SettledLabels;
use crate::core::labels::vocabulary::Label;
use crate::core::labels::votes::VoteTable;
use crate::core::object_labels::{earlier_labels, labelled_objects};
use crate::core::queue::{PoolAlert, QueueJob, QueuedAlert, RankingRule};
use crate::core::session::SavedSession;
use crate::core::team::consensus::{settle, ConsensusRecord, ConsensusRule, Settled};
use crate::core::workbench::{batch_progress, WorkbenchSettings};
use crate::core::workspace::Workspace;

pub use labels_table::LabelRow;
pub use review::ReviewItem;
use rounds::Scores;
pub use rounds::StaleTraining;
pub use team_card::{CardVotes, RevealedVotes};

/// What the page should start after an action (both run in its worker).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct FollowUp {
    /// Rank the queue again ([`LabellingSession::queue_job`]).
    pub rerank: bool,
    /// Fit the model of the current settings again on the loaded labels,
    /// without recording a round, so that it scores every loaded alert
    /// ([`LabellingSession::training_job`] with `record = false`).
    pub refit: bool,
}

/// The labelled objects the settings leave out of the queue (`None`: none),
/// and the alerts someone voted on (which double labelling and gold checks
/// serve whatever their object: their own vote labels the object).
struct ObjectsLeftOut<'a>(Option<BTreeSet<&'a str>>, &'a VoteTable);

impl ObjectsLeftOut<'_> {
    /// Whether `alert` is left out as an alert of a labelled object: one
    /// nobody voted on, of an object with a label.
    fn holds(&self, alert: &Alert) -> bool {
        self.0
            .as_ref()
            .is_some_and(|objects| objects.contains(alert.object_id().as_ref()))
            && !self.1.has_votes(alert.candid())
    }
}

/// The score of an alert whose label was undone: it is queued in front of
/// every ranked alert, so that undo shows its card again.
const UNDONE_SCORE: f64 = f64::INFINITY;

/// One labelling session: the saved part (labels, rounds, settings) and
/// what lives only in the tab (model probabilities, the queue, skips).
#[derive(Clone, Debug, Default)]
pub struct LabellingSession {
    saved: SavedSession,
    /// The training label of each alert, settled from the votes by the
    /// settings' consensus rule; recomputed whenever the saved part changes.
    settled: Settled,
    scores: Scores,
    queue: Vec<QueuedAlert>,
    skipped: BTreeSet<Candid>,
    /// Bumped by every change to the saved part, so the page saves once per change.
    revision: u64,
    /// How many annotators the session holds: those who voted, and me
    /// (kept with `settled`).
    annotators: usize,
    /// The alert this tab labelled last, whose votes the card reveals.
    last_labelled: Option<Candid>,
}

impl LabellingSession {
    /// A session continuing `saved` (no model yet: rounds are refitted).
    pub fn new(saved: SavedSession) -> LabellingSession {
        let mut session = LabellingSession {
            saved,
            ..LabellingSession::default()
        };
        session.settle();
        session
    }

    /// What is saved between visits.
    pub fn saved(&self) -> &SavedSession {
        &self.saved
    }

    /// Changes whenever [`LabellingSession::saved`] does.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.settle();
    }

    /// A change to the saved part that touched neither the votes nor the
    /// settings (a round's record, a save behind this copy): saved again,
    /// nothing settled again.
    fn changed_without_labels(&mut self) {
        self.revision += 1;
    }

    /// A change to the saved part that touched the votes or decision of
    /// `candid` alone (a label, an adjudication): settled again for that
    /// alert only when the rule allows (keeps a key press cheap at 10^5
    /// votes), else everything. (A session without a name settles
    /// everything: its first vote adds an annotator, its unnamed self.)
    fn changed_alert(&mut self, candid: Candid) {
        self.revision += 1;
        let _ = self.saved.labels.take_touched_alerts();
        let settings = &self.saved.settings;
        let labels = &self.saved.labels;
        let me = self.saved.annotator.as_str();
        let settled_alone = !me.is_empty()
            && self.settled.settle_again(
                labels.votes(),
                candid,
                settings.consensus,
                me,
                labels.adjudications(),
            );
        if !settled_alone {
            self.settle();
        }
    }

    /// A change to the votes of some alerts and perhaps to adjudications
    /// (an import, records read back), settings untouched: the alerts whose
    /// votes changed and the adjudicated ones settled again, when the rule
    /// allows and they are a quarter of the alerts or fewer (an import of a
    /// colleague's 100 votes into a team's 200,000), else everything.
    fn changed_votes(&mut self) {
        self.revision += 1;
        let touched = self.saved.labels.take_touched_alerts();
        let labels = &self.saved.labels;
        let settings = &self.saved.settings;
        let me = self.saved.annotator.as_str();
        let alert_by_alert = !me.is_empty()
            && settings.consensus != ConsensusRule::Weighted
            && touched.len() * 4 <= labels.votes().alert_count();
        if !alert_by_alert {
            self.settle();
            return;
        }
        let adjudicated = labels.adjudications().keys().copied();
        for candid in touched.into_iter().chain(adjudicated) {
            self.settled.settle_again(
                labels.votes(),
                candid,
                settings.consensus,
                me,
                labels.adjudications(),
            );
        }
        self.count_annotators();
    }

    /// Settles every alert's training label from the votes again.
    fn settle(&mut self) {
        let _ = self.saved.labels.take_touched_alerts();
        let settings = &self.saved.settings;
        let votes = self.saved.labels.votes();
        self.settled = settle(
            votes,
            settings.consensus,
            settings.posterior_threshold,
            &self.saved.annotator,
            self.saved.labels.adjudications(),
        );
        self.count_annotators();
    }

    /// Counts the annotators whose votes the session holds, and me.
    fn count_annotators(&mut self) {
        let names = self.saved.labels.votes().annotators();
        let me = self.saved.annotator.as_str();
        self.annotators = names.len() + usize::from(!me.is_empty() && !names.contains(&me));
    }

    /// The label each alert trains with (the consensus of its votes).
    pub fn training_labels(&self) -> &SettledLabels {
        &self.settled.training
    }

    /// What the consensus rule made of the votes: training labels, each
    /// alert's provenance, the counts.
    pub fn settled(&self) -> &Settled {
        &self.settled
    }

    /// The consensus a round records: the rule and what it settled, when
    /// more than one annotator voted (`None` for one annotator's rounds).
    pub fn consensus_record(&self) -> Option<ConsensusRecord> {
        let votes = self.saved.labels.votes();
        let settings = &self.saved.settings;
        (votes.annotators().len() > 1).then(|| ConsensusRecord {
            rule: settings.consensus,
            posterior_threshold: settings.posterior_threshold,
            // Whose votes `mine` preferred (empty for the other rules).
            annotator: match settings.consensus {
                ConsensusRule::Mine => self.saved.annotator.clone(),
                _ => String::new(),
            },
            counts: self.settled.counts.clone(),
        })
    }

    pub fn settings(&self) -> &WorkbenchSettings {
        &self.saved.settings
    }

    /// The current model's P(class 1) for this alert, if it scored it.
    pub fn probability_of(&self, candid: Candid) -> Option<f64> {
        self.scores.by_alert.get(&candid).copied()
    }

    /// Whether a model has scored alerts (after a round, or a refit).
    pub fn has_model(&self) -> bool {
        !self.scores.by_alert.is_empty()
    }

    /// The ranked queue as last applied (labelled alerts included until shown).
    pub fn queue(&self) -> &[QueuedAlert] {
        &self.queue
    }

    /// Whether the alert waits for my label: no reviewer decided it, and
    /// nobody voted on it, or (double labelling) others did, I have not, and
    /// it holds fewer votes than the settings gather.
    fn is_open(&self, candid: Candid) -> bool {
        let labels = &self.saved.labels;
        if labels.adjudications().contains_key(&candid) {
            return false;
        }
        if !labels.votes().has_votes(candid) {
            return true;
        }
        let settings = &self.saved.settings;
        settings.double_labelling
            && labels.vote_of(candid, &self.saved.annotator).is_none()
            && labels.votes().votes_on(candid).count() < settings.votes_per_alert
    }

    /// Whether the alert waits for my label: open, or a gold alert I have
    /// not labelled (`team_card::is_unseen_gold`).
    fn waits_for_me(&self, candid: Candid) -> bool {
        self.is_open(candid) || self.is_unseen_gold(candid)
    }

    /// The card to show: the first queued alert that is loaded, unlabelled,
    /// not in conflict and not skipped, with its row in the workspace. A
    /// solar-system alert is shown only if the settings let them in, and an
    /// alert of an already labelled object only if the settings do not leave
    /// them out, unless its label was just undone (undo shows the card
    /// again), whatever ranking (however late) queued it.
    pub fn current(&self, workspace: &Workspace) -> Option<(usize, &QueuedAlert)> {
        let left_out = self.objects_left_out(workspace);
        let admitted = |row: usize, alert: &QueuedAlert| {
            let shown = workspace.alerts().get(row);
            let of_a_labelled_object = shown.is_some_and(|shown| left_out.holds(shown));
            alert.score == UNDONE_SCORE
                || ((self.saved.settings.include_solar_system
                    || !shown.is_some_and(|shown| shown.is_solar_system()))
                    && !of_a_labelled_object)
        };
        self.queue.iter().find_map(|alert| {
            let row = workspace.row_of(alert.candid)?;
            (self.waits_for_me(alert.candid)
                && !self.skipped.contains(&alert.candid)
                && admitted(row, alert))
            .then_some((row, alert))
        })
    }

    /// Usable labels not yet trained on, against the number the next round needs.
    pub fn batch_progress(&self) -> (usize, usize) {
        batch_progress(
            &self.settled.training,
            &self.saved.rounds,
            &self.saved.settings,
        )
    }

    /// Labels a loaded alert that has no label and no conflict; returns
    /// whether it did. `timestamp` (UTC ISO 8601, to the millisecond) makes
    /// the act unique.
    pub fn label(
        &mut self,
        workspace: &Workspace,
        candid: Candid,
        label: Label,
        timestamp: String,
    ) -> bool {
        let Some(row) = workspace
            .row_of(candid)
            .and_then(|row| workspace.features().get(row))
        else {
            return false;
        };
        if !self.waits_for_me(candid) {
            return false;
        }
        let object_id = row.object_id.clone();
        let random_pick = self
            .queue
            .iter()
            .find(|queued| queued.candid == candid)
            .is_some_and(|queued| queued.reason.is_exploration());
        self.saved.labels.set(LabelEntry {
            candid,
            object_id,
            label,
            timestamp,
            annotator: self.saved.annotator.clone(),
            round: None,
            random_pick,
        });
        self.saved.unexported_changes += 1;
        self.last_labelled = Some(candid);
        self.changed_alert(candid);
        true
    }

    /// The objects whose alerts the settings leave out of the queue: those
    /// already labelled, when the setting says so; none otherwise.
    fn objects_left_out<'a>(&'a self, workspace: &Workspace) -> ObjectsLeftOut<'a> {
        ObjectsLeftOut(
            self.saved
                .settings
                .skip_labelled_objects
                .then(|| labelled_objects(workspace.survey(), &self.settled.training)),
            self.saved.labels.votes(),
        )
    }

    /// How many loaded, open alerts the settings leave out because their
    /// object already has a label (0 when the setting is off).
    pub fn labelled_object_alerts_left_out(&self, workspace: &Workspace) -> usize {
        let left_out = self.objects_left_out(workspace);
        workspace
            .alerts()
            .iter()
            .filter(|alert| self.is_open(alert.candid()) && left_out.holds(alert))
            .count()
    }

    /// The label most recently given to another alert of `candid`'s object
    /// (loaded or not), for the card's "same as before" key.
    pub fn object_latest_label(&self, workspace: &Workspace, candid: Candid) -> Option<Label> {
        let row = workspace.row_of(candid)?;
        let alert = workspace.alerts().get(row)?;
        earlier_labels(workspace, &self.labels_for_cards(), alert)
            .first()
            .map(|earlier| earlier.label)
    }

    /// Passes over an alert until the next round.
    pub fn skip(&mut self, candid: Candid) {
        self.skipped.insert(candid);
    }

    /// Undoes this session's last act (any number of times): a label, whose
    /// alert comes to the front of the queue so its card is shown next, or
    /// an adjudication, whose alert goes back to the review.
    pub fn undo(&mut self) -> Option<Candid> {
        let undone = self.saved.labels.undo()?;
        self.saved.unexported_changes += 1;
        self.last_labelled = None;
        if let Some(adjudication) = undone.removed_adjudication {
            self.saved.undone_adjudications.insert(adjudication);
            self.changed();
            return Some(undone.candid);
        }
        let random_pick = undone
            .removed
            .as_ref()
            .is_some_and(|removed| removed.random_pick);
        self.saved.set_aside(undone.removed);
        self.skipped.remove(&undone.candid);
        self.queue.retain(|alert| alert.candid != undone.candid);
        self.queue.insert(
            0,
            QueuedAlert {
                candid: undone.candid,
                score: UNDONE_SCORE,
                reason: PickReason::Undone { random_pick },
            },
        );
        self.changed();
        Some(undone.candid)
    }

    /// The ranking of every loaded open alert (solar-system ones only if the
    /// settings say so), to run in the worker.
    pub fn queue_job(&self, workspace: &Workspace) -> (QueueJob, Vec<f64>) {
        let settings = &self.saved.settings;
        let round = self.saved.rounds.len();
        let left_out = self.objects_left_out(workspace);
        let pool = workspace
            .features()
            .iter()
            .zip(workspace.alerts())
            .filter(|(row, alert)| {
                self.is_open(row.candid)
                    && (settings.include_solar_system || !alert.is_solar_system())
                    && !left_out.holds(alert)
            })
            .map(|(row, alert)| PoolAlert {
                candid: row.candid,
                object_id: alert.object_key(),
                values: &row.values,
                probability: self.probability_of(row.candid),
            });
        let rule = RankingRule {
            strategy: settings.strategy,
            cold_start: settings.cold_start,
            batch: if round == 0 {
                settings.first_batch
            } else {
                settings.batch
            },
            seed: settings.seed.wrapping_add(round as u64),
            exploration_share: settings.exploration_share,
        };
        QueueJob::for_pool(pool, rule)
    }

    /// Applies a ranking, however late: alerts labelled since are passed
    /// over when shown; an alert whose label was undone stays in front.
    pub fn apply_ranking(&mut self, ranking: Vec<QueuedAlert>) {
        let undone_in_front: Vec<QueuedAlert> = self
            .queue
            .iter()
            .take_while(|alert| alert.score == UNDONE_SCORE)
            .filter(|alert| self.waits_for_me(alert.candid))
            .cloned()
            .collect();
        let front: BTreeSet<Candid> = undone_in_front.iter().map(|a| a.candid).collect();
        self.queue = undone_in_front;
        self.queue.extend(
            ranking
                .into_iter()
                .filter(|alert| !front.contains(&alert.candid)),
        );
        self.place_gold_checks();
    }

    /// Gives the session's name, once it has one, to its labels given
    /// before it had one (and to the acts undone among them), so that they
    /// are the same acts in every copy: an export names them. The page
    /// calls it when the name field is left.
    pub fn name_unnamed_labels(&mut self) {
        let annotator = self.saved.annotator.trim().to_string();
        if annotator.is_empty() {
            return;
        }
        let named = self.saved.name_unnamed(&annotator);
        if named > 0 {
            self.changed();
        }
    }

    pub fn set_annotator(&mut self, annotator: &str) {
        let annotator = annotator.trim();
        if annotator != self.saved.annotator {
            self.saved.annotator = annotator.to_string();
            self.changed();
        }
    }

    /// Records this session's decision on an alert with votes: the label it
    /// trains with (`None`: left unresolved) and why. It wins over the
    /// consensus rule, is undoable and exported. Returns whether it was
    /// recorded (an alert nobody voted on has nothing to settle).
    pub fn adjudicate(
        &mut self,
        candid: Candid,
        label: Option<Label>,
        reason: Option<AdjudicationReason>,
        timestamp: String,
    ) -> bool {
        if label == Some(Label::Unsure) {
            return false; // "unsure" is no label to train with
        }
        let Some(object_id) = self
            .saved
            .labels
            .votes()
            .votes_on(candid)
            .next()
            .map(|vote| vote.object_id.clone())
        else {
            return false;
        };
        let recorded = self.saved.labels.adjudicate(Adjudication {
            candid,
            object_id,
            label,
            reason,
            reviewer: self.saved.annotator.clone(),
            timestamp,
        });
        if recorded {
            self.saved.unexported_changes += 1;
            self.changed_alert(candid);
        }
        recorded
    }

    /// Whether [`LabellingSession::undo`] has a label to take back.
    pub fn can_undo(&self) -> bool {
        self.saved.labels.undo_depth() > 0
    }

    /// The export was handed to the browser: nothing is unexported now.
    pub fn mark_exported(&mut self) {
        if self.saved.unexported_changes != 0 {
            self.saved.unexported_changes = 0;
            self.changed();
        }
    }
}
