//! Section 1, "Load alerts": file picker, drop zone, sample data, progress and
//! the per-file summary.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{DragEvent, HtmlInputElement};

use super::file_summary::FileSummaryTable;
use super::Section;
use crate::core::workspace::Workspace;
use crate::ui::browser::files::{files_of, yield_to_browser};
use crate::ui::{load_sources, FileHandles, FileSource, LoadProgress, WorkerSlot};

/// Real alerts bundled with the page (copied to `dist/sample/` by Trunk).
const SAMPLE_FILES: [&str; 4] = [
    "ztf_schema402_10alerts.parquet",
    "20250602_100102_alerts_ztf_hostless_72alerts.parquet",
    "20250603_110102_alerts_ztf_hostless_72alerts.parquet",
    "20250604_120102_alerts_ztf_hostless_72alerts.parquet",
];

fn sample_sources() -> Vec<FileSource> {
    SAMPLE_FILES
        .iter()
        .map(|name| FileSource::Sample {
            name: name.to_string(),
            url: format!("sample/{name}"),
        })
        .collect()
}

#[component]
pub fn LoadSection(
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
    progress: RwSignal<Option<LoadProgress>>,
    /// Called once the files of a load are all read.
    on_loaded: Callback<()>,
) -> impl IntoView {
    let busy = Memo::new(move |_| progress.with(Option::is_some));
    let start = move |sources: Vec<FileSource>| {
        if !sources.is_empty() && !busy.get_untracked() {
            spawn_local(async move {
                load_sources(sources, workspace, handles, reader, progress).await;
                // Let the summary and tables paint before the queue is ranked,
                // so that neither holds the page's thread for long.
                yield_to_browser().await;
                on_loaded.run(());
            });
        }
    };
    let on_pick = move |event: web_sys::Event| {
        let input: HtmlInputElement = event_target(&event);
        let files = files_of(input.files());
        // Clear the input so that picking the same file again fires `change`.
        input.set_value("");
        start(files.into_iter().map(FileSource::Picked).collect());
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        let files = files_of(event.data_transfer().and_then(|transfer| transfer.files()));
        start(files.into_iter().map(FileSource::Picked).collect());
    };
    let on_drag_over = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(true);
    };
    let progress_text = move || {
        progress.get().map(|step| {
            format!(
                "Reading {} ({} of {})…",
                step.current,
                step.done + 1,
                step.total
            )
        })
    };
    let progress_value = move || {
        progress.with(|step| {
            step.as_ref()
                .map_or(0.0, |s| s.done as f64 / s.total.max(1) as f64)
        })
    };

    view! {
        <Section
            number=1
            title="Load alerts"
            explanation="Choose or drop Fink alert files (.parquet): the full Fink schema or the finkvra \
                         clean layout. They are read in this page; only the columns the features need are kept."
        >
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                data-testid="drop-zone"
                on:dragover=on_drag_over
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label class="file-picker">
                    "Choose files"
                    <input type="file" multiple accept=".parquet" data-testid="file-input" on:change=on_pick />
                </label>
                <span class="drop-hint">"or drop them here"</span>
                <button
                    type="button"
                    class="secondary"
                    data-testid="sample-data"
                    disabled=move || busy.get()
                    on:click=move |_| start(sample_sources())
                >
                    "Try it with sample data"
                </button>
            </div>
            <Show when=move || busy.get()>
                <div class="progress" data-testid="progress" role="status">
                    <progress max="1" value=progress_value></progress>
                    <span>{progress_text}</span>
                </div>
            </Show>
            <FileSummaryTable workspace />
        </Section>
    }
}
