//! The first half of a round, the one that ranks the pool: the model fitted
//! and every row of the job scored, its record left pending its
//! cross-validation (an `active::evaluation::EvaluationJob` completes it).
//! It runs whole in one worker ([`TrainingJob::fit_and_score`]), or, for a
//! forest, in parts: each worker grows and sums some blocks of trees
//! ([`TrainingJob::score_tree_blocks`]) and the page adds them up
//! ([`TrainingJob::outcome_from_tree_blocks`]). The forest's trees are seeded
//! and summed by block (`model::forest_blocks`), so both give the same
//! outcome to the bit, on any number of workers.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::core::active::round::{mapped_rows, record_from_probabilities};
use crate::core::model::forest_blocks::add_blocks;
use crate::core::model::{FittedModel, ModelError, ModelSpec};
use crate::core::workbench::{SplitLabels, SplitPart, TrainingJob, TrainingOutcome};

/// What a worker sends back for its blocks of the forest's trees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TreeBlocksScored {
    /// The sums of blocks `first_block..` over every row of the job, one
    /// vector per block.
    Blocks {
        first_block: usize,
        sums: Vec<Vec<f64>>,
    },
    /// The training labels have one class: the model is this constant.
    Constant { probability: f64 },
}

impl TrainingJob {
    /// How many blocks of trees the job's model can be fitted in, on as many
    /// workers at most: `Some` for a forest.
    pub fn forest_blocks(&self) -> Option<usize> {
        self.settings.model.forest_blocks()
    }

    /// The model fitted and every row scored, the record pending its
    /// cross-validation, so that the page ranks the pool at once. A refit
    /// needs no more than this. `values` holds the rows, `columns` per row.
    pub fn fit_and_score(&self, values: &[f64]) -> Result<TrainingOutcome, ModelError> {
        let split = self.split(values)?;
        let model = fit_on(self, &split, None)?;
        let probabilities = model.predict_proba(&self.all_rows(values, &split.used_columns))?;
        Ok(self.outcome(&split, probabilities))
    }

    /// Fits the trees of blocks `blocks` of the round's forest and sums
    /// them over every row of the job: one worker's part.
    pub fn score_tree_blocks(
        &self,
        values: &[f64],
        blocks: Range<usize>,
    ) -> Result<TreeBlocksScored, ModelError> {
        let split = self.split(values)?;
        let first_block = blocks.start;
        let model = fit_on(self, &split, Some(blocks))?;
        if let FittedModel::Constant { probability, .. } = model {
            return Ok(TreeBlocksScored::Constant { probability });
        }
        let rows = self.all_rows(values, &split.used_columns);
        let sums = model
            .forest_block_sums(&rows)?
            .ok_or_else(|| not_a_forest(&self.settings.model))?;
        Ok(TreeBlocksScored::Blocks { first_block, sums })
    }

    /// The outcome [`TrainingJob::fit_and_score`] gives, from every block's
    /// sums (`parts`, from [`TrainingJob::score_tree_blocks`], in any order
    /// and any split of the blocks). Parts that leave a block out, or hold
    /// one twice, are refused.
    pub fn outcome_from_tree_blocks(
        &self,
        values: &[f64],
        mut parts: Vec<TreeBlocksScored>,
    ) -> Result<TrainingOutcome, ModelError> {
        let split = self.split(values)?;
        let rows = self.candids.len();
        let blocks = self
            .forest_blocks()
            .ok_or_else(|| not_a_forest(&self.settings.model))?;
        let constant = parts.iter().find_map(|part| match part {
            TreeBlocksScored::Constant { probability } => Some(*probability),
            TreeBlocksScored::Blocks { .. } => None,
        });
        if let Some(probability) = constant {
            return Ok(self.outcome(&split, vec![probability; rows]));
        }
        parts.sort_by_key(|part| match part {
            TreeBlocksScored::Blocks { first_block, .. } => *first_block,
            TreeBlocksScored::Constant { .. } => 0,
        });
        let mut sums: Vec<&[f64]> = Vec::with_capacity(blocks);
        for part in &parts {
            if let TreeBlocksScored::Blocks {
                first_block,
                sums: part_sums,
            } = part
            {
                if *first_block != sums.len() || part_sums.iter().any(|block| block.len() != rows) {
                    return Err(blocks_missing(sums.len(), blocks));
                }
                sums.extend(part_sums.iter().map(Vec::as_slice));
            }
        }
        if sums.len() != blocks {
            return Err(blocks_missing(sums.len(), blocks));
        }
        let trees = match self.settings.model {
            ModelSpec::ExtraTrees { trees, .. } => trees.max(1),
            _ => return Err(not_a_forest(&self.settings.model)),
        };
        let probabilities = add_blocks(rows, sums)
            .into_iter()
            .map(|sum| (sum / trees as f64).clamp(0.0, 1.0))
            .collect();
        Ok(self.outcome(&split, probabilities))
    }

    /// The outcome whose model gave `probabilities` to every row of the
    /// job: the record reads its training and validation rows among them.
    fn outcome(&self, split: &SplitLabels, probabilities: Vec<f64>) -> TrainingOutcome {
        let of = |part: &SplitPart| -> Vec<f64> {
            part.rows.iter().map(|&row| probabilities[row]).collect()
        };
        let request = split.request(self, 1);
        let validation = request.validation.is_some().then(|| of(&split.validation));
        let record =
            record_from_probabilities(&request, &of(&split.training), validation.as_deref());
        TrainingOutcome {
            record,
            probabilities,
        }
    }
}

/// `blocks` blocks of trees shared among `workers` workers, in order, as
/// evenly as they go (the first shares take one more), none empty.
pub fn block_shares(blocks: usize, workers: usize) -> Vec<Range<usize>> {
    let workers = workers.clamp(1, blocks.max(1));
    let (each, more) = (blocks / workers, blocks % workers);
    let mut start = 0;
    (0..workers)
        .map(|worker| {
            let end = start + each + usize::from(worker < more);
            let share = start..end;
            start = end;
            share
        })
        .filter(|share| !share.is_empty())
        .collect()
}

/// `job`'s model fitted on the training labels of `split` that map to a
/// class: whole, or only the trees of `blocks`.
fn fit_on(
    job: &TrainingJob,
    split: &SplitLabels,
    blocks: Option<Range<usize>>,
) -> Result<FittedModel, ModelError> {
    let (model, seed) = (&job.settings.model, job.model_seed());
    let (indices, classes) = mapped_rows(&job.settings.target, &split.training.labels);
    let rows = split.training.features.select_rows(&indices);
    match blocks {
        None => model.fit(&rows, &classes, seed),
        Some(blocks) => model.fit_blocks(&rows, &classes, seed, blocks),
    }
}

fn not_a_forest(model: &ModelSpec) -> ModelError {
    ModelError::NotAForest {
        model: model.name(),
    }
}

fn blocks_missing(found: usize, blocks: usize) -> ModelError {
    ModelError::Learner {
        model: "extra-trees",
        detail: format!(
            "the workers' parts hold blocks 0..{found} of the forest's {blocks}, in order"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::{Candid, Survey};
    use crate::core::features::{FeatureRow, ZTF_FEATURE_COUNT};
    use crate::core::labels::entry::test_entry;
    use crate::core::labels::settled::SettledLabels;
    use crate::core::labels::vocabulary::Label;
    use crate::core::random::SplitMix64;
    use crate::core::wire::to_bytes;
    use crate::core::workbench::WorkbenchSettings;

    /// `count` ZTF rows of noisy values (some missing), the first `labelled`
    /// labelled by a noisy rule on two features, so that trees grow deep.
    fn job(count: usize, labelled: usize, labels: [Label; 2]) -> (TrainingJob, Vec<f64>) {
        let mut random = SplitMix64::new(11);
        let features: Vec<FeatureRow> = (0..count)
            .map(|i| FeatureRow {
                survey: Survey::Ztf,
                candid: Candid(5000 + i as u64),
                object_id: format!("object{i}"),
                values: (0..ZTF_FEATURE_COUNT)
                    .map(|_| match random.below(20) {
                        0 => f64::NAN,
                        _ => random.below(1000) as f64 / 10.0,
                    })
                    .collect(),
                lc_features_recomputed: false,
            })
            .collect();
        let mut store = SettledLabels::new();
        for (i, row) in features.iter().take(labelled).enumerate() {
            let noisy = random.below(5) == 0;
            let class = (row.values[0] + row.values[1] > 100.0) != noisy;
            store.insert(test_entry(5000 + i as u64, labels[usize::from(class)]));
        }
        let settings = WorkbenchSettings {
            validation_share: 0.2,
            ..WorkbenchSettings::default()
        };
        TrainingJob::for_rows(Survey::Ztf, &features, &store, &settings, 2, "t".into())
    }

    /// The outcome of `job` with its blocks cut at `cuts`, each part scored
    /// on its own (as a worker would) and handed over in reverse order.
    fn in_parts(job: &TrainingJob, values: &[f64], cuts: &[usize]) -> TrainingOutcome {
        let blocks = job.forest_blocks().expect("a forest");
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .chain(std::iter::once(blocks))
            .collect();
        let parts: Vec<TreeBlocksScored> = bounds
            .windows(2)
            .rev()
            .map(|pair| {
                job.score_tree_blocks(values, pair[0]..pair[1])
                    .expect("scores")
            })
            .collect();
        job.outcome_from_tree_blocks(values, parts)
            .expect("adds up")
    }

    #[test]
    fn a_forest_fitted_in_blocks_on_any_number_of_workers_gives_the_whole_fit_to_the_bit() {
        let (job, values) = job(400, 300, [Label::Gal, Label::Extragal]);
        let whole = job.fit_and_score(&values).expect("fits");
        assert!(
            whole.record.validation.is_some(),
            "the validation share is used"
        );
        assert_eq!(job.forest_blocks(), Some(10));
        for cuts in [
            &[][..],
            &[5],
            &[2, 4, 6, 8],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9],
            &[3, 7],
        ] {
            let parts = in_parts(&job, &values, cuts);
            assert_eq!(to_bytes(&parts), to_bytes(&whole), "cut at {cuts:?}");
        }
    }

    #[test]
    fn the_ranking_fit_records_what_the_round_trained_whole_records() {
        let (job, values) = job(400, 300, [Label::Gal, Label::Extragal]);
        let ranked = job.fit_and_score(&values).expect("fits");
        let whole = job.run(&values).expect("trains");
        assert_eq!(ranked.probabilities, whole.probabilities);
        assert_eq!(ranked.record.training_set, whole.record.training_set);
        assert_eq!(ranked.record.validation, whole.record.validation);
        assert_eq!(ranked.record.training, whole.record.training);
    }

    #[test]
    fn one_class_in_blocks_is_the_constant_of_the_whole_fit() {
        let (job, values) = job(50, 30, [Label::Gal, Label::Gal]);
        let whole = job.fit_and_score(&values).expect("fits");
        assert_eq!(to_bytes(&in_parts(&job, &values, &[4])), to_bytes(&whole));
        assert!(whole
            .probabilities
            .iter()
            .all(|&p| p == whole.probabilities[0]));
    }

    #[test]
    fn parts_that_miss_a_block_or_hold_one_twice_are_refused() {
        let (job, values) = job(200, 100, [Label::Gal, Label::Extragal]);
        let part = |blocks: Range<usize>| job.score_tree_blocks(&values, blocks).expect("scores");
        for parts in [
            vec![part(0..4), part(5..10)],
            vec![part(0..5), part(4..10)],
            vec![part(0..9)],
        ] {
            let error = job.outcome_from_tree_blocks(&values, parts).unwrap_err();
            assert!(error.to_string().contains("blocks"), "{error}");
        }
    }

    #[test]
    fn blocks_are_shared_evenly_in_order_and_never_empty() {
        assert_eq!(block_shares(10, 1), vec![0..10]);
        assert_eq!(block_shares(10, 2), vec![0..5, 5..10]);
        assert_eq!(block_shares(10, 3), vec![0..4, 4..7, 7..10]);
        assert_eq!(block_shares(10, 5), vec![0..2, 2..4, 4..6, 6..8, 8..10]);
        assert_eq!(block_shares(2, 5), vec![0..1, 1..2]);
        assert_eq!(block_shares(1, 0), vec![0..1]);
    }

    #[test]
    fn only_a_forest_is_fitted_in_blocks() {
        let (mut job, values) = job(200, 100, [Label::Gal, Label::Extragal]);
        job.settings.model = ModelSpec::by_name("gradient-boosting").expect("known");
        assert_eq!(job.forest_blocks(), None);
        let error = job.score_tree_blocks(&values, 0..1).unwrap_err();
        assert!(error.to_string().contains("only a forest"), "{error}");
    }
}
