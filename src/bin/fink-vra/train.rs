//! `fink-vra train`: a model file from a label file and alert files, with the
//! page's own code (`Workspace`, `TrainingJob`, `ModelFile::export_round`):
//! either a new round on every label, or, with `--round N`, round N of a
//! page's JSON export again, the same model the page exported for it. A
//! version 3 label file carries its labels' feature rows, so it needs no
//! alert files; alert files given as well fill the rows it lacks.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use fink_vra::core::active::strategy::QueryStrategy;
use fink_vra::core::alert::Survey;
use fink_vra::core::features::feature_names;
use fink_vra::core::labels::class_summary::{ClassSummary, MIN_LABELS_PER_CLASS};
use fink_vra::core::labels::exchange::{label_file_survey, LabelImportError};
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::model::ModelSpec;
use fink_vra::core::model_file::{training_matrix, ModelFile};
use fink_vra::core::parallel::available_threads;
use fink_vra::core::session::{ImportOutcome, SavedSession};
use fink_vra::core::workbench::{TrainingJob, WorkbenchSettings};
use fink_vra::core::workspace::{FileOutcome, Workspace};

use crate::features::{check_inputs, Reading};

#[derive(clap::Args)]
pub struct TrainArguments {
    /// A label file the page imports: its JSON export (with its rounds), a
    /// labeled.csv, or the LSST label CSV.
    #[arg(long)]
    labels: PathBuf,
    /// Fit round N of the JSON export again (its labels, model, features
    /// and seed) instead of a new round on every label.
    #[arg(long, conflicts_with_all = ["target", "model", "seed", "exclude"])]
    round: Option<u32>,
    /// Model type: gal, real, trans, or a mapping such as extragal=1,gal=0.
    #[arg(long, default_value = "gal")]
    target: String,
    /// Classifier: extra-trees, gradient-boosting or logistic-regression.
    #[arg(long, default_value = crate::DEFAULT_MODEL)]
    model: String,
    /// The seed (the round's model is fitted with seed + round).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Features to leave out, comma-separated (names of the survey's features).
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Where to write the model file.
    #[arg(long)]
    out: PathBuf,
    /// Threads for the round's fits (the model and each cross-validation
    /// fold); the model file is the same on any number. Default: the
    /// machine's cores, at most 4.
    #[arg(long)]
    threads: Option<usize>,
    /// Fink alert files holding the labelled alerts (optional with a version
    /// 3 label file, which carries the rows).
    files: Vec<PathBuf>,
}

/// The most threads `train` uses by default, as the page's worker pool.
const MAX_THREADS: usize = 4;

/// Now, UTC, ISO 8601 to the second.
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    fink_vra::core::display::iso_utc(seconds)
}

fn settings(arguments: &TrainArguments, survey: Survey) -> Result<WorkbenchSettings, String> {
    let known = feature_names(survey);
    if let Some(unknown) = arguments
        .exclude
        .iter()
        .find(|name| !known.contains(&name.as_str()))
    {
        return Err(format!("--exclude: `{unknown}` is not a {survey} feature"));
    }
    let target = TargetMapping::named_or_custom(&arguments.target)
        .map_err(|error| format!("--target: {error}"))?;
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
    let label_text = crate::inputs::read_text(&arguments.labels, "label file")?;
    let label_name = arguments.labels.display().to_string();
    let survey = match check_inputs(&arguments.files, "train", &Reading::default())? {
        Some(survey) => survey,
        // No alert files: the label file's survey.
        None => label_file_survey(&label_name, &label_text).map_err(|error| {
            format!("{error} (without alert files, the labels must be a JSON export)")
        })?,
    };
    let mut workspace = Workspace::for_survey(survey);
    for path in &arguments.files {
        let bytes = crate::inputs::read_alert_file(path)?;
        if let FileOutcome::Failed(error) = &workspace
            .load_file(&path.display().to_string(), bytes)
            .outcome
        {
            return Err(error.to_string());
        }
    }
    let mut saved = SavedSession::for_survey(survey);
    let (outcome, rows) = saved
        .import_label_file(&label_name, &label_text)
        .map_err(|error| match error {
            // The page's words ("switch to …") are for its survey switch.
            LabelImportError::OtherSurvey {
                file,
                found,
                session,
            } => format!(
                "{file}: these are {found} labels, and the alert files given are {session} \
                 alerts: give a label file and alert files of the same survey"
            ),
            other => other.to_string(),
        })?;
    if let ImportOutcome::Merged {
        features_left_out: Some(why),
        ..
    } = &outcome
    {
        eprintln!("{label_name}: features left out: {why}");
    }
    let _ = workspace.take_in_rows(rows, true);
    let waiting = workspace.labels_waiting_for_rows(&saved.labels);
    if waiting > 0 {
        eprintln!(
            "{waiting} labels have no feature row (neither in the label file nor in the alert \
             files given): left out"
        );
    }
    // The model file, and what it trained on (for a new round, with the
    // labels its target leaves out).
    let (model, summary) = match arguments.round {
        Some(round) => {
            let record = saved
                .rounds
                .iter()
                .find(|record| record.round == round)
                .ok_or_else(|| {
                    format!(
                        "--round {round}: {} holds no such round ({} round(s))",
                        arguments.labels.display(),
                        saved.rounds.len()
                    )
                })?;
            let model =
                ModelFile::export_round(&workspace, record).map_err(|error| error.to_string())?;
            let trained = model.training.iter().map(|example| example.label.as_str());
            let summary = ClassSummary::of(&model.target, trained);
            (model, summary)
        }
        None => {
            let settings = settings(arguments, survey)?;
            let (job, values) = TrainingJob::for_workspace(
                &workspace,
                &saved.labels,
                &settings,
                saved.rounds.len() as u32,
                utc_now(),
            );
            let labels = job.labels.iter().map(|(_, label)| label.as_str());
            let summary = ClassSummary::of(&settings.target, labels);
            refuse_a_short_class(&arguments.target, &summary)?;
            let threads = arguments
                .threads
                .unwrap_or_else(|| available_threads(MAX_THREADS))
                .max(1);
            // The round's own fit goes in the file: no second fit.
            let (record, fitted) = job
                .train_model(&values, threads)
                .map_err(|error| error.to_string())?;
            let training =
                training_matrix(&workspace, &record).map_err(|error| error.to_string())?;
            let model = ModelFile::checked(survey, &record, fitted, &training)
                .map_err(|error| error.to_string())?;
            (model, summary)
        }
    };
    crate::output::write_whole(&arguments.out, model.to_json().as_bytes())?;
    eprintln!(
        "round {}: {} on {} labels: {summary}; {} features → {}",
        model.round,
        model.classifier.name(),
        model.training.len(),
        model.feature_names.len(),
        arguments.out.display()
    );
    Ok(())
}

/// Refuses a new round under which a class has too few labels: its model
/// would say one number for every alert.
fn refuse_a_short_class(target: &str, summary: &ClassSummary) -> Result<(), String> {
    match summary.short_class() {
        None => Ok(()),
        Some(class) => Err(format!(
            "--target {target}: {} has {} label(s) ({summary}); a round needs at least \
             {MIN_LABELS_PER_CLASS} labels of each class to fit a classifier and cross-validate it: \
             label more alerts of that class, or choose another --target",
            summary.class_name(class),
            summary.count(class)
        )),
    }
}
