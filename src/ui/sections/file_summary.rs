//! The per-file summary: layout, rows, alerts added, skipped (and why),
//! duplicates; or the error that stopped the file.

use leptos::prelude::*;

use crate::core::display::format_size;
use crate::core::workspace::{FileOutcome, LoadedFile, Workspace};

/// At most this many skip reasons are listed per file.
const LISTED_SKIPS: usize = 20;

#[component]
pub fn FileSummaryTable(workspace: RwSignal<Workspace>) -> impl IntoView {
    let files = Memo::new(move |_| workspace.with(|workspace| workspace.files().to_vec()));
    view! {
        <Show when=move || files.with(|files| !files.is_empty())>
            <table class="file-summary" data-testid="file-summary">
                <thead>
                    <tr>
                        <th>"File"</th>
                        <th>"Size"</th>
                        <th>"Layout"</th>
                        <th class="number">"Rows"</th>
                        <th class="number">"Alerts added"</th>
                        <th class="number">"Skipped"</th>
                        <th class="number">"Duplicates"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || files.get().into_iter().enumerate()
                        key=|(index, _)| *index
                        children=move |(_, file)| view! { <FileRow file /> }
                    />
                </tbody>
            </table>
        </Show>
    }
}

#[component]
fn FileRow(file: LoadedFile) -> impl IntoView {
    let size = format_size(file.size_bytes);
    match file.outcome {
        FileOutcome::Failed(error) => view! {
            <tr class="failed" data-testid="file-summary-row">
                <td class="file-name">{file.name}</td>
                <td>{size}</td>
                <td colspan="5" class="error" data-testid="error" role="alert">{error.to_string()}</td>
            </tr>
        }
        .into_any(),
        FileOutcome::Loaded(summary) => {
            let skipped = summary.skipped.len();
            let reasons: Vec<String> = summary
                .skipped
                .iter()
                .take(LISTED_SKIPS)
                .map(|skip| format!("row {}: {}", skip.row, skip.reason))
                .collect();
            view! {
                <tr data-testid="file-summary-row">
                    <td class="file-name">{file.name}</td>
                    <td>{size}</td>
                    <td data-testid="layout">{summary.layout.to_string()}</td>
                    <td class="number" data-testid="rows">{summary.rows}</td>
                    <td class="number" data-testid="alerts-added">{summary.alerts_added}</td>
                    <td class="number" data-testid="skipped">
                        {skipped}
                        <Show when=move || { skipped > 0 }>
                            <details class="skip-reasons">
                                <summary>"why"</summary>
                                <ul>{reasons.clone().into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view()}</ul>
                            </details>
                        </Show>
                    </td>
                    <td class="number" data-testid="duplicates">{summary.duplicates.len()}</td>
                </tr>
            }
            .into_any()
        }
    }
}
