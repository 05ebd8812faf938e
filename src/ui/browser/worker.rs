//! The page's side of the training Web Worker: start it, send one job, await
//! the answer, or terminate it (Cancel, or a crash). Training off the main
//! thread keeps keys and scrolling responsive; no threads or cross-origin
//! isolation are needed.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker};

use crate::core::workbench::{TrainingJob, TrainingOutcome};
use crate::ui::training_worker::READY;

/// The loader Trunk writes for the `fink-vra-worker` bin (`data-loader-shim`).
const WORKER_SCRIPT: &str = "fink-vra-worker_loader.js";

/// A running training worker.
#[derive(Clone)]
pub struct TrainingWorker {
    worker: Worker,
}

/// Waits for the next message (or error) of `worker`.
async fn next_message(worker: &Worker) -> Result<JsValue, String> {
    let slot: Rc<RefCell<Option<(js_sys::Function, js_sys::Function)>>> =
        Rc::new(RefCell::new(None));
    let promise =
        js_sys::Promise::new(&mut |resolve, reject| *slot.borrow_mut() = Some((resolve, reject)));
    let Some((resolve, reject)) = slot.borrow_mut().take() else {
        return Err("the worker could not be awaited".into());
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let _ = resolve.call1(&JsValue::NULL, &event.data());
    });
    let on_error =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&event.message()));
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let outcome = JsFuture::from(promise).await;
    worker.set_onmessage(None);
    worker.set_onerror(None);
    drop((on_message, on_error));
    outcome.map_err(|error| {
        error
            .as_string()
            .unwrap_or_else(|| "the training worker failed".into())
    })
}

impl TrainingWorker {
    /// Starts a worker and waits until it listens.
    pub async fn start() -> Result<TrainingWorker, String> {
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|_| "the training worker could not be started".to_string())?;
        match next_message(&worker).await?.as_string().as_deref() {
            Some(READY) => Ok(TrainingWorker { worker }),
            _ => Err("the training worker did not start properly".into()),
        }
    }

    /// Runs one job in the worker.
    pub async fn run(&self, job: &TrainingJob, values: &[f64]) -> Result<TrainingOutcome, String> {
        let job = serde_json::to_string(job).map_err(|error| error.to_string())?;
        let message = js_sys::Array::of2(
            &JsValue::from_str(&job),
            &js_sys::Float64Array::from(values),
        );
        self.worker
            .post_message(&message)
            .map_err(|_| "the job could not be sent to the worker".to_string())?;
        let reply = next_message(&self.worker)
            .await?
            .as_string()
            .unwrap_or_default();
        if let Ok(outcome) = serde_json::from_str::<TrainingOutcome>(&reply) {
            return Ok(outcome);
        }
        let error: serde_json::Value = serde_json::from_str(&reply).unwrap_or_default();
        Err(error
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("the worker sent an unreadable answer")
            .to_string())
    }

    /// Stops the worker at once (Cancel); a new one is started for the next round.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}
