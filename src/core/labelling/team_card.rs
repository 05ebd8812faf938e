//! What the label card shows of the team's votes, and the gold alerts it
//! serves as checks of the team's labels. With blind labelling
//! (on by default, once the session holds more than one annotator's votes)
//! the others' votes on the card's alert, and their labels of its object's
//! earlier alerts, stay hidden until I give mine; then the votes on the
//! alert I just labelled are revealed, each marked as agreeing with mine or
//! not.

use std::borrow::Cow;

use super::{LabellingSession, UNDONE_SCORE};
use crate::core::active::pick_reason::PickReason;
use crate::core::alert::Candid;
use crate::core::labels::gold::GoldLabel;
use crate::core::labels::settled::SettledLabels;
use crate::core::labels::vocabulary::Label;
use crate::core::queue::QueuedAlert;

/// The others' votes on the card's alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardVotes {
    /// Nobody else voted on it.
    None,
    /// Blind labelling: hidden until I vote.
    Hidden,
    /// Shown (blind labelling off, or one annotator): (annotator, label).
    Shown(Vec<(String, Label)>),
}

/// The votes on the alert I labelled last, once I gave mine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevealedVotes {
    pub candid: Candid,
    pub mine: Label,
    /// (annotator, label, whether it is my label).
    pub others: Vec<(String, Label, bool)>,
}

impl LabellingSession {
    /// Whether the card hides the others' votes until mine: the setting is
    /// on and the session holds more than one annotator (me and those whose
    /// votes it holds).
    pub fn blind(&self) -> bool {
        self.saved.settings.blind_labelling && self.annotators > 1
    }

    /// The others' votes on `candid`, as the card may show them.
    pub fn card_votes(&self, candid: Candid) -> CardVotes {
        let me = self.saved.annotator.as_str();
        let labels = &self.saved.labels;
        let others: Vec<(String, Label)> = labels
            .votes()
            .votes_on(candid)
            .filter(|vote| vote.annotator != me)
            .map(|vote| (vote.annotator.clone(), vote.label))
            .collect();
        if others.is_empty() {
            CardVotes::None
        } else if self.blind() && labels.vote_of(candid, me).is_none() {
            CardVotes::Hidden
        } else {
            CardVotes::Shown(others)
        }
    }

    /// The votes on the alert this tab labelled last, revealed now that I
    /// gave mine; `None` when nobody else voted on it.
    pub fn revealed_votes(&self) -> Option<RevealedVotes> {
        let candid = self.last_labelled?;
        let me = self.saved.annotator.as_str();
        let votes = self.saved.labels.votes();
        let mine = votes.vote_of(candid, me)?.label;
        let others: Vec<(String, Label, bool)> = votes
            .votes_on(candid)
            .filter(|vote| vote.annotator != me)
            .map(|vote| (vote.annotator.clone(), vote.label, vote.label == mine))
            .collect();
        (!others.is_empty()).then_some(RevealedVotes {
            candid,
            mine,
            others,
        })
    }

    /// The labels a card lists for its object's earlier alerts (and the
    /// repeat key gives again): the training labels, or with blind
    /// labelling my own votes only.
    pub fn labels_for_cards(&self) -> Cow<'_, SettledLabels> {
        if !self.blind() {
            return Cow::Borrowed(&self.settled.training);
        }
        let me = self.saved.annotator.as_str();
        Cow::Owned(
            self.saved
                .labels
                .all_votes()
                .filter(|vote| vote.annotator == me && vote.label != Label::Unsure)
                .cloned()
                .collect(),
        )
    }

    /// Whether `candid` is a gold alert I have not labelled: it joins my
    /// queue as a check of the team's labels.
    pub(super) fn is_unseen_gold(&self, candid: Candid) -> bool {
        self.gold_label(candid).is_some()
            && self
                .saved
                .labels
                .vote_of(candid, &self.saved.annotator)
                .is_none()
    }

    /// Places the gold alerts I have not labelled in the queue at the
    /// settings' share: one every ⌈1 / share⌉ cards (the 20th, 40th… at 5 %),
    /// after the alerts undone in front, as checks the card does not name.
    pub(super) fn place_gold_checks(&mut self) {
        let share = self.saved.settings.gold_share;
        if share.is_nan() || share <= 0.0 {
            return;
        }
        let every = (1.0 / share.min(1.0)).ceil() as usize;
        let unseen: Vec<Candid> = self
            .saved
            .labels
            .gold_marks()
            .keys()
            .copied()
            .filter(|&candid| self.is_unseen_gold(candid))
            .collect();
        let front = self
            .queue
            .iter()
            .take_while(|queued| queued.score == UNDONE_SCORE)
            .count();
        // An undone check stays in front; the others go to their slots.
        let mut position = 0;
        self.queue.retain(|queued| {
            position += 1;
            position <= front || !unseen.contains(&queued.candid)
        });
        let in_front: Vec<Candid> = self.queue[..front].iter().map(|q| q.candid).collect();
        let unseen: Vec<Candid> = unseen
            .into_iter()
            .filter(|candid| !in_front.contains(candid))
            .collect();
        for (index, candid) in unseen.into_iter().enumerate() {
            let slot = (front + (index + 1) * every - 1).min(self.queue.len());
            self.queue.insert(
                slot,
                QueuedAlert {
                    candid,
                    score: f64::NAN,
                    reason: PickReason::TeamCheck,
                },
            );
        }
    }

    /// Marks my vote on `candid` gold (its label known for sure, e.g. a
    /// spectroscopic classification), or takes the mark off (`gold:
    /// false`). Returns whether it changed (I must have voted on it).
    pub fn mark_gold(&mut self, candid: Candid, gold: bool, timestamp: String) -> bool {
        let me = self.saved.annotator.clone();
        let Some(vote) = self
            .saved
            .labels
            .vote_of(candid, &me)
            .filter(|vote| vote.label != Label::Unsure)
        else {
            return false; // no vote of mine, or "unsure": nothing known for sure
        };
        let mark = GoldLabel {
            candid,
            object_id: vote.object_id.clone(),
            label: gold.then_some(vote.label),
            marked_by: me,
            timestamp,
        };
        let changed = self.saved.labels.mark_gold(mark);
        if changed {
            self.saved.unexported_changes += 1;
            self.changed();
        }
        changed
    }

    /// The alert this tab labelled last (until an undo).
    pub fn last_labelled(&self) -> Option<Candid> {
        self.last_labelled
    }

    /// The gold label of `candid`, if it is a gold alert (one with votes).
    pub fn gold_label(&self, candid: Candid) -> Option<Label> {
        let labels = &self.saved.labels;
        labels
            .gold_marks()
            .get(&candid)?
            .label
            .filter(|_| labels.votes().has_votes(candid))
    }
}
