//! `fink-vra features`: one CSV row per alert, streamed file by file to
//! stdout (or whole to `--out`), with the header of the files' survey (ZTF
//! or LSST; never both in one call). Every file's footer is checked before
//! the first byte is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use fink_vra::core::alert::{Alert, Survey};
use fink_vra::core::alert_set::DuplicateFilter;
use fink_vra::core::duplicate_report::DuplicateReport;
use fink_vra::core::features::csv::{header, row_line};
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::ingest::{read_alerts, read_layout};

use crate::output::{write_error, Output};

/// How `features` and `score` treat their alert files (shared options).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Reading {
    /// Leave out files that cannot be read (and count them) instead of
    /// failing before any output.
    #[arg(long)]
    pub skip_bad_files: bool,
    /// List every duplicate alert id on stderr, not only their count.
    #[arg(long)]
    pub verbose: bool,
}

/// The one survey of the alert files (`None` when none is readable), told
/// from their footers before any output. A file whose footer cannot be read
/// is an error (each one named on stderr), unless `--skip-bad-files` leaves
/// it out (reported when it is read); files of two surveys are an error that
/// tells to run `command` once per survey.
pub fn check_inputs(
    files: &[PathBuf],
    command: &str,
    reading: &Reading,
) -> Result<Option<Survey>, String> {
    let mut first_of: Vec<(Survey, String)> = Vec::new();
    let mut unreadable = 0;
    for path in files {
        let name = path.display().to_string();
        let layout = crate::inputs::open(path)
            .and_then(|handle| read_layout(&name, handle).map_err(|error| error.to_string()));
        match layout {
            Ok(layout) => {
                if !first_of
                    .iter()
                    .any(|(survey, _)| *survey == layout.survey())
                {
                    first_of.push((layout.survey(), name));
                }
            }
            Err(_) if reading.skip_bad_files => {}
            Err(message) => {
                eprintln!("error: {message}");
                unreadable += 1;
            }
        }
    }
    if unreadable > 0 {
        // `train` needs every file it is given: it has no such option.
        let hint = if command == "train" {
            ""
        } else {
            " (--skip-bad-files leaves them out)"
        };
        return Err(format!(
            "{unreadable} of {} file(s) cannot be read, so nothing was written{hint}",
            files.len()
        ));
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

/// Reads `files` in order, reporting skipped alerts and duplicates on
/// stderr, and hands each file's name and new alerts to `on_alerts` (which stops the
/// reading by returning `Err` with its message). A file that breaks while
/// read stops it too, unless `--skip-bad-files` leaves it out: each file is
/// read whole before any of its alerts is handed over.
pub fn read_each_file(
    files: &[PathBuf],
    reading: &Reading,
    mut on_alerts: impl FnMut(&str, &[Alert]) -> Result<(), String>,
) -> Result<(), String> {
    let mut skipped_files = 0;
    let mut duplicate_filter = DuplicateFilter::new();
    let mut duplicates = DuplicateReport::new();
    for path in files {
        let name = path.display().to_string();
        let parsed = crate::inputs::open(path)
            .and_then(|handle| read_alerts(&name, handle).map_err(|error| error.to_string()));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(message) if reading.skip_bad_files => {
                eprintln!("skipped: {message}");
                skipped_files += 1;
                continue;
            }
            Err(message) => return Err(message),
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
        let (alerts, file_duplicates) = duplicate_filter.admit(&name, parsed.alerts);
        duplicates.add(&name, file_duplicates);
        on_alerts(&name, &alerts)?;
    }
    for line in duplicates.lines(reading.verbose, "--verbose lists them") {
        eprintln!("{line}");
    }
    if skipped_files > 0 {
        eprintln!(
            "{skipped_files} of {} file(s) could not be read and were left out",
            files.len()
        );
    }
    Ok(())
}

/// Writes the features of `files`, to standard output or whole to `out`;
/// nothing is written when a file cannot be read or the files mix surveys.
pub fn features(
    files: &[PathBuf],
    recompute_lc: bool,
    reading: &Reading,
    out: Option<&Path>,
) -> Result<(), String> {
    let survey = check_inputs(files, "features", reading)?;
    // No readable file (all skipped): ZTF's header alone.
    let survey = survey.unwrap_or(Survey::Ztf);
    let source = if recompute_lc {
        LcFeatureSource::Recompute
    } else {
        LcFeatureSource::FileOrRecompute
    };
    let dust = ExtinctionMap::sfd();
    let mut output = Output::open(out, header(survey))?;
    let cannot_write = write_error("the features");
    read_each_file(files, reading, |_, alerts| {
        for alert in alerts {
            let row = compute_features(alert, source, dust);
            writeln!(output, "{}", row_line(&row)).map_err(cannot_write)?;
        }
        Ok(())
    })?;
    output.finish()
}
