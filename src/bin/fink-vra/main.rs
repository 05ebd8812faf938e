//! The fink-vra command line: the same core as the page, for scripting,
//! checking and benchmarking natively.

mod agreement;
mod bench;
mod choices;
mod features;
mod inputs;
mod output;
mod replay;
mod score;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "fink-vra",
    version,
    about = "Active-learning tools for the Fink ZTF and Rubin/LSST alert streams"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write one feature row per alert of the given parquet files, as CSV on stdout.
    ///
    /// The survey is told from the files (ZTF or LSST; both in one call is an
    /// error) and the header is that survey's. Rows follow the input order; an
    /// alert id seen twice is kept once (one summary line on stderr). Every
    /// file's footer is checked first: if one cannot be read, nothing is
    /// written (exit code 2). With --out the file appears whole or not at all.
    Features {
        /// Ignore the files' lc_features_* (ZTF) or lc_features (LSST) and
        /// recompute them from the light curve.
        #[arg(long)]
        recompute_lc: bool,
        /// Write the CSV to this file (whole, or nothing if a file fails)
        /// instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        reading: features::Reading,
        /// Fink alert files (ZTF: full schema or finkvra clean layout; Rubin/LSST: schema 7 to 10).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Replay active learning on a labelled table and print the validation
    /// learning curve as CSV: round,n_labels,val_auc,val_accuracy,val_f1,val_aurak
    /// (means over the repeats), then ROC AUC and AuRaK with their 95 %
    /// intervals, for the configuration, for random picks after the same
    /// cold start with the same seeds, and the configuration's paired gain
    /// over random. Round r trains on initial + r × batch labels.
    Replay(replay::ReplayArguments),
    /// Time one round at scale: fit on `--labels` labels, predict a pool of
    /// `--pool` alerts built from the table (rows replicated with jitter), rank it.
    BenchRound(bench::BenchArguments),
    /// Write a model file (as the page's "Export model") from alert files and
    /// a label file: a new round on every label, or with --round N round N of
    /// a page's JSON export again.
    Train(train::TrainArguments),
    /// Score alert files with a model file (exported from the page's rounds
    /// table): `alert_id,object_id,p_class1` as CSV on stdout, in input order.
    ///
    /// The features are computed as `features` computes them. The model and
    /// every file's footer are checked before anything is written; files of
    /// another survey than the model's are an error (exit code 2).
    Score {
        /// The model file (JSON, "format": "fink-vra-model").
        #[arg(long)]
        model: PathBuf,
        /// Print on stderr the total time and the model's share of it.
        #[arg(long)]
        timings: bool,
        /// Fail (exit code 2) when a file lacks a feature the model uses:
        /// missing for every alert while training had it, or far more often
        /// than in training. Without it, such files are named on stderr.
        #[arg(long)]
        strict: bool,
        /// Write the CSV to this file (whole, or nothing if a file fails)
        /// instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        reading: features::Reading,
        /// Fink alert files of the model's survey.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// How much a team agrees, from its label files alone: per annotator
    /// (votes, shared alerts, agreement, one-coin Dawid–Skene accuracy), per
    /// pair (agreement, Cohen's kappa), Krippendorff's alpha, and the alerts
    /// whose votes tie. Each annotator's latest label on an alert is their vote.
    Agreement(agreement::AgreementArguments),
    /// Write a model file as an ONNX-ML graph (float32 input `features`
    /// [N, F] in the model's feature order, NaN for missing; output
    /// `p_class1` [N, 1]), loadable by onnxruntime 1.16.3 and later.
    ExportOnnx {
        /// The model file (JSON).
        model: PathBuf,
        /// Where to write the .onnx file.
        out: PathBuf,
    },
}

/// The app's defaults, chosen by the replay benchmark (bench/REPLAY.md).
pub const DEFAULT_MODEL: &str = fink_vra::core::active::DEFAULT_MODEL;
pub const DEFAULT_STRATEGY: &str = fink_vra::core::active::DEFAULT_STRATEGY;
pub const DEFAULT_COLD_START: &str = fink_vra::core::active::DEFAULT_COLD_START;
pub const DEFAULT_EXPLORATION_SHARE: f64 = fink_vra::core::active::DEFAULT_EXPLORATION_SHARE;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Features {
            recompute_lc,
            out,
            reading,
            files,
        } => report(features::features(
            &files,
            recompute_lc,
            &reading,
            out.as_deref(),
        )),
        Command::Replay(arguments) => report(replay::run_replay(&arguments)),
        Command::BenchRound(arguments) => report(bench::run(&arguments)),
        Command::Train(arguments) => report(train::run(&arguments)),
        Command::Score {
            model,
            timings,
            strict,
            out,
            reading,
            files,
        } => report(score::score(
            &model,
            &files,
            timings,
            strict,
            &reading,
            out.as_deref(),
        )),
        Command::ExportOnnx { model, out } => report(score::export_onnx(&model, &out)),
        Command::Agreement(arguments) => report(agreement::run(&arguments)),
    }
}

/// Prints an error, if any, and turns it into the exit code: 2 for every
/// error, as for a usage error; a reader that went away (`| head`) is no
/// error.
fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) if message == output::READER_GONE => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
