//! Runs core work with the GIL released and panics contained, so that other
//! Python threads run meanwhile and a bug in the core raises
//! `fink_vra.InternalError` instead of killing the interpreter. (The wheel is
//! built with unwinding for this: see scripts/wheel.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::Python;

use crate::error::BindingError;

/// `work()` without the GIL; a panic becomes [`BindingError::Panicked`].
pub fn without_gil<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, BindingError> + Send,
) -> Result<T, BindingError> {
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|message| message.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".to_string());
            Err(BindingError::Panicked { detail })
        })
    })
}
