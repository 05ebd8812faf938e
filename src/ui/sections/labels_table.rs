//! The labels table, under "Export / import": every alert with a vote that counts (an alert only
//! marked `unsure` has none),
//! the label it trains with and its provenance (single, unanimous,
//! majority, weighted, mine, adjudicated, unresolved, contested), and every
//! vote; filtered by provenance, a page at a time, computed only while open
//! (`LabellingSession::labels_page`).

use leptos::prelude::*;

use crate::core::labelling::LabelRow;
use crate::core::paging::page;
use crate::core::team::consensus::Provenance;
use crate::ui::workbench::Workbench;

/// How many rows the labels table shows at once.
const LABELS_PAGE: usize = 25;

/// An alert's votes in one cell: "ana: gal, bo: agn".
fn votes_cell(row: &LabelRow) -> String {
    row.votes
        .iter()
        .map(|(annotator, label)| {
            let name = if annotator.is_empty() {
                "you (unnamed)"
            } else {
                annotator
            };
            format!("{name}: {label}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn label_row(row: LabelRow) -> impl IntoView {
    let votes = votes_cell(&row);
    let trains = row
        .training_label
        .map_or("(does not train)".to_string(), |label| label.to_string());
    view! {
        <tr data-testid="labels-row" data-alert=row.candid.to_string()>
            <td class="candid">{row.candid.to_string()}</td>
            <td>{row.object_id}</td>
            <td data-testid="labels-training-label">{trains}</td>
            <td data-testid="labels-provenance">{row.provenance.name()}</td>
            <td>{votes}</td>
        </tr>
    }
}

#[component]
pub fn LabelsTable(workbench: Workbench) -> impl IntoView {
    let open = RwSignal::new(false);
    let filter = RwSignal::new(None::<Provenance>);
    let requested_page = RwSignal::new(0usize);
    // (rows of the page, rows in the table), only while the table is open.
    let shown = Memo::new(move |_| {
        if !open.get() {
            return (Vec::new(), 0, page(0, LABELS_PAGE, 0));
        }
        let wanted = filter.get();
        let requested = requested_page.get();
        workbench.session.with(|session| {
            let (_, total) = session.labels_page(0, 0, wanted);
            let current = page(total, LABELS_PAGE, requested);
            let (rows, _) = session.labels_page(current.start, LABELS_PAGE, wanted);
            (rows, total, current)
        })
    });
    let rows = Memo::new(move |_| shown.with(|(rows, _, _)| rows.clone()));
    let page_label = move || {
        shown.with(|(_, total, current)| {
            format!(
                "alerts {}–{} of {total} · page {} of {}",
                (current.start + 1).min(*total),
                current.end,
                current.index + 1,
                current.count
            )
        })
    };
    let on_filter = move |event| {
        filter.set(Provenance::by_name(&event_target_value(&event)));
        requested_page.set(0);
    };
    let on_toggle = move |event: web_sys::Event| {
        open.set(event_target::<web_sys::Element>(&event).has_attribute("open"));
    };
    let current_index = move || shown.with_untracked(|(_, _, current)| current.index);
    view! {
        <details data-testid="labels-details" on:toggle=on_toggle>
            <summary>"Every label, with its provenance"</summary>
            <label>"Show "
                <select data-testid="labels-filter" on:change=on_filter>
                    <option value="">"every alert"</option>
                    {Provenance::ALL.iter().map(|provenance| view! { <option value=provenance.name()>{provenance.name()}</option> }).collect_view()}
                </select>
            </label>
            <div class="table-scroll">
                <table class="labels-table" data-testid="labels-table">
                    <thead>
                        <tr><th>"alert"</th><th>"object"</th><th>"trains as"</th><th>"provenance"</th><th>"votes"</th></tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|row| (row.candid, row.training_label, row.provenance, row.votes.clone()) children=label_row />
                    </tbody>
                </table>
            </div>
            <nav class="pager">
                <button type="button" data-testid="labels-prev" disabled=move || shown.with(|(_, _, current)| current.index == 0)
                    on:click=move |_| requested_page.set(current_index().saturating_sub(1))>"‹ Previous"</button>
                <span data-testid="labels-page">{page_label}</span>
                <button type="button" data-testid="labels-next" disabled=move || shown.with(|(_, _, current)| current.index + 1 >= current.count)
                    on:click=move |_| requested_page.set(current_index() + 1)>"Next ›"</button>
            </nav>
        </details>
    }
}
