//! The researcher's LSST label CSV, as her labelling scripts write it:
//! `diaSourceId,diaObjectId,label,timestamp,session_id,url`. The `url` (a
//! broker page) and `session_id` (her labelling run) are not kept: a label
//! here is the alert, its object, the label and when it was given.

use super::entry::LabelEntry;
use super::exchange::{check_duplicates, csv_rows, label_entry, LabelImportError};
use crate::core::alert::Survey;

/// The header of the researcher's LSST label CSV.
pub const LSST_CSV_HEADER: &str = "diaSourceId,diaObjectId,label,timestamp,session_id,url";

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
    let mut labels = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let field = |name: &str| row.get(name).map(String::as_str).unwrap_or("");
        let entry = label_entry(
            Survey::Lsst,
            field("diaSourceId"),
            field("diaObjectId"),
            field("label"),
            field("timestamp"),
            annotator,
            None,
        )
        .map_err(|problem| LabelImportError::BadCsvRow {
            file: file.to_string(),
            line,
            problem: problem.to_string(),
        })?;
        labels.push(entry);
    }
    check_duplicates(file, &labels)?;
    Ok(labels)
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
