//! `fink-vra score` and `fink-vra export-onnx`: a model file exported from
//! the page (or written by `train`) applied outside it.

use std::io::Write;
use std::path::{Path, PathBuf};

use fink_vra::core::csv_text::quote_cell;
use fink_vra::core::features::extinction::ExtinctionMap;
use fink_vra::core::features::{compute_features, LcFeatureSource};
use fink_vra::core::model_file::onnx::to_onnx;
use fink_vra::core::model_file::ModelFile;

use crate::features::{check_inputs, read_each_file, Reading};
use crate::output::{write_whole, Output};

/// Reads and checks a model file, or says why not.
pub fn read_model(path: &Path) -> Result<ModelFile, String> {
    let text = crate::inputs::read_model_text(path)?;
    ModelFile::from_json(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Writes `alert_id,object_id,p_class1` for every alert of `files`, in input
/// order, computing the features with the same core as the page, to
/// standard output or whole to `out`. The model and every file's footer are
/// checked before the first byte.
pub fn score(
    model_path: &Path,
    files: &[PathBuf],
    timings: bool,
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
    let mut output = Output::open(out)?;
    let cannot_write = |error: std::io::Error| format!("cannot write the scores: {error}");
    writeln!(output, "alert_id,object_id,p_class1").map_err(cannot_write)?;
    read_each_file(files, reading, |alerts| {
        let rows: Vec<_> = alerts
            .iter()
            .map(|alert| compute_features(alert, LcFeatureSource::FileOrRecompute, dust))
            .collect();
        let model_started = std::time::Instant::now();
        let probabilities = model.score(&rows).map_err(|error| error.to_string())?;
        in_model += model_started.elapsed();
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
