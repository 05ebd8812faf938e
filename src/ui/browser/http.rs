//! Requests to a server the user named (the MLflow tracking server), with
//! `fetch`: JSON POSTs (so the browser sends a CORS preflight), GETs and
//! byte PUTs. A network failure, or a response the browser withholds
//! because CORS refused it, is `Err(Failed::Unreachable)`: the browser does
//! not say which. A server that does not answer within [`TIMEOUT_MS`] is
//! `Err(Failed::TimedOut)`: the request is aborted.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

/// A response: its status and its body as text.
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
}

impl HttpAnswer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// How long a request may take, answer included, before it is aborted.
pub const TIMEOUT_MS: u32 = 60_000;

/// Why a request brought no answer.
pub enum Failed {
    /// The server could not be reached, or CORS hid its answer.
    Unreachable,
    /// No answer within [`TIMEOUT_MS`].
    TimedOut,
}

async fn send(url: &str, init: &RequestInit) -> Result<HttpAnswer, Failed> {
    let window = web_sys::window().ok_or(Failed::Unreachable)?;
    let controller = AbortController::new().map_err(|_| Failed::Unreachable)?;
    init.set_signal(Some(&controller.signal()));
    let timer = {
        let controller = controller.clone();
        gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort())
    };
    let aborted = || controller.signal().aborted();
    let outcome = async {
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
            .await
            .map_err(|_| Failed::Unreachable)?
            .dyn_into()
            .map_err(|_| Failed::Unreachable)?;
        let body = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .map_err(|_| Failed::Unreachable)?
                .as_string()
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        Ok(HttpAnswer {
            status: response.status(),
            body,
        })
    }
    .await;
    drop(timer);
    match outcome {
        Err(Failed::Unreachable) if aborted() => Err(Failed::TimedOut),
        other => other,
    }
}

/// Sends `method` to `url` with `json` as an `application/json` body, or
/// none.
pub async fn send_json(method: &str, url: &str, json: Option<&str>) -> Result<HttpAnswer, Failed> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(json) = json {
        let headers = Headers::new().map_err(|_| Failed::Unreachable)?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| Failed::Unreachable)?;
        init.set_headers(&headers);
        init.set_body(&wasm_bindgen::JsValue::from_str(json));
    }
    send(url, &init).await
}

/// PUTs `bytes` to `url` as `application/octet-stream`.
pub async fn put_bytes(url: &str, bytes: &[u8]) -> Result<HttpAnswer, Failed> {
    let init = RequestInit::new();
    init.set_method("PUT");
    let headers = Headers::new().map_err(|_| Failed::Unreachable)?;
    headers
        .set("Content-Type", "application/octet-stream")
        .map_err(|_| Failed::Unreachable)?;
    init.set_headers(&headers);
    init.set_body(&Uint8Array::from(bytes));
    send(url, &init).await
}
