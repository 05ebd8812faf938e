//! The labels table: every alert with a vote that counts (not only
//! `unsure`), with the label it trains
//! with and where that label came from (its provenance under the session's
//! consensus rule), a page at a time, so that a team's 20,000 alerts cost
//! the page one page of rows.

use super::LabellingSession;
use crate::core::alert::Candid;
use crate::core::labels::vocabulary::Label;
use crate::core::team::consensus::Provenance;

/// One row of the labels table.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelRow {
    pub candid: Candid,
    pub object_id: String,
    /// The label the alert trains with; `None` when it does not train
    /// (contested, left unresolved).
    pub training_label: Option<Label>,
    pub provenance: Provenance,
    /// Every vote on the alert, (annotator, label), in annotator order
    /// (`unsure` included: it is the annotator's act).
    pub votes: Vec<(String, Label)>,
}

impl LabellingSession {
    /// `count` rows of the labels table from position `first`, in alert-id
    /// order, only alerts of `provenance` when given; and how many rows the
    /// table holds (with that filter).
    pub fn labels_page(
        &self,
        first: usize,
        count: usize,
        provenance: Option<Provenance>,
    ) -> (Vec<LabelRow>, usize) {
        let votes = self.saved.labels.votes();
        let rows = self
            .settled
            .provenance
            .iter()
            .filter(|(_, shown)| provenance.is_none_or(|wanted| **shown == wanted));
        let total = match provenance {
            None => self.settled.provenance.len(),
            Some(_) => rows.clone().count(),
        };
        let page = rows
            .skip(first)
            .take(count)
            .map(|(&candid, &provenance)| LabelRow {
                candid,
                object_id: votes
                    .votes_on(candid)
                    .next()
                    .map(|vote| vote.object_id.clone())
                    .unwrap_or_default(),
                training_label: self.settled.training.get(candid).map(|entry| entry.label),
                provenance,
                votes: votes
                    .votes_on(candid)
                    .map(|vote| (vote.annotator.clone(), vote.label))
                    .collect(),
            })
            .collect();
        (page, total)
    }
}
