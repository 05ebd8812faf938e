//! The time, from the browser (the core reads no clock).

/// Now, UTC, ISO 8601 to the second (`2026-11-27T10:00:00Z`).
pub fn now_iso() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    // `toISOString` gives milliseconds: 2026-11-27T10:00:00.000Z.
    match iso.split_once('.') {
        Some((seconds, _)) => format!("{seconds}Z"),
        None => iso,
    }
}
