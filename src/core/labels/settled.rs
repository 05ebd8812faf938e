//! The labels a round trains with: one per alert, as the team's consensus
//! rule settled them from the votes (`team::consensus`). Everything that
//! trains, ranks by earlier labels, counts batch progress or writes a
//! one-label-per-alert CSV reads this, never the votes.

use std::collections::BTreeMap;

use super::entry::LabelEntry;
use crate::core::alert::Candid;

/// One training label per alert, by alert id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettledLabels {
    by_alert: BTreeMap<Candid, LabelEntry>,
}

impl SettledLabels {
    pub fn new() -> SettledLabels {
        SettledLabels::default()
    }

    /// Sets the training label of `entry.candid` (replacing one).
    pub fn insert(&mut self, entry: LabelEntry) {
        self.by_alert.insert(entry.candid, entry);
    }

    /// Takes the training label of `candid` out.
    pub fn remove(&mut self, candid: Candid) -> Option<LabelEntry> {
        self.by_alert.remove(&candid)
    }

    pub fn get(&self, candid: Candid) -> Option<&LabelEntry> {
        self.by_alert.get(&candid)
    }

    /// Every training label, by alert id.
    pub fn labels(&self) -> impl Iterator<Item = &LabelEntry> {
        self.by_alert.values()
    }

    pub fn len(&self) -> usize {
        self.by_alert.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_alert.is_empty()
    }
}

impl FromIterator<LabelEntry> for SettledLabels {
    fn from_iter<I: IntoIterator<Item = LabelEntry>>(entries: I) -> Self {
        SettledLabels {
            by_alert: entries
                .into_iter()
                .map(|entry| (entry.candid, entry))
                .collect(),
        }
    }
}
