//! `fink-vra train`: a model file from alert files and a label file, with the
//! page's own code (`Workspace`, `TrainingJob`, `ModelFile::export_round`):
//! either a new round on every label, or, with `--round N`, round N of a
//! page's JSON export again, the same model the page exported for it.

use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use fink_vra::core::active::strategy::QueryStrategy;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::model::ModelSpec;
use fink_vra::core::model_file::ModelFile;
use fink_vra::core::session::SavedSession;
use fink_vra::core::workbench::{TrainingJob, WorkbenchSettings};
use fink_vra::core::workspace::{FileOutcome, Workspace};

use crate::features::survey_of;

#[derive(clap::Args)]
pub struct TrainArguments {
    /// A label file the page imports: its JSON export (with its rounds), a
    /// labeled.csv, or the LSST label CSV.
    #[arg(long)]
    labels: PathBuf,
    /// Fit round N of the JSON export again (its labels, model, features
    /// and seed) instead of a new round on every label.
    #[arg(long)]
    round: Option<usize>,
    /// Model type: gal, real, trans, or a mapping such as extragal=1,gal=0.
    #[arg(long, default_value = "gal")]
    target: String,
    /// Classifier: extra-trees, gradient-boosting or logistic-regression.
    #[arg(long, default_value = crate::DEFAULT_MODEL)]
    model: String,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Features to leave out, comma-separated.
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Where to write the model file.
    #[arg(long)]
    out: PathBuf,
    /// Fink alert files holding the labelled alerts.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Now, UTC, ISO 8601 to the second (civil date from days since 1970).
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (days, of_day) = ((seconds / 86_400) as i64, seconds % 86_400);
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

fn settings(arguments: &TrainArguments) -> Result<WorkbenchSettings, String> {
    let target = TargetMapping::built_in()
        .into_iter()
        .find(|target| target.name == arguments.target)
        .map_or_else(
            || TargetMapping::parse_custom(&arguments.target).map_err(|e| format!("--target: {e}")),
            Ok,
        )?;
    let model = ModelSpec::by_name(&arguments.model).ok_or_else(|| {
        format!(
            "--model: unknown `{}` (expected one of {})",
            arguments.model,
            ModelSpec::NAMES.join(", ")
        )
    })?;
    Ok(WorkbenchSettings {
        target,
        model,
        strategy: QueryStrategy::by_name(crate::DEFAULT_STRATEGY)
            .unwrap_or(QueryStrategy::Uncertainty),
        seed: arguments.seed,
        excluded_features: arguments.exclude.clone(),
        ..WorkbenchSettings::default()
    })
}

/// Writes the model file, or says why not.
pub fn run(arguments: &TrainArguments) -> Result<(), String> {
    let survey = survey_of(&arguments.files)?;
    let mut workspace = Workspace::for_survey(survey);
    for path in &arguments.files {
        let bytes = fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if let FileOutcome::Failed(error) = &workspace
            .load_file(&path.display().to_string(), bytes)
            .outcome
        {
            return Err(error.to_string());
        }
    }
    let label_text = fs::read_to_string(&arguments.labels)
        .map_err(|e| format!("{}: cannot read: {e}", arguments.labels.display()))?;
    let mut saved = SavedSession::for_survey(survey);
    saved
        .import_label_file(&arguments.labels.display().to_string(), &label_text)
        .map_err(|error| error.to_string())?;
    let record = match arguments.round {
        Some(round) => saved.rounds.get(round).cloned().ok_or_else(|| {
            format!(
                "--round {round}: {} holds {} round(s)",
                arguments.labels.display(),
                saved.rounds.len()
            )
        })?,
        None => {
            let (job, values) = TrainingJob::for_loaded(
                survey,
                workspace.features(),
                &saved.labels,
                &settings(arguments)?,
                saved.rounds.len() as u32,
                utc_now(),
            );
            job.run(&values).map_err(|error| error.to_string())?.record
        }
    };
    let model = ModelFile::export_round(&workspace, &record).map_err(|error| error.to_string())?;
    fs::write(&arguments.out, model.to_json())
        .map_err(|e| format!("{}: cannot write: {e}", arguments.out.display()))?;
    eprintln!(
        "round {}: {} on {} labels ({} / {}), {} features → {}",
        record.round,
        record.model.name(),
        record.training.len(),
        record.class_counts[0],
        record.class_counts[1],
        model.feature_names.len(),
        arguments.out.display()
    );
    Ok(())
}
