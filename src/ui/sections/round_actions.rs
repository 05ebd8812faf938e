//! What a round of the rounds table offers beyond its figures: its model as
//! a model file or an ONNX graph (downloads), logging it to an MLflow
//! tracking server the user names (remembered; empty by default, so the page
//! calls no server unless asked), and the feature-importance chart.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::svg_image;
use crate::core::active::round::RoundRecord;
use crate::core::mlflow::model_dir::{model_file_name, onnx_file_name};
use crate::core::mlflow::rest::origin_of;
use crate::core::mlflow::RunPlan;
use crate::core::model_file::onnx::to_onnx;
use crate::core::model_file::ModelFile;
use crate::core::plot::importance_svg;
use crate::ui::browser::csp;
use crate::ui::browser::download::{download_bytes, download_text};
use crate::ui::browser::storage::{self, MLFLOW_URL_KEY};
use crate::ui::mlflow_log::{log_run, page_origin};
use crate::ui::workbench::Workbench;

/// The rounds' actions and their state, shared by the table's rows.
#[derive(Clone, Copy)]
pub struct RoundActions {
    workbench: Workbench,
    /// The last export's outcome (an error says why nothing was downloaded).
    pub export_status: RwSignal<Option<Result<String, String>>>,
    /// The tracking server's URL as typed (saved on change).
    pub mlflow_url: RwSignal<String>,
    /// The MLflow log in progress or its outcome.
    pub mlflow_status: RwSignal<Option<Result<String, String>>>,
    pub logging: RwSignal<bool>,
}

impl RoundActions {
    /// The actions, with the remembered server URL; when there is one, the
    /// page's connections are narrowed to it at once.
    pub fn new(workbench: Workbench) -> RoundActions {
        let remembered = storage::load(MLFLOW_URL_KEY)
            .ok()
            .flatten()
            .unwrap_or_default();
        if let Ok(origin) = origin_of(&remembered) {
            let _ = csp::allow_connections_only_to(&origin);
        }
        RoundActions {
            workbench,
            export_status: RwSignal::new(None),
            mlflow_url: RwSignal::new(remembered),
            mlflow_status: RwSignal::new(None),
            logging: RwSignal::new(false),
        }
    }

    /// The round's model, fitted again from its record on the loaded alerts.
    fn model_of(&self, round: &RoundRecord) -> Result<ModelFile, String> {
        self.workbench
            .workspace
            .with_untracked(|workspace| ModelFile::export_round(workspace, round))
            .map_err(|error| format!("Round {}'s model was not exported: {error}.", round.round))
    }

    pub fn export_model(&self, round: &RoundRecord) {
        let outcome = self.model_of(round).and_then(|model| {
            let name = model_file_name(&model);
            download_text(&name, "application/json", &model.to_json())
                .map(|()| format!("Downloaded {name}."))
        });
        self.export_status.set(Some(outcome));
    }

    pub fn export_onnx(&self, round: &RoundRecord) {
        let outcome = self.model_of(round).and_then(|model| {
            let name = onnx_file_name(&model);
            download_bytes(&name, "application/octet-stream", &to_onnx(&model))
                .map(|()| format!("Downloaded {name}."))
        });
        self.export_status.set(Some(outcome));
    }

    pub fn remember_url(&self, url: String) {
        let _ = storage::save(MLFLOW_URL_KEY, url.trim());
        self.mlflow_url.set(url);
    }

    /// Logs `round` to the MLflow server typed, in the background.
    pub fn log_to_mlflow(&self, round: &RoundRecord) {
        if self.logging.get_untracked() {
            return;
        }
        let annotator = self
            .workbench
            .session
            .with_untracked(|session| session.saved().annotator.clone());
        let plan = self
            .workbench
            .workspace
            .with_untracked(|workspace| RunPlan::for_round_in(workspace, round, &annotator));
        let plan = match plan {
            Ok(plan) => plan,
            Err(error) => {
                self.mlflow_status.set(Some(Err(format!(
                    "Round {} was not logged: {error}.",
                    round.round
                ))));
                return;
            }
        };
        let url = self.mlflow_url.get_untracked();
        let (status, logging) = (self.mlflow_status, self.logging);
        logging.set(true);
        spawn_local(async move {
            let progress = |message: String| status.set(Some(Ok(message)));
            let outcome = log_run(&url, &plan, progress).await;
            status.set(Some(match outcome {
                Ok(run) => Ok(format!(
                    "{} logged to MLflow: run {} in experiment “{}”.",
                    plan.run_name, run.run_id, run.experiment
                )),
                Err(error) => Err(format!("{} was not logged: {error}.", plan.run_name)),
            }));
            logging.set(false);
        });
    }
}

/// A status line: a message, or an error as an alert.
fn status_line(status: Option<Result<String, String>>, test_id: &'static str) -> impl IntoView {
    status.map(|outcome| match outcome {
        Ok(message) => {
            view! { <p class="status" role="status" data-testid=test_id>{message}</p> }.into_any()
        }
        Err(message) => {
            view! { <p class="error" role="alert" data-testid=test_id>{message}</p> }.into_any()
        }
    })
}

/// The MLflow server's URL and the log's status.
#[component]
pub fn MlflowSettings(actions: RoundActions) -> impl IntoView {
    let hint = format!(
        " Start it with mlflow server --cors-allowed-origins {}",
        page_origin()
    );
    view! {
        <div class="mlflow">
            <label>"MLflow tracking server "
                <input type="url" data-testid="mlflow-url" placeholder="http://127.0.0.1:5000"
                    prop:value=move || actions.mlflow_url.get()
                    on:change=move |e| actions.remember_url(event_target_value(&e)) />
            </label>
            <span class="hint">{hint}</span>
            {move || status_line(actions.mlflow_status.get(), "mlflow-status")}
            {move || status_line(actions.export_status.get(), "model-export-status")}
        </div>
    }
}

/// A round row's buttons.
#[component]
pub fn RoundButtons(actions: RoundActions, round: RoundRecord) -> impl IntoView {
    // A round logged before its metrics are in would lack them in MLflow.
    let pending = round.is_pending();
    let log_title = if pending {
        "The round's metrics are still being computed"
    } else {
        "Log the round to the MLflow tracking server"
    };
    let (for_model, for_onnx, for_log) = (round.clone(), round.clone(), round);
    view! {
        <td class="round-actions">
            <button type="button" class="secondary" data-testid="export-model"
                title="The model file (JSON): score alerts with fink-vra score --model"
                on:click=move |_| actions.export_model(&for_model)>"Model"</button>
            <button type="button" class="secondary" data-testid="export-onnx"
                title="The model as ONNX-ML (onnxruntime 1.16.3 and later): imputation and classifier, exact"
                on:click=move |_| actions.export_onnx(&for_onnx)>"ONNX"</button>
            <button type="button" class="secondary" data-testid="log-mlflow"
                title=log_title
                disabled=move || pending || actions.logging.get()
                on:click=move |_| actions.log_to_mlflow(&for_log)>"Log to MLflow"</button>
        </td>
    }
}

/// The permutation importance of the latest round that has it.
#[component]
pub fn ImportanceChart(rounds: Memo<Vec<RoundRecord>>) -> impl IntoView {
    let latest = Memo::new(move |_| {
        rounds.with(|rounds| {
            rounds.iter().rev().find_map(|round| {
                round
                    .feature_importance
                    .clone()
                    .map(|importance| (round.round, importance))
            })
        })
    });
    move || {
        latest.get().map(|(round, importance)| {
            view! {
                <figure class="importance">
                    <figcaption>{format!("Which features the round {round} model needs: the drop in cross-validated ROC AUC when one is shuffled (mean over the folds, ± its standard error)")}</figcaption>
                    {svg_image(importance_svg(&importance, 560), "Feature importance: the drop in cross-validated ROC AUC when each feature is shuffled", "feature-importance")}
                </figure>
            }
        })
    }
}
