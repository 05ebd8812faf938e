//! An LSST alert's light curve in flux: difference-image flux (nJy) against
//! days from the alert, so that negative fluxes (a source fainter than on the
//! template) show as what they are.

use plotters::element::{Circle, ErrorBar, PathElement};
use plotters::prelude::*;

use super::{padded_range, svg_chart, Axes, Legend};
use crate::core::alert::{FluxPoint, LsstAlert, LsstBand};

/// One colour per band, blue to red, told apart in print and by most
/// colour-blind readers (after Rubin's own plotting conventions).
fn band_colour(band: Option<LsstBand>) -> RGBColor {
    match band {
        Some(LsstBand::U) => RGBColor(86, 180, 233),
        Some(LsstBand::G) => RGBColor(0, 128, 96),
        Some(LsstBand::R) => RGBColor(230, 50, 30),
        Some(LsstBand::I) => RGBColor(180, 120, 0),
        Some(LsstBand::Z) => RGBColor(120, 60, 160),
        Some(LsstBand::Y) => RGBColor(60, 60, 60),
        None => RGBColor(150, 150, 150),
    }
}

/// A point's error, or 0 when unknown (no bar).
fn error_of(point: &FluxPoint) -> f64 {
    if point.flux_error.is_finite() {
        point.flux_error
    } else {
        0.0
    }
}

/// The light curve of `alert` as SVG: sources with error bars (filled
/// circles), forced photometry as open circles, one colour per band with a
/// legend, the alert's own source ringed in black, a line at zero flux.
pub fn flux_light_curve_svg(alert: &LsstAlert, width: u32, height: u32) -> String {
    let reference = alert.mjd();
    let with_flux = |points: &[FluxPoint]| -> Vec<FluxPoint> {
        points
            .iter()
            .copied()
            .filter(|p| p.flux.is_finite())
            .collect()
    };
    let (sources, forced) = (with_flux(&alert.sources), with_flux(&alert.forced_sources));
    let all = || sources.iter().chain(&forced);
    let fluxes = all()
        .flat_map(|p| [p.flux - error_of(p), p.flux + error_of(p)])
        .chain([0.0]);
    let (low, high) = padded_range(fluxes, 0.08);
    let (first, last) = padded_range(all().map(|p| p.mjd - reference), 0.05);
    let axes = Axes {
        x: first..last,
        y: low..high,
        x_desc: "days from this alert (MJD TAI)",
        y_desc: "flux (nJy)",
        y_label_area: 56,
        y_names: &[],
    };
    let legend = Legend {
        position: SeriesLabelPosition::UpperLeft,
        background: WHITE.mix(0.85),
    };
    svg_chart(width, height, axes, Some(legend), |chart| {
        let _ = chart.draw_series(std::iter::once(PathElement::new(
            vec![(first, 0.0), (last, 0.0)],
            RGBColor(170, 170, 170).stroke_width(1),
        )));
        let bands = LsstBand::ALL.map(Some).into_iter().chain([None]);
        for band in bands {
            let colour = band_colour(band);
            let in_band = |points: &[FluxPoint]| -> Vec<FluxPoint> {
                points.iter().copied().filter(|p| p.band == band).collect()
            };
            let (detected, measured) = (in_band(&sources), in_band(&forced));
            if detected.is_empty() && measured.is_empty() {
                continue;
            }
            let bars = detected.iter().chain(&measured).map(|p| {
                let (x, error) = (p.mjd - reference, error_of(p));
                ErrorBar::new_vertical(
                    x,
                    p.flux - error,
                    p.flux,
                    p.flux + error,
                    colour.stroke_width(1),
                    4,
                )
            });
            let _ = chart.draw_series(bars);
            let _ = chart.draw_series(
                measured
                    .iter()
                    .map(|p| Circle::new((p.mjd - reference, p.flux), 3, colour.stroke_width(1))),
            );
            let dots = chart.draw_series(
                detected
                    .iter()
                    .map(|p| Circle::new((p.mjd - reference, p.flux), 3, colour.filled())),
            );
            let name = band.map_or("?", LsstBand::name);
            if let Ok(dots) = dots {
                dots.label(name)
                    .legend(move |(x, y)| Circle::new((x + 6, y), 4, colour.filled()));
            }
        }
        if let Some(own) = alert.own_source().filter(|p| p.flux.is_finite()) {
            let _ = chart.draw_series(std::iter::once(Circle::new(
                (0.0, own.flux),
                6,
                BLACK.stroke_width(2),
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;

    fn point(mjd: f64, band: LsstBand, flux: f64) -> FluxPoint {
        FluxPoint {
            source_id: Some(mjd as u64),
            mjd,
            band: Some(band),
            flux,
            flux_error: 50.0,
        }
    }

    #[test]
    fn the_flux_curve_has_a_legend_entry_per_band_and_shows_negative_fluxes() {
        let alert = LsstAlert {
            dia_source_id: Candid(1),
            dia_object_id: 2,
            ra: 1.0,
            dec: 2.0,
            reliability: 0.9,
            snr: 7.0,
            ss_object: None,
            sources: vec![
                point(60010.0, LsstBand::G, 1200.0),
                point(60001.0, LsstBand::R, -800.0),
                point(60002.0, LsstBand::Y, 300.0),
            ],
            forced_sources: vec![point(60000.0, LsstBand::U, 20.0)],
            lc_features: None,
        };
        let svg = flux_light_curve_svg(&alert, 480, 300);
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
        assert!(svg.contains("flux (nJy)"));
        // Text elements hold their text on the next line.
        let lines: Vec<&str> = svg.lines().collect();
        let legend: Vec<&str> = lines
            .windows(2)
            .filter(|pair| pair[0].contains("<text") && pair[0].contains("text-anchor=\"start\""))
            .map(|pair| pair[1].trim())
            .collect();
        for band in ["u", "g", "r", "y"] {
            assert!(legend.contains(&band), "legend entry {band}: {legend:?}");
        }
        assert!(
            !legend.contains(&"i"),
            "no legend for a band without points"
        );
        assert!(
            svg.contains("-800") || svg.contains("-1000") || svg.contains("-500"),
            "negative axis"
        );
    }
}
