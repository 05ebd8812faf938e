//! `fink-vra score` and `fink-vra export-onnx`: a model file exported from
//! the page (or written by `train`) applied outside it.

use std::io::Write;
use std::path::{Path, PathBuf};

use fink_vra::core::csv_text::quote_cell;
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::model_file::missing::{missing_features_line, MISSING_FEATURES_CONSEQUENCE};
use fink_vra::core::model_file::onnx::to_onnx;
use fink_vra::core::model_file::ModelFile;

use crate::features::{check_inputs, read_each_file, Reading};
use crate::output::{write_error, write_whole, Output};

/// Reads and checks a model file, or says why not.
pub fn read_model(path: &Path) -> Result<ModelFile, String> {
    let text = crate::inputs::read_model_text(path)?;
    ModelFile::from_json(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Writes `alert_id,object_id,p_class1` for every alert of `files`, in input
/// order, computing the features with the same core as the page, to
/// standard output or whole to `out`. The model and every file's footer are
/// checked before the first byte. Files that lack features the model was
/// trained with are named in a summary on stderr (an error when `strict`).
pub fn score(
    model_path: &Path,
    files: &[PathBuf],
    timings: bool,
    strict: bool,
    reading: &Reading,
    out: Option<&Path>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut in_model = std::time::Duration::ZERO;
    let mut scored = 0usize;
    let model = read_model(model_path)?;
    let survey = check_inputs(files, "score", reading)?;
    if let Some(survey) = survey.filter(|survey| *survey != model.survey) {
        return Err(format!(
            "the model is for {} alerts, but the files are {survey} alerts",
            model.survey
        ));
    }
    let dust = ExtinctionMap::sfd();
    let mut output = Output::open(out, "alert_id,object_id,p_class1".to_string())?;
    let cannot_write = write_error("the scores");
    let mut missing_lines = Vec::new();
    read_each_file(files, reading, |file, alerts| {
        let rows: Vec<_> = alerts
            .iter()
            .map(|alert| compute_features(alert, LcFeatureSource::FileOrRecompute, dust))
            .collect();
        let model_started = std::time::Instant::now();
        let (probabilities, missing) = model
            .score_noting_missing(&rows)
            .map_err(|error| error.to_string())?;
        in_model += model_started.elapsed();
        if !missing.is_empty() {
            let line = missing_features_line(file, &missing);
            if strict {
                return Err(format!(
                    "{line}: --strict refuses alerts that lack features the model was trained \
                     with (without it, they are scored and this is a warning)"
                ));
            }
            missing_lines.push(line);
        }
        scored += rows.len();
        for (row, probability) in rows.iter().zip(probabilities) {
            writeln!(
                output,
                "{},{},{probability}",
                row.candid,
                quote_cell(&row.object_id)
            )
            .map_err(cannot_write)?;
        }
        Ok(())
    })?;
    output.finish()?;
    if !missing_lines.is_empty() {
        eprintln!(
            "missing features in {} of {} file(s): {MISSING_FEATURES_CONSEQUENCE} \
             (--strict makes this an error):",
            missing_lines.len(),
            files.len()
        );
        for line in &missing_lines {
            eprintln!("  {line}");
        }
    }
    if timings {
        eprintln!(
            "timings: {scored} alerts in {:.3} s, of which the model {:.3} s",
            started.elapsed().as_secs_f64(),
            in_model.as_secs_f64()
        );
    }
    Ok(())
}

/// Writes the ONNX graph of a model file (whole or not at all).
pub fn export_onnx(model_path: &Path, out: &Path) -> Result<(), String> {
    let model = read_model(model_path)?;
    write_whole(out, &to_onnx(&model))
}
