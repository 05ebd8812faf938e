//! What the label card shows of the team's votes: with blind labelling
//! (on by default, once the session holds more than one annotator's votes)
//! the others' votes on the card's alert, and their labels of its object's
//! earlier alerts, stay hidden until I give mine; then the votes on the
//! alert I just labelled are revealed, each marked as agreeing with mine or
//! not.

use std::borrow::Cow;

use super::LabellingSession;
use crate::core::alert::Candid;
use crate::core::labels::settled::SettledLabels;
use crate::core::labels::vocabulary::Label;

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
}
