//! The Web Worker's side: answers the page's requests (read a file, decode a
//! card's stamps, train a round) with the pure core, off the page's thread.
//! Runs in `fink-vra-worker`; `ui::browser::worker` is the page's side.
//!
//! A request is `[id, kind, ...arguments]`; the answer is `[id, reply]`.
//! Files arrive as `File` handles and are read here with `FileReaderSync`, so
//! their bytes never pass through the page's thread.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::core::alert::Candid;
use crate::core::cutouts::read_card_stamps;
use crate::core::file_reading::{read_file, FileReading, LoadError};
use crate::core::ingest::IngestError;
use crate::core::queue::QueueJob;
use crate::core::wire;
use crate::core::workbench::TrainingJob;

/// The message a worker posts once it listens, so requests are never lost.
pub const READY: &str = "ready";

/// What the page can ask of the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// `[name, File | Uint8Array]` → `Uint8Array` (a `FileReading`).
    ReadFile,
    /// `[name, File | Uint8Array, candid]` → `Uint8Array` (a `CardStampsReply`).
    CardStamps,
    /// `[job JSON, Float64Array]` → JSON (a `TrainingOutcome` or `{"error"}`).
    Train,
    /// `[Uint8Array (a `QueueJob`), Float64Array]` → `Uint8Array` (the ranked queue).
    RankQueue,
}

impl Request {
    const ALL: [Request; 4] = [
        Request::ReadFile,
        Request::CardStamps,
        Request::Train,
        Request::RankQueue,
    ];

    /// The request's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Request::ReadFile => "read-file",
            Request::CardStamps => "card-stamps",
            Request::Train => "train",
            Request::RankQueue => "rank-queue",
        }
    }

    fn from_name(name: &str) -> Option<Request> {
        Request::ALL
            .into_iter()
            .find(|request| request.name() == name)
    }
}

/// The bytes of a file handle (read synchronously, as only a worker may) or
/// of a byte array.
pub fn source_bytes(source: &JsValue) -> Result<Vec<u8>, String> {
    if let Some(blob) = source.dyn_ref::<Blob>() {
        let reader = FileReaderSync::new().map_err(crate::ui::browser::files::describe)?;
        let buffer = reader
            .read_as_array_buffer(blob)
            .map_err(crate::ui::browser::files::describe)?;
        return Ok(Uint8Array::new(&buffer).to_vec());
    }
    if source.is_instance_of::<Uint8Array>() || source.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(source).to_vec());
    }
    Err("the file was handed over in an unknown form".to_string())
}

fn read_file_reply(name: &str, source: &JsValue) -> Vec<u8> {
    let reading = match source_bytes(source) {
        Ok(bytes) => read_file(name, bytes),
        Err(detail) => FileReading::failed(
            name,
            0,
            LoadError::Unreadable {
                file: name.to_string(),
                detail,
            },
        ),
    };
    reading.to_bytes()
}

fn card_stamps_reply(name: &str, source: &JsValue, candid: &str) -> Vec<u8> {
    let corrupt = |detail: String| IngestError::Corrupt {
        file: name.to_string(),
        detail,
    };
    let reply = candid
        .parse::<Candid>()
        .map_err(|_| corrupt(format!("candid `{candid}` is not a number")))
        .and_then(|candid| {
            let bytes = source_bytes(source).map_err(corrupt)?;
            read_card_stamps(name, bytes, candid)
        });
    wire::to_bytes(&reply)
}

fn rank_queue_reply(job: &JsValue, values: &JsValue) -> Vec<u8> {
    let values = js_sys::Float64Array::new(values).to_vec();
    // A job that cannot be read ranks nothing; the page then ranks in place.
    let queue = QueueJob::from_bytes(&Uint8Array::new(job).to_vec())
        .map(|job| job.run(&values))
        .unwrap_or_default();
    wire::to_bytes(&queue)
}

fn train_reply(job: &str, values: &JsValue) -> String {
    let values = js_sys::Float64Array::new(values).to_vec();
    let outcome = serde_json::from_str::<TrainingJob>(job)
        .map_err(|error| format!("the training job could not be read: {error}"))
        .and_then(|job| job.run(&values).map_err(|error| error.to_string()));
    match outcome {
        Ok(outcome) => serde_json::to_string(&outcome).unwrap_or_default(),
        Err(error) => serde_json::json!({ "error": error }).to_string(),
    }
}

/// The reply to one request, and the buffer to transfer with it (if any).
fn answer(message: &Array) -> (JsValue, Option<js_sys::ArrayBuffer>) {
    let text = |index: u32| message.get(index).as_string().unwrap_or_default();
    let bytes = |reply: Vec<u8>| {
        let array = Uint8Array::from(reply.as_slice());
        let buffer = array.buffer();
        (JsValue::from(array), Some(buffer))
    };
    match Request::from_name(&text(1)) {
        Some(Request::ReadFile) => bytes(read_file_reply(&text(2), &message.get(3))),
        Some(Request::CardStamps) => bytes(card_stamps_reply(&text(2), &message.get(3), &text(4))),
        Some(Request::Train) => (
            JsValue::from_str(&train_reply(&text(2), &message.get(3))),
            None,
        ),
        Some(Request::RankQueue) => bytes(rank_queue_reply(&message.get(2), &message.get(3))),
        None => (
            JsValue::from_str(&serde_json::json!({ "error": "unknown request" }).to_string()),
            None,
        ),
    }
}

/// Installs the message handler and says it is ready.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let message = Array::from(&event.data());
        let (reply, transfer) = answer(&message);
        let answer = Array::of2(&message.get(0), &reply);
        // A failed post means the page has gone: nothing left to tell.
        let _ = match transfer {
            Some(buffer) => reply_scope.post_message_with_transfer(&answer, &Array::of1(&buffer)),
            None => reply_scope.post_message(&answer),
        };
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}
