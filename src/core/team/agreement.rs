//! How often a team agrees: per pair of annotators (alerts both labelled,
//! percent agreement, Cohen's κ), overall (Krippendorff's α, nominal, with
//! missing votes) and per alert (single, unanimous, majority, contested).
//! Computed on coded votes (`dawid_skene::CodedVotes`), the same formulas
//! as scikit-learn's `cohen_kappa_score` and the `krippendorff` package,
//! which the oracle tests compare against.

use super::dawid_skene::CodedVotes;

/// Two annotators on the alerts both labelled.
#[derive(Clone, Debug, PartialEq)]
pub struct PairAgreement {
    pub first: usize,
    pub second: usize,
    pub shared: usize,
    /// Share of shared alerts with the same label; `None` without any.
    pub agreement: Option<f64>,
    /// Cohen's κ; `None` without shared alerts, or when chance agreement
    /// is certain (both gave one and the same label throughout).
    pub kappa: Option<f64>,
    /// (first's label, second's label) → alerts, for the confusion table.
    pub confusion: Vec<Vec<usize>>,
}

/// Every pair of annotators (first < second) with their agreement, in
/// order of (first, second): one pass over the tasks, each task's pairs of
/// votes counted in their pair's confusion table.
pub fn pairs(votes: &CodedVotes) -> Vec<PairAgreement> {
    let annotators = votes.annotators;
    let labels = votes.labels;
    // The pair (first, second)'s table starts at `pair_index * labels²`.
    let pair_index = |first: usize, second: usize| {
        first * annotators - first * (first + 1) / 2 + (second - first - 1)
    };
    let pair_count = annotators * annotators.saturating_sub(1) / 2;
    let mut tables = vec![0usize; pair_count * labels * labels];
    for task in votes.tasks() {
        for (position, &(a, a_label)) in task.iter().enumerate() {
            for &(b, b_label) in &task[position + 1..] {
                let (first, second, first_label, second_label) = if a < b {
                    (a, b, a_label, b_label)
                } else {
                    (b, a, b_label, a_label)
                };
                if first == second {
                    continue;
                }
                let table = pair_index(first, second) * labels * labels;
                tables[table + first_label * labels + second_label] += 1;
            }
        }
    }
    let mut pairs = Vec::with_capacity(pair_count);
    for first in 0..annotators {
        for second in first + 1..annotators {
            let table = pair_index(first, second) * labels * labels;
            let confusion: Vec<Vec<usize>> = tables[table..table + labels * labels]
                .chunks(labels.max(1))
                .map(<[usize]>::to_vec)
                .collect();
            pairs.push(pair_of(first, second, confusion));
        }
    }
    pairs
}

fn pair_of(first: usize, second: usize, confusion: Vec<Vec<usize>>) -> PairAgreement {
    let shared: usize = confusion.iter().flatten().sum();
    let agreed: usize = (0..confusion.len())
        .map(|label| confusion[label][label])
        .sum();
    PairAgreement {
        first,
        second,
        shared,
        agreement: (shared > 0).then(|| agreed as f64 / shared as f64),
        kappa: cohen_kappa(&confusion),
        confusion,
    }
}

/// Cohen's κ of a confusion table, as scikit-learn computes it:
/// 1 − Σ observed disagreement / Σ expected disagreement.
pub fn cohen_kappa(confusion: &[Vec<usize>]) -> Option<f64> {
    let total: usize = confusion.iter().flatten().sum();
    if total == 0 {
        return None;
    }
    let rows: Vec<f64> = confusion
        .iter()
        .map(|row| row.iter().sum::<usize>() as f64)
        .collect();
    let columns: Vec<f64> = (0..confusion.len())
        .map(|column| confusion.iter().map(|row| row[column]).sum::<usize>() as f64)
        .collect();
    let (mut observed, mut expected) = (0.0, 0.0);
    for (i, row) in confusion.iter().enumerate() {
        for (j, &count) in row.iter().enumerate() {
            if i != j {
                observed += count as f64;
                expected += rows[i] * columns[j] / total as f64;
            }
        }
    }
    (expected > 0.0).then(|| 1.0 - observed / expected)
}

/// Krippendorff's α for nominal data with missing votes: from the
/// coincidence matrix of the alerts with 2 votes or more. `None` when
/// fewer than 2 pairable votes, or a single value throughout.
pub fn krippendorff_alpha(votes: &CodedVotes) -> Option<f64> {
    let labels = votes.labels;
    let mut coincidences = vec![vec![0.0; labels]; labels];
    for task in votes.tasks() {
        let pairable = task.len();
        if pairable < 2 {
            continue;
        }
        let mut counts = vec![0.0; labels];
        for &(_, label) in task {
            counts[label] += 1.0;
        }
        for c in 0..labels {
            for k in 0..labels {
                let pairs = if c == k {
                    counts[c] * (counts[c] - 1.0)
                } else {
                    counts[c] * counts[k]
                };
                coincidences[c][k] += pairs / (pairable - 1) as f64;
            }
        }
    }
    let totals: Vec<f64> = coincidences.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = totals.iter().sum();
    if n <= 1.0 {
        return None;
    }
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..labels {
        for k in 0..labels {
            if c != k {
                observed += coincidences[c][k];
                expected += totals[c] * totals[k] / (n - 1.0);
            }
        }
    }
    (expected > 0.0).then(|| 1.0 - observed / expected)
}

/// What the votes on one alert say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consensus {
    /// One annotator.
    Single(usize),
    /// Two or more, all the same label.
    Unanimous(usize),
    /// Two or more, one label has more votes than any other.
    Majority(usize),
    /// A tie for the most votes.
    Contested,
}

impl Consensus {
    /// The label the votes settle on, if any.
    pub fn label(self) -> Option<usize> {
        match self {
            Consensus::Single(label) | Consensus::Unanimous(label) | Consensus::Majority(label) => {
                Some(label)
            }
            Consensus::Contested => None,
        }
    }
}

/// The consensus of one alert's votes (label codes below `labels`).
pub fn consensus(votes: &[(usize, usize)], labels: usize) -> Consensus {
    let mut counts = vec![0usize; labels];
    for &(_, label) in votes {
        counts[label] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0);
    let leaders: Vec<usize> = (0..labels).filter(|&label| counts[label] == most).collect();
    match (votes.len(), leaders.as_slice()) {
        (1, [label]) => Consensus::Single(*label),
        (_, [label]) if most == votes.len() => Consensus::Unanimous(*label),
        (_, [label]) => Consensus::Majority(*label),
        _ => Consensus::Contested,
    }
}

/// Per annotator: (votes, alerts shared with someone, share of the others'
/// votes on those alerts that agree with theirs).
pub fn annotator_agreement(votes: &CodedVotes) -> Vec<(usize, usize, Option<f64>)> {
    let mut rows = vec![(0usize, 0usize, 0usize, 0usize); votes.annotators];
    for task in votes.tasks() {
        for &(annotator, label) in task {
            let row = &mut rows[annotator];
            row.0 += 1;
            let others = task.len() - 1;
            if others > 0 {
                row.1 += 1;
                row.2 += others;
                row.3 += task
                    .iter()
                    .filter(|(who, given)| *who != annotator && *given == label)
                    .count();
            }
        }
    }
    rows.into_iter()
        .map(|(count, shared, compared, agreed)| {
            (
                count,
                shared,
                (compared > 0).then(|| agreed as f64 / compared as f64),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coded(tasks: Vec<Vec<(usize, usize)>>, annotators: usize, labels: usize) -> CodedVotes {
        CodedVotes::from_tasks(annotators, labels, tasks)
    }

    #[test]
    fn kappa_of_a_textbook_table() {
        // 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o 0.7, p_e 0.5, κ 0.4.
        let kappa = cohen_kappa(&[vec![20, 5], vec![10, 15]]).expect("defined");
        assert!((kappa - 0.4).abs() < 1e-12, "{kappa}");
        assert_eq!(
            cohen_kappa(&[vec![3, 0], vec![0, 0]]),
            None,
            "one label only"
        );
        assert_eq!(
            cohen_kappa(&[vec![0, 0], vec![0, 0]]),
            None,
            "nothing shared"
        );
    }

    #[test]
    fn alpha_is_one_for_perfect_agreement_and_skips_single_votes() {
        let perfect = coded(
            vec![
                vec![(0, 0), (1, 0)],
                vec![(0, 1), (1, 1), (2, 1)],
                vec![(2, 0)],
            ],
            3,
            2,
        );
        assert_eq!(krippendorff_alpha(&perfect), Some(1.0));
        // Krippendorff's own example (nominal, 4 coders, 12 units, missing
        // values): α = 0.743.
        let units: [&[Option<usize>]; 12] = [
            &[Some(0), Some(0), None, Some(0)],
            &[Some(1), Some(1), Some(2), Some(1)],
            &[Some(2), Some(2), Some(2), Some(2)],
            &[Some(2), Some(2), Some(2), Some(2)],
            &[Some(1), Some(1), Some(1), Some(1)],
            &[Some(0), Some(1), Some(2), Some(3)],
            &[Some(3), Some(3), Some(3), Some(3)],
            &[Some(0), Some(0), Some(1), Some(0)],
            &[Some(1), Some(1), Some(1), Some(1)],
            &[None, Some(4), Some(4), Some(4)],
            &[None, None, Some(0), Some(0)],
            &[None, None, Some(2), None],
        ];
        let tasks = units
            .iter()
            .map(|unit| {
                unit.iter()
                    .enumerate()
                    .filter_map(|(coder, value)| value.map(|value| (coder, value)))
                    .collect()
            })
            .collect();
        let alpha = krippendorff_alpha(&coded(tasks, 4, 5)).expect("defined");
        assert!((alpha - 0.743).abs() < 5e-4, "{alpha}");
    }

    #[test]
    fn consensus_tells_single_unanimous_majority_and_ties() {
        assert_eq!(consensus(&[(0, 2)], 3), Consensus::Single(2));
        assert_eq!(consensus(&[(0, 1), (1, 1)], 3), Consensus::Unanimous(1));
        assert_eq!(
            consensus(&[(0, 1), (1, 1), (2, 0)], 3),
            Consensus::Majority(1)
        );
        assert_eq!(consensus(&[(0, 1), (1, 0)], 3), Consensus::Contested);
    }

    #[test]
    fn pairs_count_shared_alerts_and_agreement() {
        let votes = coded(
            vec![vec![(0, 0), (1, 0)], vec![(0, 1), (1, 0)], vec![(0, 1)]],
            2,
            2,
        );
        let found = pairs(&votes);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].shared, found[0].agreement), (2, Some(0.5)));
        assert_eq!(found[0].confusion, vec![vec![1, 0], vec![1, 0]]);
        assert_eq!(
            annotator_agreement(&votes),
            vec![(3, 2, Some(0.5)), (2, 2, Some(0.5))]
        );
    }
}
