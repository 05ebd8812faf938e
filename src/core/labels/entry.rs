//! One label as stored, exported and merged, and the checks every imported
//! label passes: a decimal alert id, an object id of the survey (a ZTF
//! objectId, or a decimal LSST diaObjectId), a known label, a UTC timestamp.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::vocabulary::Label;
use crate::core::alert::{Candid, Survey};
use crate::core::links::is_ztf_object_id;

/// Who a label that names no annotator, in a file that names none either,
/// is counted as (with the file's name: [`unknown_annotator_of`]).
pub const UNKNOWN_ANNOTATOR: &str = "unknown";

/// Who the labels of `file` that name no annotator count as when the file
/// names none either: `unknown (labeled.csv)`. One voter per file, so that
/// two colleagues' files without names stay two voters instead of one
/// whose later label replaces the other's.
pub fn unknown_annotator_of(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    format!("{UNKNOWN_ANNOTATOR} ({name})")
}

/// A human's label for one alert (per alert, not per object).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LabelEntry {
    /// The alert's id: ZTF `candid` or LSST `diaSourceId`.
    pub candid: Candid,
    /// The object's id: ZTF `objectId` or LSST `diaObjectId` (decimal).
    pub object_id: String,
    pub label: Label,
    /// UTC, ISO 8601 (`2025-06-02T08:37:22Z`).
    pub timestamp: String,
    pub annotator: String,
    /// The round whose training set used it, if any.
    pub round: Option<u32>,
    /// Whether the alert was drawn uniformly from the pool for the
    /// exploration share (a random pick, for an honest estimate) rather
    /// than chosen by the strategy. (Written only when true: a label crosses
    /// no worker boundary, only JSON.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub random_pick: bool,
}

/// What is wrong with one field of an imported label.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    #[error("the alert id must be a decimal string of digits (got {0})")]
    Candid(String),
    #[error("objectId `{0}` is not a ZTF object id (ZTF + 2 digits + 7 lowercase letters)")]
    ObjectId(String),
    #[error("diaObjectId `{0}` is not an LSST object id (a decimal 64-bit integer)")]
    LsstObjectId(String),
    #[error("{0}")]
    Label(String),
    #[error("timestamp `{0}` is not UTC ISO 8601 like 2025-06-02T08:37:22Z")]
    Timestamp(String),
    #[error("missing field `{0}`")]
    Missing(&'static str),
    #[error("`features` {0}")]
    Features(String),
    #[error("`mjd` must be a number or null")]
    Mjd,
    #[error("`random_pick` must be true or false")]
    RandomPick,
}

/// A labelled alert that trained a round: what label files and training
/// tables record of a round (the round itself is `active::round`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainingExample {
    /// The alert's key (a candid, as a decimal string).
    pub id: String,
    pub label: String,
    pub class: u8,
}

/// What label files need of a recorded round: its number and the labels that
/// trained it, in fitting order. `active::round::RoundRecord` implements it,
/// so that labels never import from the layer above.
pub trait TrainedRound {
    fn round_number(&self) -> u32;
    fn training(&self) -> &[TrainingExample];
}

/// Parses a candid given as text: digits only, fitting in 64 bits.
pub fn parse_candid(text: &str) -> Result<Candid, EntryProblem> {
    let trimmed = text.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EntryProblem::Candid(format!("`{text}`")));
    }
    trimmed
        .parse()
        .map_err(|_| EntryProblem::Candid(format!("`{text}`, too large")))
}

/// Checks an object id of `survey`: a ZTF objectId, or an LSST diaObjectId
/// in decimal (0 for a solar-system alert).
pub fn check_object_id(survey: Survey, text: &str) -> Result<String, EntryProblem> {
    match survey {
        Survey::Ztf if is_ztf_object_id(text) => Ok(text.to_string()),
        Survey::Ztf => Err(EntryProblem::ObjectId(text.to_string())),
        Survey::Lsst => {
            let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
            match text.parse::<u64>() {
                Ok(id) if digits => Ok(id.to_string()),
                _ => Err(EntryProblem::LsstObjectId(text.to_string())),
            }
        }
    }
}

/// Checks a UTC ISO 8601 timestamp: `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or `+00:00`.
pub fn check_timestamp(text: &str) -> Result<String, EntryProblem> {
    let bad = || EntryProblem::Timestamp(text.to_string());
    let body = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))
        .ok_or_else(bad)?;
    let (date, time) = body.split_once('T').ok_or_else(bad)?;
    // Exactly `count` fields of digits, each fitting a u32 (a field too large
    // to parse makes the whole timestamp invalid, never a shorter list).
    let numbers = |part: &str, separator: char, count: usize| -> Option<Vec<u32>> {
        let fields: Vec<&str> = part.split(separator).collect();
        let digits = |field: &&str| !field.is_empty() && field.bytes().all(|b| b.is_ascii_digit());
        if fields.len() != count || !fields.iter().all(digits) {
            return None;
        }
        fields.iter().map(|field| field.parse().ok()).collect()
    };
    let (whole_seconds, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let date = numbers(date, '-', 3).ok_or_else(bad)?;
    let clock = numbers(whole_seconds, ':', 3).ok_or_else(bad)?;
    let valid = (1..=12).contains(&date[1])
        && (1..=31).contains(&date[2])
        && date[0] >= 1900
        && clock[0] < 24
        && clock[1] < 60
        && clock[2] <= 60
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(text.to_string())
    } else {
        Err(bad())
    }
}

/// A valid label for tests elsewhere in the core.
#[cfg(test)]
pub(crate) fn test_entry(candid: u64, label: Label) -> LabelEntry {
    LabelEntry {
        candid: Candid(candid),
        object_id: "ZTF25aaaaaaa".into(),
        label,
        timestamp: "2026-11-27T00:00:00Z".into(),
        annotator: "t".into(),
        round: None,
        random_pick: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candids_must_be_decimal_strings_that_fit() {
        assert_eq!(
            parse_candid("3069386410515015007"),
            Ok(Candid(3_069_386_410_515_015_007))
        );
        assert!(parse_candid("3.06e18").is_err());
        assert!(parse_candid("-1").is_err());
        assert!(parse_candid("99999999999999999999").is_err());
    }

    #[test]
    fn timestamps_must_be_utc_iso() {
        assert!(check_timestamp("2025-06-02T08:37:22Z").is_ok());
        assert!(check_timestamp("2025-06-02T08:37:22.123Z").is_ok());
        assert!(check_timestamp("2025-06-02T08:37:22+00:00").is_ok());
        for bad in [
            "2025-06-02 08:37:22",
            "2025-13-02T08:37:22Z",
            "2025-06-02T08:37:22+02:00",
            "yesterday",
        ] {
            assert!(check_timestamp(bad).is_err(), "{bad}");
        }
    }
}
