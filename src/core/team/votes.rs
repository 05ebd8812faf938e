//! Every collaborator's label kept as a vote: for each alert, at most one
//! current label per annotator (their latest), read from label files
//! alone. The label store keeps one label per alert for training; this is
//! what the team's agreement is measured on.

use std::collections::BTreeMap;

use crate::core::alert::Candid;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::vocabulary::Label;

/// One annotator's vote replaced by a later one of theirs on the same alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplacedVote {
    pub candid: Candid,
    pub annotator: String,
    /// The label kept (the later timestamp) and the one dropped.
    pub kept: Label,
    pub dropped: Label,
}

/// The votes of a team: alert → annotator → label. `unsure` is an
/// abstention, not a vote (it never trains).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VoteTable {
    votes: BTreeMap<Candid, BTreeMap<String, LabelEntry>>,
    replaced: Vec<ReplacedVote>,
}

impl VoteTable {
    /// The votes of `entries` (any order): per alert and annotator, the
    /// label with the latest timestamp (ties: the later entry); labels
    /// without an annotator count as `unknown`.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a LabelEntry>) -> VoteTable {
        let mut table = VoteTable::default();
        for entry in entries {
            table.add(entry);
        }
        table
    }

    /// Adds one label as its annotator's vote, replacing an earlier one of
    /// theirs on the same alert (reported when the label differs).
    pub fn add(&mut self, entry: &LabelEntry) {
        if entry.label == Label::Unsure {
            return;
        }
        let annotator = match entry.annotator.trim() {
            "" => "unknown".to_string(),
            name => name.to_string(),
        };
        let alert = self.votes.entry(entry.candid).or_default();
        match alert.get_mut(&annotator) {
            Some(kept) if kept.timestamp > entry.timestamp => {
                // Drawn at random once, the alert stays a random pick.
                kept.random_pick |= entry.random_pick;
                if kept.label != entry.label {
                    self.replaced.push(ReplacedVote {
                        candid: entry.candid,
                        annotator,
                        kept: kept.label,
                        dropped: entry.label,
                    });
                }
            }
            previous => {
                let mut random_pick = entry.random_pick;
                if let Some(earlier) = previous {
                    random_pick |= earlier.random_pick;
                    if earlier.label != entry.label {
                        self.replaced.push(ReplacedVote {
                            candid: entry.candid,
                            annotator: annotator.clone(),
                            kept: entry.label,
                            dropped: earlier.label,
                        });
                    }
                }
                let vote = LabelEntry {
                    annotator: annotator.clone(),
                    random_pick,
                    ..entry.clone()
                };
                alert.insert(annotator, vote);
            }
        }
    }

    /// Alerts with at least one vote, in id order, each with its votes
    /// (annotator, label) in annotator order.
    pub fn alerts(&self) -> impl Iterator<Item = (Candid, Vec<(&str, Label)>)> + '_ {
        self.votes.iter().map(|(candid, votes)| {
            let votes = votes
                .iter()
                .map(|(annotator, vote)| (annotator.as_str(), vote.label))
                .collect();
            (*candid, votes)
        })
    }

    /// The votes on `candid`, each a whole label entry (its annotator
    /// `unknown` when it named none), in annotator order.
    pub fn votes_on(&self, candid: Candid) -> impl Iterator<Item = &LabelEntry> + '_ {
        self.votes
            .get(&candid)
            .into_iter()
            .flat_map(BTreeMap::values)
    }

    /// Every annotator with a vote, in name order.
    pub fn annotators(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .votes
            .values()
            .flat_map(|votes| votes.keys().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Votes replaced by a later, different label of the same annotator.
    pub fn replaced(&self) -> &[ReplacedVote] {
        &self.replaced
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
            "unsure is no vote"
        );
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
    }
}
