//! Section 1, "Load alerts": file picker, drop zone, sample data of each
//! survey, progress, the per-file summary, and the offer to switch survey
//! when a file of the other survey was given.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{DragEvent, HtmlInputElement};

use super::file_summary::FileSummaryTable;
use super::Section;
use crate::core::alert::Survey;
use crate::core::workspace::Workspace;
use crate::ui::browser::files::{files_of, yield_to_browser};
use crate::ui::{load_sources, FileHandles, FileSource, LoadProgress, WorkerSlot};

/// The sample data of one survey: real alerts bundled with the page (copied
/// to `dist/sample/` by Trunk), and the button that loads them.
struct Sample {
    survey: Survey,
    files: &'static [&'static str],
    test_id: &'static str,
    button: &'static str,
}

static SAMPLES: [Sample; 2] = [
    Sample {
        survey: Survey::Ztf,
        files: &[
            "ztf_schema402_10alerts.parquet",
            "20250602_100102_alerts_ztf_hostless_72alerts.parquet",
            "20250603_110102_alerts_ztf_hostless_72alerts.parquet",
            "20250604_120102_alerts_ztf_hostless_72alerts.parquet",
        ],
        test_id: "sample-data",
        button: "Try it with sample data",
    },
    // Real (and rehearsal) Rubin/LSST alerts.
    Sample {
        survey: Survey::Lsst,
        files: &[
            "lsst_v10_fink_27alerts.parquet",
            "lsst_v7_1_simulated_50alerts.parquet",
        ],
        test_id: "sample-data-lsst",
        button: "Try it with LSST sample data",
    },
];

impl Sample {
    fn sources(&self) -> Vec<FileSource> {
        self.files
            .iter()
            .map(|name| FileSource::Sample {
                name: name.to_string(),
                url: format!("sample/{name}"),
            })
            .collect()
    }
}

#[component]
pub fn LoadSection(
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
    progress: RwSignal<Option<LoadProgress>>,
    /// Called once the files of a load are all read.
    on_loaded: Callback<()>,
    /// Switches the session to another survey (an empty workspace of it).
    on_switch: Callback<Survey>,
) -> impl IntoView {
    let busy = Memo::new(move |_| progress.with(Option::is_some));
    let survey = Memo::new(move |_| workspace.with(Workspace::survey));
    // The survey of the last file refused for being of the other survey.
    let refused_survey = Memo::new(move |_| {
        workspace.with(|workspace| {
            workspace
                .files()
                .iter()
                .rev()
                .find_map(|file| file.other_survey())
        })
    });
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
    // Switches to `target` (if it is not the session's survey), then loads `sources`.
    let switch_and_load = move |target: Survey, sources: Vec<FileSource>| {
        if busy.get_untracked() {
            return;
        }
        if target != survey.get_untracked() {
            on_switch.run(target);
        }
        start(sources);
    };
    // The files refused for being of `target`'s survey, to load after switching.
    let refused_sources = move |target: Survey| -> Vec<FileSource> {
        workspace.with_untracked(|workspace| {
            workspace
                .files()
                .iter()
                .enumerate()
                .filter(|(_, file)| file.other_survey() == Some(target))
                .filter_map(|(index, _)| handles.get(index))
                .collect()
        })
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
            explanation="Choose or drop Fink alert files (.parquet): ZTF (the full Fink schema or the finkvra \
                         clean layout) or Rubin/LSST (schema 7 to 10). A session labels one survey's alerts. Files \
                         are read in this page; only the columns the features need are kept."
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
                {SAMPLES.iter().map(|sample| view! {
                    <button
                        type="button"
                        class="secondary"
                        data-testid=sample.test_id
                        disabled=move || busy.get()
                        on:click=move |_| switch_and_load(sample.survey, sample.sources())
                    >
                        {sample.button}
                    </button>
                }).collect_view()}
            </div>
            {move || refused_survey.get().map(|target| view! {
                <div class="survey-switch" data-testid="survey-switch" role="alert">
                    <p>
                        {format!("Some files are {target} alerts, and this session labels {} alerts: ", survey.get())}
                        "a model learns one survey's features. Each survey keeps its own labels, so nothing is lost by switching."
                    </p>
                    <button type="button" data-testid="switch-survey"
                        on:click=move |_| switch_and_load(target, refused_sources(target))>
                        {format!("Switch to {target} and load them")}
                    </button>
                </div>
            })}
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
