//! `fink_vra.agreement`: a team's numbers from its label files, as
//! `fink-vra agreement --json` gives them (the same core, `core::team`),
//! with every vote for a table.

use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::team::files::votes_of_label_files;
use fink_vra::core::team::report::TeamReport;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::BindingError;
use crate::guard::without_gil;

/// One vote: (alert id, annotator, label).
type Vote = (u64, String, String);

/// The report of the label files `paths` (JSON text, the CLI's), every
/// vote, and the notes to warn about (labels without an annotator, changed
/// votes). `target` names a model type or a mapping, for `alpha_target`.
#[pyfunction]
#[pyo3(signature = (paths, target = None))]
pub fn agreement_of_files(
    py: Python<'_>,
    paths: Vec<String>,
    target: Option<String>,
) -> PyResult<(String, Vec<Vote>, Vec<String>)> {
    let target = match target {
        None => None,
        Some(text) => Some(
            TargetMapping::named_or_custom(&text)
                .map_err(|error| PyValueError::new_err(format!("target: {error}")))?,
        ),
    };
    Ok(without_gil(py, || {
        let mut files = Vec::with_capacity(paths.len());
        for path in &paths {
            let text = std::fs::read_to_string(path).map_err(|source| {
                BindingError::LabelFileUnreadable {
                    path: path.clone(),
                    source,
                }
            })?;
            files.push((path.clone(), text));
        }
        let team = votes_of_label_files(&files)?;
        let mut report = TeamReport::of(&team.table, &team.adjudications, target.as_ref());
        report.measure_gold(&team.table, &team.gold);
        let notes = team.notes;
        let votes = team
            .table
            .alerts()
            .flat_map(|(candid, votes)| {
                votes.into_iter().map(move |(annotator, label)| {
                    (candid.0, annotator.to_string(), label.name().to_string())
                })
            })
            .collect();
        Ok::<_, BindingError>((report.to_json(), votes, notes))
    })?)
}
