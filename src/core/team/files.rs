//! The votes of one label file, of any kind the page imports: a JSON
//! export (every version: its labels and its conflicts are each their
//! annotator's vote), `labeled.csv`, the LSST label CSV, or a CSV with
//! `score`'s id names. A CSV row without an annotator is `unknown`'s vote.

use crate::core::alert::Survey;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::exchange::{
    import_id_labels_csv, import_json, import_labeled_csv, import_lsst_labels_csv, LabelImportError,
};

/// Who a label without an annotator is counted as.
pub const UNKNOWN_ANNOTATOR: &str = "unknown";

/// The survey of `file` and its labels, each with its annotator.
pub fn votes_of_label_file(
    file: &str,
    text: &str,
) -> Result<(Survey, Vec<LabelEntry>), LabelImportError> {
    let header = text.trim_start_matches('\u{feff}');
    if file.to_ascii_lowercase().ends_with(".json") {
        let imported = import_json::<serde::de::IgnoredAny>(file, text)?;
        let labels = imported.labels.into_iter().chain(imported.conflicts);
        return Ok((imported.survey, labels.collect()));
    }
    if header.starts_with("diaSourceId") {
        let labels = import_lsst_labels_csv(file, text, UNKNOWN_ANNOTATOR)?;
        return Ok((Survey::Lsst, labels));
    }
    if header.starts_with("alert_id") {
        // Told by the object ids: ZTF's are names, LSST's numbers.
        let first_object = header
            .lines()
            .nth(1)
            .and_then(|row| row.split(',').nth(1))
            .unwrap_or("");
        let survey = if first_object.trim().starts_with("ZTF") {
            Survey::Ztf
        } else {
            Survey::Lsst
        };
        let labels = import_id_labels_csv(file, text, survey, UNKNOWN_ANNOTATOR)?;
        return Ok((survey, labels));
    }
    Ok((
        Survey::Ztf,
        import_labeled_csv(file, text, UNKNOWN_ANNOTATOR)?,
    ))
}
