//! Gold alerts: alerts whose label is known for sure (e.g. a spectroscopic
//! classification), marked by an annotator. A gold alert joins the queue of
//! each labeller who has not labelled it yet, at a set share, and measures
//! each annotator's accuracy. A mark is removed by a later one saying "not
//! gold", so that the later of two marks on one alert stands, whatever the
//! order of imports.

use serde::{Deserialize, Serialize};

use super::vocabulary::Label;
use crate::core::alert::Candid;

/// One alert's gold mark.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GoldLabel {
    pub candid: Candid,
    pub object_id: String,
    /// The true label; `None`: the alert is no longer gold.
    pub label: Option<Label>,
    /// Who marked it.
    pub marked_by: String,
    /// UTC, ISO 8601.
    pub timestamp: String,
}

impl GoldLabel {
    /// Whether `self` stands over `other` (marks on one alert): the later
    /// one, then by its fields, so that any order gives one answer.
    pub fn supersedes(&self, other: &GoldLabel) -> bool {
        (&self.timestamp, self) > (&other.timestamp, other)
    }
}
