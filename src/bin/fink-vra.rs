//! The fink-vra command line: the same core as the page, for scripting,
//! checking and benchmarking natively.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use fink_vra::core::alert_set::DuplicateFilter;
use fink_vra::core::features::csv::{header, row_line};
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::ingest::read_alerts;

#[derive(Parser)]
#[command(
    name = "fink-vra",
    version,
    about = "Active-learning tools for the Fink ZTF alert stream"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write one feature row per alert of the given parquet files, as CSV on stdout.
    ///
    /// Rows follow the input order; a candid seen twice is kept once. Skipped
    /// alerts, duplicates and unreadable files are reported on stderr, and the
    /// exit code is non-zero if any file could not be read.
    Features {
        /// Ignore the files' lc_features_* and recompute them from the light curve.
        #[arg(long)]
        recompute_lc: bool,
        /// Fink alert files (full schema or finkvra clean layout).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Features {
            recompute_lc,
            files,
        } => features(&files, recompute_lc),
    }
}

fn features(files: &[PathBuf], recompute_lc: bool) -> ExitCode {
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
