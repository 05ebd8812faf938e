//! Loading files into the workspace, one at a time, with progress. Files are
//! read and parsed in the page's reader worker (a `WorkerSlot`); the page only adds
//! each `FileReading` to the workspace and keeps the file's handle.

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::File;

use super::browser::files::{fetch_bytes, yield_to_browser};
use super::worker_slot::WorkerSlot;
use crate::core::file_reading::{check_file_size, FileReading, LoadError};
use crate::core::workspace::Workspace;

/// Where a file comes from. Cloning it clones a handle, not the bytes.
#[derive(Clone)]
pub enum FileSource {
    /// Chosen in the file picker or dropped on the page.
    Picked(File),
    /// Bundled with the page (`dist/sample/`), fetched from the same origin.
    Sample { name: String, url: String },
}

impl FileSource {
    pub fn name(&self) -> String {
        match self {
            FileSource::Picked(file) => file.name(),
            FileSource::Sample { name, .. } => name.clone(),
        }
    }

    /// What the worker is handed: a picked file's handle (the worker reads
    /// it), or a sample's bytes, fetched now. Refuses a file too large to read.
    pub async fn payload(&self) -> Result<JsValue, LoadError> {
        let name = self.name();
        match self {
            FileSource::Picked(file) => {
                check_file_size(&name, file.size() as u64)?;
                Ok(JsValue::from(file.clone()))
            }
            FileSource::Sample { url, .. } => {
                let bytes = fetch_bytes(url)
                    .await
                    .map_err(|detail| LoadError::Unreadable {
                        file: name.clone(),
                        detail,
                    })?;
                check_file_size(&name, bytes.len() as u64)?;
                Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
            }
        }
    }

    fn size(&self) -> u64 {
        match self {
            FileSource::Picked(file) => file.size() as u64,
            FileSource::Sample { .. } => 0,
        }
    }
}

/// The source of every file given, in the order of `Workspace::files`, so
/// that a card can read its cutouts again. Holds handles only, never bytes.
#[derive(Clone, Copy)]
pub struct FileHandles(StoredValue<Vec<FileSource>, LocalStorage>);

impl Default for FileHandles {
    fn default() -> FileHandles {
        FileHandles(StoredValue::new_local(Vec::new()))
    }
}

impl FileHandles {
    /// The source of `Workspace::files()[file_index]`.
    pub fn get(&self, file_index: usize) -> Option<FileSource> {
        self.0
            .with_value(|sources| sources.get(file_index).cloned())
    }

    fn push(&self, source: FileSource) {
        self.0.update_value(|sources| sources.push(source));
    }

    /// Forgets every handle (the workspace was replaced by an empty one).
    pub fn clear(&self) {
        self.0.update_value(Vec::clear);
    }
}

/// How far a load has got, for the progress indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadProgress {
    /// Files finished so far.
    pub done: usize,
    pub total: usize,
    /// The file being read now.
    pub current: String,
}

/// Reads one file in the worker. Whatever happens (too large, unreadable, a
/// reader that crashed on it), the answer is a `FileReading` to record.
async fn read_in_worker(source: &FileSource, reader: WorkerSlot) -> FileReading {
    let name = source.name();
    let failed = |error| FileReading::failed(&name, source.size(), error);
    let payload = match source.payload().await {
        Ok(payload) => payload,
        Err(error) => return failed(error),
    };
    let worker = match reader.get().await {
        Ok(worker) => worker,
        Err(detail) => {
            return failed(LoadError::Unreadable {
                file: name.clone(),
                detail,
            })
        }
    };
    match worker.read_file(&name, &payload).await {
        Ok(reading) => reading,
        Err(error) => failed(LoadError::ReaderFailed {
            file: name.clone(),
            detail: error.to_string(),
        }),
    }
}

/// Reads and parses `sources` one after the other, in the worker. A bad file
/// is recorded and the next one still loads; each file's handle is kept in
/// `handles`, its bytes nowhere.
pub async fn load_sources(
    sources: Vec<FileSource>,
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
    progress: RwSignal<Option<LoadProgress>>,
) {
    let total = sources.len();
    for (done, source) in sources.into_iter().enumerate() {
        progress.set(Some(LoadProgress {
            done,
            total,
            current: source.name(),
        }));
        yield_to_browser().await;
        let reading = read_in_worker(&source, reader).await;
        workspace.update(|workspace| {
            workspace.add_reading(reading);
        });
        handles.push(source);
    }
    progress.set(None);
}
