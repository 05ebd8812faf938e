//! How numbers read on the page: pure formatting, shared by every component so
//! that the same value always looks the same.

use crate::core::active::evaluation::RecordState;
use crate::core::active::honest::{Estimate, HonestEstimate};
use crate::core::active::round::RoundRecord;

/// A feature value: `–` when missing, integers without decimals, otherwise
/// six significant digits.
pub fn format_feature_value(value: f64) -> String {
    if value.is_nan() {
        "–".to_string()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let magnitude = value.abs().log10().floor() as i32;
        let decimals = (5 - magnitude).clamp(0, 12) as usize;
        format!("{value:.decimals$}")
    }
}

/// A file size in B, KB or MB (powers of 1000, as file managers show them).
pub fn format_size(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// The (year, month, day) of a day counted from 1970-01-01 (H. Hinnant's
/// algorithm, proleptic Gregorian).
fn civil_date(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

/// Seconds since 1970-01-01 UTC as ISO 8601 (`2026-11-29T10:00:00Z`).
pub fn iso_utc(unix_seconds: u64) -> String {
    let seconds = unix_seconds as i64;
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// A Modified Julian Date as `YYYY-MM-DD HH:MM UTC`.
pub fn format_mjd(mjd: f64) -> String {
    if !mjd.is_finite() {
        return "–".to_string();
    }
    // MJD 40587 is 1970-01-01; civil date from days (H. Hinnant's algorithm).
    let minutes_total = ((mjd - 40_587.0) * 1440.0).round() as i64;
    let (days, minute_of_day) = (
        minutes_total.div_euclid(1440),
        minutes_total.rem_euclid(1440),
    );
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// A model's P(class 1) on the card: two decimals, or "no model yet".
pub fn format_probability(probability: Option<f64>) -> String {
    match probability {
        Some(p) if p.is_finite() => format!("{p:.2}"),
        _ => "no model yet".to_string(),
    }
}

/// A metric that may not exist (ROC AUC with one class): two decimals, or "n/a".
pub fn format_metric(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.2}"),
        _ => "n/a".to_string(),
    }
}

/// A figure with its 95 % interval: `0.91 [0.80, 0.97]`, or "n/a".
pub fn format_estimate(estimate: Option<Estimate>) -> String {
    match estimate {
        Some(e) if e.value.is_finite() => format!("{:.2} [{:.2}, {:.2}]", e.value, e.low, e.high),
        _ => "n/a".to_string(),
    }
}

/// An honest estimate's figures with their intervals and the random picks
/// they stand on.
pub fn honest_summary(honest: &HonestEstimate) -> String {
    format!(
        "ROC AUC {} · AuRaK {} · accuracy {} ({} random {})",
        format_estimate(honest.roc_auc),
        format_estimate(honest.aurak),
        format_estimate(Some(honest.accuracy)),
        honest.labels(),
        if honest.labels() == 1 {
            "pick"
        } else {
            "picks"
        }
    )
}

/// A round's honest estimate as its row shows it: each figure with its
/// interval and the random picks it stands on; "…" while its record is
/// computed, "–" when it was not (the record cell says why), "no random
/// picks" without any.
pub fn honest_estimate_text(round: &RoundRecord) -> String {
    match round.record_state {
        RecordState::Pending => return "…".to_string(),
        RecordState::NotComputed { .. } => return "–".to_string(),
        RecordState::Complete => {}
    }
    match &round.honest_estimate {
        Some(honest) => honest_summary(honest),
        None if round.random_picks.is_empty() => "no random picks".to_string(),
        None => format!(
            "not measured ({} random picks, too few labels to cross-validate)",
            round.random_picks.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimate_reads_with_its_interval() {
        let estimate = Estimate {
            value: 0.912,
            low: 0.8,
            high: 0.974,
        };
        assert_eq!(format_estimate(Some(estimate)), "0.91 [0.80, 0.97]");
        assert_eq!(format_estimate(None), "n/a");
    }

    #[test]
    fn mjd_reads_as_a_utc_date() {
        assert_eq!(format_mjd(60_000.0), "2023-02-25 00:00 UTC");
        // astropy: 2025-05-22 04:13:53.996, to the nearest minute.
        assert_eq!(format_mjd(60_817.176_319_4), "2025-05-22 04:14 UTC");
        assert_eq!(format_mjd(40_587.5), "1970-01-01 12:00 UTC");
        assert_eq!(format_mjd(f64::NAN), "–");
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_979_568), "2026-11-29T19:12:48Z");
    }

    #[test]
    fn values_are_formatted_for_reading() {
        assert_eq!(format_feature_value(f64::NAN), "–");
        assert_eq!(format_feature_value(12.0), "12");
        assert_eq!(format_feature_value(18.302_050_590_515_137), "18.3021");
        assert_eq!(format_feature_value(0.004_656_030_14), "0.00465603");
        assert_eq!(format_feature_value(-0.060_727_811_926), "-0.0607278");
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(format_size(999), "999 B");
        assert_eq!(format_size(527_682), "528 KB");
        assert_eq!(format_size(3_279_252), "3.3 MB");
    }
}
