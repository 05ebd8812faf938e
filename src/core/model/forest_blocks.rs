//! How a forest's trees are seeded and summed, so that its fit and its
//! scoring can be split among workers without changing a bit of the result
//! (the page grows the ranking's forest on the trainer and the pool at once).
//!
//! - Tree `i` grows from its own seed, the `i`-th draw of a SplitMix64 seeded
//!   with the forest's seed ([`tree_seeds`]), so any tree can be grown alone.
//! - The trees are summed in fixed blocks of [`TREES_PER_BLOCK`]: each
//!   block's leaves added from zero in tree order, then the blocks' sums in
//!   block order ([`block_sums_of_rows`], [`add_blocks`]). A worker that grew whole
//!   blocks sends their sums, and adding them in block order gives what one
//!   worker gives.
//!
//! Predictions, permutation importance, model files, `score`, Python and
//! Spark all sum a forest this way.

use std::ops::Range;

use super::impute::MedianImputer;
use super::matrix::FeatureMatrix;
use super::tree::{leaf_value_sums_by_block, SplitRule, Tree};
use crate::core::random::SplitMix64;

/// Trees per block: 50 trees make 10 blocks, enough for the pool's 4 workers
/// and the trainer to share.
pub const TREES_PER_BLOCK: usize = 5;

/// The blocks of a forest of `trees` trees (the last may hold fewer).
pub fn block_count(trees: usize) -> usize {
    trees.div_ceil(TREES_PER_BLOCK)
}

/// The trees of `blocks` in a forest of `trees` trees.
pub fn trees_of_blocks(blocks: &Range<usize>, trees: usize) -> Range<usize> {
    (blocks.start * TREES_PER_BLOCK).min(trees)..(blocks.end * TREES_PER_BLOCK).min(trees)
}

/// The seeds of trees `trees` of a forest seeded `seed`.
pub fn tree_seeds(seed: u64, trees: Range<usize>) -> impl Iterator<Item = u64> {
    let mut draws = SplitMix64::new(seed);
    (0..trees.end)
        .map(move |_| draws.next_u64())
        .skip(trees.start)
}

/// The block sums of a forest's `trees` over `rows` in feature units: each
/// value rounded to float32 (as the model file's thresholds are), then
/// imputed by `imputer`, one block of rows at a time, so the whole matrix is
/// never copied twice (at 120,000 rows that cost 0.2 s in the page's
/// workers). `trees` start at a block's first tree.
pub fn block_sums_of_rows(
    imputer: &MedianImputer,
    trees: &[Tree],
    rows: &FeatureMatrix,
) -> Vec<Vec<f64>> {
    let mut float32 = Vec::with_capacity(rows.columns());
    leaf_value_sums_by_block(
        trees,
        rows.rows(),
        imputer.output_columns(),
        SplitRule::LessOrEqual,
        TREES_PER_BLOCK,
        |block, out| {
            for row in block {
                float32.clear();
                float32.extend(rows.row(row).iter().map(|&v| f64::from(v as f32)));
                imputer.transform_row_into(&float32, out);
            }
        },
    )
}

/// Every row's sum over the blocks, added in block order onto zero.
pub fn add_blocks<'a>(rows: usize, blocks: impl IntoIterator<Item = &'a [f64]>) -> Vec<f64> {
    let mut sums = vec![0.0; rows];
    for block in blocks {
        add_block(&mut sums, block);
    }
    sums
}

/// Adds one block's sum to each row's running sum: the step [`add_blocks`]
/// takes for each block in turn.
pub fn add_block(sums: &mut [f64], block: &[f64]) {
    for (sum, value) in sums.iter_mut().zip(block) {
        *sum += value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_forest_and_the_last_may_be_short() {
        assert_eq!(block_count(50), 10);
        assert_eq!(block_count(52), 11);
        assert_eq!(trees_of_blocks(&(0..2), 52), 0..10);
        assert_eq!(trees_of_blocks(&(10..11), 52), 50..52);
    }

    #[test]
    fn rows_prepared_a_block_at_a_time_sum_as_the_whole_transformed_matrix() {
        use crate::core::model::tree::add_leaf_values;
        use crate::core::model::{FittedModel, ModelSpec};
        // 1,300 rows: two whole blocks of rows and a short one.
        let rows: Vec<[f64; 3]> = (0..1300)
            .map(|i| {
                let x = (i as f64 * 0.731).sin();
                let missing = if i % 7 == 0 { f64::NAN } else { x * 3.1 };
                [x, missing, 1.0 / 3.0 + (i % 13) as f64]
            })
            .collect();
        let matrix = FeatureMatrix::from_rows(&rows).expect("matrix");
        let classes: Vec<u8> = rows.iter().map(|row| u8::from(row[0] > 0.1)).collect();
        let spec = ModelSpec::ExtraTrees {
            trees: 12,
            min_samples_leaf: 1,
            max_features: None,
        };
        let Ok(FittedModel::ExtraTrees { imputer, trees }) = spec.fit(&matrix, &classes, 5) else {
            panic!("a forest fits");
        };
        let whole = imputer.transform(&matrix.to_float32());
        let expected: Vec<Vec<f64>> = trees
            .chunks(TREES_PER_BLOCK)
            .map(|block| {
                let mut sums = vec![0.0; rows.len()];
                add_leaf_values(
                    block,
                    &whole,
                    imputer.output_columns(),
                    SplitRule::LessOrEqual,
                    &mut sums,
                );
                sums
            })
            .collect();
        assert_eq!(block_sums_of_rows(&imputer, &trees, &matrix), expected);
    }

    #[test]
    fn the_seeds_of_some_trees_are_those_of_the_whole_forest() {
        let whole: Vec<u64> = tree_seeds(7, 0..12).collect();
        let part: Vec<u64> = tree_seeds(7, 5..10).collect();
        assert_eq!(part, whole[5..10]);
        assert_eq!(
            whole.iter().collect::<std::collections::HashSet<_>>().len(),
            12
        );
    }
}
