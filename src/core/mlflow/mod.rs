//! Logging a round to an MLflow tracking server, as the researcher's scripts
//! did, planned here without any network code: which experiment (named after
//! the model type), the run's name (`round N`), its parameters, metrics (the
//! round as the step) and tags, and the artifacts with their bytes: the model
//! file, the training ids CSV, the training features CSV, and an MLflow model
//! directory (`model/`: `MLmodel` with the `onnx` and `python_function`
//! flavours beside `model.onnx`) that `mlflow.pyfunc.load_model` loads.
//!
//! `mlflow::rest` turns the plan into MLflow REST requests and reads the
//! answers; the page's shell only sends them (`fetch`).

pub mod model_dir;
pub mod rest;
mod url;

use crate::core::active::round::RoundRecord;
use crate::core::labels::exchange::{export_training_features_csv, export_training_ids_csv};
use crate::core::model_file::onnx::to_onnx;
use crate::core::model_file::{ModelFile, ModelFileError};
use crate::core::workspace::Workspace;

/// Where the MLflow model directory goes in the run's artifacts.
pub const MODEL_DIRECTORY: &str = "model";

/// A key and a value (parameters and tags are strings in MLflow).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// A metric of the round.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub key: String,
    pub value: f64,
}

/// One file of the run's artifacts: its path under the run's artifact root
/// and its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Everything logged for one round.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPlan {
    pub experiment: String,
    pub run_name: String,
    /// The step of every metric: the round number.
    pub step: u32,
    pub params: Vec<KeyValue>,
    pub metrics: Vec<Metric>,
    pub tags: Vec<KeyValue>,
    pub artifacts: Vec<Artifact>,
}

fn pair(key: &str, value: impl ToString) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: value.to_string(),
    }
}

impl RunPlan {
    /// The plan for `record`, its model fitted again on the workspace's
    /// rows of its training alerts (all must be loaded).
    pub fn for_round_in(
        workspace: &Workspace,
        record: &RoundRecord,
        annotator: &str,
    ) -> Result<RunPlan, ModelFileError> {
        let model = ModelFile::export_round(workspace, record)?;
        let training_table = export_training_features_csv(model.survey, record, |id| {
            workspace.feature_row_of_id(id)
        });
        Ok(RunPlan::for_round(
            record,
            &model,
            training_table,
            annotator,
        ))
    }

    /// The plan for `record`, whose model file is `model` and training
    /// table (`export_training_features_csv`) `training_table`.
    pub fn for_round(
        record: &RoundRecord,
        model: &ModelFile,
        training_table: String,
        annotator: &str,
    ) -> RunPlan {
        let mut params = vec![
            pair("model_type", &model.target.name),
            pair("target", model.target.to_text()),
            pair("classifier", model.classifier.name()),
            pair("strategy", model.strategy.name()),
            pair("seed", model.seed),
            pair("n_labels", model.training.len()),
            pair("n_features", model.feature_names.len()),
            pair("features", model.feature_names.join(",")),
        ];
        // Through JSON text, so that an f32 such as the learning rate reads
        // 0.1 (its shortest form), not its f64 widening 0.10000000149011612.
        let classifier = serde_json::to_string(&model.classifier)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
        if let Some(serde_json::Value::Object(fields)) = classifier {
            for (key, value) in fields {
                if key != "kind" {
                    let text = match value {
                        serde_json::Value::Null => "default".to_string(),
                        other => other.to_string(),
                    };
                    params.push(pair(&key, text));
                }
            }
        }
        let mut metrics = vec![
            Metric {
                key: "n_labels".into(),
                value: model.training.len() as f64,
            },
            Metric {
                key: "train_accuracy".into(),
                value: record.training_set.accuracy,
            },
        ];
        let named = |prefix: &str, m: &crate::core::active::metrics::BinaryMetrics| {
            let mut out = vec![
                (format!("{prefix}accuracy"), Some(m.accuracy)),
                (format!("{prefix}precision"), Some(m.precision)),
                (format!("{prefix}recall"), Some(m.recall)),
                (format!("{prefix}f1"), Some(m.f1)),
                (format!("{prefix}roc_auc"), m.roc_auc),
                (format!("{prefix}recall_at_k"), m.recall_at_k),
                (format!("{prefix}aurak"), m.aurak),
            ];
            out.retain(|(_, value)| value.is_some_and(f64::is_finite));
            out.into_iter().map(|(key, value)| Metric {
                key,
                value: value.unwrap_or_default(),
            })
        };
        if let Some(cv) = &record.cross_validated {
            metrics.extend(named("cv_", &cv.mean));
            metrics.extend(named("cv_std_", &cv.std));
        }
        if let Some(validation) = &record.validation {
            metrics.extend(named("val_", validation));
        }
        if let Some(honest) = &record.honest_estimate {
            // "Estimated on tonight's alerts": on the random picks alone.
            let estimates = [
                ("honest_roc_auc", honest.roc_auc),
                ("honest_aurak", honest.aurak),
                ("honest_accuracy", Some(honest.accuracy)),
            ];
            for (key, estimate) in estimates {
                if let Some(estimate) = estimate {
                    for (suffix, value) in [
                        ("", estimate.value),
                        ("_low", estimate.low),
                        ("_high", estimate.high),
                    ] {
                        metrics.push(Metric {
                            key: format!("{key}{suffix}"),
                            value,
                        });
                    }
                }
            }
            metrics.push(Metric {
                key: "honest_n_labels".into(),
                value: honest.labels() as f64,
            });
        }
        let tags = vec![
            pair("survey", model.survey.key()),
            pair("model_type", &model.target.name),
            pair("classifier", model.classifier.name()),
            pair("strategy", model.strategy.name()),
            pair("annotator", annotator),
            pair("tool_version", &model.tool),
            pair("round", model.round),
        ];
        let onnx = to_onnx(model);
        let artifacts = vec![
            Artifact {
                path: model_dir::model_file_name(model),
                bytes: model.to_json().into_bytes(),
            },
            Artifact {
                path: "training_ids.csv".into(),
                bytes: export_training_ids_csv(std::slice::from_ref(record)).into_bytes(),
            },
            Artifact {
                path: "training_features.csv".into(),
                bytes: training_table.into_bytes(),
            },
            Artifact {
                path: format!("{MODEL_DIRECTORY}/MLmodel"),
                bytes: model_dir::mlmodel_yaml(model, onnx.len()).into_bytes(),
            },
            Artifact {
                path: format!("{MODEL_DIRECTORY}/python_env.yaml"),
                bytes: model_dir::PYTHON_ENV.as_bytes().to_vec(),
            },
            Artifact {
                path: format!("{MODEL_DIRECTORY}/requirements.txt"),
                bytes: model_dir::REQUIREMENTS.as_bytes().to_vec(),
            },
            Artifact {
                path: format!("{MODEL_DIRECTORY}/model.onnx"),
                bytes: onnx,
            },
        ];
        RunPlan {
            experiment: format!("fink-vra {}", model.target.name),
            run_name: format!("round {}", model.round),
            step: model.round,
            params,
            metrics,
            tags,
            artifacts,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::core::model::ModelSpec;

    #[test]
    fn hyper_parameters_read_as_typed() {
        let spec = ModelSpec::by_name("gradient-boosting").expect("known");
        let text = serde_json::to_string(&spec).expect("json");
        let fields: serde_json::Value = serde_json::from_str(&text).expect("reads");
        assert_eq!(fields["learning_rate"].to_string(), "0.1");
    }
}
