//! What the command line and Python say of alert ids read twice.
//!
//! A raw and a clean copy of one poll share every alert: one line per
//! duplicate buried the rest of stderr under 75 lines that all said the same
//! thing. The report counts them and says it once, with the first one as an
//! example; the per-id lines remain for whoever asks (`--verbose`).

use crate::core::alert_set::DuplicateAlert;

/// The duplicates met while reading files in order, each with the file that
/// held the copy left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DuplicateReport {
    /// (file read, duplicate), in reading order.
    duplicates: Vec<(String, DuplicateAlert)>,
}

impl DuplicateReport {
    pub fn new() -> DuplicateReport {
        DuplicateReport::default()
    }

    /// Notes the duplicates `file` held.
    pub fn add(&mut self, file: &str, duplicates: Vec<DuplicateAlert>) {
        self.duplicates.extend(
            duplicates
                .into_iter()
                .map(|duplicate| (file.to_string(), duplicate)),
        );
    }

    /// How many alerts were left out as duplicates.
    pub fn len(&self) -> usize {
        self.duplicates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.duplicates.is_empty()
    }

    /// One line per duplicate: `duplicate: FILE: alert id ID already read
    /// from FIRST`.
    pub fn each_line(&self) -> Vec<String> {
        self.duplicates
            .iter()
            .map(|(file, duplicate)| {
                format!(
                    "duplicate: {file}: alert id {} already read from {}",
                    duplicate.candid, duplicate.first_seen_in
                )
            })
            .collect()
    }

    /// The one summary line (`None` without duplicates): how many, and the
    /// first, e.g. `duplicates: 75 alert ids read again were kept once (the
    /// first copy); first: alert id 1 in b.parquet, already read from
    /// a.parquet`. `more` says how to see them all.
    pub fn summary_line(&self, more: &str) -> Option<String> {
        let (file, first) = self.duplicates.first()?;
        let count = self.duplicates.len();
        let ids = if count == 1 {
            "alert id read again was"
        } else {
            "alert ids read again were"
        };
        Some(format!(
            "duplicates: {count} {ids} kept once (the first copy); first: alert id {} in {file}, \
             already read from {}{}",
            first.candid,
            first.first_seen_in,
            if count > 1 {
                format!(" ({more})")
            } else {
                String::new()
            }
        ))
    }

    /// Every line (`verbose`) or the summary alone.
    pub fn lines(&self, verbose: bool, more: &str) -> Vec<String> {
        if verbose {
            self.each_line()
        } else {
            self.summary_line(more).into_iter().collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;

    fn duplicate(candid: u64, first_seen_in: &str) -> DuplicateAlert {
        DuplicateAlert {
            candid: Candid(candid),
            first_seen_in: first_seen_in.to_string(),
        }
    }

    #[test]
    fn seventy_five_duplicates_make_one_line_naming_the_first() {
        let mut report = DuplicateReport::new();
        report.add("a.parquet", vec![]);
        report.add(
            "b.parquet",
            (1..=75).map(|id| duplicate(id, "a.parquet")).collect(),
        );
        assert_eq!(report.len(), 75);
        assert_eq!(
            report.lines(false, "--verbose lists them"),
            vec![
                "duplicates: 75 alert ids read again were kept once (the first copy); first: \
                 alert id 1 in b.parquet, already read from a.parquet (--verbose lists them)"
            ]
        );
        let each = report.lines(true, "");
        assert_eq!(each.len(), 75);
        assert_eq!(
            each[74],
            "duplicate: b.parquet: alert id 75 already read from a.parquet"
        );
    }

    #[test]
    fn one_duplicate_is_said_in_the_singular_and_none_says_nothing() {
        let mut report = DuplicateReport::new();
        assert!(report.lines(false, "x").is_empty());
        report.add("a.parquet", vec![duplicate(7, "a.parquet")]);
        assert_eq!(
            report.summary_line("x").as_deref(),
            Some(
                "duplicates: 1 alert id read again was kept once (the first copy); first: \
                 alert id 7 in a.parquet, already read from a.parquet"
            )
        );
    }
}
