//! `fink-vra score` and `fink-vra export-onnx`: a model file exported from
//! the page (or written by `train`) applied outside it.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fink_vra::core::csv_text::quote_cell;
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::model_file::onnx::to_onnx;
use fink_vra::core::model_file::ModelFile;

use crate::features::{read_each_file, survey_of};

/// Reads and checks a model file, or says why not.
pub fn read_model(path: &Path) -> Result<ModelFile, String> {
    let text = crate::inputs::read_model_text(path)?;
    ModelFile::from_json(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Writes `alert_id,object_id,p_class1` for every alert of `files`, in input
/// order, computing the features with the same core as the page.
pub fn score(model_path: &Path, files: &[PathBuf], timings: bool) -> ExitCode {
    let started = std::time::Instant::now();
    let mut in_model = std::time::Duration::ZERO;
    let mut scored = 0usize;
    let model = match read_model(model_path) {
        Ok(model) => model,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match survey_of(files, "score") {
        // No readable file: each one's error is reported while reading.
        Ok(None) => {}
        Ok(Some(survey)) if survey == model.survey => {}
        Ok(Some(survey)) => {
            eprintln!(
                "error: the model is for {} alerts, but the files are {survey} alerts",
                model.survey
            );
            return ExitCode::from(2);
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    let dust = ExtinctionMap::sfd();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if writeln!(out, "alert_id,object_id,p_class1").is_err() {
        return ExitCode::FAILURE;
    }
    let read = read_each_file(files, |alerts| {
        let rows: Vec<_> = alerts
            .iter()
            .map(|alert| compute_features(alert, LcFeatureSource::FileOrRecompute, dust))
            .collect();
        let model_started = std::time::Instant::now();
        let probabilities = model.score(&rows).map_err(|error| {
            eprintln!("error: {error}");
        })?;
        in_model += model_started.elapsed();
        scored += rows.len();
        for (row, probability) in rows.iter().zip(probabilities) {
            writeln!(
                out,
                "{},{},{probability}",
                row.candid,
                quote_cell(&row.object_id)
            )
            .map_err(|_| ())?;
        }
        Ok(())
    });
    let flushed = out.flush();
    if timings {
        eprintln!(
            "timings: {scored} alerts in {:.3} s, of which the model {:.3} s",
            started.elapsed().as_secs_f64(),
            in_model.as_secs_f64()
        );
    }
    match (read, flushed) {
        (Ok(0), Ok(())) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Writes the ONNX graph of a model file; exit code 2 for a model file that
/// cannot be read (as `score`), 1 if the graph cannot be written.
pub fn export_onnx(model_path: &Path, out: &Path) -> ExitCode {
    let model = match read_model(model_path) {
        Ok(model) => model,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match fs::write(out, to_onnx(&model)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}: cannot write: {error}", out.display());
            ExitCode::FAILURE
        }
    }
}
