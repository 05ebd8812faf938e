//! Saving a file (text or bytes) to the user's disk (exports): a Blob, an object URL and
//! a click on a temporary link. Nothing leaves the machine.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `content` as a download called `file_name`.
pub fn download_text(file_name: &str, mime_type: &str, content: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    offer(file_name, mime_type, &parts)
}

/// Offers `bytes` (an ONNX model, say) as a download called `file_name`.
pub fn download_bytes(file_name: &str, mime_type: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    offer(file_name, mime_type, &parts)
}

fn offer(file_name: &str, mime_type: &str, parts: &js_sys::Array) -> Result<(), String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let document = window.document().ok_or("no document")?;
    let options = BlobPropertyBag::new();
    options.set_type(mime_type);
    let blob = Blob::new_with_buffer_source_sequence_and_options(parts, &options)
        .map_err(|_| "could not build the file")?;
    let url =
        Url::create_object_url_with_blob(&blob).map_err(|_| "could not create a download link")?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "could not create a download link")?
        .dyn_into()
        .map_err(|_| "could not create a download link")?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    Url::revoke_object_url(&url).ok();
    Ok(())
}
