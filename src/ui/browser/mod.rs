//! Browser side effects, each behind a small function. Nothing else in the
//! crate calls web APIs directly.

pub mod canvas;
pub mod clock;
pub mod csp;
pub mod download;
pub mod files;
pub mod http;
pub mod service_worker;
pub mod storage;
pub mod training_db;
pub mod worker;
