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
    /// Labels chosen by the cold start (the page's first batch).
    #[arg(long, default_value_t = fink_vra::core::active::DEFAULT_FIRST_BATCH)]
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
    /// The share of each batch drawn uniformly at random, as the page's
    /// "exploration share" (0 to 1; 0 for none).
    #[arg(long, default_value_t = crate::DEFAULT_EXPLORATION_SHARE)]
    exploration: f64,
    /// Also cross-validate each round as the page does, and measure its
    /// honest estimate on the random picks: the columns cv_error and
    /// honest_error give each minus the validation ROC AUC (slower).
    #[arg(long)]
    estimates: bool,
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
    if !(0.0..=1.0).contains(&arguments.exploration) {
        return Err(format!(
            "--exploration: {} is not a share between 0 and 1",
            arguments.exploration
        ));
    }
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
        exploration_share: arguments.exploration,
        measure_estimates: arguments.estimates,
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
        let errors = [point.cv_error, point.honest_error]
            .iter()
            .map(|error| error.as_ref().map_or(",,".to_string(), cells))
            .collect::<Vec<_>>()
            .join(",");
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{:.4},{},{errors},{}\n",
            point.round,
            point.n_labels,
            point.auc.mean,
            point.accuracy,
            point.f1,
            point.aurak.mean,
            intervals.iter().map(cells).collect::<Vec<_>>().join(","),
            point.honest_repeats
        ));
    }
    print!("{out}");
    Ok(())
}

/// The columns: the configuration's means first (as before intervals
/// existed), then each figure's mean and 95 % interval, for the
/// configuration, random picks, and the configuration's gain over them;
/// then, with `--estimates`, how far the page's CV and honest figures are
/// from the validation ROC AUC (empty without), and the repeats with an
/// honest estimate.
pub const HEADER: &str = "round,n_labels,val_auc,val_accuracy,val_f1,val_aurak,\
    auc,auc_low,auc_high,random_auc,random_auc_low,random_auc_high,\
    gain_auc,gain_auc_low,gain_auc_high,\
    aurak,aurak_low,aurak_high,random_aurak,random_aurak_low,random_aurak_high,\
    gain_aurak,gain_aurak_low,gain_aurak_high,\
    cv_error,cv_error_low,cv_error_high,honest_error,honest_error_low,honest_error_high,\
    honest_repeats";

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
