//! Section 6, "Export / import": label files for colleagues and the original
//! pipeline, imports with merge, the conflicts to review, and the annotator.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlInputElement;

use super::Section;
use crate::core::features::csv::write_csv;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::exchange::{
    check_import_size, export_json, export_labeled_csv, export_training_ids_csv,
};
use crate::core::workspace::Workspace;
use crate::ui::browser::clock::now_iso;
use crate::ui::browser::download::download_text;
use crate::ui::browser::files::{files_of, read_file};
use crate::ui::workbench::Workbench;

/// The training set of the latest round, as a feature CSV (loaded alerts only).
fn training_features_csv(workbench: Workbench, workspace: RwSignal<Workspace>) -> String {
    let ids: Vec<String> = workbench.session.with_untracked(|session| {
        session
            .rounds
            .last()
            .map(|round| {
                round
                    .training
                    .iter()
                    .map(|example| example.id.clone())
                    .collect()
            })
            .unwrap_or_default()
    });
    let mut out = Vec::new();
    workspace.with_untracked(|workspace| {
        let rows = workspace
            .features()
            .iter()
            .filter(|row| ids.contains(&row.candid.to_string()));
        write_csv(rows, &mut out).ok();
    });
    String::from_utf8(out).unwrap_or_default()
}

#[component]
pub fn ExchangeSection(workbench: Workbench, workspace: RwSignal<Workspace>) -> impl IntoView {
    let download_error = RwSignal::new(None::<String>);
    let save = move |name: &str, mime: &str, content: String| {
        download_error.set(download_text(name, mime, &content).err());
    };
    let export_labels = move |_| {
        let content = workbench.session.with_untracked(|session| {
            export_json(
                &session.labels,
                &session.rounds,
                &session.annotator,
                &now_iso(),
            )
        });
        save("fink-vra-labels.json", "application/json", content);
        workbench.update_session(|session| session.unexported_changes = 0);
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
                    Ok(text) => workbench.import(workspace, &file.name(), &text),
                    Err(detail) => workbench.exchange_message.set(Some(Err(format!(
                        "{}: could not be read ({detail})",
                        file.name()
                    )))),
                }
            }
        });
    };
    let conflicts = Memo::new(move |_| {
        workbench.session.with(|session| {
            session
                .labels
                .conflicts()
                .values()
                .map(|versions| versions.iter().cloned().collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
    });
    let choose = move |chosen: LabelEntry| {
        workbench.update_session(|session| {
            session.labels.resolve_conflict(&chosen);
        })
    };
    view! {
        <Section
            number=6
            title="Export / import"
            explanation="Export your labels to share or keep them; import a colleague's export, or the original \
                         labeled.csv and training-ids CSV. Imports merge by candid: identical labels are counted once, \
                         different ones are set aside below for you to pick."
        >
            <label class="annotator">"Annotator "
                <input type="text" data-testid="annotator" placeholder="your name"
                    prop:value=move || workbench.session.with(|s| s.annotator.clone())
                    on:change=move |e| { let name = event_target_value(&e); workbench.update_session(|s| s.annotator = name.trim().to_string()); } />
            </label>
            <p data-testid="unexported">{move || match workbench.session.with(|s| s.unexported_changes) {
                0 => "All labels exported.".to_string(),
                changes => format!("{changes} label change(s) not exported yet."),
            }}</p>
            <div class="exports">
                <button type="button" data-testid="export-json" on:click=export_labels>"Labels (JSON)"</button>
                <button type="button" class="secondary" data-testid="export-labeled-csv"
                    on:click=move |_| save("labeled.csv", "text/csv", workbench.session.with_untracked(|s| export_labeled_csv(&s.labels)))>"labeled.csv"</button>
                <button type="button" class="secondary" data-testid="export-training-ids"
                    on:click=move |_| save("training_ids.csv", "text/csv", workbench.session.with_untracked(|s| export_training_ids_csv(&s.rounds)))>"training ids (CSV)"</button>
                <button type="button" class="secondary" data-testid="export-features"
                    on:click=move |_| save("training_features.csv", "text/csv", training_features_csv(workbench, workspace))>"training features (CSV)"</button>
            </div>
            <label class="file-picker secondary-picker">"Import labels…"
                <input type="file" accept=".json,.csv" multiple data-testid="import-file" on:change=on_import />
            </label>
            {move || download_error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            {move || workbench.exchange_message.get().map(|outcome| match outcome {
                Ok(report) => view! { <p class="report" data-testid="import-report">{report}</p> }.into_any(),
                Err(error) => view! { <p class="error" role="alert" data-testid="error">{error}</p> }.into_any(),
            })}
            <div data-testid="conflicts">
                <Show when=move || conflicts.with(|c| !c.is_empty())>
                    <h3>"Conflicts to review"</h3>
                </Show>
                {move || conflicts.get().into_iter().map(|versions| view! {
                    <div class="conflict" data-testid="conflict">
                        <span class="candid">{versions.first().map(|v| v.candid.to_string())}</span>
                        {versions.into_iter().map(|version| {
                            let text = format!("{} by {} at {}", version.label, if version.annotator.is_empty() { "?" } else { &version.annotator }, version.timestamp);
                            view! { <button type="button" class="secondary" on:click=move |_| choose(version.clone())>{text}</button> }
                        }).collect_view()}
                    </div>
                }).collect_view()}
            </div>
        </Section>
    }
}
