//! The label store: labels keyed by candid, with multi-level undo, and the
//! merge of a collaborator's labels (or another tab's).
//!
//! Merging is a union by candid. An identical label is a duplicate (the
//! earliest entry is kept, with the earliest round that trained it);
//! different labels for one candid are a conflict: every version is set
//! aside until the user picks one, and the candid does not train meanwhile.
//! Both rules are symmetric, so the result does not depend on the order in
//! which files are imported. A merge keeps the undo steps of every candid it
//! did not touch.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::entry::LabelEntry;
use crate::core::alert::Candid;

/// Labels by candid, plus conflicts waiting for a decision. Two stores are
/// equal when they hold the same labels and conflicts, whatever their undo
/// history (which is never saved).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LabelStore {
    labels: BTreeMap<Candid, LabelEntry>,
    conflicts: BTreeMap<Candid, BTreeSet<LabelEntry>>,
    #[serde(skip)]
    undo: Vec<UndoStep>,
}

impl PartialEq for LabelStore {
    fn eq(&self, other: &LabelStore) -> bool {
        self.labels == other.labels && self.conflicts == other.conflicts
    }
}

/// What [`LabelStore::undo`] restores: the candid's entry before a change.
#[derive(Clone, Debug, PartialEq)]
struct UndoStep {
    candid: Candid,
    previous: Option<LabelEntry>,
}

/// What one [`LabelStore::undo`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Undone {
    /// The alert to go back to.
    pub candid: Candid,
    /// The label the undo took away, if any (a label undone, or replaced by
    /// the one before it).
    pub removed: Option<LabelEntry>,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: usize,
    pub duplicates: usize,
    /// Candids newly in conflict (or with a new version in an existing conflict).
    pub conflicts: usize,
}

/// Two labels for one alert count as the same if everything but who and when agrees.
fn same_label(a: &LabelEntry, b: &LabelEntry) -> bool {
    a.label == b.label && a.object_id == b.object_id
}

/// The same label act: the same alert, label, time and annotator, whatever
/// round has been recorded for it since. A label that names no annotator
/// is the same act as the named copy of it (a session names its labels
/// when it gets a name; another tab may still hold them unnamed).
pub fn same_act(a: &LabelEntry, b: &LabelEntry) -> bool {
    same_label(a, b)
        && a.candid == b.candid
        && a.timestamp == b.timestamp
        && (a.annotator == b.annotator || a.annotator.is_empty() || b.annotator.is_empty())
}

/// The entry kept of two identical labels: the earlier one (then a named
/// one, then by annotator), with the earliest round either side recorded, and a random
/// pick if either was one (the alert was drawn uniformly by someone's draw).
fn canonical(a: LabelEntry, b: LabelEntry) -> LabelEntry {
    let random_pick = a.random_pick || b.random_pick;
    let round = match (a.round, b.round) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    // Earlier first; at one time, a named copy before an unnamed one.
    fn order(entry: &LabelEntry) -> (&str, bool, &str) {
        (
            &entry.timestamp,
            entry.annotator.is_empty(),
            &entry.annotator,
        )
    }
    let kept = if order(&b) < order(&a) { b } else { a };
    LabelEntry {
        round,
        random_pick,
        ..kept
    }
}

impl LabelStore {
    pub fn new() -> LabelStore {
        LabelStore::default()
    }

    /// Sets (or replaces) the label of `entry.candid`; undoable.
    pub fn set(&mut self, entry: LabelEntry) {
        let previous = self.labels.insert(entry.candid, entry.clone());
        self.undo.push(UndoStep {
            candid: entry.candid,
            previous,
        });
    }

    /// Removes a label; undoable. Returns it, if there was one.
    pub fn remove(&mut self, candid: Candid) -> Option<LabelEntry> {
        let previous = self.labels.remove(&candid);
        if previous.is_some() {
            self.undo.push(UndoStep {
                candid,
                previous: previous.clone(),
            });
        }
        previous
    }

    /// Undoes the last `set` or `remove`; says which alert it touched, so
    /// the page can go back to it.
    pub fn undo(&mut self) -> Option<Undone> {
        let step = self.undo.pop()?;
        let removed = match step.previous {
            Some(entry) => self.labels.insert(step.candid, entry),
            None => self.labels.remove(&step.candid),
        };
        Some(Undone {
            candid: step.candid,
            removed,
        })
    }

    /// How many steps [`LabelStore::undo`] can take back.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    pub fn get(&self, candid: Candid) -> Option<&LabelEntry> {
        self.labels.get(&candid)
    }

    /// Every label, by candid.
    pub fn labels(&self) -> impl Iterator<Item = &LabelEntry> {
        self.labels.values()
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Candids with competing labels, each with every version.
    pub fn conflicts(&self) -> &BTreeMap<Candid, BTreeSet<LabelEntry>> {
        &self.conflicts
    }

    /// Settles a conflict with the chosen version, which becomes the label;
    /// returns the versions set aside, or `None` if there is no such conflict
    /// or version. Settling is a decision, not a label: it is not undone by
    /// [`LabelStore::undo`] (the caller keeps the rejected versions out of
    /// later merges).
    pub fn resolve_conflict(&mut self, chosen: &LabelEntry) -> Option<Vec<LabelEntry>> {
        let versions = self.conflicts.get(&chosen.candid)?;
        if !versions.contains(chosen) {
            return None;
        }
        let versions = self.conflicts.remove(&chosen.candid)?;
        self.labels.insert(chosen.candid, chosen.clone());
        Some(versions.into_iter().filter(|v| v != chosen).collect())
    }

    /// Records which round's training set used each candid in `rounds` (a
    /// training-ids file says so), for labels that have no round yet: a
    /// label's round, once set, never changes.
    pub fn set_rounds(&mut self, rounds: &BTreeMap<Candid, u32>) {
        for (candid, &round) in rounds {
            if let Some(entry) = self.labels.get_mut(candid) {
                entry.round.get_or_insert(round);
            }
        }
    }

    /// Records that `round` trained on `label` for `candid`: the entry's
    /// round is set only if it has none yet (a label's round is the first
    /// round that used it) and only if the label is still the one trained.
    pub fn record_first_round(&mut self, candid: Candid, label: &str, round: u32) {
        if let Some(entry) = self.labels.get_mut(&candid) {
            if entry.round.is_none() && entry.label.name() == label {
                entry.round = Some(round);
            }
        }
    }

    /// Gives `annotator` to every label, conflict version and undo step
    /// that names no annotator (this session's own labels, given before it
    /// had a name); returns how many labels and versions it named.
    pub fn name_unnamed(&mut self, annotator: &str) -> usize {
        let unnamed = |entry: &LabelEntry| entry.annotator.trim().is_empty();
        let mut named = 0;
        for entry in self.labels.values_mut().filter(|entry| unnamed(entry)) {
            entry.annotator = annotator.to_string();
            named += 1;
        }
        for versions in self.conflicts.values_mut() {
            if versions.iter().any(unnamed) {
                *versions = std::mem::take(versions)
                    .into_iter()
                    .map(|mut entry| {
                        if unnamed(&entry) {
                            entry.annotator = annotator.to_string();
                            named += 1;
                        }
                        entry
                    })
                    .collect();
            }
        }
        for entry in self
            .undo
            .iter_mut()
            .filter_map(|step| step.previous.as_mut())
        {
            if unnamed(entry) {
                entry.annotator = annotator.to_string();
            }
        }
        named
    }

    /// Every label and every version in conflict (what a merge takes in).
    pub fn all_versions(&self) -> impl Iterator<Item = &LabelEntry> {
        self.labels
            .values()
            .chain(self.conflicts.values().flatten())
    }

    /// Drops every label and conflict version that is the same act as one
    /// in `undone` (labels undone, here or in another tab). A conflict left
    /// with one version becomes that label. Returns the candids touched.
    pub fn purge(&mut self, undone: &BTreeSet<LabelEntry>) -> BTreeSet<Candid> {
        let mut undone_by_candid: BTreeMap<Candid, Vec<&LabelEntry>> = BTreeMap::new();
        for entry in undone {
            undone_by_candid
                .entry(entry.candid)
                .or_default()
                .push(entry);
        }
        let is_undone = |entry: &LabelEntry| {
            undone_by_candid
                .get(&entry.candid)
                .is_some_and(|gone| gone.iter().any(|gone| same_act(gone, entry)))
        };
        let mut touched = BTreeSet::new();
        self.labels.retain(|candid, entry| {
            let keep = !is_undone(entry);
            if !keep {
                touched.insert(*candid);
            }
            keep
        });
        let mut settled = Vec::new();
        for (candid, versions) in self.conflicts.iter_mut() {
            let before = versions.len();
            versions.retain(|entry| !is_undone(entry));
            if versions.len() != before {
                touched.insert(*candid);
            }
            if versions.len() <= 1 {
                settled.push(*candid);
            }
        }
        for candid in settled {
            if let Some(last) = self
                .conflicts
                .remove(&candid)
                .and_then(|versions| versions.into_iter().next())
            {
                self.labels.insert(candid, last);
            }
        }
        self.undo.retain(|step| !touched.contains(&step.candid));
        touched
    }

    /// Merges `incoming` labels (see the module notes). Not undoable: the page
    /// asks for an export before big changes instead; undo steps of candids
    /// the merge changed are dropped, the others kept.
    pub fn merge(&mut self, incoming: impl IntoIterator<Item = LabelEntry>) -> MergeReport {
        let mut report = MergeReport::default();
        let mut touched = BTreeSet::new();
        for entry in incoming {
            let candid = entry.candid;
            if let Some(versions) = self.conflicts.get_mut(&candid) {
                match versions
                    .iter()
                    .find(|version| same_label(version, &entry))
                    .cloned()
                {
                    Some(existing) => {
                        versions.remove(&existing);
                        versions.insert(canonical(existing, entry));
                        report.duplicates += 1;
                    }
                    None => {
                        versions.insert(entry);
                        report.conflicts += 1;
                        touched.insert(candid);
                    }
                }
                continue;
            }
            match self.labels.remove(&candid) {
                None => {
                    self.labels.insert(candid, entry);
                    report.added += 1;
                    touched.insert(candid);
                }
                Some(existing) if same_label(&existing, &entry) => {
                    self.labels.insert(candid, canonical(existing, entry));
                    report.duplicates += 1;
                }
                Some(existing) => {
                    self.conflicts
                        .insert(candid, BTreeSet::from([existing, entry]));
                    report.conflicts += 1;
                    touched.insert(candid);
                }
            }
        }
        self.undo.retain(|step| !touched.contains(&step.candid));
        report
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

    #[test]
    fn undo_is_multi_level_and_returns_the_alert_to_go_back_to() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "a", 0));
        store.set(entry(2, Label::Bogus, "a", 1));
        store.set(entry(1, Label::Agn, "a", 2));
        let undone = |store: &mut LabelStore| store.undo().map(|undone| undone.candid);
        assert_eq!(undone(&mut store), Some(Candid(1)));
        assert_eq!(store.get(Candid(1)).map(|e| e.label), Some(Label::Gal));
        assert_eq!(undone(&mut store), Some(Candid(2)));
        assert_eq!(store.get(Candid(2)), None);
        assert_eq!(undone(&mut store), Some(Candid(1)));
        assert!(store.is_empty());
        assert_eq!(store.undo(), None);
    }

    #[test]
    fn settling_a_conflict_is_a_decision_undo_does_not_take_back() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "a", 0));
        store.merge([entry(7, Label::Gal, "a", 1), entry(7, Label::Agn, "b", 2)]);
        let rejected = store.resolve_conflict(&entry(7, Label::Agn, "b", 2));
        assert_eq!(rejected, Some(vec![entry(7, Label::Gal, "a", 1)]));
        assert_eq!(store.get(Candid(7)), Some(&entry(7, Label::Agn, "b", 2)));
        assert_eq!(
            store.undo().map(|u| u.candid),
            Some(Candid(1)),
            "undo skips the decision"
        );
        assert_eq!(store.get(Candid(7)).map(|e| e.label), Some(Label::Agn));
        assert_eq!(store.resolve_conflict(&entry(7, Label::Gal, "a", 1)), None);
    }

    #[test]
    fn a_merge_keeps_the_undo_steps_of_candids_it_did_not_touch() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "a", 1));
        store.set(entry(2, Label::Gal, "a", 2));
        store.merge([entry(1, Label::Gal, "a", 1), entry(3, Label::Agn, "b", 3)]);
        assert_eq!(
            store.undo_depth(),
            2,
            "a duplicate and a new candid touch nothing of ours"
        );
        store.merge([entry(2, Label::Agn, "b", 4)]);
        assert_eq!(store.undo_depth(), 1, "the conflict on 2 drops its step");
        assert_eq!(store.undo().map(|u| u.candid), Some(Candid(1)));
    }

    #[test]
    fn merge_adds_dedupes_and_sets_conflicts_aside() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "alice", 5));
        store.set(entry(2, Label::Real, "alice", 5));
        let report = store.merge([
            entry(1, Label::Gal, "bob", 1),
            entry(2, Label::Bogus, "bob", 1),
            entry(3, Label::Agn, "bob", 1),
        ]);
        assert_eq!(
            report,
            MergeReport {
                added: 1,
                duplicates: 1,
                conflicts: 1
            }
        );
        assert_eq!(
            store.get(Candid(1)).map(|e| e.annotator.as_str()),
            Some("bob"),
            "earliest identical label kept"
        );
        assert_eq!(
            store.get(Candid(2)),
            None,
            "a conflict does not train until settled"
        );
        assert_eq!(store.conflicts()[&Candid(2)].len(), 2);
        let chosen = entry(2, Label::Bogus, "bob", 1);
        assert!(store.resolve_conflict(&chosen).is_some());
        assert_eq!(store.get(Candid(2)), Some(&chosen));
        assert!(store.conflicts().is_empty());
    }

    #[test]
    fn merging_in_either_order_gives_the_same_store() {
        let ours = vec![
            entry(1, Label::Gal, "alice", 3),
            entry(2, Label::Real, "alice", 3),
        ];
        let bob = vec![
            entry(1, Label::Gal, "bob", 2),
            entry(2, Label::Bogus, "bob", 2),
            entry(3, Label::Agn, "bob", 2),
        ];
        let carol = vec![
            entry(2, Label::Varstar, "carol", 1),
            entry(3, Label::Agn, "carol", 1),
            entry(4, Label::Gal, "carol", 1),
        ];
        let merged = |order: [&Vec<LabelEntry>; 3]| {
            let mut store = LabelStore::new();
            for labels in order {
                store.merge(labels.iter().cloned());
            }
            store
        };
        let reference = merged([&ours, &bob, &carol]);
        for order in [
            [&ours, &carol, &bob],
            [&bob, &ours, &carol],
            [&carol, &bob, &ours],
        ] {
            assert_eq!(merged(order), reference);
        }
        assert_eq!(reference.conflicts()[&Candid(2)].len(), 3);
    }

    #[test]
    fn labels_given_before_a_name_take_it_and_stay_the_same_acts_as_an_export_names_them() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "", 1));
        store.set(entry(1, Label::Agn, "", 2)); // undo brings back the gal label
        store.merge([entry(2, Label::Gal, "", 3), entry(2, Label::Bogus, "bo", 4)]);
        store.set(entry(3, Label::Real, "bo", 5));
        assert_eq!(store.name_unnamed("ana"), 2, "label 1 and one version of 2");
        assert_eq!(
            store.get(Candid(1)).map(|e| e.annotator.as_str()),
            Some("ana")
        );
        assert_eq!(
            store.get(Candid(3)).map(|e| e.annotator.as_str()),
            Some("bo")
        );
        let versions: Vec<&str> = store.conflicts()[&Candid(2)]
            .iter()
            .map(|e| e.annotator.as_str())
            .collect();
        assert_eq!(versions, ["ana", "bo"]);
        store.undo(); // label 3
        store.undo(); // label 1's agn
        assert_eq!(store.get(Candid(1)), Some(&entry(1, Label::Gal, "ana", 1)));
        assert_eq!(store.name_unnamed("ana"), 0, "nothing left unnamed");
    }

    #[test]
    fn another_tabs_unnamed_copy_neither_takes_the_name_back_nor_revives_an_act_undone() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "", 1));
        store.set(entry(2, Label::Agn, "", 2));
        store.name_unnamed("ana");
        // Another tab still holds both unnamed.
        store.merge([entry(1, Label::Gal, "", 1), entry(2, Label::Agn, "", 2)]);
        assert_eq!(
            store.get(Candid(1)).map(|e| e.annotator.as_str()),
            Some("ana")
        );
        // Label 2 was undone here (named in the undone set): its unnamed copy is that act.
        let undone = BTreeSet::from([entry(2, Label::Agn, "ana", 2)]);
        assert_eq!(store.purge(&undone), BTreeSet::from([Candid(2)]));
        assert_eq!(store.get(Candid(2)), None);
    }
}
