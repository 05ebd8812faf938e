//! One component per notebook section, plus the section frame they share.

pub mod features;
mod file_summary;
pub mod load;

use leptos::prelude::*;

/// A numbered notebook section: heading, a short explanation, then its output.
#[component]
pub fn Section(
    number: u32,
    title: &'static str,
    explanation: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="section">
            <h2><span class="section-number">{number}". "</span>{title}</h2>
            <p class="explanation">{explanation}</p>
            <div class="output">{children()}</div>
        </section>
    }
}
