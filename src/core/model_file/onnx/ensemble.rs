//! A `TreeEnsembleRegressor` node (ai.onnx.ml opset 3) from plain trees:
//! one entry per node in the flat arrays the operator takes, thresholds and
//! leaf values as double tensors, and missing values sent down their branch.

use super::attributes::{
    int_attribute, ints_attribute, string_attribute, strings_attribute, tensor_attribute,
};
use super::proto::NodeProto;
use crate::core::model::tree::{Tree, TreeNode};

/// The operator set of the tree ensemble.
pub(super) const ML_DOMAIN: &str = "ai.onnx.ml";

/// The arrays of a `TreeEnsembleRegressor`, tree by tree.
#[derive(Default)]
pub(super) struct Ensemble {
    tree_ids: Vec<i64>,
    node_ids: Vec<i64>,
    feature_ids: Vec<i64>,
    modes: Vec<&'static str>,
    thresholds: Vec<f64>,
    true_ids: Vec<i64>,
    false_ids: Vec<i64>,
    missing_tracks_true: Vec<i64>,
    leaf_tree_ids: Vec<i64>,
    leaf_node_ids: Vec<i64>,
    leaf_values: Vec<f64>,
}

impl Ensemble {
    #[allow(clippy::too_many_arguments)]
    fn branch(
        &mut self,
        tree: i64,
        node: i64,
        feature: usize,
        mode: &'static str,
        threshold: f64,
        true_id: i64,
        false_id: i64,
        missing_tracks_true: bool,
    ) {
        self.tree_ids.push(tree);
        self.node_ids.push(node);
        self.feature_ids.push(feature as i64);
        self.modes.push(mode);
        self.thresholds.push(threshold);
        self.true_ids.push(true_id);
        self.false_ids.push(false_id);
        self.missing_tracks_true
            .push(i64::from(missing_tracks_true));
    }

    fn leaf(&mut self, tree: i64, node: i64, value: f64) {
        self.tree_ids.push(tree);
        self.node_ids.push(node);
        self.feature_ids.push(0);
        self.modes.push("LEAF");
        self.thresholds.push(0.0);
        self.true_ids.push(0);
        self.false_ids.push(0);
        self.missing_tracks_true.push(0);
        self.leaf_tree_ids.push(tree);
        self.leaf_node_ids.push(node);
        self.leaf_values.push(value);
    }

    /// Adds `trees`; `mode` is how a split compares (`BRANCH_LEQ` or
    /// `BRANCH_LT`, true = left). A split whose missing values go to a third
    /// node becomes two: "is it a number" (`x <= +inf`, `NaN` false) in
    /// front of the comparison.
    pub(super) fn add_trees(&mut self, trees: &[Tree], mode: &'static str) {
        for (tree_index, tree) in trees.iter().enumerate() {
            let tree_id = tree_index as i64;
            let mut next_extra = tree.nodes.len() as i64;
            for (index, node) in tree.nodes.iter().enumerate() {
                let id = index as i64;
                match node {
                    TreeNode::Leaf { value } => self.leaf(tree_id, id, *value),
                    TreeNode::Split {
                        feature,
                        threshold,
                        left,
                        right,
                        missing,
                    } => {
                        let missing_goes_left = missing == left;
                        let (missing, left, right) = (*missing as i64, *left as i64, *right as i64);
                        if missing == left || missing == right {
                            self.branch(
                                tree_id,
                                id,
                                *feature,
                                mode,
                                *threshold,
                                left,
                                right,
                                missing_goes_left,
                            );
                        } else {
                            let compare = next_extra;
                            next_extra += 1;
                            self.branch(
                                tree_id,
                                id,
                                *feature,
                                "BRANCH_LEQ",
                                f64::INFINITY,
                                compare,
                                missing,
                                false,
                            );
                            self.branch(
                                tree_id, compare, *feature, mode, *threshold, left, right, false,
                            );
                        }
                    }
                }
            }
        }
    }

    pub(super) fn into_node(
        self,
        input: &str,
        output: &str,
        aggregate: &str,
        base_value: Option<f64>,
    ) -> NodeProto {
        let targets = self.leaf_values.len();
        let mut attribute = vec![
            int_attribute("n_targets", 1),
            string_attribute("aggregate_function", aggregate),
            string_attribute("post_transform", "NONE"),
            ints_attribute("nodes_treeids", self.tree_ids),
            ints_attribute("nodes_nodeids", self.node_ids),
            ints_attribute("nodes_featureids", self.feature_ids),
            strings_attribute("nodes_modes", &self.modes),
            tensor_attribute("nodes_values_as_tensor", self.thresholds),
            ints_attribute("nodes_truenodeids", self.true_ids),
            ints_attribute("nodes_falsenodeids", self.false_ids),
            ints_attribute("nodes_missing_value_tracks_true", self.missing_tracks_true),
            ints_attribute("target_treeids", self.leaf_tree_ids),
            ints_attribute("target_nodeids", self.leaf_node_ids),
            ints_attribute("target_ids", vec![0; targets]),
            tensor_attribute("target_weights_as_tensor", self.leaf_values),
        ];
        if let Some(base) = base_value {
            attribute.push(tensor_attribute("base_values_as_tensor", vec![base]));
        }
        NodeProto {
            input: vec![input.to_string()],
            output: vec![output.to_string()],
            name: Some(output.to_string()),
            op_type: Some("TreeEnsembleRegressor".to_string()),
            domain: Some(ML_DOMAIN.to_string()),
            attribute,
        }
    }
}
