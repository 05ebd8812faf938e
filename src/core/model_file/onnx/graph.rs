//! Builds the ONNX graph of a fitted model node by node (see `onnx`).

use super::attributes::{double_tensor, int_attribute, value_info};
use super::ensemble::{Ensemble, ML_DOMAIN};
use super::proto::{
    data_type, AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto,
};
use super::{INPUT_NAME, OUTPUT_NAME};
use crate::core::model::impute::MedianImputer;
use crate::core::model::standardize::Standardizer;
use crate::core::model::tree::Tree;
use crate::core::model_file::ModelFile;

const IR_VERSION: i64 = 8;
const ONNX_OPSET: i64 = 13;
const ML_OPSET: i64 = 3;

/// Nodes and constants added in order; values are named as they are made.
pub(super) struct GraphBuilder {
    nodes: Vec<NodeProto>,
    constants: Vec<TensorProto>,
    columns: usize,
    /// The input as double, `[N, F]`.
    input: String,
}

impl GraphBuilder {
    /// A graph whose first node casts the float32 input to double.
    pub(super) fn new(columns: usize) -> GraphBuilder {
        let mut builder = GraphBuilder {
            nodes: Vec::new(),
            constants: Vec::new(),
            columns,
            input: "features_double".to_string(),
        };
        builder.cast(INPUT_NAME, "features_double", data_type::DOUBLE);
        builder
    }

    fn node(&mut self, op: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) {
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|i| i.to_string()).collect(),
            output: vec![output.to_string()],
            name: Some(output.to_string()),
            op_type: Some(op.to_string()),
            domain: Some(String::new()),
            attribute,
        });
    }

    fn cast(&mut self, input: &str, output: &str, to: i32) {
        self.node(
            "Cast",
            &[input],
            output,
            vec![int_attribute("to", i64::from(to))],
        );
    }

    fn constant(&mut self, tensor: TensorProto) {
        self.constants.push(tensor);
    }

    /// Median imputation and missing indicators, in double: the name of the
    /// imputed `[N, F + K]` value.
    pub(super) fn impute(&mut self, imputer: &MedianImputer) -> String {
        let input = self.input.clone();
        self.node("IsNaN", &[&input], "missing", vec![]);
        self.constant(double_tensor(
            "medians",
            vec![imputer.medians().len() as i64],
            imputer.medians().to_vec(),
        ));
        self.node("Where", &["missing", "medians", &input], "filled", vec![]);
        let indicators = imputer.indicator_columns();
        if indicators.is_empty() {
            return "filled".to_string();
        }
        self.constant(TensorProto {
            name: Some("indicator_columns".to_string()),
            dims: vec![indicators.len() as i64],
            data_type: Some(data_type::INT64),
            int64_data: indicators.iter().map(|&c| c as i64).collect(),
            ..TensorProto::default()
        });
        self.node(
            "Gather",
            &["missing", "indicator_columns"],
            "missing_indicated",
            vec![int_attribute("axis", 1)],
        );
        self.cast("missing_indicated", "indicators", data_type::DOUBLE);
        self.node(
            "Concat",
            &["filled", "indicators"],
            "imputed",
            vec![int_attribute("axis", 1)],
        );
        "imputed".to_string()
    }

    /// The forest: the mean of the trees' leaves is the probability.
    pub(super) fn forest(&mut self, imputed: &str, trees: &[Tree]) {
        let mut ensemble = Ensemble::default();
        ensemble.add_trees(trees, "BRANCH_LEQ");
        self.nodes
            .push(ensemble.into_node(imputed, OUTPUT_NAME, "AVERAGE", None));
    }

    /// Boosted trees on the raw input: base score plus the leaves, then the
    /// logistic function.
    pub(super) fn boosted_trees(&mut self, base_score: f64, trees: &[Tree]) {
        let mut ensemble = Ensemble::default();
        ensemble.add_trees(trees, "BRANCH_LT");
        let input = self.input.clone();
        self.nodes
            .push(ensemble.into_node(&input, "log_odds", "SUM", Some(base_score)));
        self.node("Sigmoid", &["log_odds"], OUTPUT_NAME, vec![]);
    }

    /// Standardisation, the linear score and the logistic function in
    /// double, then float32.
    pub(super) fn logistic(
        &mut self,
        imputed: &str,
        scaler: &Standardizer,
        weights: &[f64],
        intercept: f64,
    ) {
        let width = weights.len() as i64;
        self.constant(double_tensor("means", vec![width], scaler.means().to_vec()));
        self.constant(double_tensor(
            "deviations",
            vec![width],
            scaler.deviations().to_vec(),
        ));
        self.constant(double_tensor("weights", vec![width, 1], weights.to_vec()));
        self.constant(double_tensor("intercept", vec![1], vec![intercept]));
        self.node("Sub", &[imputed, "means"], "centred", vec![]);
        self.node("Div", &["centred", "deviations"], "scaled", vec![]);
        self.node("MatMul", &["scaled", "weights"], "dot", vec![]);
        self.node("Add", &["dot", "intercept"], "logit", vec![]);
        self.node("Sigmoid", &["logit"], "probability", vec![]);
        self.cast("probability", OUTPUT_NAME, data_type::FLOAT);
    }

    /// A model fitted on one class: the same probability for every row.
    pub(super) fn constant_output(&mut self, probability: f64) {
        self.constant(TensorProto {
            name: Some("first_column".to_string()),
            dims: vec![1],
            data_type: Some(data_type::INT64),
            int64_data: vec![0],
            ..TensorProto::default()
        });
        self.constant(TensorProto {
            name: Some("probability".to_string()),
            dims: vec![1],
            data_type: Some(data_type::FLOAT),
            float_data: vec![probability as f32],
            ..TensorProto::default()
        });
        self.node(
            "Gather",
            &[INPUT_NAME, "first_column"],
            "first_feature",
            vec![int_attribute("axis", 1)],
        );
        self.node("IsNaN", &["first_feature"], "first_missing", vec![]);
        self.node(
            "Where",
            &["first_missing", "probability", "probability"],
            OUTPUT_NAME,
            vec![],
        );
    }

    /// The model around the graph, with the model file's provenance as
    /// metadata.
    pub(super) fn finish(self, model: &ModelFile, description: String) -> ModelProto {
        let metadata = [
            ("format", "fink-vra-model onnx export"),
            ("survey", model.survey.key()),
            ("model_type", model.target.name.as_str()),
            ("classifier", model.classifier.name()),
            ("feature_names", &model.feature_names.join(",")),
            ("round", &model.round.to_string()),
            ("trained_at", &model.trained_at),
            ("tool", &model.tool),
        ]
        .iter()
        .map(|(key, value)| StringStringEntryProto {
            key: Some(key.to_string()),
            value: Some(value.to_string()),
        })
        .collect();
        ModelProto {
            ir_version: Some(IR_VERSION),
            opset_import: vec![
                OperatorSetIdProto {
                    domain: Some(String::new()),
                    version: Some(ONNX_OPSET),
                },
                OperatorSetIdProto {
                    domain: Some(ML_DOMAIN.to_string()),
                    version: Some(ML_OPSET),
                },
            ],
            producer_name: Some("fink-vra".to_string()),
            producer_version: Some(env!("CARGO_PKG_VERSION").to_string()),
            doc_string: Some(description),
            graph: Some(GraphProto {
                node: self.nodes,
                name: Some("fink_vra".to_string()),
                initializer: self.constants,
                input: vec![value_info(
                    INPUT_NAME,
                    data_type::FLOAT,
                    self.columns as i64,
                )],
                output: vec![value_info(OUTPUT_NAME, data_type::FLOAT, 1)],
            }),
            metadata_props: metadata,
        }
    }
}
