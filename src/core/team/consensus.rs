//! Which label each alert trains with, when several annotators voted on it:
//! the team's consensus rule. Every vote stays a vote; the rule only says
//! which label a round fits on, which alerts it leaves out (contested, until
//! someone settles them), and where each training label came from.
//!
//! - `mine`: my vote where I gave one, else the others' label when they are
//!   unanimous;
//! - `majority`: the most common label; a tie is contested;
//! - `weighted`: the most probable label under the one-coin Dawid–Skene
//!   model (`dawid_skene`), when its posterior reaches a threshold (0.8 by
//!   default); otherwise contested.
//!
//! An adjudicated alert always trains with its adjudicated label.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::dawid_skene::one_coin_dawid_skene;
use super::files::UNKNOWN_ANNOTATOR;
use super::report::CountedVotes;
use crate::core::alert::Candid;
use crate::core::labels::adjudication::Adjudication;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::settled::SettledLabels;
use crate::core::labels::vocabulary::Label;
use crate::core::labels::votes::VoteTable;

/// The posterior a `weighted` label needs to train, unless told otherwise.
pub const DEFAULT_POSTERIOR_THRESHOLD: f64 = 0.8;

/// How an alert's votes become its training label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsensusRule {
    Mine,
    Majority,
    Weighted,
}

impl ConsensusRule {
    pub const ALL: [ConsensusRule; 3] = [
        ConsensusRule::Mine,
        ConsensusRule::Majority,
        ConsensusRule::Weighted,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConsensusRule::Mine => "mine",
            ConsensusRule::Majority => "majority",
            ConsensusRule::Weighted => "weighted",
        }
    }

    pub fn by_name(name: &str) -> Option<ConsensusRule> {
        ConsensusRule::ALL
            .into_iter()
            .find(|rule| rule.name() == name.trim())
    }
}

impl fmt::Display for ConsensusRule {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(self.name())
    }
}

/// Where an alert's training label came from, or why it has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// One annotator voted.
    Single,
    /// Two or more voted, all the same label.
    Unanimous,
    /// The most common of differing votes (`majority`).
    Majority,
    /// The one-coin posterior of differing votes reached the threshold
    /// (`weighted`).
    Weighted,
    /// My vote, where others differ (`mine`).
    Mine,
    /// A reviewer settled it.
    Adjudicated,
    /// A reviewer looked and left it unresolved: the alert does not train.
    Unresolved,
    /// The rule settles on no label: the alert does not train.
    Contested,
}

impl Provenance {
    /// Every provenance, in the order the page lists them.
    pub const ALL: [Provenance; 8] = [
        Provenance::Single,
        Provenance::Unanimous,
        Provenance::Majority,
        Provenance::Weighted,
        Provenance::Mine,
        Provenance::Adjudicated,
        Provenance::Unresolved,
        Provenance::Contested,
    ];

    /// The name written in exports (as serde writes it).
    pub fn name(self) -> &'static str {
        match self {
            Provenance::Single => "single",
            Provenance::Unanimous => "unanimous",
            Provenance::Majority => "majority",
            Provenance::Weighted => "weighted",
            Provenance::Mine => "mine",
            Provenance::Adjudicated => "adjudicated",
            Provenance::Unresolved => "unresolved",
            Provenance::Contested => "contested",
        }
    }

    /// The provenance named `name`, if any.
    pub fn by_name(name: &str) -> Option<Provenance> {
        Provenance::ALL
            .into_iter()
            .find(|provenance| provenance.name() == name)
    }

    /// Whether an alert of this provenance trains.
    pub fn trains(self) -> bool {
        !matches!(self, Provenance::Contested | Provenance::Unresolved)
    }
}

/// How many alerts a rule settled, by provenance; `left_out` are contested.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceCounts {
    pub single: usize,
    pub unanimous: usize,
    pub majority: usize,
    pub weighted: usize,
    pub mine: usize,
    pub adjudicated: usize,
    /// Left out: contested, or left unresolved by a reviewer.
    pub left_out: usize,
}

impl ProvenanceCounts {
    /// The counter of `provenance`.
    fn counter(&mut self, provenance: Provenance) -> &mut usize {
        match provenance {
            Provenance::Single => &mut self.single,
            Provenance::Unanimous => &mut self.unanimous,
            Provenance::Majority => &mut self.majority,
            Provenance::Weighted => &mut self.weighted,
            Provenance::Mine => &mut self.mine,
            Provenance::Adjudicated => &mut self.adjudicated,
            Provenance::Contested | Provenance::Unresolved => &mut self.left_out,
        }
    }

    fn count(&mut self, provenance: Provenance) {
        *self.counter(provenance) += 1;
    }

    fn uncount(&mut self, provenance: Provenance) {
        let counter = self.counter(provenance);
        *counter = counter.saturating_sub(1);
    }
}

impl fmt::Display for ProvenanceCounts {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            out,
            "{} single, {} unanimous, {} majority, {} weighted, {} mine, {} adjudicated, \
             {} left out (contested)",
            self.single,
            self.unanimous,
            self.majority,
            self.weighted,
            self.mine,
            self.adjudicated,
            self.left_out
        )
    }
}

/// The rule a round's labels were settled by, and what it settled, kept
/// with the round (and its model file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsensusRecord {
    pub rule: ConsensusRule,
    /// The posterior a `weighted` label needed.
    pub posterior_threshold: f64,
    /// Whose votes `mine` preferred (empty for the other rules).
    #[serde(default)]
    pub annotator: String,
    pub counts: ProvenanceCounts,
}

/// What a rule made of a team's votes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settled {
    /// One label per alert that trains: the latest vote that gave the
    /// settled label (or, when nobody gave it, the adjudication's).
    pub training: SettledLabels,
    /// Every voted alert's provenance.
    pub provenance: BTreeMap<Candid, Provenance>,
    pub counts: ProvenanceCounts,
}

impl Settled {
    /// The alerts the rule leaves out and no reviewer has decided, in alert
    /// order.
    pub fn contested(&self) -> impl Iterator<Item = Candid> + '_ {
        self.provenance
            .iter()
            .filter(|(_, provenance)| **provenance == Provenance::Contested)
            .map(|(candid, _)| *candid)
    }
}

/// Settles every alert of `table` by `rule`: `me` is whose vote `mine`
/// prefers (empty: this session's unnamed votes, or `unknown`'s),
/// `threshold` the posterior `weighted` needs, and `adjudicated` a
/// reviewer's decision on an alert, which wins over any rule (left
/// unresolved: the alert does not train).
pub fn settle(
    table: &VoteTable,
    rule: ConsensusRule,
    threshold: f64,
    me: &str,
    adjudicated: &BTreeMap<Candid, Adjudication>,
) -> Settled {
    let posteriors = (rule == ConsensusRule::Weighted).then(|| weighted_labels(table));
    let rule = RuleFor {
        rule,
        threshold,
        me: me.trim(),
    };
    let mut settled = Settled::default();
    // The alerts of `VoteTable::alerts`, their votes read into one list.
    let mut votes = Vec::new();
    let mut index = 0;
    for (candid, counted) in table.counted_votes_by_alert() {
        votes.clear();
        votes.extend(counted);
        if votes.is_empty() {
            continue;
        }
        let top = posteriors
            .as_ref()
            .and_then(|found| found.get(index).copied().flatten());
        index += 1;
        let (entry, provenance) =
            rule.settle_alert(table, candid, &votes, adjudicated.get(&candid), top);
        settled.record(candid, entry, provenance);
    }
    settled
}

impl Settled {
    /// Settles `candid` again after its votes or its adjudication changed,
    /// by `rule` (`mine` or `majority`: an alert's label depends on its own
    /// votes only). Returns `false`, changing nothing, for `weighted`, whose
    /// posteriors depend on every vote: settle everything again then.
    pub fn settle_again(
        &mut self,
        table: &VoteTable,
        candid: Candid,
        rule: ConsensusRule,
        me: &str,
        adjudicated: &BTreeMap<Candid, Adjudication>,
    ) -> bool {
        if rule == ConsensusRule::Weighted {
            return false;
        }
        if let Some(before) = self.provenance.remove(&candid) {
            self.counts.uncount(before);
        }
        self.training.remove(candid);
        let votes = table.counted_votes_on(candid);
        if votes.is_empty() {
            return true;
        }
        let rule = RuleFor {
            rule,
            threshold: DEFAULT_POSTERIOR_THRESHOLD,
            me: me.trim(),
        };
        let (entry, provenance) =
            rule.settle_alert(table, candid, &votes, adjudicated.get(&candid), None);
        self.record(candid, entry, provenance);
        true
    }

    /// Records what the rule made of `candid`: its provenance, counted, and
    /// its training label, if any.
    fn record(&mut self, candid: Candid, entry: Option<LabelEntry>, provenance: Provenance) {
        self.counts.count(provenance);
        self.provenance.insert(candid, provenance);
        if let Some(entry) = entry {
            self.training.insert(entry);
        }
    }
}

/// A rule with what it needs to settle one alert.
struct RuleFor<'a> {
    rule: ConsensusRule,
    threshold: f64,
    /// Whose vote `mine` prefers.
    me: &'a str,
}

impl RuleFor<'_> {
    fn is_me(&self, annotator: &str) -> bool {
        annotator == self.me || (self.me.is_empty() && annotator == UNKNOWN_ANNOTATOR)
    }

    /// The training label of `candid` (its `votes`, not `unsure`, from
    /// `table`) and its provenance; `top` is the one-coin model's most
    /// probable label and its posterior (`weighted`).
    fn settle_alert(
        &self,
        table: &VoteTable,
        candid: Candid,
        votes: &[(&str, Label)],
        adjudication: Option<&Adjudication>,
        top: Option<(Label, f64)>,
    ) -> (Option<LabelEntry>, Provenance) {
        let (label, provenance) = match adjudication {
            Some(adjudication) => match adjudication.label {
                Some(label) => (Some(label), Provenance::Adjudicated),
                None => (None, Provenance::Unresolved),
            },
            None => {
                let unanimous = votes.iter().all(|(_, label)| *label == votes[0].1);
                let agreed = match (votes.len(), unanimous) {
                    (1, _) => Some(Provenance::Single),
                    (_, true) => Some(Provenance::Unanimous),
                    _ => None,
                };
                let (label, differing) = match self.rule {
                    ConsensusRule::Mine => {
                        let mine = votes.iter().find(|(annotator, _)| self.is_me(annotator));
                        match mine {
                            Some((_, label)) => (Some(*label), Provenance::Mine),
                            None => (unanimous.then_some(votes[0].1), Provenance::Contested),
                        }
                    }
                    ConsensusRule::Majority => (most_voted(votes), Provenance::Majority),
                    ConsensusRule::Weighted => {
                        let label = match top {
                            Some((label, posterior)) if posterior >= self.threshold => Some(label),
                            Some(_) => None,
                            // No model (one label in use): the votes agree.
                            None => unanimous.then_some(votes[0].1),
                        };
                        (label, Provenance::Weighted)
                    }
                };
                match label {
                    Some(label) => (Some(label), agreed.unwrap_or(differing)),
                    None => (None, Provenance::Contested),
                }
            }
        };
        let latest_vote_for = |label: Label| {
            table
                .votes_on(candid)
                .filter(|vote| vote.label == label)
                .max_by(|a, b| a.timestamp.cmp(&b.timestamp))
                .cloned()
        };
        let entry = match (provenance, label) {
            (Provenance::Adjudicated, Some(label)) => latest_vote_for(label).or_else(|| {
                adjudication.map(|adjudication| adjudicated_entry(adjudication, label))
            }),
            (_, Some(label)) => latest_vote_for(label),
            (_, None) => None,
        }
        // An alert anyone drew at random is a random pick, whoever's vote trains.
        .map(|entry| LabelEntry {
            random_pick: entry.random_pick || table.votes_on(candid).any(|vote| vote.random_pick),
            ..entry
        });
        // The one-coin model can favour a label nobody gave this alert (an
        // annotator it finds worse than chance votes against their label):
        // no vote to train with, so the alert is contested.
        let provenance = if entry.is_none() && provenance != Provenance::Unresolved {
            Provenance::Contested
        } else {
            provenance
        };
        (entry, provenance)
    }
}

/// The training label of an alert a reviewer settled on a label no vote
/// gave: the reviewer's.
fn adjudicated_entry(adjudication: &Adjudication, label: Label) -> LabelEntry {
    LabelEntry {
        candid: adjudication.candid,
        object_id: adjudication.object_id.clone(),
        label,
        timestamp: adjudication.timestamp.clone(),
        annotator: adjudication.reviewer.clone(),
        round: None,
        random_pick: false,
    }
}

/// The label most voted for, unless two tie.
fn most_voted(votes: &[(&str, Label)]) -> Option<Label> {
    let mut counts: BTreeMap<Label, usize> = BTreeMap::new();
    for (_, label) in votes {
        *counts.entry(*label).or_default() += 1;
    }
    let most = counts.values().copied().max()?;
    let mut leaders = counts.iter().filter(|(_, count)| **count == most);
    match (leaders.next(), leaders.next()) {
        (Some((label, _)), None) => Some(*label),
        _ => None,
    }
}

/// Per alert of `table`, in order: the most probable label under the
/// one-coin model and its posterior; `None` for every alert when the model
/// cannot be fitted (fewer than two labels in use).
fn weighted_labels(table: &VoteTable) -> Vec<Option<(Label, f64)>> {
    let annotators = table.annotators();
    let (votes, labels_in_use) = CountedVotes::of(table, &annotators).coded(Some);
    let Some(fit) = one_coin_dawid_skene(&votes) else {
        return vec![None; votes.task_count()];
    };
    fit.posteriors()
        .map(|posterior| {
            let (code, probability) = posterior
                .iter()
                .copied()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
            Some((*labels_in_use.get(code)?, probability))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(candid: u64, annotator: &str, label: Label) -> LabelEntry {
        LabelEntry {
            candid: Candid(candid),
            object_id: format!("ZTF19aaaaa{candid:03}"),
            label,
            timestamp: "2026-12-07T10:00:00Z".into(),
            annotator: annotator.into(),
            round: None,
            random_pick: false,
        }
    }

    fn table(votes: &[(u64, &str, Label)]) -> VoteTable {
        let entries: Vec<LabelEntry> = votes
            .iter()
            .map(|&(candid, annotator, label)| vote(candid, annotator, label))
            .collect();
        VoteTable::from_entries(&entries)
    }

    fn labels_of(settled: &Settled) -> Vec<(u64, Label)> {
        settled
            .training
            .labels()
            .map(|entry| (entry.candid.0, entry.label))
            .collect()
    }

    use Label::{Extragal as X, Gal as G};

    /// 1: one vote; 2: unanimous; 3: 2 against 1; 4: a tie; 5: others
    /// unanimous, without me.
    const VOTES: [(u64, &str, Label); 12] = [
        (1, "ana", G),
        (2, "ana", X),
        (2, "bo", X),
        (3, "ana", G),
        (3, "bo", X),
        (3, "cy", X),
        (4, "ana", G),
        (4, "bo", X),
        (5, "bo", G),
        (5, "cy", G),
        (6, "bo", X),
        (6, "cy", G),
    ];

    #[test]
    fn majority_takes_the_most_voted_label_and_leaves_ties_out() {
        let settled = settle(
            &table(&VOTES),
            ConsensusRule::Majority,
            0.8,
            "ana",
            &BTreeMap::new(),
        );
        assert_eq!(labels_of(&settled), [(1, G), (2, X), (3, X), (5, G)]);
        assert_eq!(
            settled.contested().collect::<Vec<_>>(),
            [Candid(4), Candid(6)]
        );
        assert_eq!(
            settled.counts,
            ProvenanceCounts {
                single: 1,
                unanimous: 2,
                majority: 1,
                left_out: 2,
                ..ProvenanceCounts::default()
            }
        );
    }

    #[test]
    fn mine_prefers_my_vote_then_the_others_when_they_agree() {
        let settled = settle(
            &table(&VOTES),
            ConsensusRule::Mine,
            0.8,
            " ana ",
            &BTreeMap::new(),
        );
        assert_eq!(
            labels_of(&settled),
            [(1, G), (2, X), (3, G), (4, G), (5, G)]
        );
        assert_eq!(settled.provenance[&Candid(3)], Provenance::Mine);
        assert_eq!(settled.provenance[&Candid(5)], Provenance::Unanimous);
        assert_eq!(settled.contested().collect::<Vec<_>>(), [Candid(6)]);
    }

    #[test]
    fn weighted_trains_a_label_only_when_its_posterior_reaches_the_threshold() {
        let loose = settle(
            &table(&VOTES),
            ConsensusRule::Weighted,
            0.5,
            "",
            &BTreeMap::new(),
        );
        let strict = settle(
            &table(&VOTES),
            ConsensusRule::Weighted,
            0.999_999,
            "",
            &BTreeMap::new(),
        );
        assert!(
            labels_of(&loose).contains(&(3, X)),
            "{:?}",
            labels_of(&loose)
        );
        assert!(strict.training.len() < loose.training.len());
        assert_eq!(
            strict.counts.left_out,
            VOTES
                .iter()
                .map(|v| v.0)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                - strict.training.len()
        );
    }

    #[test]
    fn an_adjudicated_alert_trains_with_its_adjudicated_label_under_any_rule() {
        let decision = |candid: u64, label: Option<Label>| Adjudication {
            candid: Candid(candid),
            object_id: format!("ZTF19aaaaa{candid:03}"),
            label,
            reason: None,
            reviewer: "rev".into(),
            timestamp: "2026-12-07T12:00:00Z".into(),
        };
        // 4 is a tie between G and X; 1 has one vote (G).
        let adjudicated = BTreeMap::from([
            (Candid(4), decision(4, Some(X))),
            (Candid(1), decision(1, Some(Label::Agn))),
            (Candid(3), decision(3, None)),
        ]);
        for rule in ConsensusRule::ALL {
            let settled = settle(&table(&VOTES), rule, 0.8, "ana", &adjudicated);
            let labels = labels_of(&settled);
            assert!(labels.contains(&(4, X)), "{rule}");
            assert!(
                labels.contains(&(1, Label::Agn)),
                "a label nobody voted for trains as the reviewer's ({rule})"
            );
            assert_eq!(
                settled
                    .training
                    .get(Candid(1))
                    .map(|e| e.annotator.as_str()),
                Some("rev")
            );
            assert!(
                !labels.iter().any(|(candid, _)| *candid == 3),
                "unresolved: {rule}"
            );
            assert_eq!(settled.provenance[&Candid(4)], Provenance::Adjudicated);
            assert_eq!(settled.provenance[&Candid(3)], Provenance::Unresolved);
            assert_eq!(settled.counts.adjudicated, 2);
            assert!(
                !settled.contested().any(|candid| candid == Candid(3)),
                "a reviewed alert leaves the contested list"
            );
        }
    }

    #[test]
    fn the_training_entry_is_the_latest_vote_that_gave_the_label() {
        let mut later = vote(7, "bo", G);
        later.timestamp = "2026-12-07T11:00:00Z".into();
        later.object_id = "ZTF19bbbbbbb".into();
        let entries = [vote(7, "ana", G), later.clone(), vote(7, "cy", X)];
        let settled = settle(
            &VoteTable::from_entries(&entries),
            ConsensusRule::Majority,
            0.8,
            "",
            &BTreeMap::new(),
        );
        assert_eq!(settled.training.labels().collect::<Vec<_>>(), [&later]);
    }

    #[test]
    fn a_weighted_label_nobody_gave_the_alert_leaves_it_contested_not_counted_as_settled() {
        // cy disagrees with ana and bo on five alerts: the one-coin model
        // finds cy worse than chance, and on alert 6, cy's alone, favours
        // the label cy did not give.
        let mut votes: Vec<(u64, &str, Label)> = Vec::new();
        for alert in 1..=5 {
            votes.extend([(alert, "ana", G), (alert, "bo", G), (alert, "cy", X)]);
        }
        votes.push((6, "cy", X));
        let settled = settle(
            &table(&votes),
            ConsensusRule::Weighted,
            0.8,
            "",
            &BTreeMap::new(),
        );
        assert_eq!(settled.provenance[&Candid(6)], Provenance::Contested);
        assert!(labels_of(&settled).iter().all(|(candid, _)| *candid != 6));
        assert_eq!(
            settled.training.len() + settled.counts.left_out,
            6,
            "every alert is either trained or counted as left out"
        );
    }

    #[test]
    fn every_rule_has_a_name_it_is_found_by() {
        for rule in ConsensusRule::ALL {
            assert_eq!(ConsensusRule::by_name(rule.name()), Some(rule));
        }
        assert_eq!(ConsensusRule::by_name("unanimous"), None);
    }

    #[test]
    fn a_random_pick_stays_one_whoever_s_vote_trains_regression_flag_lost_in_consensus() {
        // Ana drew alert 3 at random and labelled it gal; bo and cy, the
        // majority, labelled it extragal from their own queues; ana later
        // changed her vote on alert 1, first labelled as a random pick.
        let mut entries: Vec<LabelEntry> = VOTES.iter().map(|&(c, a, l)| vote(c, a, l)).collect();
        for entry in &mut entries {
            if (entry.candid.0 == 3 || entry.candid.0 == 1) && entry.annotator == "ana" {
                entry.random_pick = true;
            }
        }
        let mut changed = vote(1, "ana", X);
        changed.timestamp = "2026-12-07T11:00:00Z".into();
        entries.push(changed);
        let table = VoteTable::from_entries(&entries);
        let settled = settle(&table, ConsensusRule::Majority, 0.8, "", &BTreeMap::new());
        let random_pick_of = |candid: u64| {
            settled
                .training
                .labels()
                .find(|entry| entry.candid.0 == candid)
                .map(|entry| (entry.label, entry.random_pick))
        };
        assert_eq!(
            random_pick_of(3),
            Some((X, true)),
            "bo's vote trains, ana's draw counts"
        );
        assert_eq!(
            random_pick_of(1),
            Some((X, true)),
            "the newer vote keeps the draw"
        );
        assert_eq!(random_pick_of(2), Some((X, false)));
    }

    #[test]
    fn settling_one_alert_again_gives_what_settling_everything_gives() {
        let mut entries: Vec<LabelEntry> = VOTES.iter().map(|&(c, a, l)| vote(c, a, l)).collect();
        for rule in [ConsensusRule::Mine, ConsensusRule::Majority] {
            let mut table = VoteTable::from_entries(&entries);
            let mut settled = settle(&table, rule, 0.8, "ana", &BTreeMap::new());
            // Ana breaks the tie on 4, then votes on 5; bo's unsure on 7 alone.
            for (candid, annotator, label) in
                [(4, "cy", X), (5, "ana", G), (7, "bo", Label::Unsure)]
            {
                let change = vote(candid, annotator, label);
                entries.push(change.clone());
                let _ = table.put(change);
                assert!(settled.settle_again(
                    &table,
                    Candid(candid),
                    rule,
                    "ana",
                    &BTreeMap::new()
                ));
                assert_eq!(
                    settled,
                    settle(&table, rule, 0.8, "ana", &BTreeMap::new()),
                    "{rule}"
                );
            }
            entries.truncate(VOTES.len());
        }
        let table = VoteTable::from_entries(&entries);
        let mut settled = settle(&table, ConsensusRule::Weighted, 0.8, "", &BTreeMap::new());
        assert!(!settled.settle_again(
            &table,
            Candid(1),
            ConsensusRule::Weighted,
            "",
            &BTreeMap::new()
        ));
    }
}
