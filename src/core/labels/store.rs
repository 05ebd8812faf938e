//! The label store: every annotator's current vote on each alert, the
//! reviewers' adjudications, and multi-level undo of this session's own
//! acts. Which label an alert trains with is not decided here: the team's
//! consensus rule (`team::consensus`) settles it from the votes.
//!
//! Merging (another tab's copy, a colleague's file) is a union of votes by
//! the vote table's rule (one vote per annotator and alert: the same label
//! is one vote, of two different labels the later stands) and of
//! adjudications (the later stands). Both rules are symmetric, so the
//! result does not depend on the order of imports; a merge never replaces
//! one annotator's vote by another's, and keeps the undo steps of every
//! vote it did not change.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::adjudication::Adjudication;
use super::entry::LabelEntry;
use super::gold::GoldLabel;
use super::votes::{same_act, VoteChange, VoteTable};
use crate::core::alert::Candid;

/// Votes and adjudications. Two stores are equal when they hold the same
/// votes and adjudications, whatever their undo history (never saved).
#[derive(Clone, Debug, Default)]
pub struct LabelStore {
    votes: VoteTable,
    adjudications: BTreeMap<Candid, Adjudication>,
    /// Gold marks (the later of two on one alert; a mark saying "not gold"
    /// kept too, so that it stands over an earlier one in every merge).
    gold: BTreeMap<Candid, GoldLabel>,
    undo: Vec<UndoStep>,
}

impl PartialEq for LabelStore {
    fn eq(&self, other: &LabelStore) -> bool {
        self.adjudications == other.adjudications
            && self.gold == other.gold
            && self.votes.all_votes().eq(other.votes.all_votes())
    }
}

impl LabelStore {
    /// Whether the two stores hold the same votes, adjudications and gold
    /// marks, the votes of `stored_apart` (kept in the browser's database,
    /// not in the saved session) left out of both.
    pub fn same_leaving_out(&self, other: &LabelStore, stored_apart: &BTreeSet<String>) -> bool {
        self.adjudications == other.adjudications
            && self.gold == other.gold
            && self.votes.votes_leaving_out(stored_apart)
                == other.votes.votes_leaving_out(stored_apart)
    }
}

/// What [`LabelStore::undo`] restores: one annotator's vote on an alert,
/// or the adjudication of an alert, as it was before this session's act.
#[derive(Clone, Debug, PartialEq)]
enum UndoStep {
    Vote {
        candid: Candid,
        annotator: String,
        previous: Option<LabelEntry>,
    },
    Adjudication {
        candid: Candid,
        previous: Option<Adjudication>,
    },
}

impl UndoStep {
    fn candid(&self) -> Candid {
        match self {
            UndoStep::Vote { candid, .. } | UndoStep::Adjudication { candid, .. } => *candid,
        }
    }
}

/// What one [`LabelStore::undo`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Undone {
    /// The alert to go back to.
    pub candid: Candid,
    /// The vote the undo took away, if any (a vote undone, or replaced by
    /// the one before it).
    pub removed: Option<LabelEntry>,
    /// The adjudication the undo took away, if it undid one.
    pub removed_adjudication: Option<Adjudication>,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Votes new to the store.
    pub added: usize,
    /// Votes the store held already (the same annotator, the same label).
    pub duplicates: usize,
    /// Votes that replaced an earlier, different vote of the same annotator.
    pub replaced: usize,
    /// Votes set aside because the same annotator's vote here is later.
    pub outdated: usize,
    /// Adjudications new to the store or later than the one it held.
    pub adjudications: usize,
    /// Gold marks new to the store or later than the one it held.
    pub gold: usize,
}

/// Two merges' reports summed, as of one merge.
impl std::ops::AddAssign for MergeReport {
    fn add_assign(&mut self, other: MergeReport) {
        self.added += other.added;
        self.duplicates += other.duplicates;
        self.replaced += other.replaced;
        self.outdated += other.outdated;
        self.adjudications += other.adjudications;
        self.gold += other.gold;
    }
}

impl MergeReport {
    fn count(&mut self, change: &VoteChange) {
        match change {
            VoteChange::Added => self.added += 1,
            VoteChange::Duplicate => self.duplicates += 1,
            VoteChange::Replaced(_) => self.replaced += 1,
            VoteChange::Outdated => self.outdated += 1,
        }
    }
}

impl LabelStore {
    pub fn new() -> LabelStore {
        LabelStore::default()
    }

    /// Sets (or replaces) `entry.annotator`'s vote on `entry.candid`: this
    /// session's act, undoable.
    pub fn set(&mut self, entry: LabelEntry) {
        let candid = entry.candid;
        let annotator = entry.annotator.clone();
        let previous = self.votes.put(entry);
        self.undo.push(UndoStep::Vote {
            candid,
            annotator,
            previous,
        });
    }

    /// Records a reviewer's decision on an alert that has votes: this
    /// session's act, undoable. Returns whether it was recorded (an alert
    /// nobody voted on cannot be adjudicated).
    pub fn adjudicate(&mut self, adjudication: Adjudication) -> bool {
        let candid = adjudication.candid;
        if !self.votes.has_votes(candid) {
            return false;
        }
        let previous = self.adjudications.insert(candid, adjudication);
        self.undo.push(UndoStep::Adjudication { candid, previous });
        true
    }

    /// Undoes this session's last vote or adjudication; says which alert it
    /// touched, so the page can go back to it.
    pub fn undo(&mut self) -> Option<Undone> {
        let step = self.undo.pop()?;
        let candid = step.candid();
        let mut undone = Undone {
            candid,
            removed: None,
            removed_adjudication: None,
        };
        match step {
            UndoStep::Vote {
                annotator,
                previous,
                ..
            } => {
                undone.removed = match previous {
                    Some(entry) => self.votes.put(entry),
                    None => self.votes.take(candid, &annotator),
                };
            }
            UndoStep::Adjudication { previous, .. } => {
                undone.removed_adjudication = match previous {
                    Some(adjudication) => self.adjudications.insert(candid, adjudication),
                    None => self.adjudications.remove(&candid),
                };
            }
        }
        Some(undone)
    }

    /// How many steps [`LabelStore::undo`] can take back.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Every vote.
    pub fn votes(&self) -> &VoteTable {
        &self.votes
    }

    /// `annotator`'s vote on `candid`.
    pub fn vote_of(&self, candid: Candid, annotator: &str) -> Option<&LabelEntry> {
        self.votes.vote_of(candid, annotator)
    }

    /// Whether anyone voted on `candid`, or a reviewer decided it.
    pub fn is_labelled(&self, candid: Candid) -> bool {
        self.votes.has_votes(candid) || self.adjudications.contains_key(&candid)
    }

    /// Every vote, by alert then annotator (what a merge takes in).
    pub fn all_votes(&self) -> impl Iterator<Item = &LabelEntry> {
        self.votes.all_votes()
    }

    /// The alerts whose votes changed since the last call
    /// (`VoteTable::take_touched`), and forgets them.
    pub fn take_touched_alerts(&mut self) -> BTreeSet<Candid> {
        self.votes.take_touched()
    }

    /// The reviewers' decisions, by alert.
    pub fn adjudications(&self) -> &BTreeMap<Candid, Adjudication> {
        &self.adjudications
    }

    /// How many alerts have a vote.
    pub fn alert_count(&self) -> usize {
        self.votes.alert_count()
    }

    pub fn is_empty(&self) -> bool {
        self.votes.is_empty() && self.adjudications.is_empty()
    }

    /// Records which round's training set used each candid in `rounds` (a
    /// training-ids file says so), on its votes that have no round yet: a
    /// vote's round, once set, never changes.
    pub fn set_rounds(&mut self, rounds: &BTreeMap<Candid, u32>) {
        for (candid, &round) in rounds {
            self.votes.update_votes_on(*candid, |vote| {
                let unset = vote.round.is_none();
                vote.round.get_or_insert(round);
                unset
            });
        }
    }

    /// Records that `round` trained on `label` for `candid`: set on the
    /// alert's votes for that label that have no round yet (a vote's round is
    /// the first round that used it).
    pub fn record_first_round(&mut self, candid: Candid, label: &str, round: u32) {
        self.votes.update_votes_on(candid, |vote| {
            let unset = vote.round.is_none() && vote.label.name() == label;
            if unset {
                vote.round = Some(round);
            }
            unset
        });
    }

    /// Gives `annotator` to every vote, undo step and adjudication that
    /// names nobody (this session's own, given before it had a name);
    /// returns how many votes and adjudications it named.
    pub fn name_unnamed(&mut self, annotator: &str) -> usize {
        let unnamed: Vec<LabelEntry> = self
            .votes
            .all_votes()
            .filter(|vote| vote.annotator.is_empty())
            .cloned()
            .collect();
        let mut named = unnamed.len();
        for vote in unnamed {
            let _ = self.votes.take(vote.candid, "");
            let _ = self.votes.merge_vote(LabelEntry {
                annotator: annotator.to_string(),
                ..vote
            });
        }
        self.votes.clear_replaced();
        for adjudication in self.adjudications.values_mut() {
            if adjudication.reviewer.is_empty() {
                adjudication.reviewer = annotator.to_string();
                named += 1;
            }
        }
        for mark in self.gold.values_mut() {
            if mark.marked_by.is_empty() {
                mark.marked_by = annotator.to_string();
            }
        }
        for step in &mut self.undo {
            match step {
                UndoStep::Vote {
                    annotator: name,
                    previous,
                    ..
                } => {
                    if name.is_empty() {
                        *name = annotator.to_string();
                    }
                    if let Some(previous) = previous.as_mut().filter(|p| p.annotator.is_empty()) {
                        previous.annotator = annotator.to_string();
                    }
                }
                UndoStep::Adjudication { previous, .. } => {
                    if let Some(previous) = previous.as_mut().filter(|p| p.reviewer.is_empty()) {
                        previous.reviewer = annotator.to_string();
                    }
                }
            }
        }
        named
    }

    /// Drops every vote that is the same act as one in `undone` and every
    /// adjudication in `undone_adjudications` (acts undone, here or in
    /// another tab). Returns the alerts touched; their undo steps go.
    pub fn purge(
        &mut self,
        undone: &BTreeSet<LabelEntry>,
        undone_adjudications: &BTreeSet<Adjudication>,
    ) -> BTreeSet<Candid> {
        let mut undone_by_candid: BTreeMap<Candid, Vec<&LabelEntry>> = BTreeMap::new();
        for entry in undone {
            undone_by_candid
                .entry(entry.candid)
                .or_default()
                .push(entry);
        }
        let mut touched = self.votes.retain(|vote| {
            !undone_by_candid
                .get(&vote.candid)
                .is_some_and(|gone| gone.iter().any(|gone| same_act(gone, vote)))
        });
        self.adjudications.retain(|candid, adjudication| {
            let keep = !undone_adjudications.contains(adjudication);
            if !keep {
                touched.insert(*candid);
            }
            keep
        });
        self.undo.retain(|step| !touched.contains(&step.candid()));
        touched
    }

    /// Merges `incoming` votes (see the module notes). Not undoable; the undo
    /// steps of the votes it changed are dropped, the others kept.
    pub fn merge(&mut self, incoming: impl IntoIterator<Item = LabelEntry>) -> MergeReport {
        let mut report = MergeReport::default();
        let mut changed: BTreeSet<(Candid, String)> = BTreeSet::new();
        for vote in incoming {
            let key = (vote.candid, vote.annotator.clone());
            let change = self.votes.merge_vote(vote);
            report.count(&change);
            if matches!(change, VoteChange::Added | VoteChange::Replaced(_)) {
                changed.insert(key);
            }
        }
        self.undo.retain(|step| match step {
            UndoStep::Vote {
                candid, annotator, ..
            } => !changed.contains(&(*candid, annotator.clone())),
            UndoStep::Adjudication { .. } => true,
        });
        report
    }

    /// Merges `incoming` adjudications: of two on one alert the later stands.
    /// Undo steps of the alerts whose decision changed are dropped. Returns
    /// how many changed one.
    pub fn merge_adjudications(
        &mut self,
        incoming: impl IntoIterator<Item = Adjudication>,
    ) -> usize {
        let mut changed = BTreeSet::new();
        for adjudication in incoming {
            let candid = adjudication.candid;
            match self.adjudications.get(&candid) {
                Some(kept) if !adjudication.supersedes(kept) => {}
                _ => {
                    self.adjudications.insert(candid, adjudication);
                    changed.insert(candid);
                }
            }
        }
        self.undo.retain(|step| match step {
            UndoStep::Adjudication { candid, .. } => !changed.contains(candid),
            UndoStep::Vote { .. } => true,
        });
        changed.len()
    }

    /// Marks an alert gold (its label known for sure), or no longer gold
    /// (`label: None`); the later mark on an alert stands. An alert nobody
    /// voted on cannot be marked. Returns whether it was recorded.
    pub fn mark_gold(&mut self, mark: GoldLabel) -> bool {
        if !self.votes.has_votes(mark.candid) {
            return false;
        }
        self.merge_gold([mark]) > 0
    }

    /// Every gold mark, by alert (those saying "not gold" too).
    pub fn gold_marks(&self) -> &BTreeMap<Candid, GoldLabel> {
        &self.gold
    }

    /// The gold alerts and their true labels: marks saying a label, on
    /// alerts that still have votes (a vote undone can leave a mark alone).
    pub fn gold(&self) -> impl Iterator<Item = (Candid, super::vocabulary::Label)> + '_ {
        self.gold
            .iter()
            .filter(|(candid, _)| self.votes.has_votes(**candid))
            .filter_map(|(candid, mark)| mark.label.map(|label| (*candid, label)))
    }

    /// The gold marks a label file carries: those on alerts with votes (the
    /// file's import checks it).
    pub fn exported_gold_marks(&self) -> impl Iterator<Item = &GoldLabel> + '_ {
        self.gold
            .values()
            .filter(|mark| self.votes.has_votes(mark.candid))
    }

    /// Merges `incoming` gold marks: of two on one alert the later stands.
    /// Returns how many changed one.
    pub fn merge_gold(&mut self, incoming: impl IntoIterator<Item = GoldLabel>) -> usize {
        let mut changed = 0;
        for mark in incoming {
            match self.gold.get(&mark.candid) {
                Some(kept) if !mark.supersedes(kept) => {}
                _ => {
                    self.gold.insert(mark.candid, mark);
                    changed += 1;
                }
            }
        }
        changed
    }

    /// Votes replaced by a later, different vote of the same annotator in
    /// merges since the last call, and forgets them.
    pub fn take_replaced(&mut self) -> Vec<super::votes::ReplacedVote> {
        let replaced = self.votes.replaced().to_vec();
        self.votes.clear_replaced();
        replaced
    }
}

/// The store as saved: every vote and adjudication in a list. Older saves
/// held one label per alert and the versions in conflict: each is its
/// annotator's vote.
#[derive(Serialize)]
struct SavedForm<'a> {
    votes: Vec<&'a LabelEntry>,
    adjudications: Vec<&'a Adjudication>,
    gold: Vec<&'a GoldLabel>,
}

#[derive(Deserialize)]
struct ReadForm {
    #[serde(default)]
    votes: Vec<LabelEntry>,
    #[serde(default)]
    adjudications: Vec<Adjudication>,
    #[serde(default)]
    gold: Vec<GoldLabel>,
    /// Saves before votes: one label per alert.
    #[serde(default)]
    labels: BTreeMap<Candid, LabelEntry>,
    /// Saves before votes: versions in conflict.
    #[serde(default)]
    conflicts: BTreeMap<Candid, BTreeSet<LabelEntry>>,
}

impl LabelStore {
    /// The saved form without the votes of `stored_apart` (annotators whose
    /// votes the page keeps in the browser's database instead).
    pub fn saved_leaving_out<'a>(&'a self, stored_apart: &BTreeSet<String>) -> impl Serialize + 'a {
        SavedForm {
            votes: self.votes.votes_leaving_out(stored_apart),
            adjudications: self.adjudications.values().collect(),
            gold: self.gold.values().collect(),
        }
    }
}

impl Serialize for LabelStore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.saved_leaving_out(&BTreeSet::new())
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LabelStore {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let read = ReadForm::deserialize(deserializer)?;
        let mut store = LabelStore::new();
        let older = read
            .labels
            .into_values()
            .chain(read.conflicts.into_values().flatten());
        let _ = store.merge(read.votes.into_iter().chain(older));
        store.votes.clear_replaced();
        let _ = store.merge_adjudications(read.adjudications);
        let _ = store.merge_gold(read.gold);
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::labels::vocabulary::Label;

    fn entry(candid: u64, label: Label, annotator: &str, second: u32) -> LabelEntry {
        LabelEntry {
            candid: Candid(candid),
            object_id: "ZTF25aaaaaaa".into(),
            label,
            timestamp: format!("2025-06-02T08:37:{second:02}Z"),
            annotator: annotator.into(),
            round: None,
            random_pick: false,
        }
    }

    fn decision(candid: u64, label: Option<Label>, second: u32) -> Adjudication {
        Adjudication {
            candid: Candid(candid),
            object_id: "ZTF25aaaaaaa".into(),
            label,
            reason: None,
            reviewer: "rev".into(),
            timestamp: format!("2025-06-02T09:00:{second:02}Z"),
        }
    }

    fn votes(store: &LabelStore) -> Vec<(u64, &str, Label)> {
        store
            .all_votes()
            .map(|vote| (vote.candid.0, vote.annotator.as_str(), vote.label))
            .collect()
    }

    #[test]
    fn undo_is_multi_level_and_takes_back_my_own_acts_only() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "ana", 0));
        store.set(entry(2, Label::Bogus, "ana", 1));
        let _ = store.merge([
            entry(1, Label::Agn, "bo", 5),
            entry(2, Label::Bogus, "bo", 5),
        ]);
        store.set(entry(1, Label::Extragal, "ana", 2));
        assert!(store.adjudicate(decision(1, Some(Label::Agn), 0)));
        let undone = |store: &mut LabelStore| store.undo().map(|undone| undone.candid);
        assert_eq!(undone(&mut store), Some(Candid(1)), "the decision");
        assert!(store.adjudications().is_empty());
        assert_eq!(undone(&mut store), Some(Candid(1)));
        assert_eq!(
            store.vote_of(Candid(1), "ana").map(|v| v.label),
            Some(Label::Gal)
        );
        assert_eq!(undone(&mut store), Some(Candid(2)));
        assert_eq!(undone(&mut store), Some(Candid(1)));
        assert_eq!(store.undo(), None);
        assert_eq!(
            votes(&store),
            [(1, "bo", Label::Agn), (2, "bo", Label::Bogus)],
            "bo's votes stay"
        );
    }

    #[test]
    fn an_import_adds_votes_never_replaces_mine_and_twice_changes_nothing() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "ana", 0));
        let file = [entry(1, Label::Agn, "bo", 9), entry(3, Label::Gal, "bo", 9)];
        let report = store.merge(file.clone());
        assert_eq!((report.added, report.duplicates), (2, 0));
        assert_eq!(store.undo_depth(), 1, "my step on alert 1 stays");
        let once = store.clone();
        let report = store.merge(file);
        assert_eq!((report.added, report.duplicates), (0, 2));
        assert_eq!(store, once);
        assert_eq!(
            store.vote_of(Candid(1), "ana").map(|v| v.label),
            Some(Label::Gal)
        );
        // My own later vote, from another tab, replaces my earlier one.
        let report = store.merge([entry(1, Label::Extragal, "ana", 3)]);
        assert_eq!(report.replaced, 1);
        assert_eq!(store.undo_depth(), 0, "that step is gone");
        assert_eq!(store.take_replaced().len(), 1);
    }

    #[test]
    fn adjudications_need_votes_and_the_later_decision_stands_in_any_order() {
        let mut store = LabelStore::new();
        assert!(
            !store.adjudicate(decision(1, Some(Label::Gal), 0)),
            "no vote"
        );
        let _ = store.merge([
            entry(1, Label::Gal, "ana", 0),
            entry(1, Label::Agn, "bo", 0),
        ]);
        let first = decision(1, Some(Label::Gal), 1);
        let later = decision(1, None, 2);
        let mut other = store.clone();
        assert_eq!(store.merge_adjudications([first.clone(), later.clone()]), 1);
        assert_eq!(other.merge_adjudications([later.clone(), first]), 1);
        assert_eq!(store, other);
        assert_eq!(store.adjudications()[&Candid(1)], later);
    }

    #[test]
    fn a_save_round_trips_and_an_older_save_reads_as_votes() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "ana", 0));
        let _ = store.merge([entry(1, Label::Agn, "bo", 0)]);
        assert!(store.adjudicate(decision(1, Some(Label::Agn), 0)));
        let text = serde_json::to_string(&store).expect("writes");
        let back: LabelStore = serde_json::from_str(&text).expect("reads");
        assert_eq!(back, store);
        let older = r#"{"labels": {"2": {"candid": "2", "object_id": "ZTF25aaaaaaa", "label": "gal",
            "timestamp": "2025-06-02T08:37:00Z", "annotator": "ana", "round": 0}},
            "conflicts": {"3": [
              {"candid": "3", "object_id": "ZTF25aaaaaaa", "label": "gal", "timestamp": "2025-06-02T08:37:00Z", "annotator": "ana", "round": null},
              {"candid": "3", "object_id": "ZTF25aaaaaaa", "label": "agn", "timestamp": "2025-06-02T08:37:00Z", "annotator": "bo", "round": null}]}}"#;
        let read: LabelStore = serde_json::from_str(older).expect("reads");
        assert_eq!(
            votes(&read),
            [
                (2, "ana", Label::Gal),
                (3, "ana", Label::Gal),
                (3, "bo", Label::Agn)
            ]
        );
    }

    #[test]
    fn votes_given_before_a_name_take_it_and_an_unnamed_copy_is_the_same_act() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "", 1));
        store.set(entry(1, Label::Agn, "", 2)); // undo brings back the gal vote
        let _ = store.merge([entry(2, Label::Bogus, "bo", 4)]);
        assert_eq!(store.name_unnamed("ana"), 1);
        assert_eq!(
            votes(&store),
            [(1, "ana", Label::Agn), (2, "bo", Label::Bogus)]
        );
        // Another tab still holds the unnamed copy: the same vote.
        let report = store.merge([entry(1, Label::Agn, "", 2)]);
        assert_eq!(report.duplicates, 1);
        assert_eq!(store.undo().map(|u| u.candid), Some(Candid(1)));
        assert_eq!(
            store.vote_of(Candid(1), "ana"),
            Some(&entry(1, Label::Gal, "ana", 1))
        );
        // Undone here (named): its unnamed copy elsewhere is that act.
        let undone = BTreeSet::from([entry(1, Label::Gal, "ana", 1)]);
        assert_eq!(
            store.purge(&undone, &BTreeSet::new()),
            BTreeSet::from([Candid(1)])
        );
        assert!(!store.is_labelled(Candid(1)));
    }
}
