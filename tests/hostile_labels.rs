//! Hostile and broken label files, imported into a session that already holds
//! labels: each is refused with a clear error and the session is left exactly
//! as it was; the well-formed oddities (BOM, CRLF, quotes, 10^6 labels) import.

use fink_vra::core::labels::exchange::LabelImportError;
use fink_vra::core::session::{ImportOutcome, SavedSession};

const HEADER: &str = r#""format":"fink-vra-labels","version":1,"exported_at":"2026-11-27T08:00:00Z","annotator":"ana""#;

fn label_json(candid: &str, label: &str) -> String {
    format!(
        r#"{{"candid":{candid},"objectId":"ZTF19aarxyde","label":"{label}","timestamp":"2025-06-02T08:37:22Z","annotator":"ana","round":null}}"#
    )
}

fn export(labels: &[String]) -> String {
    format!(
        r#"{{{HEADER},"labels":[{}],"rounds":[]}}"#,
        labels.join(",")
    )
}

/// A session holding three labels, from a labeled.csv.
fn session_with_labels() -> SavedSession {
    let mut session = SavedSession::new();
    session.annotator = "ana".into();
    let csv = "candid,objectId,label,timestamp\n\
               3069386410515015001,ZTF19aarxyde,varstar,2025-06-02T08:37:22Z\n\
               3069386410515015002,ZTF19aarxyde,gal,2025-06-02T08:37:23Z\n\
               3069386410515015003,ZTF19aarxyde,agn,2025-06-02T08:37:24Z\n";
    session
        .import_label_file("start.csv", csv)
        .expect("the starting labels import");
    session
}

/// Imports `text` as `file` and returns the error, checking nothing changed.
fn refused(file: &str, text: &str) -> LabelImportError {
    let mut session = session_with_labels();
    let before = session.to_json();
    let error = session
        .import_label_file(file, text)
        .expect_err("the file is refused");
    assert_eq!(
        session.to_json(),
        before,
        "{file}: the session is unchanged"
    );
    assert_eq!(session.labels.alert_count(), 3);
    error
}

#[test]
fn a_candid_given_as_a_number_is_refused_and_named() {
    let text = export(&[
        label_json("\"3069386410515015007\"", "varstar"),
        label_json("3069386410515015008", "gal"),
    ]);
    let error = refused("numbers.json", &text);
    assert_eq!(
        error.to_string(),
        "numbers.json: label 2: the alert id must be a decimal string of digits (got the number 3069386410515015008: write it as a string)"
    );
}

#[test]
fn a_duplicate_key_is_refused_not_resolved_silently() {
    let inner = r#"{"candid":"3069386410515015007","candid":"3069386410515015009","objectId":"ZTF19aarxyde","label":"gal","timestamp":"2025-06-02T08:37:22Z"}"#;
    let error = refused("duplicate-key.json", &export(&[inner.to_string()]));
    assert!(
        error.to_string().contains("duplicate field `candid`"),
        "{error}"
    );
    let top = format!(
        r#"{{{HEADER},"labels":[],"labels":[{}]}}"#,
        label_json("\"1\"", "gal")
    );
    assert!(refused("duplicate-top.json", &top)
        .to_string()
        .contains("duplicate field `labels`"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let in_labels = format!(r#"{{{HEADER},"labels":[{{"candid":{deep}}}]}}"#);
    let error = refused("deep.json", &in_labels);
    assert!(error.to_string().contains("recursion limit"), "{error}");
    assert!(refused("deep-top.json", &deep)
        .to_string()
        .contains("not valid JSON"));
}

#[test]
fn a_newer_format_version_is_refused_with_a_message() {
    let newer = export(&[label_json("\"3069386410515015007\"", "gal")])
        .replace("\"version\":1", "\"version\":5");
    assert_eq!(
        refused("newer.json", &newer).to_string(),
        "newer.json: made by a newer fink-vra (format version 5; this page reads version 4); update the page"
    );
}

#[test]
fn csv_with_bom_crlf_and_quotes_imports() {
    let mut session = session_with_labels();
    let csv = "\u{feff}candid,objectId,label,timestamp\r\n\
               \"3069386410515015007\",\"ZTF19aarxyde\",\"gal\",\"2025-06-02T08:37:22Z\"\r\n";
    let (outcome, _) = session
        .import_label_file("excel.csv", csv)
        .expect("imports");
    assert!(matches!(outcome, ImportOutcome::Merged { ref report, .. } if report.added == 1));
    assert_eq!(session.labels.alert_count(), 4);
}

#[test]
fn a_million_labels_import_whole() {
    let count = 1_000_000u64;
    let labels: Vec<String> = (0..count)
        .map(|i| label_json(&format!("\"{}\"", 3_000_000_000_000_000_000 + i), "gal"))
        .collect();
    let text = export(&labels);
    assert!(
        text.len() > 100_000_000,
        "a realistic size: {} bytes",
        text.len()
    );
    let mut session = session_with_labels();
    let (outcome, _) = session
        .import_label_file("million.json", &text)
        .expect("imports");
    assert_eq!(
        outcome.to_string(),
        "million.json: 1000000 vote(s) added, 0 already there."
    );
    assert_eq!(session.labels.alert_count(), 1_000_003);
}
