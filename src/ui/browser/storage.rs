//! The one module that touches `localStorage`: read and write the saved
//! session of each survey under its key, the survey last used and the MLflow
//! server's URL; hear when
//! another tab wrote a session; and say plainly when storage is unavailable
//! (private mode) or full (quota exceeded), so that the page can keep working
//! in memory and urge an export.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Storage;

use crate::core::alert::Survey;

/// The key of the survey the page last labelled (`ztf` or `lsst`).
pub const SURVEY_KEY: &str = "fink-vra/survey";

/// The key of the MLflow tracking server URL the user typed (empty by
/// default: the page makes no network call unless asked).
pub const MLFLOW_URL_KEY: &str = "fink-vra/mlflow-url";

/// The key of `survey`'s saved session. ZTF keeps the key it had before LSST
/// existed, so that earlier sessions are found again.
pub fn session_key(survey: Survey) -> &'static str {
    match survey {
        Survey::Ztf => "fink-vra/session/v1",
        Survey::Lsst => "fink-vra/session/lsst/v1",
    }
}

/// Where a saved session of `survey` that this page cannot read is kept, untouched.
pub fn unreadable_session_key(survey: Survey) -> &'static str {
    match survey {
        Survey::Ztf => "fink-vra/session/unreadable",
        Survey::Lsst => "fink-vra/session/lsst/unreadable",
    }
}

/// The survey the page last labelled; ZTF when none is stored (or storage is
/// unavailable).
pub fn load_survey() -> Survey {
    load(SURVEY_KEY)
        .ok()
        .flatten()
        .and_then(|key| Survey::from_key(&key))
        .unwrap_or_default()
}

/// Why the session could not be written or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageProblem {
    /// No `localStorage` (blocked, private mode, sandboxed page).
    Unavailable,
    /// The browser refused to store more (`QuotaExceededError`).
    QuotaExceeded,
    /// Any other refusal, with the browser's message.
    Failed(String),
}

impl StorageProblem {
    /// A sentence for the page.
    pub fn describe(&self) -> String {
        match self {
            StorageProblem::Unavailable => {
                "Browser storage is unavailable (private mode?): labels are kept in this tab only. Export them before closing it.".to_string()
            }
            StorageProblem::QuotaExceeded => {
                "Browser storage is full: new labels are kept in this tab only. Export them now, then free some space.".to_string()
            }
            StorageProblem::Failed(detail) => {
                format!("Labels could not be saved in the browser ({detail}): they are kept in this tab only. Export them.")
            }
        }
    }
}

fn local_storage() -> Result<Storage, StorageProblem> {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or(StorageProblem::Unavailable)
}

#[wasm_bindgen]
extern "C" {
    /// `localStorage`, for the two calls below.
    #[wasm_bindgen(js_name = Storage)]
    type JsStorage;
    /// `getItem` with the text left a JS string: handing a string of
    /// megabytes to wasm walks it in JS one character at a time (about
    /// 0.4 s for a 20,000-label session), so texts are compared in JS first.
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item_as_js(this: &JsStorage, key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = setItem)]
    fn set_item_from_js(this: &JsStorage, key: &str, value: &JsValue) -> Result<(), JsValue>;
}

thread_local! {
    /// What this page last stored under each key, as the JS string it wrote.
    static LAST_STORED: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
}

/// The text stored under `key`, if any.
pub fn load(key: &str) -> Result<Option<String>, StorageProblem> {
    local_storage()?
        .get_item(key)
        .map_err(|_| StorageProblem::Unavailable)
}

/// The text stored under `key` if someone else (another tab, an older
/// page) stored it: `None` when nothing is stored, or when it is what this
/// page itself last stored there (found without reading it into wasm).
pub fn load_stored_by_others(key: &str) -> Result<Option<String>, StorageProblem> {
    let stored = local_storage()?
        .unchecked_into::<JsStorage>()
        .get_item_as_js(key)
        .map_err(|_| StorageProblem::Unavailable)?;
    let ours = LAST_STORED.with(|last| last.borrow().get(key) == Some(&stored));
    Ok(if ours { None } else { stored.as_string() })
}

/// Stores `value` under `key`.
pub fn save(key: &str, value: &str) -> Result<(), StorageProblem> {
    let text = JsValue::from_str(value);
    local_storage()?
        .unchecked_into::<JsStorage>()
        .set_item_from_js(key, &text)
        .map(|()| {
            LAST_STORED.with(|last| last.borrow_mut().insert(key.to_string(), text));
        })
        .map_err(|error| {
            let name = error
                .dyn_ref::<web_sys::DomException>()
                .map(|exception| exception.name());
            match name.as_deref() {
                Some("QuotaExceededError") | Some("NS_ERROR_DOM_QUOTA_REACHED") => {
                    StorageProblem::QuotaExceeded
                }
                Some(other) => StorageProblem::Failed(other.to_string()),
                None => StorageProblem::Failed("unknown error".to_string()),
            }
        })
}

/// Calls `on_change` with the key and new text whenever another tab (of the
/// same origin) stores one of `keys`; the browser does not tell a tab of its
/// own writes. Lasts as long as the page.
pub fn on_saved_by_another_tab(
    keys: Vec<&'static str>,
    on_change: impl Fn(&str, String) + 'static,
) {
    let handle = leptos::prelude::window_event_listener(leptos::ev::storage, move |event| {
        if let Some(key) = event.key().filter(|key| keys.contains(&key.as_str())) {
            if let Some(text) = event.new_value() {
                on_change(&key, text);
            }
        }
    });
    // The listener is the page's for its whole life.
    std::mem::forget(handle);
}
