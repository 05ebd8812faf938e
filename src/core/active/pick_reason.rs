//! Why an alert stands where it does in the queue, for its card ("p = 0.48:
//! |p − 0.5| = 0.02"). A ranking gives one to every alert of the pool, but
//! the page shows only the card's, so a reason is kept as data and written
//! out when shown: formatting 100k of them took 0.2 s of the page's thread
//! after every round.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an alert was ranked where it is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum PickReason {
    /// Ranked by uncertainty, |p − 0.5|, from the model's P(class 1).
    Uncertain { probability: f64 },
    /// Ranked by the margin between the class probabilities, |2p − 1|.
    Margin { probability: f64 },
    /// Ranked by the prediction's entropy.
    Entropy { probability: f64 },
    /// Drawn at random among the alerts the model scored.
    RandomDraw { probability: f64 },
    /// Among the most uncertain, picked for the batch by the diversity
    /// penalty, with its uncertainty × spread score.
    Diversified {
        probability: f64,
        weighted_score: f64,
    },
    /// Ranked by uncertainty times its density in the pool (information
    /// density): how typical of the pool the alert is, 0 to 1.
    DensityWeighted { probability: f64, density: f64 },
    /// No model yet: a random draw.
    ColdStartDraw,
    /// No model yet: the `pick`-th (from 1) of a batch spread over feature
    /// space.
    ColdStartSpread { pick: usize },
    /// No model yet: the `pick`-th (from 1) of a batch of typical alerts,
    /// the one nearest the centre of a group of `group_size` similar alerts.
    ColdStartTypical { pick: usize, group_size: usize },
    /// No model yet, and not in the cold start's batch.
    ColdStartRest,
    /// Loaded after the last round: the model has not scored it yet.
    NotScoredYet,
    /// Its label was undone; a random pick's stays one when labelled again.
    Undone { random_pick: bool },
    /// Drawn uniformly from the pool for the exploration share, whatever
    /// the strategy prefers (`active::exploration`); its label joins the
    /// round's honest estimate. The model's P(class 1), once there is one.
    Exploration { probability: Option<f64> },
    /// A check of the team's labels, at the share the settings give them:
    /// an alert whose label is known (gold), which the card does not say.
    TeamCheck,
}

impl PickReason {
    /// Whether the alert was drawn at random for an honest estimate.
    pub fn is_exploration(&self) -> bool {
        matches!(
            self,
            PickReason::Exploration { .. } | PickReason::Undone { random_pick: true }
        )
    }
}

impl fmt::Display for PickReason {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uncertainty = |out: &mut fmt::Formatter<'_>, p: f64| {
            write!(out, "p = {p:.2}: |p − 0.5| = {:.2}", (p - 0.5).abs())
        };
        match *self {
            PickReason::Uncertain { probability } => uncertainty(out, probability),
            PickReason::Margin { probability: p } => {
                write!(out, "p = {p:.2}: margin {:.2}", (2.0 * p - 1.0).abs())
            }
            PickReason::Entropy { probability: p } => {
                write!(out, "p = {p:.2}: entropy {:.2} bits", entropy(p))
            }
            PickReason::RandomDraw { probability: p } => write!(out, "p = {p:.2}: random draw"),
            PickReason::Diversified {
                probability,
                weighted_score,
            } => {
                uncertainty(out, probability)?;
                write!(out, "; diversity-weighted score {weighted_score:.2}")
            }
            PickReason::DensityWeighted {
                probability,
                density,
            } => {
                uncertainty(out, probability)?;
                write!(out, "; typical of the pool: density {density:.2}")
            }
            PickReason::ColdStartDraw => out.write_str("no model yet: random draw"),
            PickReason::ColdStartSpread { pick } => write!(
                out,
                "no model yet: pick {pick} spreading the batch over feature space"
            ),
            PickReason::ColdStartTypical { pick, group_size } => write!(
                out,
                "no model yet: pick {pick}, the most typical of a group of {group_size} similar alerts"
            ),
            PickReason::ColdStartRest => out.write_str("no model yet"),
            PickReason::NotScoredYet => {
                out.write_str("loaded after the last round: not scored by the model yet")
            }
            PickReason::Undone { random_pick } => {
                out.write_str("label undone: label it again")?;
                if random_pick {
                    out.write_str(" (a random pick, for an honest estimate)")?;
                }
                Ok(())
            }
            PickReason::Exploration { probability } => {
                if let Some(p) = probability {
                    write!(out, "p = {p:.2}: ")?;
                }
                out.write_str("random pick, for an honest estimate")
            }
            PickReason::TeamCheck => {
                out.write_str("a check of the team's labels: label it as you see it")
            }
        }
    }
}

/// The entropy of a prediction P(class 1) = `p`, in bits.
pub fn entropy(p: f64) -> f64 {
    let term = |q: f64| if q > 0.0 { -q * libm::log2(q) } else { 0.0 };
    term(p) + term(1.0 - p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_reads_as_the_card_shows_it() {
        let probability = 0.48;
        let cases = [
            (
                PickReason::Uncertain { probability },
                "p = 0.48: |p − 0.5| = 0.02",
            ),
            (PickReason::Margin { probability }, "p = 0.48: margin 0.04"),
            (
                PickReason::Entropy { probability },
                "p = 0.48: entropy 1.00 bits",
            ),
            (
                PickReason::RandomDraw { probability },
                "p = 0.48: random draw",
            ),
            (
                PickReason::Diversified {
                    probability: 0.3,
                    weighted_score: 0.55,
                },
                "p = 0.30: |p − 0.5| = 0.20; diversity-weighted score 0.55",
            ),
            (
                PickReason::DensityWeighted {
                    probability: 0.3,
                    density: 0.41,
                },
                "p = 0.30: |p − 0.5| = 0.20; typical of the pool: density 0.41",
            ),
            (PickReason::ColdStartDraw, "no model yet: random draw"),
            (
                PickReason::ColdStartSpread { pick: 3 },
                "no model yet: pick 3 spreading the batch over feature space",
            ),
            (
                PickReason::ColdStartTypical {
                    pick: 2,
                    group_size: 40,
                },
                "no model yet: pick 2, the most typical of a group of 40 similar alerts",
            ),
            (PickReason::ColdStartRest, "no model yet"),
            (
                PickReason::NotScoredYet,
                "loaded after the last round: not scored by the model yet",
            ),
            (
                PickReason::Undone { random_pick: false },
                "label undone: label it again",
            ),
            (
                PickReason::Undone { random_pick: true },
                "label undone: label it again (a random pick, for an honest estimate)",
            ),
            (
                PickReason::Exploration {
                    probability: Some(probability),
                },
                "p = 0.48: random pick, for an honest estimate",
            ),
            (
                PickReason::Exploration { probability: None },
                "random pick, for an honest estimate",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }
}
