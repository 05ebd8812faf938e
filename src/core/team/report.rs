//! The team's numbers from its votes: per annotator, per pair, overall,
//! per alert. `fink-vra agreement` prints them (`--json`: exactly the keys
//! of [`TeamReport`]); undefined numbers are `None` (JSON `null`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::agreement::{annotator_agreement, consensus, krippendorff_alpha, pairs, Consensus};
use super::dawid_skene::{one_coin_dawid_skene, CodedVotes};
use crate::core::alert::Candid;
use crate::core::labels::adjudication::Adjudication;
use crate::core::labels::gold::GoldLabel;
use crate::core::labels::targets::TargetMapping;
use crate::core::labels::vocabulary::Label;
use crate::core::labels::votes::VoteTable;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnnotatorRow {
    pub annotator: String,
    pub votes: usize,
    /// Alerts this annotator labelled that someone else labelled too.
    pub shared: usize,
    /// Share of the others' votes on those alerts that agree.
    pub agreement: Option<f64>,
    /// Estimated accuracy (one-coin Dawid–Skene).
    pub accuracy: Option<f64>,
    /// Gold alerts this annotator voted on (not those they marked gold).
    pub gold_votes: usize,
    /// The share of those votes that give the gold label.
    pub gold_accuracy: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairRow {
    pub a: String,
    pub b: String,
    pub shared: usize,
    pub agreement: Option<f64>,
    pub kappa: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AlertCounts {
    pub single: usize,
    pub unanimous: usize,
    pub majority: usize,
    pub contested: usize,
    /// Alerts a reviewer settled on a label (counted here, not by their votes).
    pub adjudicated: usize,
}

/// One alert's votes and what they settle on (in JSON, the alert id a
/// decimal string, labels by name).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRow {
    pub alert: Candid,
    /// single, unanimous, majority, contested or adjudicated.
    pub consensus: &'static str,
    /// The most voted label, unless tied.
    pub majority: Option<Label>,
    /// The most probable label under the one-coin model, and its posterior.
    pub weighted: Option<Label>,
    pub posterior: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TeamReport {
    pub annotators: Vec<AnnotatorRow>,
    pub pairs: Vec<PairRow>,
    /// Krippendorff's α (nominal) on the labels as given.
    pub alpha: Option<f64>,
    /// The same on the target's two classes (labels it does not map left out).
    pub alpha_target: Option<f64>,
    pub alerts: AlertCounts,
    /// Alert ids (decimal strings) whose votes tie and that no reviewer
    /// settled on a label.
    pub contested: Vec<String>,
    /// Every alert with a vote that counts (not only `unsure` votes).
    pub labels: Vec<AlertRow>,
}

/// The votes that count (not `unsure`) read once from the table's index
/// (`VoteTable::index`): each alert with one, and its (annotator's position
/// in `annotators`, label) pairs, which the report codes twice (labels,
/// the target's classes).
pub(super) struct CountedVotes {
    pub(super) alerts: Vec<Candid>,
    /// Per alert, (annotator's position, the label's place in
    /// `Label::ALL`).
    votes: CodedVotes,
}

impl CountedVotes {
    /// The counted votes of `table`, by `annotators` (in name order).
    pub(super) fn of(table: &VoteTable, annotators: &[&str]) -> CountedVotes {
        let index = table.index();
        // Each annotator number's position in `annotators`.
        let positions: Vec<Option<usize>> = index
            .names()
            .iter()
            .map(|name| annotators.binary_search(&name.as_str()).ok())
            .collect();
        let mut alerts = Vec::with_capacity(table.alert_count());
        let mut votes = CodedVotes::new(annotators.len(), Label::ALL.len());
        for (candid, alert_votes) in index.alerts() {
            let counted = alert_votes
                .iter()
                .filter(|(_, label)| *label != Label::Unsure)
                .filter_map(|&(number, label)| {
                    Some((*positions.get(number as usize)?.as_ref()?, label as usize))
                });
            votes.push_task(counted);
            if votes.task(votes.task_count() - 1).is_empty() {
                votes.pop_task();
            } else {
                alerts.push(candid);
            }
        }
        CountedVotes { alerts, votes }
    }

    /// The votes coded for the statistics: the labels in use (`code_of`
    /// maps each to its class, the label itself or a class name; `None`
    /// leaves the vote out) in the vocabulary's order, and those classes.
    pub(super) fn coded<C: PartialEq>(
        &self,
        code_of: impl Fn(Label) -> Option<C>,
    ) -> (CodedVotes, Vec<C>) {
        let mut used = [false; Label::ALL.len()];
        for task in self.votes.tasks() {
            for &(_, label) in task {
                used[label] = true;
            }
        }
        let mut names: Vec<C> = Vec::new();
        let mut code = [None; Label::ALL.len()];
        for label in Label::ALL.into_iter().filter(|label| used[*label as usize]) {
            let Some(name) = code_of(label) else {
                continue;
            };
            code[label as usize] = Some(match names.iter().position(|known| *known == name) {
                Some(position) => position,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            });
        }
        let mut votes = CodedVotes::new(self.votes.annotators, names.len());
        for task in self.votes.tasks() {
            votes.push_task(
                task.iter()
                    .filter_map(|&(who, label)| Some((who, code[label]?))),
            );
        }
        (votes, names)
    }
}

impl TeamReport {
    /// The numbers of `table`, with the reviewers' decisions `adjudicated`
    /// (an alert settled on a label counts as adjudicated; agreement is
    /// measured on the votes alone); `target` adds α on its two classes.
    pub fn of(
        table: &VoteTable,
        adjudicated: &BTreeMap<Candid, Adjudication>,
        target: Option<&TargetMapping>,
    ) -> TeamReport {
        let annotators = table.annotators();
        let counted = CountedVotes::of(table, &annotators);
        let (votes, labels_in_use) = counted.coded(Some);
        let fit = one_coin_dawid_skene(&votes);
        let agreement = annotator_agreement(&votes);
        let annotator_rows = annotators
            .iter()
            .enumerate()
            .map(|(index, name)| AnnotatorRow {
                annotator: name.to_string(),
                votes: agreement[index].0,
                shared: agreement[index].1,
                agreement: agreement[index].2,
                accuracy: fit.as_ref().and_then(|fit| fit.accuracies[index]),
                gold_votes: 0,
                gold_accuracy: None,
            })
            .collect();
        let pair_rows = pairs(&votes)
            .into_iter()
            .map(|pair| PairRow {
                a: annotators[pair.first].to_string(),
                b: annotators[pair.second].to_string(),
                shared: pair.shared,
                agreement: pair.agreement,
                kappa: pair.kappa,
            })
            .collect();
        let alpha_target = target.and_then(|target| {
            let (classes, _) =
                counted.coded(|label| target.class_of(label.name()).map(|class| class.to_string()));
            krippendorff_alpha(&classes)
        });
        let mut counts = AlertCounts::default();
        let mut contested = Vec::new();
        let mut labels = Vec::new();
        for (index, (&candid, task)) in counted.alerts.iter().zip(votes.tasks()).enumerate() {
            let settled = consensus(task, votes.labels);
            let decided = adjudicated
                .get(&candid)
                .is_some_and(|adjudication| adjudication.label.is_some());
            let kind = match settled {
                _ if decided => {
                    counts.adjudicated += 1;
                    "adjudicated"
                }
                Consensus::Single(_) => {
                    counts.single += 1;
                    "single"
                }
                Consensus::Unanimous(_) => {
                    counts.unanimous += 1;
                    "unanimous"
                }
                Consensus::Majority(_) => {
                    counts.majority += 1;
                    "majority"
                }
                Consensus::Contested => {
                    counts.contested += 1;
                    contested.push(candid.to_string());
                    "contested"
                }
            };
            let weighted = fit.as_ref().map(|fit| {
                let posterior = fit.posterior(index);
                let best = (0..posterior.len()).fold(0, |best, label| {
                    if posterior[label] > posterior[best] {
                        label
                    } else {
                        best
                    }
                });
                (labels_in_use[best], posterior[best])
            });
            labels.push(AlertRow {
                alert: candid,
                consensus: kind,
                majority: settled.label().map(|label| labels_in_use[label]),
                weighted: weighted.map(|(label, _)| label),
                posterior: weighted.map(|(_, posterior)| posterior),
            });
        }
        TeamReport {
            annotators: annotator_rows,
            pairs: pair_rows,
            alpha: krippendorff_alpha(&votes),
            alpha_target,
            alerts: counts,
            contested,
            labels,
        }
    }

    /// Measures each annotator on the gold alerts of `gold` (their votes on
    /// alerts someone else marked gold, `unsure` left out).
    pub fn measure_gold(&mut self, table: &VoteTable, gold: &BTreeMap<Candid, GoldLabel>) {
        for row in &mut self.annotators {
            let mut right = 0;
            let mut voted = 0;
            for (candid, mark) in gold {
                let Some(truth) = mark.label.filter(|label| *label != Label::Unsure) else {
                    continue;
                };
                if mark.marked_by == row.annotator {
                    continue;
                }
                let vote = table
                    .votes_on(*candid)
                    .find(|vote| vote.annotator == row.annotator && vote.label != Label::Unsure);
                if let Some(vote) = vote {
                    voted += 1;
                    right += usize::from(vote.label == truth);
                }
            }
            row.gold_votes = voted;
            row.gold_accuracy = (voted > 0).then(|| right as f64 / voted as f64);
        }
    }

    /// The report of no vote at all.
    pub fn empty() -> TeamReport {
        TeamReport::of(&VoteTable::default(), &BTreeMap::new(), None)
    }

    /// The report as one line of JSON (`fink-vra agreement --json`); an
    /// undefined number is `null`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Why there is nothing to measure, if so: fewer than 2 annotators, or
    /// no alert labelled by two of them.
    pub fn nothing_to_measure(&self) -> Option<String> {
        if self.annotators.len() < 2 {
            return Some(format!(
                "agreement needs votes of 2 annotators or more; there are {}",
                match self.annotators.first() {
                    None => "none".to_string(),
                    Some(only) => format!("only {}'s", only.annotator),
                }
            ));
        }
        if self.annotators.iter().all(|row| row.shared == 0) {
            return Some(
                "no alert was labelled by two annotators: agreement needs shared alerts"
                    .to_string(),
            );
        }
        None
    }
}
