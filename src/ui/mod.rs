//! The browser shell: Leptos components and browser glue, compiled for wasm32
//! only. No domain rules live here: components read signals and call `core`.
//!
//! - `app`: the notebook page and its state;
//! - `sections`: one component per notebook section;
//! - `browser`: the only code that touches web APIs (files, fetch, service worker).

mod app;
pub mod browser;
mod loading;
mod mlflow_log;
mod ranking_fit;
mod round_records;
mod sections;
mod team_votes;
mod training_rows;
mod workbench;
pub mod worker_main;
mod worker_pool;
mod worker_slot;

pub use loading::{load_sources, FileHandles, FileSource, LoadProgress};
pub use worker_slot::WorkerSlot;

/// Starts the page: panic messages to the console, the offline service worker,
/// and the app mounted on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    browser::service_worker::register("sw.js");
    leptos::mount::mount_to_body(app::App);
}
