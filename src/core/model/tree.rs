//! A fitted decision tree as plain data: every node's split (feature,
//! threshold, where a missing value goes) or leaf value. The forest and the
//! boosted trees are both stored this way, so that a model file holds them in
//! full and any runtime (this crate, ONNX-ML) walks them the same way.

use serde::{Deserialize, Serialize};

/// How a split compares a value with its threshold to send it left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    /// `value <= threshold` goes left (the extra-trees forest).
    LessOrEqual,
    /// `value < threshold` goes left (forust's boosted trees).
    Less,
}

impl SplitRule {
    pub(super) fn goes_left(self, value: f64, threshold: f64) -> bool {
        match self {
            SplitRule::LessOrEqual => value <= threshold,
            SplitRule::Less => value < threshold,
        }
    }
}

/// One node. Children always have a larger index than their parent, so a
/// walk from node 0 ends (checked by [`Tree::check`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum TreeNode {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
        /// Where a missing (`NaN`) value goes: `left`, `right` or a node of its own.
        missing: usize,
    },
    Leaf {
        value: f64,
    },
}

/// A tree; node 0 is the root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<TreeNode>,
}

/// Why a tree read from a file cannot be walked.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TreeError {
    #[error("a tree has no nodes")]
    Empty,
    #[error(
        "node {node} points to node {child}, which is not after it in a tree of {nodes} nodes"
    )]
    BadChild {
        node: usize,
        child: usize,
        nodes: usize,
    },
    #[error("node {node} splits on feature {feature}, but the model has {columns} inputs")]
    BadFeature {
        node: usize,
        feature: usize,
        columns: usize,
    },
    #[error("node {node} has a threshold or value that is not a finite number")]
    NotFinite { node: usize },
}

impl Tree {
    /// The leaf value reached by `row` under `rule`.
    pub fn leaf_value(&self, row: &[f64], rule: SplitRule) -> f64 {
        self.leaf_value_from(0, rule, |_, feature| row[feature])
    }

    /// The leaf value reached from node `from` under `rule`, each split
    /// reading its feature's value through `value_of(node, feature)`.
    fn leaf_value_from(
        &self,
        from: usize,
        rule: SplitRule,
        mut value_of: impl FnMut(usize, usize) -> f64,
    ) -> f64 {
        let mut index = from;
        loop {
            match &self.nodes[index] {
                TreeNode::Leaf { value } => return *value,
                TreeNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    missing,
                } => {
                    let value = value_of(index, *feature);
                    index = if value.is_nan() {
                        *missing
                    } else if rule.goes_left(value, *threshold) {
                        *left
                    } else {
                        *right
                    };
                }
            }
        }
    }

    /// Checks that every walk of a row of `columns` values ends on a leaf.
    pub fn check(&self, columns: usize) -> Result<(), TreeError> {
        if self.nodes.is_empty() {
            return Err(TreeError::Empty);
        }
        let nodes = self.nodes.len();
        for (index, node) in self.nodes.iter().enumerate() {
            match node {
                TreeNode::Leaf { value } if !value.is_finite() => {
                    return Err(TreeError::NotFinite { node: index })
                }
                TreeNode::Leaf { .. } => {}
                TreeNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    missing,
                } => {
                    if *feature >= columns {
                        return Err(TreeError::BadFeature {
                            node: index,
                            feature: *feature,
                            columns,
                        });
                    }
                    if threshold.is_nan() {
                        return Err(TreeError::NotFinite { node: index });
                    }
                    for &child in [left, right, missing] {
                        if child <= index || child >= nodes {
                            return Err(TreeError::BadChild {
                                node: index,
                                child,
                                nodes,
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A tree laid out for walking many rows: 24-byte nodes, 32-bit links. A
/// leaf links to itself on every side, so a walk can take a fixed number of
/// steps (the tree's depth) with no test for "is this a leaf".
pub(super) struct CompactTree {
    nodes: Vec<CompactNode>,
    depth: usize,
}

impl CompactTree {
    /// The leaf value reached from node `from` under `rule`, each split
    /// reading its feature's value through `value_of(node, feature)`: what
    /// the tree's own walk ([`Tree::leaf_value`] from the root) returns,
    /// from half the memory.
    pub(super) fn leaf_value_from(
        &self,
        from: u32,
        rule: SplitRule,
        mut value_of: impl FnMut(u32, usize) -> f64,
    ) -> f64 {
        let mut index = from;
        loop {
            let node = &self.nodes[index as usize];
            if node.left == index {
                return node.value;
            }
            index = node.child(value_of(index, node.feature as usize), rule);
        }
    }
}

struct CompactNode {
    feature: u32,
    left: u32,
    right: u32,
    missing: u32,
    /// The threshold of a split, the value of a leaf.
    value: f64,
}

impl CompactNode {
    /// Where a row whose value of this node's feature is `value` goes next
    /// (a leaf stays where it is).
    fn child(&self, value: f64, rule: SplitRule) -> u32 {
        if value.is_nan() {
            self.missing
        } else if rule.goes_left(value, self.value) {
            self.left
        } else {
            self.right
        }
    }
}

/// `tree` laid out compactly (node indices unchanged).
pub(super) fn compact(tree: &Tree) -> CompactTree {
    let nodes: Vec<CompactNode> = tree
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| match node {
            TreeNode::Leaf { value } => CompactNode {
                feature: 0,
                left: index as u32,
                right: index as u32,
                missing: index as u32,
                value: *value,
            },
            TreeNode::Split {
                feature,
                threshold,
                left,
                right,
                missing,
            } => CompactNode {
                feature: *feature as u32,
                left: *left as u32,
                right: *right as u32,
                missing: *missing as u32,
                value: *threshold,
            },
        })
        .collect();
    // Children come after their parent, so one pass in order gives depths.
    let mut depths = vec![0usize; nodes.len()];
    for (index, node) in tree.nodes.iter().enumerate() {
        if let TreeNode::Split {
            left,
            right,
            missing,
            ..
        } = node
        {
            for &child in [left, right, missing] {
                depths[child] = depths[child].max(depths[index] + 1);
            }
        }
    }
    let depth = depths.into_iter().max().unwrap_or(0);
    CompactTree { nodes, depth }
}

/// Rows walked through a tree together: their walks are independent, so
/// the processor overlaps them instead of waiting on one chain of loads.
const ROWS_AT_ONCE: usize = 8;

/// Rows that go through every tree before the next ones: few enough that
/// their values stay in the processor's cache while a tree is walked, many
/// enough that a tree's nodes, once fetched, serve many rows (rows in
/// batches, trees in turn, would fetch every tree again for each batch).
const ROWS_PER_BLOCK: usize = 512;

/// Adds each tree's leaf value for every row of `values` (row-major, `width`
/// per row) to that row's entry of `sums`, in tree order (as
/// [`Tree::leaf_value`] summed tree by tree would). Every tree is laid out
/// compactly once; a block of rows ([`ROWS_PER_BLOCK`]) walks every tree,
/// [`ROWS_AT_ONCE`] rows at a time for as many steps as the tree is deep,
/// before the next block. Trees must have passed [`Tree::check`]
/// for rows of `width` values (a fitted model's always have).
pub fn add_leaf_values(
    trees: &[Tree],
    values: &[f64],
    width: usize,
    rule: SplitRule,
    sums: &mut [f64],
) {
    let width = width.max(1);
    let compact_trees: Vec<CompactTree> = trees.iter().map(compact).collect();
    for (block, block_sums) in values
        .chunks(width * ROWS_PER_BLOCK)
        .zip(sums.chunks_mut(ROWS_PER_BLOCK))
    {
        for tree in &compact_trees {
            for (rows, row_sums) in block
                .chunks(width * ROWS_AT_ONCE)
                .zip(block_sums.chunks_mut(ROWS_AT_ONCE))
            {
                add_leaf_values_of_batch(tree, rows, width, rule, row_sums);
            }
        }
    }
}

/// Each block of `trees_per_block` trees' leaf values summed for every one
/// of `rows` rows: one vector per block, a sum per row, each block's leaves
/// added from zero in tree order. `prepare` writes the rows' values (`width`
/// per row, row-major, appended to an empty buffer) one block of rows at a
/// time, so they never exist all at once in the trees' form; each block of
/// rows walks every tree before the next block, as in [`add_leaf_values`],
/// so the rows stay in cache.
pub fn leaf_value_sums_by_block(
    trees: &[Tree],
    rows: usize,
    width: usize,
    rule: SplitRule,
    trees_per_block: usize,
    mut prepare: impl FnMut(std::ops::Range<usize>, &mut Vec<f64>),
) -> Vec<Vec<f64>> {
    let width = width.max(1);
    let compact_trees: Vec<CompactTree> = trees.iter().map(compact).collect();
    let mut sums: Vec<Vec<f64>> = compact_trees
        .chunks(trees_per_block.max(1))
        .map(|_| vec![0.0; rows])
        .collect();
    let mut block = Vec::with_capacity(width * ROWS_PER_BLOCK);
    for first_row in (0..rows).step_by(ROWS_PER_BLOCK) {
        let last_row = (first_row + ROWS_PER_BLOCK).min(rows);
        block.clear();
        prepare(first_row..last_row, &mut block);
        for (tree_block, block_sums) in compact_trees
            .chunks(trees_per_block.max(1))
            .zip(sums.iter_mut())
        {
            let block_sums = &mut block_sums[first_row..last_row];
            for tree in tree_block {
                for (rows, row_sums) in block
                    .chunks(width * ROWS_AT_ONCE)
                    .zip(block_sums.chunks_mut(ROWS_AT_ONCE))
                {
                    add_leaf_values_of_batch(tree, rows, width, rule, row_sums);
                }
            }
        }
    }
    sums
}

/// Adds `tree`'s leaf value for each of the (at most [`ROWS_AT_ONCE`])
/// `rows` to `row_sums`.
fn add_leaf_values_of_batch(
    tree: &CompactTree,
    rows: &[f64],
    width: usize,
    rule: SplitRule,
    row_sums: &mut [f64],
) {
    let count = row_sums.len().min(rows.len() / width);
    let mut cursors = [0u32; ROWS_AT_ONCE];
    for _ in 0..tree.depth {
        for (index, cursor) in cursors.iter_mut().enumerate().take(count) {
            let node = &tree.nodes[*cursor as usize];
            *cursor = node.child(rows[index * width + node.feature as usize], rule);
        }
    }
    for (sum, cursor) in row_sums.iter_mut().zip(cursors).take(count) {
        *sum += tree.nodes[cursor as usize].value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stump(missing: usize) -> Tree {
        Tree {
            nodes: vec![
                TreeNode::Split {
                    feature: 0,
                    threshold: 1.0,
                    left: 1,
                    right: 2,
                    missing,
                },
                TreeNode::Leaf { value: 10.0 },
                TreeNode::Leaf { value: 20.0 },
                TreeNode::Leaf { value: 40.0 },
            ],
        }
    }

    #[test]
    fn the_rule_decides_a_value_equal_to_the_threshold_and_missing_values_follow_their_branch() {
        let tree = stump(1);
        assert_eq!(tree.leaf_value(&[1.0], SplitRule::LessOrEqual), 10.0);
        assert_eq!(tree.leaf_value(&[1.0], SplitRule::Less), 20.0);
        assert_eq!(tree.leaf_value(&[f64::NAN], SplitRule::Less), 10.0);
        assert_eq!(stump(2).leaf_value(&[f64::NAN], SplitRule::Less), 20.0);
    }

    #[test]
    fn walking_all_rows_at_once_sums_as_walking_row_by_row() {
        // A chain: leaves at depths 1, 2 and 3, missing values to the deepest.
        let chain = Tree {
            nodes: vec![
                TreeNode::Split {
                    feature: 0,
                    threshold: 0.5,
                    left: 1,
                    right: 2,
                    missing: 2,
                },
                TreeNode::Leaf { value: 1.0 },
                TreeNode::Split {
                    feature: 0,
                    threshold: 1.5,
                    left: 3,
                    right: 4,
                    missing: 4,
                },
                TreeNode::Leaf { value: 2.0 },
                TreeNode::Split {
                    feature: 0,
                    threshold: 2.0,
                    left: 5,
                    right: 6,
                    missing: 6,
                },
                TreeNode::Leaf { value: 3.0 },
                TreeNode::Leaf { value: 4.0 },
            ],
        };
        let trees = [stump(1), chain, stump(2), stump(3)];
        // More rows than are walked at once, and not a multiple of it.
        let rows: Vec<f64> = (0..19)
            .map(|i| {
                if i % 5 == 0 {
                    f64::NAN
                } else {
                    f64::from(i) / 8.0
                }
            })
            .collect();
        let mut sums = vec![0.0; rows.len()];
        add_leaf_values(&trees, &rows, 1, SplitRule::Less, &mut sums);
        let expected: Vec<f64> = rows
            .iter()
            .map(|&value| {
                trees
                    .iter()
                    .map(|tree| tree.leaf_value(&[value], SplitRule::Less))
                    .sum()
            })
            .collect();
        assert_eq!(sums, expected);
    }

    #[test]
    fn a_tree_that_loops_or_reads_past_the_row_is_refused() {
        assert!(stump(1).check(1).is_ok());
        assert!(matches!(stump(0).check(1), Err(TreeError::BadChild { .. })));
        assert!(matches!(
            stump(1).check(0),
            Err(TreeError::BadFeature { .. })
        ));
        assert_eq!(Tree { nodes: vec![] }.check(1), Err(TreeError::Empty));
    }
}
