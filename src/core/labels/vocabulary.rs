//! The label vocabulary of the Fink VRA, with the researcher's one-key shortcuts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a human said an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// A real transient of unclear kind.
    Real,
    /// Extragalactic (a supernova, say).
    Extragal,
    /// Galactic.
    Gal,
    Agn,
    /// An artefact.
    Bogus,
    /// A variable star.
    Varstar,
    /// The annotator could not tell: kept, but never trains a model.
    Unsure,
}

impl Label {
    /// Every label, in the order the page lists them.
    pub const ALL: [Label; 7] = [
        Label::Real,
        Label::Extragal,
        Label::Gal,
        Label::Agn,
        Label::Bogus,
        Label::Varstar,
        Label::Unsure,
    ];

    /// The label's name, as stored in files.
    pub fn name(self) -> &'static str {
        match self {
            Label::Real => "real",
            Label::Extragal => "extragal",
            Label::Gal => "gal",
            Label::Agn => "agn",
            Label::Bogus => "bogus",
            Label::Varstar => "varstar",
            Label::Unsure => "unsure",
        }
    }

    /// The keyboard shortcut (`r x g a b v`, as in the original terminal tool; `u` for unsure).
    pub fn key(self) -> char {
        match self {
            Label::Real => 'r',
            Label::Extragal => 'x',
            Label::Gal => 'g',
            Label::Agn => 'a',
            Label::Bogus => 'b',
            Label::Varstar => 'v',
            Label::Unsure => 'u',
        }
    }

    /// The label of a shortcut key, if any.
    pub fn from_key(key: char) -> Option<Label> {
        Label::ALL.into_iter().find(|label| label.key() == key)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A label name outside the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown label `{0}` (expected one of real, extragal, gal, agn, bogus, varstar, unsure)")]
pub struct UnknownLabel(pub String);

impl FromStr for Label {
    type Err = UnknownLabel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Label::ALL
            .into_iter()
            .find(|label| label.name() == text.trim())
            .ok_or_else(|| UnknownLabel(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tables indexed by `label as usize` (the Team report's codes, batch
    /// progress) rely on it.
    #[test]
    fn each_label_is_its_place_in_the_vocabulary() {
        for (place, label) in Label::ALL.into_iter().enumerate() {
            assert_eq!(label as usize, place, "{label:?}");
        }
    }

    #[test]
    fn names_and_keys_round_trip() {
        for label in Label::ALL {
            assert_eq!(label.name().parse::<Label>(), Ok(label));
            assert_eq!(Label::from_key(label.key()), Some(label));
        }
        assert!("galactic".parse::<Label>().is_err());
        assert_eq!(Label::from_key('s'), None, "s is skip, not a label");
    }
}
