//! MLflow's REST API, as requests (method, URL, JSON body) and readings of
//! its answers, for the page's `fetch`: experiments by name, runs, a batch of
//! parameters, metrics and tags, artifact uploads through the tracking
//! server's artifact proxy, and the run's end. Errors say what a person can
//! do about them.

use serde_json::json;
use thiserror::Error;

pub use super::url::{base_url, origin_of};
use super::{KeyValue, RunPlan};

/// A request to send: JSON for POSTs, bytes for artifact PUTs.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    /// JSON text (sent as `application/json`), or `None` for a GET.
    pub json: Option<String>,
}

/// What went wrong talking to the tracking server.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum MlflowError {
    #[error("type the tracking server's URL first, e.g. http://127.0.0.1:5000")]
    NoUrl,
    #[error("{url} is not an http:// or https:// URL")]
    BadUrl { url: String },
    #[error("the MLflow server at {url} could not be reached, or refused this page (CORS). Is it running? Start it with `mlflow server --cors-allowed-origins {origin}` so that it accepts this page")]
    Unreachable { url: String, origin: String },
    #[error("the MLflow server at {url} did not answer within {seconds} s: is it busy or stuck?")]
    TimedOut { url: String, seconds: u32 },
    #[error("the MLflow server refused this page (HTTP 403): start it with `mlflow server --cors-allowed-origins {origin}`")]
    Forbidden { origin: String },
    #[error("MLflow answered {step} with HTTP {status}: {message}")]
    Http {
        step: String,
        status: u16,
        message: String,
    },
    #[error("MLflow's answer to {step} could not be read: {detail}")]
    Unexpected { step: String, detail: String },
    #[error("{0}")]
    Other(String),
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn key_values(pairs: &[KeyValue]) -> serde_json::Value {
    pairs
        .iter()
        .map(|pair| json!({"key": pair.key, "value": pair.value}))
        .collect()
}

/// GET the experiment named `name` (404 `RESOURCE_DOES_NOT_EXIST` if none).
pub fn get_experiment(base: &str, name: &str) -> Request {
    Request {
        method: "GET",
        url: format!(
            "{base}/api/2.0/mlflow/experiments/get-by-name?experiment_name={}",
            encode(name)
        ),
        json: None,
    }
}

/// Create the experiment `name`.
pub fn create_experiment(base: &str, name: &str) -> Request {
    Request {
        method: "POST",
        url: format!("{base}/api/2.0/mlflow/experiments/create"),
        json: Some(json!({ "name": name }).to_string()),
    }
}

/// Create the plan's run in `experiment_id`, started at `start_ms`.
pub fn create_run(base: &str, experiment_id: &str, plan: &RunPlan, start_ms: u64) -> Request {
    Request {
        method: "POST",
        url: format!("{base}/api/2.0/mlflow/runs/create"),
        json: Some(
            json!({
                "experiment_id": experiment_id,
                "run_name": plan.run_name,
                "start_time": start_ms,
                "tags": key_values(&plan.tags),
            })
            .to_string(),
        ),
    }
}

/// Log the plan's parameters and metrics (at step = the round) in one batch.
pub fn log_batch(base: &str, run_id: &str, plan: &RunPlan, time_ms: u64) -> Request {
    let metrics: Vec<serde_json::Value> = plan
        .metrics
        .iter()
        .map(|metric| {
            json!({"key": metric.key, "value": metric.value, "timestamp": time_ms, "step": plan.step})
        })
        .collect();
    Request {
        method: "POST",
        url: format!("{base}/api/2.0/mlflow/runs/log-batch"),
        json: Some(
            json!({
                "run_id": run_id,
                "params": key_values(&plan.params),
                "metrics": metrics,
            })
            .to_string(),
        ),
    }
}

/// Mark the run finished at `end_ms`.
pub fn finish_run(base: &str, run_id: &str, end_ms: u64) -> Request {
    Request {
        method: "POST",
        url: format!("{base}/api/2.0/mlflow/runs/update"),
        json: Some(json!({"run_id": run_id, "status": "FINISHED", "end_time": end_ms}).to_string()),
    }
}

/// Mark the run failed at `end_ms` (logging it broke off).
pub fn fail_run(base: &str, run_id: &str, end_ms: u64) -> Request {
    Request {
        method: "POST",
        url: format!("{base}/api/2.0/mlflow/runs/update"),
        json: Some(json!({"run_id": run_id, "status": "FAILED", "end_time": end_ms}).to_string()),
    }
}

/// The URL an artifact is PUT to: the tracking server's artifact proxy, at
/// the run's `artifact_uri` (`mlflow-artifacts:/…`) joined with `path`.
pub fn artifact_url(base: &str, artifact_uri: &str, path: &str) -> Result<String, MlflowError> {
    let root = artifact_uri
        .strip_prefix("mlflow-artifacts:")
        .ok_or_else(|| MlflowError::Other(format!(
            "the run's artifacts are stored at {artifact_uri}, which the page cannot upload to: start the server with artifact proxying (`mlflow server` does by default, or --serve-artifacts)"
        )))?;
    // `mlflow-artifacts://host:port/path` names the server too: the path follows it.
    let root = match root.strip_prefix("//") {
        Some(with_host) => with_host.find('/').map_or("", |slash| &with_host[slash..]),
        None => root,
    };
    let parts: Vec<&str> = root
        .split('/')
        .chain(path.split('/'))
        .filter(|part| !part.is_empty())
        .collect();
    if parts.iter().any(|part| *part == "." || *part == "..") {
        return Err(MlflowError::Other(format!(
            "the run's artifact location {artifact_uri} is not a plain path"
        )));
    }
    let encoded: Vec<String> = parts.into_iter().map(encode).collect();
    Ok(format!(
        "{base}/api/2.0/mlflow-artifacts/artifacts/{}",
        encoded.join("/")
    ))
}

fn parse(step: &str, body: &str) -> Result<serde_json::Value, MlflowError> {
    serde_json::from_str(body).map_err(|error| MlflowError::Unexpected {
        step: step.to_string(),
        detail: error.to_string(),
    })
}

fn text_at<'a>(
    value: &'a serde_json::Value,
    pointer: &str,
    step: &str,
) -> Result<&'a str, MlflowError> {
    value
        .pointer(pointer)
        .and_then(|v| v.as_str())
        .ok_or_else(|| MlflowError::Unexpected {
            step: step.to_string(),
            detail: format!("no {pointer}"),
        })
}

/// The error of an answer that is not 2xx: MLflow's own message when it
/// sent one, the status otherwise.
pub fn answer_error(step: &str, status: u16, body: &str, origin: &str) -> MlflowError {
    if status == 403 {
        return MlflowError::Forbidden {
            origin: origin.to_string(),
        };
    }
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| {
            let code = value
                .get("error_code")
                .and_then(|c| c.as_str())
                .unwrap_or("");
            let text = value.get("message").and_then(|m| m.as_str())?;
            // MLflow's database errors run long: the first line says it.
            let first_line = text.lines().next().unwrap_or(text);
            Some(if code.is_empty() {
                first_line.to_string()
            } else {
                format!("{code}: {first_line}")
            })
        })
        .unwrap_or_else(|| body.chars().take(200).collect());
    MlflowError::Http {
        step: step.to_string(),
        status,
        message,
    }
}

/// Whether a get-by-name answer says the experiment does not exist yet.
pub fn experiment_is_missing(status: u16, body: &str) -> bool {
    status == 404 && body.contains("RESOURCE_DOES_NOT_EXIST")
}

/// The experiment id of a get-by-name answer.
pub fn experiment_id_of_lookup(body: &str) -> Result<String, MlflowError> {
    let step = "the experiment lookup";
    Ok(text_at(&parse(step, body)?, "/experiment/experiment_id", step)?.to_string())
}

/// The experiment id of a create-experiment answer.
pub fn experiment_id_of_creation(body: &str) -> Result<String, MlflowError> {
    let step = "creating the experiment";
    Ok(text_at(&parse(step, body)?, "/experiment_id", step)?.to_string())
}

/// The run id and artifact URI of a create-run answer.
pub fn run_of_creation(body: &str) -> Result<(String, String), MlflowError> {
    let step = "creating the run";
    let value = parse(step, body)?;
    Ok((
        text_at(&value, "/run/info/run_id", step)?.to_string(),
        text_at(&value, "/run/info/artifact_uri", step)?.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_artifacts_go_through_the_proxy() {
        assert_eq!(
            base_url(" http://127.0.0.1:5000/ "),
            Ok("http://127.0.0.1:5000".into())
        );
        assert_eq!(
            base_url("http://Tracker.Example:80/mlflow/"),
            Ok("http://tracker.example:80/mlflow".into())
        );
        assert_eq!(base_url(""), Err(MlflowError::NoUrl));
        for bad in [
            "ftp://x",
            "http://x' ; script-src *",
            "http://x/?a=1",
            "http://x#top",
            "http://user:pw@x",
            "http://[::1]:5000",
            "http://x:port",
            "http://x/../y",
            "http://",
        ] {
            assert!(
                matches!(base_url(bad), Err(MlflowError::BadUrl { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            origin_of("http://LOCALHOST:5000/mlflow"),
            Ok("http://localhost:5000".into())
        );
        assert_eq!(
            artifact_url(
                "http://h:1",
                "mlflow-artifacts:/1/abc/artifacts",
                "model/MLmodel"
            )
            .unwrap(),
            "http://h:1/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/MLmodel"
        );
        assert_eq!(
            artifact_url(
                "http://h:1",
                "mlflow-artifacts://h:1/1/abc/artifacts",
                "m.json"
            )
            .unwrap(),
            "http://h:1/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/m.json"
        );
        assert!(artifact_url("http://h:1", "mlflow-artifacts:/1/../x", "a").is_err());
        assert!(artifact_url("http://h:1", "file:///tmp/x", "a").is_err());
        assert_eq!(
            get_experiment("http://h", "fink-vra gal").url,
            "http://h/api/2.0/mlflow/experiments/get-by-name?experiment_name=fink-vra%20gal"
        );
    }

    #[test]
    fn mlflow_errors_keep_its_code_and_first_line() {
        let error = answer_error(
            "creating the run",
            400,
            r#"{"error_code": "INVALID_PARAMETER_VALUE", "message": "bad\nSQL: ..."}"#,
            "http://127.0.0.1:8080",
        );
        assert_eq!(
            error.to_string(),
            "MLflow answered creating the run with HTTP 400: INVALID_PARAMETER_VALUE: bad"
        );
        assert!(answer_error("x", 403, "", "http://o")
            .to_string()
            .contains("--cors-allowed-origins http://o"));
        assert!(experiment_is_missing(
            404,
            r#"{"error_code": "RESOURCE_DOES_NOT_EXIST"}"#
        ));
        assert_eq!(
            run_of_creation(
                r#"{"run": {"info": {"run_id": "r1", "artifact_uri": "mlflow-artifacts:/1/r1/artifacts"}}}"#
            ),
            Ok(("r1".into(), "mlflow-artifacts:/1/r1/artifacts".into()))
        );
    }
}
