//! The one module that touches `localStorage`: read and write the saved
//! session of each survey under its key, the survey last used and the MLflow
//! server's URL; hear when
//! another tab wrote a session; and say plainly when storage is unavailable
//! (private mode) or full (quota exceeded), so that the page can keep working
//! in memory and urge an export.

use wasm_bindgen::JsCast;
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

/// The text stored under `key`, if any.
pub fn load(key: &str) -> Result<Option<String>, StorageProblem> {
    local_storage()?
        .get_item(key)
        .map_err(|_| StorageProblem::Unavailable)
}

/// Stores `value` under `key`.
pub fn save(key: &str, value: &str) -> Result<(), StorageProblem> {
    local_storage()?.set_item(key, value).map_err(|error| {
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
