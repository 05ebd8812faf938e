//! The labelling workbench's rules, without the page: settings, batch
//! progress, and training a round on the loaded alerts (as a job that can run
//! in a Web Worker). The queue of alerts to label is `core::queue`; what the
//! page saves between visits is `core::session`.

use serde::{Deserialize, Serialize};

use crate::core::active::round::{train_round, LabelledRows, RoundRecord, RoundRequest};
use crate::core::active::strategy::{ColdStart, QueryStrategy};
use crate::core::alert::{Candid, Survey};
use crate::core::features::stats::median;
use crate::core::features::{feature_names, FeatureRow};
use crate::core::labels::settled::SettledLabels;
use crate::core::labels::targets::TargetMapping;
use crate::core::labels::vocabulary::Label;
use crate::core::model::{FeatureMatrix, FittedModel, ModelError, ModelSpec};
use crate::core::random::SplitMix64;
use crate::core::team::consensus::{ConsensusRule, DEFAULT_POSTERIOR_THRESHOLD};
use crate::core::workspace::Workspace;

/// What the user chose in "Model & strategy".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkbenchSettings {
    pub target: TargetMapping,
    pub model: ModelSpec,
    pub strategy: QueryStrategy,
    pub cold_start: ColdStart,
    /// Usable labels before the first round (10: chosen by the replay on
    /// six tables, `bench/REPLAY.md`; the researcher's scripts took 30).
    pub first_batch: usize,
    /// Usable labels added per later round (10).
    pub batch: usize,
    pub seed: u64,
    /// Share of labels kept out of training as a fixed validation set (0 = none).
    pub validation_share: f64,
    /// Whether solar-system alerts (LSST) join the queue; by default they are
    /// left out, as the ZTF VRA filter leaves asteroids out.
    #[serde(default)]
    pub include_solar_system: bool,
    /// Features the model leaves out (unticked in "Model & strategy"); by
    /// default none. Names, so that a feature added later is used.
    #[serde(default)]
    pub excluded_features: Vec<String>,
    /// Whether alerts of objects that already have a label (loaded or not)
    /// are left out of the queue; off by default.
    #[serde(default)]
    pub skip_labelled_objects: bool,
    /// The share of each batch drawn uniformly at random from the pool (0
    /// to 1), whose labels give the round's honest estimate
    /// (`active::exploration`). Settings saved before it existed get the
    /// default.
    #[serde(default = "default_exploration_share")]
    pub exploration_share: f64,
    /// How the team's votes on an alert become its training label
    /// (`team::consensus`); `mine` by default, so that one researcher's
    /// own labels train as they gave them.
    #[serde(default = "default_consensus")]
    pub consensus: ConsensusRule,
    /// The posterior a `weighted` label needs to train.
    #[serde(default = "default_posterior_threshold")]
    pub posterior_threshold: f64,
    /// Double labelling: alerts others labelled and I have not join my
    /// queue, until they hold `votes_per_alert` votes; off by default.
    #[serde(default)]
    pub double_labelling: bool,
    /// How many votes double labelling gathers per alert (2).
    #[serde(default = "default_votes_per_alert")]
    pub votes_per_alert: usize,
    /// Blind labelling: when the session holds more than one annotator's
    /// votes, the card hides the others' votes on its alert (and their
    /// labels of its object's earlier alerts) until I give mine; on by
    /// default.
    #[serde(default = "default_blind_labelling")]
    pub blind_labelling: bool,
    /// The share of my queue given to gold alerts I have not labelled (0
    /// to 1; 5 % by default): they measure each annotator's accuracy.
    #[serde(default = "default_gold_share")]
    pub gold_share: f64,
    /// Anonymous review: review cards name the others' votes "annotator A",
    /// "B"… instead of their names; off by default.
    #[serde(default)]
    pub anonymous_review: bool,
}

fn default_gold_share() -> f64 {
    0.05
}

fn default_votes_per_alert() -> usize {
    2
}

fn default_blind_labelling() -> bool {
    true
}

fn default_consensus() -> ConsensusRule {
    ConsensusRule::Mine
}

fn default_posterior_threshold() -> f64 {
    DEFAULT_POSTERIOR_THRESHOLD
}

fn default_exploration_share() -> f64 {
    crate::core::active::DEFAULT_EXPLORATION_SHARE
}

impl Default for WorkbenchSettings {
    fn default() -> Self {
        WorkbenchSettings {
            target: TargetMapping::galactic(),
            model: ModelSpec::by_name(crate::core::active::DEFAULT_MODEL)
                .unwrap_or(ModelSpec::LogisticRegression { alpha: 1.0 }),
            strategy: QueryStrategy::by_name(crate::core::active::DEFAULT_STRATEGY)
                .unwrap_or(QueryStrategy::Uncertainty),
            cold_start: ColdStart::by_name(crate::core::active::DEFAULT_COLD_START)
                .unwrap_or(ColdStart::Random),
            first_batch: crate::core::active::DEFAULT_FIRST_BATCH,
            batch: 10,
            seed: 42,
            validation_share: 0.0,
            include_solar_system: false,
            excluded_features: Vec::new(),
            skip_labelled_objects: false,
            exploration_share: default_exploration_share(),
            consensus: default_consensus(),
            posterior_threshold: default_posterior_threshold(),
            double_labelling: false,
            votes_per_alert: default_votes_per_alert(),
            blind_labelling: default_blind_labelling(),
            gold_share: default_gold_share(),
            anonymous_review: false,
        }
    }
}

impl WorkbenchSettings {
    /// Whether a model fitted under `self` is the one `other` would fit:
    /// the same target, classifier, features, seed and validation share
    /// (the strategy and batch sizes only rank).
    pub fn fits_the_same_model(&self, other: &WorkbenchSettings) -> bool {
        self.target == other.target
            && self.model == other.model
            && self.seed == other.seed
            && self.validation_share == other.validation_share
            && self.excluded_features == other.excluded_features
    }

    /// Uses (or leaves out) the feature `name` in the models trained next.
    pub fn set_feature_used(&mut self, name: &str, used: bool) {
        self.excluded_features.retain(|left_out| left_out != name);
        if !used {
            self.excluded_features.push(name.to_string());
            self.excluded_features.sort();
        }
    }

    /// Whether the models trained next use the feature `name`.
    pub fn uses_feature(&self, name: &str) -> bool {
        !self
            .excluded_features
            .iter()
            .any(|left_out| left_out == name)
    }

    /// The columns of `survey`'s feature row the model uses, in order, and
    /// their names.
    pub fn used_features(&self, survey: Survey) -> (Vec<usize>, Vec<String>) {
        feature_names(survey)
            .iter()
            .enumerate()
            .filter(|(_, name)| self.uses_feature(name))
            .map(|(column, name)| (column, name.to_string()))
            .unzip()
    }
}

/// Whether a candid belongs to the fixed validation set: a seeded hash of the
/// candid, so the same labels stay held out from round to round.
pub fn is_validation(candid: Candid, share: f64, seed: u64) -> bool {
    if share <= 0.0 {
        return false;
    }
    let draw = SplitMix64::new(candid.0 ^ seed.rotate_left(17)).next_u64();
    (draw as f64 / u64::MAX as f64) < share
}

/// Usable labels (mapped to a class by the target) not yet in any round's
/// training set, against the number the next round needs.
pub fn batch_progress(
    store: &SettledLabels,
    rounds: &[RoundRecord],
    settings: &WorkbenchSettings,
) -> (usize, usize) {
    // Ids as numbers, each label's class looked up once: the page asks on
    // every key press, with thousands of labels.
    let trained: std::collections::HashSet<Candid> = rounds
        .iter()
        .flat_map(|round| round.training.iter())
        .filter_map(|example| example.id.parse().ok())
        .collect();
    let trains = Label::ALL.map(|label| settings.target.class_of(label.name()).is_some());
    let fresh = store
        .labels()
        .filter(|entry| trains[entry.label as usize] && !trained.contains(&entry.candid))
        .count();
    let needed = if rounds.is_empty() {
        settings.first_batch
    } else {
        settings.batch
    };
    (fresh, needed)
}

/// A round's training, as data that can cross to a Web Worker: the feature
/// rows travel apart, as one row-major `f64` array (which keeps `NaN`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingJob {
    /// The survey of the alerts (it names the feature columns).
    pub survey: Survey,
    /// The id of every row: the loaded alerts, then labelled alerts known
    /// only from the training table.
    pub candids: Vec<Candid>,
    /// Feature values per row (the survey's feature count).
    pub columns: usize,
    /// Labelled rows: (row index, label name), ordered by alert id, so that
    /// a round's training list (and so its folds, metrics and importance)
    /// does not depend on the order the rows came in: files or a label
    /// file, the page or the CLI.
    pub labels: Vec<(usize, String)>,
    pub settings: WorkbenchSettings,
    pub round: u32,
    pub timestamp: String,
    /// True for a new round; false to fit the last round's model again
    /// (after a reload, or new alerts) without recording anything.
    #[serde(default = "recorded")]
    pub record: bool,
    /// The rows (indices into `candids`) whose label is a random pick's
    /// (the exploration share), ascending: their held-out predictions make
    /// the round's honest estimate.
    #[serde(default)]
    pub random_pick_rows: Vec<usize>,
}

fn recorded() -> bool {
    true
}

/// What a training job returns: the round's record and P(class 1) of every row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingOutcome {
    pub record: RoundRecord,
    pub probabilities: Vec<f64>,
}

impl TrainingJob {
    /// The job for round `round` on the workspace: every loaded alert (each
    /// gets a probability), then the training table's rows of labelled
    /// alerts that are not loaded, so that every label with a row trains.
    pub fn for_workspace(
        workspace: &Workspace,
        store: &SettledLabels,
        settings: &WorkbenchSettings,
        round: u32,
        timestamp: String,
    ) -> (TrainingJob, Vec<f64>) {
        let rows = workspace
            .features()
            .iter()
            .chain(workspace.stored_rows_not_loaded(store));
        TrainingJob::for_rows(workspace.survey(), rows, store, settings, round, timestamp)
    }

    /// The job for round `round` on `rows` (one survey's, each alert once),
    /// and their feature rows as one row-major array.
    pub fn for_rows<'a>(
        survey: Survey,
        rows: impl IntoIterator<Item = &'a FeatureRow>,
        store: &SettledLabels,
        settings: &WorkbenchSettings,
        round: u32,
        timestamp: String,
    ) -> (TrainingJob, Vec<f64>) {
        let rows: Vec<&FeatureRow> = rows.into_iter().collect();
        let mut labels: Vec<(usize, String)> = rows
            .iter()
            .enumerate()
            .filter_map(|(index, row)| {
                store
                    .get(row.candid)
                    .map(|entry| (index, entry.label.name().to_string()))
            })
            .collect();
        labels.sort_by_key(|(index, _)| rows[*index].candid);
        let random_pick_rows = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| store.get(row.candid).is_some_and(|entry| entry.random_pick))
            .map(|(index, _)| index)
            .collect();
        let job = TrainingJob {
            survey,
            candids: rows.iter().map(|row| row.candid).collect(),
            columns: feature_names(survey).len(),
            labels,
            settings: settings.clone(),
            round,
            timestamp,
            record: true,
            random_pick_rows,
        };
        (
            job,
            rows.iter()
                .flat_map(|row| row.values.iter().copied())
                .collect(),
        )
    }

    /// Runs the job: trains the round on the features the settings use
    /// (keeping the validation share out) and predicts every row. `values`
    /// holds the rows, `columns` per row.
    pub fn run(&self, values: &[f64]) -> Result<TrainingOutcome, ModelError> {
        self.run_with(values, 1, train_round)
    }

    /// The round trained whole (cross-validation included, on up to
    /// `threads` threads) and its fitted model, without scoring the rows:
    /// what `fink-vra train` writes to a model file.
    pub fn train_model(
        &self,
        values: &[f64],
        threads: usize,
    ) -> Result<(RoundRecord, FittedModel), ModelError> {
        let (record, model, _) = self.fit_with(values, threads, train_round)?;
        Ok((record, model))
    }

    fn run_with(
        &self,
        values: &[f64],
        threads: usize,
        train: fn(RoundRequest) -> Result<(RoundRecord, FittedModel), ModelError>,
    ) -> Result<TrainingOutcome, ModelError> {
        let (record, model, used_columns) = self.fit_with(values, threads, train)?;
        Ok(TrainingOutcome {
            record,
            probabilities: model.predict_proba(&self.all_rows(values, &used_columns))?,
        })
    }

    /// The seed the round's model is fitted with: the settings' seed moved
    /// on by the round's number.
    pub(crate) fn model_seed(&self) -> u64 {
        self.settings.seed.wrapping_add(u64::from(self.round))
    }

    /// Every row of the job, its used columns only.
    pub(crate) fn all_rows(&self, values: &[f64], used_columns: &[usize]) -> FeatureMatrix {
        let columns = self.columns;
        let all: Vec<&[f64]> = values.chunks_exact(columns).collect();
        FeatureMatrix::from_rows(&all)
            .unwrap_or_else(|| FeatureMatrix::with_columns(columns))
            .select_columns(used_columns)
    }

    /// Checks the rows, splits off the validation share and trains with
    /// `train`: the record, the model and the columns it uses.
    fn fit_with(
        &self,
        values: &[f64],
        threads: usize,
        train: fn(RoundRequest) -> Result<(RoundRecord, FittedModel), ModelError>,
    ) -> Result<(RoundRecord, FittedModel, Vec<usize>), ModelError> {
        let split = self.split(values)?;
        let (record, model) = train(split.request(self, threads))?;
        Ok((record, model, split.used_columns))
    }

    /// Checks the rows and splits the labels into training and validation
    /// (the fixed share), each with its rows.
    pub(crate) fn split(&self, values: &[f64]) -> Result<SplitLabels, ModelError> {
        let columns = self.columns;
        let row = |index: usize| &values[index * columns..(index + 1) * columns];
        if values.len() != self.candids.len() * columns {
            return Err(ModelError::FeatureCountMismatch {
                expected: self.candids.len() * columns,
                found: values.len(),
            });
        }
        if feature_names(self.survey).len() != columns {
            return Err(ModelError::FeatureCountMismatch {
                expected: feature_names(self.survey).len(),
                found: columns,
            });
        }
        let (used_columns, used_names) = self.settings.used_features(self.survey);
        if used_columns.is_empty() {
            return Err(ModelError::NoFeatures);
        }
        type Labelled<'a> = Vec<&'a (usize, String)>;
        let (validation, training): (Labelled, Labelled) =
            self.labels.iter().partition(|labelled| {
                is_validation(
                    self.candids[labelled.0],
                    self.settings.validation_share,
                    self.settings.seed,
                )
            });
        let part = |split: &[&(usize, String)]| {
            let rows: Vec<&[f64]> = split.iter().map(|(index, _)| row(*index)).collect();
            SplitPart {
                rows: split.iter().map(|(index, _)| *index).collect(),
                features: FeatureMatrix::from_rows(&rows)
                    .unwrap_or_else(|| FeatureMatrix::with_columns(columns))
                    .select_columns(&used_columns),
                ids: split
                    .iter()
                    .map(|(index, _)| self.candids[*index].to_string())
                    .collect(),
                labels: split.iter().map(|(_, label)| label.clone()).collect(),
                random_picks: split
                    .iter()
                    .map(|(index, _)| self.random_pick_rows.binary_search(index).is_ok())
                    .collect(),
            }
        };
        Ok(SplitLabels {
            training: part(&training),
            validation: part(&validation),
            used_columns,
            used_names,
        })
    }
}

/// A training job's labels split into training and validation, with their
/// rows and the features the settings use.
pub(crate) struct SplitLabels {
    pub training: SplitPart,
    pub validation: SplitPart,
    pub used_columns: Vec<usize>,
    pub used_names: Vec<String>,
}

/// One side of the split: each label's row in the job, its feature row (the
/// used columns), alert id and label text.
pub(crate) struct SplitPart {
    pub rows: Vec<usize>,
    pub features: FeatureMatrix,
    pub ids: Vec<String>,
    pub labels: Vec<String>,
    /// Whether each label is a random pick's.
    pub random_picks: Vec<bool>,
}

impl SplitPart {
    fn labelled_rows(&self) -> LabelledRows<'_> {
        LabelledRows {
            ids: &self.ids,
            labels: &self.labels,
            features: &self.features,
            random_picks: &self.random_picks,
        }
    }
}

impl SplitLabels {
    /// The round `job` asks for, on these labels.
    pub(crate) fn request<'a>(&'a self, job: &'a TrainingJob, threads: usize) -> RoundRequest<'a> {
        RoundRequest {
            round: job.round,
            target: &job.settings.target,
            model: &job.settings.model,
            strategy: job.settings.strategy,
            seed: job.model_seed(),
            timestamp: job.timestamp.clone(),
            feature_names: &self.used_names,
            training: self.training.labelled_rows(),
            validation: (!self.validation.ids.is_empty()).then(|| self.validation.labelled_rows()),
            threads,
        }
    }
}

/// Median of each feature over the labelled alerts of class 0 and of class
/// 1 whose row the workspace knows, loaded or stored (for the card's
/// "compare with labelled" column); `NaN` when none.
pub fn class_medians(
    workspace: &Workspace,
    store: &SettledLabels,
    target: &TargetMapping,
) -> [Vec<f64>; 2] {
    let mut by_class: [Vec<&FeatureRow>; 2] = [Vec::new(), Vec::new()];
    let known = workspace
        .features()
        .iter()
        .chain(workspace.stored_rows_not_loaded(store));
    for row in known {
        if let Some(class) = store
            .get(row.candid)
            .and_then(|entry| target.class_of(entry.label.name()))
        {
            by_class[usize::from(class)].push(row);
        }
    }
    let columns = feature_names(workspace.survey()).len();
    by_class.map(|rows| {
        (0..columns)
            .map(|column| {
                let mut values: Vec<f64> = rows
                    .iter()
                    .filter_map(|row| row.values.get(column).copied())
                    .filter(|v| !v.is_nan())
                    .collect();
                median(&mut values)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::labels::entry::{test_entry, LabelEntry};
    use crate::core::labels::vocabulary::Label;

    fn rows(count: usize) -> Vec<FeatureRow> {
        (0..count)
            .map(|i| FeatureRow {
                survey: crate::core::alert::Survey::Ztf,
                candid: Candid(1000 + i as u64),
                object_id: format!("object{i}"),
                values: (0..crate::core::features::ZTF_FEATURE_COUNT)
                    .map(|column| {
                        ((i * 7 + column * 3) % 11) as f64 + if i % 2 == 0 { 0.0 } else { 20.0 }
                    })
                    .collect(),
                lc_features_recomputed: false,
            })
            .collect()
    }

    fn label_alert(store: &mut SettledLabels, candid: u64, label: Label) {
        store.insert(test_entry(candid, label));
    }

    #[test]
    fn progress_counts_usable_labels() {
        let mut store = SettledLabels::new();
        label_alert(&mut store, 1000, Label::Gal);
        label_alert(&mut store, 1001, Label::Bogus); // no class for the gal model
        let settings = WorkbenchSettings::default();
        assert_eq!(batch_progress(&store, &[], &settings), (1, 10));
    }

    #[test]
    fn a_round_trains_on_loaded_labels_and_predicts_every_alert() {
        let features = rows(40);
        let mut store = SettledLabels::new();
        for i in 0..20u64 {
            label_alert(
                &mut store,
                1000 + i,
                if i % 2 == 0 {
                    Label::Gal
                } else {
                    Label::Extragal
                },
            );
        }
        let settings = WorkbenchSettings::default();
        let (job, values) = TrainingJob::for_rows(
            Survey::Ztf,
            &features,
            &store,
            &settings,
            0,
            "2026-11-27T00:00:00Z".into(),
        );
        let TrainingOutcome {
            record,
            probabilities,
        } = job.run(&values).expect("trains");
        assert_eq!((record.training.len(), record.class_counts), (20, [10, 10]));
        assert_eq!(probabilities.len(), 40);
        assert!(
            probabilities[20] > 0.5 && probabilities[21] < 0.5,
            "{:?}",
            &probabilities[20..22]
        );
        assert_eq!(batch_progress(&store, &[record], &settings), (0, 10));
    }

    #[test]
    fn a_round_ranked_first_and_recorded_after_equals_the_round_trained_whole() {
        use crate::core::active::evaluation::{EvaluationJob, RecordState};
        let features = rows(60);
        let mut store = SettledLabels::new();
        for i in 0..40u64 {
            let label = if i % 2 == 0 {
                Label::Gal
            } else {
                Label::Extragal
            };
            // Every third label is a random pick's: the honest estimate
            // follows the same two halves.
            store.insert(LabelEntry {
                random_pick: i % 3 == 0,
                ..test_entry(1000 + i, label)
            });
        }
        for model in ["extra-trees", "gradient-boosting", "logistic-regression"] {
            let settings = WorkbenchSettings {
                model: ModelSpec::by_name(model).expect("known"),
                ..WorkbenchSettings::default()
            };
            let (job, values) =
                TrainingJob::for_rows(Survey::Ztf, &features, &store, &settings, 3, "t".into());
            let whole = job.run(&values).expect("trains");
            let first = job.fit_and_score(&values).expect("fits");
            assert_eq!(first.probabilities, whole.probabilities, "{model}");
            assert_eq!(first.record.record_state, RecordState::Pending);
            assert_eq!(first.record.cross_validated, None);
            // The second half, from the record alone and its rows.
            let evaluation = EvaluationJob::for_record(&first.record);
            let training_rows: Vec<f64> = first
                .record
                .training
                .iter()
                .flat_map(|example| {
                    let row = features
                        .iter()
                        .find(|row| row.candid.to_string() == example.id)
                        .expect("a training row");
                    row.values.clone()
                })
                .collect();
            let mut completed = first.record.clone();
            completed.complete(evaluation.run(&training_rows).expect("evaluates"));
            assert_eq!(completed, whole.record, "{model}");
            assert_eq!(whole.record.random_picks.len(), 14, "{model}");
            for &position in &whole.record.random_picks {
                let id = &whole.record.training[position as usize].id;
                let candid: u64 = id.parse().expect("a candid");
                assert_eq!((candid - 1000) % 3, 0, "{model}: {id} is a random pick");
            }
            let honest = whole.record.honest_estimate.as_ref().expect("random picks");
            assert_eq!(honest.labels(), 14, "{model}");
        }
    }

    #[test]
    fn a_training_job_gives_the_same_round_after_a_trip_through_json() {
        let features = rows(30);
        let mut store = SettledLabels::new();
        for i in 0..12u64 {
            label_alert(
                &mut store,
                1000 + i,
                if i % 2 == 0 { Label::Gal } else { Label::Agn },
            );
        }
        let settings = WorkbenchSettings {
            validation_share: 0.25,
            ..WorkbenchSettings::default()
        };
        let (job, values) =
            TrainingJob::for_rows(Survey::Ztf, &features, &store, &settings, 2, "t".into());
        let travelled: TrainingJob =
            serde_json::from_str(&serde_json::to_string(&job).expect("json")).expect("back");
        assert_eq!(travelled, job);
        let direct = job.run(&values).expect("runs");
        assert_eq!(travelled.run(&values).expect("runs"), direct);
        assert_eq!(direct.record.round, 2);
        assert!(
            direct.record.training.len() < 12,
            "the validation share is held out"
        );
        assert!(
            job.run(&values[1..]).is_err(),
            "a short feature array is refused"
        );
    }

    #[test]
    fn the_validation_set_is_a_stable_share_of_candids() {
        let held_out = (0..10_000u64)
            .filter(|&c| is_validation(Candid(c), 0.2, 7))
            .count();
        assert!((1700..2300).contains(&held_out), "{held_out}");
        assert!(!is_validation(Candid(5), 0.0, 7));
    }
}
