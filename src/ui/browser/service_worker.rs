//! Registers the service worker (`assets/sw.js`) that keeps the app shell,
//! wasm and sample data cached, so that a page loaded once reloads offline.

use wasm_bindgen::JsValue;

/// Registers `script` (relative to the page, so it works under a sub-path).
/// Does nothing where service workers are unavailable (insecure origin,
/// private mode in some browsers): the page works, only not offline.
pub fn register(script: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let available =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if available {
        // The promise's outcome only matters for offline use; a failure is not an error.
        let _registration = navigator.service_worker().register(script);
    }
}
