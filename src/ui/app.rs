//! The notebook page: one column of numbered sections over one workspace.

use leptos::prelude::*;

use super::sections::features::FeaturesSection;
use super::sections::load::LoadSection;
use super::LoadProgress;
use crate::core::workspace::Workspace;

#[component]
pub fn App() -> impl IntoView {
    let workspace = RwSignal::new(Workspace::new());
    let progress = RwSignal::new(None::<LoadProgress>);
    view! {
        <header class="masthead">
            <h1>"fink-vra"</h1>
            <p class="tagline">
                "Active learning on the Fink ZTF alert stream. Everything runs in this page: "
                "your files are never uploaded."
            </p>
        </header>
        <main class="notebook">
            <LoadSection workspace progress />
            <FeaturesSection workspace />
        </main>
    }
}
