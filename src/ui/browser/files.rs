//! Getting bytes into wasm: a user's `File` (picker or drop) or a bundled
//! sample fetched from the page's own origin.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileList, Response};

/// A JS exception as a short sentence.
pub(crate) fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown browser error".to_string())
}

/// The files of a `FileList` (from an `<input type=file>` or a drop).
pub fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length())
        .filter_map(|index| list.get(index))
        .collect()
}

/// The whole content of a user's file, read with `File.arrayBuffer()`.
pub async fn read_file(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The bytes at `url` (relative to the page), for bundled sample data.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or_else(|| "no browser window".to_string())?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "the fetch did not return a response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {} for {url}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Lets the browser paint (progress, summaries) before the next long step.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
