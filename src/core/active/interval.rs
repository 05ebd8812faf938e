//! A mean over repeats with its 95 % confidence interval (Student's t), so
//! that a replay's figures say how sure they are: a strategy "beats random"
//! only where the interval of its gain lies above zero.

use serde::Serialize;

/// A mean and its two-sided 95 % interval; `None` bounds with fewer than
/// two values (no spread to measure).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub mean: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Interval {
    /// The mean of `values` and the t interval around it: mean ± t(0.975,
    /// n − 1) × s / √n, with s the sample standard deviation.
    pub fn of_mean(values: &[f64]) -> Interval {
        let count = values.len();
        if count == 0 {
            return Interval {
                mean: f64::NAN,
                low: None,
                high: None,
            };
        }
        let mean = values.iter().sum::<f64>() / count as f64;
        if count < 2 {
            return Interval {
                mean,
                low: None,
                high: None,
            };
        }
        let variance = values
            .iter()
            .map(|value| (value - mean).powi(2))
            .sum::<f64>()
            / (count - 1) as f64;
        let half_width = student_t_975(count - 1) * (variance / count as f64).sqrt();
        Interval {
            mean,
            low: Some(mean - half_width),
            high: Some(mean + half_width),
        }
    }

    /// Whether the whole interval lies above zero (a gain that is not luck).
    pub fn above_zero(&self) -> bool {
        self.low.is_some_and(|low| low > 0.0)
    }

    /// Whether the whole interval lies below zero (a loss that is not luck).
    pub fn below_zero(&self) -> bool {
        self.high.is_some_and(|high| high < 0.0)
    }
}

/// The 97.5th percentile of Student's t with `degrees` degrees of freedom
/// (≥ 1): the table's value up to 30, then interpolated in 1/degrees
/// towards the normal 1.95996 (within 0.001 of the exact value).
pub fn student_t_975(degrees: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    /// (degrees of freedom, quantile) beyond the table.
    const TAIL: [(f64, f64); 4] = [
        (30.0, 2.0423),
        (40.0, 2.0211),
        (60.0, 2.0003),
        (120.0, 1.9799),
    ];
    const NORMAL: f64 = 1.959_964;
    match degrees {
        0 => f64::INFINITY,
        1..=30 => TABLE[degrees - 1],
        _ => {
            let degrees = degrees as f64;
            let mut previous = TAIL[0];
            for &(at, quantile) in &TAIL[1..] {
                if degrees <= at {
                    return interpolate(previous, (at, quantile), degrees);
                }
                previous = (at, quantile);
            }
            interpolate(previous, (f64::INFINITY, NORMAL), degrees)
        }
    }
}

/// Linear in 1/degrees between two (degrees, quantile) points.
fn interpolate(from: (f64, f64), to: (f64, f64), degrees: f64) -> f64 {
    let (x0, x1, x) = (1.0 / from.0, 1.0 / to.0, 1.0 / degrees);
    from.1 + (to.1 - from.1) * (x - x0) / (x1 - x0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_the_t_interval_of_the_mean() {
        // Mean 2, sample sd 1 (values 1, 2, 3), n = 3: 2 ± 4.3027 / √3.
        let interval = Interval::of_mean(&[1.0, 2.0, 3.0]);
        assert_eq!(interval.mean, 2.0);
        let half = 4.3027 / 3f64.sqrt();
        assert!((interval.low.expect("low") - (2.0 - half)).abs() < 1e-12);
        assert!((interval.high.expect("high") - (2.0 + half)).abs() < 1e-12);
        assert!(!interval.above_zero(), "the interval crosses zero");
        assert!(Interval::of_mean(&[3.0, 4.0, 5.0]).above_zero());
        assert!(Interval::of_mean(&[-3.0, -4.0, -5.0]).below_zero());
    }

    #[test]
    fn one_value_has_a_mean_and_no_interval() {
        let interval = Interval::of_mean(&[0.7]);
        assert_eq!(
            (interval.mean, interval.low, interval.high),
            (0.7, None, None)
        );
        assert!(!interval.above_zero() && !interval.below_zero());
        assert!(Interval::of_mean(&[]).mean.is_nan());
    }

    #[test]
    fn equal_values_have_an_interval_of_no_width() {
        let interval = Interval::of_mean(&[0.0; 20]);
        assert_eq!((interval.low, interval.high), (Some(0.0), Some(0.0)));
        assert!(!interval.above_zero() && !interval.below_zero());
    }

    #[test]
    fn t_quantiles_match_the_published_values_and_fall_towards_the_normal() {
        // Exact values (scipy.stats.t.ppf(0.975, df)).
        for (degrees, exact) in [
            (1, 12.7062),
            (19, 2.0930),
            (49, 2.0096),
            (99, 1.9842),
            (1000, 1.9623),
        ] {
            assert!(
                (student_t_975(degrees) - exact).abs() < 1e-3,
                "{degrees}: {}",
                student_t_975(degrees)
            );
        }
        let mut previous = f64::INFINITY;
        for degrees in 1..500 {
            let quantile = student_t_975(degrees);
            assert!(quantile < previous && quantile > 1.959_96, "{degrees}");
            previous = quantile;
        }
    }
}
