//! The ranking's fit in the page: a forest's blocks of trees grown and
//! summed at once on the trainer and the pool's own workers, then added up
//! on the page (`core::ranking_fit`); any other model, or one worker, in the
//! trainer alone. The outcome is the same to the bit either way. A pool
//! worker that fails leaves its blocks to the trainer; a training error (the
//! labels cannot be fitted) or a failed trainer fails the round, with the
//! worker's message. A Cancel stops the trainer; parts still running in the
//! pool finish and are ignored.

use futures::future::join_all;

use super::worker_pool::WorkerPool;
use crate::core::ranking_fit::{block_shares, TreeBlocksScored};
use crate::core::wire::protocol::WorkerError;
use crate::core::workbench::{TrainingJob, TrainingOutcome};

/// `job` fitted and every row of `values` scored, its record pending, by
/// `pool`'s trainer and, for a forest, its own workers.
pub async fn fit_and_score(
    pool: WorkerPool,
    job: TrainingJob,
    values: &[f64],
) -> Result<TrainingOutcome, WorkerError> {
    let (trainer, helpers) = (pool.trainer(), pool.own_slots());
    let shares = job
        .forest_blocks()
        .map(|blocks| block_shares(blocks, helpers.len() + 1))
        .unwrap_or_default();
    if shares.len() < 2 {
        return trainer.start().await?.train(job, values).await;
    }
    let slots = std::iter::once(trainer).chain(helpers);
    let parts = join_all(shares.into_iter().zip(slots).map(|(blocks, slot)| {
        let job = job.clone();
        async move {
            let scored = async {
                let worker = slot.start().await?;
                worker.score_tree_blocks(job, blocks.clone(), values).await
            }
            .await;
            (blocks, slot, scored)
        }
    }))
    .await;
    let mut scored: Vec<TreeBlocksScored> = Vec::with_capacity(parts.len());
    for (index, (blocks, slot, part)) in parts.into_iter().enumerate() {
        match part {
            Ok(part) => scored.push(part),
            // The trainer's own part, or labels no worker can fit.
            Err(error) if index == 0 || matches!(error, WorkerError::Training { .. }) => {
                return Err(error)
            }
            Err(_) => {
                slot.stop();
                let worker = trainer.start().await?;
                scored.push(
                    worker
                        .score_tree_blocks(job.clone(), blocks, values)
                        .await?,
                );
            }
        }
    }
    job.outcome_from_tree_blocks(values, scored)
        .map_err(|error| WorkerError::Training {
            detail: error.to_string(),
        })
}
