//! `fink-vra features`: one CSV row per alert on stdout, streamed file by file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use fink_vra::core::alert_set::DuplicateFilter;
use fink_vra::core::features::csv::{header, row_line};
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::ingest::read_alerts;

/// Writes the features of `files`; non-zero exit if any file could not be read.
pub fn features(files: &[PathBuf], recompute_lc: bool) -> ExitCode {
    let source = if recompute_lc {
        LcFeatureSource::Recompute
    } else {
        LcFeatureSource::FileOrRecompute
    };
    let dust = ExtinctionMap::sfd();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed_files = 0;
    let mut duplicate_filter = DuplicateFilter::new();
    if writeln!(out, "{}", header()).is_err() {
        return ExitCode::FAILURE;
    }
    for path in files {
        let name = path.display().to_string();
        let parsed = File::open(path)
            .map_err(|error| format!("{name}: cannot open: {error}"))
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
                "skipped: {name}: row {} (candid {candid}): {}",
                skipped.row, skipped.reason
            );
        }
        let (alerts, duplicates) = duplicate_filter.admit(&name, parsed.alerts);
        for duplicate in &duplicates {
            eprintln!(
                "duplicate: {name}: candid {} already read from {}",
                duplicate.candid, duplicate.first_seen_in
            );
        }
        for alert in &alerts {
            let row = compute_features(alert, source, dust);
            if writeln!(out, "{}", row_line(&row)).is_err() {
                return ExitCode::FAILURE;
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    if failed_files > 0 {
        eprintln!(
            "{failed_files} of {} file(s) could not be read",
            files.len()
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
