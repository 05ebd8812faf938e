//! The page's side of its Web Workers: start one, send it requests, await
//! each answer, or terminate it.
//!
//! Everything heavy runs in a worker: reading and parsing files, decoding a
//! card's stamps, training a round. The page's thread stays free for keys and
//! scrolling, and a malformed file that makes a reader panic (which aborts a
//! wasm instance) kills only a worker, which is reported and replaced.
//!
//! Requests carry an id, so several can be in flight on one worker (a new
//! card's stamps while the previous card's are still being read). A worker
//! that crashes rejects every request it still holds. A message is
//! `[id, name, request (postcard), payload]`, the answer `[id, reply
//! (postcard)]`: `core::wire::protocol` says what they hold.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::core::active::evaluation::EvaluationJob;
use crate::core::active::validation::FoldOutcome;
use crate::core::alert::Candid;
use crate::core::cutouts::CardStamp;
use crate::core::file_reading::FileReading;
use crate::core::queue::{QueueJob, QueuedAlert};
use crate::core::ranking_fit::TreeBlocksScored;
use crate::core::wire::protocol::{
    expect_card_stamps, expect_file_read, expect_fold_evaluated, expect_ranked, expect_trained,
    expect_tree_blocks_scored, reply_from_bytes, WorkerError, WorkerReply, WorkerRequest,
};
use crate::core::workbench::{TrainingJob, TrainingOutcome};
use crate::ui::worker_main::READY;

/// The loader Trunk writes for the `fink-vra-worker` bin (`data-loader-shim`).
const WORKER_SCRIPT: &str = "fink-vra-worker_loader.js";

type Settle = (js_sys::Function, js_sys::Function);

/// What the message and error handlers share with the requests.
#[derive(Default)]
struct Shared {
    ready: RefCell<Option<Settle>>,
    pending: RefCell<HashMap<u32, Settle>>,
    /// Why the worker is gone, once it is.
    gone: RefCell<Option<String>>,
}

impl Shared {
    fn fail_all(&self, reason: &str) {
        self.gone.replace(Some(reason.to_string()));
        let reason = JsValue::from_str(reason);
        if let Some((_, reject)) = self.ready.take() {
            let _ = reject.call1(&JsValue::NULL, &reason);
        }
        for (_, (_, reject)) in self.pending.take() {
            let _ = reject.call1(&JsValue::NULL, &reason);
        }
    }
}

struct Running {
    worker: Worker,
    shared: Rc<Shared>,
    next_id: Cell<u32>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A running worker; clones share it, and the last one dropped stops it.
#[derive(Clone)]
pub struct PageWorker {
    running: Rc<Running>,
}

/// A promise and the functions that settle it. `Promise::new` runs its
/// executor at once, so the functions are always there.
fn settled_later() -> Result<(js_sys::Promise, Settle), String> {
    let mut settle = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    settle
        .map(|settle| (promise, settle))
        .ok_or_else(|| "the worker's answer could not be awaited".to_string())
}

fn reason_of(error: JsValue) -> String {
    error
        .as_string()
        .unwrap_or_else(|| "the worker failed".to_string())
}

impl PageWorker {
    /// Starts a worker and waits until it listens.
    pub async fn start() -> Result<PageWorker, String> {
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|_| "the page's worker could not be started".to_string())?;
        let shared = Rc::new(Shared::default());
        let (ready, settle_ready) = settled_later()?;
        shared.ready.replace(Some(settle_ready));
        let on_message = {
            let shared = Rc::clone(&shared);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                if data.as_string().as_deref() == Some(READY) {
                    if let Some((resolve, _)) = shared.ready.take() {
                        let _ = resolve.call0(&JsValue::NULL);
                    }
                    return;
                }
                let reply = js_sys::Array::from(&data);
                let id = reply.get(0).as_f64().unwrap_or(-1.0) as u32;
                if let Some((resolve, _)) = shared.pending.borrow_mut().remove(&id) {
                    let _ = resolve.call1(&JsValue::NULL, &reply.get(1));
                }
            })
        };
        let on_error = {
            let shared = Rc::clone(&shared);
            Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
                // Handled here: reported to the user, not left as an uncaught page error.
                event.prevent_default();
                shared.fail_all(&format!("the worker stopped: {}", event.message()));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let running = Running {
            worker,
            shared,
            next_id: Cell::new(0),
            _on_message: on_message,
            _on_error: on_error,
        };
        JsFuture::from(ready).await.map_err(reason_of)?;
        Ok(PageWorker {
            running: Rc::new(running),
        })
    }

    /// Whether the worker has stopped (crashed or terminated).
    pub fn is_gone(&self) -> bool {
        self.running.shared.gone.borrow().is_some()
    }

    /// Sends one request with its payload and awaits the reply: the one
    /// decoding path for every answer.
    async fn request(&self, request: &WorkerRequest, payload: JsValue) -> WorkerReply {
        self.request_handing_over(request, payload, None).await
    }

    /// [`PageWorker::request`] with feature rows handed over to the
    /// worker rather than copied: the rows are copied out of wasm once, into
    /// a buffer the worker then owns. Cloning 120,000 rows (44 MB) for each
    /// worker cost each side about 0.1 s before a round's fit could start.
    async fn request_with_rows(&self, request: &WorkerRequest, rows: &[f64]) -> WorkerReply {
        let rows = js_sys::Float64Array::from(rows);
        let buffer = rows.buffer();
        self.request_handing_over(request, rows.into(), Some(buffer))
            .await
    }

    async fn request_handing_over(
        &self,
        request: &WorkerRequest,
        payload: JsValue,
        handed_over: Option<js_sys::ArrayBuffer>,
    ) -> WorkerReply {
        let running = &self.running;
        let gone = |reason: String| WorkerError::Gone { reason };
        if let Some(reason) = running.shared.gone.borrow().clone() {
            return Err(gone(reason));
        }
        let id = running.next_id.get();
        running.next_id.set(id.wrapping_add(1));
        let (answer, settle) = settled_later().map_err(gone)?;
        running.shared.pending.borrow_mut().insert(id, settle);
        let message = js_sys::Array::of4(
            &JsValue::from(id),
            &JsValue::from_str(request.name()),
            &js_sys::Uint8Array::from(request.to_bytes().as_slice()),
            &payload,
        );
        let posted = match handed_over {
            Some(buffer) => running
                .worker
                .post_message_with_transfer(&message, &js_sys::Array::of1(&buffer)),
            None => running.worker.post_message(&message),
        };
        if posted.is_err() {
            running.shared.pending.borrow_mut().remove(&id);
            return Err(gone(
                "the request could not be sent to the worker".to_string(),
            ));
        }
        let answer = JsFuture::from(answer)
            .await
            .map_err(|error| gone(reason_of(error)))?;
        reply_from_bytes(&js_sys::Uint8Array::new(&answer).to_vec())
    }

    /// Reads and parses one file (a `File`, or the bytes of a sample) in the worker.
    pub async fn read_file(
        &self,
        name: &str,
        source: &JsValue,
    ) -> Result<FileReading, WorkerError> {
        let request = WorkerRequest::ReadFile {
            name: name.to_string(),
        };
        expect_file_read(self.request(&request, source.clone()).await)
    }

    /// Reads and decodes the stamps of alert `candid` from its file, in the
    /// worker; `None` when the file has none for it.
    pub async fn card_stamps(
        &self,
        name: &str,
        source: &JsValue,
        candid: Candid,
    ) -> Result<Option<Vec<CardStamp>>, WorkerError> {
        let request = WorkerRequest::CardStamps {
            name: name.to_string(),
            candid,
        };
        expect_card_stamps(self.request(&request, source.clone()).await)
    }

    /// Ranks the queue in the worker.
    pub async fn rank_queue(
        &self,
        job: QueueJob,
        values: &[f64],
    ) -> Result<Vec<QueuedAlert>, WorkerError> {
        let request = WorkerRequest::RankQueue(job);
        expect_ranked(self.request_with_rows(&request, values).await)
    }

    /// Runs one training job in the worker.
    pub async fn train(
        &self,
        job: TrainingJob,
        values: &[f64],
    ) -> Result<TrainingOutcome, WorkerError> {
        let request = WorkerRequest::Train(job);
        expect_trained(self.request_with_rows(&request, values).await)
    }

    /// Grows and sums blocks `blocks` of a round's forest in the worker: its
    /// part of the ranking's fit (`core::ranking_fit`). `values` is every row
    /// of the job.
    pub async fn score_tree_blocks(
        &self,
        job: TrainingJob,
        blocks: Range<usize>,
        values: &[f64],
    ) -> Result<TreeBlocksScored, WorkerError> {
        let request = WorkerRequest::ScoreTreeBlocks { job, blocks };
        expect_tree_blocks_scored(self.request_with_rows(&request, values).await)
    }

    /// Evaluates one fold of a round's cross-validation in the worker;
    /// `rows` is the round's training rows (a `Float64Array`, copied to the
    /// worker, so one array serves every fold).
    pub async fn evaluate_fold(
        &self,
        job: EvaluationJob,
        fold: usize,
        rows: &js_sys::Float64Array,
    ) -> Result<FoldOutcome, WorkerError> {
        let request = WorkerRequest::EvaluateFold { job, fold };
        expect_fold_evaluated(self.request(&request, rows.into()).await)
    }

    /// Stops the worker at once (Cancel); requests still waiting are refused.
    pub fn terminate(&self) {
        self.running.worker.terminate();
        self.running.shared.fail_all("the worker was stopped");
    }
}
