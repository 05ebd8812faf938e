//! A reviewer's decision on an alert the team's votes leave contested: the
//! label it trains with (or "left unresolved"), who decided, when and why.
//! An adjudication wins over every consensus rule. Two copies of the
//! decisions on one alert merge by their time (the later stands), so the
//! order of imports never matters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::vocabulary::Label;
use crate::core::alert::Candid;

/// Why the reviewer decided as they did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdjudicationReason {
    /// The alert itself is hard to tell.
    Ambiguous,
    /// The labelling guideline does not say.
    GuidelineUnclear,
    /// An annotator made a mistake.
    Mistake,
}

impl AdjudicationReason {
    pub const ALL: [AdjudicationReason; 3] = [
        AdjudicationReason::Ambiguous,
        AdjudicationReason::GuidelineUnclear,
        AdjudicationReason::Mistake,
    ];

    /// The name written in label files.
    pub fn name(self) -> &'static str {
        match self {
            AdjudicationReason::Ambiguous => "ambiguous",
            AdjudicationReason::GuidelineUnclear => "guideline-unclear",
            AdjudicationReason::Mistake => "mistake",
        }
    }

    /// What the page says.
    pub fn description(self) -> &'static str {
        match self {
            AdjudicationReason::Ambiguous => "ambiguous alert",
            AdjudicationReason::GuidelineUnclear => "guideline unclear",
            AdjudicationReason::Mistake => "mistake",
        }
    }
}

impl fmt::Display for AdjudicationReason {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(self.name())
    }
}

impl FromStr for AdjudicationReason {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AdjudicationReason::ALL
            .into_iter()
            .find(|reason| reason.name() == text.trim())
            .ok_or_else(|| {
                format!(
                    "unknown reason `{text}` (expected ambiguous, guideline-unclear or mistake)"
                )
            })
    }
}

/// A reviewer's decision on one alert.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Adjudication {
    pub candid: Candid,
    pub object_id: String,
    /// The label the alert trains with; `None`: left unresolved (it does not
    /// train, and the review knows someone looked).
    pub label: Option<Label>,
    pub reason: Option<AdjudicationReason>,
    pub reviewer: String,
    /// UTC, ISO 8601.
    pub timestamp: String,
}

impl Adjudication {
    /// Whether `self` stands over `other` (decisions on one alert): the
    /// later one, then by its fields, so that any order gives one answer.
    pub fn supersedes(&self, other: &Adjudication) -> bool {
        (&self.timestamp, self) > (&other.timestamp, other)
    }
}
