//! The binary form of what crosses between the page and its workers:
//! postcard, compact and fast, where JSON would be several times larger and
//! slower for thousands of alerts, and which keeps `NaN`. [`protocol`] is
//! the one request and reply pair that travels in it.

pub mod protocol;

use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

/// An answer that could not be decoded (a page and worker of different builds).
#[derive(Debug, Error, Clone, PartialEq)]
#[error("the worker's answer could not be decoded ({detail})")]
pub struct WireError {
    pub detail: String,
}

/// Encodes `value`. Plain data always encodes; should it not, the empty
/// answer is refused by [`from_bytes`] on the other side.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).unwrap_or_default()
}

/// Decodes what [`to_bytes`] wrote.
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    postcard::from_bytes(bytes).map_err(|error| WireError {
        detail: error.to_string(),
    })
}
