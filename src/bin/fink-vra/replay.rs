//! `fink-vra replay`: the active-learning replay on a labelled table, as CSV,
//! paired with random picks after the same cold start: each figure with its
//! 95 % interval over the repeats, and the gain over random.

use std::path::PathBuf;

use fink_vra::core::active::interval::Interval;
use fink_vra::core::active::replay::{paired_replay, ReplayConfig};
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
    /// How the first labels are chosen: random, diverse or representative.
    #[arg(long, default_value = crate::DEFAULT_COLD_START)]
    cold_start: String,
    #[arg(long, default_value_t = 30)]
    initial: usize,
    #[arg(long, default_value_t = 10)]
    batch: usize,
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Repeats (seeds) to average over; the intervals need 2 or more.
    #[arg(long, default_value_t = 20)]
    repeats: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Runs the replay and prints the learning curve.
pub fn run_replay(arguments: &ReplayArguments) -> Result<(), String> {
    let (model, strategy, target) = arguments.choice.parse()?;
    let cold_start = ColdStart::by_name(&arguments.cold_start).ok_or_else(|| {
        format!(
            "--cold-start: unknown `{}` (expected random, diverse or representative)",
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
        paired_replay(&train, &validation, &target, &config).map_err(|error| error.to_string())?;
    let mut out = String::from(HEADER);
    out.push('\n');
    for point in points {
        let intervals = [
            point.auc,
            point.random_auc,
            point.gain_auc,
            point.aurak,
            point.random_aurak,
            point.gain_aurak,
        ];
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{:.4},{}\n",
            point.round,
            point.n_labels,
            point.auc.mean,
            point.accuracy,
            point.f1,
            point.aurak.mean,
            intervals.iter().map(cells).collect::<Vec<_>>().join(",")
        ));
    }
    print!("{out}");
    Ok(())
}

/// The columns: the configuration's means first (as before intervals
/// existed), then each figure's mean and 95 % interval, for the
/// configuration, random picks, and the configuration's gain over them.
pub const HEADER: &str = "round,n_labels,val_auc,val_accuracy,val_f1,val_aurak,\
    auc,auc_low,auc_high,random_auc,random_auc_low,random_auc_high,\
    gain_auc,gain_auc_low,gain_auc_high,\
    aurak,aurak_low,aurak_high,random_aurak,random_aurak_low,random_aurak_high,\
    gain_aurak,gain_aurak_low,gain_aurak_high";

/// An interval's three cells; a bound that one repeat cannot give is empty.
fn cells(interval: &Interval) -> String {
    let bound = |value: Option<f64>| value.map_or(String::new(), |value| format!("{value:.4}"));
    format!(
        "{:.4},{},{}",
        interval.mean,
        bound(interval.low),
        bound(interval.high)
    )
}
