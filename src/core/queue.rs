//! The queue of alerts to label: every loaded alert without a label, ranked
//! by the strategy (or the cold-start rule before the first model).
//!
//! Ranking a large pool takes a while (at 100k alerts the diverse cold start
//! is about 0.3 s), so the page sends it to its worker as a [`QueueJob`]: the
//! job is built on the page (which rows are unlabelled, their objects), the
//! feature values travel apart as one row-major `f64` array, and the worker
//! runs it. [`build_queue`] does both steps in place.

use serde::{Deserialize, Serialize};

use crate::core::active::strategy::{
    rank_cold_start, rank_pool, ColdStart, Pool, QueryStrategy, RankedAlert,
};
use crate::core::features::{FeatureRow, FEATURE_COUNT};
use crate::core::labels::store::LabelStore;
use crate::core::model::FeatureMatrix;
use crate::core::wire::{self, WireError};
use crate::core::workbench::WorkbenchSettings;

/// A ranking to run, as data that can cross to a Web Worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueJob {
    /// The feature-row index of every unlabelled alert, in row order.
    pub unlabelled: Vec<usize>,
    /// The objectId of each of them.
    pub object_ids: Vec<String>,
    /// P(class 1) of each of them, once a model exists.
    pub probabilities: Option<Vec<f64>>,
    pub strategy: QueryStrategy,
    pub cold_start: ColdStart,
    /// The batch to fill first (the first batch before round 1).
    pub batch: usize,
    pub seed: u64,
}

impl QueueJob {
    /// The job for the loaded alerts, and the feature values of its rows
    /// (row-major, [`FEATURE_COUNT`] per row).
    pub fn for_loaded(
        features: &[FeatureRow],
        store: &LabelStore,
        probabilities: Option<&[f64]>,
        settings: &WorkbenchSettings,
        round: usize,
    ) -> (QueueJob, Vec<f64>) {
        let unlabelled: Vec<usize> = (0..features.len())
            .filter(|&i| {
                store.get(features[i].candid).is_none()
                    && !store.conflicts().contains_key(&features[i].candid)
            })
            .collect();
        let values = unlabelled
            .iter()
            .flat_map(|&i| features[i].values)
            .collect();
        let job = QueueJob {
            object_ids: unlabelled
                .iter()
                .map(|&i| features[i].object_id.clone())
                .collect(),
            probabilities: probabilities
                .map(|probabilities| unlabelled.iter().map(|&i| probabilities[i]).collect()),
            unlabelled,
            strategy: settings.strategy,
            cold_start: settings.cold_start,
            batch: if round == 0 {
                settings.first_batch
            } else {
                settings.batch
            },
            seed: settings.seed.wrapping_add(round as u64),
        };
        (job, values)
    }

    /// Ranks the job's rows; `values` are theirs, as [`QueueJob::for_loaded`]
    /// made them. Indices in the answer are feature-row indices.
    pub fn run(&self, values: &[f64]) -> Vec<RankedAlert> {
        let rows: Vec<&[f64]> = values.chunks_exact(FEATURE_COUNT).collect();
        if rows.len() != self.unlabelled.len() {
            return Vec::new();
        }
        let Some(matrix) = FeatureMatrix::from_rows(&rows) else {
            return Vec::new();
        };
        let (batch, seed) = (self.batch, self.seed);
        let ranking = match &self.probabilities {
            None => rank_cold_start(self.cold_start, &matrix, &self.object_ids, batch, seed),
            Some(probabilities) => rank_pool(
                self.strategy,
                &Pool {
                    features: &matrix,
                    object_ids: &self.object_ids,
                    probabilities,
                },
                batch,
                seed,
            ),
        };
        ranking
            .into_iter()
            .map(|alert| RankedAlert {
                pool_index: self.unlabelled[alert.pool_index],
                ..alert
            })
            .collect()
    }

    /// The binary form sent to the worker.
    pub fn to_bytes(&self) -> Vec<u8> {
        wire::to_bytes(self)
    }

    /// Decodes [`QueueJob::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<QueueJob, WireError> {
        wire::from_bytes(bytes)
    }
}

/// The queue for the loaded alerts, ranked here (natively, and in the page
/// when no worker answers). Indices are into `features`.
pub fn build_queue(
    features: &[FeatureRow],
    store: &LabelStore,
    probabilities: Option<&[f64]>,
    settings: &WorkbenchSettings,
    round: usize,
) -> Vec<RankedAlert> {
    let (job, values) = QueueJob::for_loaded(features, store, probabilities, settings, round);
    job.run(&values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;
    use crate::core::labels::entry::test_entry;
    use crate::core::labels::vocabulary::Label;

    #[test]
    fn a_job_that_crossed_as_bytes_ranks_as_the_job_in_place() {
        let features: Vec<FeatureRow> = (0..60)
            .map(|i| FeatureRow {
                candid: Candid(500 + i as u64),
                object_id: format!("object{}", i % 45),
                values: std::array::from_fn(|column| ((i * 13 + column * 5) % 17) as f64),
                lc_features_recomputed: false,
            })
            .collect();
        let mut store = LabelStore::new();
        store.set(test_entry(503, Label::Gal));
        let probabilities: Vec<f64> = (0..60).map(|i| (i as f64 * 0.37) % 1.0).collect();
        let settings = WorkbenchSettings::default();
        for probabilities in [None, Some(probabilities.as_slice())] {
            let (job, values) =
                QueueJob::for_loaded(&features, &store, probabilities, &settings, 1);
            let crossed = QueueJob::from_bytes(&job.to_bytes()).expect("decodes");
            let queue = crossed.run(&values);
            // NaN probabilities (no model) compare equal through their debug text.
            let in_place = build_queue(&features, &store, probabilities, &settings, 1);
            assert_eq!(format!("{queue:?}"), format!("{in_place:?}"));
            assert_eq!(queue.len(), 59);
            assert!(
                queue.iter().all(|alert| alert.pool_index != 3),
                "the labelled row is not queued"
            );
        }
    }
}
