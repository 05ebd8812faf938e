//! Section 5, "Train & rounds": train the next round, and the rounds table
//! (like the researcher's MLflow runs list) with cross-validated metrics,
//! each round's exports and MLflow log (`round_actions`), and the feature
//! importance of the latest round.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::round_actions::{ImportanceChart, MlflowSettings, RoundActions, RoundButtons};
use super::{svg_image, Section};
use crate::core::active::evaluation::RecordState;
use crate::core::active::round::RoundRecord;
use crate::core::display::{format_metric, honest_estimate_text};
use crate::core::plot::learning_curve_svg;
use crate::ui::workbench::Workbench;

/// `mean ± sd` of a cross-validated metric, `–` without cross-validation,
/// or `n/a` for a metric that does not exist.
fn with_spread(
    round: &RoundRecord,
    pick: impl Fn(&crate::core::active::metrics::BinaryMetrics) -> Option<f64>,
) -> String {
    if round.is_pending() {
        return "…".to_string();
    }
    match &round.cross_validated {
        Some(cv) => match (pick(&cv.mean), pick(&cv.std)) {
            (Some(mean), Some(sd)) => format!("{mean:.2} ± {sd:.2}"),
            _ => "n/a".to_string(),
        },
        None => "–".to_string(),
    }
}

/// Whether the round's record is complete: empty when it is, else what
/// the row says instead of its metrics.
fn record_status(round: &RoundRecord) -> Option<String> {
    match &round.record_state {
        RecordState::Complete => None,
        RecordState::Pending => Some("metrics being computed".to_string()),
        RecordState::NotComputed { reason } => Some(format!("metrics not computed: {reason}")),
    }
}

/// How many features the round's model used ("all" for rounds saved before
/// the choice existed).
fn features_used(round: &RoundRecord) -> String {
    if round.features.is_empty() {
        "all".to_string()
    } else {
        round.features.len().to_string()
    }
}

/// The round's record: "complete", or why its metrics are missing, with a
/// button to compute them (again) when they were not, or when they are
/// pending and nothing in this page computes them (another tab started and
/// was closed).
#[component]
fn RecordCell(workbench: Workbench, round: RoundRecord) -> impl IntoView {
    let number = round.round;
    let status = record_status(&round);
    let pending = round.is_pending();
    let not_computed = matches!(round.record_state, RecordState::NotComputed { .. });
    let retry =
        Memo::new(move |_| not_computed || (pending && workbench.record_progress.get().is_none()));
    let state = match round.record_state {
        RecordState::Complete => "complete",
        RecordState::Pending => "pending",
        RecordState::NotComputed { .. } => "not-computed",
    };
    view! {
        <td data-testid="round-record" data-state=state>
            {status.unwrap_or_else(|| "complete".to_string())}
            <Show when=move || retry.get()>
                <button type="button" class="secondary" data-testid="compute-record"
                    disabled=move || workbench.record_progress.get().is_some()
                    on:click=move |_| workbench.compute_record(number)>"Compute metrics"</button>
            </Show>
        </td>
    }
}

#[component]
pub fn TrainSection(workbench: Workbench) -> impl IntoView {
    let rounds = Memo::new(move |_| {
        workbench
            .session
            .with(|session| session.saved().rounds.clone())
    });
    let next_round = Memo::new(move |_| rounds.with(Vec::len));
    // Where the labels' feature rows are (loaded, stored, or waiting for a file).
    let label_rows = Memo::new(move |_| {
        workbench.table_revision.track();
        workbench.workspace.with(|workspace| {
            workbench.session.with(|session| {
                workspace
                    .rows_of_labels(session.training_labels())
                    .describe()
            })
        })
    });
    let dropped_rows = Memo::new(move |_| match workbench.dropped_rows.get() {
        0 => None,
        dropped => Some(format!(
            "{dropped} stored feature rows could not be read back and were dropped."
        )),
    });
    let actions = RoundActions::new(workbench);
    // Fitting, or computing a round's record: Cancel stops either.
    let busy =
        Memo::new(move |_| workbench.training.get() || workbench.record_progress.get().is_some());
    // What the page says while a record is computed (once the round ranked).
    let record_progress_text = Memo::new(move |_| {
        (!workbench.training.get())
            .then(|| workbench.record_progress.get())
            .flatten()
            .map(|progress| format!(" {} ", progress.describe()))
    });
    let train = move |_| {
        if workbench.training.get_untracked() {
            return;
        }
        spawn_local(async move { workbench.train().await });
    };
    view! {
        <Section
            number=5
            title="Train & rounds"
            explanation="Each round trains the classifier on every usable label whose feature row is known (its alert \
                         loaded now, or stored when it was labelled or imported) and re-ranks the queue at once. Its metrics follow while you label: stratified 5-fold cross-validation on the labels (mean ± sd) \
                         and each feature's importance, computed in the background; training-set accuracy is shown apart, because it flatters."
        >
            <button type="button" data-testid="train" disabled=move || workbench.training.get() on:click=train>
                {move || if workbench.training.get() { "Training…".to_string() } else { format!("Train round {}", next_round.get()) }}
            </button>
            <Show when=move || workbench.training.get()>
                <span class="progress" data-testid="training-progress" role="status">" Fitting the model and ranking the pool… "</span>
            </Show>
            {move || record_progress_text.get().map(|text| view! {
                <span class="progress" data-testid="record-progress" role="status">{text}</span>
            })}
            <Show when=move || busy.get()>
                <button type="button" class="secondary" data-testid="cancel-training" on:click=move |_| workbench.cancel_training()>"Cancel"</button>
            </Show>
            {move || workbench.training_error.get().map(|message| view! { <p class="error" role="alert" data-testid="training-error">{message}</p> })}
            {move || label_rows.get().map(|text| view! { <p class="muted" data-testid="label-rows">{text}</p> })}
            {move || workbench.database_problem.get().map(|text| view! { <p class="error" role="alert" data-testid="database-problem">{text}</p> })}
            {move || dropped_rows.get().map(|text| view! { <p class="muted" data-testid="dropped-rows">{text}</p> })}
            {move || {
                let rounds = rounds.get();
                (!rounds.is_empty()).then(|| svg_image(learning_curve_svg(&rounds, 560, 260), "Learning curve: cross-validated ROC AUC, F1 and accuracy, and the ROC AUC on random picks with its interval, against the number of labels", "learning-curve"))
            }}
            <ImportanceChart rounds=rounds />
            <MlflowSettings actions=actions />
            <table class="rounds-table" data-testid="rounds-table">
                <thead>
                    <tr>
                        <th>"round"</th><th class="number">"labels"</th><th>"classes"</th><th>"model"</th><th class="number">"features"</th>
                        <th>"strategy"</th><th class="number">"CV accuracy"</th><th class="number">"CV F1"</th>
                        <th class="number">"CV ROC AUC"</th><th class="number">"CV AuRaK"</th><th class="number">"train accuracy"</th>
                        <th class="number">"validation AUC"</th>
                        <th title="Measured on the random picks' labels alone (the exploration share): a uniform sample of the pool, each predicted by a model that did not train on it.">"estimated on tonight's alerts"</th>
                        <th>"record"</th><th>"time (UTC)"</th><th>"export"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rounds.get().into_iter().map(|round| (round.class_summary(), round)).map(|(classes, round)| view! {
                        <tr data-testid="round-row">
                            <td>{round.round}</td>
                            <td class="number">{round.training.len()}</td>
                            <td data-testid="round-classes" title=classes.to_string()>{classes.counts_text()}</td>
                            <td>{format!("{} ({})", round.model.name(), round.model_type)}</td>
                            <td class="number" data-testid="round-features">{features_used(&round)}</td>
                            <td>{round.strategy.name()}</td>
                            <td class="number">{with_spread(&round, |m| Some(m.accuracy))}</td>
                            <td class="number">{with_spread(&round, |m| Some(m.f1))}</td>
                            <td class="number">{with_spread(&round, |m| m.roc_auc)}</td>
                            <td class="number">{with_spread(&round, |m| m.aurak)}</td>
                            <td class="number">{format!("{:.2}", round.training_set.accuracy)}</td>
                            <td class="number">{round.validation.map_or("–".to_string(), |v| format_metric(v.roc_auc))}</td>
                            <td data-testid="round-honest">{honest_estimate_text(&round)}</td>
                            <RecordCell workbench=workbench round=round.clone() />
                            <td>{round.timestamp.clone()}</td>
                            <RoundButtons actions=actions round=round.clone() />
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted" data-testid="cv-note">"The CV figures are measured on the labels you gave, which the strategy chose: they are not a sample of tonight's alerts. \
                The estimate on tonight's alerts is measured on the random picks alone (the exploration share in Model & strategy), with its 95 % interval."</p>
        </Section>
    }
}
