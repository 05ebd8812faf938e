//! fink-vra: active-learning labelling loops for the Fink ZTF and Rubin/LSST
//! alert streams.
//!
//! `core` is the pure domain logic (native and wasm32); `ui` is the browser
//! shell, compiled for wasm32 only. See `ARCHITECTURE.md`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod ui;
