//! A round's permutation importance as a sorted horizontal bar chart: one
//! bar per feature (mean drop in cross-validated ROC AUC when it is
//! shuffled), the most useful at the top, with its standard error as an
//! error bar and written beside the feature's name (rounds recorded before
//! the standard error: the spread across folds).

use plotters::element::{ErrorBar, Rectangle};
use plotters::prelude::*;

use super::{padded_range, svg_chart, Axes};
use crate::core::active::validation::{by_importance, FeatureImportance};

const BAR_COLOUR: RGBColor = RGBColor(36, 86, 199);
/// Height of one feature's row, in pixels.
const ROW_HEIGHT: u32 = 16;

/// The chart's height for `features` rows.
fn importance_height(features: usize) -> u32 {
    70 + ROW_HEIGHT * features as u32
}

/// The half-width of a feature's error bar: its standard error, or, in a
/// round recorded before it, its spread across folds.
fn uncertainty(feature: &FeatureImportance) -> f64 {
    if feature.auc_drop_se > 0.0 {
        feature.auc_drop_se
    } else {
        feature.auc_drop_std
    }
}

/// A row's label: the feature, its mean drop and its uncertainty.
fn row_label(feature: &FeatureImportance) -> String {
    let sign = if feature.auc_drop_se > 0.0 {
        "± se"
    } else {
        "± sd"
    };
    format!(
        "{}  {:+.3} {sign} {:.3}",
        feature.feature,
        feature.auc_drop,
        uncertainty(feature)
    )
}

/// The chart as SVG, `width` wide and as tall as its rows need.
pub fn importance_svg(importance: &[FeatureImportance], width: u32) -> String {
    let sorted = by_importance(importance);
    let count = sorted.len();
    // Row 0 is drawn at the bottom: the most important feature goes last.
    let names: Vec<String> = sorted.iter().rev().map(|f| row_label(f)).collect();
    let (low, high) = padded_range(
        sorted.iter().flat_map(|f| {
            [
                f.auc_drop - uncertainty(f),
                f.auc_drop + uncertainty(f),
                0.0,
            ]
        }),
        0.05,
    );
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as u32;
    let axes = Axes {
        x: low..high,
        y: -0.6..count as f64 - 0.4,
        x_desc: "drop in cross-validated ROC AUC when shuffled",
        y_desc: "",
        y_label_area: 16 + 7 * longest,
        y_names: &names,
    };
    svg_chart(width, importance_height(count), axes, None, |chart| {
        let rows = sorted.iter().rev().enumerate();
        let _ = chart.draw_series(rows.clone().map(|(row, feature)| {
            let y = row as f64;
            Rectangle::new(
                [(0.0, y - 0.35), (feature.auc_drop, y + 0.35)],
                BAR_COLOUR.mix(0.75).filled(),
            )
        }));
        let _ = chart.draw_series(rows.map(|(row, feature)| {
            ErrorBar::new_horizontal(
                row as f64,
                feature.auc_drop - uncertainty(feature),
                feature.auc_drop,
                feature.auc_drop + uncertainty(feature),
                BLACK.stroke_width(1),
                6,
            )
        }));
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_names_every_feature_with_the_most_useful_on_top() {
        let importance = vec![
            FeatureImportance {
                feature: "noise".into(),
                auc_drop: -0.01,
                auc_drop_std: 0.02,
                auc_drop_se: 0.0,
            },
            FeatureImportance {
                feature: "ndets".into(),
                auc_drop: 0.2,
                auc_drop_std: 0.05,
                auc_drop_se: 0.025,
            },
        ];
        let svg = importance_svg(&importance, 480);
        assert!(svg.starts_with("<svg") && svg.contains("ndets") && svg.contains("noise"));
        let (top, bottom) = (svg.find("ndets").unwrap(), svg.find("noise").unwrap());
        // The y labels are written bottom row first.
        assert!(bottom < top, "noise is drawn below ndets");
        // The standard error beside the name; an older round's spread.
        assert!(svg.contains("ndets  +0.200 ± se 0.025"), "{svg}");
        assert!(svg.contains("noise  -0.010 ± sd 0.020"), "{svg}");
    }
}
