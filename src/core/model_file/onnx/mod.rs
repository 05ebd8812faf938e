//! A model file as an ONNX-ML graph, for the broker side or any Python user:
//! one input, `features`, a float32 `[N, F]` tensor of the model's
//! `feature_names` in order (`NaN` for missing), and one output, `p_class1`,
//! the probability of class 1 as float32 `[N, 1]`.
//!
//! Written for Fink's pinned onnxruntime 1.16.3: IR version 8, `ai.onnx`
//! opset 13 and `ai.onnx.ml` opset 3 (`TreeEnsembleRegressor`, not opset 5's
//! `TreeEnsemble`). The graph first casts the input to double, so the trees
//! compare with double thresholds (`nodes_values_as_tensor`) and imputation
//! and scaling run in double, as in this crate. Missing values are handled
//! inside the graph: `IsNaN`, `Where` with the training medians and
//! `Gather` + `Cast` + `Concat` for the missing indicators; the boosted
//! trees send `NaN` down each split's missing branch
//! (`nodes_missing_value_tracks_true`, or one extra node when forust gave
//! missing values a branch of their own). Every family is exact: no
//! approximation is exported.

mod attributes;
mod ensemble;
mod graph;
pub mod proto;

use prost::Message;

use super::ModelFile;
use crate::core::model::FittedModel;

/// The graph's input and output names.
pub const INPUT_NAME: &str = "features";
pub const OUTPUT_NAME: &str = "p_class1";

/// The ONNX file (protobuf bytes) of `model`.
pub fn to_onnx(model: &ModelFile) -> Vec<u8> {
    let mut builder = graph::GraphBuilder::new(model.feature_names.len());
    match &model.fitted {
        FittedModel::Constant { probability, .. } => builder.constant_output(*probability),
        FittedModel::ExtraTrees { imputer, trees } => {
            let imputed = builder.impute(imputer);
            builder.forest(&imputed, trees);
        }
        FittedModel::GradientBoosting {
            base_score, trees, ..
        } => builder.boosted_trees(*base_score, trees),
        FittedModel::LogisticRegression {
            imputer,
            scaler,
            weights,
            intercept,
        } => {
            let imputed = builder.impute(imputer);
            builder.logistic(&imputed, scaler, weights, *intercept);
        }
    }
    let description = format!(
        "fink-vra {} model, round {}, {} ({}): P(class 1) from {} features",
        model.target.name,
        model.round,
        model.classifier.name(),
        model.survey,
        model.feature_names.len()
    );
    builder.finish(model, description).encode_to_vec()
}
