//! The pure core of fink-vra: everything that is domain logic and must behave
//! the same natively (CLI, tests, benchmarks) and in the browser (wasm32).
//!
//! Nothing under `core` may import `leptos`, `web_sys`, `gloo` or `wasm_bindgen`;
//! the layering is described in `ARCHITECTURE.md`.

pub mod active;
pub mod alert;
pub mod alert_set;
pub mod card;
pub mod csv_text;
pub mod cutouts;
pub mod display;
pub mod duplicate_report;
pub mod features;
pub mod file_reading;
pub mod ingest;
pub mod labelling;
pub mod labels;
pub mod links;
pub mod mlflow;
pub mod model;
pub mod model_file;
pub mod object_labels;
pub mod paging;
pub mod parallel;
pub mod plot;
pub mod queue;
pub mod random;
pub mod ranking_fit;
pub mod session;
pub mod stored_votes;
pub mod team;
pub mod training_table;
pub mod wire;
pub mod workbench;
pub mod workspace;
