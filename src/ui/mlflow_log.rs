//! Sends a round's MLflow run plan (`core::mlflow`) to the tracking server
//! the user typed, step by step, reporting each step: experiment (found or
//! created), run, parameters and metrics, artifacts, finished. Only sends
//! and reports; what is sent and how answers read is `core::mlflow::rest`.
//! Nothing in the session changes, whatever happens.

use crate::core::mlflow::rest::{self, MlflowError, Request};
use crate::core::mlflow::RunPlan;
use crate::ui::browser::{clock, csp, http};

/// Where the run went, for the status line.
pub struct LoggedRun {
    pub run_id: String,
    pub experiment: String,
}

/// Context every request shares: the server, and this page's origin for
/// messages about CORS.
struct Server {
    base: String,
    page_origin: String,
}

impl Server {
    /// Sends `request`; an answer that is not 2xx is an error.
    async fn send(&self, step: &str, request: Request) -> Result<http::HttpAnswer, MlflowError> {
        let answer = self.send_any(request).await?;
        if answer.ok() {
            Ok(answer)
        } else {
            Err(rest::answer_error(
                step,
                answer.status,
                &answer.body,
                &self.page_origin,
            ))
        }
    }

    /// Sends `request` and returns whatever the server answered.
    async fn send_any(&self, request: Request) -> Result<http::HttpAnswer, MlflowError> {
        http::send_json(request.method, &request.url, request.json.as_deref())
            .await
            .map_err(|failed| self.no_answer(failed))
    }

    fn no_answer(&self, failed: http::Failed) -> MlflowError {
        match failed {
            http::Failed::Unreachable => MlflowError::Unreachable {
                url: self.base.clone(),
                origin: self.page_origin.clone(),
            },
            http::Failed::TimedOut => MlflowError::TimedOut {
                url: self.base.clone(),
                seconds: http::TIMEOUT_MS / 1000,
            },
        }
    }
}

/// This page's origin (`http://127.0.0.1:8080`), as `--cors-allowed-origins` wants it.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}

/// Logs `plan` to the server at `typed_url`, calling `progress` before each
/// step.
pub async fn log_run(
    typed_url: &str,
    plan: &RunPlan,
    progress: impl Fn(String),
) -> Result<LoggedRun, MlflowError> {
    let server = Server {
        base: rest::base_url(typed_url)?,
        page_origin: page_origin(),
    };
    csp::allow_connections_only_to(&rest::origin_of(typed_url)?).map_err(MlflowError::Other)?;
    progress(format!("Looking up the experiment “{}”…", plan.experiment));
    let lookup = server
        .send_any(rest::get_experiment(&server.base, &plan.experiment))
        .await?;
    let experiment_id = if rest::experiment_is_missing(lookup.status, &lookup.body) {
        progress(format!("Creating the experiment “{}”…", plan.experiment));
        let created = server
            .send(
                "creating the experiment",
                rest::create_experiment(&server.base, &plan.experiment),
            )
            .await?;
        rest::experiment_id_of_creation(&created.body)?
    } else if lookup.ok() {
        rest::experiment_id_of_lookup(&lookup.body)?
    } else {
        return Err(rest::answer_error(
            "the experiment lookup",
            lookup.status,
            &lookup.body,
            &server.page_origin,
        ));
    };
    progress(format!("Creating the run “{}”…", plan.run_name));
    let created = server
        .send(
            "creating the run",
            rest::create_run(&server.base, &experiment_id, plan, clock::now_ms()),
        )
        .await?;
    let (run_id, artifact_uri) = rest::run_of_creation(&created.body)?;
    let outcome = log_into_run(&server, plan, &run_id, &artifact_uri, &progress).await;
    let end = clock::now_ms();
    match outcome {
        Ok(()) => {
            server
                .send(
                    "finishing the run",
                    rest::finish_run(&server.base, &run_id, end),
                )
                .await?;
            Ok(LoggedRun {
                run_id,
                experiment: plan.experiment.clone(),
            })
        }
        Err(error) => {
            // Leave no run looking as if it were still being logged.
            let failed = rest::fail_run(&server.base, &run_id, end);
            let _ = http::send_json(failed.method, &failed.url, failed.json.as_deref()).await;
            Err(error)
        }
    }
}

async fn log_into_run(
    server: &Server,
    plan: &RunPlan,
    run_id: &str,
    artifact_uri: &str,
    progress: &impl Fn(String),
) -> Result<(), MlflowError> {
    progress("Logging parameters and metrics…".to_string());
    server
        .send(
            "logging parameters and metrics",
            rest::log_batch(&server.base, run_id, plan, clock::now_ms()),
        )
        .await?;
    for (index, artifact) in plan.artifacts.iter().enumerate() {
        progress(format!(
            "Uploading {} ({} of {})…",
            artifact.path,
            index + 1,
            plan.artifacts.len()
        ));
        let url = rest::artifact_url(&server.base, artifact_uri, &artifact.path)?;
        let answer = http::put_bytes(&url, &artifact.bytes)
            .await
            .map_err(|failed| server.no_answer(failed))?;
        if !answer.ok() {
            return Err(rest::answer_error(
                &format!("uploading {}", artifact.path),
                answer.status,
                &answer.body,
                &server.page_origin,
            ));
        }
    }
    Ok(())
}
