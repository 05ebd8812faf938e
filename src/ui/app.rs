//! The notebook page: one column of numbered sections over one workspace and
//! one workbench.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let workbench = Workbench::restore();
    // New alerts, or changed settings, re-rank the queue; after a reload the
    // last round's model is fitted again first.
    let rerank = Callback::new(move |_| {
        workbench.rebuild_queue(workspace);
        spawn_local(async move { workbench.refit_if_trained(workspace).await });
    });
    // Other settings make the current model's probabilities stale.
    let settings_changed = Callback::new(move |_| {
        workbench.probabilities.set(None);
        rerank.run(());
    });
    // Warn before leaving with labels that exist nowhere but this browser.
    let _unload = window_event_listener(ev::beforeunload, move |event| {
        if workbench
            .session
            .with_untracked(|session| session.unexported_changes > 0)
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
            <LoadSection workspace handles reader progress on_loaded=rerank />
            <FeaturesSection workspace loading=Signal::derive(move || progress.with(Option::is_some)) />
            <ModelSection workbench on_change=settings_changed />
            <LabelSection workbench workspace handles reader />
            <TrainSection workbench workspace />
            <ExchangeSection workbench workspace />
        </main>
    }
}
