//! Section 4, "Label": the ranked queue and one alert card at a time, labelled
//! with the researcher's keys or with the card's buttons (touch, mouse, or
//! keyboard focus), which show the same keys.

use leptos::ev;
use leptos::prelude::*;

use super::cutouts::CutoutStrip;
use super::team_votes::{CardTeamVotes, LastAlertVotes, LastLabelGold};
use super::{svg_image, Section};
use crate::core::alert::Candid;
use crate::core::card::{feature_lines, CardFacts};
use crate::core::display::format_probability;
use crate::core::features::feature_names;
use crate::core::labels::vocabulary::Label;
use crate::core::object_labels::{earlier_labels, EarlierLabel};
use crate::core::plot::light_curve_svg;
use crate::core::queue::QueuedAlert;
use crate::core::workbench::class_medians;
use crate::ui::workbench::Workbench;
use crate::ui::{FileHandles, WorkerSlot};

/// What a key press or a card button asks for.
#[derive(Clone, Copy)]
enum KeyAction {
    Label(Label),
    /// The card's object's latest label, again.
    RepeatObjectLabel,
    Skip,
    Undo,
    Help,
}

/// The key that gives the card its object's latest label again.
const REPEAT_KEY: char = 'o';

fn key_action(key: &str) -> Option<KeyAction> {
    let mut characters = key.chars();
    let (Some(key), None) = (characters.next(), characters.next()) else {
        return None;
    };
    match key {
        's' => Some(KeyAction::Skip),
        REPEAT_KEY => Some(KeyAction::RepeatObjectLabel),
        'z' => Some(KeyAction::Undo),
        '?' => Some(KeyAction::Help),
        other => Label::from_key(other).map(KeyAction::Label),
    }
}

/// True when the key press is typing in a form field, not a label. A
/// checkbox, radio button or button that has the focus (just clicked) takes
/// no letters, so the keys still label.
fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match element.tag_name().as_str() {
        "SELECT" | "TEXTAREA" => true,
        "INPUT" => element
            .dyn_ref::<web_sys::HtmlInputElement>()
            .is_none_or(|input| {
                !matches!(
                    input.type_().as_str(),
                    "checkbox"
                        | "radio"
                        | "button"
                        | "submit"
                        | "reset"
                        | "file"
                        | "color"
                        | "range"
                )
            }),
        _ => false,
    }
}

/// Carries out an action on the card shown (`None`: no card).
fn act(workbench: Workbench, shown: Option<Candid>, action: KeyAction, show_help: RwSignal<bool>) {
    match (action, shown) {
        (KeyAction::Label(label), Some(candid)) => workbench.label(candid, label),
        (KeyAction::RepeatObjectLabel, Some(candid)) => workbench.repeat_object_label(candid),
        (KeyAction::Skip, Some(candid)) => workbench.skip(candid),
        (KeyAction::Undo, _) => workbench.undo(),
        (KeyAction::Help, _) => show_help.update(|shown| *shown = !*shown),
        (KeyAction::Label(_) | KeyAction::RepeatObjectLabel | KeyAction::Skip, None) => {}
    }
}

#[component]
pub fn LabelSection(
    workbench: Workbench,
    handles: FileHandles,
    reader: WorkerSlot,
) -> impl IntoView {
    let show_help = RwSignal::new(false);
    let current = Memo::new(move |_| {
        workbench.workspace.with(|workspace| {
            workbench.session.with(|session| {
                session
                    .current(workspace)
                    .map(|(row, alert)| (row, alert.clone()))
            })
        })
    });
    let shown = move || current.with_untracked(|card| card.as_ref().map(|(_, alert)| alert.candid));
    let _keys = window_event_listener(ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || typing_in_a_field(&event) {
            return;
        }
        let Some(action) = key_action(&event.key()) else {
            return;
        };
        event.prevent_default();
        act(workbench, shown(), action, show_help);
    });
    let on_button =
        Callback::new(move |action: KeyAction| act(workbench, shown(), action, show_help));
    let progress = Memo::new(move |_| workbench.session.with(|session| session.batch_progress()));
    let can_undo = Memo::new(move |_| workbench.session.with(|session| session.can_undo()));
    let queue_length = Memo::new(move |_| workbench.session.with(|session| session.queue().len()));
    // Solar-system alerts read but kept out of the queue by the settings.
    let solar_system_left_out = Memo::new(move |_| {
        let included = workbench
            .session
            .with(|session| session.settings().include_solar_system);
        if included {
            0
        } else {
            workbench
                .workspace
                .with(|workspace| workspace.solar_system_count())
        }
    });
    let labelled_objects_left_out = Memo::new(move |_| {
        workbench.workspace.with(|workspace| {
            workbench
                .session
                .with(|session| session.labelled_object_alerts_left_out(workspace))
        })
    });
    view! {
        <Section
            number=4
            title="Label"
            explanation="One alert at a time, in the order the strategy ranks them. Keys: r real, x extragal, g gal, \
                         a agn, b bogus, v varstar, u unsure, o the object's latest label again, s skip, z undo, \
                         ? help. Labels are saved at once."
        >
            <div class="queue" data-testid="queue">
                <span data-testid="batch-progress">{move || { let (done, needed) = progress.get(); format!("{done} of {needed} usable labels for the next round") }}</span>
                <span class="muted">{move || format!(" · {} alerts in the queue", queue_length.get())}</span>
                <Show when=move || { solar_system_left_out.get() > 0 }>
                    <span class="muted" data-testid="solar-system-left-out">
                        {move || format!(" · {} solar-system alerts left out (Model & strategy can let them in)", solar_system_left_out.get())}
                    </span>
                </Show>
                <Show when=move || { labelled_objects_left_out.get() > 0 }>
                    <span class="muted" data-testid="labelled-objects-left-out">
                        {move || format!(" · {} alerts of objects already labelled left out", labelled_objects_left_out.get())}
                    </span>
                </Show>
                <Show when=move || { let (done, needed) = progress.get(); done >= needed }>
                    <strong class="batch-done" data-testid="batch-complete">" · Batch complete: train the next round below."</strong>
                </Show>
            </div>
            <Show when=move || show_help.get()>
                <KeyHelp />
            </Show>
            <LastAlertVotes workbench />
            <LastLabelGold workbench />
            {move || match current.get() {
                Some((row, alert)) => view! { <AlertCard workbench handles reader row alert on_button /> }.into_any(),
                None => view! {
                    <p class="empty">"Nothing to label: load alerts, or every loaded alert is labelled or skipped until the next round."</p>
                    <Show when=move || can_undo.get()>
                        <button type="button" class="secondary" data-testid="undo-button" on:click=move |_| on_button.run(KeyAction::Undo)>
                            "undo " <kbd>"z"</kbd>
                        </button>
                    </Show>
                }.into_any(),
            }}
        </Section>
    }
}

#[component]
fn KeyHelp() -> impl IntoView {
    let rows: Vec<(String, &'static str)> = Label::ALL
        .iter()
        .map(|label| (label.key().to_string(), label.name()))
        .chain([
            (REPEAT_KEY.to_string(), "the object's latest label again"),
            ("s".to_string(), "skip"),
            ("z".to_string(), "undo"),
            ("?".to_string(), "show or hide this help"),
        ])
        .collect();
    view! {
        <table class="key-help" data-testid="key-help">
            {rows.into_iter().map(|(key, meaning)| view! { <tr><td><kbd>{key}</kbd></td><td>{meaning}</td></tr> }).collect_view()}
        </table>
    }
}

/// The labels given to other alerts of the card's object, and the button
/// that gives this card the latest of them again.
#[component]
fn EarlierLabels(
    earlier: Memo<Vec<EarlierLabel>>,
    on_button: Callback<KeyAction>,
) -> impl IntoView {
    let latest = Memo::new(move |_| earlier.with(|labels| labels.first().map(|first| first.label)));
    view! {
        <Show when=move || latest.get().is_some()>
            <div class="earlier-labels" data-testid="card-earlier-labels">
                <span>"This object's earlier labels: "</span>
                <ul>
                    {move || earlier.get().into_iter().map(|earlier| view! {
                        <li data-testid="earlier-label">{format!("{} · {} · alert {}", earlier.label, earlier.date, earlier.alert_id)}</li>
                    }).collect_view()}
                </ul>
                <button type="button" class="secondary" data-testid="repeat-label" on:click=move |_| on_button.run(KeyAction::RepeatObjectLabel)>
                    {move || latest.get().map(|label| format!("{label} again ")).unwrap_or_default()} <kbd>{REPEAT_KEY.to_string()}</kbd>
                </button>
            </div>
        </Show>
    }
}

/// The card's buttons: one per label, skip and undo, each with its key.
#[component]
fn CardButtons(on_button: Callback<KeyAction>) -> impl IntoView {
    let labels = Label::ALL.map(|label| {
        let testid = format!("label-{}", label.name());
        view! {
            <button type="button" class="label-button" data-testid=testid
                on:click=move |_| on_button.run(KeyAction::Label(label))>
                {label.name()} " " <kbd>{label.key().to_string()}</kbd>
            </button>
        }
    });
    view! {
        <div class="card-buttons" data-testid="card-buttons" role="group" aria-label="Label this alert">
            {labels.into_iter().collect_view()}
            <button type="button" class="secondary" data-testid="skip-button" on:click=move |_| on_button.run(KeyAction::Skip)>
                "skip " <kbd>"s"</kbd>
            </button>
            <button type="button" class="secondary" data-testid="undo-button" on:click=move |_| on_button.run(KeyAction::Undo)>
                "undo " <kbd>"z"</kbd>
            </button>
        </div>
    }
}

#[component]
fn AlertCard(
    workbench: Workbench,
    handles: FileHandles,
    reader: WorkerSlot,
    row: usize,
    alert: QueuedAlert,
    on_button: Callback<KeyAction>,
) -> impl IntoView {
    let workspace = workbench.workspace;
    let (features, facts, light_curve) = workspace.with_untracked(|workspace| {
        let shown = &workspace.alerts()[row];
        (
            workspace.features()[row].clone(),
            CardFacts::of(shown),
            light_curve_svg(shown, 560, 300),
        )
    });
    // The object's labels on other alerts, loaded or not (newest first).
    let earlier = Memo::new(move |_| {
        // Stored rows (their dates) arrive without a workspace notification.
        workbench.table_revision.track();
        workspace.with(|workspace| {
            workbench.session.with(|session| {
                workspace
                    .alerts()
                    .get(row)
                    .map(|shown| earlier_labels(workspace, &session.labels_for_cards(), shown))
                    .unwrap_or_default()
            })
        })
    });
    let medians = workspace.with_untracked(|workspace| {
        workbench.session.with_untracked(|session| {
            class_medians(
                workspace,
                session.training_labels(),
                &session.settings().target,
            )
        })
    });
    let probability = Memo::new(move |_| {
        workbench
            .session
            .with(|session| format_probability(session.probability_of(alert.candid)))
    });
    let row_index = row;
    let row = features;
    let links = facts.links.into_iter().map(|(name, href)| {
        view! { <a href=href target="_blank" rel="noopener noreferrer">{name}</a> " " }
    });
    let (feature_rows, without_values) =
        feature_lines(feature_names(row.survey), &row.values, &medians);
    let without_values = (!without_values.is_empty())
        .then(|| format!("No value yet for: {}.", without_values.join(", ")));
    view! {
        <article class="label-card" data-testid="label-card" data-candid=row.candid.to_string()>
            <header>
                <h3 data-testid="card-object">{facts.object_id}</h3>
                <span class="candid" data-testid="card-alert-id">{facts.alert_id}</span>
                <span data-testid="card-date">{facts.date}</span>
                {facts.solar_system.map(|mark| view! {
                    <strong class="solar-system" data-testid="card-solar-system">{mark}</strong>
                })}
            </header>
            {alert.reason.is_exploration().then(|| view! {
                <p class="random-pick" data-testid="card-random-pick" title="Drawn uniformly from the pool, not chosen by the strategy: label it as you would any alert, and do not skip it, so that the round's estimate on tonight's alerts stays unbiased.">"Random pick, for an honest estimate"</p>
            })}
            <p class="why" data-testid="card-reason">"P(class 1) " {move || probability.get()} " · " {alert.reason.to_string()}</p>
            <CardTeamVotes workbench candid=alert.candid />
            <CardButtons on_button />
            <EarlierLabels earlier on_button />
            <p class="links" data-testid="card-links">{links.collect_view()}</p>
            <div class="card-visuals">
                <CutoutStrip workspace handles reader pool_index=row_index />
                {svg_image(light_curve, facts.light_curve_description, "lightcurve")}
            </div>
            <table class="card-features">
                <thead><tr><th>"feature"</th><th class="number">"this alert"</th><th class="number">"class 0 median"</th><th class="number">"class 1 median"</th></tr></thead>
                <tbody>
                    {feature_rows.into_iter().map(|(name, value, zero, one)| view! {
                        <tr><th scope="row">{name}</th><td class="number">{value}</td><td class="number">{zero}</td><td class="number">{one}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {without_values.map(|text| view! { <p class="muted" data-testid="card-features-missing">{text}</p> })}
        </article>
    }
}
