//! The label store: labels keyed by candid, with multi-level undo, and the
//! merge of a collaborator's labels.
//!
//! Merging is a union by candid. An identical label is a duplicate (the
//! earliest entry is kept); different labels for one candid are a conflict:
//! every version is set aside until the user picks one, and the candid does
//! not train meanwhile. Both rules are symmetric, so the result does not
//! depend on the order in which files are imported.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::entry::LabelEntry;
use crate::core::alert::Candid;

/// Labels by candid, plus conflicts waiting for a decision.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelStore {
    labels: BTreeMap<Candid, LabelEntry>,
    conflicts: BTreeMap<Candid, BTreeSet<LabelEntry>>,
    #[serde(skip)]
    undo: Vec<UndoStep>,
}

/// What [`LabelStore::undo`] restores: the candid's entry before a change.
#[derive(Clone, Debug, PartialEq)]
struct UndoStep {
    candid: Candid,
    previous: Option<LabelEntry>,
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

/// The entry kept of two identical labels: the earlier one (then by annotator).
fn canonical(a: LabelEntry, b: LabelEntry) -> LabelEntry {
    if (&b.timestamp, &b.annotator) < (&a.timestamp, &a.annotator) {
        b
    } else {
        a
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

    /// Undoes the last `set` or `remove`; returns the candid it touched, so
    /// the page can go back to that alert.
    pub fn undo(&mut self) -> Option<Candid> {
        let step = self.undo.pop()?;
        match step.previous {
            Some(entry) => self.labels.insert(step.candid, entry),
            None => self.labels.remove(&step.candid),
        };
        Some(step.candid)
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

    /// Settles a conflict with the chosen version (which becomes the label).
    /// Returns `false` if there is no such conflict or version.
    pub fn resolve_conflict(&mut self, chosen: &LabelEntry) -> bool {
        let Some(versions) = self.conflicts.get(&chosen.candid) else {
            return false;
        };
        if !versions.contains(chosen) {
            return false;
        }
        self.conflicts.remove(&chosen.candid);
        self.set(chosen.clone());
        true
    }

    /// Marks which round's training set used each candid in `rounds`.
    pub fn set_rounds(&mut self, rounds: &BTreeMap<Candid, u32>) {
        for (candid, &round) in rounds {
            if let Some(entry) = self.labels.get_mut(candid) {
                entry.round = Some(round);
            }
        }
    }

    /// Merges `incoming` labels (see the module notes). Not undoable: the page
    /// asks for an export before big changes instead.
    pub fn merge(&mut self, incoming: impl IntoIterator<Item = LabelEntry>) -> MergeReport {
        let mut report = MergeReport::default();
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
                    }
                }
                continue;
            }
            match self.labels.remove(&candid) {
                None => {
                    self.labels.insert(candid, entry);
                    report.added += 1;
                }
                Some(existing) if same_label(&existing, &entry) => {
                    self.labels.insert(candid, canonical(existing, entry));
                    report.duplicates += 1;
                }
                Some(existing) => {
                    self.conflicts
                        .insert(candid, BTreeSet::from([existing, entry]));
                    report.conflicts += 1;
                }
            }
        }
        self.undo.clear();
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
        }
    }

    #[test]
    fn undo_is_multi_level_and_returns_the_alert_to_go_back_to() {
        let mut store = LabelStore::new();
        store.set(entry(1, Label::Gal, "a", 0));
        store.set(entry(2, Label::Bogus, "a", 1));
        store.set(entry(1, Label::Agn, "a", 2));
        assert_eq!(store.undo(), Some(Candid(1)));
        assert_eq!(store.get(Candid(1)).map(|e| e.label), Some(Label::Gal));
        assert_eq!(store.undo(), Some(Candid(2)));
        assert_eq!(store.get(Candid(2)), None);
        assert_eq!(store.undo(), Some(Candid(1)));
        assert!(store.is_empty());
        assert_eq!(store.undo(), None);
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
        assert!(store.resolve_conflict(&chosen));
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
}
