//! What a round trains on, in words: each class by name with its count and
//! the labels in it, and the labels the target leaves out, per label. A
//! count such as `(12 / 15)` never said which class was which, and labels
//! the mapping ignores were dropped without a word.

use std::collections::BTreeMap;
use std::fmt;

use super::targets::TargetMapping;

/// The fewest labels of each class a round needs: to fit a classifier that
/// says more than a constant, and to cross-validate it.
pub const MIN_LABELS_PER_CLASS: usize = 2;

/// Labels counted under a target: per class, and those it leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassSummary {
    target: String,
    /// Class 0's name and class 1's.
    class_names: [String; 2],
    /// For class 0 and class 1: label → count.
    classes: [BTreeMap<String, usize>; 2],
    /// Labels the target gives no class: label → count.
    left_out: BTreeMap<String, usize>,
}

impl ClassSummary {
    /// Counts `labels` under `target`.
    pub fn of<'a>(target: &TargetMapping, labels: impl IntoIterator<Item = &'a str>) -> Self {
        let mut summary = ClassSummary {
            target: target.name.clone(),
            class_names: class_names(target),
            classes: [BTreeMap::new(), BTreeMap::new()],
            left_out: BTreeMap::new(),
        };
        for label in labels {
            let counts = match target.class_of(label) {
                Some(class) => &mut summary.classes[usize::from(class.min(1))],
                None => &mut summary.left_out,
            };
            *counts.entry(label.trim().to_string()).or_default() += 1;
        }
        summary
    }

    /// How many labels are of `class` (0 or 1).
    pub fn count(&self, class: u8) -> usize {
        self.classes[usize::from(class.min(1))].values().sum()
    }

    /// The class's name: for the three model types, the type's for class 1
    /// and "not" it for class 0 (`gal`, `not gal`); for any other mapping,
    /// its labels of that class (`extragal+agn`).
    pub fn class_name(&self, class: u8) -> String {
        self.class_names[usize::from(class.min(1))].clone()
    }

    /// The first class with fewer than [`MIN_LABELS_PER_CLASS`] labels.
    pub fn short_class(&self) -> Option<u8> {
        [1, 0]
            .into_iter()
            .find(|&class| self.count(class) < MIN_LABELS_PER_CLASS)
    }

    /// The classes by name with their counts, class 1 first:
    /// `gal 12 / not gal 15`.
    pub fn counts_text(&self) -> String {
        format!(
            "{} {} / {} {}",
            self.class_name(1),
            self.count(1),
            self.class_name(0),
            self.count(0)
        )
    }

    /// How many labels the target leaves out.
    pub fn left_out_count(&self) -> usize {
        self.left_out.values().sum()
    }
}

fn class_names(target: &TargetMapping) -> [String; 2] {
    if TargetMapping::built_in().contains(target) {
        return [format!("not {}", target.name), target.name.clone()];
    }
    let labels_of = |wanted: u8| {
        target
            .classes
            .iter()
            .filter(|&(_, &class)| class == wanted)
            .map(|(label, _)| label.as_str())
            .collect::<Vec<_>>()
            .join("+")
    };
    [labels_of(0), labels_of(1)]
}

fn counts_text(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(label, count)| format!("{label} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `gal 12 (gal 10, varstar 2) / not gal 15 (agn 5, extragal 10)`, then the
/// labels left out, if any: `; left out, not in the gal mapping: bogus 3`.
impl fmt::Display for ClassSummary {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, class) in [1u8, 0].into_iter().enumerate() {
            if position > 0 {
                write!(formatter, " / ")?;
            }
            write!(
                formatter,
                "{} {}",
                self.class_name(class),
                self.count(class)
            )?;
            let labels = &self.classes[usize::from(class)];
            if !labels.is_empty() {
                write!(formatter, " ({})", counts_text(labels))?;
            }
        }
        if !self.left_out.is_empty() {
            write!(
                formatter,
                "; left out, not in the {} mapping: {}",
                self.target,
                counts_text(&self.left_out)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_named_and_counted_per_label_and_ignored_labels_are_counted_too() {
        let labels = [
            "gal", "extragal", "agn", "gal", "bogus", "varstar", "bogus", "unsure",
        ];
        let summary = ClassSummary::of(&TargetMapping::galactic(), labels);
        assert_eq!(
            summary.to_string(),
            "gal 3 (gal 2, varstar 1) / not gal 2 (agn 1, extragal 1); \
             left out, not in the gal mapping: bogus 2, unsure 1"
        );
        assert_eq!(
            (summary.count(1), summary.count(0), summary.left_out_count()),
            (3, 2, 3)
        );
        assert_eq!(summary.counts_text(), "gal 3 / not gal 2");
        assert_eq!(summary.short_class(), None);
    }

    #[test]
    fn a_target_under_which_a_class_has_fewer_than_two_labels_is_short_of_that_class() {
        let gal_vs_extragal = ["gal", "extragal", "gal", "extragal"];
        let summary = ClassSummary::of(&TargetMapping::transient(), gal_vs_extragal);
        assert_eq!(summary.short_class(), Some(0), "{summary}");
        assert_eq!((summary.count(0), summary.count(1)), (0, 4));
        let one_extragal = ClassSummary::of(&TargetMapping::galactic(), ["gal", "gal", "extragal"]);
        assert_eq!(one_extragal.short_class(), Some(0));
        assert_eq!(one_extragal.class_name(0), "not gal");
        let custom = TargetMapping::parse("custom", "extragal=1,agn=1,gal=0").expect("mapping");
        let summary = ClassSummary::of(&custom, ["agn", "gal", "extragal"]);
        assert_eq!(summary.counts_text(), "agn+extragal 2 / gal 1");
    }
}
