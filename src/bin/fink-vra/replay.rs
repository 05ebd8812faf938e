//! `fink-vra replay`: the active-learning replay on a labelled table, as CSV.

use std::path::PathBuf;

use fink_vra::core::active::replay::{replay, ReplayConfig};
use fink_vra::core::active::strategy::ColdStart;

/// Arguments of `fink-vra replay`.
#[derive(clap::Args)]
pub struct ReplayArguments {
    #[command(flatten)]
    choice: crate::choices::ModelChoice,
    #[command(flatten)]
    table: crate::choices::TrainingTable,
    /// Validation features CSV.
    #[arg(long)]
    val: PathBuf,
    /// Validation labels CSV.
    #[arg(long)]
    val_labels: PathBuf,
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

/// Runs the replay and prints the learning curve.
pub fn run_replay(arguments: &ReplayArguments) -> Result<(), String> {
    let (model, strategy, target) = arguments.choice.parse()?;
    let cold_start = ColdStart::by_name(&arguments.cold_start).ok_or_else(|| {
        format!(
            "--cold-start: unknown `{}` (expected random or diverse)",
            arguments.cold_start
        )
    })?;
    let train = arguments.table.read()?;
    let validation = crate::choices::read_table(&arguments.val, &arguments.val_labels)?;
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
    let mut out = String::from("round,n_labels,val_auc,val_accuracy,val_f1,val_aurak\n");
    for point in points {
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{:.4}\n",
            point.round,
            point.n_labels,
            point.val_auc,
            point.val_accuracy,
            point.val_f1,
            point.val_aurak
        ));
    }
    print!("{out}");
    Ok(())
}
