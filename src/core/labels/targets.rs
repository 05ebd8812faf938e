//! Model types as data: a target maps label names to a binary class, and a
//! label it does not map is ignored for that model. The three built-in types
//! are the researcher's (gal, real, trans); any other mapping, such as the
//! replay's `good=0,galactic=1,pm=1`, is parsed from text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A binary target: which labels are class 0, which are class 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetMapping {
    pub name: String,
    /// Label name → class (0 or 1). Labels absent here have no class.
    pub classes: BTreeMap<String, u8>,
}

/// A mapping text that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MappingError {
    #[error("`{entry}` is not `label=0` or `label=1`")]
    BadEntry { entry: String },
    #[error("the mapping needs at least one label of class 0 and one of class 1 (got {text})")]
    SingleClass { text: String },
    #[error("`{label}` is not a label of this page (the labels are real, extragal, gal, agn, bogus, varstar, unsure)")]
    UnknownLabel { label: String },
}

impl TargetMapping {
    fn from_pairs(name: &str, pairs: &[(&str, u8)]) -> TargetMapping {
        TargetMapping {
            name: name.to_string(),
            classes: pairs
                .iter()
                .map(|&(label, class)| (label.to_string(), class))
                .collect(),
        }
    }

    /// gal: galactic (gal, varstar) vs not (extragal, agn).
    pub fn galactic() -> TargetMapping {
        TargetMapping::from_pairs(
            "gal",
            &[("extragal", 0), ("gal", 1), ("agn", 0), ("varstar", 1)],
        )
    }

    /// real: real (everything astrophysical) vs bogus.
    pub fn real() -> TargetMapping {
        TargetMapping::from_pairs(
            "real",
            &[
                ("real", 1),
                ("extragal", 1),
                ("gal", 1),
                ("agn", 1),
                ("bogus", 0),
                ("varstar", 1),
            ],
        )
    }

    /// trans: transient (extragal, gal) vs persistent variable (agn, varstar).
    pub fn transient() -> TargetMapping {
        TargetMapping::from_pairs(
            "trans",
            &[("extragal", 1), ("gal", 1), ("agn", 0), ("varstar", 0)],
        )
    }

    /// The built-in model types.
    pub fn built_in() -> [TargetMapping; 3] {
        [
            TargetMapping::galactic(),
            TargetMapping::real(),
            TargetMapping::transient(),
        ]
    }

    /// Parses `label=class,label=class,...` (classes 0 or 1), e.g.
    /// `good=0,galactic=1,pm=1`. Both classes must appear.
    pub fn parse(name: &str, text: &str) -> Result<TargetMapping, MappingError> {
        let mut classes = BTreeMap::new();
        for entry in text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let bad = || MappingError::BadEntry {
                entry: entry.to_string(),
            };
            let (label, class) = entry.split_once('=').ok_or_else(bad)?;
            let class = match class.trim() {
                "0" => 0,
                "1" => 1,
                _ => return Err(bad()),
            };
            if label.trim().is_empty() {
                return Err(bad());
            }
            classes.insert(label.trim().to_string(), class);
        }
        if !(classes.values().any(|&c| c == 0) && classes.values().any(|&c| c == 1)) {
            return Err(MappingError::SingleClass {
                text: text.to_string(),
            });
        }
        Ok(TargetMapping {
            name: name.to_string(),
            classes,
        })
    }

    /// The name of a mapping the user typed.
    pub const CUSTOM: &'static str = "custom";

    /// A built-in model type by name (`gal`, `real`, `trans`; spaces around
    /// it ignored, as around the labels of a mapping), else a mapping the
    /// user typed (as [`TargetMapping::parse_custom`]).
    pub fn named_or_custom(text: &str) -> Result<TargetMapping, MappingError> {
        match TargetMapping::built_in()
            .into_iter()
            .find(|target| target.name == text.trim())
        {
            Some(target) => Ok(target),
            None => TargetMapping::parse_custom(text),
        }
    }

    /// Parses a mapping the user typed for the page's labels: as
    /// [`TargetMapping::parse`], and every label must be one of the page's.
    pub fn parse_custom(text: &str) -> Result<TargetMapping, MappingError> {
        let mapping = TargetMapping::parse(TargetMapping::CUSTOM, text)?;
        match mapping.classes.keys().find(|label| {
            label
                .parse::<crate::core::labels::vocabulary::Label>()
                .is_err()
        }) {
            Some(unknown) => Err(MappingError::UnknownLabel {
                label: unknown.clone(),
            }),
            None => Ok(mapping),
        }
    }

    /// The mapping as the user would type it: `label=class,...`.
    pub fn to_text(&self) -> String {
        self.classes
            .iter()
            .map(|(label, class)| format!("{label}={class}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The class of a label, or `None` when this model ignores it.
    pub fn class_of(&self, label: &str) -> Option<u8> {
        self.classes.get(label.trim()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_mapping_names_page_labels_and_both_classes() {
        let mapping = TargetMapping::parse_custom(" extragal=1, gal=0,agn=0 ").expect("valid");
        assert_eq!(mapping.name, "custom");
        assert_eq!(mapping.to_text(), "agn=0,extragal=1,gal=0");
        assert_eq!(
            TargetMapping::parse_custom("extragal=1,galactic=0"),
            Err(MappingError::UnknownLabel {
                label: "galactic".into()
            })
        );
        assert!(matches!(
            TargetMapping::parse_custom("extragal=1,gal=1"),
            Err(MappingError::SingleClass { .. })
        ));
        assert_eq!(
            TargetMapping::parse_custom(&mapping.to_text()),
            Ok(mapping),
            "the text shown after a reload gives the same mapping"
        );
    }

    #[test]
    fn built_in_types_follow_the_researchers_table() {
        let (gal, real, trans) = (
            TargetMapping::galactic(),
            TargetMapping::real(),
            TargetMapping::transient(),
        );
        let row = |label: &str| {
            (
                gal.class_of(label),
                real.class_of(label),
                trans.class_of(label),
            )
        };
        assert_eq!(row("real"), (None, Some(1), None));
        assert_eq!(row("extragal"), (Some(0), Some(1), Some(1)));
        assert_eq!(row("gal"), (Some(1), Some(1), Some(1)));
        assert_eq!(row("agn"), (Some(0), Some(1), Some(0)));
        assert_eq!(row("bogus"), (None, Some(0), None));
        assert_eq!(row("varstar"), (Some(1), Some(1), Some(0)));
        assert_eq!(row("unsure"), (None, None, None), "unsure never trains");
    }

    #[test]
    fn a_built_in_name_with_spaces_around_it_is_still_that_model_type() {
        let gal = TargetMapping::named_or_custom(" gal ").expect("gal");
        assert_eq!(gal.name, "gal");
        assert_eq!(TargetMapping::named_or_custom("gal").expect("gal"), gal);
    }

    #[test]
    fn custom_mappings_parse_and_bad_ones_are_refused() {
        let mapping = TargetMapping::parse("galactic", "good=0, galactic=1,pm=1").expect("valid");
        assert_eq!(
            (mapping.class_of("pm"), mapping.class_of("garbage")),
            (Some(1), None)
        );
        assert!(matches!(
            TargetMapping::parse("x", "good=2"),
            Err(MappingError::BadEntry { .. })
        ));
        assert!(matches!(
            TargetMapping::parse("x", "good"),
            Err(MappingError::BadEntry { .. })
        ));
        assert!(matches!(
            TargetMapping::parse("x", "good=1,pm=1"),
            Err(MappingError::SingleClass { .. })
        ));
    }
}
