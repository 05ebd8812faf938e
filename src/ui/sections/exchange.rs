//! Section 6, "Export / import": label files for colleagues and the original
//! pipeline, imports with merge, the annotator, and the review of alerts the
//! team's votes leave contested (`review`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlInputElement;

use super::labels_table::LabelsTable;
use super::review::ReviewQueue;
use super::Section;
use crate::core::alert::Survey;
use crate::core::labels::exchange::{
    check_import_size, export_labels_csv, export_training_features_csv, export_training_ids_csv,
};
use crate::ui::browser::clock::now_iso;
use crate::ui::browser::download::download_text;
use crate::ui::browser::files::{files_of, read_file};
use crate::ui::workbench::Workbench;

/// The training table of the latest round (its alerts' rows, loaded or
/// stored), as the MLflow log uploads it.
fn training_features_csv(workbench: Workbench) -> String {
    let latest = workbench
        .session
        .with_untracked(|session| session.saved().rounds.last().cloned());
    let Some(round) = latest else {
        return String::new();
    };
    workbench.workspace.with_untracked(|workspace| {
        export_training_features_csv(workspace.survey(), &round, |id| {
            workspace.feature_row_of_id(id)
        })
    })
}

#[component]
pub fn ExchangeSection(workbench: Workbench) -> impl IntoView {
    let download_error = RwSignal::new(None::<String>);
    // Whether the browser took the download; the error is shown if not.
    let save = move |name: &str, mime: &str, content: String| -> bool {
        let result = download_text(name, mime, &content)
            .map_err(|problem| format!("{name} could not be saved: {problem}."));
        let handed_over = result.is_ok();
        download_error.set(result.err());
        handed_over
    };
    let export_labels = move |_| {
        let content = workbench.workspace.with_untracked(|workspace| {
            workbench.session.with_untracked(|session| {
                session.export_json(&now_iso(), |candid| {
                    workspace
                        .known_row(candid)
                        .map(|row| (row.values.as_slice(), workspace.known_mjd(candid)))
                })
            })
        });
        // Only a download handed to the browser counts as exported.
        if save("fink-vra-labels.json", "application/json", content) {
            workbench.mark_exported();
        }
    };
    let on_import = move |event: web_sys::Event| {
        let input: HtmlInputElement = event_target(&event);
        let files = files_of(input.files());
        input.set_value("");
        spawn_local(async move {
            for file in files {
                if let Err(error) = check_import_size(&file.name(), file.size() as usize) {
                    workbench.exchange_message.set(Some(Err(error.to_string())));
                    continue;
                }
                match read_file(&file)
                    .await
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                {
                    Ok(text) => workbench.import(&file.name(), &text),
                    Err(detail) => workbench.exchange_message.set(Some(Err(format!(
                        "{}: could not be read ({detail})",
                        file.name()
                    )))),
                }
            }
        });
    };
    // The name as typed: the session keeps it trimmed, and writing that back
    // into the field while typing would eat the space of "Ana Lopez".
    let typed_name = RwSignal::new(
        workbench
            .session
            .with_untracked(|s| s.saved().annotator.clone()),
    );
    Effect::new(move |_| {
        let stored = workbench.session.with(|s| s.saved().annotator.clone());
        if typed_name.with_untracked(|typed| typed.trim() != stored) {
            typed_name.set(stored); // another tab, or a reload, named it
        }
    });
    // Every vote carries its annotator: no export or import without a name.
    let unnamed = Memo::new(move |_| {
        workbench
            .session
            .with(|session| session.saved().annotator.trim().is_empty())
    });
    // The labels CSV of the session's survey: ZTF's labeled.csv or the LSST label CSV.
    let csv_name = Memo::new(
        move |_| match workbench.session.with(|s| s.saved().survey) {
            Survey::Ztf => "labeled.csv",
            Survey::Lsst => "lsst_labels.csv",
        },
    );
    view! {
        <Section
            number=6
            title="Export / import"
            explanation="Export your votes to share or keep them; import a colleague's export (JSON, version 4 with \
                         every vote and adjudication, 3 with its feature rows, 2 or 1), the original labeled.csv (ZTF), the LSST label CSV, or a \
                         training-ids CSV. Every label is its annotator's vote: an import adds your colleagues' votes and never replaces yours. \
                         Which label trains is the team consensus (Model & strategy); alerts it leaves contested wait for review below."
        >
            <label class="annotator">"Annotator "
                <input type="text" data-testid="annotator" placeholder="your name"
                    prop:value=move || typed_name.get()
                    on:input=move |e| {
                        let typed = event_target_value(&e);
                        workbench.set_annotator(&typed);
                        typed_name.set(typed);
                    }
                    on:change=move |_| workbench.name_unnamed_labels() />
            </label>
            <Show when=move || unnamed.get()>
                <p class="notice" role="status" data-testid="annotator-needed">"Type your name above before you export or import labels: \
                    every label carries its annotator, so that a team can tell whose votes agree."</p>
            </Show>
            <p data-testid="unexported">{move || match workbench.session.with(|s| s.saved().unexported_changes) {
                0 => "All labels exported.".to_string(),
                changes => format!("{changes} label change(s) not exported yet."),
            }}</p>
            <div class="exports">
                <button type="button" data-testid="export-json" disabled=move || unnamed.get() || workbench.team_votes_loading.get()
                    title="Every vote, adjudication and gold mark, with each alert's provenance; waits while the team's stored votes are read back."
                    on:click=export_labels>"Labels (JSON)"</button>
                <button type="button" class="secondary" data-testid="export-labeled-csv" disabled=move || unnamed.get() || workbench.team_votes_loading.get()
                    on:click=move |_| { save(csv_name.get_untracked(), "text/csv", workbench.session.with_untracked(|s| export_labels_csv(s.saved().survey, s.training_labels()))); }>{move || csv_name.get()}</button>
                <button type="button" class="secondary" data-testid="export-training-ids"
                    on:click=move |_| { save("training_ids.csv", "text/csv", workbench.session.with_untracked(|s| export_training_ids_csv(&s.saved().rounds))); }>"training ids (CSV)"</button>
                <button type="button" class="secondary" data-testid="export-features"
                    on:click=move |_| { save("training_features.csv", "text/csv", training_features_csv(workbench)); }>"training features (CSV)"</button>
            </div>
            <label class="file-picker secondary-picker">"Import labels…"
                <input type="file" accept=".json,.csv" multiple data-testid="import-file" disabled=move || unnamed.get() on:change=on_import />
            </label>
            {move || download_error.get().map(|message| view! { <p class="error" role="alert" data-testid="download-error">{message}</p> })}
            {move || workbench.exchange_message.get().map(|outcome| match outcome {
                Ok(report) => view! { <p class="report" data-testid="import-report">{report}</p> }.into_any(),
                Err(error) => view! { <p class="error" role="alert" data-testid="error">{error}</p> }.into_any(),
            })}
            <LabelsTable workbench=workbench />
            <ReviewQueue workbench=workbench />
        </Section>
    }
}
