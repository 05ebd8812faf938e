//! A Web Worker held by the page: started on first use, and replaced by a new
//! one once it has stopped (a crash on a malformed file, or a Cancel). The
//! page holds two: the reader (files, cutouts) and the trainer (rounds,
//! ranking).

use leptos::prelude::*;

use super::browser::worker::PageWorker;

/// A place for one worker; copies share it.
#[derive(Clone, Copy)]
pub struct WorkerSlot(StoredValue<Option<PageWorker>, LocalStorage>);

impl Default for WorkerSlot {
    fn default() -> WorkerSlot {
        WorkerSlot(StoredValue::new_local(None))
    }
}

impl WorkerSlot {
    /// The running worker, started now if there is none or it has stopped.
    pub async fn get(&self) -> Result<PageWorker, String> {
        if let Some(worker) = self.0.get_value().filter(|worker| !worker.is_gone()) {
            return Ok(worker);
        }
        let worker = PageWorker::start().await?;
        self.0.set_value(Some(worker.clone()));
        Ok(worker)
    }

    /// Stops the worker at once, if any; the next [`WorkerSlot::get`] starts a new one.
    pub fn stop(&self) {
        if let Some(worker) = self.0.get_value() {
            worker.terminate();
        }
        self.0.set_value(None);
    }
}
