//! The researcher's LSST label CSV, as her labelling scripts write it:
//! `diaSourceId,diaObjectId,label,timestamp,session_id,url`. On import the
//! `url` (a broker page) and `session_id` (her labelling run) are not kept: a
//! label here is the alert, its object, the label and when it was given. The
//! export writes the annotator as `session_id` and the Fink portal page as
//! `url`, so that her scripts read the page's labels too.

use super::csv_files::{csv_rows, labels_from_rows};
use super::entry::LabelEntry;
use super::import_rules::LabelImportError;
use super::settled::SettledLabels;
use crate::core::alert::Survey;
use crate::core::csv_text::quote_cell;
use crate::core::links::object_links;

/// The header of the researcher's LSST label CSV.
pub const LSST_CSV_HEADER: &str = "diaSourceId,diaObjectId,label,timestamp,session_id,url";

/// Writes `store`'s labels as the researcher's LSST label CSV: `session_id`
/// is the label's annotator, `url` the object's Fink portal page (empty for
/// a solar-system alert). [`import_lsst_labels_csv`] reads it back.
pub fn export_lsst_labels_csv(store: &SettledLabels) -> String {
    let mut out = format!("{LSST_CSV_HEADER}\n");
    for entry in store.labels() {
        let url = object_links(Survey::Lsst, &entry.object_id)
            .into_iter()
            .find(|(name, _)| *name == "Fink portal")
            .map(|(_, url)| url)
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            entry.candid,
            quote_cell(&entry.object_id),
            entry.label,
            quote_cell(&entry.timestamp),
            quote_cell(&entry.annotator),
            quote_cell(&url)
        ));
    }
    out
}

/// Reads the researcher's LSST label CSV; labels get `annotator` (the file
/// names none). Every row is checked before anything is returned.
pub fn import_lsst_labels_csv(
    file: &str,
    text: &str,
    annotator: &str,
) -> Result<Vec<LabelEntry>, LabelImportError> {
    let rows = csv_rows(
        file,
        text,
        &["diaSourceId", "diaObjectId", "label", "timestamp"],
        LSST_CSV_HEADER,
    )?;
    // The file names no annotator: `session_id` is a labelling run.
    labels_from_rows(
        file,
        rows,
        Survey::Lsst,
        ["diaSourceId", "diaObjectId"],
        |_| None,
        annotator,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::labels::vocabulary::Label;

    #[test]
    fn the_researchers_lsst_csv_reads_with_every_digit_of_both_ids() {
        let text = "diaSourceId,diaObjectId,label,timestamp,session_id,url\n\
            169813006802223148,169813006802223148,extragal,2026-01-05T10:00:00Z,s1,https://lsst.fink-portal.org/169813006802223148\n\
            169813007065939974,0,bogus,2026-01-05T10:01:00+00:00,s1,\n";
        let labels = import_lsst_labels_csv("lsst.csv", text, "ana").expect("valid");
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].candid.0, 169_813_006_802_223_148);
        assert_eq!(labels[0].object_id, "169813006802223148");
        assert_eq!(
            (labels[1].object_id.as_str(), labels[1].label),
            ("0", Label::Bogus)
        );
        assert_eq!(labels[1].annotator, "ana");
    }

    #[test]
    fn the_exported_csv_reads_back_as_the_same_labels() {
        let text = "diaSourceId,diaObjectId,label,timestamp,session_id,url\n\
            169813006802223148,169813006802223148,extragal,2026-01-05T10:00:00Z,s1,\n\
            169813007065939974,0,bogus,2026-01-05T10:01:00Z,s1,\n";
        let labels = import_lsst_labels_csv("lsst.csv", text, "ana").expect("valid");
        let store: SettledLabels = labels.iter().cloned().collect();
        let exported = export_lsst_labels_csv(&store);
        assert!(exported.contains(
            ",extragal,2026-01-05T10:00:00Z,ana,https://lsst.fink-portal.org/169813006802223148\n"
        ));
        assert!(exported.contains("169813007065939974,0,bogus,2026-01-05T10:01:00Z,ana,\n"));
        let again = import_lsst_labels_csv("again.csv", &exported, "ana").expect("valid");
        assert_eq!(again, labels);
    }

    #[test]
    fn a_ztf_object_id_or_a_float_id_is_refused_with_its_line() {
        let bad = "diaSourceId,diaObjectId,label,timestamp,session_id,url\n\
            1698130068,ZTF25aaaaaaa,gal,2026-01-05T10:00:00Z,s,\n";
        let error = import_lsst_labels_csv("lsst.csv", bad, "a")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 2") && error.contains("diaObjectId `ZTF25aaaaaaa`"),
            "{error}"
        );
        let float = "diaSourceId,diaObjectId,label,timestamp,session_id,url\n\
            1.69813e17,1,gal,2026-01-05T10:00:00Z,s,\n";
        assert!(import_lsst_labels_csv("lsst.csv", float, "a").is_err());
    }
}
