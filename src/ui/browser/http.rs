//! Requests to a server the user named (the MLflow tracking server), with
//! `fetch`: JSON POSTs (so the browser sends a CORS preflight), GETs and
//! byte PUTs. A network failure, or a response the browser withholds
//! because CORS refused it, is `Err(Unreachable)`: the browser does not say which.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

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

/// The server could not be reached, or CORS hid its answer.
pub struct Unreachable;

async fn send(url: &str, init: &RequestInit) -> Result<HttpAnswer, Unreachable> {
    let window = web_sys::window().ok_or(Unreachable)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(|_| Unreachable)?
        .dyn_into()
        .map_err(|_| Unreachable)?;
    let body = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok(HttpAnswer {
        status: response.status(),
        body,
    })
}

/// Sends `method` to `url` with `json` as an `application/json` body, or
/// none.
pub async fn send_json(
    method: &str,
    url: &str,
    json: Option<&str>,
) -> Result<HttpAnswer, Unreachable> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(json) = json {
        let headers = Headers::new().map_err(|_| Unreachable)?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| Unreachable)?;
        init.set_headers(&headers);
        init.set_body(&wasm_bindgen::JsValue::from_str(json));
    }
    send(url, &init).await
}

/// PUTs `bytes` to `url` as `application/octet-stream`.
pub async fn put_bytes(url: &str, bytes: &[u8]) -> Result<HttpAnswer, Unreachable> {
    let init = RequestInit::new();
    init.set_method("PUT");
    let headers = Headers::new().map_err(|_| Unreachable)?;
    headers
        .set("Content-Type", "application/octet-stream")
        .map_err(|_| Unreachable)?;
    init.set_headers(&headers);
    init.set_body(&Uint8Array::from(bytes));
    send(url, &init).await
}
