//! Loading files into the workspace, one at a time, with progress: the glue
//! between the browser's bytes and `core::workspace`.

use leptos::prelude::*;
use web_sys::File;

use super::browser::files::{fetch_bytes, read_file, yield_to_browser};
use crate::core::workspace::Workspace;

/// Where a file's bytes come from. Cloning it clones a handle, not the bytes.
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

    /// The file's whole content, read now (the browser keeps only the handle).
    pub async fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            FileSource::Picked(file) => read_file(file).await,
            FileSource::Sample { url, .. } => fetch_bytes(url).await,
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

/// Reads and parses `sources` one after the other. Each file's bytes live only
/// until it is parsed (its handle is kept in `handles`); a bad file is
/// recorded and the next one still loads.
pub async fn load_sources(
    sources: Vec<FileSource>,
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    progress: RwSignal<Option<LoadProgress>>,
) {
    let total = sources.len();
    for (done, source) in sources.into_iter().enumerate() {
        let name = source.name();
        progress.set(Some(LoadProgress {
            done,
            total,
            current: name.clone(),
        }));
        yield_to_browser().await;
        match source.bytes().await {
            Ok(bytes) => workspace.update(|workspace| {
                workspace.load_file(&name, bytes);
            }),
            Err(detail) => workspace.update(|workspace| {
                workspace.record_unreadable(&name, &detail);
            }),
        }
        handles.push(source);
    }
    progress.set(None);
}
