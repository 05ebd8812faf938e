//! Label files in and out: the versioned JSON export (documented in the
//! README; version 4 holds every vote and every adjudication, version 3
//! carries each label's feature row, version 2 names its survey and keys
//! labels by `alert_id`, version 1 files are ZTF's). The JSON
//! import is `json_import`, the CSV files (the original pipeline's
//! `labeled.csv` and training-ids CSV, a round's training table) are
//! `csv_files`, the researcher's LSST label CSV `lsst_csv`, and what every
//! import shares (its error, limits and checks) `import_rules`; this module
//! is where all of them are found, and none of them imports it.
//!
//! Imports are validated whole before anything changes: a bad file gives an
//! error naming its first bad entry, and the store is left as it was.

use serde::{Deserialize, Serialize};

use super::adjudication::Adjudication;
use super::entry::{unknown_annotator_of, LabelEntry};
use super::gold::GoldLabel;
use super::settled::SettledLabels;
use super::store::LabelStore;
use crate::core::alert::{Candid, Survey};
use crate::core::features::feature_names;

pub use super::csv_files::{
    export_labeled_csv, export_training_features_csv, export_training_ids_csv,
    import_id_labels_csv, import_labeled_csv, import_training_ids_csv,
};
pub use super::import_rules::{
    check_import_size, ImportedLabels, LabelImportError, Unnamed, FORMAT, MAX_IMPORT_BYTES, VERSION,
};
pub use super::json_import::{import_json, label_file_survey};
pub use super::lsst_csv::{export_lsst_labels_csv, import_lsst_labels_csv, LSST_CSV_HEADER};

/// Which label CSV a text is, told by the columns its header names (in any
/// order): the LSST label CSV (`diaSourceId`), a CSV with `score`'s id
/// names (`alert_id`), or else the original `labeled.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelCsvKind {
    Labeled,
    Lsst,
    ScoreIds,
}

impl LabelCsvKind {
    /// The survey whose alerts a CSV of this kind holds; `None` for
    /// `score`'s id names, which either survey's alerts have.
    pub fn survey(self) -> Option<Survey> {
        match self {
            LabelCsvKind::Labeled => Some(Survey::Ztf),
            LabelCsvKind::Lsst => Some(Survey::Lsst),
            LabelCsvKind::ScoreIds => None,
        }
    }

    /// The labels of a CSV of this kind, of alerts of `survey` (which
    /// counts for kinds that name no survey). A CSV names no one for the
    /// file, so a label without an annotator is `unknown (FILE)`'s, one
    /// voter per file, never the importing session's; how many there were
    /// comes with them, for the warning.
    pub fn import(
        self,
        file: &str,
        text: &str,
        survey: Survey,
    ) -> Result<(Vec<LabelEntry>, Option<Unnamed>), LabelImportError> {
        let nobody = unknown_annotator_of(file);
        let labels = match self {
            LabelCsvKind::Labeled => import_labeled_csv(file, text, &nobody),
            LabelCsvKind::Lsst => import_lsst_labels_csv(file, text, &nobody),
            LabelCsvKind::ScoreIds => import_id_labels_csv(file, text, survey, &nobody),
        }?;
        let unnamed = labels
            .iter()
            .filter(|entry| entry.annotator == nobody)
            .count();
        Ok((labels, Unnamed::of(unnamed, &nobody, file)))
    }

    /// The kind of the label CSV `text`, told by its header.
    pub fn of(text: &str) -> LabelCsvKind {
        let header = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap_or("");
        let names: Vec<&str> = header
            .split(',')
            .map(|name| name.trim().trim_matches('"'))
            .collect();
        if names.contains(&"diaSourceId") {
            LabelCsvKind::Lsst
        } else if names.contains(&"alert_id") {
            LabelCsvKind::ScoreIds
        } else {
            LabelCsvKind::Labeled
        }
    }
}

/// The labels as the CSV the researcher's scripts use for `survey`: ZTF's
/// original `labeled.csv`, or the LSST label CSV; each imports back. (Here,
/// above both CSV modules, so that neither imports the other.)
pub fn export_labels_csv(survey: Survey, store: &SettledLabels) -> String {
    match survey {
        Survey::Ztf => export_labeled_csv(store),
        Survey::Lsst => export_lsst_labels_csv(store),
    }
}

/// One vote in the JSON export (version 4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ExportedLabel {
    alert_id: String,
    object_id: String,
    label: String,
    timestamp: String,
    annotator: String,
    round: Option<u32>,
    /// Whether the alert was drawn at random for an honest estimate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    random_pick: bool,
    /// The alert's feature row, in the file's `feature_names` order (`null`
    /// for missing), when the exporting page knew it.
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<Vec<Option<f64>>>,
    /// The alert's MJD (LSST: TAI), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    mjd: Option<f64>,
}

/// A labelled alert's feature values and date, as an export finds them.
pub type KnownRow<'a> = (&'a [f64], Option<f64>);

/// The whole JSON export; `R` is the round record (`active::round::RoundRecord`).
#[derive(Clone, Debug, PartialEq, Serialize)]
struct Export<'r, R> {
    format: String,
    version: u64,
    survey: Survey,
    exported_at: String,
    annotator: String,
    /// The survey's feature names: the order of every label's `features`.
    feature_names: Vec<String>,
    /// Every vote: each annotator's current label of each alert.
    labels: Vec<ExportedLabel>,
    /// Every reviewer's decision.
    adjudications: Vec<ExportedAdjudication>,
    /// Every gold mark (`label: null`: no longer gold).
    gold: Vec<ExportedGold>,
    /// The exporting session's consensus rule, and what it made of every
    /// voted alert (derived from the votes: an import never reads it).
    #[serde(skip_serializing_if = "Option::is_none")]
    consensus: Option<&'r Outcomes>,
    rounds: &'r [R],
}

/// What the exporting session's consensus rule made of the votes: written
/// in the JSON export for the team's scripts (each alert's training label
/// and provenance), never read back, since an import settles its votes by
/// its own rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcomes {
    /// `mine`, `majority` or `weighted`.
    pub rule: &'static str,
    /// The posterior a `weighted` label needed.
    pub posterior_threshold: f64,
    /// Whose votes `mine` preferred (empty for the other rules).
    pub annotator: String,
    /// Every alert with a vote that counts (not only `unsure`), in
    /// alert-id order.
    pub alerts: Vec<AlertOutcome>,
}

/// One alert's training label and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertOutcome {
    pub alert_id: String,
    /// `null`: the alert does not train (contested, or left unresolved).
    pub label: Option<String>,
    /// single, unanimous, majority, weighted, mine, adjudicated,
    /// unresolved or contested.
    pub provenance: &'static str,
}

/// One adjudication in the JSON export (version 4).
#[derive(Clone, Debug, PartialEq, Serialize)]
struct ExportedAdjudication {
    alert_id: String,
    object_id: String,
    /// `null`: left unresolved.
    label: Option<String>,
    reason: Option<String>,
    reviewer: String,
    timestamp: String,
}

/// One gold mark in the JSON export (version 4).
#[derive(Clone, Debug, PartialEq, Serialize)]
struct ExportedGold {
    alert_id: String,
    object_id: String,
    /// `null`: no longer gold.
    label: Option<String>,
    marked_by: String,
    timestamp: String,
}

impl ExportedGold {
    fn of(mark: &GoldLabel) -> ExportedGold {
        ExportedGold {
            alert_id: mark.candid.to_string(),
            object_id: mark.object_id.clone(),
            label: mark.label.map(|label| label.to_string()),
            marked_by: mark.marked_by.clone(),
            timestamp: mark.timestamp.clone(),
        }
    }
}

impl ExportedAdjudication {
    fn of(adjudication: &Adjudication) -> ExportedAdjudication {
        ExportedAdjudication {
            alert_id: adjudication.candid.to_string(),
            object_id: adjudication.object_id.clone(),
            label: adjudication.label.map(|label| label.to_string()),
            reason: adjudication.reason.map(|reason| reason.to_string()),
            reviewer: adjudication.reviewer.clone(),
            timestamp: adjudication.timestamp.clone(),
        }
    }
}

fn exported<'a>(
    entry: &LabelEntry,
    row_of: &impl Fn(Candid) -> Option<KnownRow<'a>>,
) -> ExportedLabel {
    let known = row_of(entry.candid);
    ExportedLabel {
        alert_id: entry.candid.to_string(),
        object_id: entry.object_id.clone(),
        label: entry.label.to_string(),
        timestamp: entry.timestamp.clone(),
        annotator: entry.annotator.clone(),
        round: entry.round,
        random_pick: entry.random_pick,
        features: known.map(|(values, _)| {
            values
                .iter()
                .map(|&value| value.is_finite().then_some(value))
                .collect()
        }),
        mjd: known.and_then(|(_, mjd)| mjd).filter(|mjd| mjd.is_finite()),
    }
}

/// Writes the JSON export (version 4) of `survey`'s `store` (every vote and
/// adjudication), what the consensus rule made of them (`consensus`, when
/// given) and `rounds`, with the feature row `row_of` knows for each
/// voted alert. Alert ids are strings:
/// they exceed 2^53 and must never pass through a JSON number.
#[allow(clippy::too_many_arguments)]
pub fn export_json<'a, R: Serialize>(
    survey: Survey,
    store: &LabelStore,
    consensus: Option<&Outcomes>,
    rounds: &[R],
    annotator: &str,
    exported_at: &str,
    row_of: impl Fn(Candid) -> Option<KnownRow<'a>>,
) -> String {
    let export = Export {
        format: FORMAT.to_string(),
        version: VERSION,
        survey,
        exported_at: exported_at.to_string(),
        annotator: annotator.to_string(),
        feature_names: feature_names(survey)
            .iter()
            .map(|name| name.to_string())
            .collect(),
        labels: store
            .all_votes()
            .map(|entry| exported(entry, &row_of))
            .collect(),
        adjudications: store
            .adjudications()
            .values()
            .map(ExportedAdjudication::of)
            .collect(),
        gold: store.exported_gold_marks().map(ExportedGold::of).collect(),
        consensus,
        rounds,
    };
    serde_json::to_string_pretty(&export).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::labels::vocabulary::Label;
    use serde::de::IgnoredAny;
    use serde_json::Value;
    use std::collections::BTreeMap;

    fn store_of(entries: &[(u64, Label)]) -> LabelStore {
        let mut store = LabelStore::new();
        for &(candid, label) in entries {
            store.set(LabelEntry {
                candid: Candid(candid),
                object_id: "ZTF19aarxyde".into(),
                label,
                timestamp: "2025-06-02T08:37:22Z".into(),
                annotator: "ana".into(),
                round: Some(0),
                random_pick: false,
            });
        }
        store
    }

    #[test]
    fn json_export_import_round_trip_keeps_every_digit() {
        let store = store_of(&[(3_069_386_410_515_015_007, Label::Varstar), (1, Label::Gal)]);
        let json = export_json(
            Survey::Ztf,
            &store,
            None,
            &[] as &[()],
            "ana",
            "2026-11-27T10:00:00Z",
            |_| None,
        );
        assert!(json.contains("\"alert_id\": \"3069386410515015007\""));
        assert!(json.contains("\"version\": 4") && json.contains("\"survey\": \"ztf\""));
        let imported = import_json::<IgnoredAny>("labels.json", &json).expect("valid");
        assert_eq!(imported.survey, Survey::Ztf);
        let mut again = LabelStore::new();
        again.merge(imported.labels);
        assert_eq!(again, {
            let mut s = store.clone();
            s.merge([]);
            s
        });
    }

    #[test]
    fn a_version_4_export_carries_every_vote_and_adjudication_and_reads_back() {
        let mut store = store_of(&[(1, Label::Gal), (2, Label::Agn)]);
        let _ = store.merge([LabelEntry {
            annotator: "bo".into(),
            label: Label::Extragal,
            ..store.vote_of(Candid(1), "ana").expect("voted").clone()
        }]);
        let decision = Adjudication {
            candid: Candid(1),
            object_id: "ZTF19aarxyde".into(),
            label: Some(Label::Extragal),
            reason: Some(crate::core::labels::adjudication::AdjudicationReason::Mistake),
            reviewer: "cy".into(),
            timestamp: "2025-06-03T08:00:00Z".into(),
        };
        assert!(store.adjudicate(decision.clone()));
        let json = export_json(Survey::Ztf, &store, None, &[] as &[()], "ana", "t", |_| {
            None
        });
        let imported = import_json::<IgnoredAny>("team.json", &json).expect("valid");
        assert_eq!(imported.labels.len(), 3, "every vote");
        assert_eq!(imported.adjudications, [decision]);
        let mut again = LabelStore::new();
        let _ = again.merge(imported.labels);
        let _ = again.merge_adjudications(imported.adjudications);
        assert_eq!(again, store);
    }

    #[test]
    fn a_bad_adjudication_is_refused_with_its_index() {
        let file = |adjudication: Value| {
            let vote = serde_json::json!({"alert_id": "1", "object_id": "ZTF19aarxyde", "label": "gal", "timestamp": "2025-06-02T08:37:22Z", "annotator": "a"});
            serde_json::json!({"format": FORMAT, "version": 4, "survey": "ztf", "exported_at": "x", "annotator": "a", "labels": [vote], "adjudications": [adjudication], "rounds": []}).to_string()
        };
        let good = serde_json::json!({"alert_id": "1", "object_id": "ZTF19aarxyde", "label": null, "reason": "ambiguous", "reviewer": "r", "timestamp": "2025-06-02T09:00:00Z"});
        let read = import_json::<IgnoredAny>("f.json", &file(good.clone())).expect("valid");
        assert_eq!(read.adjudications[0].label, None, "null: left unresolved");
        let error = |field: &str, value: Value| {
            let mut bad = good.clone();
            bad[field] = value;
            import_json::<IgnoredAny>("f.json", &file(bad))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("alert_id", serde_json::json!("2")),
            "f.json: adjudication 1 settles alert 2, which has no vote in the file: a decision \
             needs the votes it settles"
        );
        assert!(error("label", serde_json::json!("galactic"))
            .contains("adjudication 1 (alert_id 1): unknown label `galactic`"));
        assert!(error("reason", serde_json::json!("because")).contains("unknown reason `because`"));
        assert!(error("timestamp", serde_json::json!("today")).contains("timestamp `today`"));
    }

    fn with_label(field: &str, value: Value) -> String {
        let mut label = serde_json::json!({"candid": "1", "objectId": "ZTF19aarxyde", "label": "gal", "timestamp": "2025-06-02T08:37:22Z", "annotator": "a"});
        label[field] = value;
        serde_json::json!({"format": FORMAT, "version": 1, "exported_at": "x", "annotator": "a", "labels": [label], "rounds": []}).to_string()
    }

    #[test]
    fn each_bad_field_is_named_with_its_entry() {
        let error = |field: &str, value: Value| {
            import_json::<IgnoredAny>("f.json", &with_label(field, value))
                .unwrap_err()
                .to_string()
        };
        assert!(error("candid", serde_json::json!(3069386410515015007u64))
            .contains("label 1: the alert id must be a decimal string of digits (got the number"));
        assert!(error("objectId", serde_json::json!("<script>"))
            .contains("label 1 (candid 1): objectId `<script>`"));
        assert!(error("label", serde_json::json!("galactic")).contains("unknown label `galactic`"));
        assert!(
            error("timestamp", serde_json::json!("2025-06-02")).contains("timestamp `2025-06-02`")
        );
        assert!(error("random_pick", serde_json::json!("yes"))
            .contains("label 1 (candid 1): `random_pick` must be true or false"));
    }

    #[test]
    fn a_label_naming_no_annotator_is_the_files_annotators_or_unknowns_with_a_warning() {
        let file = |header: Value| {
            let named = serde_json::json!({"candid": "1", "objectId": "ZTF19aarxyde", "label": "gal", "timestamp": "2025-06-02T08:37:22Z", "annotator": "bo"});
            let unnamed = serde_json::json!({"candid": "2", "objectId": "ZTF19aarxyde", "label": "gal", "timestamp": "2025-06-02T08:37:22Z", "annotator": " "});
            let bare = serde_json::json!({"candid": "3", "objectId": "ZTF19aarxyde", "label": "gal", "timestamp": "2025-06-02T08:37:22Z"});
            serde_json::json!({"format": FORMAT, "version": 1, "exported_at": "x", "annotator": header, "labels": [named, unnamed, bare], "rounds": []}).to_string()
        };
        let annotators = |imported: &ImportedLabels<IgnoredAny>| -> Vec<String> {
            imported
                .labels
                .iter()
                .map(|entry| entry.annotator.clone())
                .collect()
        };
        let with_header =
            import_json::<IgnoredAny>("ana.json", &file(serde_json::json!("ana"))).expect("valid");
        assert_eq!(annotators(&with_header), ["bo", "ana", "ana"]);
        let note = with_header
            .unnamed
            .as_ref()
            .expect("two unnamed")
            .to_string();
        assert_eq!(
            note,
            "2 label(s) name no annotator: they count as ana's, the file's annotator"
        );
        let without = import_json::<IgnoredAny>("x.json", &file(Value::Null)).expect("valid");
        assert_eq!(
            annotators(&without),
            ["bo", "unknown (x.json)", "unknown (x.json)"]
        );
        assert!(without
            .unnamed
            .expect("two unnamed")
            .to_string()
            .contains("neither does the file: they count as `unknown (x.json)`'s"));
    }

    #[test]
    fn a_random_pick_crosses_a_label_file_and_other_labels_carry_no_mark() {
        let mut store = store_of(&[(7, Label::Gal), (8, Label::Extragal)]);
        store.set(LabelEntry {
            random_pick: true,
            ..store.vote_of(Candid(7), "ana").expect("labelled").clone()
        });
        let json = export_json(Survey::Ztf, &store, None, &[] as &[()], "ana", "t", |_| {
            None
        });
        assert_eq!(json.matches("\"random_pick\": true").count(), 1, "{json}");
        assert!(!json.contains("\"random_pick\": false"), "{json}");
        let imported = import_json::<IgnoredAny>("labels.json", &json).expect("valid");
        let marks: Vec<(u64, bool)> = imported
            .labels
            .iter()
            .map(|entry| (entry.candid.0, entry.random_pick))
            .collect();
        assert_eq!(marks, [(7, true), (8, false)]);
    }

    #[test]
    fn wrong_format_newer_version_and_garbage_are_refused() {
        assert!(matches!(
            import_json::<IgnoredAny>("f", "{not json"),
            Err(LabelImportError::NotJson { .. })
        ));
        assert!(matches!(
            import_json::<IgnoredAny>("f", r#"{"format":"other","version":1,"labels":[]}"#),
            Err(LabelImportError::WrongFormat { .. })
        ));
        let newer = r#"{"format":"fink-vra-labels","version":5,"labels":[]}"#;
        assert_eq!(
            import_json::<IgnoredAny>("f", newer).unwrap_err(),
            LabelImportError::NewerVersion {
                file: "f".into(),
                found: 5,
                supported: 4
            }
        );
        let no_survey = r#"{"format":"fink-vra-labels","version":2,"labels":[]}"#;
        assert!(matches!(
            import_json::<IgnoredAny>("f", no_survey),
            Err(LabelImportError::BadSurvey { .. })
        ));
    }

    #[test]
    fn original_csv_files_round_trip_with_bom_crlf_and_quotes() {
        let store = store_of(&[(5, Label::Bogus), (6, Label::Extragal)]);
        let csv = format!(
            "\u{feff}{}",
            export_labeled_csv(&store.all_votes().cloned().collect())
                .replace('\n', "\r\n")
                .replace("ZTF19aarxyde", "\"ZTF19aarxyde\"")
        );
        let labels = import_labeled_csv("labeled.csv", &csv, "ana").expect("valid");
        assert_eq!(
            labels
                .iter()
                .map(|e| (e.candid.0, e.label))
                .collect::<Vec<_>>(),
            vec![(5, Label::Bogus), (6, Label::Extragal)]
        );
        let rounds =
            import_training_ids_csv("ids.csv", "candid,round\n5,1\n5,0\n6,2\n").expect("valid");
        assert_eq!(rounds, BTreeMap::from([(Candid(5), 0), (Candid(6), 2)]));
        let bad = import_labeled_csv(
            "labeled.csv",
            "candid,objectId,label,timestamp\nx,ZTF19aarxyde,gal,2025-06-02T08:37:22Z\n",
            "a",
        );
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("line 2: the alert id must be a decimal string"));
    }
}
