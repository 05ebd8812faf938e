//! How numbers read on the page: pure formatting, shared by every component so
//! that the same value always looks the same.

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

#[cfg(test)]
mod tests {
    use super::*;

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
