//! The MLflow model directory of a round: the `MLmodel` file (flavours
//! `onnx` and `python_function`, loader `mlflow.onnx`, the input and output
//! as a tensor signature) and its Python environment, written as MLflow's own
//! `mlflow.onnx.save_model` writes them, so that `mlflow.pyfunc.load_model`
//! loads the model and `mlflow models serve` serves it.

use crate::core::model_file::onnx::OUTPUT_NAME;
use crate::core::model_file::ModelFile;

/// The Python packages the served model needs.
pub const REQUIREMENTS: &str = "mlflow\nonnx\nonnxruntime>=1.16.3\nnumpy\n";

/// The virtualenv description MLflow reads (`python_env.yaml`).
pub const PYTHON_ENV: &str = "python: 3.11\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n";

/// The model file's name as the page downloads it, e.g.
/// `fink-vra-ztf-gal-round-3.model.json`.
pub fn model_file_name(model: &ModelFile) -> String {
    format!("{}.model.json", file_stem(model))
}

/// The ONNX file's name as the page downloads it.
pub fn onnx_file_name(model: &ModelFile) -> String {
    format!("{}.onnx", file_stem(model))
}

fn file_stem(model: &ModelFile) -> String {
    let safe: String = model
        .target
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "fink-vra-{}-{safe}-round-{}",
        model.survey.key(),
        model.round
    )
}

/// The `MLmodel` YAML of `model`, whose ONNX graph is `onnx_bytes` long.
/// Its signature names the features as columns, so that a DataFrame of them
/// (in any order: MLflow orders them) is the model's input; MLflow's ONNX
/// flavour passes the columns as the graph's one input tensor.
pub fn mlmodel_yaml(model: &ModelFile, onnx_bytes: usize) -> String {
    let columns: Vec<String> = model
        .feature_names
        .iter()
        .map(|name| format!(r#"{{"type": "float", "name": "{name}", "required": true}}"#))
        .collect();
    let inputs = format!("[{}]", columns.join(", "));
    let outputs = format!(
        r#"[{{"type": "tensor", "tensor-spec": {{"dtype": "float32", "shape": [-1, 1]}}, "name": "{OUTPUT_NAME}"}}]"#
    );
    format!(
        "artifact_path: model
flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_session_options: null
    providers:
    - CPUExecutionProvider
  python_function:
    data: model.onnx
    env:
      virtualenv: python_env.yaml
    loader_module: mlflow.onnx
    python_version: '3.11'
model_size_bytes: {onnx_bytes}
signature:
  inputs: '{inputs}'
  outputs: '{outputs}'
utc_time_created: '{created}'
",
        created = model.trained_at
    )
}
