//! A compact copy of the vote table's labels, for the Team report: per
//! alert, each vote as (annotator number, label). The table keeps it in
//! step, alert by alert, as its votes change, so that the report reads 2
//! small numbers per vote instead of walking one tree of whole label
//! entries per alert: with 10 annotators on 20,000 alerts, reading the
//! votes was a third of a report's time in the page.

use std::collections::BTreeMap;

use super::entry::LabelEntry;
use super::vocabulary::Label;
use crate::core::alert::Candid;

/// An annotator's number in a [`VoteIndex`]: given on their first vote,
/// never reused (an annotator whose votes are all taken keeps theirs).
pub type AnnotatorNumber = u32;

#[derive(Clone, Debug, Default)]
pub struct VoteIndex {
    numbers: BTreeMap<String, AnnotatorNumber>,
    /// Each number's annotator.
    names: Vec<String>,
    /// Per alert with a vote, its votes in the table's (annotator) order,
    /// `unsure` included.
    alerts: BTreeMap<Candid, Vec<(AnnotatorNumber, Label)>>,
}

impl VoteIndex {
    /// Copies the votes on `candid` again from the table's `votes` on it
    /// (`None`: it has none left).
    pub(super) fn reindex(&mut self, candid: Candid, votes: Option<&BTreeMap<String, LabelEntry>>) {
        let Some(votes) = votes.filter(|votes| !votes.is_empty()) else {
            self.alerts.remove(&candid);
            return;
        };
        let mut coded = Vec::with_capacity(votes.len());
        for (annotator, vote) in votes {
            coded.push((self.number_of(annotator), vote.label));
        }
        self.alerts.insert(candid, coded);
    }

    fn number_of(&mut self, annotator: &str) -> AnnotatorNumber {
        if let Some(number) = self.numbers.get(annotator) {
            return *number;
        }
        let number = self.names.len() as AnnotatorNumber;
        self.names.push(annotator.to_string());
        self.numbers.insert(annotator.to_string(), number);
        number
    }

    /// Every alert with a vote, in id order, with its votes (`unsure`
    /// included) in annotator order.
    pub fn alerts(&self) -> impl Iterator<Item = (Candid, &[(AnnotatorNumber, Label)])> + '_ {
        self.alerts
            .iter()
            .map(|(candid, votes)| (*candid, votes.as_slice()))
    }

    /// The number of `annotator`, if they ever voted here.
    pub fn number(&self, annotator: &str) -> Option<AnnotatorNumber> {
        self.numbers.get(annotator).copied()
    }

    /// The alerts, in id order, with a vote of one of `annotators` (numbers).
    pub fn alerts_voted_by(
        &self,
        annotators: Vec<AnnotatorNumber>,
    ) -> impl Iterator<Item = Candid> + '_ {
        self.alerts
            .iter()
            .filter(move |(_, votes)| votes.iter().any(|(number, _)| annotators.contains(number)))
            .map(|(candid, _)| *candid)
    }

    /// The annotator of each number, by number.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}
