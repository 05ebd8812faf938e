//! The Web Worker's side: answers the page's requests (read a file, decode a
//! card's stamps, train a round, rank the queue) with the pure core, off the
//! page's thread. Runs in `fink-vra-worker`; `ui::browser::worker` is the
//! page's side, `core::wire::protocol` what they say to each other.
//!
//! A message is `[id, name, request (postcard), payload]`; the answer is
//! `[id, reply (postcard)]`. Files arrive as `File` handles and are read here
//! with `FileReaderSync`, so their bytes never pass through the page's thread;
//! to load a file, only the ranges its alerts need are read
//! (`ingest::read_needed`: the footer and feature columns, not the cutouts).

use js_sys::{Array, Float64Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::core::alert::Candid;
use crate::core::ingest::{read_needed, read_needed_for_stamps};
use crate::core::wire::protocol::{
    answer, reply_to_bytes, Payload, PayloadKind, WorkerReply, WorkerRequest,
};

/// The message a worker posts once it listens, so requests are never lost.
pub const READY: &str = "ready";

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

/// The bytes `range` of a file handle, read synchronously.
fn slice_bytes(blob: &Blob, range: std::ops::Range<u64>) -> Result<Vec<u8>, String> {
    let slice = blob
        .slice_with_f64_and_f64(range.start as f64, range.end as f64)
        .map_err(crate::ui::browser::files::describe)?;
    source_bytes(&slice)
}

/// What a file to load is read as: only the ranges its alerts need when it is
/// a file handle and a plan can be made, else its whole bytes.
fn file_to_load(name: &str, source: &JsValue) -> Payload {
    if let Some(blob) = source.dyn_ref::<Blob>() {
        match read_needed(name, blob.size() as u64, |range| slice_bytes(blob, range)) {
            Ok(Some(sparse)) => return Payload::NeededRanges(sparse),
            Ok(None) => {}
            Err(detail) => return Payload::File(Err(detail)),
        }
    }
    Payload::File(source_bytes(source))
}

/// What a card's stamps are read from: only the alert's ids and its row
/// group of stamps when it is a file handle and a plan can be made, else the
/// whole bytes.
fn file_for_stamps(name: &str, candid: Candid, source: &JsValue) -> Payload {
    if let Some(blob) = source.dyn_ref::<Blob>() {
        let read = |range| slice_bytes(blob, range);
        match read_needed_for_stamps(name, blob.size() as u64, candid, read) {
            Ok(Some(sparse)) => return Payload::NeededRanges(sparse),
            Ok(None) => {}
            Err(detail) => return Payload::File(Err(detail)),
        }
    }
    Payload::File(source_bytes(source))
}

/// The reply to one message `[id, name, request, payload]`.
pub fn reply_to(message: &Array) -> WorkerReply {
    let request = WorkerRequest::from_bytes(&Uint8Array::new(&message.get(2)).to_vec())?;
    let source = message.get(3);
    let payload = match (&request, request.payload_kind()) {
        (WorkerRequest::ReadFile { name }, _) => file_to_load(name, &source),
        (WorkerRequest::CardStamps { name, candid }, _) => file_for_stamps(name, *candid, &source),
        (_, PayloadKind::File) => Payload::File(source_bytes(&source)),
        (_, PayloadKind::FeatureRows) => Payload::FeatureRows(Float64Array::new(&source).to_vec()),
    };
    let missed = match &payload {
        Payload::NeededRanges(sparse) => Some(sparse.missed()),
        _ => None,
    };
    let reply = answer(request.clone(), payload);
    // The reader asked for bytes the plan left out: its answer says nothing
    // about the file, which is read whole instead.
    if missed.is_some_and(|flag| flag.load(std::sync::atomic::Ordering::Relaxed)) {
        return answer(request, Payload::File(source_bytes(&source)));
    }
    reply
}

/// Installs the message handler and says it is ready.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let message = Array::from(&event.data());
        let reply = Uint8Array::from(reply_to_bytes(&reply_to(&message)).as_slice());
        let buffer = reply.buffer();
        let answer = Array::of2(&message.get(0), &reply);
        // A failed post means the page has gone: nothing left to tell.
        let _ = reply_scope.post_message_with_transfer(&answer, &Array::of1(&buffer));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}
