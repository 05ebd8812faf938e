//! A ZTF alert: candidate and history in magnitudes, Fink's g and r
//! light-curve features.

use super::{BandFeatures, Candid};

/// A ZTF filter, from the schema's `fid` (1 = g, 2 = r, 3 = i).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Band {
    G,
    R,
    I,
}

impl Band {
    /// The band for a ZTF `fid`, or `None` for an unknown filter id.
    pub fn from_fid(fid: i64) -> Option<Band> {
        match fid {
            1 => Some(Band::G),
            2 => Some(Band::R),
            3 => Some(Band::I),
            _ => None,
        }
    }
}

/// The sign of the difference image at a light-curve point (`isdiffpos`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DifferenceSign {
    /// `'t'` or `'1'`: the source is brighter than on the template.
    Positive,
    /// `'f'` or `'0'`: the source is fainter than on the template.
    Negative,
    /// Null, as for non-detections (upper limits).
    Unknown,
}

impl DifferenceSign {
    /// Reads the ZTF `isdiffpos` spelling. The schema allows both `t`/`f` and
    /// `1`/`0`, and real files use both; anything else is `Unknown`.
    pub fn from_isdiffpos(text: Option<&str>) -> DifferenceSign {
        match text.map(str::trim) {
            Some("t") | Some("1") => DifferenceSign::Positive,
            Some("f") | Some("0") => DifferenceSign::Negative,
            _ => DifferenceSign::Unknown,
        }
    }
}

/// One point of an alert's light curve: a detection or a non-detection.
///
/// Missing values are `NaN` (never infinite): ingest turns nulls and
/// non-finite numbers into `NaN`, so that a point stays 64 bytes and 100k
/// alerts fit comfortably in wasm32 memory.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LightCurvePoint {
    /// Modified Julian Date of the exposure (`jd - 2400000.5`).
    pub mjd: f64,
    pub band: Band,
    /// PSF-fit difference magnitude (`magpsf`); `NaN` for a non-detection.
    pub magnitude: f64,
    /// 1-sigma error on `magnitude` (`sigmapsf`); `NaN` when unknown.
    pub magnitude_error: f64,
    /// 5-sigma limiting magnitude of the difference image (`diffmaglim`).
    pub limiting_magnitude: f64,
    pub difference_sign: DifferenceSign,
    /// Distance in pixels to the nearest reference-image source (`distnr`).
    pub nearest_ref_distance: f64,
    /// Magnitude of that reference source (`magnr`).
    pub nearest_ref_magnitude: f64,
    /// Error on `nearest_ref_magnitude` (`sigmagnr`).
    pub nearest_ref_magnitude_error: f64,
}

impl LightCurvePoint {
    /// A point with only the time and band known; every measurement is `NaN`.
    pub fn empty(mjd: f64, band: Band) -> LightCurvePoint {
        LightCurvePoint {
            mjd,
            band,
            magnitude: f64::NAN,
            magnitude_error: f64::NAN,
            limiting_magnitude: f64::NAN,
            difference_sign: DifferenceSign::Unknown,
            nearest_ref_distance: f64::NAN,
            nearest_ref_magnitude: f64::NAN,
            nearest_ref_magnitude_error: f64::NAN,
        }
    }

    /// True when the point has a magnitude (it is not an upper limit).
    pub fn has_magnitude(&self) -> bool {
        !self.magnitude.is_nan()
    }

    /// True for a detection of a positive difference with a magnitude: the
    /// points that `ndets` counts.
    pub fn is_positive_detection(&self) -> bool {
        self.difference_sign == DifferenceSign::Positive && self.has_magnitude()
    }
}

/// Fink's light-curve features for the g and r bands, as the file gave them.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FinkLcFeatures {
    pub g: BandFeatures,
    pub r: BandFeatures,
}

/// One ZTF alert, validated and reduced to what the VRA loop needs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ZtfAlert {
    pub candid: Candid,
    /// ZTF object id, e.g. `ZTF25aastlyj`. Text from a file: never trusted as HTML.
    pub object_id: String,
    /// Right ascension in degrees (finite), as the file gave it.
    pub ra: f64,
    /// Declination in degrees, within `[-90, 90]`.
    pub dec: f64,
    /// Deep-learning real/bogus score; `NaN` when the file has none.
    pub drb: f64,
    /// Host separation in arcsec from Sherlock (clean layout only); `NaN` otherwise.
    pub sep_arcsec: f64,
    /// The current candidate first, then its history (`prv_candidates`) in file order.
    pub light_curve: Vec<LightCurvePoint>,
    /// Fink's precomputed light-curve features, or `None` when the file has
    /// no `lc_features_*` columns (older schema): they are then recomputed.
    pub fink_lc_features: Option<FinkLcFeatures>,
}

impl ZtfAlert {
    /// Modified Julian Date of the alert itself (its first light-curve point).
    pub fn mjd(&self) -> Option<f64> {
        self.light_curve.first().map(|point| point.mjd)
    }
}
