//! The Web Worker side of training: receives a [`TrainingJob`] (as JSON) and
//! the feature rows (a `Float64Array`), runs it, and posts back the
//! [`TrainingOutcome`] as JSON, or `{"error": "..."}`. Runs in
//! `fink-vra-worker`, so the page stays responsive while a round trains.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::core::workbench::TrainingJob;

/// The message a worker posts once it listens, so jobs are never lost.
pub const READY: &str = "ready";

fn run(data: &JsValue) -> String {
    let parts = js_sys::Array::from(data);
    let job = parts.get(0).as_string().unwrap_or_default();
    let values = js_sys::Float64Array::new(&parts.get(1)).to_vec();
    let outcome = serde_json::from_str::<TrainingJob>(&job)
        .map_err(|error| format!("the training job could not be read: {error}"))
        .and_then(|job| job.run(&values).map_err(|error| error.to_string()));
    match outcome {
        Ok(outcome) => serde_json::to_string(&outcome).unwrap_or_default(),
        Err(error) => serde_json::json!({ "error": error }).to_string(),
    }
}

/// Installs the message handler and says it is ready.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let reply = run(&event.data());
        // A failed post means the page has gone: nothing left to tell.
        let _ = reply_scope.post_message(&JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}
