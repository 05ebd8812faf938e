//! `fink-vra features`: one CSV row per alert on stdout, streamed file by file,
//! with the header of the files' survey (ZTF or LSST; never both in one call).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use fink_vra::core::alert::{Alert, Survey};
use fink_vra::core::alert_set::DuplicateFilter;
use fink_vra::core::features::csv::{header, row_line};
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::ingest::{read_alerts, read_layout};

/// The one survey of the readable `files` (`None` when none is readable),
/// told from their footers before any row is written; an error message when
/// they mix surveys, which tells to run `command` once per survey.
pub fn survey_of(files: &[PathBuf], command: &str) -> Result<Option<Survey>, String> {
    let mut first_of: Vec<(Survey, String)> = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let Ok(handle) = File::open(path) else {
            continue;
        };
        let Ok(layout) = read_layout(&name, handle) else {
            continue;
        };
        if !first_of
            .iter()
            .any(|(survey, _)| *survey == layout.survey())
        {
            first_of.push((layout.survey(), name));
        }
    }
    match first_of.as_slice() {
        [] => Ok(None),
        [(survey, _)] => Ok(Some(*survey)),
        [(first, first_file), (second, second_file), ..] => Err(format!(
            "the files mix two surveys ({first_file} is {first}, {second_file} is {second}): \
             their features differ, so run `{command}` once per survey"
        )),
    }
}

/// Reads `files` in order, reporting skipped alerts, duplicates and
/// unreadable files on stderr, and hands each file's new alerts to
/// `on_alerts` (which stops the reading by returning `Err`). Returns how many
/// files could not be read, or `Err` if `on_alerts` stopped it.
pub fn read_each_file(
    files: &[PathBuf],
    mut on_alerts: impl FnMut(&[Alert]) -> Result<(), ()>,
) -> Result<usize, ()> {
    let mut failed_files = 0;
    let mut duplicate_filter = DuplicateFilter::new();
    for path in files {
        let name = path.display().to_string();
        let parsed = crate::inputs::open(path)
            .and_then(|handle| read_alerts(&name, handle).map_err(|error| error.to_string()));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(message) => {
                eprintln!("error: {message}");
                failed_files += 1;
                continue;
            }
        };
        for skipped in &parsed.skipped {
            let candid = skipped
                .candid
                .map_or_else(|| "?".to_string(), |candid| candid.to_string());
            eprintln!(
                "skipped: {name}: row {} (alert id {candid}): {}",
                skipped.row, skipped.reason
            );
        }
        let (alerts, duplicates) = duplicate_filter.admit(&name, parsed.alerts);
        for duplicate in &duplicates {
            eprintln!(
                "duplicate: {name}: alert id {} already read from {}",
                duplicate.candid, duplicate.first_seen_in
            );
        }
        on_alerts(&alerts)?;
    }
    if failed_files > 0 {
        eprintln!(
            "{failed_files} of {} file(s) could not be read",
            files.len()
        );
    }
    Ok(failed_files)
}

/// Writes the features of `files`; non-zero exit if any file could not be
/// read, and nothing written if the files mix surveys.
pub fn features(files: &[PathBuf], recompute_lc: bool) -> ExitCode {
    // No readable file: each one's error is reported below, under ZTF's header.
    let survey = match survey_of(files, "features") {
        Ok(survey) => survey.unwrap_or(Survey::Ztf),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let source = if recompute_lc {
        LcFeatureSource::Recompute
    } else {
        LcFeatureSource::FileOrRecompute
    };
    let dust = ExtinctionMap::sfd();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if writeln!(out, "{}", header(survey)).is_err() {
        return ExitCode::FAILURE;
    }
    let read = read_each_file(files, |alerts| {
        for alert in alerts {
            let row = compute_features(alert, source, dust);
            writeln!(out, "{}", row_line(&row)).map_err(|_| ())?;
        }
        Ok(())
    });
    match (read, out.flush()) {
        (Ok(0), Ok(())) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
