//! `fink-vra train`: a model file from label files and alert files, with the
//! page's own code (`Workspace`, `TrainingJob`, `ModelFile::export_round`):
//! either a new round on every labelled alert, or, with `--round N`, round N
//! of a page's JSON export again, the same model the page exported for it. A
//! version 3 label file carries its labels' feature rows, so it needs no
//! alert files; alert files given as well fill the rows it lacks.
//!
//! Several label files are a team's: every label is its annotator's vote,
//! and `--consensus` (`core::team::consensus`) says which label each alert
//! trains with and which alerts are left out as contested.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use fink_vra::core::active::strategy::QueryStrategy;
use fink_vra::core::alert::Survey;
use fink_vra::core::display::honest_summary;
use fink_vra::core::features::feature_names;
use fink_vra::core::labels::class_summary::{ClassSummary, MIN_LABELS_PER_CLASS};
use fink_vra::core::labels::exchange::{label_file_survey, LabelImportError};
use fink_vra::core::labels::settled::SettledLabels;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::labels::votes::VoteTable;
use fink_vra::core::model::ModelSpec;
use fink_vra::core::model_file::{training_matrix, ModelFile};
use fink_vra::core::parallel::available_threads;
use fink_vra::core::session::{ImportOutcome, SavedSession};
use fink_vra::core::team::consensus::{
    settle, ConsensusRecord, ConsensusRule, DEFAULT_POSTERIOR_THRESHOLD,
};
use fink_vra::core::workbench::{TrainingJob, WorkbenchSettings};
use fink_vra::core::workspace::{FileOutcome, Workspace};

use crate::features::{check_inputs, Reading};

#[derive(clap::Args)]
pub struct TrainArguments {
    /// A label file the page imports: its JSON export (with its rounds), a
    /// labeled.csv, or the LSST label CSV. Give it once per file: several
    /// files are the votes of a team (see --consensus).
    #[arg(long, required = true)]
    labels: Vec<PathBuf>,
    /// Fit round N of the JSON export again (its labels, model, features
    /// and seed) instead of a new round on every label. One label file only.
    #[arg(long, conflicts_with_all = ["target", "model", "seed", "exclude", "consensus", "posterior", "annotator"])]
    round: Option<u32>,
    /// Which label an alert that several annotators labelled trains with:
    /// mine (--annotator's vote, else the others' when they agree),
    /// majority (the most common; a tie is left out) or weighted (the
    /// one-coin Dawid–Skene label, when its posterior reaches --posterior).
    #[arg(long, default_value = "majority")]
    consensus: String,
    /// The posterior a weighted label needs to train.
    #[arg(long, default_value_t = DEFAULT_POSTERIOR_THRESHOLD)]
    posterior: f64,
    /// Whose votes `--consensus mine` prefers.
    #[arg(long)]
    annotator: Option<String>,
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
    if arguments.round.is_some() && arguments.labels.len() > 1 {
        return Err(
            "--round fits a round of one JSON export again: give one --labels file".to_string(),
        );
    }
    let mut label_files = Vec::with_capacity(arguments.labels.len());
    for path in &arguments.labels {
        let text = crate::inputs::read_text(path, "label file")?;
        label_files.push((path.display().to_string(), text));
    }
    let Some((first_name, first_text)) = label_files.first() else {
        return Err("give a label file with --labels".to_string());
    };
    let survey = match check_inputs(&arguments.files, "train", &Reading::default())? {
        Some(survey) => survey,
        // No alert files: the first label file's survey.
        None => label_file_survey(first_name, first_text).map_err(|error| {
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
    // Each file's rows (version 3) go into the training table; its labels
    // into a session, for `--round`'s history and the survey's checks.
    let mut saved = SavedSession::for_survey(survey);
    for (label_name, label_text) in &label_files {
        let (outcome, rows) = saved
            .import_label_file(label_name, label_text)
            .map_err(|error| match error {
                // The page's words ("switch to …") are for its survey switch.
                LabelImportError::OtherSurvey {
                    file,
                    found,
                    session,
                } if arguments.files.is_empty() => format!(
                    "{file}: these are {found} labels, and {first_name} holds {session} labels: \
                     give label files of one survey"
                ),
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
            features_left_out,
            unnamed,
            replaced,
            ..
        } = &outcome
        {
            if let Some(why) = features_left_out {
                eprintln!("{label_name}: features left out: {why}");
            }
            if let Some(unnamed) = unnamed {
                eprintln!(
                    "{label_name}: {unnamed} (give each label an annotator, or the file one)"
                );
            }
            for replaced in replaced {
                eprintln!(
                    "{label_name}: {} labelled alert {} {} and later {}: the later label is the vote",
                    replaced.annotator, replaced.candid, replaced.dropped, replaced.kept
                );
            }
        }
        let _ = workspace.take_in_rows(rows, true);
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
                        first_name,
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
            let (labels, consensus) = consensus_labels(arguments, &saved)?;
            let waiting = workspace.labels_waiting_for_rows(&labels);
            if waiting > 0 {
                eprintln!(
                    "{waiting} labels have no feature row (neither in the label files nor in \
                     the alert files given): left out"
                );
            }
            let (job, values) = TrainingJob::for_workspace(
                &workspace,
                &labels,
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
            let (mut record, fitted) = job
                .train_model(&values, threads)
                .map_err(|error| error.to_string())?;
            record.consensus = consensus;
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
    if let Some(honest) = &model.metrics.honest_estimate {
        eprintln!("estimated on tonight's alerts: {}", honest_summary(honest));
    }
    Ok(())
}

/// The label each voted alert of the label files (read into `saved`: every
/// vote and adjudication) trains with, by the arguments' consensus rule,
/// and, when the files hold more than one annotator, the record of it for
/// the round (and a line on stderr). One annotator's labels train as the
/// page trains them, and their model file is the page's.
fn consensus_labels(
    arguments: &TrainArguments,
    saved: &SavedSession,
) -> Result<(SettledLabels, Option<ConsensusRecord>), String> {
    let rule = ConsensusRule::by_name(&arguments.consensus).ok_or_else(|| {
        format!(
            "--consensus: unknown `{}` (expected one of mine, majority, weighted)",
            arguments.consensus
        )
    })?;
    if !(0.0..=1.0).contains(&arguments.posterior) {
        return Err(format!(
            "--posterior: {} is not a probability (between 0 and 1)",
            arguments.posterior
        ));
    }
    let me = match (rule, &arguments.annotator) {
        (_, Some(name)) if !name.trim().is_empty() => name.trim(),
        (ConsensusRule::Mine, _) => {
            return Err(
                "--consensus mine prefers one annotator's votes: name them with --annotator"
                    .to_string(),
            )
        }
        _ => "",
    };
    // The session the label files were read into holds every vote and
    // adjudication of them all (one vote per annotator and alert).
    let votes = VoteTable::from_entries(saved.labels.all_votes());
    let settled = settle(
        &votes,
        rule,
        arguments.posterior,
        me,
        saved.labels.adjudications(),
    );
    if votes.annotators().len() > 1 || settled.counts.left_out > 0 {
        eprintln!(
            "consensus {rule} over {} annotators' votes: {}",
            votes.annotators().len(),
            settled.counts
        );
    }
    let labels = settled.training;
    let team = votes.annotators().len() > 1;
    let record = team.then(|| ConsensusRecord {
        rule,
        posterior_threshold: arguments.posterior,
        annotator: if rule == ConsensusRule::Mine {
            me.to_string()
        } else {
            String::new()
        },
        counts: settled.counts,
    });
    Ok((labels, record))
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
