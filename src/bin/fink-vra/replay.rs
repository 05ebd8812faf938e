//! `fink-vra replay`: the active-learning replay on a labelled table, as CSV.

use std::path::{Path, PathBuf};

use fink_vra::core::active::replay::{replay, ReplayConfig};
use fink_vra::core::active::strategy::{ColdStart, QueryStrategy};
use fink_vra::core::active::table::LabelledTable;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::model::ModelSpec;

/// Arguments of `fink-vra replay`.
#[derive(clap::Args)]
pub struct ReplayArguments {
    /// Training features CSV: an ID column, then numeric features.
    #[arg(long)]
    train: PathBuf,
    /// Training labels CSV (ID and `type` or `label`), aligned by position.
    #[arg(long)]
    train_labels: PathBuf,
    /// Validation features CSV.
    #[arg(long)]
    val: PathBuf,
    /// Validation labels CSV.
    #[arg(long)]
    val_labels: PathBuf,
    /// Labels to classes, e.g. good=0,galactic=1,pm=1 (other labels are left out).
    #[arg(long)]
    map: String,
    /// Classifier: extra-trees, gradient-boosting or logistic-regression.
    #[arg(long, default_value = crate::DEFAULT_MODEL)]
    model: String,
    /// Query strategy: uncertainty, margin, entropy, random or diverse-uncertainty.
    /// Extra-trees only: number of trees (default: the model's).
    #[arg(long)]
    trees: Option<usize>,
    /// Extra-trees only: minimum samples per leaf (default: the model's).
    #[arg(long)]
    min_samples_leaf: Option<usize>,
    #[arg(long, default_value = crate::DEFAULT_STRATEGY)]
    strategy: String,
    /// How the first labels are chosen: random or diverse.
    #[arg(long, default_value = crate::DEFAULT_COLD_START)]
    cold_start: String,
    #[arg(long, default_value_t = 30)]
    initial: usize,
    #[arg(long, default_value_t = 10)]
    batch: usize,
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// The training or validation table: features CSV and labels CSV.
pub fn read_table(features: &Path, labels: &Path) -> Result<LabelledTable, String> {
    LabelledTable::from_csv(
        &features.display().to_string(),
        &read_text(features)?,
        &labels.display().to_string(),
        &read_text(labels)?,
    )
    .map_err(|error| error.to_string())
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|error| format!("{}: cannot read: {error}", path.display()))
}

/// `--model`, `--strategy` and `--map` as core types, or a message naming the bad one.
pub fn parse_choices(
    model: &str,
    strategy: &str,
    map: &str,
) -> Result<(ModelSpec, QueryStrategy, TargetMapping), String> {
    let target = TargetMapping::parse("replay", map).map_err(|error| format!("--map: {error}"))?;
    let model = ModelSpec::by_name(model).ok_or_else(|| {
        format!(
            "--model: unknown `{model}` (expected one of {})",
            ModelSpec::NAMES.join(", ")
        )
    })?;
    let strategy = QueryStrategy::by_name(strategy).ok_or_else(|| {
        let names: Vec<&str> = QueryStrategy::ALL.iter().map(|s| s.name()).collect();
        format!(
            "--strategy: unknown `{strategy}` (expected one of {})",
            names.join(", ")
        )
    })?;
    Ok((model, strategy, target))
}

/// Runs the replay and prints the learning curve.
pub fn run_replay(arguments: &ReplayArguments) -> Result<(), String> {
    let (model, strategy, target) =
        parse_choices(&arguments.model, &arguments.strategy, &arguments.map)?;
    let model = model.with_forest_shape(arguments.trees, arguments.min_samples_leaf);
    let cold_start = ColdStart::by_name(&arguments.cold_start).ok_or_else(|| {
        format!(
            "--cold-start: unknown `{}` (expected random or diverse)",
            arguments.cold_start
        )
    })?;
    let train = read_table(&arguments.train, &arguments.train_labels)?;
    let validation = read_table(&arguments.val, &arguments.val_labels)?;
    let config = ReplayConfig {
        model,
        strategy,
        cold_start,
        initial: arguments.initial,
        batch: arguments.batch,
        rounds: arguments.rounds,
        repeats: arguments.repeats,
        seed: arguments.seed,
    };
    let points =
        replay(&train, &validation, &target, &config).map_err(|error| error.to_string())?;
    let mut out = String::from("round,n_labels,val_auc,val_accuracy,val_f1\n");
    for point in points {
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4}\n",
            point.round, point.n_labels, point.val_auc, point.val_accuracy, point.val_f1
        ));
    }
    print!("{out}");
    Ok(())
}
