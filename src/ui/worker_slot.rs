//! A Web Worker held by the page: started on first use, and replaced by a new
//! one once it has stopped (a crash on a malformed file, or a Cancel). The
//! page holds the reader (files, cutouts), the trainer (rounds, ranking) and
//! the pool's workers (a round's cross-validation, `worker_pool`).

use leptos::prelude::*;

use super::browser::worker::PageWorker;
use crate::core::wire::protocol::WorkerError;

/// A place for one worker; copies share it. `stops` counts the stops, so
/// that a worker still starting when the slot was stopped is not kept.
#[derive(Clone, Copy)]
pub struct WorkerSlot {
    worker: StoredValue<Option<PageWorker>, LocalStorage>,
    stops: StoredValue<u64>,
}

impl Default for WorkerSlot {
    fn default() -> WorkerSlot {
        WorkerSlot {
            worker: StoredValue::new_local(None),
            stops: StoredValue::new(0),
        }
    }
}

impl WorkerSlot {
    /// The running worker, started now if there is none or it has stopped.
    /// One that finishes starting after a [`WorkerSlot::stop`] is stopped too.
    pub async fn get(&self) -> Result<PageWorker, String> {
        if let Some(worker) = self.worker.get_value().filter(|worker| !worker.is_gone()) {
            return Ok(worker);
        }
        let stops_before = self.stops.get_value();
        let worker = PageWorker::start().await?;
        if self.stops.get_value() != stops_before {
            worker.terminate();
            return Err("the worker was stopped".to_string());
        }
        self.worker.set_value(Some(worker.clone()));
        Ok(worker)
    }

    /// [`WorkerSlot::get`], a worker that could not start being the
    /// protocol's `WorkerError::Gone`, as one that stops while it works.
    pub async fn start(&self) -> Result<PageWorker, WorkerError> {
        self.get()
            .await
            .map_err(|reason| WorkerError::Gone { reason })
    }

    /// Stops the worker at once, if any, and one still starting; the next
    /// [`WorkerSlot::get`] starts a new one.
    pub fn stop(&self) {
        self.stops.set_value(self.stops.get_value() + 1);
        if let Some(worker) = self.worker.get_value() {
            worker.terminate();
        }
        self.worker.set_value(None);
    }
}
