//! The notebook page: one column of numbered sections over one workspace and
//! one workbench.

use leptos::ev;
use leptos::prelude::*;

use super::sections::exchange::ExchangeSection;
use super::sections::features::FeaturesSection;
use super::sections::label::LabelSection;
use super::sections::load::LoadSection;
use super::sections::model::ModelSection;
use super::sections::train::TrainSection;
use super::workbench::Workbench;
use super::{FileHandles, LoadProgress, WorkerSlot};
use crate::core::workspace::Workspace;

#[component]
pub fn App() -> impl IntoView {
    let workspace = RwSignal::new(Workspace::new());
    let handles = FileHandles::default();
    let reader = WorkerSlot::default();
    let progress = RwSignal::new(None::<LoadProgress>);
    let workbench = Workbench::start(workspace);
    // New alerts re-rank the queue, and have the model score them (after a
    // reload: the last round's model is fitted again).
    let alerts_added = Callback::new(move |_| workbench.alerts_added());
    // Warn before leaving with labels that exist nowhere but this browser.
    let _unload = window_event_listener(ev::beforeunload, move |event| {
        if workbench
            .session
            .with_untracked(|session| session.saved().unexported_changes > 0)
        {
            event.prevent_default();
            event.set_return_value("Some labels are not exported yet.");
        }
    });
    view! {
        <header class="masthead">
            <h1>"fink-vra"</h1>
            <p class="tagline">
                "Active learning on the Fink ZTF alert stream. Everything runs in this page: "
                "your files are never uploaded."
            </p>
            {move || workbench.storage_problem.get().map(|problem| view! {
                <p class="storage-warning" data-testid="storage-warning" role="alert">{problem.describe()}</p>
            })}
        </header>
        <main class="notebook">
            <LoadSection workspace handles reader progress on_loaded=alerts_added />
            <FeaturesSection workspace loading=Signal::derive(move || progress.with(Option::is_some)) />
            <ModelSection workbench />
            <LabelSection workbench handles reader />
            <TrainSection workbench />
            <ExchangeSection workbench />
        </main>
    }
}
