//! Every collaborator's label kept as a vote: for each alert, at most one
//! current label per annotator (their latest). The label store keeps its
//! votes here; the team's files are read into one too, and the team's
//! agreement and consensus are measured on it.
//!
//! Two copies of one annotator's vote on an alert merge by one rule, so
//! that the order of imports never matters: the later act stands (by
//! timestamp, then label), whether it repeats the label or changes it (a
//! change is reported: [`ReplacedVote`]); two copies of the same act keep
//! the earliest round either recorded; and a vote stays a random pick once
//! any copy was one. (The kept act is the greatest of all copies, its round
//! the least among that act's copies, the mark the OR of all: none depends
//! on the order.)

use std::collections::{BTreeMap, BTreeSet};

use super::entry::{LabelEntry, UNKNOWN_ANNOTATOR};
use super::vocabulary::Label;
use super::vote_index::{AnnotatorNumber, VoteIndex};
use crate::core::alert::Candid;

/// One annotator's vote replaced by a later one of theirs on the same alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplacedVote {
    pub candid: Candid,
    pub annotator: String,
    /// The label kept (the later timestamp) and the one dropped.
    pub kept: Label,
    pub dropped: Label,
}

/// What [`VoteTable::merge_vote`] did with one incoming vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoteChange {
    /// The annotator had no vote on the alert.
    Added,
    /// The annotator's vote already said the same.
    Duplicate,
    /// The incoming vote is later and different: it replaced this one.
    Replaced(LabelEntry),
    /// The incoming vote is earlier and different: the kept one is later.
    Outdated,
}

/// The same label act: the same alert, label, time and annotator, whatever
/// round has been recorded for it since. A label that names no annotator
/// is the same act as the named copy of it (a session names its labels
/// when it gets a name; another tab may still hold them unnamed).
pub fn same_act(a: &LabelEntry, b: &LabelEntry) -> bool {
    a.label == b.label
        && a.object_id == b.object_id
        && a.candid == b.candid
        && a.timestamp == b.timestamp
        && (a.annotator == b.annotator || a.annotator.is_empty() || b.annotator.is_empty())
}

/// The order of one annotator's acts on an alert: the later timestamp,
/// then the greater label (then object id), so that the act kept does not
/// depend on which copy came first.
fn act_key(vote: &LabelEntry) -> (&str, Label, &str) {
    (&vote.timestamp, vote.label, &vote.object_id)
}

/// Reports `dropped` replaced by the later `kept` when their labels differ.
fn record_change(replaced: &mut Vec<ReplacedVote>, kept: &LabelEntry, dropped: &LabelEntry) {
    if kept.label != dropped.label {
        replaced.push(ReplacedVote {
            candid: kept.candid,
            annotator: kept.annotator.clone(),
            kept: kept.label,
            dropped: dropped.label,
        });
    }
}

/// One alert's votes that count (not `unsure`), (annotator, label).
fn counted(votes: &BTreeMap<String, LabelEntry>) -> Vec<(&str, Label)> {
    votes
        .iter()
        .filter(|(_, vote)| vote.label != Label::Unsure)
        .map(|(annotator, vote)| (annotator.as_str(), vote.label))
        .collect()
}

/// One more vote of `annotator`.
fn count_vote(counts: &mut BTreeMap<String, usize>, annotator: &str) {
    match counts.get_mut(annotator) {
        Some(count) => *count += 1,
        None => {
            counts.insert(annotator.to_string(), 1);
        }
    }
}

/// Marks a change to one of `annotator`'s votes.
fn record_touch(changes: &mut BTreeMap<String, u64>, annotator: &str) {
    match changes.get_mut(annotator) {
        Some(count) => *count += 1,
        None => {
            changes.insert(annotator.to_string(), 1);
        }
    }
}

/// One vote of `annotator` fewer (an annotator without votes is forgotten).
fn uncount_vote(counts: &mut BTreeMap<String, usize>, annotator: &str) {
    if let Some(count) = counts.get_mut(annotator) {
        *count -= 1;
        if *count == 0 {
            counts.remove(annotator);
        }
    }
}

/// The votes of a team: alert → annotator → their current label entry. An
/// `unsure` vote is kept (it is the annotator's act) but is an abstention:
/// [`VoteTable::alerts`] leaves it out. Two tables are equal when they
/// hold the same votes (and report the same replaced ones), whatever their
/// history of changes.
#[derive(Clone, Debug, Default)]
pub struct VoteTable {
    votes: BTreeMap<Candid, BTreeMap<String, LabelEntry>>,
    replaced: Vec<ReplacedVote>,
    /// How many votes each annotator has, kept with `votes`, so that the
    /// annotators are known without reading every vote (a key press and
    /// the Team report ask for them).
    votes_by_annotator: BTreeMap<String, usize>,
    /// Per annotator, a number that grows whenever one of their votes
    /// changes (added, replaced, taken, its round set): the page stores the
    /// others' votes apart and writes again only those whose number moved.
    changes_by_annotator: BTreeMap<String, u64>,
    /// The labels of `votes` by annotator number, reindexed alert by
    /// alert whenever an alert's votes change: what the Team report reads.
    index: VoteIndex,
    /// The alerts whose votes changed since [`VoteTable::take_touched`]
    /// last emptied it: what an import needs settled again.
    touched: BTreeSet<Candid>,
}

impl PartialEq for VoteTable {
    fn eq(&self, other: &VoteTable) -> bool {
        self.votes == other.votes && self.replaced == other.replaced
    }
}

impl VoteTable {
    /// The votes of label files' `entries` (any order): per alert and
    /// annotator, the label with the latest timestamp; labels without an
    /// annotator count as `unknown`.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a LabelEntry>) -> VoteTable {
        let mut table = VoteTable::default();
        for entry in entries {
            table.add(entry);
        }
        table
    }

    /// Adds one label of a file as its annotator's vote (`unknown` when it
    /// names none), by the merge rule.
    pub fn add(&mut self, entry: &LabelEntry) {
        let mut vote = entry.clone();
        if vote.annotator.trim().is_empty() {
            vote.annotator = UNKNOWN_ANNOTATOR.to_string();
        }
        let _ = self.merge_vote(vote);
    }

    /// Merges one vote, keyed by its annotator as written (empty: this
    /// session's own, before it had a name), by the rule of the module
    /// notes. An unnamed vote that is the same act as a named one on the
    /// alert is that vote.
    pub fn merge_vote(&mut self, vote: LabelEntry) -> VoteChange {
        let candid = vote.candid;
        let annotator = vote.annotator.clone();
        let before = self.changes_of(&annotator);
        let change = self.merge_unindexed(vote);
        // Their vote changed (a copy of it changes nothing: an import of a
        // file holding my votes touches none of them).
        if self.changes_of(&annotator) != before {
            self.reindex(candid);
        }
        change
    }

    /// Copies the votes on `candid` into the index again, after they changed.
    fn reindex(&mut self, candid: Candid) {
        self.index.reindex(candid, self.votes.get(&candid));
        self.touched.insert(candid);
    }

    /// The alerts whose votes changed (added, replaced, taken, a field
    /// changed) since the last call, and forgets them.
    pub fn take_touched(&mut self) -> BTreeSet<Candid> {
        std::mem::take(&mut self.touched)
    }

    /// [`VoteTable::merge_vote`], the index left to the caller.
    fn merge_unindexed(&mut self, vote: LabelEntry) -> VoteChange {
        let alert = self.votes.entry(vote.candid).or_default();
        if vote.annotator.is_empty() && alert.values().any(|kept| same_act(kept, &vote)) {
            return VoteChange::Duplicate;
        }
        let Some(kept) = alert.remove(&vote.annotator) else {
            count_vote(&mut self.votes_by_annotator, &vote.annotator);
            record_touch(&mut self.changes_by_annotator, &vote.annotator);
            alert.insert(vote.annotator.clone(), vote);
            return VoteChange::Added;
        };
        let annotator = vote.annotator.clone();
        // Drawn at random once, the alert stays a random pick of theirs.
        let random_pick = kept.random_pick || vote.random_pick;
        if act_key(&vote) == act_key(&kept) {
            // The same act: the earliest round either copy recorded.
            let round = match (kept.round, vote.round) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            if round != kept.round || random_pick != kept.random_pick {
                record_touch(&mut self.changes_by_annotator, &annotator);
            }
            alert.insert(
                kept.annotator.clone(),
                LabelEntry {
                    round,
                    random_pick,
                    ..kept
                },
            );
            VoteChange::Duplicate
        } else {
            // Different acts: the later stands, and says whether it changed
            // the label (the incoming one later: replaced; earlier: outdated).
            let incoming_wins = act_key(&vote) > act_key(&kept);
            if incoming_wins || random_pick != kept.random_pick {
                record_touch(&mut self.changes_by_annotator, &annotator);
            }
            let (winner, loser) = if incoming_wins {
                (vote, kept)
            } else {
                (kept, vote)
            };
            record_change(&mut self.replaced, &winner, &loser);
            let repeated = winner.label == loser.label;
            alert.insert(
                winner.annotator.clone(),
                LabelEntry {
                    random_pick,
                    ..winner
                },
            );
            match (repeated, incoming_wins) {
                (true, _) => VoteChange::Duplicate,
                (false, true) => VoteChange::Replaced(loser),
                (false, false) => VoteChange::Outdated,
            }
        }
    }

    /// Puts `vote` in as its annotator's current vote on the alert, whatever
    /// was there (an act of this session, or an undo); returns what it
    /// replaced.
    pub fn put(&mut self, vote: LabelEntry) -> Option<LabelEntry> {
        let annotator = vote.annotator.clone();
        let candid = vote.candid;
        let replaced = self
            .votes
            .entry(vote.candid)
            .or_default()
            .insert(vote.annotator.clone(), vote);
        if replaced.is_none() {
            count_vote(&mut self.votes_by_annotator, &annotator);
        }
        record_touch(&mut self.changes_by_annotator, &annotator);
        self.reindex(candid);
        replaced
    }

    /// Takes `annotator`'s vote on `candid` out.
    pub fn take(&mut self, candid: Candid, annotator: &str) -> Option<LabelEntry> {
        let alert = self.votes.get_mut(&candid)?;
        let taken = alert.remove(annotator);
        if alert.is_empty() {
            self.votes.remove(&candid);
        }
        if taken.is_some() {
            uncount_vote(&mut self.votes_by_annotator, annotator);
            record_touch(&mut self.changes_by_annotator, annotator);
            self.reindex(candid);
        }
        taken
    }

    /// `annotator`'s current vote on `candid`.
    pub fn vote_of(&self, candid: Candid, annotator: &str) -> Option<&LabelEntry> {
        self.votes.get(&candid)?.get(annotator)
    }

    /// Whether anyone voted on `candid` (`unsure` included).
    pub fn has_votes(&self, candid: Candid) -> bool {
        self.votes.contains_key(&candid)
    }

    /// Alerts with at least one vote that is not `unsure`, in id order, each
    /// with those votes (annotator, label) in annotator order: what
    /// agreement and consensus are measured on.
    pub fn alerts(&self) -> impl Iterator<Item = (Candid, Vec<(&str, Label)>)> + '_ {
        self.votes.iter().filter_map(|(candid, votes)| {
            let votes = counted(votes);
            (!votes.is_empty()).then_some((*candid, votes))
        })
    }

    /// [`VoteTable::alerts`] without a list per alert: every alert with a
    /// vote, in id order, with the votes that count (possibly none: only
    /// `unsure` votes), (annotator, label) in annotator order.
    pub fn counted_votes_by_alert(
        &self,
    ) -> impl Iterator<Item = (Candid, impl Iterator<Item = (&str, Label)> + '_)> + '_ {
        self.votes.iter().map(|(candid, votes)| {
            let counted = votes
                .iter()
                .filter(|(_, vote)| vote.label != Label::Unsure)
                .map(|(annotator, vote)| (annotator.as_str(), vote.label));
            (*candid, counted)
        })
    }

    /// The votes on `candid` agreement and consensus count (not `unsure`),
    /// (annotator, label) in annotator order: its item of
    /// [`VoteTable::alerts`], empty when it has none.
    pub fn counted_votes_on(&self, candid: Candid) -> Vec<(&str, Label)> {
        self.votes.get(&candid).map(counted).unwrap_or_default()
    }

    /// The votes on `candid`, each a whole label entry, in annotator order
    /// (`unsure` included).
    pub fn votes_on(&self, candid: Candid) -> impl Iterator<Item = &LabelEntry> + '_ {
        self.votes
            .get(&candid)
            .into_iter()
            .flat_map(BTreeMap::values)
    }

    /// Every alert with a vote, in id order.
    pub fn voted_alerts(&self) -> impl Iterator<Item = Candid> + '_ {
        self.votes.keys().copied()
    }

    /// Every vote, by alert then annotator.
    pub fn all_votes(&self) -> impl Iterator<Item = &LabelEntry> + '_ {
        self.votes.values().flat_map(BTreeMap::values)
    }

    /// Changes the votes on `candid` in fields that do not key them:
    /// `change` says whether it changed the vote it was given.
    pub(super) fn update_votes_on(
        &mut self,
        candid: Candid,
        mut change: impl FnMut(&mut LabelEntry) -> bool,
    ) {
        for (annotator, vote) in self.votes.get_mut(&candid).into_iter().flatten() {
            if change(vote) {
                record_touch(&mut self.changes_by_annotator, annotator);
            }
        }
        self.reindex(candid);
    }

    /// A number that has grown since any earlier call whenever one of
    /// `annotator`'s votes changed in between (0: never had a vote here).
    pub fn changes_of(&self, annotator: &str) -> u64 {
        self.changes_by_annotator
            .get(annotator)
            .copied()
            .unwrap_or(0)
    }

    /// Every annotator who has or had a vote here, with [`VoteTable::changes_of`].
    pub fn changes(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.changes_by_annotator
            .iter()
            .map(|(annotator, changes)| (annotator.as_str(), *changes))
    }

    /// `annotator`'s votes, in alert order (found in the index: the label
    /// entries of the other alerts are not read).
    pub fn votes_of<'a>(&'a self, annotator: &'a str) -> impl Iterator<Item = &'a LabelEntry> + 'a {
        let numbers: Vec<AnnotatorNumber> = self.index.number(annotator).into_iter().collect();
        self.index
            .alerts_voted_by(numbers)
            .filter_map(move |candid| self.vote_of(candid, annotator))
    }

    /// Every vote but those of the annotators in `left_out`, by alert then
    /// annotator (the order of [`VoteTable::all_votes`]). With a few
    /// annotators kept of many (the saved session keeps mine, the others'
    /// are stored apart), the index finds the alerts they voted on, whose
    /// kept votes are then looked up by name: no other vote is read.
    pub fn votes_leaving_out(&self, left_out: &BTreeSet<String>) -> Vec<&LabelEntry> {
        if left_out.is_empty() {
            return self.all_votes().collect();
        }
        let kept: Vec<&str> = self
            .votes_by_annotator
            .keys()
            .map(String::as_str)
            .filter(|annotator| !left_out.contains(*annotator))
            .collect();
        let numbers: Vec<AnnotatorNumber> = kept
            .iter()
            .filter_map(|annotator| self.index.number(annotator))
            .collect();
        let mut votes = Vec::new();
        for candid in self.index.alerts_voted_by(numbers) {
            if let Some(alert) = self.votes.get(&candid) {
                votes.extend(kept.iter().filter_map(|annotator| alert.get(*annotator)));
            }
        }
        votes
    }

    /// Keeps the votes `keep` accepts; returns the alerts that lost one.
    pub fn retain(&mut self, mut keep: impl FnMut(&LabelEntry) -> bool) -> BTreeSet<Candid> {
        let mut touched = BTreeSet::new();
        let counts = &mut self.votes_by_annotator;
        let changes = &mut self.changes_by_annotator;
        self.votes.retain(|candid, alert| {
            let before = alert.len();
            alert.retain(|annotator, vote| {
                let kept = keep(vote);
                if !kept {
                    uncount_vote(counts, annotator);
                    record_touch(changes, annotator);
                }
                kept
            });
            if alert.len() != before {
                touched.insert(*candid);
            }
            !alert.is_empty()
        });
        for candid in &touched {
            self.reindex(*candid);
        }
        touched
    }

    /// The labels of every vote by annotator number (`VoteIndex`): the
    /// votes as the Team report reads them.
    pub fn index(&self) -> &VoteIndex {
        &self.index
    }

    /// Every annotator with a vote, in name order.
    pub fn annotators(&self) -> Vec<&str> {
        self.votes_by_annotator.keys().map(String::as_str).collect()
    }

    /// Whether `annotator` has a vote.
    pub fn has_annotator(&self, annotator: &str) -> bool {
        self.votes_by_annotator.contains_key(annotator)
    }

    /// Votes replaced by a later, different label of the same annotator.
    pub fn replaced(&self) -> &[ReplacedVote] {
        &self.replaced
    }

    /// Forgets the replaced votes reported so far.
    pub fn clear_replaced(&mut self) {
        self.replaced.clear();
    }

    /// How many alerts have a vote.
    pub fn alert_count(&self) -> usize {
        self.votes.len()
    }

    /// How many votes there are.
    pub fn vote_count(&self) -> usize {
        self.votes_by_annotator.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.votes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(candid: u64, annotator: &str, label: Label, timestamp: &str) -> LabelEntry {
        LabelEntry {
            candid: Candid(candid),
            object_id: "ZTF19aarxyde".into(),
            label,
            timestamp: timestamp.into(),
            annotator: annotator.into(),
            round: None,
            random_pick: false,
        }
    }

    #[test]
    fn one_vote_per_annotator_the_latest_wins_and_the_change_is_reported() {
        let entries = [
            entry(1, "ana", Label::Gal, "2026-12-06T10:00:00Z"),
            entry(1, "ana", Label::Extragal, "2026-12-06T09:00:00Z"),
            entry(1, "bo", Label::Gal, "2026-12-06T09:00:00Z"),
            entry(2, "", Label::Agn, "2026-12-06T09:00:00Z"),
            entry(3, "bo", Label::Unsure, "2026-12-06T09:00:00Z"),
        ];
        let table = VoteTable::from_entries(&entries);
        let alerts: Vec<_> = table.alerts().collect();
        assert_eq!(
            alerts,
            vec![
                (Candid(1), vec![("ana", Label::Gal), ("bo", Label::Gal)]),
                (Candid(2), vec![("unknown", Label::Agn)]),
            ],
            "unsure is no vote for agreement"
        );
        assert!(table.has_votes(Candid(3)), "but it is bo's act, kept");
        assert_eq!(
            table.replaced(),
            &[ReplacedVote {
                candid: Candid(1),
                annotator: "ana".into(),
                kept: Label::Gal,
                dropped: Label::Extragal,
            }]
        );
        assert_eq!(table.annotators(), vec!["ana", "bo", "unknown"]);
        assert_eq!(table.vote_count(), 4);
    }

    #[test]
    fn votes_merged_in_any_order_give_the_same_table() {
        let mut early = entry(1, "ana", Label::Gal, "2026-12-06T09:00:00Z");
        early.round = Some(2);
        let mut again = entry(1, "ana", Label::Gal, "2026-12-06T10:00:00Z");
        again.round = Some(0);
        let votes = [
            early,
            again,
            entry(2, "ana", Label::Gal, "2026-12-06T09:00:00Z"),
            entry(2, "ana", Label::Agn, "2026-12-06T09:00:00Z"), // same time: the greater label
            entry(2, "bo", Label::Agn, "2026-12-06T08:00:00Z"),
        ];
        let table_of = |order: &[usize]| {
            let mut table = VoteTable::default();
            for &index in order {
                let _ = table.merge_vote(votes[index].clone());
            }
            table.all_votes().cloned().collect::<Vec<_>>()
        };
        let reference = table_of(&[0, 1, 2, 3, 4]);
        for order in [[4, 3, 2, 1, 0], [1, 3, 0, 4, 2], [2, 0, 4, 1, 3]] {
            assert_eq!(table_of(&order), reference);
        }
        assert_eq!(reference.len(), 3, "one vote per annotator and alert");
        assert_eq!(
            (reference[0].timestamp.as_str(), reference[0].round),
            ("2026-12-06T10:00:00Z", Some(0)),
            "the label given again: the later act, with its own round"
        );
        assert_eq!(reference[1].label.max(Label::Gal), reference[1].label);
    }

    #[test]
    fn a_label_given_again_after_a_change_stands_in_every_order_regression() {
        // Bo said real, then bogus, then real again: merged T2, T0, T5 this
        // gave real, and T0, T5, T2 bogus (a repeated label kept its
        // earliest copy, which then lost to the change).
        let mut drawn = entry(1, "bo", Label::Real, "2026-12-06T00:00:00Z");
        drawn.random_pick = true;
        let acts = [
            drawn,
            entry(1, "bo", Label::Bogus, "2026-12-06T02:00:00Z"),
            entry(1, "bo", Label::Real, "2026-12-06T05:00:00Z"),
        ];
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let mut table = VoteTable::default();
            for index in order {
                let _ = table.merge_vote(acts[index].clone());
            }
            let kept = table.vote_of(Candid(1), "bo").expect("a vote");
            assert_eq!(
                (kept.label, kept.timestamp.as_str(), kept.random_pick),
                (Label::Real, "2026-12-06T05:00:00Z", true),
                "{order:?}"
            );
        }
    }

    #[test]
    fn an_unnamed_copy_of_a_named_vote_is_that_vote() {
        let mut table = VoteTable::default();
        let named = entry(1, "ana", Label::Gal, "2026-12-06T09:00:00Z");
        assert_eq!(table.merge_vote(named.clone()), VoteChange::Added);
        let unnamed = LabelEntry {
            annotator: String::new(),
            ..named
        };
        assert_eq!(table.merge_vote(unnamed), VoteChange::Duplicate);
        assert_eq!(table.vote_count(), 1);
    }

    #[test]
    fn the_annotators_kept_with_the_votes_are_those_who_voted() {
        let mut table = VoteTable::default();
        fn recount(table: &VoteTable) -> (Vec<&str>, usize) {
            let names: BTreeSet<&str> = table
                .all_votes()
                .map(|vote| vote.annotator.as_str())
                .collect();
            (names.into_iter().collect(), table.all_votes().count())
        }
        let _ = table.merge_vote(entry(1, "ana", Label::Gal, "2026-12-06T09:00:00Z"));
        let _ = table.merge_vote(entry(1, "ana", Label::Agn, "2026-12-06T10:00:00Z"));
        let _ = table.merge_vote(entry(2, "bo", Label::Gal, "2026-12-06T09:00:00Z"));
        let _ = table.put(entry(3, "cy", Label::Bogus, "2026-12-06T09:00:00Z"));
        let _ = table.put(entry(3, "cy", Label::Real, "2026-12-06T11:00:00Z"));
        assert_eq!(recount(&table), (vec!["ana", "bo", "cy"], 3));
        assert_eq!((table.annotators(), table.vote_count()), recount(&table));
        let _ = table.take(Candid(3), "cy");
        let _ = table.take(Candid(3), "cy");
        assert_eq!((table.annotators(), table.vote_count()), recount(&table));
        let touched = table.retain(|vote| vote.annotator != "bo");
        assert_eq!(touched, BTreeSet::from([Candid(2)]));
        assert_eq!((table.annotators(), table.vote_count()), (vec!["ana"], 1));
        assert!(table.has_annotator("ana") && !table.has_annotator("bo"));
    }

    /// Whether the index, `votes_of` and `votes_leaving_out` say what the
    /// label entries say.
    fn assert_index_in_step(table: &VoteTable) {
        let index = table.index();
        let from_index: Vec<(Candid, Vec<(&str, Label)>)> = index
            .alerts()
            .map(|(candid, votes)| {
                let named = votes
                    .iter()
                    .map(|&(number, label)| (index.names()[number as usize].as_str(), label))
                    .collect();
                (candid, named)
            })
            .collect();
        let from_entries: Vec<(Candid, Vec<(&str, Label)>)> = table
            .voted_alerts()
            .map(|candid| {
                let votes = table
                    .votes_on(candid)
                    .map(|vote| (vote.annotator.as_str(), vote.label))
                    .collect();
                (candid, votes)
            })
            .collect();
        assert_eq!(from_index, from_entries);
        for name in ["ana", "bo", "cy", "nobody"] {
            let scanned: Vec<&LabelEntry> = table
                .all_votes()
                .filter(|vote| vote.annotator == name)
                .collect();
            assert_eq!(table.votes_of(name).collect::<Vec<_>>(), scanned, "{name}");
            let left_out = BTreeSet::from([name.to_string()]);
            let kept: Vec<&LabelEntry> = table
                .all_votes()
                .filter(|vote| vote.annotator != name)
                .collect();
            assert_eq!(table.votes_leaving_out(&left_out), kept, "{name}");
        }
    }

    #[test]
    fn the_index_follows_every_change_of_the_votes() {
        let mut table = VoteTable::default();
        assert_index_in_step(&table);
        let _ = table.merge_vote(entry(1, "ana", Label::Gal, "2026-12-06T09:00:00Z"));
        let _ = table.merge_vote(entry(1, "bo", Label::Agn, "2026-12-06T09:30:00Z"));
        let _ = table.merge_vote(entry(1, "ana", Label::Agn, "2026-12-06T10:00:00Z"));
        let _ = table.merge_vote(entry(1, "ana", Label::Real, "2026-12-06T08:00:00Z"));
        let _ = table.merge_vote(entry(2, "cy", Label::Unsure, "2026-12-06T09:00:00Z"));
        assert_index_in_step(&table);
        let _ = table.put(entry(2, "cy", Label::Bogus, "2026-12-06T11:00:00Z"));
        let _ = table.put(entry(3, "bo", Label::Varstar, "2026-12-06T11:00:00Z"));
        assert_index_in_step(&table);
        table.update_votes_on(Candid(1), |vote| {
            vote.label = Label::Extragal;
            true
        });
        assert_index_in_step(&table);
        let _ = table.take(Candid(2), "cy");
        let _ = table.take(Candid(9), "cy");
        assert_index_in_step(&table);
        let _ = table.retain(|vote| vote.annotator != "bo");
        assert_index_in_step(&table);
        let copy = table.clone();
        assert_index_in_step(&copy);
    }
}
