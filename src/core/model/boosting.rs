//! Gradient-boosted trees from forust-ml: NaN-native (missing values get their
//! own branch), log loss, single-threaded. Columns that are constant in the
//! training rows are dropped first, since forust refuses them. The fitted
//! booster is copied into plain [`Tree`]s (forust's nodes are public), which
//! predict exactly as forust does: the base score plus each tree's leaf, in
//! order, through the logistic function.

use forust_ml::data::Matrix;
use forust_ml::gradientbooster::GradientBooster;

use super::tree::{Tree, TreeNode};
use super::{FeatureMatrix, FittedModel, ModelError};

/// The hyper-parameters set explicitly (forust's defaults differ from sklearn's).
pub(super) struct Settings {
    pub iterations: usize,
    pub learning_rate: f32,
    pub max_depth: usize,
    pub l2: f32,
    pub min_leaf_weight: f32,
}

fn learner_error(error: impl std::fmt::Display) -> ModelError {
    ModelError::Learner {
        model: "gradient-boosting",
        detail: error.to_string(),
    }
}

/// The kept columns of `rows`, column-major, as forust wants them.
fn column_major(rows: &FeatureMatrix, kept_columns: &[usize]) -> Vec<f64> {
    kept_columns
        .iter()
        .flat_map(|&column| rows.column(column))
        .collect()
}

/// Columns with at least two distinct present values.
fn varying_columns(rows: &FeatureMatrix) -> Vec<usize> {
    (0..rows.columns())
        .filter(|&column| {
            let mut present = rows.column(column).filter(|value| !value.is_nan());
            let first = present.next();
            first.is_some_and(|first| present.any(|value| value != first))
        })
        .collect()
}

pub(super) fn fit(
    rows: &FeatureMatrix,
    targets: &[f64],
    settings: Settings,
    seed: u64,
) -> Result<FittedModel, ModelError> {
    let kept_columns = varying_columns(rows);
    let data = column_major(rows, &kept_columns);
    let matrix = Matrix::new(&data, rows.rows(), kept_columns.len());
    let mut booster = GradientBooster::default()
        .set_parallel(false)
        .set_iterations(settings.iterations)
        .set_learning_rate(settings.learning_rate)
        .set_max_depth(settings.max_depth)
        .set_l2(settings.l2)
        .set_min_leaf_weight(settings.min_leaf_weight)
        .set_seed(seed);
    booster
        .fit_unweighted(&matrix, targets, None)
        .map_err(learner_error)?;
    let trees = booster
        .trees
        .iter()
        .map(|tree| copy_tree(tree, &kept_columns))
        .collect();
    Ok(FittedModel::GradientBoosting {
        columns: rows.columns(),
        base_score: booster.base_score,
        trees,
    })
}

/// A forust tree as plain nodes on the input's columns (node indices are
/// kept: forust addresses its children by position too).
fn copy_tree(tree: &forust_ml::tree::Tree, kept_columns: &[usize]) -> Tree {
    let nodes = tree
        .nodes
        .iter()
        .map(|node| {
            if node.is_leaf {
                TreeNode::Leaf {
                    value: f64::from(node.weight_value),
                }
            } else {
                TreeNode::Split {
                    feature: kept_columns[node.split_feature],
                    threshold: node.split_value,
                    left: node.left_child,
                    right: node.right_child,
                    missing: node.missing_node,
                }
            }
        })
        .collect();
    Tree { nodes }
}
