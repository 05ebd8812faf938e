//! One component per notebook section, plus the section frame they share.

mod cutouts;
pub mod exchange;
pub mod features;
mod file_summary;
pub mod label;
mod labels_table;
pub mod load;
pub mod model;
mod review;
mod round_actions;
pub mod team;
mod team_votes;
pub mod train;

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

/// An SVG document shown as an image (a `data:` URL), so that nothing in it is
/// ever inserted into the page as markup.
pub fn svg_image(svg: String, alt: &'static str, test_id: &'static str) -> impl IntoView {
    let source = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&svg))
    );
    view! { <img class="chart" src=source alt=alt data-testid=test_id /> }
}
