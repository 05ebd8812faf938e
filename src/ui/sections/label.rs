//! Section 4, "Label": the ranked queue and one alert card at a time, labelled
//! from the keyboard with the researcher's keys.

use leptos::ev;
use leptos::prelude::*;

use super::cutouts::CutoutStrip;
use super::{svg_image, Section};
use crate::core::active::strategy::RankedAlert;
use crate::core::display::{format_feature_value, format_mjd};
use crate::core::features::FEATURE_NAMES;
use crate::core::labels::vocabulary::Label;
use crate::core::links::{fink_portal_url, lasair_url};
use crate::core::plot::light_curve_svg;
use crate::core::workbench::{batch_progress, class_medians};
use crate::core::workspace::Workspace;
use crate::ui::workbench::Workbench;
use crate::ui::{FileHandles, WorkerSlot};

/// What a key press asks for.
enum KeyAction {
    Label(Label),
    Skip,
    Undo,
    Help,
}

fn key_action(key: &str) -> Option<KeyAction> {
    let mut characters = key.chars();
    let (Some(key), None) = (characters.next(), characters.next()) else {
        return None;
    };
    match key {
        's' => Some(KeyAction::Skip),
        'z' => Some(KeyAction::Undo),
        '?' => Some(KeyAction::Help),
        other => Label::from_key(other).map(KeyAction::Label),
    }
}

/// True when the key press is typing in a form field, not a label.
fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
        })
}

#[component]
pub fn LabelSection(
    workbench: Workbench,
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
) -> impl IntoView {
    let show_help = RwSignal::new(false);
    let current = Memo::new(move |_| workbench.current(workspace));
    let _keys = window_event_listener(ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || typing_in_a_field(&event) {
            return;
        }
        let Some(action) = key_action(&event.key()) else {
            return;
        };
        event.prevent_default();
        let shown = current.get_untracked();
        match action {
            KeyAction::Label(label) => {
                if let Some(alert) = shown {
                    workbench.label(workspace, alert.pool_index, label);
                }
            }
            KeyAction::Skip => {
                if let Some(alert) = shown {
                    workbench.skip(workspace, alert.pool_index);
                }
            }
            KeyAction::Undo => workbench.undo(workspace),
            KeyAction::Help => show_help.update(|shown| *shown = !*shown),
        }
    });
    let progress = Memo::new(move |_| {
        workbench
            .session
            .with(|session| batch_progress(&session.labels, &session.rounds, &session.settings))
    });
    let queue_length = Memo::new(move |_| workbench.queue.with(Vec::len));
    view! {
        <Section
            number=4
            title="Label"
            explanation="One alert at a time, in the order the strategy ranks them. Keys: r real, x extragal, g gal, \
                         a agn, b bogus, v varstar, u unsure, s skip, z undo, ? help. Labels are saved at once."
        >
            <div class="queue" data-testid="queue">
                <span data-testid="batch-progress">{move || { let (done, needed) = progress.get(); format!("{done} of {needed} usable labels for the next round") }}</span>
                <span class="muted">{move || format!(" · {} alerts in the queue", queue_length.get())}</span>
                <Show when=move || { let (done, needed) = progress.get(); done >= needed }>
                    <strong class="batch-done" data-testid="batch-complete">" · Batch complete: train the next round below."</strong>
                </Show>
            </div>
            <Show when=move || show_help.get()>
                <KeyHelp />
            </Show>
            {move || match current.get() {
                Some(alert) => view! { <AlertCard workbench workspace handles reader alert /> }.into_any(),
                None => view! { <p class="empty">"Nothing to label: load alerts, or every loaded alert has a label."</p> }.into_any(),
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

#[component]
fn AlertCard(
    workbench: Workbench,
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
    alert: RankedAlert,
) -> impl IntoView {
    let (row, mjd, light_curve) = workspace.with_untracked(|workspace| {
        let shown = &workspace.alerts()[alert.pool_index];
        (
            workspace.features()[alert.pool_index].clone(),
            shown.mjd().unwrap_or(f64::NAN),
            light_curve_svg(shown, 560, 300),
        )
    });
    let medians = workspace.with_untracked(|workspace| {
        workbench.session.with_untracked(|session| {
            class_medians(
                workspace.features(),
                &session.labels,
                &session.settings.target,
            )
        })
    });
    let probability = if alert.probability.is_nan() {
        "no model yet".to_string()
    } else {
        format!("{:.2}", alert.probability)
    };
    let object_link = |url: Option<String>, text: &'static str| {
        url.map(|href| view! { <a href=href target="_blank" rel="noopener noreferrer">{text}</a> })
    };
    let feature_rows: Vec<_> = FEATURE_NAMES
        .iter()
        .enumerate()
        .map(|(column, name)| {
            (
                *name,
                format_feature_value(row.values[column]),
                format_feature_value(medians[0][column]),
                format_feature_value(medians[1][column]),
            )
        })
        .collect();
    view! {
        <article class="label-card" data-testid="label-card" data-candid=row.candid.to_string()>
            <header>
                <h3 data-testid="card-object">{row.object_id.clone()}</h3>
                <span class="candid">"candid " {row.candid.to_string()}</span>
                <span>{format_mjd(mjd)}</span>
            </header>
            <p class="why" data-testid="card-reason">"P(class 1) " {probability} " · " {alert.reason.clone()}</p>
            <p class="links">
                {object_link(lasair_url(&row.object_id), "Lasair")} " "
                {object_link(fink_portal_url(&row.object_id), "Fink portal")}
            </p>
            <div class="card-visuals">
                <CutoutStrip workspace handles reader pool_index=alert.pool_index />
                {svg_image(light_curve, "Light curve: detections with error bars, upper limits as open triangles, g green, r red, this alert ringed", "lightcurve")}
            </div>
            <table class="card-features">
                <thead><tr><th>"feature"</th><th class="number">"this alert"</th><th class="number">"class 0 median"</th><th class="number">"class 1 median"</th></tr></thead>
                <tbody>
                    {feature_rows.into_iter().map(|(name, value, zero, one)| view! {
                        <tr><th scope="row">{name}</th><td class="number">{value}</td><td class="number">{zero}</td><td class="number">{one}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}
