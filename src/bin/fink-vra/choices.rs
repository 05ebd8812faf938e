//! The arguments that `replay` and `bench-round` both take: the training
//! table (and how a table is read from its two CSV files), and the model,
//! query strategy and label mapping, parsed into core types in one place.
//! Both commands use this module; it uses neither.

use std::path::{Path, PathBuf};

use fink_vra::core::active::strategy::QueryStrategy;
use fink_vra::core::active::table::LabelledTable;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::model::ModelSpec;

/// The labelled training table: a features CSV and its labels CSV.
#[derive(clap::Args)]
pub struct TrainingTable {
    /// Training features CSV: an ID column, then numeric features.
    #[arg(long)]
    pub train: PathBuf,
    /// Training labels CSV (ID and `type` or `label`), aligned by position.
    #[arg(long)]
    pub train_labels: PathBuf,
}

impl TrainingTable {
    /// Reads both files into one table.
    pub fn read(&self) -> Result<LabelledTable, String> {
        read_table(&self.train, &self.train_labels)
    }
}

/// Model, strategy and mapping arguments.
#[derive(clap::Args)]
pub struct ModelChoice {
    /// Labels to classes, e.g. good=0,galactic=1,pm=1 (other labels are left out).
    #[arg(long)]
    map: String,
    /// Classifier: extra-trees, gradient-boosting or logistic-regression.
    #[arg(long, default_value = crate::DEFAULT_MODEL)]
    model: String,
    /// Extra-trees only: number of trees (default: the model's).
    #[arg(long)]
    trees: Option<usize>,
    /// Extra-trees only: minimum samples per leaf (default: the model's).
    #[arg(long)]
    min_samples_leaf: Option<usize>,
    /// Query strategy: uncertainty, margin, entropy, random, diverse-uncertainty
    /// or density-uncertainty.
    #[arg(long, default_value = crate::DEFAULT_STRATEGY)]
    strategy: String,
}

impl ModelChoice {
    /// The choices as core types, or a message naming the bad argument.
    pub fn parse(&self) -> Result<(ModelSpec, QueryStrategy, TargetMapping), String> {
        let target =
            TargetMapping::parse("replay", &self.map).map_err(|error| format!("--map: {error}"))?;
        let model = ModelSpec::by_name(&self.model)
            .ok_or_else(|| {
                format!(
                    "--model: unknown `{}` (expected one of {})",
                    self.model,
                    ModelSpec::NAMES.join(", ")
                )
            })?
            .with_forest_shape(self.trees, self.min_samples_leaf);
        let strategy = QueryStrategy::by_name(&self.strategy).ok_or_else(|| {
            let names: Vec<&str> = QueryStrategy::ALL.iter().map(|s| s.name()).collect();
            format!(
                "--strategy: unknown `{}` (expected one of {})",
                self.strategy,
                names.join(", ")
            )
        })?;
        Ok((model, strategy, target))
    }
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
    crate::inputs::read_text(path, "CSV table")
}
