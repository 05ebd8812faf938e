//! The browser's database (IndexedDB) for the training table and the other
//! annotators' votes: the only code that touches it, as `storage` is for
//! localStorage. One database, `fink-vra`, two object stores:
//! `training-rows`, each record a stored row's bytes
//! (`core::training_table::StoredRow::to_bytes`) under the key
//! `<survey>:<alert id>`; and `team-votes`, each record one annotator's
//! votes (`core::stored_votes`) under `<survey>:<annotator>`. Storing a
//! record again overwrites it, and tabs share them; a tab that stored
//! records says so on a `BroadcastChannel` (one per store). localStorage
//! keeps my labels; its 5 MB could not hold 10,000 LSST rows, nor a team's
//! 100,000 votes.
//!
//! web-sys directly rather than a wrapper crate (`idb`, `rexie`,
//! `indexed_db_futures`): three operations (read a survey's rows, read some
//! keys, put rows) need a dozen calls, and those crates pin their own
//! wasm-bindgen ranges, which must agree with the exact version this page
//! pins for its wasm-bindgen-cli.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    BroadcastChannel, IdbDatabase, IdbKeyRange, IdbOpenDbRequest, IdbRequest, IdbTransaction,
    IdbTransactionMode,
};

use crate::core::alert::Survey;

const DATABASE: &str = "fink-vra";
/// 2: the `team-votes` store added.
const VERSION: u32 = 2;
const ROWS: &str = "training-rows";
/// The channel on which a tab says it stored rows.
const ROWS_CHANNEL: &str = "fink-vra/training-rows";
const VOTES: &str = "team-votes";
/// The channel on which a tab says it stored votes.
const VOTES_CHANNEL: &str = "fink-vra/team-votes";

thread_local! {
    /// This tab's id on the channel, to pass over its own messages.
    static TAB_ID: f64 = js_sys::Math::random();
}

fn tab_id() -> f64 {
    TAB_ID.with(|id| *id)
}

/// Why the database could not be used; shown to the user as it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseProblem(pub String);

impl std::fmt::Display for DatabaseProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn problem(context: &str, error: JsValue) -> DatabaseProblem {
    let detail = error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| {
            error
                .dyn_ref::<web_sys::DomException>()
                .map(|error| error.message())
        })
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_string());
    DatabaseProblem(format!("{context}: {detail}"))
}

/// Resolves with the request's result once it succeeds, rejects with its error.
async fn finished(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let reject_blocked = reject.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("request failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
        // Opening waits for other tabs' older connections: never forever.
        if let Some(opening) = request.dyn_ref::<IdbOpenDbRequest>() {
            let on_blocked = Closure::once_into_js(move |_: web_sys::Event| {
                let error = JsValue::from_str("another tab of an older page holds the database");
                let _ = reject_blocked.call1(&JsValue::NULL, &error);
            });
            opening.set_onblocked(Some(on_blocked.unchecked_ref()));
        }
    });
    JsFuture::from(promise).await
}

/// An open database, closed when dropped (whatever path a caller leaves by),
/// and closed at once when a newer page wants to upgrade it.
struct Connection(IdbDatabase);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl std::ops::Deref for Connection {
    type Target = IdbDatabase;

    fn deref(&self) -> &IdbDatabase {
        &self.0
    }
}

/// Opens (creating on first use) the database.
async fn open() -> Result<Connection, DatabaseProblem> {
    let unavailable = |error| problem("the browser's database is not available", error);
    let window = web_sys::window().ok_or_else(|| DatabaseProblem("no window".to_string()))?;
    let factory = window
        .indexed_db()
        .map_err(unavailable)?
        .ok_or_else(|| DatabaseProblem("the browser's database is not available".to_string()))?;
    let request: IdbOpenDbRequest = factory
        .open_with_u32(DATABASE, VERSION)
        .map_err(unavailable)?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(database) = upgrading
            .result()
            .and_then(|db| db.dyn_into::<IdbDatabase>())
        {
            for store in [ROWS, VOTES] {
                if !database.object_store_names().contains(store) {
                    let _ = database.create_object_store(store);
                }
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let database = finished(&request)
        .await
        .and_then(|database| database.dyn_into::<IdbDatabase>())
        .map_err(unavailable)?;
    let closing = database.clone();
    let on_version_change = Closure::once_into_js(move |_: web_sys::Event| closing.close());
    database.set_onversionchange(Some(on_version_change.unchecked_ref()));
    Ok(Connection(database))
}

/// Every stored row of `survey`, as bytes.
pub async fn read_rows(survey: Survey) -> Result<Vec<Vec<u8>>, DatabaseProblem> {
    read_survey(ROWS, survey, "the stored rows could not be read").await
}

/// Every stored record of the other annotators' votes on `survey`'s alerts, as bytes.
pub async fn read_vote_records(survey: Survey) -> Result<Vec<Vec<u8>>, DatabaseProblem> {
    read_survey(VOTES, survey, "the team's stored votes could not be read").await
}

/// Every record of `store` under `survey`'s keys, as bytes.
async fn read_survey(
    store_name: &str,
    survey: Survey,
    context: &str,
) -> Result<Vec<Vec<u8>>, DatabaseProblem> {
    let database = open().await?;
    let failed = |error| problem(context, error);
    // Keys `<survey>:<id>`; `;` is the character after `:`.
    let range = IdbKeyRange::bound(
        &JsValue::from_str(&format!("{}:", survey.key())),
        &JsValue::from_str(&format!("{};", survey.key())),
    )
    .map_err(failed)?;
    let store = database
        .transaction_with_str(store_name)
        .and_then(|transaction| transaction.object_store(store_name))
        .map_err(failed)?;
    let request = store.get_all_with_key(&range).map_err(failed)?;
    let values = finished(&request).await.map_err(failed)?;
    Ok(bytes_of(values))
}

/// The stored rows under `keys` (those that exist), as bytes.
pub async fn read_some(keys: Vec<String>) -> Result<Vec<Vec<u8>>, DatabaseProblem> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let database = open().await?;
    let failed = |error| problem("the stored rows could not be read", error);
    let store = database
        .transaction_with_str(ROWS)
        .and_then(|transaction| transaction.object_store(ROWS))
        .map_err(failed)?;
    // Every request first, then their answers: one round trip, not one per key.
    let requests = keys
        .iter()
        .map(|key| store.get(&JsValue::from_str(key)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let mut found = Vec::new();
    for request in requests {
        let value = finished(&request).await.map_err(failed)?;
        if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            found.push(bytes.to_vec());
        }
    }
    Ok(found)
}

/// Stores rows, each under its key, in one transaction: all or none.
pub async fn put_rows(rows: Vec<(String, Vec<u8>)>) -> Result<(), DatabaseProblem> {
    put_records(
        ROWS,
        ROWS_CHANNEL,
        rows,
        "rows of labelled alerts could not be stored",
    )
    .await
}

/// Stores annotators' vote records, each under `<survey>:<annotator>`, in
/// one transaction (all or none): each record is first read and `merge`d
/// with ours in that transaction, so that a record another tab wrote
/// meanwhile is merged, never written over. Returns the records stored.
/// (A merge that refuses, an unreadable stored record, aborts it all.)
pub async fn merge_vote_records(
    survey: Survey,
    records: Vec<(String, Vec<u8>)>,
    merge: impl Fn(Option<&[u8]>, &[u8]) -> Result<Vec<u8>, String>,
) -> Result<Vec<(String, Vec<u8>)>, DatabaseProblem> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let context = "the team's votes could not be stored";
    let database = open().await?;
    let failed = |error| problem(context, error);
    let transaction = database
        .transaction_with_str_and_mode(VOTES, IdbTransactionMode::Readwrite)
        .map_err(failed)?;
    let store = transaction.object_store(VOTES).map_err(failed)?;
    let mut stored = Vec::new();
    for (annotator, ours) in records {
        let key = JsValue::from_str(&format!("{}:{annotator}", survey.key()));
        // Awaited within the transaction: it stays open while its requests
        // answer one another.
        let request = store.get(&key).map_err(failed)?;
        let found = finished(&request).await.map_err(failed)?;
        let before = found.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec);
        let merged = match merge(before.as_deref(), &ours) {
            Ok(merged) => merged,
            Err(refusal) => {
                let _ = transaction.abort();
                return Err(DatabaseProblem(format!("{context}: {refusal}")));
            }
        };
        store
            .put_with_key(&Uint8Array::from(merged.as_slice()), &key)
            .map_err(failed)?;
        stored.push((annotator, merged));
    }
    committed(&transaction).await.map_err(failed)?;
    drop(database);
    announce_stored(VOTES_CHANNEL);
    Ok(stored)
}

/// Stores records of `store_name`, each under its key, in one transaction,
/// then says so on `channel`.
async fn put_records(
    store_name: &str,
    channel: &str,
    rows: Vec<(String, Vec<u8>)>,
    context: &str,
) -> Result<(), DatabaseProblem> {
    if rows.is_empty() {
        return Ok(());
    }
    let database = open().await?;
    let failed = |error| problem(context, error);
    let transaction = database
        .transaction_with_str_and_mode(store_name, IdbTransactionMode::Readwrite)
        .map_err(failed)?;
    let store = transaction.object_store(store_name).map_err(failed)?;
    for (key, bytes) in rows {
        let value = Uint8Array::from(bytes.as_slice());
        store
            .put_with_key(&value, &JsValue::from_str(&key))
            .map_err(failed)?;
    }
    committed(&transaction).await.map_err(failed)?;
    drop(database);
    announce_stored(channel);
    Ok(())
}

/// Tells the page's other tabs, on `channel`, that this tab stored
/// records: they read and take them in.
fn announce_stored(channel: &str) {
    if let Ok(channel) = BroadcastChannel::new(channel) {
        let _ = channel.post_message(&JsValue::from_f64(tab_id()));
        channel.close();
    }
}

/// Calls `on_stored` whenever another tab of the page has stored rows (a
/// `BroadcastChannel` message, sent once its transaction committed: a
/// `storage` event for its labels may arrive before its rows are there).
pub fn on_rows_stored_by_another_tab(on_stored: impl Fn() + 'static) {
    on_stored_by_another_tab(ROWS_CHANNEL, on_stored);
}

/// Calls `on_stored` whenever another tab of the page has stored votes.
pub fn on_votes_stored_by_another_tab(on_stored: impl Fn() + 'static) {
    on_stored_by_another_tab(VOTES_CHANNEL, on_stored);
}

fn on_stored_by_another_tab(channel: &str, on_stored: impl Fn() + 'static) {
    let Ok(channel) = BroadcastChannel::new(channel) else {
        return;
    };
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            // The tab's own channel hears its own messages too.
            if event.data().as_f64() != Some(tab_id()) {
                on_stored();
            }
        });
    channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    // The channel and its listener are the page's for its whole life.
    listener.forget();
    std::mem::forget(channel);
}

/// Resolves once the transaction has committed; rejects if it fails or is
/// aborted (a full quota, say).
async fn committed(transaction: &IdbTransaction) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = transaction.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed.error().map_or(
                JsValue::from_str("the transaction was aborted"),
                JsValue::from,
            );
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onerror(Some(on_error.unchecked_ref()));
        transaction.set_onabort(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

/// The bytes of a `getAll` result's values; a value that is not bytes
/// becomes an empty record, which the core drops and counts.
fn bytes_of(values: JsValue) -> Vec<Vec<u8>> {
    values
        .dyn_into::<Array>()
        .map(|array| {
            array
                .iter()
                .map(|value| {
                    value
                        .dyn_into::<Uint8Array>()
                        .map(|bytes| bytes.to_vec())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}
