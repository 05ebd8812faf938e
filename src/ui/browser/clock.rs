//! The time, from the browser (the core reads no clock).

/// Now, UTC, ISO 8601 to the millisecond (`2026-11-27T10:00:00.123Z`): a
/// label's time also tells two label acts on one alert apart.
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Now, in milliseconds since the Unix epoch (MLflow's timestamps).
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
