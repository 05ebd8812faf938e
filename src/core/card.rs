//! What the label card says about an alert, in its survey's words: which ids
//! it shows, how its date reads, whether it is a solar-system object, and how
//! its light curve is described to a screen reader. The page renders these
//! strings as text; nothing here is markup.

use crate::core::alert::{Alert, Survey};
use crate::core::display::{format_feature_value, format_mjd};
use crate::core::links::object_links;

/// The card's facts about one alert.
#[derive(Clone, Debug, PartialEq)]
pub struct CardFacts {
    /// The object's id, the card's title.
    pub object_id: String,
    /// "candid 3069…" or "diaSourceId 1698…".
    pub alert_id: String,
    /// The observation date, with its time scale for LSST (TAI).
    pub date: String,
    /// Broker pages of the object, as (name, URL).
    pub links: Vec<(&'static str, String)>,
    /// The solar-system mark (LSST), when the alert is associated with a
    /// solar-system object: see [`solar_system_mark`].
    pub solar_system: Option<String>,
    /// The light curve's description, for its `alt` text.
    pub light_curve_description: &'static str,
}

impl CardFacts {
    /// The facts of `alert`.
    pub fn of(alert: &Alert) -> CardFacts {
        let survey = alert.survey();
        let object_id = alert.object_id().into_owned();
        let date = format_mjd(alert.mjd().unwrap_or(f64::NAN));
        let (alert_id, date, light_curve_description) = match survey {
            Survey::Ztf => (
                format!("candid {}", alert.candid()),
                date,
                "Light curve in magnitudes: detections with error bars, upper limits as open \
                 triangles, g green, r red, this alert ringed",
            ),
            Survey::Lsst => (
                format!("diaSourceId {}", alert.candid()),
                format!("{date} (MJD {:.5} TAI)", alert.mjd().unwrap_or(f64::NAN)),
                "Light curve in flux (nJy) against days: sources with error bars, forced \
                 photometry as open circles, one colour per band u g r i z y with a legend, \
                 this alert ringed",
            ),
        };
        CardFacts {
            links: object_links(survey, &object_id),
            object_id,
            alert_id,
            date,
            solar_system: solar_system_mark(alert),
            light_curve_description,
        }
    }
}

/// The card's solar-system mark, with the `ssObjectId` when it is known
/// exactly: "Solar-system object" for a solar-system alert, "Also a
/// solar-system object" for an alert of a `diaObject` that Rubin associated
/// with one too (it stays in the queue); `None` without an association.
pub fn solar_system_mark(alert: &Alert) -> Option<String> {
    let lsst = alert.as_lsst()?;
    let ss_object = lsst.ss_object?;
    let id = ss_object
        .id()
        .map(|id| format!(" · ssObjectId {id}"))
        .unwrap_or_default();
    Some(if lsst.is_solar_system() {
        format!("Solar-system object{id}")
    } else {
        format!("Also a solar-system object{id}")
    })
}

/// One line of the card's feature table: the feature, this alert's value and
/// the medians of the labelled alerts of class 0 and class 1, as displayed.
pub type FeatureLine = (&'static str, String, String, String);

/// The card's feature table: a line per feature that has a value (for this
/// alert or either class median), and the names of the features that have
/// none anywhere, listed apart so that LSST's six bands, mostly empty, do not
/// bury the rest.
pub fn feature_lines(
    names: &[&'static str],
    values: &[f64],
    medians: &[Vec<f64>; 2],
) -> (Vec<FeatureLine>, Vec<&'static str>) {
    let value = |list: &[f64], column: usize| list.get(column).copied().unwrap_or(f64::NAN);
    let (mut lines, mut empty) = (Vec::new(), Vec::new());
    for (column, &name) in names.iter().enumerate() {
        let triple = [
            value(values, column),
            value(&medians[0], column),
            value(&medians[1], column),
        ];
        if triple.iter().all(|v| v.is_nan()) {
            empty.push(name);
        } else {
            let [this, zero, one] = triple.map(format_feature_value);
            lines.push((name, this, zero, one));
        }
    }
    (lines, empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_without_any_value_are_listed_apart() {
        let medians = [vec![1.0, f64::NAN, f64::NAN], vec![f64::NAN; 3]];
        let (lines, empty) = feature_lines(&["a", "b", "c"], &[f64::NAN, 2.0, f64::NAN], &medians);
        let names: Vec<_> = lines.iter().map(|line| line.0).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(empty, ["c"]);
    }
}
