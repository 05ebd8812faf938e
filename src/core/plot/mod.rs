//! Charts as SVG documents, drawn with plotters: an alert's light curve for
//! the label card (ZTF in magnitudes here, LSST in flux in [`flux`]), and the
//! learning curve of the rounds, a round's feature importance
//! ([`importance_svg`]), and the team's agreement per pair
//! ([`pair_matrix_svg`]). The page shows them as images, so nothing
//! from a file is ever parsed as markup.

mod flux;
mod importance;
mod pair_matrix;

pub use importance::importance_svg;
pub use pair_matrix::pair_matrix_svg;

use plotters::coord::types::RangedCoordf64;
use plotters::element::{Circle, EmptyElement, ErrorBar, PathElement};
use plotters::prelude::*;

use crate::core::active::honest::Estimate;
use crate::core::active::round::RoundRecord;
use crate::core::alert::{Alert, Band, ZtfAlert};

const G_COLOUR: RGBColor = RGBColor(32, 140, 60);
const R_COLOUR: RGBColor = RGBColor(200, 40, 40);
const I_COLOUR: RGBColor = RGBColor(120, 90, 20);

fn band_colour(band: Band) -> RGBColor {
    match band {
        Band::G => G_COLOUR,
        Band::R => R_COLOUR,
        Band::I => I_COLOUR,
    }
}

/// The range of `values` widened by `margin` (a unit range when empty).
pub(super) fn padded_range(values: impl Iterator<Item = f64>, margin: f64) -> (f64, f64) {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if low > high {
        (0.0, 1.0)
    } else if low == high {
        (low - 0.5, high + 0.5)
    } else {
        (low - margin * (high - low), high + margin * (high - low))
    }
}

/// A chart's axes: ranges (`y` may run downwards, as magnitudes do), their
/// descriptions, and the room the y labels need.
pub(super) struct Axes<'a> {
    pub x: std::ops::Range<f64>,
    pub y: std::ops::Range<f64>,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub y_label_area: u32,
    /// Names for the whole numbers of the y axis (a bar chart's rows);
    /// empty for a numeric axis.
    pub y_names: &'a [String],
}

/// Where a chart's legend of labelled series goes, on what background.
pub(super) struct Legend {
    pub position: SeriesLabelPosition,
    pub background: RGBAColor,
}

/// The chart `draw` fills in.
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// An SVG chart of `width`×`height` in the page's frame (white, a margin,
/// a light mesh with the axes' descriptions), its content drawn by `draw`,
/// then the legend of the labelled series if one is asked for; empty if
/// plotters cannot draw it.
pub(super) fn svg_chart(
    width: u32,
    height: u32,
    axes: Axes,
    legend: Option<Legend>,
    draw: impl FnOnce(&mut Chart<'_, '_>),
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        if root.fill(&WHITE).is_err() {
            return String::new();
        }
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(axes.y_label_area)
            .build_cartesian_2d(axes.x, axes.y)
        else {
            return String::new();
        };
        let names = axes.y_names;
        let name_of = |value: &f64| {
            let index = value.round();
            if (value - index).abs() < 1e-6 && index >= 0.0 {
                names.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(axes.x_desc)
            .y_desc(axes.y_desc)
            .light_line_style(RGBColor(235, 235, 235));
        if !names.is_empty() {
            mesh.y_labels(names.len() + 1)
                .y_label_formatter(&name_of)
                .disable_y_mesh();
        }
        let _ = mesh.draw();
        draw(&mut chart);
        if let Some(legend) = legend {
            let _ = chart
                .configure_series_labels()
                .position(legend.position)
                .border_style(RGBColor(200, 200, 200))
                .background_style(legend.background)
                .draw();
        }
        let _ = root.present();
    }
    svg
}

/// The light curve of `alert` as SVG, in the survey's own unit: magnitudes
/// for ZTF, flux (nJy) for LSST.
pub fn light_curve_svg(alert: &Alert, width: u32, height: u32) -> String {
    match alert {
        Alert::Ztf(alert) => magnitude_light_curve_svg(alert, width, height),
        Alert::Lsst(alert) => flux::flux_light_curve_svg(alert, width, height),
    }
}

/// The light curve of a ZTF alert as SVG: detections with error bars (filled
/// circles), upper limits as open triangles, g and r in their own colours,
/// the alert itself ringed in black, magnitudes growing downwards, time in
/// days relative to the alert.
fn magnitude_light_curve_svg(alert: &ZtfAlert, width: u32, height: u32) -> String {
    let reference = alert.mjd().unwrap_or(0.0);
    let points = &alert.light_curve;
    let magnitudes = points.iter().flat_map(|p| {
        if p.has_magnitude() {
            let error = if p.magnitude_error.is_nan() {
                0.0
            } else {
                p.magnitude_error
            };
            vec![p.magnitude - error, p.magnitude + error]
        } else {
            vec![p.limiting_magnitude]
        }
    });
    let (bright, faint) = padded_range(magnitudes, 0.08);
    let (first, last) = padded_range(points.iter().map(|p| p.mjd - reference), 0.05);
    let axes = Axes {
        x: first..last,
        y: faint..bright,
        x_desc: "days from this alert",
        y_desc: "magnitude",
        y_label_area: 44,
        y_names: &[],
    };
    svg_chart(width, height, axes, None, |chart| {
        for point in points {
            let x = point.mjd - reference;
            let colour = band_colour(point.band);
            if point.has_magnitude() {
                let error = if point.magnitude_error.is_nan() {
                    0.0
                } else {
                    point.magnitude_error
                };
                let _ = chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                    x,
                    point.magnitude - error,
                    point.magnitude,
                    point.magnitude + error,
                    colour.stroke_width(1),
                    4,
                )));
                let _ = chart.draw_series(std::iter::once(Circle::new(
                    (x, point.magnitude),
                    3,
                    colour.filled(),
                )));
            } else if point.limiting_magnitude.is_finite() {
                // An open triangle pointing down: "fainter than this".
                let outline = vec![(-4, -3), (4, -3), (0, 4), (-4, -3)];
                let marker = EmptyElement::at((x, point.limiting_magnitude))
                    + PathElement::new(outline, colour.stroke_width(1));
                let _ = chart.draw_series(std::iter::once(marker));
            }
        }
        if let Some(current) = points.first().filter(|p| p.has_magnitude()) {
            let _ = chart.draw_series(std::iter::once(Circle::new(
                (0.0, current.magnitude),
                6,
                BLACK.stroke_width(2),
            )));
        }
    })
}

/// Cross-validated ROC AUC, F1 and accuracy against the number of labels,
/// and, where a round has one, its honest estimate: the ROC AUC on the
/// random picks' labels alone, with its 95 % interval as a bar.
pub fn learning_curve_svg(rounds: &[RoundRecord], width: u32, height: u32) -> String {
    let series: Vec<(f64, [f64; 3])> = rounds
        .iter()
        .filter_map(|round| {
            round.cross_validated.map(|cv| {
                (
                    round.training.len() as f64,
                    [
                        cv.mean.roc_auc.unwrap_or(f64::NAN),
                        cv.mean.f1,
                        cv.mean.accuracy,
                    ],
                )
            })
        })
        .collect();
    let honest: Vec<(f64, Estimate)> = rounds
        .iter()
        .filter_map(|round| {
            let estimate = round.honest_estimate.as_ref()?.roc_auc?;
            Some((round.training.len() as f64, estimate))
        })
        .collect();
    let (first, last) = padded_range(series.iter().map(|(n, _)| *n), 0.05);
    let axes = Axes {
        x: first..last,
        y: 0.0..1.0,
        x_desc: "labels",
        y_desc: if honest.is_empty() {
            "cross-validated"
        } else {
            "cross-validated; honest"
        },
        y_label_area: 40,
        y_names: &[],
    };
    let legend = Legend {
        // plotters' own default place, on an opaque background.
        position: SeriesLabelPosition::MiddleRight,
        background: WHITE.to_rgba(),
    };
    svg_chart(width, height, axes, Some(legend), |chart| {
        for (index, (name, colour)) in [
            ("ROC AUC (CV, chosen labels)", RGBColor(36, 86, 199)),
            ("F1", RGBColor(200, 120, 20)),
            ("accuracy", RGBColor(90, 90, 90)),
        ]
        .into_iter()
        .enumerate()
        {
            let values: Vec<(f64, f64)> = series
                .iter()
                .map(|(n, metrics)| (*n, metrics[index]))
                .filter(|(_, v)| v.is_finite())
                .collect();
            draw_line_with_points(chart, values, name, colour);
        }
        if !honest.is_empty() {
            let colour = RGBColor(30, 140, 70);
            let _ = chart.draw_series(honest.iter().map(|(n, estimate)| {
                ErrorBar::new_vertical(
                    *n,
                    estimate.low,
                    estimate.value,
                    estimate.high,
                    colour.stroke_width(1),
                    6,
                )
            }));
            let values = honest.iter().map(|(n, e)| (*n, e.value)).collect();
            draw_line_with_points(chart, values, "ROC AUC on random picks (honest)", colour);
        }
    })
}

/// A labelled line through `values` with a dot on each.
fn draw_line_with_points(
    chart: &mut Chart<'_, '_>,
    values: Vec<(f64, f64)>,
    name: &str,
    colour: RGBColor,
) {
    if let Ok(drawn) = chart.draw_series(LineSeries::new(values.clone(), colour.stroke_width(2))) {
        drawn.label(name).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
        });
    }
    let _ = chart.draw_series(
        values
            .into_iter()
            .map(|point| Circle::new(point, 3, colour.filled())),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::{Candid, DifferenceSign, LightCurvePoint};

    #[test]
    fn light_curve_draws_detections_limits_and_the_current_alert() {
        let mut detection = LightCurvePoint::empty(60_010.0, Band::G);
        detection.magnitude = 18.5;
        detection.magnitude_error = 0.1;
        detection.difference_sign = DifferenceSign::Positive;
        let mut limit = LightCurvePoint::empty(60_005.0, Band::R);
        limit.limiting_magnitude = 20.1;
        let alert = Alert::Ztf(ZtfAlert {
            candid: Candid(1),
            object_id: "ZTF25aaaaaaa".into(),
            ra: 1.0,
            dec: 2.0,
            drb: 1.0,
            sep_arcsec: f64::NAN,
            light_curve: vec![detection, limit],
            fink_lc_features: None,
        });
        let svg = light_curve_svg(&alert, 480, 300);
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
        assert!(svg.contains("magnitude") && svg.contains("days from this alert"));
        assert!(
            svg.contains("#208C3C") || svg.to_ascii_lowercase().contains("#208c3c"),
            "g colour present"
        );
        assert!(
            svg.contains("<polyline"),
            "an open triangle for the upper limit"
        );
    }

    /// A round trained on 40 synthetic labels, half of them random picks or none.
    fn synthetic_round(with_random_picks: bool) -> RoundRecord {
        use crate::core::active::round::{train_round, LabelledRows, RoundRequest};
        use crate::core::labels::targets::TargetMapping;
        use crate::core::model::{FeatureMatrix, ModelSpec};
        let rows: Vec<[f64; 1]> = (0..40)
            .map(|i| [(i % 2) as f64 + (i as f64) * 0.01])
            .collect();
        let features = FeatureMatrix::from_rows(&rows).expect("rows");
        let ids: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let labels: Vec<String> = (0..40).map(|i| ["a", "b"][i % 2].to_string()).collect();
        let random_picks: Vec<bool> = (0..40).map(|i| with_random_picks && i % 4 < 2).collect();
        let target = TargetMapping::parse("t", "a=0,b=1").expect("mapping");
        let model = ModelSpec::by_name("extra-trees").expect("model");
        let names = vec!["x".to_string()];
        train_round(RoundRequest {
            round: 0,
            target: &target,
            model: &model,
            strategy: crate::core::active::strategy::QueryStrategy::Uncertainty,
            seed: 1,
            timestamp: "t".into(),
            feature_names: &names,
            training: LabelledRows {
                ids: &ids,
                labels: &labels,
                features: &features,
                random_picks: &random_picks,
            },
            validation: None,
            threads: 1,
        })
        .expect("trains")
        .0
    }

    #[test]
    fn the_learning_curve_plots_the_honest_estimate_only_when_a_round_has_one() {
        let with = learning_curve_svg(&[synthetic_round(true)], 560, 260);
        assert!(with.contains("ROC AUC on random picks (honest)"), "{with}");
        let without = learning_curve_svg(&[synthetic_round(false)], 560, 260);
        assert!(without.contains("ROC AUC (CV, chosen labels)"));
        assert!(!without.contains("random picks"));
    }
}
