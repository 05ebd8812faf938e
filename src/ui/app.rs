//! The notebook page: one column of numbered sections over one workspace and
//! one workbench.

use leptos::ev;
use leptos::prelude::*;

use super::browser::storage::load_survey;
use super::sections::exchange::ExchangeSection;
use super::sections::features::FeaturesSection;
use super::sections::label::LabelSection;
use super::sections::load::LoadSection;
use super::sections::model::ModelSection;
use super::sections::team::TeamSection;
use super::sections::train::TrainSection;
use super::workbench::Workbench;
use super::{FileHandles, LoadProgress, WorkerSlot};
use crate::core::alert::Survey;
use crate::core::workspace::Workspace;

#[component]
pub fn App() -> impl IntoView {
    let workspace = RwSignal::new(Workspace::for_survey(load_survey()));
    let handles = FileHandles::default();
    let reader = WorkerSlot::default();
    let progress = RwSignal::new(None::<LoadProgress>);
    let workbench = Workbench::start(workspace);
    // New alerts re-rank the queue, and have the model score them (after a
    // reload: the last round's model is fitted again).
    let alerts_added = Callback::new(move |_| workbench.alerts_added());
    // Another survey: its own session, an empty workspace, no file handles.
    let switch_survey = Callback::new(move |survey: Survey| {
        if survey != workbench.survey() {
            handles.clear();
            workbench.switch_survey(survey);
        }
    });
    let survey = Memo::new(move |_| workspace.with(Workspace::survey));
    let other_survey = move || match survey.get() {
        Survey::Ztf => Survey::Lsst,
        Survey::Lsst => Survey::Ztf,
    };
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
                "Active learning on Fink's ZTF and Rubin/LSST alert streams. Everything runs in this page: "
                "your files are never uploaded."
            </p>
            <p class="survey" data-testid="survey">
                "This session labels " <strong data-testid="survey-name">{move || survey.get().to_string()}</strong> " alerts. "
                <button type="button" class="link-button" data-testid="survey-toggle"
                    disabled=move || progress.with(Option::is_some)
                    on:click=move |_| switch_survey.run(other_survey())>
                    {move || format!("Switch to {}", other_survey())}
                </button>
            </p>
            {move || workbench.storage_problem.get().map(|problem| view! {
                <p class="storage-warning" data-testid="storage-warning" role="alert">{problem.describe()}</p>
            })}
            {move || workbench.votes_problem.get().map(|problem| view! {
                <p class="storage-warning" data-testid="votes-storage-warning" role="alert">{problem}</p>
            })}
        </header>
        <main class="notebook">
            <LoadSection workspace handles reader progress on_loaded=alerts_added on_switch=switch_survey />
            <FeaturesSection workspace loading=Signal::derive(move || progress.with(Option::is_some)) />
            <ModelSection workbench />
            <LabelSection workbench handles reader />
            <TrainSection workbench />
            <ExchangeSection workbench />
            <TeamSection workbench />
        </main>
    }
}
