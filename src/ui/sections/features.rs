//! Section 2, "Features": summary statistics per feature and a paged table of
//! the feature rows (the session survey's columns), with object ids linked to
//! Lasair when well-formed.

use leptos::prelude::*;

use super::Section;
use crate::core::alert::Survey;
use crate::core::display::format_feature_value;
use crate::core::features::summary::{summarize_features, FeatureSummary};
use crate::core::features::{feature_names, id_column_names, FeatureRow};
use crate::core::links::object_links;
use crate::core::paging::page;
use crate::core::workspace::Workspace;

/// Rows shown per page of the feature table.
const PAGE_SIZE: usize = 25;

#[component]
pub fn FeaturesSection(
    workspace: RwSignal<Workspace>,
    /// While files load, the summary waits: recomputing it after every file
    /// would cost the page's thread time quadratic in the number of files.
    loading: Signal<bool>,
) -> impl IntoView {
    let row_count = Memo::new(move |_| workspace.with(|workspace| workspace.features().len()));
    view! {
        <Section
            number=2
            title="Features"
            explanation="One row per alert: position, real/bogus score (ZTF) or reliability and SNR (LSST), \
                         light-curve counts and statistics, Fink's light-curve features per band (recomputed \
                         when the file has none), and Galactic dust E(B-V). Missing values show as –."
        >
            <Show
                when=move || { row_count.get() > 0 }
                fallback=|| view! { <p class="empty">"No alerts loaded yet."</p> }
            >
                <FeatureSummaryTable workspace loading />
                <FeatureTable workspace row_count />
            </Show>
        </Section>
    }
}

#[component]
fn FeatureSummaryTable(workspace: RwSignal<Workspace>, loading: Signal<bool>) -> impl IntoView {
    let summaries = Memo::new(move |_| {
        if loading.get() {
            Vec::new()
        } else {
            workspace.with(|workspace| summarize_features(workspace.survey(), workspace.features()))
        }
    });
    let summary_row = |summary: FeatureSummary| {
        view! {
            <tr>
                <th scope="row">{summary.name}</th>
                <td class="number">{summary.count}</td>
                <td class="number">{summary.missing}</td>
                <td class="number">{format_feature_value(summary.min)}</td>
                <td class="number">{format_feature_value(summary.median)}</td>
                <td class="number">{format_feature_value(summary.max)}</td>
            </tr>
        }
    };
    view! {
        <details class="feature-summary" open>
            <summary>"Summary statistics"</summary>
            <Show when=move || loading.get()>
                <p class="muted" data-testid="summary-pending">"Computed once every file is read…"</p>
            </Show>
            <table data-testid="feature-summary">
                <thead>
                    <tr>
                        <th>"feature"</th>
                        <th class="number">"count"</th>
                        <th class="number">"missing"</th>
                        <th class="number">"min"</th>
                        <th class="number">"median"</th>
                        <th class="number">"max"</th>
                    </tr>
                </thead>
                <tbody>{move || summaries.get().into_iter().map(summary_row).collect_view()}</tbody>
            </table>
        </details>
    }
}

/// The object cell: a Lasair link for a well-formed id, plain text otherwise.
fn object_cell(survey: Survey, object_id: String) -> impl IntoView {
    match object_links(survey, &object_id).into_iter().next() {
        Some((_, url)) => {
            view! { <a href=url target="_blank" rel="noopener noreferrer">{object_id}</a> }
                .into_any()
        }
        None => view! { <span class="untrusted-id">{object_id}</span> }.into_any(),
    }
}

fn feature_row(row: FeatureRow) -> impl IntoView {
    view! {
        <tr>
            <td class="candid">{row.candid.to_string()}</td>
            <td>{object_cell(row.survey, row.object_id)}</td>
            {row.values.iter().map(|&value| view! { <td class="number">{format_feature_value(value)}</td> }).collect_view()}
        </tr>
    }
}

#[component]
fn FeatureTable(workspace: RwSignal<Workspace>, row_count: Memo<usize>) -> impl IntoView {
    let requested_page = RwSignal::new(0usize);
    let survey = Memo::new(move |_| workspace.with(Workspace::survey));
    let header = move || {
        let survey = survey.get();
        let ids = id_column_names(survey).map(|name| view! { <th>{name}</th> });
        let features = feature_names(survey)
            .iter()
            .map(|name| view! { <th class="number">{*name}</th> });
        (ids.into_iter().collect_view(), features.collect_view())
    };
    let current = Memo::new(move |_| page(row_count.get(), PAGE_SIZE, requested_page.get()));
    let rows = Memo::new(move |_| {
        let shown = current.get();
        workspace.with(|workspace| workspace.features()[shown.start..shown.end].to_vec())
    });
    let page_label = move || {
        let shown = current.get();
        format!(
            "rows {}–{} of {} · page {} of {}",
            shown.start + 1,
            shown.end,
            row_count.get(),
            shown.index + 1,
            shown.count
        )
    };
    view! {
        <div class="table-scroll">
            <table class="feature-table" data-testid="feature-table">
                <thead>
                    <tr>{header}</tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.candid children=feature_row />
                </tbody>
            </table>
        </div>
        <nav class="pager">
            <button
                type="button"
                data-testid="page-prev"
                disabled=move || current.get().index == 0
                on:click=move |_| requested_page.set(current.get_untracked().index.saturating_sub(1))
            >
                "‹ Previous"
            </button>
            <span data-testid="page-label">{page_label}</span>
            <button
                type="button"
                data-testid="page-next"
                disabled=move || { let shown = current.get(); shown.index + 1 >= shown.count }
                on:click=move |_| requested_page.set(current.get_untracked().index + 1)
            >
                "Next ›"
            </button>
        </nav>
    }
}
