//! Which labels two annotators confuse: over the alerts both voted on
//! (`unsure` left out), how often one said each label when the other said
//! each label. The Team part of the page shows it for a chosen pair.

use std::collections::BTreeSet;

use crate::core::labels::vocabulary::Label;
use crate::core::labels::votes::VoteTable;

/// The confusion table of annotators `a` (rows) and `b` (columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairConfusion {
    pub a: String,
    pub b: String,
    /// The labels either gave on a shared alert, in vocabulary order.
    pub labels: Vec<Label>,
    /// `counts[row][column]`: alerts `a` labelled `labels[row]` and `b`
    /// labelled `labels[column]`.
    pub counts: Vec<Vec<usize>>,
}

impl PairConfusion {
    /// How many alerts both labelled.
    pub fn shared(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The disagreements, most frequent first: (a's label, b's label, alerts).
    pub fn disagreements(&self) -> Vec<(Label, Label, usize)> {
        let mut cells: Vec<(Label, Label, usize)> = self
            .labels
            .iter()
            .enumerate()
            .flat_map(|(row, &of_a)| {
                self.labels
                    .iter()
                    .enumerate()
                    .filter(move |(column, _)| *column != row)
                    .map(move |(column, &of_b)| (of_a, of_b, self.counts[row][column]))
            })
            .filter(|(_, _, count)| *count > 0)
            .collect();
        cells.sort_by(|x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        cells
    }
}

/// The confusion table of `a` and `b` on the alerts both voted on.
pub fn pair_confusion(table: &VoteTable, a: &str, b: &str) -> PairConfusion {
    // Read from the table's index (annotator numbers), not its label
    // entries: the page recounts this after every change of the votes.
    let index = table.index();
    let number_of = |name: &str| index.names().iter().position(|known| known == name);
    let pairs: Vec<(Label, Label)> = match (number_of(a), number_of(b)) {
        (Some(a), Some(b)) => index
            .alerts()
            .filter_map(|(_, votes)| {
                let label_of = |who: usize| {
                    votes
                        .iter()
                        .find(|(number, label)| *number as usize == who && *label != Label::Unsure)
                        .map(|(_, label)| *label)
                };
                Some((label_of(a)?, label_of(b)?))
            })
            .collect(),
        _ => Vec::new(),
    };
    let used: BTreeSet<Label> = pairs.iter().flat_map(|&(x, y)| [x, y]).collect();
    let labels: Vec<Label> = Label::ALL
        .into_iter()
        .filter(|label| used.contains(label))
        .collect();
    let index = |label: Label| labels.iter().position(|known| *known == label);
    let mut counts = vec![vec![0; labels.len()]; labels.len()];
    for (x, y) in pairs {
        if let (Some(row), Some(column)) = (index(x), index(y)) {
            counts[row][column] += 1;
        }
    }
    PairConfusion {
        a: a.to_string(),
        b: b.to_string(),
        labels,
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;
    use crate::core::labels::entry::LabelEntry;

    fn vote(candid: u64, annotator: &str, label: Label) -> LabelEntry {
        LabelEntry {
            candid: Candid(candid),
            object_id: "ZTF19aarxyde".into(),
            label,
            timestamp: "2026-12-07T10:00:00Z".into(),
            annotator: annotator.into(),
            round: None,
            random_pick: false,
        }
    }

    #[test]
    fn counts_only_alerts_both_labelled_and_lists_disagreements_most_frequent_first() {
        use Label::{Agn, Extragal, Gal};
        let entries = [
            vote(1, "ana", Gal),
            vote(1, "bo", Gal),
            vote(2, "ana", Extragal),
            vote(2, "bo", Agn),
            vote(3, "ana", Extragal),
            vote(3, "bo", Agn),
            vote(4, "ana", Gal),
            vote(4, "bo", Extragal),
            vote(5, "ana", Gal), // bo did not label 5
            vote(6, "bo", Label::Unsure),
            vote(6, "ana", Gal),
        ];
        let confusion = pair_confusion(&VoteTable::from_entries(&entries), "ana", "bo");
        assert_eq!(confusion.labels, [Extragal, Gal, Agn]);
        assert_eq!(confusion.shared(), 4, "unsure is no vote");
        assert_eq!(confusion.counts, [[0, 0, 2], [1, 1, 0], [0, 0, 0]]);
        assert_eq!(
            confusion.disagreements(),
            [(Extragal, Agn, 2), (Gal, Extragal, 1)]
        );
    }
}
