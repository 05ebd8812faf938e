//! The team's side of a session: the review queue (the alerts the team's
//! votes leave contested, and those a reviewer left unresolved after them,
//! with every vote, lowest agreement first, then the ones the model is least
//! sure of) and the team's numbers on the session's votes.

use super::LabellingSession;
use std::collections::BTreeMap;

use crate::core::alert::Candid;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::vocabulary::Label;
use crate::core::team::confusion::{pair_confusion, PairConfusion};
use crate::core::team::consensus::Provenance;
use crate::core::team::report::TeamReport;

/// One alert to review.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewItem {
    pub candid: Candid,
    pub object_id: String,
    /// Every vote on the alert (`unsure` included), in annotator order.
    pub votes: Vec<LabelEntry>,
    /// The share of the alert's votes (not `unsure`) that give its most
    /// common label: 1 when they all agree.
    pub agreement: f64,
    /// The current model's P(class 1), when it scored the alert.
    pub probability: Option<f64>,
    /// Contested, or left unresolved by a reviewer.
    pub provenance: Provenance,
}

impl ReviewItem {
    /// Each vote as the review card reads it: who, the label, when. With
    /// `anonymous` (the "anonymous review" setting) the others are
    /// "annotator A", "B"… in the card's vote order, so that a reviewer
    /// judges the votes, not the names; my own vote is "you" either way.
    pub fn vote_lines(&self, me: &str, anonymous: bool) -> Vec<String> {
        let mut others = 0u8;
        self.votes
            .iter()
            .map(|vote| {
                let name = if vote.annotator.is_empty() {
                    "you (unnamed)".to_string()
                } else if anonymous && vote.annotator == me {
                    "you".to_string()
                } else if anonymous {
                    others = others.saturating_add(1);
                    format!("annotator {}", anonymous_letter(others))
                } else {
                    vote.annotator.clone()
                };
                format!("{name}: {} ({})", vote.label, vote.timestamp)
            })
            .collect()
    }
}

/// A, B, … Z, then 27, 28…: an annotator's stand-in name on an anonymous card.
fn anonymous_letter(position: u8) -> String {
    match position {
        1..=26 => char::from(b'A' + position - 1).to_string(),
        other => other.to_string(),
    }
}

impl LabellingSession {
    /// The team's numbers on this session's votes (α on the settings' model
    /// type's two classes too), as `fink-vra agreement` gives them from the
    /// exported file.
    pub fn team_report(&self) -> TeamReport {
        let labels = &self.saved.labels;
        let mut report = TeamReport::of(
            labels.votes(),
            labels.adjudications(),
            Some(&self.saved.settings.target),
        );
        report.measure_gold(labels.votes(), labels.gold_marks());
        report
    }

    /// Which labels annotators `a` and `b` confuse, on this session's votes.
    pub fn pair_confusion(&self, a: &str, b: &str) -> PairConfusion {
        pair_confusion(self.saved.labels.votes(), a, b)
    }

    /// The alerts to review, in the order to review them: contested before
    /// unresolved, then lowest agreement first, then the model's least
    /// certain first, then by alert id.
    pub fn review_queue(&self) -> Vec<ReviewItem> {
        self.review_page(0, usize::MAX).0
    }

    /// `count` alerts of the review queue from position `first`, each with
    /// its votes, and how many the queue holds: the order is computed
    /// without copying a vote, so that thousands of contested alerts cost a
    /// key press little.
    pub fn review_page(&self, first: usize, count: usize) -> (Vec<ReviewItem>, usize) {
        let votes = self.saved.labels.votes();
        let mut order: Vec<(bool, f64, f64, Candid, Provenance)> = self
            .settled
            .provenance
            .iter()
            .filter(|(_, provenance)| {
                matches!(provenance, Provenance::Contested | Provenance::Unresolved)
            })
            .map(|(&candid, &provenance)| {
                let agreement = agreement_of(votes.votes_on(candid).map(|vote| vote.label));
                // How far the model is from undecided (0: p = 0.5; unscored: last).
                let certainty = self
                    .probability_of(candid)
                    .map_or(f64::INFINITY, |probability| (probability - 0.5).abs());
                (
                    provenance == Provenance::Unresolved,
                    agreement,
                    certainty,
                    candid,
                    provenance,
                )
            })
            .collect();
        order.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        let total = order.len();
        let page = order
            .into_iter()
            .skip(first)
            .take(count)
            .map(|(_, agreement, _, candid, provenance)| {
                let on_alert: Vec<LabelEntry> = votes.votes_on(candid).cloned().collect();
                ReviewItem {
                    candid,
                    object_id: on_alert
                        .first()
                        .map(|vote| vote.object_id.clone())
                        .unwrap_or_default(),
                    agreement,
                    votes: on_alert,
                    probability: self.probability_of(candid),
                    provenance,
                }
            })
            .collect();
        (page, total)
    }
}

/// The share of `labels` (not `unsure`) giving the most common label.
fn agreement_of(labels: impl Iterator<Item = Label>) -> f64 {
    let mut counts: BTreeMap<Label, usize> = BTreeMap::new();
    for label in labels.filter(|label| *label != Label::Unsure) {
        *counts.entry(label).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    let most = counts.values().copied().max().unwrap_or(0);
    if total == 0 {
        0.0
    } else {
        most as f64 / total as f64
    }
}
