//! Small order statistics shared by the feature families, with numpy's
//! conventions (median of an even count is the mean of the middle two;
//! standard deviation is the population one, ddof 0).

/// Median of `values`, reordering them; `NaN` when empty.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    // Selection, not a sort: linear time, which matters for the page's
    // summary of 100k alerts. The values are left partly reordered.
    let count = values.len();
    let (lower, &mut upper, _) = values.select_nth_unstable_by(count / 2, f64::total_cmp);
    if count % 2 == 1 {
        upper
    } else {
        let below = lower
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .unwrap_or(upper);
        (below + upper) / 2.0
    }
}

/// Population standard deviation (ddof 0); `NaN` when empty.
pub fn population_std(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / count;
    variance.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd_counts_matches_numpy() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn population_std_uses_ddof_zero() {
        assert_eq!(population_std(&[1.0, 3.0]), 1.0);
        assert_eq!(population_std(&[5.0]), 0.0);
        assert!(population_std(&[]).is_nan());
    }
}
